"""Shape ops (``deepnum.ops.shape``, ``deepnum.tensor_shape``): reshape/view, transpose/
permute/.T, squeeze/unsqueeze/expand_dims, flatten, broadcast_to/expand, indexing, setitem,
cat/stack/split/chunk, pad, clone and dtype casts; against NumPy, finite differences, PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F  # noqa: N812 - the usual name
from conftest import Arg, check_op

import deepnum as dn
from deepnum.errors import ShapeError

# name: (fn(lib, x), input shape, NumPy reference)
SHAPE_OPS = {
    "reshape": (lambda m, x: x.reshape(4, 6), (2, 3, 4), lambda a: a.reshape(4, 6)),
    "reshape_tuple_infer": (lambda m, x: x.reshape((3, -1)), (2, 3, 4), lambda a: a.reshape(3, -1)),
    "reshape_fn": (lambda m, x: m.reshape(x, (6, 4)), (2, 3, 4), lambda a: a.reshape(6, 4)),
    "reshape_scalar": (lambda m, x: x.reshape(1, 1), (), lambda a: a.reshape(1, 1)),
    "view": (lambda m, x: x.view(12, 2), (2, 3, 4), lambda a: a.reshape(12, 2)),
    "transpose_01": (lambda m, x: x.transpose(0, 1), (3, 4), lambda a: a.T),
    "transpose_neg": (lambda m, x: m.transpose(x, -1, 0), (2, 3, 4), lambda a: a.swapaxes(-1, 0)),
    "permute": (lambda m, x: x.permute(2, 0, 1), (2, 3, 4), lambda a: a.transpose(2, 0, 1)),
    "permute_tuple": (lambda m, x: x.permute((1, 2, 0)), (2, 3, 4), lambda a: a.transpose(1, 2, 0)),
    "T": (lambda m, x: x.T, (3, 4), lambda a: a.T),
    "T_vector": (lambda m, x: x.T if m is dn else x, (5,), lambda a: a),
    "squeeze": (lambda m, x: x.squeeze(), (3, 1, 4, 1), lambda a: a.squeeze()),
    "squeeze_dim": (lambda m, x: x.squeeze(1), (3, 1, 4, 1), lambda a: a.squeeze(1)),
    "squeeze_neg": (lambda m, x: m.squeeze(x, -1), (3, 1, 4, 1), lambda a: a.squeeze(-1)),
    "squeeze_not_one": (lambda m, x: x.squeeze(0), (3, 1, 4), lambda a: a),
    "unsqueeze": (lambda m, x: x.unsqueeze(1), (3, 4), lambda a: a[:, None]),
    "unsqueeze_neg": (lambda m, x: m.unsqueeze(x, -1), (3, 4), lambda a: a[..., None]),
    "unsqueeze_scalar": (lambda m, x: x.unsqueeze(0), (), lambda a: a[None]),
    "flatten": (lambda m, x: x.flatten(), (2, 3, 4), lambda a: a.reshape(-1)),
    "flatten_from_1": (lambda m, x: m.flatten(x, 1), (2, 3, 4), lambda a: a.reshape(2, -1)),
    "flatten_0_1": (lambda m, x: x.flatten(0, 1), (2, 3, 4), lambda a: a.reshape(6, 4)),
    "flatten_scalar": (lambda m, x: x.flatten(), (), lambda a: a.reshape(1)),
    "expand": (lambda m, x: x.expand(2, 3, 4), (3, 1), lambda a: np.broadcast_to(a, (2, 3, 4))),
    "expand_keep": (lambda m, x: x.expand(-1, 5), (3, 1), lambda a: np.broadcast_to(a, (3, 5))),
    "broadcast_to": (lambda m, x: m.broadcast_to(x, (2, 3)), (),
                     lambda a: np.broadcast_to(a, (2, 3))),
    "clone": (lambda m, x: x.clone(), (3, 4), lambda a: a.copy()),
    # indexing: basic, advanced with repeats, masks, tensors as indices
    "index_int": (lambda m, x: x[1], (3, 4), lambda a: a[1]),
    "index_neg": (lambda m, x: x[-1, 2], (3, 4), lambda a: a[-1, 2]),
    "index_slice": (lambda m, x: x[1:, ::2], (3, 4), lambda a: a[1:, ::2]),
    "index_none_ellipsis": (lambda m, x: x[None, ..., 1], (2, 3, 4), lambda a: a[None, ..., 1]),
    "index_list_repeats": (lambda m, x: x[[0, 2, 0, 0]], (3, 4), lambda a: a[[0, 2, 0, 0]]),
    "index_tensor_repeats": (lambda m, x: x[m.tensor([1, 1, 0])], (3, 4), lambda a: a[[1, 1, 0]]),
    "index_pairs": (lambda m, x: x[m.tensor([0, 2, 0]), m.tensor([1, 1, 1])], (3, 4),
                    lambda a: a[[0, 2, 0], [1, 1, 1]]),
    "index_mixed": (lambda m, x: x[1:, m.tensor([3, 0, 3])], (3, 4), lambda a: a[1:, [3, 0, 3]]),
    "index_mask": (lambda m, x: x[x > 0], (3, 4), lambda a: a[a > 0]),
    "index_mask_rows": (lambda m, x: x[m.tensor([True, False, True])], (3, 4),
                        lambda a: a[[True, False, True]]),
    "index_mask_and_slice": (lambda m, x: x[m.tensor([True, False, True]), 1:], (3, 4),
                             lambda a: a[[True, False, True], 1:]),
    "index_scalar_tensor": (lambda m, x: x[m.tensor(2)], (3, 4), lambda a: a[2]),
    # split/chunk with PyTorch's semantics: pieces of split_size, or the sizes listed
    "split_size": (lambda m, x: x.split(2, dim=1), (3, 5),
                   lambda a: (a[:, :2], a[:, 2:4], a[:, 4:])),
    "split_sizes": (lambda m, x: m.split(x, [1, 3, 1], 1), (3, 5),
                    lambda a: (a[:, :1], a[:, 1:4], a[:, 4:])),
    "split_dim0": (lambda m, x: x.split(2), (5, 2), lambda a: (a[:2], a[2:4], a[4:])),
    "chunk": (lambda m, x: x.chunk(3, dim=-1), (2, 5), lambda a: (a[:, :2], a[:, 2:4], a[:, 4:])),
    "chunk_uneven": (lambda m, x: m.chunk(x, 4), (6,), lambda a: (a[:2], a[2:4], a[4:])),
}


@pytest.mark.parametrize("name", list(SHAPE_OPS))
def test_shape_op(name):
    fn, shape, ref = SHAPE_OPS[name]
    check_op(fn, [Arg(shape, "nonzero")], np_fn=ref)


def test_expand_dims_is_unsqueeze():
    check_op(lambda m, x: dn.expand_dims(x, 1) if m is dn else x.unsqueeze(1), [Arg((3, 4))],
             np_fn=lambda a: np.expand_dims(a, 1))


def test_transpose_numpy_style_reverses_or_permutes():
    a = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(dn.transpose(dn.tensor(a)).numpy(), a.transpose())
    np.testing.assert_array_equal(dn.transpose(dn.tensor(a), (2, 0, 1)).numpy(),
                                  a.transpose(2, 0, 1))
    check_op(lambda m, x: x.T if m is dn else x.permute(2, 1, 0), [Arg((2, 3, 4))],
             np_fn=lambda a: a.T)


JOIN_SHAPES = [((2, 3), (2, 3), 0), ((2, 3), (2, 3), 1), ((2, 3), (2, 3), -1), ((4,), (4,), 0),
               ((2, 3, 4), (2, 3, 4), 2)]


@pytest.mark.parametrize("case", JOIN_SHAPES, ids=str)
@pytest.mark.parametrize("name", ["cat", "concatenate", "stack"])
def test_join(name, case):
    sa, sb, dim = case
    if name == "cat" and len(sa) > 0:
        # along the joined axis the sizes may differ
        sb = tuple(n + (1 if i == dim % len(sa) else 0) for i, n in enumerate(sb))
    torch_name = "cat" if name == "concatenate" else name
    ref = np.stack if name == "stack" else np.concatenate
    check_op(lambda m, a, b: getattr(m, name if m is dn else torch_name)([a, b], dim),
             [Arg(sa), Arg(sb)], np_fn=lambda a, b: ref([a, b], axis=dim))


def test_cat_of_three_with_one_constant_and_axis_keyword():
    c = np.ones((1, 3))
    check_op(lambda m, a, b: m.cat([a, m.tensor(c, dtype=a.dtype), b], 0),
             [Arg((2, 3)), Arg((1, 3))],
             np_fn=lambda a, b: np.concatenate([a, c, b]))
    assert dn.cat([dn.ones(2, 1), dn.zeros(2, 2)], axis=1).shape == (2, 3)
    assert dn.stack([dn.ones(2), dn.zeros(2)], axis=1).shape == (2, 2)


PAD_CASES = [
    ((2, 3), ((1, 2), (0, 1)), "constant"),
    ((2, 3), 1, "constant"),
    ((2, 4), ((0, 0), (2, 1)), "reflect"),
    ((2, 4), ((1, 1), (1, 2)), "edge"),
    ((2, 4), ((1, 0), (2, 2)), "symmetric"),
    ((2, 4), ((1, 1), (3, 2)), "wrap"),
    ((5,), (2, 3), "reflect"),
]
# torch.nn.functional.pad spells modes and widths differently and supports the non-constant
# modes on the last axes of batched input only; these cases have a torch equivalent.
TORCH_PAD = {"constant": "constant", "reflect": "reflect", "edge": "replicate", "wrap": "circular"}


@pytest.mark.parametrize("case", PAD_CASES, ids=str)
def test_pad(case):
    shape, widths, mode = case
    w = np.broadcast_to(np.asarray(widths), (len(shape), 2))
    torch_fn = None
    if mode in TORCH_PAD and (mode == "constant" or (w[:-1] == 0).all()):
        flat = [int(v) for pair in w[::-1] for v in pair]

        def torch_fn(x):
            x3 = x.reshape((1,) * (3 - x.ndim) + tuple(x.shape)) if mode != "constant" else x
            out = F.pad(x3, flat if mode == "constant" else flat[:2], mode=TORCH_PAD[mode])
            return out.reshape(out.shape[3 - x.ndim:]) if mode != "constant" else out

    def fn(m, x):
        return dn.pad(x, widths, mode)

    def ref(a):
        return np.pad(a, widths, mode=mode)

    check_op(fn, [Arg(shape)], np_fn=ref, torch_fn=torch_fn, against_torch=torch_fn is not None)


def test_pad_constant_value_and_errors():
    out = dn.pad(dn.ones(2), (1, 1), constant_values=5.0)
    assert out.tolist() == [5.0, 1.0, 1.0, 5.0]
    with pytest.raises(dn.errors.UnknownNameError, match="did you mean 'reflect'"):
        dn.pad(dn.ones(2), 1, mode="reflct")
    with pytest.raises(ValueError, match="widths must be non-negative"):
        dn.pad(dn.ones(2), -1)


# ----- dtype casts keep the graph: the gradient is cast back --------------------------------
@pytest.mark.parametrize("src,dst", [(np.float64, np.float32), (np.float32, np.float64)])
@pytest.mark.parametrize("method", ["astype", "to"])
def test_cast_gradient_is_cast_back(src, dst, method):
    x = dn.tensor([1.5, -2.0, 3.25], dtype=src, requires_grad=True)
    y = getattr(x, method)(dst)
    assert y.dtype == dst and y.requires_grad and not y.is_leaf
    (y * y).sum().backward()
    assert x.grad.dtype == src
    np.testing.assert_allclose(x.grad, 2 * x.detach().numpy(), rtol=1e-6)
    tdt = {np.float64: torch.float64, np.float32: torch.float32}
    xt = torch.tensor([1.5, -2.0, 3.25], dtype=tdt[src], requires_grad=True)
    yt = xt.to(tdt[dst])
    (yt * yt).sum().backward()
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-6)


def test_cast_methods_and_same_dtype():
    x = dn.tensor([1.7, -2.2], requires_grad=True)
    assert x.to(dn.float32) is x and x.float() is x
    assert x.double().dtype == np.float64 and x.to(dtype=dn.float64).dtype == np.float64
    assert x.to("cpu") is x and x.to(dn.zeros(1, dtype=dn.float64)).dtype == np.float64
    as_int = x.long()
    assert as_int.dtype == np.int64 and not as_int.requires_grad
    assert as_int.tolist() == torch.tensor([1.7, -2.2]).long().tolist()
    with pytest.raises(ValueError, match="CPU only, got device 'cuda'"):
        x.to("cuda")


# ----- indexing errors and assignment -------------------------------------------------------
def test_index_out_of_range_is_a_deepnum_error_naming_the_shape():
    x = dn.ones(3, 4)
    for index in [5, (0, 4), [0, 3], dn.tensor([7])]:
        with pytest.raises(dn.errors.OutOfRangeError, match=r"getitem: .* shape \(3, 4\)\)"):
            x[index]
    with pytest.raises(IndexError):  # also the built-in class a Python user expects
        x[3]


def test_setitem_on_tensors_outside_the_graph():
    x = dn.zeros(3, 4)
    x[0] = 1.0
    x[1, 1:3] = dn.tensor([2.0, 3.0])
    x[x > 2.5] = -1.0
    x[dn.tensor([2, 2])] = 7
    want = torch.zeros(3, 4)
    want[0] = 1.0
    want[1, 1:3] = torch.tensor([2.0, 3.0])
    want[want > 2.5] = -1.0
    want[torch.tensor([2, 2])] = 7
    np.testing.assert_array_equal(x.numpy(), want.numpy())
    assert x.dtype == np.float32


def test_setitem_refused_when_grad_is_required_and_allowed_under_no_grad():
    w = dn.ones(3, requires_grad=True)
    with pytest.raises(dn.errors.GradientError, match="in-place assignment into a tensor that"):
        w[0] = 5.0
    x = dn.zeros(3)
    with pytest.raises(dn.errors.GradientError, match="no_grad"):
        x[0] = w[1]  # a value in the graph would be cut silently
    with dn.no_grad():
        w[0] = 5.0
    assert w.tolist() == [5.0, 1.0, 1.0] and w.requires_grad and w.is_leaf


def test_setitem_errors_name_the_shape():
    x = dn.zeros(3, 4)
    with pytest.raises(dn.errors.OutOfRangeError, match=r"setitem: .*\(3, 4\)"):
        x[5] = 1.0
    with pytest.raises(dn.errors.ShapeError, match=r"setitem: .*\(3, 4\)"):
        x[0] = dn.ones(3)


# ----- shape errors --------------------------------------------------------------------------
def test_shape_errors_name_sizes_and_shapes():
    x = dn.ones(2, 3)
    with pytest.raises(ShapeError, match=r"reshape: .* \(2, 3\) \(6 elements\) into \(4, 2\)"):
        x.reshape(4, 2)
    with pytest.raises(ShapeError, match=r"broadcast_to: .* shape \(2, 3\) to \(4, 3\)"):
        x.expand(4, 3)
    with pytest.raises(dn.errors.ShapeError, match=r"permute: \(0, 0\) is not a permutation"):
        x.permute(0, 0)
    with pytest.raises(ShapeError, match="transpose: axis 2 is out of range for a tensor of rank"):
        x.transpose(0, 2)
    with pytest.raises(dn.errors.ShapeError, match=r"cat: tensor 1 has shape \(2, 4\)"):
        dn.cat([x, dn.ones(2, 4)], dim=0)
    with pytest.raises(dn.errors.ShapeError, match=r"stack: all tensors need the same shape"):
        dn.stack([x, dn.ones(3, 2)])
    with pytest.raises(ShapeError, match=r"split: sizes \[1, 1\] add up to 2, but axis 1 has 3"):
        x.split([1, 1], dim=1)
    with pytest.raises(dn.errors.ShapeError, match="flatten: start_dim 1 comes after end_dim 0"):
        x.flatten(1, 0)
