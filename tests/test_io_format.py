"""The file layer: write_file/read_file round trips, safetensors compatibility, and every way a
file can be wrong (each a FormatError saying what and what was found)."""

from __future__ import annotations

import json
import os
import pickle

import numpy as np
import pytest
import safetensors
import safetensors.numpy
import torch

from deepnum.errors import FormatError, NotFoundError
from deepnum.io import read_file, write_file
from deepnum.io.format import MAX_HEADER

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
          "uint16", "uint32", "uint64", "bool"]
SHAPES = [(), (0,), (7,), (3, 0, 2), (2, 3), (2, 3, 4, 5)]


def _random(rng, dtype, shape):
    if dtype == "bool":
        return rng.integers(0, 2, shape).astype(bool)
    if np.dtype(dtype).kind == "f":
        a = rng.standard_normal(shape).astype(dtype)
        if a.size >= 4:  # special values must survive bit for bit
            a.flat[:4] = [np.nan, np.inf, -np.inf, -0.0]
        return a
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)


def _same(a: np.ndarray, b: np.ndarray) -> None:
    assert type(b) is np.ndarray and b.dtype == a.dtype and b.shape == a.shape
    assert a.tobytes() == b.tobytes()  # bit-exact: nan payloads, -0.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_round_trip_every_dtype_and_shape(tmp_path, dtype):
    rng = np.random.default_rng(1)
    tensors = {f"t{i}": _random(rng, dtype, s) for i, s in enumerate(SHAPES)}
    path = tmp_path / "x.dnm"
    write_file(path, tensors, {"dtype": dtype})
    got, meta = read_file(path)
    assert meta == {"dtype": dtype} and list(got) == sorted(got)
    for name, array in tensors.items():
        _same(array, got[name])
        assert got[name].flags.writeable and got[name].flags.c_contiguous


def test_non_contiguous_big_endian_and_empty(tmp_path):
    base = np.arange(60, dtype=np.float64).reshape(3, 4, 5)
    tensors = {"t": base.transpose(2, 0, 1), "s": base[::2, 1, ::-2],
               "be": np.arange(5, dtype=">i4"), "f": np.asfortranarray(base[0])}
    write_file(tmp_path / "a", tensors, None)
    got, meta = read_file(tmp_path / "a")
    assert meta is None
    for name in tensors:
        np.testing.assert_array_equal(got[name], tensors[name])
        assert got[name].dtype == tensors[name].dtype.newbyteorder("=")
    write_file(tmp_path / "e", {}, {})
    assert read_file(tmp_path / "e") == ({}, {})


def test_meta_keeps_big_ints_nan_and_unicode(tmp_path):
    state = np.random.PCG64(12345).state
    assert state["state"]["state"] > 2**64  # a real 128-bit state
    meta = {"rng": state, "loss": [float("nan"), float("inf"), -0.0, 1e-310],
            "name": "réseau ✓ 😀 \ud800", "huge": -(2**200)}
    write_file(tmp_path / "m", {}, meta)
    got = read_file(tmp_path / "m")[1]
    assert got["rng"] == state and got["huge"] == -(2**200) and got["name"] == meta["name"]
    assert np.isnan(got["loss"][0]) and got["loss"][1:3] == [np.inf, -0.0]
    assert str(got["loss"][2]) == "-0.0" and got["loss"][3] == 1e-310
    generator = np.random.Generator(np.random.PCG64())
    generator.bit_generator.state = got["rng"]
    np.testing.assert_array_equal(generator.random(5),
                                  np.random.Generator(np.random.PCG64(12345)).random(5))


def test_large_file(tmp_path):
    big = np.random.default_rng(0).standard_normal(13_000_000).astype(np.float32)  # 52 MB
    write_file(tmp_path / "big", {"w": big, "b": big[:3].copy()}, {})
    got = read_file(tmp_path / "big")[0]
    assert np.array_equal(got["w"], big) and np.array_equal(got["b"], big[:3])
    assert os.path.getsize(tmp_path / "big") > 52_000_000


