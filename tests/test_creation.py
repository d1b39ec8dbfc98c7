"""Making tensors (``deepnum.creation``, ``deepnum.random``): dtype rules as PyTorch's,
filled tensors and ranges, random tensors from seeded independent streams, memory sharing."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import torch_dtype_to_numpy

import deepnum as dn
from deepnum.errors import DTypeError

# Data given to tensor(): the dtype must be PyTorch's.
DATA = [
    ("python float", 1.5),
    ("python int", 3),
    ("python bool", True),
    ("list of floats", [1.0, 2.5]),
    ("nested floats", [[1.0, 2.0], [3.0, 4.0]]),
    ("ints and floats", [1, 2.5]),
    ("list of ints", [1, 2, 3]),
    ("list of bools", [True, False]),
    ("float64 array", np.array([1.0, 2.0])),
    ("float16 array", np.array([1.0, 2.0], dtype=np.float16)),
    ("int32 array", np.array([1, 2], dtype=np.int32)),
    ("uint8 array", np.array([1, 255], dtype=np.uint8)),
    ("numpy float64 scalar", np.float64(2.5)),
    ("numpy float32 scalar", np.float32(2.5)),
    ("empty list", []),
]


@pytest.mark.parametrize("data", [d for _, d in DATA], ids=[n for n, _ in DATA])
def test_tensor_dtype_rules_match_torch(data):
    got, want = dn.tensor(data), torch.tensor(data)
    assert got.dtype == torch_dtype_to_numpy(want.dtype)
    assert got.shape == tuple(want.shape)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_tensor_copies_and_takes_dtype():
    a = np.array([1.0, 2.0])
    t = dn.tensor(a)
    a[0] = 9.0
    assert t.tolist() == [1.0, 2.0]
    assert dn.tensor([1, 2], dtype=dn.float32).dtype == np.float32
    assert dn.tensor(t).tolist() == [1.0, 2.0] and dn.tensor(t).data is not t.data
    assert dn.tensor([dn.tensor(1.0), dn.tensor(2.0)]).tolist() == [1.0, 2.0]
    assert dn.tensor(np.array([1, 2], dtype=">i4")).dtype == np.int32  # big-endian input


def test_unsupported_data_is_a_dtype_error():
    for bad in [["a", "b"], np.array([1 + 2j]), [None]]:
        with pytest.raises(DTypeError, match="unsupported data of dtype"):
            dn.tensor(bad)
    with pytest.raises(DTypeError, match="from_numpy: unsupported dtype"):
        dn.from_numpy(np.array(["x"]))
    with pytest.raises(TypeError, match="expected a numpy.ndarray, got list"):
        dn.from_numpy([1.0])


def test_from_numpy_and_as_tensor_share_memory():
    a = np.zeros(3, dtype=np.float64)
    t = dn.from_numpy(a)
    a[0] = 1.0
    t[1] = 2.0
    assert t.tolist() == [1.0, 2.0, 0.0] and a.tolist() == [1.0, 2.0, 0.0]
    assert t.dtype == np.float64
    assert np.shares_memory(dn.as_tensor(a).numpy(), a)
    assert dn.as_tensor(t) is t
    assert dn.as_tensor(t, dtype=dn.float32).dtype == np.float32


FILLED = [
    ("zeros", lambda m: m.zeros(2, 3)),
    ("zeros_tuple", lambda m: m.zeros((2, 3))),
    ("zeros_float64", lambda m: m.zeros(2, dtype=m.float64)),
    ("zeros_int", lambda m: m.zeros(2, dtype=m.int64)),
    ("ones", lambda m: m.ones(3)),
    ("ones_scalar", lambda m: m.ones(())),
    ("full_int", lambda m: m.full((2, 2), 7)),
    ("full_float", lambda m: m.full((2,), 1.5)),
    ("full_bool", lambda m: m.full((2,), True)),
    ("full_dtype", lambda m: m.full((2,), 3, dtype=m.float64)),
    ("eye", lambda m: m.eye(3)),
    ("eye_rect", lambda m: m.eye(2, 3)),
    ("arange", lambda m: m.arange(5)),
    ("arange_start_step", lambda m: m.arange(1, 10, 3)),
    ("arange_float", lambda m: m.arange(0, 1, 0.25)),
    ("arange_float_start", lambda m: m.arange(0.5, 3)),
    ("arange_dtype", lambda m: m.arange(4, dtype=m.float64)),
    ("linspace", lambda m: m.linspace(0, 1, 5)),
    ("linspace_float64", lambda m: m.linspace(-1, 1, 3, dtype=m.float64)),
    ("zeros_like", lambda m: m.zeros_like(m.ones(2, 3, dtype=m.float64))),
    ("ones_like_dtype", lambda m: m.ones_like(m.ones(2), dtype=m.int32)),
    ("full_like", lambda m: m.full_like(m.zeros(2, 2), 4.5)),
    ("full_like_int", lambda m: m.full_like(m.zeros(2, dtype=m.int64), 4)),
]


@pytest.mark.parametrize("fn", [f for _, f in FILLED], ids=[n for n, _ in FILLED])
def test_filled_and_range_tensors_match_torch(fn):
    got, want = fn(dn), fn(torch)
    assert got.dtype == torch_dtype_to_numpy(want.dtype) and got.shape == tuple(want.shape)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-7)
    assert not got.requires_grad and got.is_leaf


def test_requires_grad_and_empty():
    for t in [dn.zeros(2, requires_grad=True), dn.ones(2, requires_grad=True),
              dn.full((2,), 1.0, requires_grad=True), dn.eye(2, requires_grad=True),
              dn.linspace(0, 1, 3, requires_grad=True), dn.randn(2, requires_grad=True),
              dn.rand(2, requires_grad=True), dn.zeros_like(dn.ones(2), requires_grad=True)]:
        assert t.requires_grad and t.is_leaf
    assert dn.empty(2, 3).shape == (2, 3) and dn.empty(2).dtype == np.float32


def test_bad_sizes():
    with pytest.raises(ValueError, match=r"size must be non-negative, got \(2, -1\)"):
        dn.zeros(2, -1)
    with pytest.raises(TypeError, match="size must be integers"):
        dn.ones("a")


# ----- random --------------------------------------------------------------------------------
def test_random_shapes_dtypes_and_ranges():
    u = dn.rand(1000)
    assert u.dtype == np.float32 and ((u.numpy() >= 0) & (u.numpy() < 1)).all()
    n = dn.randn(100, 100, dtype=dn.float64)
    assert n.dtype == np.float64 and n.shape == (100, 100)
    assert abs(n.numpy().mean()) < 0.05 and abs(n.numpy().std() - 1) < 0.05
    for r in [dn.randint(3, 7, (50,)), dn.randint(3, 7, size=50)]:
        assert r.dtype == np.int64 and r.shape == (50,)
        assert set(r.tolist()) == {3, 4, 5, 6}
    r = dn.randint(4, (2, 50))  # PyTorch's randint(high, size): from 0
    assert r.shape == (2, 50) and set(r.numpy().ravel().tolist()) == {0, 1, 2, 3}
    assert dn.rand_like(dn.zeros(2, 3, dtype=dn.float64)).dtype == np.float64
    assert dn.randn_like(dn.zeros(4)).shape == (4,)


def test_manual_seed_reproduces_and_different_seeds_differ():
    dn.manual_seed(123)
    a = [dn.randn(5).tolist(), dn.rand(3).tolist(), dn.randint(0, 100, (4,)).tolist()]
    dn.manual_seed(123)
    b = [dn.randn(5).tolist(), dn.rand(3).tolist(), dn.randint(0, 100, (4,)).tolist()]
    assert a == b
    dn.manual_seed(124)
    assert dn.randn(5).tolist() != a[0]
    assert dn.initial_seed() == 124


def test_streams_are_independent():
    dn.manual_seed(7)
    plain = dn.randn(6).tolist()
    dn.manual_seed(7)
    dn.random.generator("dropout").random(1000)  # a dropout layer drawing its masks ...
    dn.random.generator("init").standard_normal(50)  # ... and an initialiser
    assert dn.randn(6).tolist() == plain  # ... do not change the tensor stream
    dn.manual_seed(7)
    d1 = dn.random.generator("dropout").random(4)
    t1 = dn.random.generator("tensor").random(4)
    assert not np.array_equal(d1, t1)  # different names, different streams


def test_rng_state_round_trip_and_explicit_generator():
    dn.manual_seed(3)
    dn.randn(4)
    state = dn.get_rng_state()
    first = dn.randn(4).tolist()
    dn.manual_seed(99)
    dn.set_rng_state(state)
    assert dn.randn(4).tolist() == first
    g1, g2 = np.random.default_rng(5), np.random.default_rng(5)
    assert dn.randn(3, generator=g1).tolist() == dn.randn(3, generator=g2).tolist()


def test_manual_seed_rejects_non_integers():
    with pytest.raises(TypeError, match="seed must be an integer, got 1.5"):
        dn.manual_seed(1.5)
    with pytest.raises(ValueError, match="non-negative"):
        dn.manual_seed(-1)
