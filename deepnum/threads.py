"""How many threads the matrix products use, as PyTorch's ``set_num_threads``.

deepnum's heavy work is NumPy's matrix products, which run in the BLAS library NumPy ships
(OpenBLAS).  Its threads spin while they wait for work, so on a machine whose cores are busy
with other processes they can make small products (an MLP's batch of 128 × 784 × 512)
ten times slower; one thread avoids that, several help large products on idle cores.
OpenBLAS reads ``OPENBLAS_NUM_THREADS`` only when NumPy loads it, so changing the number
later goes through OpenBLAS's own ``openblas_set_num_threads``, found (with ctypes) in the
libraries already loaded into the process, under the names NumPy's and Debian's builds give
it.  With another BLAS nothing changes and ``get_num_threads`` returns None.

>>> import deepnum as dn
>>> before = dn.get_num_threads()
>>> dn.set_num_threads(1)
>>> dn.get_num_threads() in (1, None)
True
>>> dn.set_num_threads(before or 1)
"""

from __future__ import annotations

import ctypes
import functools
import glob
import os

from .errors import ArgumentError

ENV_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "GOTO_NUM_THREADS")
_NAMES = ("scipy_openblas_{}_num_threads64_", "scipy_openblas_{}_num_threads",
          "openblas_{}_num_threads64_", "openblas_{}_num_threads")


def _loaded_blas() -> list[str]:
    """Paths of the shared libraries with "blas" in their name that may be loaded."""
    import numpy

    paths = set()
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                parts = line.split(maxsplit=5)
                if len(parts) == 6 and "blas" in os.path.basename(parts[5]).lower():
                    paths.add(parts[5].strip())
    except OSError:  # not Linux: the libraries NumPy's wheels ship
        root = os.path.dirname(numpy.__file__)
        for pattern in ("../numpy.libs/*blas*", ".dylibs/*blas*"):
            paths.update(glob.glob(os.path.join(root, pattern)))
    return sorted(paths)


@functools.cache
def _functions(kind: str) -> tuple:
    """The ``openblas_{kind}_num_threads`` functions of the loaded BLAS libraries."""
    mode = getattr(os, "RTLD_NOLOAD", None)
    if mode is None:
        return ()
    found = []
    for path in _loaded_blas():
        try:
            library = ctypes.CDLL(path, mode=mode | os.RTLD_LAZY)  # only if already loaded
        except OSError:
            continue
        for pattern in _NAMES:
            fn = getattr(library, pattern.format(kind), None)
            if fn is not None:
                if kind == "set":
                    fn.argtypes, fn.restype = [ctypes.c_int], None
                else:
                    fn.argtypes, fn.restype = [], ctypes.c_int
                found.append(fn)
                break
    return tuple(found)


def set_num_threads(n: int) -> None:
    """Use ``n`` threads for matrix products from now on (a no-op with a BLAS other than
    OpenBLAS)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ArgumentError(f"set_num_threads: expected a positive integer, got {n!r}")
    for setter in _functions("set"):
        setter(n)


def get_num_threads() -> int | None:
    """The number of threads matrix products use (None when the BLAS is not OpenBLAS)."""
    getters = _functions("get")
    return int(getters[0]()) if getters else None


def configured_by_environment() -> bool:
    """Whether the user chose the number of threads with an environment variable."""
    return any(os.environ.get(name) for name in ENV_VARS)
