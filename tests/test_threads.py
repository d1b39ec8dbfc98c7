"""deepnum.set_num_threads / get_num_threads: OpenBLAS's thread count, changed at run time."""

import numpy as np
import pytest

import deepnum as dn
from deepnum.errors import ArgumentError


def test_set_and_get_num_threads_round_trip():
    before = dn.get_num_threads()
    if before is None:
        pytest.skip("NumPy does not run on OpenBLAS here")
    try:
        for n in (1, 2, 1):
            dn.set_num_threads(n)
            assert dn.get_num_threads() == n
            a = np.random.default_rng(0).random((64, 64))
            np.testing.assert_allclose(a @ np.eye(64), a)  # products still right
    finally:
        dn.set_num_threads(before)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_set_num_threads_rejects_non_positive_integers(bad):
    with pytest.raises(ArgumentError, match="set_num_threads: expected a positive integer"):
        dn.set_num_threads(bad)


def test_configured_by_environment(monkeypatch):
    from deepnum.threads import ENV_VARS, configured_by_environment

    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    assert not configured_by_environment()
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
    assert configured_by_environment()
