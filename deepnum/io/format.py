"""The deepnum file: one safetensors file holding named arrays plus a JSON document.

Layout (the safetensors format, readable by any safetensors library)::

    8 bytes        N, the header length, unsigned little-endian
    N bytes        JSON header: {"__metadata__": {"format": "deepnum", "version": "1",
                                                  "meta": "<JSON text of meta>"},
                                 "<name>": {"dtype": "F32", "shape": [2, 3],
                                            "data_offsets": [begin, end]}, ...}
    the rest       the tensors' bytes, little-endian, C order, back to back

Reading never runs code (no pickle, eval or exec) and trusts nothing in the file: the header
length is checked against the file's size before anything is allocated from it, and every
dtype, shape and offset is checked before the bytes are handed to ``safetensors``.  Anything
wrong raises :class:`~deepnum.errors.FormatError` saying what was wrong and what was found.

>>> import os, tempfile, numpy as np
>>> path = os.path.join(tempfile.mkdtemp(), "model.dnm")
>>> write_file(path, {"w": np.eye(2, dtype=np.float32)}, {"layers": [2, 2]})
>>> tensors, meta = read_file(path)
>>> tensors["w"].tolist(), meta
([[1.0, 0.0], [0.0, 1.0]], {'layers': [2, 2]})
"""

from __future__ import annotations

import json
import math
import os
import stat
from typing import Any

import numpy as np
import safetensors
import safetensors.numpy

from ..errors import FormatError, NotFoundError
from .atomic import atomic_write

FORMAT = "deepnum"
VERSION = "1"
MAX_HEADER = 100_000_000  # bytes; the same bound the safetensors library enforces

# safetensors dtype code -> NumPy dtype (little-endian, the format's byte order)
DTYPES = {
    "F16": np.dtype("<f2"), "F32": np.dtype("<f4"), "F64": np.dtype("<f8"),
    "I8": np.dtype("i1"), "I16": np.dtype("<i2"), "I32": np.dtype("<i4"), "I64": np.dtype("<i8"),
    "U8": np.dtype("u1"), "U16": np.dtype("<u2"), "U32": np.dtype("<u4"), "U64": np.dtype("<u8"),
    "BOOL": np.dtype("?"),
}
_PICKLE = ("this is a pickle (e.g. torch.save output); deepnum never loads pickles because "
           "unpickling can execute code")


# ----- writing ------------------------------------------------------------------------------
def _prepare(name: Any, array: Any) -> np.ndarray:
    """``array`` as a C-contiguous, native-order array of a dtype the format stores."""
    if not isinstance(name, str):
        raise TypeError(f"write_file: tensor names must be strings, got {name!r}")
    if name == "__metadata__":
        raise ValueError("write_file: '__metadata__' is reserved by safetensors; rename the tensor")
    if not isinstance(array, np.ndarray):
        raise TypeError(f"write_file: tensor {name!r} must be a numpy.ndarray, "
                        f"got {type(array).__name__}")
    if array.dtype.newbyteorder("<") not in DTYPES.values():
        raise TypeError(f"write_file: tensor {name!r} has dtype {array.dtype}, which cannot be "
                        "saved (float16/32/64, int8/16/32/64, uint8/16/32/64 or bool)")
    if not array.dtype.isnative:
        array = array.astype(array.dtype.newbyteorder("="))
    return array if array.flags.c_contiguous else array.copy(order="C")


def _refuse(value: Any) -> Any:
    raise TypeError(f"write_file: meta must be JSON data, found {type(value).__name__}: "
                    f"{value!r:.80}")


