"""Small images without a dependency: PNG read/write (zlib), PGM/PPM read, grids, resizing.

Enough for the command line's ``predict`` (a digit drawn in any paint program, saved as PNG)
and for the generative models' sample grids.  PNG reading covers what such programs write:
8- and 16-bit greyscale, grey+alpha, RGB and RGBA, and palette images, without interlacing.

>>> import numpy as np, os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "g.png")
>>> write_png(path, np.linspace(0, 1, 12).reshape(3, 4))
>>> read_image(path).shape
(3, 4)
"""

from __future__ import annotations

import os
import struct
import zlib

import numpy as np

from ..errors import FormatError
from ..io.atomic import atomic_write

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # colour type -> samples per pixel


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_png(path: str | os.PathLike, image: np.ndarray) -> None:
    """Save a (H, W) greyscale or (H, W, 3) RGB image as an 8-bit PNG (atomically).

    Floats are taken as values in [0, 1] (clipped); integers as 0–255.
    """
    a = np.asarray(image)
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] != 3):
        raise ValueError(f"write_png: expected (H, W) or (H, W, 3), got shape {a.shape}")
    if a.dtype.kind == "f":
        a = np.round(np.clip(a, 0.0, 1.0) * 255)
    a = np.clip(a, 0, 255).astype(np.uint8)
    height, width = a.shape[:2]
    colour = 0 if a.ndim == 2 else 2
    rows = a.reshape(height, -1)
    raw = np.concatenate([np.zeros((height, 1), np.uint8), rows], axis=1).tobytes()
    header = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    with atomic_write(path) as f:
        f.write(_PNG_MAGIC + _chunk(b"IHDR", header)
                + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b""))


