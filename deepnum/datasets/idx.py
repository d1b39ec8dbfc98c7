"""Read and write IDX files, the format of MNIST and Fashion-MNIST.

An IDX file is a header followed by the elements in C order, big-endian::

    bytes 0-1   0x00 0x00
    byte  2     element type: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                0x0D float32, 0x0E float64
    byte  3     number of dimensions d (1..255)
    then d      big-endian uint32 sizes, then prod(sizes) elements

A file may be gzipped; :func:`read_idx` recognises gzip by its magic bytes ``1f 8b``, not by
the file name.  The reader checks the header against the real size of the file before it
allocates anything, and reads gzip streams in bounded chunks, never more than the header
declares plus one byte (to detect trailing data).  Anything wrong raises
:class:`deepnum.errors.FormatError` naming the file and the problem.

>>> import io, numpy as np
>>> buf = io.BytesIO()
>>> _ = buf.write(bytes([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3]) + bytes(range(6)))
>>> _ = buf.seek(0)
>>> read_idx(buf)
array([[0, 1, 2],
       [3, 4, 5]], dtype=uint8)
"""

from __future__ import annotations

import gzip
import io
import math
import os
import struct
import zlib
from typing import BinaryIO

import numpy as np

from ..errors import DTypeError, FormatError, ShapeError
from ._files import atomic_write

__all__ = ["read_idx", "write_idx"]

# Element type code -> dtype as stored (big-endian).
_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dt.newbyteorder("="): code for code, dt in _TYPES.items()}
_VALID = "0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64"
_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20
# Deflate cannot compress better than 1032:1 (a 258-byte match in 2 bits), so a gzip file of
# n bytes decompresses to at most 1032 n bytes (plus slack for tiny files).
_MAX_DEFLATE_RATIO = 1032
_SLACK = 1 << 16


class _Prepend(io.RawIOBase):
    """A readable stream that first returns ``head``, then the rest of ``f`` (a one-shot peek
    that works on pipes and sockets as well as on files)."""

    def __init__(self, head: bytes, f: BinaryIO) -> None:
        self._head, self._f = head, f

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self._head:
            k = len(self._head) if n < 0 else n
            out, self._head = self._head[:k], self._head[k:]
            return out
        return self._f.read(n)

    def readinto(self, b) -> int:  # type: ignore[override]
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)


def _remaining(f: BinaryIO) -> int | None:
    """Bytes left in ``f`` from its current position, or None when it cannot be told."""
    try:
        if not f.seekable():
            return None
        here = f.tell()
        end = f.seek(0, os.SEEK_END)
        f.seek(here)
    except (OSError, AttributeError, ValueError):
        return None
    return end - here


def _read_exact(stream: BinaryIO, n: int, name: str, what: str) -> bytearray:
    """Read exactly ``n`` bytes in chunks of at most 1 MiB; memory grows only with real data."""
    buf = bytearray()
    while len(buf) < n:
        chunk = stream.read(min(_CHUNK, n - len(buf)))
        if not chunk:
            raise FormatError(
                f"IDX file {name!r} is truncated: expected {n} bytes of {what}, "
                f"the file ends after {len(buf)}"
            )
        buf += chunk
    return buf


def _parse(stream: BinaryIO, name: str, stored: int | None, gzipped: bool) -> np.ndarray:
    magic = _read_exact(stream, 4, name, "magic number")
    if magic[:2] != b"\0\0":
        raise FormatError(
            f"IDX file {name!r}: bad magic number 0x{magic.hex().upper()} "
            "(an IDX file starts with two zero bytes, a type code and the number of dimensions)"
        )
    code, ndim = magic[2], magic[3]
    if code not in _TYPES:
        raise FormatError(f"IDX file {name!r}: unknown element type code 0x{code:02X} "
                          f"(valid: {_VALID})")
    if ndim == 0:
        raise FormatError(f"IDX file {name!r}: header declares 0 dimensions (need 1 to 255)")
    dtype = _TYPES[code]
    dims = struct.unpack(f">{ndim}I", _read_exact(stream, 4 * ndim, name, "dimension sizes"))
    payload = math.prod(dims) * dtype.itemsize  # Python int: no overflow on absurd dims
    total = 4 + 4 * ndim + payload
    declared = f"header declares shape {dims} of {dtype.newbyteorder('=')} ({total} bytes)"
    if math.prod(n for n in dims if n) * dtype.itemsize > np.iinfo(np.intp).max:
        # Even with a zero dimension NumPy refuses such a shape.
        raise FormatError(f"IDX file {name!r}: {declared}: absurd dimensions, larger than "
                          "any array can be")
    if stored is not None and not gzipped and total != stored:
        problem = "is truncated" if stored < total else f"has {stored - total} trailing bytes"
        raise FormatError(f"IDX file {name!r} {problem}: {declared}, the file holds {stored}")
    if stored is not None and gzipped and total > _MAX_DEFLATE_RATIO * stored + _SLACK:
        raise FormatError(
            f"IDX file {name!r}: {declared}, more than a gzip file of {stored} bytes can "
            "hold: the header or the file is corrupt or truncated"
        )
    data = _read_exact(stream, payload, name, f"data ({declared})")
    if stream.read(1):
        raise FormatError(f"IDX file {name!r} has trailing bytes after the data: {declared}")
    array = np.frombuffer(data, dtype=dtype).reshape(dims)
    return array.astype(dtype.newbyteorder("=")) if dtype.itemsize > 1 else array