def write_file(path: str | os.PathLike, tensors: dict[str, np.ndarray], meta: Any) -> None:
    """Save ``tensors`` and the JSON document ``meta`` to ``path``, atomically.

    ``tensors``: names to arrays of dtype float16/32/64, int8/16/32/64, uint8/16/32/64 or
    bool, any shape (0-d and empty included), contiguous or not.  ``meta``: anything
    ``json.dumps`` takes (dicts, lists, str, int of any size, float, bool, None); it comes
    back as ``json.loads`` gives it (tuples as lists, keys as strings; NaN and ±Infinity are
    kept; a str holding a surrogate pair as two code points comes back joined, as JSON does).
    The file replaces ``path`` only once completely written (see ``atomic_write``).
    """
    if not isinstance(tensors, dict):
        raise TypeError(f"write_file: tensors must be a dict of name -> array, "
                        f"got {type(tensors).__name__}")
    arrays = {name: _prepare(name, array) for name, array in tensors.items()}
    text = json.dumps(meta, ensure_ascii=True, default=_refuse)
    header = {"format": FORMAT, "version": VERSION, "meta": text}
    data = safetensors.numpy.save(arrays, metadata=header)
    with atomic_write(path) as file:
        file.write(data)


# ----- reading ------------------------------------------------------------------------------
def _recognise(head: bytes) -> str | None:
    """Name a well-known format that is not ours from the first bytes of a file, or None."""
    if len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5:
        return _PICKLE
    if head[:4] == b"PK\x03\x04":  # zip: torch.save puts "<archive>/data.pkl" first
        size = int.from_bytes(head[26:28], "little")
        first = head[30:30 + size].decode("utf-8", "replace")
        if first.endswith(".pkl"):
            return f"{_PICKLE} (a zip archive holding {first!r})"
        return ("this is a zip archive (e.g. a .npz or .keras file), not a deepnum file; "
                f"its first entry is {first!r}")
    return None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = {}
    for key, value in pairs:
        if key in out:
            raise FormatError(f"the key {key!r} appears twice in one object")
        out[key] = value
    return out


def _parse_json(text: bytes | str, what: str) -> Any:
    try:
        return json.loads(text.decode() if isinstance(text, bytes) else text,
                          object_pairs_hook=_unique_keys)
    except FormatError as error:
        raise FormatError(f"{what}: {error}") from None
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise FormatError(f"{what} is not valid JSON ({type(error).__name__}: {error}); "
                          f"it begins {text[:60]!r}") from None


def _read_header(file, size: int) -> tuple[dict[str, Any], int]:
    """The parsed JSON header and its length; checks the length field against ``size``."""
    if size < 8:
        raise FormatError(f"file too short: {size} bytes; a deepnum file starts with an 8-byte "
                          "header length and a JSON header")
    length = int.from_bytes(file.read(8), "little")
    if length > size - 8:
        raise FormatError(f"header length field says {length} bytes but only {size - 8} bytes "
                          "follow it (truncated file, or not a deepnum file)")
    if length > MAX_HEADER:
        raise FormatError(f"header length field says {length} bytes, more than the "
                          f"{MAX_HEADER}-byte limit (corrupt file)")
    raw = file.read(length)
    if len(raw) != length:
        raise FormatError(f"file shrank while being read: got {len(raw)} of {length} header bytes")
    header = _parse_json(raw, "the header")
    if not isinstance(header, dict):
        raise FormatError(f"the header must be a JSON object, got {type(header).__name__}: "
                          f"{raw[:60]!r}")
    return header, length