def tile(images: np.ndarray, columns: int | None = None, pad: int = 1) -> np.ndarray:
    """Arrange (N, H, W) images in a grid (``columns`` wide, square by default) with ``pad``
    pixels of background between them."""
    images = np.asarray(images)
    n, h, w = images.shape
    cols = columns or int(np.ceil(np.sqrt(n)))
    rows = -(-n // cols)
    grid = np.zeros((rows * (h + pad) + pad, cols * (w + pad) + pad), images.dtype)
    for i, im in enumerate(images):
        r, c = divmod(i, cols)
        grid[pad + r * (h + pad): pad + r * (h + pad) + h,
             pad + c * (w + pad): pad + c * (w + pad) + w] = im
    return grid


def _unfilter(data: bytes, height: int, stride: int, bpp: int, path) -> np.ndarray:
    """Undo PNG's per-row filters (none, sub, up, average, Paeth)."""
    if len(data) != height * (stride + 1):
        raise FormatError(f"{path}: PNG image data has {len(data)} bytes, expected "
                          f"{height * (stride + 1)}")
    rows = np.frombuffer(data, np.uint8).reshape(height, stride + 1)
    out = np.zeros((height, stride), np.uint8)
    prev = np.zeros(stride, np.int32)
    for y in range(height):
        kind, line = rows[y, 0], rows[y, 1:].astype(np.int32)
        if kind == 0:
            cur = line
        elif kind == 2:
            cur = (line + prev) & 0xFF
        elif kind in (1, 3, 4):  # depend on the bytes to the left: one pass per pixel
            cur = np.zeros(stride, np.int32)
            for x in range(stride):
                left = cur[x - bpp] if x >= bpp else 0
                if kind == 1:
                    pred = left
                elif kind == 3:
                    pred = (left + prev[x]) >> 1
                else:
                    up_left = prev[x - bpp] if x >= bpp else 0
                    p = left + prev[x] - up_left
                    pa, pb, pc = abs(p - left), abs(p - prev[x]), abs(p - up_left)
                    pred = left if pa <= pb and pa <= pc else prev[x] if pb <= pc else up_left
                cur[x] = (line[x] + pred) & 0xFF
        else:
            raise FormatError(f"{path}: unknown PNG filter type {kind} in row {y}")
        out[y] = cur
        prev = cur
    return out


def _read_png(blob: bytes, path) -> np.ndarray:
    pos, header, palette, idat = 8, None, None, []
    while pos + 8 <= len(blob):
        (length,), kind = struct.unpack(">I", blob[pos:pos + 4]), blob[pos + 4:pos + 8]
        data = blob[pos + 8:pos + 8 + length]
        if len(data) != length:
            raise FormatError(f"{path}: truncated PNG chunk {kind!r}")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", data)
        elif kind == b"PLTE":
            palette = np.frombuffer(data, np.uint8).reshape(-1, 3)
        elif kind == b"IDAT":
            idat.append(data)
        elif kind == b"IEND":
            break
        pos += 12 + length
    if header is None or not idat:
        raise FormatError(f"{path}: not a complete PNG file (no IHDR or image data)")
    width, height, depth, colour, _, _, interlace = header
    if colour not in _CHANNELS or depth not in (8, 16) or interlace:
        raise FormatError(f"{path}: unsupported PNG (bit depth {depth}, colour type {colour}, "
                          f"interlace {interlace}); save it as 8-bit, non-interlaced")
    if width * height > 1 << 26:
        raise FormatError(f"{path}: PNG of {width}x{height} pixels is too large")
    channels = _CHANNELS[colour]
    bpp = channels * depth // 8
    try:
        data = zlib.decompress(b"".join(idat))
    except zlib.error as e:
        raise FormatError(f"{path}: corrupt PNG image data ({e})") from None
    raw = _unfilter(data, height, width * bpp, bpp, path)
    pixels = raw.view(">u2").astype(np.float64) / 65535 if depth == 16 else raw / 255.0
    pixels = pixels.reshape(height, width, channels)
    if colour == 3:
        if palette is None:
            raise FormatError(f"{path}: palette PNG without a palette")
        pixels = palette[np.minimum(raw.reshape(height, width), len(palette) - 1)] / 255.0
    return pixels


def _read_pnm(blob: bytes, path) -> np.ndarray:
    try:
        return _parse_pnm(blob, path)
    except ValueError as e:  # a comment without an end, a size that is not a number...
        raise FormatError(f"{path}: corrupt PGM/PPM header ({e})") from None


def _parse_pnm(blob: bytes, path) -> np.ndarray:
    tokens, pos = [], 2
    while len(tokens) < 3:  # width, height, maxval (comments start with #)
        while pos < len(blob) and blob[pos:pos + 1].isspace():
            pos += 1
        if blob[pos:pos + 1] == b"#":
            pos = blob.index(b"\n", pos)
            continue
        start = pos
        while pos < len(blob) and not blob[pos:pos + 1].isspace():
            pos += 1
        if start == pos:
            raise FormatError(f"{path}: truncated PGM/PPM header")
        tokens.append(int(blob[start:pos]))
    width, height, maxval = tokens
    channels = 3 if blob[:2] in (b"P3", b"P6") else 1
    count = width * height * channels
    if blob[:2] in (b"P5", b"P6"):
        dtype = np.uint8 if maxval < 256 else np.dtype(">u2")
        values = np.frombuffer(blob[pos + 1:], dtype)[:count]
    else:
        values = np.array(blob[pos:].split()[:count], dtype=np.int64)
    if values.size != count:
        raise FormatError(f"{path}: PGM/PPM data has {values.size} values, expected {count}")
    return values.reshape(height, width, channels) / float(maxval)


def read_image(path: str | os.PathLike) -> np.ndarray:
    """Read a PNG, PGM or PPM file as a (H, W) greyscale array of floats in [0, 1].

    Colour is converted with the ITU-R 601 luma weights; an alpha channel is composited
    onto white (so a digit drawn on a transparent canvas reads as drawn on paper).
    """
    with open(path, "rb") as f:
        blob = f.read()
    if blob.startswith(_PNG_MAGIC):
        pixels = _read_png(blob, path)
    elif blob[:2] in (b"P2", b"P3", b"P5", b"P6"):
        pixels = _read_pnm(blob, path)
    else:
        raise FormatError(f"{path}: not a PNG, PGM or PPM image (starts with {blob[:8]!r})")
    if pixels.shape[2] in (2, 4):  # composite onto white
        alpha = pixels[..., -1:]
        pixels = pixels[..., :-1] * alpha + (1 - alpha)
    if pixels.shape[2] == 3:
        pixels = pixels @ np.array([0.299, 0.587, 0.114])
        return pixels
    return pixels[..., 0]


def resize(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Resize a (H, W) image by area averaging (each output pixel is the mean of the input
    area it covers), which is what shrinking a drawing to 28×28 or 8×8 needs."""
    image = np.asarray(image, dtype=np.float64)
    out = image
    for axis, n_out in enumerate(shape):
        n_in = out.shape[axis]
        edges = np.linspace(0, n_in, n_out + 1)
        # weight[i, j]: the length of input cell j inside output cell i, normalised
        lo = np.maximum(edges[:-1, None], np.arange(n_in)[None, :])
        hi = np.minimum(edges[1:, None], np.arange(1, n_in + 1)[None, :])
        weights = np.clip(hi - lo, 0, None)
        weights /= weights.sum(axis=1, keepdims=True)
        out = np.moveaxis(np.tensordot(weights, np.moveaxis(out, axis, 0), axes=1), 0, axis)
    return out
