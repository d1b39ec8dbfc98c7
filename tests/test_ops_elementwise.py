"""Element-wise ops (``deepnum.ops.elementwise``): one line per op, over the shared shapes,
against NumPy, float64 finite differences and PyTorch; exact tests at kinks and ties."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import BINARY_SHAPES, UNARY_SHAPES, Arg, check_exact, check_op

import deepnum as dn

# name: (fn(lib, x), domain, NumPy reference)
UNARY = {
    "neg": (lambda m, x: -x, "real", np.negative),
    "exp": (lambda m, x: m.exp(x), "real", np.exp),
    "log": (lambda m, x: m.log(x), "positive", np.log),
    "log1p": (lambda m, x: m.log1p(x), "unit", np.log1p),
    "sqrt": (lambda m, x: m.sqrt(x), "positive", np.sqrt),
    "square": (lambda m, x: m.square(x), "real", np.square),
    "abs": (lambda m, x: m.abs(x), "nonzero", np.abs),
    "abs_builtin": (lambda m, x: abs(x), "nonzero", np.abs),
    "sin": (lambda m, x: m.sin(x), "real", np.sin),
    "cos": (lambda m, x: m.cos(x), "real", np.cos),
    "exp_method": (lambda m, x: x.exp(), "real", np.exp),
    "sqrt_method": (lambda m, x: x.sqrt(), "positive", np.sqrt),
    "pow_2": (lambda m, x: x**2, "real", np.square),
    "pow_half": (lambda m, x: x**0.5, "positive", np.sqrt),
    "pow_neg": (lambda m, x: x**-1.5, "positive", lambda a: a**-1.5),
    "rpow": (lambda m, x: 2.0**x, "real", lambda a: 2.0**a),
    "radd": (lambda m, x: 3 + x, "real", lambda a: 3 + a),
    "rsub": (lambda m, x: 3 - x, "real", lambda a: 3 - a),
    "mul_scalar": (lambda m, x: x * 2.5, "real", lambda a: a * 2.5),
    "rdiv": (lambda m, x: 1 / x, "nonzero", np.reciprocal),
    "div_scalar": (lambda m, x: x / 4, "real", lambda a: a / 4),
    "clamp": (lambda m, x: m.clamp(x, -0.5, 0.5), "grid", lambda a: np.clip(a, -0.5, 0.5)),
    "clamp_min": (lambda m, x: m.clamp(x, min=-0.5), "grid", lambda a: np.maximum(a, -0.5)),
    "clamp_max": (lambda m, x: m.clamp(x, max=0.5), "grid", lambda a: np.minimum(a, 0.5)),
    "clip_method": (lambda m, x: x.clip(-0.5, 0.5), "grid", lambda a: np.clip(a, -0.5, 0.5)),
    "maximum_scalar": (lambda m, x: m.maximum(x, m.tensor(0.0, dtype=x.dtype)), "nonzero",
                       lambda a: np.maximum(a, 0)),
}

# name: (fn(lib, a, b), domain of a, domain of b, NumPy reference)
BINARY = {
    "add": (lambda m, a, b: a + b, "real", "real", np.add),
    "sub": (lambda m, a, b: a - b, "real", "real", np.subtract),
    "mul": (lambda m, a, b: a * b, "real", "real", np.multiply),
    "div": (lambda m, a, b: a / b, "real", "nonzero", np.divide),
    "pow": (lambda m, a, b: a**b, "positive", "real", np.power),
    "add_fn": (lambda m, a, b: m.add(a, b), "real", "real", np.add),
    "sub_fn": (lambda m, a, b: m.sub(a, b), "real", "real", np.subtract),
    "mul_fn": (lambda m, a, b: m.mul(a, b), "real", "real", np.multiply),
    "div_fn": (lambda m, a, b: m.div(a, b), "real", "nonzero", np.divide),
    "pow_fn": (lambda m, a, b: m.pow(a, b), "positive", "real", np.power),
    "maximum": (lambda m, a, b: m.maximum(a, b), "real", "real", np.maximum),
    "minimum": (lambda m, a, b: m.minimum(a, b), "real", "real", np.minimum),
    "max_two": (lambda m, a, b: m.max(a, b), "real", "real", np.maximum),
    "where": (lambda m, a, b: m.where(a > b, a * 2, b), "real", "real",
              lambda a, b: np.where(a > b, a * 2, b)),
}


@pytest.mark.parametrize("shape", UNARY_SHAPES, ids=str)
@pytest.mark.parametrize("name", list(UNARY))
def test_unary(name, shape):
    fn, domain, ref = UNARY[name]
    check_op(fn, [Arg(shape, domain)], np_fn=ref)


@pytest.mark.parametrize("shapes", BINARY_SHAPES, ids=str)
@pytest.mark.parametrize("name", list(BINARY))
def test_binary(name, shapes):
    fn, da, db, ref = BINARY[name]
    check_op(fn, [Arg(shapes[0], da), Arg(shapes[1], db)], np_fn=ref)


@pytest.mark.parametrize("grad", [(True, False), (False, True)], ids=["a", "b"])
def test_binary_one_side_requires_grad(grad):
    check_op(lambda m, a, b: a * b + a / b,
             [Arg((3, 1), "nonzero", grad[0]), Arg((4,), "nonzero", grad[1])])


# ----- exact tests at kinks, bounds and ties (PyTorch's choices) -----------------------------
def test_abs_gradient_at_zero_is_zero():
    (g,) = check_exact(lambda m, x: m.abs(x), [-2.0, 0.0, 3.0])
    assert g.tolist() == [-1.0, 0.0, 1.0]


def test_clamp_gradient_is_one_at_the_bounds():
    (g,) = check_exact(lambda m, x: m.clamp(x, -0.5, 0.5), [-1.0, -0.5, 0.0, 0.5, 1.0])
    assert g.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]


@pytest.mark.parametrize("op", ["maximum", "minimum"])
def test_maximum_minimum_ties_share_the_gradient(op):
    ga, gb = check_exact(lambda m, a, b: getattr(m, op)(a, b), [1.0, 2.0, 3.0], [1.0, 5.0, 0.0])
    assert ga[0] == gb[0] == 0.5
    assert ga[1] + gb[1] == 1.0 and ga[2] + gb[2] == 1.0


def test_maximum_tie_with_broadcast_operand():
    ga, gb = check_exact(lambda m, a, b: m.maximum(a, b), [[0.0, 1.0], [0.0, -1.0]], [0.0])
    assert gb.tolist() == [0.5 + 0.5 + 1.0]


def test_where_gradient_is_finite_when_unused_branch_is_inf():
    ga, gb = check_exact(lambda m, a, b: m.where(a > 0, a, b), [1.0, -1.0, 2.0],
                         [np.inf, 3.0, -np.inf])
    assert ga.tolist() == [1.0, 0.0, 1.0] and gb.tolist() == [0.0, 1.0, 0.0]


def test_where_with_constant_branch_and_broadcast_condition():
    check_op(lambda m, x: m.where(m.tensor([True, False, True]), x, m.tensor(0.0, dtype=x.dtype)),
             [Arg((2, 3))], np_fn=lambda a: np.where([True, False, True], a, 0.0))


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # torch: inf, silently
def test_sqrt_at_zero_matches_torch():
    check_exact(lambda m, x: m.sqrt(x), [0.0, 4.0])


def test_pow_gradient_of_exponent_at_zero_base():
    check_exact(lambda m, a, b: a**b, [0.0, 0.0, 2.0], [2.0, 0.0, 3.0])


def test_division_by_zero_gives_inf_like_torch():
    with np.errstate(divide="ignore"):
        out = dn.tensor([1.0, -1.0]) / dn.tensor([0.0, 0.0])
    assert out.tolist() == (torch.tensor([1.0, -1.0]) / torch.tensor([0.0, 0.0])).tolist()


def test_broadcast_error_names_op_and_both_shapes():
    a, b = dn.ones(2, 3), dn.ones(4)
    for op, name in [(lambda: a + b, "add"), (lambda: a - b, "sub"), (lambda: a * b, "mul"),
                     (lambda: a / b, "div"), (lambda: dn.maximum(a, b), "maximum")]:
        with pytest.raises(dn.errors.ShapeError, match=rf"{name}: shapes \(2, 3\) and \(4,\)"):
            op()


def test_where_broadcast_error_names_all_shapes():
    with pytest.raises(dn.errors.ShapeError, match=r"where: condition \(3,\), a \(2,\)"):
        dn.where(dn.tensor([True, False, True]), dn.ones(2), dn.ones(3))