def _check_meta(header: dict[str, Any]) -> Any:
    """The ``meta`` document from ``__metadata__``, after checking that deepnum wrote it."""
    info = header.get("__metadata__")
    if info is None:
        raise FormatError("metadata missing: this safetensors file has no '__metadata__', so "
                          "deepnum did not write it")
    if not isinstance(info, dict) or info.get("format") != FORMAT or "meta" not in info:
        raise FormatError(f"metadata is not deepnum's: expected format 'deepnum' with a 'meta' "
                          f"entry, got {json.dumps(info)[:200]}")
    if info.get("version") != VERSION:
        raise FormatError(f"unsupported deepnum file version {info.get('version')!r}; "
                          f"this deepnum reads version {VERSION!r}")
    if not isinstance(info["meta"], str):
        raise FormatError(f"'meta' must be JSON text, got {type(info['meta']).__name__}")
    return _parse_json(info["meta"], "the metadata 'meta' entry")


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_entry(name: str, entry: Any, data_size: int) -> tuple[int, int]:
    """Check one tensor's header entry; return its (begin, end) byte offsets."""
    if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
        raise FormatError(f"tensor {name!r}: expected an object with dtype, shape and "
                          f"data_offsets, got {json.dumps(entry)[:200]}")
    dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    if dtype not in DTYPES:
        raise FormatError(f"tensor {name!r}: unknown dtype {dtype!r} "
                          f"(deepnum reads {', '.join(DTYPES)})")
    if not isinstance(shape, list) or not all(_is_count(n) for n in shape):
        raise FormatError(f"tensor {name!r}: shape must be a list of non-negative integers, "
                          f"got {json.dumps(shape)[:200]}")
    if (not isinstance(offsets, list) or len(offsets) != 2
            or not all(_is_count(n) for n in offsets)):
        raise FormatError(f"tensor {name!r}: data_offsets must be two non-negative integers, "
                          f"got {json.dumps(offsets)[:200]}")
    begin, end = offsets
    if not begin <= end <= data_size:
        raise FormatError(f"tensor {name!r}: data_offsets [{begin}, {end}] out of range; the "
                          f"data section has {data_size} bytes")
    needed = math.prod(shape) * DTYPES[dtype].itemsize
    if end - begin != needed:
        raise FormatError(f"tensor {name!r}: shape {shape} of dtype {dtype} needs {needed} "
                          f"bytes but data_offsets [{begin}, {end}] hold {end - begin}")
    return begin, end


def _check_layout(spans: list[tuple[int, int, str]], data_size: int) -> None:
    """The tensors' bytes must tile the data section: no overlap, no gap, nothing after."""
    position, previous = 0, None
    for begin, end, name in sorted(spans):
        if begin < position:
            raise FormatError(f"tensors {previous!r} and {name!r} overlap (bytes {begin} to "
                              f"{position})")
        if begin > position:
            raise FormatError(f"bytes {position} to {begin} of the data belong to no tensor")
        position, previous = end, name
    if position != data_size:
        raise FormatError(f"{data_size - position} bytes after the last tensor belong to "
                          "no tensor")


def _open(path: str | os.PathLike) -> tuple[Any, str]:
    where = os.path.abspath(os.fspath(path))
    try:
        mode = os.stat(where).st_mode
    except FileNotFoundError:
        raise NotFoundError(f"no deepnum file at {where!r}") from None
    if not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
        raise FormatError(f"{where!r} is {kind}, not a deepnum file")
    return open(where, "rb"), where  # noqa: SIM115 - closed by the caller's with


def read_file(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], Any]:
    """Load what :func:`write_file` saved: ``(tensors, meta)``.

    Arrays are writable, native-order NumPy arrays of the saved dtypes and shapes.  Raises
    ``NotFoundError`` if there is no file, ``FormatError`` for anything that is not an intact
    deepnum file (a pickle or ``torch.save`` output is recognised and refused by name).
    """
    file, where = _open(path)
    with file:
        size = os.fstat(file.fileno()).st_size
        try:
            header, length = _read_header(file, size)
        except FormatError as error:
            file.seek(0)
            known = _recognise(file.read(512))
            raise FormatError(f"{where!r}: {known or error}") from None
        try:
            meta = _check_meta(header)
            data_size = size - 8 - length
            entries = {k: v for k, v in header.items() if k != "__metadata__"}
            spans = [(*_check_entry(k, v, data_size), k) for k, v in entries.items()]
            _check_layout(spans, data_size)
        except FormatError as error:
            raise FormatError(f"{where!r}: {error}") from None
        file.seek(0)
        content = file.read(size)
    if len(content) != size:
        raise FormatError(f"{where!r}: file changed while being read ({len(content)} of "
                          f"{size} bytes)")
    try:
        loaded = safetensors.numpy.load(content)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # the library's own checks (a Rust panic is a BaseException)
        raise FormatError(f"{where!r}: safetensors rejected the file: {error}") from None
    if loaded.keys() != entries.keys():
        raise FormatError(f"{where!r}: safetensors read tensors {sorted(loaded)[:10]}, the "
                          f"header lists {sorted(entries)[:10]}")
    tensors = {}
    for name in entries:  # the file's order
        array = loaded[name].astype(loaded[name].dtype.newbyteorder("="), copy=False)
        tensors[name] = array if array.flags.writeable else array.copy()
    return tensors, meta
