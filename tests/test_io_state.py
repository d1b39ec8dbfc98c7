"""deepnum.save / deepnum.load: nested state round trips exactly, names are unambiguous, and
anything that is not data is refused (on save with a TypeError naming where, on load with a
FormatError) — without ever unpickling or evaluating."""

from __future__ import annotations

import builtins
import json
import math
import pickle
import re
import shutil
import tempfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import deepnum as dn
from deepnum.errors import FormatError, NotFoundError
from deepnum.io import read_file, write_file


def assert_same(a, b, where="obj"):
    """Equal values of exactly the same types, recursively; arrays bit for bit."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} came back as {type(b).__name__}"
    if isinstance(a, dn.Tensor):
        assert a.requires_grad == b.requires_grad, where
        a, b = a.data, b.data
    if isinstance(a, np.ndarray | np.generic):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert a.tobytes() == b.tobytes(), where
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            assert type(k) is type(next(x for x in b if x == k)), f"{where}: key {k!r}"
            assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b), where
    else:
        assert a == b and str(a) == str(b), where  # str: -0.0 stays -0.0


def round_trip(obj, tmp_path):
    dn.save(obj, tmp_path / "obj.dnm")
    return dn.load(tmp_path / "obj.dnm")


@pytest.mark.parametrize("obj", [
    None, True, 0, -(2**130), 2.5, -0.0, float("nan"), float("inf"), "", "text ✓",
    [], (), {}, [1, [2, (3, {"a": None})]], (None,), {"nan": [float("-inf"), float("nan")]},
    np.float32(1.5), np.int64(-7), np.bool_(True), np.uint8(255), np.float16(0.1),
    np.ones((0, 3)), np.arange(6, dtype=np.int16).reshape(2, 3).T, np.array(3.0),
], ids=repr)
def test_round_trip_values(tmp_path, obj):
    assert_same(obj, round_trip(obj, tmp_path))


def test_checkpoint_round_trip(tmp_path):
    """A model state, a PyTorch-style optimizer state (int keys), epoch, history and RNG."""
    dn.manual_seed(3)
    dn.random.generator("shuffle").random(7)  # advance a stream: its state is mid-way
    weight = dn.nn.Parameter(dn.randn(4, 3))
    frozen = dn.nn.Parameter(dn.randn(3), requires_grad=False)
    ckpt = {
        "model": OrderedDict([("fc1.weight", weight), ("fc1.bias", frozen),
                              ("bn.num_batches", dn.tensor(5))]),
        "optimizer": {"state": {0: {"step": dn.tensor(3.0), "exp_avg": np.zeros((4, 3))},
                                1: {"step": dn.tensor(3.0), "exp_avg": np.ones(3)}},
                      "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "params": [0, 1]}]},
        "epoch": 3, "history": {"loss": [0.5, float("nan")]},
        "rng": dn.get_rng_state(), "numpy_rng": np.random.PCG64(9).state,
    }
    got = round_trip(ckpt, tmp_path)
    assert type(got["model"]) is dict
    ckpt["model"] = dict(ckpt["model"])
    assert_same(ckpt, got)
    assert type(got["model"]["fc1.weight"]) is dn.nn.Parameter
    assert got["model"]["fc1.weight"].requires_grad and not got["model"]["fc1.bias"].requires_grad
    assert type(got["model"]["bn.num_batches"]) is dn.Tensor
    assert list(got["optimizer"]["state"]) == [0, 1]
    expected = dn.random.generator("shuffle").random(3)
    dn.manual_seed(0)
    dn.set_rng_state(got["rng"])  # resuming continues the stream exactly
    np.testing.assert_array_equal(dn.random.generator("shuffle").random(3), expected)
    names = set(read_file(tmp_path / "obj.dnm")[0])
    assert {"model.fc1\\.weight", "optimizer.state.#0.exp_avg", "optimizer.state.#1.step"} <= names


def _train(model, opt, steps):
    for _ in range(steps):
        opt.zero_grad()
        loss = (dn.nn.functional.dropout(model(dn.randn(8, 4)), 0.5, training=True) ** 2).mean()
        loss.backward()
        opt.step()


def _model_and_optimizer():
    model = dn.nn.Sequential(dn.nn.Linear(4, 5), dn.nn.Tanh(), dn.nn.Linear(5, 2))
    return model, dn.optim.Adam(model.parameters(), lr=0.01)


def test_resume_from_checkpoint_is_bit_identical(tmp_path):
    """Save mid-training, keep going; then load into fresh objects and redo: same weights."""
    dn.manual_seed(7)
    model, opt = _model_and_optimizer()
    _train(model, opt, 3)
    dn.save({"model": model.state_dict(), "optimizer": opt.state_dict(),
             "rng": dn.get_rng_state()}, tmp_path / "ckpt.dnm")
    _train(model, opt, 3)
    dn.manual_seed(99)  # a different process state: everything must come from the file
    ckpt = dn.load(tmp_path / "ckpt.dnm")
    fresh, fresh_opt = _model_and_optimizer()
    fresh.load_state_dict(ckpt["model"])
    fresh_opt.load_state_dict(ckpt["optimizer"])
    dn.set_rng_state(ckpt["rng"])
    _train(fresh, fresh_opt, 3)
    for (name, a), b in zip(model.state_dict().items(), fresh.state_dict().values(), strict=True):
        assert np.asarray(a.data).tobytes() == np.asarray(b.data).tobytes(), name


def test_torch_optimizer_state_dict_structure(tmp_path):
    """A real torch.optim.Adam state_dict, tensors turned into arrays, keeps its shape."""
    w = torch.nn.Parameter(torch.randn(3, 2))
    opt = torch.optim.Adam([w], lr=0.01)
    w.sum().backward()
    opt.step()
    sd = opt.state_dict()
    converted = {"state": {k: {n: v.numpy() for n, v in s.items()} for k, s in sd["state"].items()},
                 "param_groups": sd["param_groups"]}
    got = round_trip(converted, tmp_path)
    assert_same(converted, got)
    assert list(got["state"]) == [0] and got["param_groups"][0]["params"] == [0]


def test_tensors_and_arrays_stay_what_they_were(tmp_path):
    obj = {"t": dn.tensor([1, 2]), "a": np.array([1, 2]), "f": dn.zeros(2, requires_grad=True)}
    got = round_trip(obj, tmp_path)
    assert type(got["t"]) is dn.Tensor and got["t"].dtype == np.int64
    assert type(got["a"]) is np.ndarray and got["a"].flags.writeable
    assert got["f"].requires_grad and got["f"].is_leaf
    assert_same(obj, got)


def test_shared_objects_stored_once_and_kept_shared(tmp_path):
    w = dn.nn.Parameter(dn.ones(2, 2))
    a = np.arange(3)
    got = round_trip({"enc": w, "dec": w, "x": [a, a], "y": dn.tensor(w.data)}, tmp_path)
    assert got["enc"] is got["dec"] and got["x"][0] is got["x"][1]
    assert got["y"] is not got["enc"]
    assert sorted(read_file(tmp_path / "obj.dnm")[0]) == ["enc", "x.0", "y"]


def test_names_are_unambiguous(tmp_path):
    """Keys that would collide under naive joining get distinct, escaped names."""
    keys = ["a.b", "a", "#0", 0, "0", "\\", "\\.", ".", "", "__metadata__", "\ud800", -1]
    obj = {k: np.array([i]) for i, k in enumerate(keys)}
    obj["a"] = {"b": np.array([100])}  # path a -> b vs key "a.b"
    got = round_trip(obj, tmp_path)
    assert_same(obj, got)
    names = list(read_file(tmp_path / "obj.dnm")[0])
    assert len(names) == len(set(names)) == len(keys)
    assert {"a\\.b", "a.b", "\\#0", "#0", "0", "\\\\", "\\\\\\.", "\\.", "",
            "\\__metadata__", "\\ud800", "#-1"} == set(names)


def test_deep_nesting_round_trips(tmp_path):
    obj = {"leaf": np.ones(1)}
    for i in range(150):
        obj = {f"k{i}": [obj]}
    assert_same(obj, round_trip(obj, tmp_path))


@pytest.mark.parametrize(("obj", "where", "what"), [
    ({"model": {"act": print}}, r"obj\['model'\]\['act'\]", "builtin_function_or_method"),
    ([1, (2, object())], r"obj\[1\]\[1\]", "object"),
    ({"s": {1, 2}}, r"obj\['s'\]", "set"),
    ({"b": b"bytes"}, r"obj\['b'\]", "bytes"),
    ({"x": {1.5: 2}}, r"obj\['x'\]", "keys must be str or int, found float 1.5"),
    ({True: 1}, r"obj\b", "keys must be str or int, found bool"),
    ({"o": np.array([None])}, r"obj\['o'\]", "dtype object"),
    ({"c": np.complex64(1j)}, r"obj\['c'\]", "complex64"),
    ({"m": torch.zeros(2)}, r"obj\['m'\]", "Tensor"),
    (lambda: 0, r"obj;", "function"),
])
def test_unsupported_objects_name_their_path(tmp_path, obj, where, what):
    with pytest.raises(TypeError, match=what) as info:
        dn.save(obj, tmp_path / "x.dnm")
    assert re.search(where, str(info.value)), str(info.value)
    assert not list(tmp_path.iterdir())  # nothing written


def test_cycles_are_refused(tmp_path):
    a = {"x": []}
    a["x"].append(a)
    with pytest.raises(ValueError, match=r"contains itself at obj\['x'\]\[0\]"):
        dn.save(a, tmp_path / "x.dnm")


def test_failed_save_keeps_old_file(tmp_path):
    dn.save({"v": 1}, tmp_path / "x.dnm")
    with pytest.raises(TypeError):
        dn.save({"v": 2, "bad": print}, tmp_path / "x.dnm")
    assert dn.load(tmp_path / "x.dnm") == {"v": 1}


def test_missing_file(tmp_path):
    with pytest.raises(NotFoundError, match="no deepnum file at .*absent.dnm"):
        dn.load(tmp_path / "absent.dnm")


def _hostile(tmp_path, tree, tensors=None, meta=None):
    path = tmp_path / "h.dnm"
    write_file(path, tensors or {"w": np.ones(2, np.float32), "i": np.arange(2)},
               {"object": tree} if meta is None else meta)
    return dn.load(path)


@pytest.mark.parametrize(("tree", "match"), [
    ({"pickle": "cos\nsystem"}, "unrecognised node"),
    ({"dict": [["a", 1, 2]]}, r"dict entry must be \[str or int key, value\]"),
    ({"dict": [[True, 1]]}, "dict entry must be"),
    ({"dict": [[1.5, 1]]}, "dict entry must be"),
    ({"dict": {"a": 1}}, "unrecognised node"),
    ({"tuple": [1], "x": 2}, "unrecognised node"),
    ({"float": "1e400"}, "unrecognised node"),
    ([{"tensor": "nope"}], r"obj\[0\] refers to tensor 'nope', which the file does not hold"),
    ({"array": 3}, "refers to tensor 3"),
    ({"scalar": "w"}, r"scalar 'w' has shape \(2,\)"),
    ({"tensor": "w", "requires_grad": False}, "malformed tensor reference"),
    ({"tensor": "w", "eval": True}, "malformed tensor reference"),
    ({"array": "w", "x": 1}, "malformed array reference"),
    ({"tensor": "i", "requires_grad": True}, "dtype int64 cannot require grad"),
    ({"dict": [["a", {"tuple": [{"bad": 1}]}]]}, r"obj\['a'\]\[0\]: unrecognised node"),
])
def test_hostile_trees_raise_format_error(tmp_path, tree, match):
    with pytest.raises(FormatError, match=match):
        _hostile(tmp_path, tree)


def test_model_files_without_object_are_refused(tmp_path):
    with pytest.raises(FormatError, match=r"not a saved object .*found \['config'\]"):
        _hostile(tmp_path, None, meta={"config": {}})
    with pytest.raises(FormatError, match="found list"):
        _hostile(tmp_path, None, meta=[1])


@pytest.mark.parametrize("depth", [900, 100_000])
def test_too_deep_file_is_a_format_error(tmp_path, depth):
    text = '{"object": ' + "[" * depth + "]" * depth + "}"
    meta = {"format": "deepnum", "version": "1", "meta": text}
    header = json.dumps({"__metadata__": meta}).encode()
    path = tmp_path / "deep.dnm"
    path.write_bytes(len(header).to_bytes(8, "little") + header)
    with pytest.raises(FormatError, match="too deeply|not valid JSON .RecursionError"):
        dn.load(path)


def test_loading_never_unpickles_or_evaluates(tmp_path, monkeypatch):
    obj = {"w": dn.ones(3), "s": {0: [np.float64(1), "x"]}, "n": float("nan")}
    dn.save(obj, tmp_path / "x.dnm")

    def forbidden(*args, **kwargs):
        raise AssertionError("loading called pickle/eval/exec")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, forbidden)
    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    got = dn.load(tmp_path / "x.dnm")
    monkeypatch.undo()
    assert_same(obj, got)


ARRAYS = st.builds(
    lambda dtype, shape, seed: np.random.default_rng(seed).integers(0, 100, shape).astype(dtype),
    st.sampled_from(["float16", "float32", "float64", "int8", "int32", "int64", "uint8", "bool"]),
    st.lists(st.integers(0, 3), max_size=3).map(tuple), st.integers(0, 2**32 - 1))
LEAVES = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6)
          | ARRAYS | ARRAYS.map(dn.tensor) | ARRAYS.map(lambda a: a[()] if a.ndim == 0 else a))
OBJECTS = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.lists(inner, max_size=3).map(tuple)
    | st.dictionaries(st.text(max_size=6) | st.integers(-5, 5), inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(OBJECTS)
def test_random_objects_round_trip(obj):
    directory = Path(tempfile.mkdtemp())
    dn.save(obj, directory / "obj.dnm")
    assert_same(obj, dn.load(directory / "obj.dnm"))
    shutil.rmtree(directory)
