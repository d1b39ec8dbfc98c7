"""``deepnum.nn.Module`` and the containers against PyTorch 2.13: registration order and
dotted names, state dicts (round trip, errors, loading torch's weights), reprs, hooks,
train/eval, dtype conversion, and the list/dict wrapping PyTorch lacks."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
import torch

import deepnum as dn
import deepnum.nn as nn
from deepnum.errors import OutOfRangeError, ShapeError, StateError


def build(lib):
    """The same nested model in deepnum or torch: containers, buffers, a shared weight."""
    class Block(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = lib.nn.Linear(3, 3)
            self.norm = lib.nn.BatchNorm1d(3)
            self.register_buffer("steps", lib.zeros(1))
            self.register_buffer("scratch", lib.zeros(2), persistent=False)

        def forward(self, x):
            return self.norm(self.fc(x)).relu()

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.inp = lib.nn.Linear(4, 3)
            self.blocks = lib.nn.ModuleList([Block(), Block()])
            self.heads = lib.nn.ModuleDict({"a": lib.nn.Linear(3, 2), "b": lib.nn.Linear(3, 1)})
            self.tail = lib.nn.Sequential(lib.nn.Dropout(0.2), lib.nn.Linear(3, 3, bias=False))
            self.tail[1].weight = self.blocks[0].fc.weight  # tied: listed once
            self.scale = lib.nn.Parameter(lib.ones(1))

        def forward(self, x):
            h = self.inp(x)
            for block in self.blocks:
                h = block(h)
            h = self.tail(h)
            return self.heads["a"](h) * self.scale

    return Net()


def test_names_and_order_match_torch():
    d, t = build(dn), build(torch)
    assert [n for n, _ in d.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in d.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert list(d.state_dict()) == list(t.state_dict())
    assert [n for n, _ in d.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in d.named_children()] == [n for n, _ in t.named_children()]
    assert len(list(d.parameters())) == len(list(t.parameters()))
    assert [n for n, _ in d.named_parameters(recurse=False)] == ["scale"]
    assert [n for n, _ in d.named_parameters(prefix="m")] == [
        n for n, _ in t.named_parameters(prefix="m")]
    assert len(list(d.named_parameters(remove_duplicate=False))) == len(
        list(t.named_parameters(remove_duplicate=False)))


def test_sequential_keys_match_torch_example():
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_repr_matches_torch():
    assert repr(build(dn)) == repr(build(torch))
    layers = [(nn.Linear(2, 2), torch.nn.Linear(2, 2)) for _ in range(3)]
    d = nn.ModuleList([a for a, _ in layers] + [nn.ReLU()])
    t = torch.nn.ModuleList([b for _, b in layers] + [torch.nn.ReLU()])
    assert repr(d) == repr(t)
    assert repr(nn.ModuleList()) == repr(torch.nn.ModuleList())
    assert repr(nn.Sequential()) == repr(torch.nn.Sequential())


def test_state_dict_is_detached_and_shares_memory():
    model = nn.Linear(3, 2)
    sd = model.state_dict()
    assert isinstance(sd, OrderedDict)
    assert not sd["weight"].requires_grad
    sd["weight"][0, 0] = 42.0
    assert model.weight.data[0, 0] == 42.0
    assert model.state_dict(keep_vars=True)["weight"] is model.weight


def test_load_state_dict_round_trip():
    dn.manual_seed(0)
    a = build(dn)
    dn.manual_seed(1)
    b = build(dn)
    x = dn.randn(5, 4)
    a.eval(), b.eval()
    with dn.no_grad():
        assert not np.allclose(a(x).numpy(), b(x).numpy())
        result = b.load_state_dict(a.state_dict())
        assert result.missing_keys == [] and result.unexpected_keys == []
        assert repr(result) == "<All keys matched successfully>"
        np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())
    # a copy, not an alias: changing a afterwards leaves b alone
    a.inp.weight.data[...] = 0
    assert b.inp.weight.data.any()


def test_load_state_dict_errors_name_keys_and_load_nothing():
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    good = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    before = model[0].weight.data.copy()
    missing = {k: v for k, v in good.items() if k != "1.bias"}
    with pytest.raises(StateError, match=r'Missing key\(s\) in state_dict: "1.bias"') as e:
        model.load_state_dict(missing)
    assert isinstance(e.value, RuntimeError)  # as PyTorch's error
    extra = dict(good, **{"2.weight": np.ones(1), "0.gamma": np.ones(1)})
    unexpected = r'Unexpected key\(s\) in state_dict: "2.weight", "0.gamma"'
    with pytest.raises(StateError, match=unexpected):
        model.load_state_dict(extra)
    bad = dict(good, **{"0.weight": np.zeros((3, 5))})
    bad["0.bias"] = np.full(3, 7.0)
    mismatch = r"0\.weight: expected shape \(3, 2\).*received shape \(3, 5\)"
    with pytest.raises(ShapeError, match=mismatch):
        model.load_state_dict(bad)
    with pytest.raises(ShapeError):
        model.load_state_dict(bad, strict=False)  # shapes are checked even when not strict
    np.testing.assert_array_equal(model[0].weight.data, before)
    assert not (model[0].bias.data == 7.0).any()  # nothing was loaded
    with pytest.raises(StateError, match="expected a tensor or array but received list"):
        model.load_state_dict(dict(good, **{"1.bias": [1.0]}))
    result = model.load_state_dict(dict(missing, extra=np.ones(1)), strict=False)
    assert result.missing_keys == ["1.bias"] and result.unexpected_keys == ["extra"]
    assert result == (["1.bias"], ["extra"])


def test_load_torch_state_dict_gives_identical_outputs():
    torch.manual_seed(0)
    t = build(torch).eval()
    d = build(dn).eval()
    d.load_state_dict({k: v.numpy() for k, v in t.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32)
    np.testing.assert_allclose(d(dn.tensor(x)).detach().numpy(),
                               t(torch.tensor(x)).detach().numpy(), rtol=1e-6, atol=1e-6)
    d2 = build(dn).eval()
    d2.load_state_dict(t.state_dict())  # torch tensors convert through __array__ too
    np.testing.assert_array_equal(d2(dn.tensor(x)).detach().numpy(),
                                  d(dn.tensor(x)).detach().numpy())


def test_hooks_modify_and_remove():
    model = nn.Linear(2, 2)
    calls = []
    pre = model.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    post = model.register_forward_hook(lambda m, args, out: calls.append(out.shape) or out + 1)
    out = model(dn.ones(3, 2))
    np.testing.assert_allclose(out.detach().numpy(), np.broadcast_to(model.bias.data + 1, (3, 2)))
    assert calls == [(3, 2)]
    pre.remove()
    post.remove()
    out = model(dn.ones(3, 2))
    np.testing.assert_allclose(out.detach().numpy(),
                               np.ones((3, 2)) @ model.weight.data.T + model.bias.data, rtol=1e-6)
    assert calls == [(3, 2)]
    with model.register_forward_hook(lambda m, a, o: o * 0):
        assert not model(dn.ones(1, 2)).detach().numpy().any()
    assert model(dn.ones(1, 2)).detach().numpy().any()


def test_train_eval_propagate_and_change_behaviour():
    d = build(dn)
    assert all(m.training for m in d.modules())
    assert d.eval() is d
    assert not any(m.training for m in d.modules())
    d.train()
    assert all(m.training for m in d.modules())
    d.blocks.train(False)
    assert d.training and not d.blocks[1].norm.training
    with pytest.raises(ValueError, match="boolean"):
        d.train("no")
    drop = nn.Sequential(nn.Dropout(0.5))
    x = dn.ones(20, 20)
    assert (drop(x).numpy() == 0).any()
    drop.eval()
    assert np.array_equal(drop(x).numpy(), x.numpy())


def test_zero_grad_requires_grad_and_apply():
    model = nn.Sequential(nn.Linear(3, 2), nn.Tanh(), nn.Linear(2, 1))
    model(dn.ones(4, 3)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.any() for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    model[0].requires_grad_(False)
    model(dn.ones(4, 3)).sum().backward()
    assert model[0].weight.grad is None and model[2].weight.grad is not None
    seen = []
    model.apply(lambda m: seen.append(type(m).__name__))
    tseen = []
    torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1)).apply(
        lambda m: tseen.append(type(m).__name__))
    assert seen == tseen


def test_dtype_conversion_keeps_parameters_and_integer_buffers():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    w = model[0].weight
    assert model.double() is model
    assert model[0].weight is w and w.dtype == np.float64
    assert model[1].running_mean.dtype == np.float64
    assert model[1].num_batches_tracked.dtype == np.int64
    model.to(dn.float32)
    assert w.dtype == np.float32
    assert model.to("cpu") is model
    assert model.to("cpu", dtype=dn.float64)[0].bias.dtype == np.float64
    with pytest.raises(ValueError, match="CPU"):
        model.to("cuda")
    with pytest.raises(TypeError):
        model.to(dn.int64)


def test_plain_lists_and_dicts_of_modules_are_registered():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = [nn.Linear(2, 2) for _ in range(3)]
            self.heads = {"x": nn.Linear(2, 1)}
            self.sizes = [2, 2]  # not modules: left alone

    net = Net()
    assert isinstance(net.layers, nn.ModuleList) and isinstance(net.heads, nn.ModuleDict)
    assert net.sizes == [2, 2]
    layer_keys = [f"layers.{i}.{p}" for i in range(3) for p in ("weight", "bias")]
    assert list(net.state_dict()) == layer_keys + ["heads.x.weight", "heads.x.bias"]
    net.layers.append(nn.Linear(2, 2))
    assert len(list(net.parameters())) == 10


def test_sequential_container_operations():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    seq = nn.Sequential(OrderedDict([("fc1", a), ("act", b), ("fc2", c)]))
    assert list(seq.state_dict()) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert seq[0] is a and seq[-1] is c and len(seq) == 3 and list(seq) == [a, b, c]
    head = seq[:2]
    assert isinstance(head, nn.Sequential) and list(head._modules) == ["fc1", "act"]
    with pytest.raises(OutOfRangeError):
        seq[3]
    s2 = nn.Sequential(a, b)
    s2.append(c)
    assert s2(dn.ones(4, 2)).shape == (4, 1)
    del s2[1]
    assert list(s2._modules) == ["0", "1"] and s2[1] is c
    s2.insert(1, b)
    assert list(s2) == [a, b, c]
    s2[1] = nn.Tanh()
    assert isinstance(s2[1], nn.Tanh)


def test_module_list_and_dict_operations():
    ml = nn.ModuleList([nn.Linear(1, 1)])
    ml += [nn.ReLU()]
    ml.extend([nn.Tanh()])
    assert len(ml) == 3 and isinstance(ml[-1], nn.Tanh)
    assert isinstance(ml[1:], nn.ModuleList) and len(ml[1:]) == 2
    assert len(ml + nn.ModuleList([nn.ReLU()])) == 4
    with pytest.raises(NotImplementedError, match="forward"):
        ml(dn.ones(1))
    md = nn.ModuleDict({"a": nn.ReLU()})
    md["b"] = nn.Tanh()
    md.update([("c", nn.Sigmoid())])
    assert list(md) == ["a", "b", "c"] and "b" in md and len(md) == 3
    assert isinstance(md.pop("a"), nn.ReLU) and list(md.keys()) == ["b", "c"]


def test_registration_rules_and_errors():
    m = nn.Module()
    m.register_buffer("stat", dn.zeros(2))
    m.stat = dn.ones(2)  # assigning a tensor to a buffer's name updates the buffer
    assert list(m.state_dict()) == ["stat"] and m.stat.numpy().tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="buffer"):
        m.register_buffer("x", np.zeros(2))
    with pytest.raises(KeyError, match='"\\."'):
        m.register_buffer("a.b", dn.zeros(1))
    with pytest.raises(KeyError, match="already exists"):
        m.register_parameter("training", nn.Parameter(dn.zeros(1)))
    m.w = nn.Parameter(dn.zeros(1))
    m.v = nn.Parameter(dn.zeros(1))
    m.w = nn.Parameter(dn.ones(1))  # replacing keeps the registration order, as in torch
    assert [n for n, _ in m.named_parameters()] == ["w", "v"]
    del m.v
    with pytest.raises(TypeError, match="parameter 'w'"):
        m.w = dn.zeros(1)
    m.w = None
    assert list(m.named_parameters()) == []
    m.child = nn.Linear(1, 1)
    assert m.get_submodule("child") is m.child
    with pytest.raises(AttributeError, match="nope"):
        m.get_submodule("child.nope")
    del m.child
    assert list(m.children()) == []
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'missing'"):
        _ = m.missing
    with pytest.raises(NotImplementedError, match="forward"):
        m(dn.ones(1))

    class Forgot(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Forgot()
