"""Helpers for the ``deepnum`` command-line tests: run it as a real process, read its
summary lines and the weights of the model files it writes."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import numpy as np

from deepnum.io import read_file

ENV = {k: v for k, v in os.environ.items() if k != "DEEPNUM_DEBUG"}


def deepnum_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "deepnum", *map(str, args)]


def run(*args: str, cwd: os.PathLike | str | None = None, timeout: float = 600,
        env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m deepnum ARGS`` in ``cwd``; text output captured."""
    return subprocess.run(deepnum_command(*args), cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**ENV, **(env or {})})


def scores(stdout: str, part: str) -> tuple[float, float]:
    """(loss, accuracy) from a summary line "  test       loss 0.1164  accuracy 0.9694"."""
    match = re.search(rf"^  {part}\s+loss (\S+)  accuracy (\S+)", stdout, re.M)
    assert match, f"no {part!r} line in:\n{stdout}"
    return float(match.group(1)), float(match.group(2))


def weights(path: os.PathLike | str) -> dict[str, np.ndarray]:
    """Every array of a saved model (weights and optimizer slots) by name."""
    tensors, _ = read_file(path)
    return tensors


def assert_bit_identical(a: os.PathLike | str, b: os.PathLike | str) -> None:
    wa, wb = weights(a), weights(b)
    assert sorted(wa) == sorted(wb)
    assert any(k.startswith("weights/") for k in wa)
    for name in wa:
        assert wa[name].dtype == wb[name].dtype, name
        assert np.array_equal(wa[name], wb[name]), f"{name} differs"


def one_error_line(result: subprocess.CompletedProcess, code: int, prefix: str) -> str:
    """The single stderr line of a failed run, checked: exit ``code``, ``prefix`` first,
    no traceback."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(prefix), lines[0]
    assert "Traceback" not in result.stderr
    return lines[0]