def test_files_are_plain_safetensors(tmp_path):
    tensors = {"w": np.ones((2, 3), np.float32), "i": np.arange(4, dtype=np.int64)}
    write_file(tmp_path / "a", tensors, {"k": [1, 2]})
    with safetensors.safe_open(tmp_path / "a", framework="np") as f:
        info = f.metadata()
        assert sorted(f.keys()) == ["i", "w"]
        np.testing.assert_array_equal(f.get_tensor("w"), tensors["w"])
    assert info["format"] == "deepnum" and info["version"] == "1"
    assert json.loads(info["meta"]) == {"k": [1, 2]}
    # and a file written by the safetensors library with deepnum's metadata reads back
    safetensors.numpy.save_file(tensors, tmp_path / "b", metadata=info)
    got, meta = read_file(tmp_path / "b")
    assert meta == {"k": [1, 2]} and np.array_equal(got["i"], tensors["i"])


@pytest.mark.parametrize(("tensors", "meta", "match"), [
    ({1: np.ones(2)}, {}, "names must be strings, got 1"),
    ({"__metadata__": np.ones(2)}, {}, "reserved"),
    ({"x": [1.0, 2.0]}, {}, "'x' must be a numpy.ndarray, got list"),
    ({"x": np.array(["a"])}, {}, "dtype <U1"),
    ({"x": np.ones(2, complex)}, {}, "dtype complex128"),
    ({}, {"f": print}, "meta must be JSON data, found builtin_function_or_method"),
    ({}, {"a": np.float32(1)}, "found float32"),
])
def test_write_rejects_what_it_cannot_store(tmp_path, tensors, meta, match):
    with pytest.raises(TypeError if "reserved" not in match else ValueError, match=match):
        write_file(tmp_path / "x", tensors, meta)
    assert not os.listdir(tmp_path)


# ----- corrupt files --------------------------------------------------------------------------
def _raw(header: dict, data: bytes = b"", meta: dict | None = None) -> bytes:
    header = dict(header)
    header.setdefault("__metadata__", {"format": "deepnum", "version": "1", "meta": "{}"}
                      if meta is None else meta)
    text = json.dumps(header).encode()
    return len(text).to_bytes(8, "little") + text + data


def _read(tmp_path, content: bytes):
    path = tmp_path / "bad.dnm"
    path.write_bytes(content)
    return read_file(path)


def _f32(begin, end, shape=(2,)):
    return {"dtype": "F32", "shape": list(shape), "data_offsets": [begin, end]}