def read_idx(source: str | os.PathLike[str] | BinaryIO) -> np.ndarray:
    """Read an IDX file (raw or gzipped) into a native-endian NumPy array.

    ``source`` is a path or a binary file object (read from its current position).  The
    array has the file's shape and dtype (uint8, int8, int16, int32, float32 or float64) and
    is writable.  Raises :class:`~deepnum.errors.FormatError` on a bad magic number, an
    unknown type code, a truncated file or gzip stream, trailing bytes, or a header that
    declares more data than the file can hold.

    >>> import tempfile, os, numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "x.idx.gz")
    >>> write_idx(path, np.arange(6, dtype=np.int16).reshape(2, 3))
    >>> read_idx(path)
    array([[0, 1, 2],
           [3, 4, 5]], dtype=int16)
    """
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as f:
            return _read(f, os.fspath(source))
    return _read(source, str(getattr(source, "name", "<stream>")))


def _read(f: BinaryIO, name: str) -> np.ndarray:
    stored = _remaining(f)
    head = f.read(2)
    gzipped = head == _GZIP_MAGIC
    stream: BinaryIO = _Prepend(head, f)  # type: ignore[assignment]
    if not gzipped:
        return _parse(stream, name, stored, gzipped=False)
    try:
        with gzip.GzipFile(fileobj=stream, mode="rb") as g:
            return _parse(g, name, stored, gzipped=True)  # type: ignore[arg-type]
    except EOFError as e:
        raise FormatError(f"IDX file {name!r}: truncated gzip stream ({e})") from None
    except (gzip.BadGzipFile, zlib.error) as e:
        raise FormatError(f"IDX file {name!r}: corrupt gzip stream ({e})") from None


def write_idx(
    path: str | os.PathLike[str], array: np.ndarray, *, compress: bool | None = None
) -> None:
    """Write ``array`` as an IDX file, atomically (temporary file, fsync, rename).

    The dtype must be one IDX can hold: uint8, int8, int16, int32, float32 or float64; the
    array needs 1 to 255 dimensions, each below 2**32.  ``compress=None`` gzips when the
    name ends in ``.gz``.  Gzipped output is byte-for-byte reproducible (no time stamp, no
    file name in the gzip header).

    >>> import tempfile, os, numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte")
    >>> write_idx(path, np.array([3, 1, 4], dtype=np.uint8))
    >>> open(path, "rb").read()
    b'\\x00\\x00\\x08\\x01\\x00\\x00\\x00\\x03\\x03\\x01\\x04'
    """
    a = np.asarray(array)
    code = _CODES.get(a.dtype.newbyteorder("="))
    if code is None:
        raise DTypeError(
            f"write_idx: IDX cannot hold dtype {a.dtype} (valid: uint8, int8, int16, int32, "
            "float32, float64)"
        )
    if not 1 <= a.ndim <= 255 or any(n >= 2**32 for n in a.shape):
        raise ShapeError(
            f"write_idx: IDX needs 1 to 255 dimensions, each below 2**32; got shape {a.shape}"
        )
    header = bytes([0, 0, code, a.ndim]) + struct.pack(f">{a.ndim}I", *a.shape)
    data = np.ascontiguousarray(a, dtype=_TYPES[code]).reshape(-1).view(np.uint8)
    if compress is None:
        compress = os.fspath(path).endswith(".gz")
    with atomic_write(path) as f:
        if compress:
            with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0) as g:
                g.write(header)
                g.write(data)
        else:
            f.write(header)
            f.write(data)
