"""``GradientTape`` with TensorFlow's semantics: what is watched, the structure of the result,
unconnected sources, persistence, what counts as recorded, the NumPy cut, output gradients,
and that a tape never writes ``.grad``."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import deepnum as dn
from deepnum.errors import DTypeError, GradientError, ShapeError

A = np.array([[0.5, -1.25], [1.5, 0.75]])


def test_tensors_requiring_grad_are_watched_and_grad_is_never_written():
    w = dn.tensor(A, requires_grad=True)
    with dn.GradientTape() as tape:
        y = (w.sin() * w).sum()
    g = tape.gradient(y, w)
    wt = torch.tensor(A, requires_grad=True)
    (wt.sin() * wt).sum().backward()
    np.testing.assert_allclose(g.numpy(), wt.grad.numpy(), rtol=1e-12)
    assert isinstance(g, dn.Tensor) and g.dtype == w.dtype and not g.requires_grad
    assert w.grad is None


def test_watch_a_constant_only_for_the_tape():
    x = dn.tensor(3.0)
    with dn.GradientTape() as tape:
        tape.watch(x)
        assert x.requires_grad
        y = x * x * x
    assert not x.requires_grad  # the constant is a constant again after the tape
    assert tape.gradient(y, x).item() == 27.0
    assert x.grad is None
    assert tape.watched_variables() == (x,)


def test_watch_before_entering_and_watch_errors():
    x = dn.tensor([1.0, 2.0])
    tape = dn.GradientTape()
    tape.watch(x)
    assert not x.requires_grad
    with tape:
        y = (x**2).sum()
    assert tape.gradient(y, x).tolist() == [2.0, 4.0]
    with pytest.raises(DTypeError, match="only floating-point tensors can be watched, got int64"):
        dn.GradientTape().watch(dn.tensor([1, 2]))
    with pytest.raises(TypeError, match="watch: expected a Tensor, got float"):
        dn.GradientTape().watch([[1.0]])


def test_gradients_come_back_in_the_structure_of_sources():
    a = dn.tensor(2.0, requires_grad=True)
    b = dn.tensor([1.0, 3.0], requires_grad=True)
    c = dn.tensor(5.0, requires_grad=True)
    with dn.GradientTape(persistent=True) as tape:
        y = a * b.sum() + c * c
    assert tape.gradient(y, a).item() == 4.0
    ga, gb = tape.gradient(y, [a, b])
    assert ga.item() == 4.0 and gb.tolist() == [2.0, 2.0]
    as_tuple = tape.gradient(y, (a, c))
    assert isinstance(as_tuple, tuple) and as_tuple[1].item() == 10.0
    as_dict = tape.gradient(y, {"a": a, "rest": [b, {"c": c}]})
    assert as_dict["a"].item() == 4.0 and as_dict["rest"][0].tolist() == [2.0, 2.0]
    assert as_dict["rest"][1]["c"].item() == 10.0


def test_unconnected_source_gives_none_or_zeros():
    a = dn.tensor(2.0, requires_grad=True)
    b = dn.tensor([1.0, 3.0], requires_grad=True)
    with dn.GradientTape(persistent=True) as tape:
        y = a * 3
    ga, gb = tape.gradient(y, [a, b])
    assert ga.item() == 3.0 and gb is None
    gb0 = tape.gradient(y, b, unconnected_gradients="zero")
    assert gb0.tolist() == [0.0, 0.0] and gb0.dtype == b.dtype
    with pytest.raises(ValueError, match="unconnected_gradients must be 'none' or 'zero'"):
        tape.gradient(y, b, unconnected_gradients="zeros")


def test_target_not_requiring_grad_gives_none_for_every_source():
    a = dn.tensor(2.0, requires_grad=True)
    with dn.GradientTape() as tape:
        y = dn.tensor(1.0) * 2
    assert tape.gradient(y, [a]) == [None]


def test_non_persistent_tape_refuses_a_second_call_persistent_allows_it():
    x = dn.tensor(A, requires_grad=True)
    with dn.GradientTape() as tape:
        y = (x * x).sum()
    tape.gradient(y, x)
    with pytest.raises(GradientError, match=r"only once.*persistent=True"):
        tape.gradient(y, x)
    with dn.GradientTape(persistent=True) as tape:
        y = (x * x).sum()
        z = x.exp().sum()
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), 2 * A)
    np.testing.assert_allclose(tape.gradient(z, x).numpy(), np.exp(A))
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), 2 * A)


def test_only_operations_recorded_inside_the_tape_count():
    w = dn.tensor(A, requires_grad=True)
    v = w * 2  # computed before the tape
    with dn.GradientTape(persistent=True) as tape:
        tape.watch(v)
        y = (v * v).sum()
    np.testing.assert_allclose(tape.gradient(y, v).numpy(), 2 * (2 * A))
    assert tape.gradient(y, w) is None  # w -> v happened before the tape


def test_gradient_of_an_intermediate_source():
    x = dn.tensor(A, requires_grad=True)
    with dn.GradientTape() as tape:
        h = x.exp()
        y = (h * 3).sum()
    np.testing.assert_allclose(tape.gradient(y, h).numpy(), np.full(A.shape, 3.0))


def test_numpy_inside_the_tape_cuts_the_graph_and_the_warning_says_so():
    x = dn.tensor(A, requires_grad=True)
    with dn.GradientTape() as tape:
        h = x * 2
        cut = dn.tensor(h.numpy())  # leaves deepnum: the graph is cut here
        y = (cut * cut).sum()
    with pytest.warns(UserWarning, match=r"converted to NumPy \(\.numpy\(\) or np\.asarray\)"):
        g = tape.gradient(y, x)
    assert g is None


def test_no_warning_for_an_honestly_unconnected_source():
    x = dn.tensor(A, requires_grad=True)
    other = dn.tensor(A, requires_grad=True)
    with dn.GradientTape() as tape:
        y = (x * 2).sum()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tape.gradient(y, other) is None


def test_output_gradients_and_non_scalar_targets():
    x = dn.tensor(A, requires_grad=True)
    with dn.GradientTape(persistent=True) as tape:
        y = x * x
    seed = np.array([[1.0, 0.0], [2.0, -1.0]])
    np.testing.assert_allclose(tape.gradient(y, x, output_gradients=dn.tensor(seed)).numpy(),
                               2 * A * seed)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), 2 * A)  # targets are summed
    ys = tape.gradient([y, y.sum()], x)
    np.testing.assert_allclose(ys.numpy(), 4 * A)
    with pytest.raises(ShapeError, match=r"output gradient of shape \(2,\) for a target of shape"):
        tape.gradient(y, x, output_gradients=dn.ones(2))


def test_tape_and_backward_do_not_interfere():
    x = dn.tensor(A, requires_grad=True)
    with dn.GradientTape() as tape:
        y = (x * x).sum()
    g = tape.gradient(y, x)
    assert x.grad is None
    y.backward()
    np.testing.assert_allclose(x.grad, g.numpy())


def test_stop_recording_and_reset():
    x = dn.tensor(2.0, requires_grad=True)
    with dn.GradientTape(persistent=True) as tape:
        with tape.stop_recording():
            frozen = x * 10
        y = x * x + frozen
        tape.reset()
        z = x * 5
    assert tape.gradient(y, x) is None  # recorded before reset(): forgotten
    assert tape.gradient(z, x).item() == 5.0
    assert not frozen.requires_grad


def test_sources_must_be_tensors_and_tape_must_have_run():
    x = dn.tensor(1.0, requires_grad=True)
    with pytest.raises(GradientError, match="has not recorded anything"):
        dn.GradientTape().gradient(x, x)
    with dn.GradientTape() as tape:
        y = x * 2
    with pytest.raises(TypeError, match="sources must be tensors, got float"):
        tape.gradient(y, [1.0])