CORRUPT = {
    "empty": (b"", "file too short: 0 bytes"),
    "seven bytes": (b"\x05\x00\x00\x00\x00\x00\x00", "file too short: 7 bytes"),
    "length beyond file": (b"\xe8\x03" + b"\x00" * 6 + b"{}", "says 1000 bytes but only 2"),
    "absurd length": (b"\xff" * 8 + b"{}", f"says {2**64 - 1} bytes but only 2"),
    "not json": (b"\x09" + b"\x00" * 7 + b"{not json", "header is not valid JSON"),
    "not utf-8": (b"\x04" + b"\x00" * 7 + b'"\xff\xfe"', "not valid JSON.*UnicodeDecodeError"),
    "not an object": (b"\x06" + b"\x00" * 7 + b"[1, 2]", "must be a JSON object, got list"),
    "duplicate key": (b"\x10" + b"\x00" * 7 + b'{"a": 1, "a": 2}', "'a' appears twice"),
    "no metadata": (_raw({}, meta={})[:8] + b"{}" + b" " * (len(_raw({}, meta={})) - 10),
                    "metadata missing"),
    "torch metadata": (_raw({}, meta={"format": "pt"}), "not deepnum's.*\"format\": \"pt\""),
    "newer version": (_raw({}, meta={"format": "deepnum", "version": "2", "meta": "{}"}),
                      "unsupported deepnum file version '2'"),
    "meta not json": (_raw({}, meta={"format": "deepnum", "version": "1", "meta": "{x"}),
                      "'meta' entry is not valid JSON"),
    "unknown dtype": (_raw({"x": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}},
                           b"\0\0"), "unknown dtype 'BF16'"),
    "negative shape": (_raw({"x": _f32(0, 8, [-2])}, bytes(8)),
                       "non-negative integers, got \\[-2\\]"),
    "bool shape": (_raw({"x": _f32(0, 4, [True])}, bytes(4)), "shape must be"),
    "bad offsets": (_raw({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0]}}, bytes(8)),
                    "data_offsets must be two"),
    "extra field": (_raw({"x": {**_f32(0, 8), "pickle": 1}}, bytes(8)), "expected an object"),
    "offsets past data": (_raw({"x": _f32(0, 8)}, bytes(4)),
                          "\\[0, 8\\] out of range; the data section has 4 bytes"),
    "reversed offsets": (_raw({"x": _f32(8, 0)}, bytes(8)), "\\[8, 0\\] out of range"),
    "shape vs bytes": (_raw({"x": _f32(0, 8, [3])}, bytes(8)),
                       "shape \\[3\\] of dtype F32 needs 12 bytes but .* hold 8"),
    "huge shape": (_raw({"x": _f32(0, 8, [2**40, 2**40])}, bytes(8)), "needs 4835703278458516"),
    "overlap": (_raw({"a": _f32(0, 8), "b": _f32(4, 12)}, bytes(12)), "'a' and 'b' overlap"),
    "gap": (_raw({"a": _f32(0, 8), "b": _f32(12, 20)}, bytes(20)), "bytes 8 to 12 .* no tensor"),
    "trailing": (_raw({"a": _f32(0, 8)}, bytes(11)), "3 bytes after the last tensor"),
}


@pytest.mark.parametrize("case", list(CORRUPT))
def test_corrupt_files_raise_format_error(tmp_path, case):
    content, match = CORRUPT[case]
    with pytest.raises(FormatError, match=match) as info:
        _read(tmp_path, content)
    assert "bad.dnm" in str(info.value)  # the message names the file


def test_header_length_above_limit_checked_before_reading(tmp_path):
    path = tmp_path / "sparse.dnm"
    with open(path, "wb") as f:  # a sparse file just past the limit: no disk space used
        f.write((MAX_HEADER + 1).to_bytes(8, "little"))
        f.truncate(MAX_HEADER + 16)
    with pytest.raises(FormatError, match=f"{MAX_HEADER + 1} bytes, more than the"):
        read_file(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(NotFoundError, match="no deepnum file at .*nothing.dnm"):
        read_file(tmp_path / "nothing.dnm")
    with pytest.raises(FileNotFoundError):  # NotFoundError is also the built-in error
        read_file(tmp_path / "nothing.dnm")
    with pytest.raises(FormatError, match="is a directory"):
        read_file(tmp_path)


# ----- pickles: recognised by name and never unpickled ----------------------------------------
class _Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_pickle_with_code_is_refused_and_not_run(tmp_path, protocol):
    marker = tmp_path / "MARKER"
    payload = pickle.dumps(_Exploit(marker), protocol=protocol)
    assert payload[0] == 0x80
    with pytest.raises(FormatError, match="this is a pickle .*never loads pickles because "
                                          "unpickling can execute code"):
        _read(tmp_path, payload)
    assert not marker.exists()


@pytest.mark.parametrize("zipped", [True, False])
def test_torch_save_files_are_refused(tmp_path, zipped):
    path = tmp_path / "model.pt"
    torch.save({"w": torch.zeros(3)}, path, _use_new_zipfile_serialization=zipped)
    with pytest.raises(FormatError, match="this is a pickle \\(e.g. torch.save output\\)"):
        read_file(path)


def test_other_zip_archives_are_named(tmp_path):
    np.savez(tmp_path / "a.npz", x=np.ones(2))
    with pytest.raises(FormatError, match="zip archive .*first entry is 'x.npy'"):
        read_file(tmp_path / "a.npz")
