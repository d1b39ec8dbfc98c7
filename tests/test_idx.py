"""IDX reader and writer: round trips of every element type, the byte layout, every kind of
corruption, and fuzzing (only deepnum errors, bounded memory, never another exception)."""

from __future__ import annotations

import gzip
import io
import os
import struct
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deepnum.datasets import idx, read_idx, write_idx
from deepnum.errors import DTypeError, FormatError, ShapeError

CODES = {"uint8": 0x08, "int8": 0x09, "int16": 0x0B, "int32": 0x0C, "float32": 0x0D,
         "float64": 0x0E}
DTYPES = list(CODES)
SHAPES = [(7,), (3, 5), (2, 3, 4), (2, 1, 3, 2), (0,), (4, 0, 2)]


def sample(dtype: str, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Values covering the dtype's extremes (and NaN/inf for floats), in random order."""
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind == "f":
        pool = np.array([0.0, -0.0, 1.5, -2.25, np.inf, -np.inf, np.nan,
                         np.finfo(dt).max, np.finfo(dt).tiny], dtype=dt)
    else:
        info = np.iinfo(dt)
        pool = np.array([0, 1, info.min, info.max, info.max // 3], dtype=dt)
    return rng.choice(pool, size=shape)


def raw_bytes(a: np.ndarray, code: int) -> bytes:
    """An IDX file assembled by hand from the format description (independent of write_idx)."""
    return (bytes([0, 0, code, a.ndim]) + struct.pack(f">{a.ndim}I", *a.shape)
            + a.astype(a.dtype.newbyteorder(">")).tobytes())


class Pipe:
    """A non-seekable binary stream (like a socket or a pipe): only ``read``."""

    def __init__(self, data: bytes) -> None:
        self._buf = io.BytesIO(data)

    def read(self, n: int = -1) -> bytes:
        return self._buf.read(n)


# --- round trips -----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_round_trip(tmp_path, dtype, shape, suffix):
    a = sample(dtype, shape)
    path = tmp_path / f"a-idx{suffix}"
    write_idx(path, a)
    b = read_idx(path)
    assert b.dtype == a.dtype and b.dtype.isnative and b.shape == a.shape
    assert b.flags.writeable
    np.testing.assert_array_equal(a, b)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == (suffix == ".gz")


@pytest.mark.parametrize("dtype,code", CODES.items())
def test_byte_layout_follows_the_format(tmp_path, dtype, code):
    a = sample(dtype, (2, 3), seed=1)
    write_idx(tmp_path / "a", a)
    assert (tmp_path / "a").read_bytes() == raw_bytes(a, code)
    # and the reader decodes a file assembled by hand, from a path, a file and a pipe
    data = raw_bytes(a, code)
    for source in (io.BytesIO(data), Pipe(data), Pipe(gzip.compress(data))):
        np.testing.assert_array_equal(read_idx(source), a)


def test_gzip_is_detected_by_magic_not_by_name(tmp_path):
    a = sample("int32", (4, 2))
    (tmp_path / "plain.gz").write_bytes(raw_bytes(a, 0x0C))
    (tmp_path / "packed.idx").write_bytes(gzip.compress(raw_bytes(a, 0x0C)))
    np.testing.assert_array_equal(read_idx(tmp_path / "plain.gz"), a)
    np.testing.assert_array_equal(read_idx(tmp_path / "packed.idx"), a)
    write_idx(tmp_path / "forced", a, compress=True)
    assert (tmp_path / "forced").read_bytes()[:2] == b"\x1f\x8b"


def test_reads_from_the_current_position_of_a_file_object():
    a = sample("uint8", (3, 3))
    f = io.BytesIO(b"junk" + raw_bytes(a, 0x08))
    f.seek(4)
    np.testing.assert_array_equal(read_idx(f), a)


def test_multi_member_gzip_is_one_stream():
    data = raw_bytes(sample("int16", (5, 2)), 0x0B)
    joined = gzip.compress(data[:7]) + gzip.compress(data[7:])
    np.testing.assert_array_equal(read_idx(io.BytesIO(joined)), sample("int16", (5, 2)))


def test_gzipped_output_is_reproducible(tmp_path):
    a = sample("float32", (3, 4))
    write_idx(tmp_path / "1.gz", a)
    write_idx(tmp_path / "2.gz", a)
    blob = (tmp_path / "1.gz").read_bytes()
    assert blob == (tmp_path / "2.gz").read_bytes()
    assert blob[3] == 0 and blob[4:8] == b"\0\0\0\0"  # no file name, no time stamp


# --- writer errors and atomicity ----------------------------------------------------------

@pytest.mark.parametrize("bad", [np.zeros(3, bool), np.zeros(3, np.int64),
                                 np.zeros(3, np.float16), np.zeros(3, np.uint16)])
def test_write_rejects_dtypes_idx_cannot_hold(tmp_path, bad):
    with pytest.raises(DTypeError, match=str(bad.dtype)):
        write_idx(tmp_path / "x", bad)
    assert list(tmp_path.iterdir()) == []


def test_write_rejects_zero_dimensions(tmp_path):
    with pytest.raises(ShapeError, match=r"shape \(\)"):
        write_idx(tmp_path / "x", np.uint8(3))


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "x.gz"
    write_idx(path, np.arange(4, dtype=np.uint8))
    before = path.read_bytes()

    class Exploding(gzip.GzipFile):
        def write(self, data):
            raise OSError("disk full")

    monkeypatch.setattr(idx.gzip, "GzipFile", Exploding)
    with pytest.raises(OSError, match="disk full"):
        write_idx(path, np.arange(9, dtype=np.uint8))
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["x.gz"]


# --- corruption ---------------------------------------------------------------------------

GOOD = raw_bytes(sample("uint8", (4, 3, 2)), 0x08)


def both(data: bytes) -> list[bytes]:
    return [data, gzip.compress(data)]


@pytest.mark.parametrize("data,message", [
    (b"\x01\x00" + GOOD[2:], "bad magic number 0x01000803"),
    (b"\x00\x00\x0a\x03" + GOOD[4:], "unknown element type code 0x0A"),
    (b"\x00\x00\x08\x00" + GOOD[4:], "0 dimensions"),
    (GOOD[:-1], "truncated"),
    (GOOD[:10], "truncated"),
    (GOOD[:2], "truncated"),
    (b"", "truncated"),
    (GOOD + b"\0", "trailing bytes"),
])
def test_corrupt_files_raise_format_error_naming_the_file(tmp_path, data, message):
    for i, blob in enumerate(both(data)):
        path = tmp_path / f"bad{i}"
        path.write_bytes(blob)
        with pytest.raises(FormatError, match=message) as info:
            read_idx(path)
        assert str(path) in str(info.value)


def test_truncated_and_corrupt_gzip_streams(tmp_path):
    blob = gzip.compress(GOOD)
    (tmp_path / "cut.gz").write_bytes(blob[: len(blob) // 2])
    with pytest.raises(FormatError, match="truncated gzip stream"):
        read_idx(tmp_path / "cut.gz")
    (tmp_path / "crc.gz").write_bytes(blob[:-8] + bytes([blob[-8] ^ 0xFF]) + blob[-7:])
    with pytest.raises(FormatError, match="corrupt gzip stream"):
        read_idx(tmp_path / "crc.gz")
    (tmp_path / "junk.gz").write_bytes(blob + b"garbage!")
    with pytest.raises(FormatError, match="corrupt gzip stream"):
        read_idx(tmp_path / "junk.gz")


def peak_bytes(fn) -> int:
    tracemalloc.start()
    try:
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


@pytest.mark.parametrize("dims", [(2**31, 2**31, 2**31), (60000, 28, 28), (2**32 - 1,)])
def test_huge_dims_on_a_tiny_file_fail_fast_without_allocating(tmp_path, dims):
    header = bytes([0, 0, 0x0E, len(dims)]) + struct.pack(f">{len(dims)}I", *dims)
    for name, blob in (("raw", header + bytes(64)), ("gz", gzip.compress(header + bytes(64)))):
        (tmp_path / name).write_bytes(blob)
        for source in (tmp_path / name, Pipe(blob)):
            def read(source=source):
                with pytest.raises(FormatError, match="truncated|can hold|absurd"):
                    read_idx(source)
            # Declared: >= 376 MB.  Allowed: one 1 MiB read chunk plus buffers.
            assert peak_bytes(read) < 4 << 20


# --- fuzzing ------------------------------------------------------------------------------

MEMORY_CAP = 8 << 20  # inputs are at most a few KB: no legitimate read needs more


def read_fuzzed(blob: bytes, tmp_path) -> None:
    """Read ``blob`` as a file, a BytesIO and a pipe: it parses or raises FormatError."""
    path = tmp_path / "fuzz"
    path.write_bytes(blob)
    for source in (path, io.BytesIO(blob), Pipe(blob)):
        def read(source=source):
            try:
                a = read_idx(source)
            except FormatError:
                return
            assert isinstance(a, np.ndarray) and a.dtype.isnative
        assert peak_bytes(read) < MEMORY_CAP


FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(st.binary(max_size=300), st.booleans())
def test_fuzz_random_bytes(tmp_path, blob, gzip_magic):
    read_fuzzed((b"\x1f\x8b" + blob) if gzip_magic else blob, tmp_path)


@st.composite
def mutated_files(draw):
    dtype = draw(st.sampled_from(DTYPES))
    shape = tuple(draw(st.lists(st.integers(0, 5), min_size=1, max_size=4)))
    data = raw_bytes(sample(dtype, shape, seed=draw(st.integers(0, 9))), CODES[dtype])
    blob = bytearray(gzip.compress(data) if draw(st.booleans()) else data)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "cut", "append", "header"]))
        if kind == "flip" and blob:
            i = draw(st.integers(0, len(blob) - 1))
            blob[i] ^= draw(st.integers(1, 255))
        elif kind == "cut":
            del blob[draw(st.integers(0, len(blob))):]
        elif kind == "append":
            blob += draw(st.binary(min_size=1, max_size=20))
        elif kind == "header" and len(blob) >= 8:
            i = draw(st.integers(0, min(len(blob), 24) - 1))
            blob[i] = draw(st.sampled_from([0x00, 0x7F, 0x80, 0xFF]))
    return bytes(blob)


@FUZZ
@given(mutated_files())
def test_fuzz_mutated_valid_files(tmp_path, blob):
    read_fuzzed(blob, tmp_path)
