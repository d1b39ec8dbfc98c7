"""``deepnum.gradcheck``: True for correct gradients; a ``GradcheckError`` naming the input, the
index and both values for a wrong one; no side effects on the inputs or on other tensors."""

from __future__ import annotations

import re

import numpy as np
import pytest

import deepnum as dn
from deepnum._tensor import apply
from deepnum.autograd import Function
from deepnum.errors import GradcheckError, GradientError


def test_true_for_correct_functions_of_several_inputs_and_outputs():
    rng = np.random.default_rng(0)
    a = dn.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = dn.tensor(rng.standard_normal(4), requires_grad=True)
    assert dn.gradcheck(lambda x, y: (x * y).tanh() @ y, [a, b])
    assert dn.gradcheck(lambda x, y: (x.exp(), x.sum(dim=0) * y), (a, b))
    assert dn.gradcheck(lambda x: dn.softmax(x, dim=1), a)


def test_inputs_that_do_not_require_grad_are_constants():
    a = dn.tensor([1.0, 2.0], requires_grad=True)
    c = dn.tensor([3.0, -1.0])
    index = dn.tensor([1, 0, 1])
    assert dn.gradcheck(lambda x, k, i: (x * k)[i], [a, c, index])


def test_a_wrong_gradient_is_reported_with_input_index_and_both_values():
    x = dn.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = dn.tensor([0.5, 0.25], requires_grad=True)
    # d/dx of x * detach(x) is 2x, but the graph only sees x: analytic x, numerical 2x.
    with pytest.raises(GradcheckError) as err:
        dn.gradcheck(lambda a, b: (a * b).sum() + (b * b.detach()).sum(), [x, y], seed=1)
    message = str(err.value)
    assert re.search(r"input 1 \(shape \(2,\)\), index \(0,\)", message), message
    analytic, numerical = map(float, re.search(
        r"analytic gradient (\S+) but numerical (\S+)", message).groups())
    assert numerical == pytest.approx(analytic + 0.5 * _weight_of(seed=1), abs=1e-6)
    assert isinstance(err.value, GradientError)


def _weight_of(seed: int) -> float:
    """gradcheck reduces the outputs with standard normal weights drawn from ``seed``; one
    scalar output gets the first."""
    return float(np.random.default_rng(seed).standard_normal(()))


def test_tolerances_decide():
    x = dn.tensor([1.0, 2.0], requires_grad=True)
    # analytic 2x·(1 + 1e-4) against numerical 2x: fails at rtol=1e-5, passes at rtol=1e-3
    def f(a):
        return a * a + (a * a.detach() * 1e-4)

    with pytest.raises(GradcheckError):
        dn.gradcheck(f, [x], atol=0, rtol=1e-5)
    assert dn.gradcheck(f, [x], atol=0, rtol=1e-3)


def test_inputs_are_not_modified_and_no_grad_is_written_anywhere():
    x = dn.tensor([0.3, -0.7], requires_grad=True)
    w = dn.tensor([2.0, 5.0], requires_grad=True)  # captured by fn, not an input
    before = x.data.copy()
    assert dn.gradcheck(lambda a: (a * w).sin(), [x])
    assert x.grad is None and w.grad is None
    np.testing.assert_array_equal(x.data, before)
    assert x.dtype == np.float32  # checked on a float64 copy


def test_errors_for_nothing_to_check_and_non_tensor_outputs():
    with pytest.raises(ValueError, match="none of the inputs requires grad"):
        dn.gradcheck(lambda a: a * 2, [dn.ones(2)])
    with pytest.raises(TypeError, match="fn must return tensors, got float"):
        dn.gradcheck(lambda a: 1.0, [dn.ones(2, requires_grad=True)])


class Cube(Function):
    """``x³`` with the right derivative ``3x²``."""

    __slots__ = ("x",)

    def forward(self, x):
        self.x = x
        return x**3

    def backward(self, g, needs):
        return (g * 3 * self.x**2,)


class WrongCube(Cube):
    """``x³`` with a deliberately wrong derivative ``2x²``."""

    __slots__ = ()

    def backward(self, g, needs):
        return (g * 2 * self.x**2,)


def test_custom_primitive_right_and_wrong():
    x = dn.tensor([[0.5, -1.0], [2.0, 1.5]], requires_grad=True)
    assert dn.gradcheck(lambda t: apply(Cube, t), [x])
    with pytest.raises(GradcheckError) as err:
        dn.gradcheck(lambda t: apply(WrongCube, t), [x], seed=3)
    w = np.random.default_rng(3).standard_normal((2, 2))  # gradcheck's output weights
    analytic, numerical = 2 * 0.25 * w[0, 0], 3 * 0.25 * w[0, 0]
    assert str(err.value) == (
        f"gradcheck: input 0 (shape (2, 2)), index (0, 0): analytic gradient {analytic:.8g} "
        f"but numerical {numerical:.8g} (atol=1e-05, rtol=0.001)")
