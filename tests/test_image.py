"""deepnum.utils.image: PNG/PGM reading against an independent encoder, writing, grids, resize."""

import struct
import zlib

import numpy as np
import pytest

from deepnum.errors import FormatError
from deepnum.utils.image import read_image, resize, tile, write_png


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def _encode_png(pixels: np.ndarray, colour: int, filters, depth: int = 8, palette=None) -> bytes:
    """An independent PNG encoder applying the given filter type to each row (PNG spec 9.2)."""
    height, width = pixels.shape[:2]
    raw = pixels.astype(">u2").tobytes() if depth == 16 else pixels.astype(np.uint8).tobytes()
    stride = len(raw) // height
    bpp = max(1, (pixels.shape[2] if pixels.ndim == 3 else 1) * depth // 8)
    out, prev = bytearray(), bytes(stride)
    for y in range(height):
        line = raw[y * stride:(y + 1) * stride]
        kind = filters[y % len(filters)]
        enc = bytearray()
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            pred = [0, a, b, (a + b) // 2, _paeth(a, b, c)][kind]
            enc.append((line[x] - pred) & 0xFF)
        out += bytes([kind]) + enc
        prev = line

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    body = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0))
    if palette is not None:
        body += chunk(b"PLTE", palette.astype(np.uint8).tobytes())
    return (b"\x89PNG\r\n\x1a\n" + body + chunk(b"IDAT", zlib.compress(bytes(out)))
            + chunk(b"IEND", b""))


@pytest.mark.parametrize("filters", [[0], [1], [2], [3], [4], [0, 1, 2, 3, 4]])
def test_grey_png_every_filter(tmp_path, filters):
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (6, 7))
    path = tmp_path / "g.png"
    path.write_bytes(_encode_png(pixels, 0, filters))
    np.testing.assert_allclose(read_image(path), pixels / 255.0)


def test_rgb_rgba_grey_alpha_16bit_and_palette(tmp_path):
    rng = np.random.default_rng(1)
    luma = np.array([0.299, 0.587, 0.114])
    rgb = rng.integers(0, 256, (4, 5, 3))
    (tmp_path / "rgb.png").write_bytes(_encode_png(rgb, 2, [4, 1]))
    np.testing.assert_allclose(read_image(tmp_path / "rgb.png"), rgb / 255.0 @ luma)

    rgba = rng.integers(0, 256, (4, 5, 4))
    (tmp_path / "rgba.png").write_bytes(_encode_png(rgba, 6, [3]))
    alpha = rgba[..., 3:] / 255.0
    want = (rgba[..., :3] / 255.0 * alpha + (1 - alpha)) @ luma  # composited onto white
    np.testing.assert_allclose(read_image(tmp_path / "rgba.png"), want)

    ga = rng.integers(0, 256, (3, 3, 2))
    (tmp_path / "ga.png").write_bytes(_encode_png(ga, 4, [2]))
    a = ga[..., 1] / 255.0
    np.testing.assert_allclose(read_image(tmp_path / "ga.png"), ga[..., 0] / 255.0 * a + 1 - a)

    g16 = rng.integers(0, 65536, (3, 4))
    (tmp_path / "g16.png").write_bytes(_encode_png(g16, 0, [1, 4], depth=16))
    np.testing.assert_allclose(read_image(tmp_path / "g16.png"), g16 / 65535.0)

    palette = rng.integers(0, 256, (4, 3))
    index = rng.integers(0, 4, (3, 3))
    (tmp_path / "p.png").write_bytes(_encode_png(index, 3, [0], palette=palette))
    np.testing.assert_allclose(read_image(tmp_path / "p.png"), palette[index] / 255.0 @ luma)


def test_write_png_round_trip_and_shapes(tmp_path):
    grey = np.linspace(0, 1, 20).reshape(4, 5)
    write_png(tmp_path / "a.png", grey)
    np.testing.assert_allclose(read_image(tmp_path / "a.png"), np.round(grey * 255) / 255)
    write_png(tmp_path / "b.png", np.full((2, 2), 300))  # integers clipped to 255
    assert read_image(tmp_path / "b.png").max() == 1.0
    with pytest.raises(ValueError, match="expected"):
        write_png(tmp_path / "c.png", np.zeros((2, 2, 2)))


def test_pgm_ppm(tmp_path):
    (tmp_path / "a.pgm").write_bytes(b"P5\n# comment\n3 1\n255\n" + bytes([0, 51, 255]))
    np.testing.assert_allclose(read_image(tmp_path / "a.pgm"), [[0, 0.2, 1]])
    (tmp_path / "b.ppm").write_bytes(b"P3\n1 1\n255\n255 0 0\n")
    np.testing.assert_allclose(read_image(tmp_path / "b.ppm"), [[0.299]])


def test_corrupt_files_are_format_errors(tmp_path):
    good = _encode_png(np.zeros((4, 4)), 0, [0])
    cases = {
        "text.png": b"hello",
        "trunc.png": good[:40],
        "no_idat.png": good[:33] + good[-12:],
        "pgm_short.pgm": b"P5\n4 4\n255\n" + bytes(3),
        "pgm_comment.pgm": b"P5\n# a comment without an end",
        "pgm_size.pgm": b"P5\nfour 4\n255\n" + bytes(16),
    }
    for name, blob in cases.items():
        (tmp_path / name).write_bytes(blob)
        with pytest.raises(FormatError):
            read_image(tmp_path / name)


def test_tile_and_resize():
    grid = tile(np.ones((5, 2, 3)), columns=3, pad=1)
    assert grid.shape == (2 * 3 + 1, 3 * 4 + 1)
    assert grid.sum() == 5 * 6
    np.testing.assert_allclose(resize(np.arange(16.0).reshape(4, 4), (2, 2)),
                               [[2.5, 4.5], [10.5, 12.5]])
    # area averaging keeps the mean of the image
    img = np.random.default_rng(2).random((28, 28))
    np.testing.assert_allclose(resize(img, (7, 7)).mean(), img.mean())
    assert resize(img, (8, 8)).shape == (8, 8)
