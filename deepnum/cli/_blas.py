"""One BLAS thread for the command's runs, unless the user chose a number of threads.

The matrix products of the MLPs ``deepnum`` trains are small (a batch of 128 times 64 or 784
inputs times 512 units), too small for BLAS threads to pay much, and on a busy machine the
threads of OpenBLAS, which spin while waiting, make training 4 to 10 times slower (measured
on a shared 2-core machine: 80 digits epochs in 4 s with one thread, 17 to 58 s with two;
5 Fashion-MNIST epochs in 19 s against 194 s).  OpenBLAS reads ``OPENBLAS_NUM_THREADS`` only
when NumPy loads it, before any of our code runs, so the limit is set through OpenBLAS's own
``openblas_set_num_threads`` (under the names NumPy's and Debian's builds give it), found in
the libraries already loaded.  Best effort: with another BLAS, or on a system without
``dlopen``, nothing changes.  Set ``OPENBLAS_NUM_THREADS`` (or ``OMP_NUM_THREADS``) to choose.
"""

from __future__ import annotations

import ctypes
import glob
import os

ENV_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "GOTO_NUM_THREADS")
SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
           "openblas_set_num_threads64_", "openblas_set_num_threads")


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


def limit_threads(n: int = 1) -> bool:
    """Use ``n`` threads in the OpenBLAS NumPy runs on, unless one of ``ENV_VARS`` is set;
    True if a library took the setting."""
    if any(os.environ.get(name) for name in ENV_VARS):
        return False
    mode = getattr(os, "RTLD_NOLOAD", None)
    if mode is None:
        return False
    done = False
    for path in _loaded_blas():
        try:
            library = ctypes.CDLL(path, mode=mode | os.RTLD_LAZY)  # only if already loaded
        except OSError:
            continue
        for name in SETTERS:
            setter = getattr(library, name, None)
            if setter is not None:
                setter.argtypes, setter.restype = [ctypes.c_int], None
                setter(n)
                done = True
                break
    return done
