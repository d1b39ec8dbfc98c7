"""Download one pinned file from a list of mirrors into a directory, atomically.

Each mirror is tried in turn.  A mirror fails (and the next one is tried) when it cannot be
reached, answers with an HTTP error, serves an HTML page instead of the data, sends more or
fewer bytes than pinned, or sends bytes whose SHA-256 differs from the pinned one.  Only a
file whose hash matches is renamed into place; the final error lists every URL tried and
why each failed.
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path
from typing import BinaryIO, NamedTuple, TextIO

from ..errors import DownloadError
from ._files import atomic_write

_CHUNK = 1 << 16
_TIMEOUT = 30.0


class Pinned(NamedTuple):
    """A file of a data set: its original name, size in bytes and SHA-256 (hex)."""

    name: str
    size: int
    sha256: str


class _Failed(Exception):
    """One mirror failed; the message says why."""


class Unreachable(_Failed):
    """The mirror could not be reached at all (no network, refused, timed out)."""


class Progress:
    """A light progress display on a text stream.

    On a terminal: one line rewritten in place (at most ten times a second), ended by a
    newline when done.  Elsewhere (a log file, CI, a notebook capture): nothing until the
    download finishes, then one line.
    """

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label, self.total = label, total
        self.stream = sys.stderr if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self.tty = bool(isatty and isatty())
        self.done, self._shown = 0, float("-inf")

    def update(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if self.tty and now - self._shown >= 0.1:
            self._shown = now
            self.stream.write(f"\r{self._line()}")
            self.stream.flush()

    def finish(self, url: str) -> None:
        start = "\r" if self.tty else ""
        self.stream.write(f"{start}{self._line()} from {url}\n")
        self.stream.flush()

    def abandon(self) -> None:
        """Clear the terminal line of a download that failed (the error says why)."""
        if self.tty and self.done:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def _line(self) -> str:
        pct = 100 * self.done // self.total if self.total else 100
        return (f"downloading {self.label}: {self.done / 1e6:.1f}/{self.total / 1e6:.1f} MB "
                f"{pct:3d}%")


def download(pinned: Pinned, mirrors: list[str], dest: Path, label: str) -> Path:
    """Fetch ``pinned`` from the first mirror that serves the right bytes into ``dest``.

    Returns the path of the file written.  Raises :class:`DownloadError` listing every URL
    and its failure; its ``unreachable`` attribute is True when no mirror could be reached
    at all (the caller then reports the machine as offline).
    """
    failures: list[str] = []
    unreachable = True
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + pinned.name
        progress = Progress(f"{label}/{pinned.name}", pinned.size)
        try:
            _fetch(url, pinned, dest / pinned.name, progress)
        except _Failed as e:
            progress.abandon()
            unreachable = unreachable and isinstance(e, Unreachable)
            failures.append(f"{url}: {e}")
            continue
        progress.finish(url)
        return dest / pinned.name
    tried = "\n".join(f"  - {line}" for line in failures) or "  (no mirrors configured)"
    error = DownloadError(f"could not download {label}/{pinned.name} from any mirror:\n{tried}")
    error.unreachable = unreachable  # type: ignore[attr-defined]
    error.failures = failures  # type: ignore[attr-defined]
    raise error


def _fetch(url: str, pinned: Pinned, path: Path, progress: Progress) -> None:
    import http.client
    import urllib.error
    import urllib.request

    try:
        request = urllib.request.Request(url, headers={"User-Agent": "deepnum"})
        response = urllib.request.urlopen(request, timeout=_TIMEOUT)
    except urllib.error.HTTPError as e:
        raise _Failed(f"HTTP {e.code} {e.reason}") from None
    except (urllib.error.URLError, OSError) as e:
        raise Unreachable(f"unreachable ({getattr(e, 'reason', e)})") from None
    except http.client.HTTPException as e:
        raise _Failed(f"not a valid HTTP answer ({type(e).__name__}: {e})") from None
    except ValueError as e:
        raise _Failed(f"invalid URL ({e})") from None
    with response:
        kind = response.headers.get("Content-Type", "")
        if "html" in kind.lower():
            raise _Failed(f"served an HTML page ({kind}) instead of the data")
        length = response.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) != pinned.size:
            raise _Failed(f"announces {length} bytes, expected {pinned.size}")
        try:
            with atomic_write(path) as f:
                _copy_checked(response, f, pinned, progress)
        except (OSError, http.client.HTTPException) as e:
            raise _Failed(f"transfer failed ({e})") from None


def _copy_checked(response: BinaryIO, f: BinaryIO, pinned: Pinned, progress: Progress) -> None:
    """Copy the body into ``f``, hashing it; raise :class:`_Failed` (so the temporary file is
    discarded) when it is HTML, too long, too short or hashes wrong."""
    digest, size, first = hashlib.sha256(), 0, True
    while chunk := response.read(_CHUNK):
        if first and chunk.lstrip()[:1] == b"<":
            raise _Failed(f"served an HTML page instead of the data ({chunk[:40]!r}...)")
        first = False
        size += len(chunk)
        if size > pinned.size:
            raise _Failed(f"sent more than the expected {pinned.size} bytes")
        digest.update(chunk)
        f.write(chunk)
        progress.update(len(chunk))
    if size != pinned.size:
        raise _Failed(f"sent {size} bytes, expected {pinned.size} (truncated transfer)")
    if digest.hexdigest() != pinned.sha256:
        raise _Failed(f"SHA-256 mismatch: got {digest.hexdigest()}, pinned {pinned.sha256}")
