"""Atomic writes: the target holds the old or the new content, never a mix — even when the
writing process is killed with SIGKILL in the middle of a save."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import deepnum as dn
from deepnum.io import atomic_write, is_temporary


def test_writes_and_replaces(tmp_path):
    path = tmp_path / "f.bin"
    for content in (b"first", b"second, longer", b""):
        with atomic_write(path) as f:
            f.write(content)
        assert path.read_bytes() == content
    assert os.listdir(tmp_path) == ["f.bin"]


@pytest.mark.parametrize("error", [ValueError, KeyboardInterrupt])
def test_exception_keeps_old_file_and_removes_temporary(tmp_path, error):
    path = tmp_path / "f.bin"
    path.write_bytes(b"old")
    with pytest.raises(error), atomic_write(path) as f:
        f.write(b"half of the new cont")
        assert any(is_temporary(n) for n in os.listdir(tmp_path))  # written beside it
        raise error("stop")
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["f.bin"]


def test_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError), atomic_write(tmp_path / "no" / "f.bin"):
        pass
    assert os.listdir(tmp_path) == []


def test_permissions_like_a_plain_open(tmp_path):
    (tmp_path / "plain").write_bytes(b"")
    with atomic_write(tmp_path / "new") as f:
        f.write(b"x")
    mode = stat.S_IMODE(os.stat(tmp_path / "new").st_mode)
    assert mode == stat.S_IMODE(os.stat(tmp_path / "plain").st_mode)  # umask, not 0o600
    os.chmod(tmp_path / "new", 0o640)
    with atomic_write(tmp_path / "new") as f:
        f.write(b"y")
    assert stat.S_IMODE(os.stat(tmp_path / "new").st_mode) == 0o640  # an existing mode stays


def test_symlink_is_followed(tmp_path):
    (tmp_path / "real").write_bytes(b"old")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with atomic_write(tmp_path / "link") as f:
        f.write(b"new")
    assert (tmp_path / "link").is_symlink() and (tmp_path / "real").read_bytes() == b"new"


def test_temporary_names():
    assert is_temporary(".model.dnm.0123456789abcdef.tmp")
    assert not is_temporary("model.dnm") and not is_temporary(".model.dnm.tmp")
    assert not is_temporary(".model.dnm.0123456789abcdeg.tmp")


CHILD = textwrap.dedent("""
    import sys
    import numpy as np
    import deepnum as dn
    path, n = sys.argv[1], int(sys.argv[2])
    i = 0
    while True:
        dn.save({"i": i, "x": np.full(n, i, np.float32), "t": dn.full((2,), float(i))}, path)
        if i == 0:
            print("saved", flush=True)
        i += 1
""")


def _kill_mid_save(directory, path, n, saves_seen):
    """Run the saving child; SIGKILL it as soon as it is seen writing its ``saves_seen``-th
    temporary file after the first complete save."""
    old = set(os.listdir(directory))
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), str(n)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "saved\n"  # the first save is complete
        seen = set()
        for _ in range(10_000_000):
            seen |= {name for name in os.listdir(directory) if is_temporary(name)} - old
            if len(seen) >= saves_seen:
                break
            assert child.poll() is None, "the saving process died"
        else:
            pytest.fail("no save was ever seen in progress")
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL


def test_sigkill_during_save_leaves_a_complete_file(tmp_path):
    n = 4_000_000  # 16 MB per save, so a save takes long enough to be caught in the middle
    path = tmp_path / "ckpt.dnm"
    leftovers = 0
    for saves_seen in (1, 2, 3):
        _kill_mid_save(tmp_path, path, n, saves_seen)
        got = dn.load(path)  # never a torn file: one complete earlier save
        i = got["i"]
        assert isinstance(i, int) and i >= 0
        np.testing.assert_array_equal(got["x"], np.full(n, i, np.float32))
        np.testing.assert_array_equal(got["t"].data, np.full(2, float(i), np.float32))
        others = [name for name in os.listdir(tmp_path) if name != "ckpt.dnm"]
        assert all(is_temporary(name) for name in others), others  # leftovers are named so
        leftovers = len(others)
    assert leftovers >= 1  # killed mid-write: the temporary is left, the target is intact
    dn.save({"i": -1}, path)  # a stale temporary does not get in the way of the next save
    assert dn.load(path) == {"i": -1}
