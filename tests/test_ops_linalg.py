"""Matrix products (``deepnum.ops.linalg``): matmul/dot for 1-D, 2-D, batched N-D with
broadcast batch axes and 1-D·N-D, against NumPy, finite differences and PyTorch; the shape
error; and the collapse of a network without non-linearities to one affine map."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import Arg, check_op

import deepnum as dn

MATMUL_SHAPES = [
    ((4,), (4,)),
    ((3, 4), (4, 2)),
    ((4,), (4, 2)),
    ((3, 4), (4,)),
    ((2, 3, 4), (4, 5)),
    ((3, 4), (2, 4, 5)),
    ((2, 3, 4), (2, 4, 5)),
    ((2, 1, 3, 4), (5, 4, 2)),
    ((4,), (2, 4, 3)),
    ((2, 3, 4), (4,)),
]

PRODUCTS = {
    "operator": lambda m, a, b: a @ b,
    "matmul": lambda m, a, b: m.matmul(a, b),
    "method": lambda m, a, b: a.matmul(b),
}


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
@pytest.mark.parametrize("name", list(PRODUCTS))
def test_matmul(name, shapes):
    check_op(PRODUCTS[name], [Arg(shapes[0]), Arg(shapes[1])], np_fn=np.matmul)


def test_dot_of_vectors_and_mm_of_matrices():
    check_op(lambda m, a, b: m.dot(a, b), [Arg((5,)), Arg((5,))], np_fn=np.dot)
    check_op(lambda m, a, b: m.mm(a, b), [Arg((3, 4)), Arg((4, 2))], np_fn=np.dot)
    check_op(lambda m, a, b: a.mm(b), [Arg((3, 4)), Arg((4, 2))], np_fn=np.dot)


def test_matmul_with_a_constant_operand():
    w = np.random.default_rng(3).standard_normal((4, 2))
    check_op(lambda m, x: x @ m.tensor(w, dtype=x.dtype), [Arg((3, 4))], np_fn=lambda a: a @ w)
    check_op(lambda m, x: m.tensor(w.T, dtype=x.dtype) @ x, [Arg((4, 3))], np_fn=lambda a: w.T @ a)


def test_rmatmul_with_a_numpy_array():
    w = np.arange(8.0).reshape(2, 4)
    x = dn.ones(4, 3, dtype=dn.float64, requires_grad=True)
    out = w @ x
    assert isinstance(out, dn.Tensor) and out.shape == (2, 3)
    out.sum().backward()
    np.testing.assert_allclose(x.grad, np.tile(w.sum(axis=0)[:, None], (1, 3)))


def test_matmul_shape_error_message_is_exact():
    with pytest.raises(dn.errors.ShapeError) as err:
        dn.ones(3, 4) @ dn.ones(5, 2)
    assert str(err.value) == "matmul: (3, 4) @ (5, 2): inner dimensions 4 and 5 differ"
    with pytest.raises(dn.errors.ShapeError, match=r"matmul: \(3,\) @ \(4,\): inner dim"):
        dn.matmul(dn.ones(3), dn.ones(4))
    with pytest.raises(dn.errors.ShapeError, match=r"matmul: shapes \(2, 3, 4\) and \(5, 4, 2\)"):
        dn.ones(2, 3, 4) @ dn.ones(5, 4, 2)
    with pytest.raises(dn.errors.ShapeError, match="at least one dimension"):
        dn.matmul(dn.tensor(2.0), dn.ones(2))


# ----- a network without non-linear activations is one affine map -------------------------------
def test_linear_network_collapses_to_one_affine_map():
    """y = W3(W2(W1 x + b1) + b2) + b3 equals W x + b with W = W3 W2 W1 and
    b = W3 W2 b1 + W3 b2 + b3, for any input, and W has rank at most the narrowest width."""
    rng = np.random.default_rng(7)
    widths = [6, 8, 2, 5]  # 6 -> 8 -> 2 -> 5: the middle layer is 2 wide
    ws = [dn.tensor(rng.standard_normal((o, i)), requires_grad=True)
          for i, o in zip(widths[:-1], widths[1:], strict=True)]
    bs = [dn.tensor(rng.standard_normal(o), requires_grad=True) for o in widths[1:]]
    x = dn.tensor(rng.standard_normal((100, widths[0])))

    h = x
    for w, b in zip(ws, bs, strict=True):
        h = h @ w.T + b  # a Linear layer, no activation
    w1, w2, w3 = ws
    b1, b2, b3 = bs
    with dn.no_grad():
        w_all = w3 @ w2 @ w1
        b_all = w3 @ (w2 @ b1) + w3 @ b2 + b3
    collapsed = x @ w_all.T + b_all
    np.testing.assert_allclose(h.detach().numpy(), collapsed.numpy(), rtol=1e-12, atol=1e-12)
    assert np.linalg.matrix_rank(w_all.numpy()) <= min(widths) == 2

    # The 100 outputs span at most a 2-dimensional affine subspace of R^5 ...
    centred = h.detach().numpy() - h.detach().numpy().mean(axis=0)
    assert np.linalg.matrix_rank(centred, tol=1e-8) == 2
    # ... while one ReLU in between breaks the collapse.
    bent = dn.relu(x @ w1.T + b1) @ w2.T + b2
    bent = bent @ w3.T + b3
    assert not np.allclose(bent.detach().numpy(), collapsed.numpy(), atol=1e-3)

    # Gradients agree too: d(sum y)/dx through the stack equals the collapsed W's column sums.
    xg = dn.tensor(rng.standard_normal((1, widths[0])), requires_grad=True)
    hg = xg
    for w, b in zip(ws, bs, strict=True):
        hg = hg @ w.T + b
    hg.sum().backward()
    np.testing.assert_allclose(xg.grad[0], w_all.numpy().sum(axis=0), rtol=1e-12)
