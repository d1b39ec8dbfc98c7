"""Atomic file writes: a reader sees the old file or the new one, never half of one.

The bytes go to a temporary file in the same directory (so the final rename stays on one file
system), which is flushed and ``fsync``-ed, then ``os.replace``-d over the target; the
directory is ``fsync``-ed last so the rename itself survives a power cut.  If anything fails
before the rename, the temporary is removed and the old file is untouched.  Only a process
killed outright (SIGKILL, power loss) can leave a temporary behind; it is always named
``.<name>.<random>.tmp`` next to the target (see :func:`is_temporary`).

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "weights.bin")
>>> with atomic_write(path) as f:
...     _ = f.write(b"new weights")
>>> open(path, "rb").read()
b'new weights'
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Iterator
from typing import BinaryIO

_TEMP = re.compile(r"^\..+\.[0-9a-f]{16}\.tmp$")


def is_temporary(name: str) -> bool:
    """Whether ``name`` (a base name) is a temporary that :func:`atomic_write` creates."""
    return bool(_TEMP.match(name))


def _create_temporary(directory: str, name: str) -> tuple[int, str]:
    """Create and open a new, empty temporary next to the target.

    ``os.open`` with mode 0o666 lets the umask decide the permissions, as a plain ``open``
    would (``tempfile.mkstemp`` would make the file private, 0o600).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temp = os.path.join(directory, f".{name}.{os.urandom(8).hex()}.tmp")
        try:
            return os.open(temp, flags, 0o666), temp
        except FileExistsError:  # a name drawn twice: draw again
            continue


def _fsync_directory(directory: str) -> None:
    """Make a rename in ``directory`` durable (POSIX only; Windows cannot open directories)."""
    if os.name == "nt":
        return
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """Open a binary file whose content replaces ``path`` only when the block ends normally.

    Write to the yielded file; on leaving the block it is flushed, fsync-ed and renamed over
    ``path`` (which keeps its permission bits if it existed; a symbolic link is followed and
    its target replaced).  On an exception the temporary is deleted, ``path`` keeps its old
    content, and the exception propagates.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "state.json")
    >>> with atomic_write(path) as f:
    ...     _ = f.write(b"{}")
    >>> try:
    ...     with atomic_write(path) as f:
    ...         _ = f.write(b"half a fi")
    ...         raise KeyboardInterrupt
    ... except KeyboardInterrupt:
    ...     pass
    >>> open(path, "rb").read(), os.listdir(os.path.dirname(path))
    (b'{}', ['state.json'])
    """
    target = os.path.realpath(os.fspath(path))
    directory, name = os.path.split(target)
    fd, temp = _create_temporary(directory, name)
    try:
        with os.fdopen(fd, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(temp, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_directory(directory)
