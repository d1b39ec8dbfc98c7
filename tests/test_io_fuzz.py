"""Fuzzing the loader: whatever the bytes, ``deepnum.load`` returns an object or raises
FormatError — never another exception — and never allocates more than a little memory."""

from __future__ import annotations

import functools
import json
import tempfile
import tracemalloc
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import deepnum as dn
from deepnum.errors import FormatError
from deepnum.io import write_file

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PEAK_LIMIT = 1_000_000  # bytes: files here are a few kB; a length field may claim 2**64


@functools.cache
def _workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="deepnum-fuzz-"))


@functools.cache
def valid_file() -> bytes:
    """A real save with several dtypes, 0-d and empty arrays, tensors and nested structure."""
    obj = {"model": {"w": dn.nn.Parameter(dn.ones(3, 4)), "b": dn.zeros(4)},
           "opt": {"state": {0: {"step": np.int64(7), "m": np.arange(5, dtype=np.float16)}}},
           "empty": np.zeros((0, 2), np.uint8), "flag": np.array(True), "epoch": 3,
           "rng": np.random.PCG64(1).state, "loss": [0.5, float("nan")], "t": (1, "x")}
    path = _workdir() / "valid.dnm"
    dn.save(obj, path)
    return path.read_bytes()


def outcome(content: bytes) -> str:
    """Load ``content`` as a file: "ok" or "FormatError"; any other exception propagates."""
    path = _workdir() / "fuzz.dnm"
    path.write_bytes(content)
    tracemalloc.start()
    try:
        dn.load(path)
        return "ok"
    except FormatError:
        return "FormatError"
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < PEAK_LIMIT, f"loading a {len(content)}-byte file peaked at {peak} bytes"


def test_the_valid_file_loads():
    assert outcome(valid_file()) == "ok"


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes(content):
    assert outcome(content) == "FormatError"


@FUZZ
@given(st.integers(0, 2**64 - 1), st.binary(max_size=512))
def test_any_header_length_field(length, rest):
    assert outcome(length.to_bytes(8, "little") + rest) == "FormatError"


@FUZZ
@given(st.data())
def test_truncations(data):
    content = valid_file()
    end = data.draw(st.integers(0, len(content) - 1))
    assert outcome(content[:end]) == "FormatError"


@FUZZ
@given(st.integers(0, 2**64 - 1))
def test_header_length_field_of_a_valid_file(length):
    content = valid_file()
    original = int.from_bytes(content[:8], "little")
    expected = "ok" if length == original else "FormatError"
    assert outcome(length.to_bytes(8, "little") + content[8:]) == expected


@FUZZ
@given(st.data())
def test_byte_mutations(data):
    content = bytearray(valid_file())
    for _ in range(data.draw(st.integers(1, 4))):
        where = data.draw(st.integers(0, len(content) - 1))
        content[where] = data.draw(st.integers(0, 255))
    header_end = 8 + int.from_bytes(valid_file()[:8], "little")
    result = outcome(bytes(content))
    if bytes(content[:header_end]) != valid_file()[:header_end]:
        assert result in ("ok", "FormatError")  # e.g. a changed digit in a shape: caught
    else:
        assert result == "ok"  # only tensor bytes changed: still a valid file


@FUZZ
@given(st.data())
def test_insertions_and_deletions(data):
    content = valid_file()
    where = data.draw(st.integers(0, len(content)))
    cut = data.draw(st.integers(0, 16))
    junk = data.draw(st.binary(max_size=16))
    changed = content[:where] + junk + content[where + cut:]
    assert outcome(changed) in (("ok", "FormatError") if changed != content else ("ok",))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=20,
)
TAGS = st.sampled_from(["dict", "tuple", "tensor", "array", "scalar", "float", "w", "i", "z"])
TREES = st.recursive(
    JSON,
    lambda inner: st.dictionaries(TAGS, inner, min_size=1, max_size=2)
    | st.builds(lambda k, v: {"dict": [[k, v]]}, st.text(max_size=3) | st.integers(), inner)
    | st.lists(inner, max_size=3),
    max_leaves=15,
)


@FUZZ
@given(TREES)
def test_random_object_trees(tree):
    """Well-formed files whose JSON tree is arbitrary: decoded or refused, nothing else."""
    path = _workdir() / "tree.dnm"
    write_file(path, {"w": np.ones(2, np.float32), "i": np.arange(3), "z": np.array(1.5)},
               {"object": tree})
    assert outcome(path.read_bytes()) in ("ok", "FormatError")


@FUZZ
@given(JSON)
def test_random_metadata_entries(info):
    """A header whose __metadata__ is arbitrary JSON."""
    text = json.dumps({"__metadata__": info}).encode()
    assert outcome(len(text).to_bytes(8, "little") + text) == "FormatError"
