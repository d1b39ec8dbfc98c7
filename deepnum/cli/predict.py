"""``deepnum predict MODEL INPUT``: the top K classes of each image in INPUT.

INPUT is a ``.npy`` array (recognised by its magic bytes, loaded with
``allow_pickle=False``) or a PNG/PGM/PPM image (``deepnum.utils.image``).

* Arrays: one image (H, W), a batch (N, H, W), one flat image (H*W,) or a flat batch
  (N, H*W), in the model's image shape.  Integer arrays hold pixels 0–255; a float array
  whose values all lie in [0, 1] is taken as already scaled, any other float array as
  0–255.  Arrays are used as they are (light on dark, like the data sets) unless
  ``--invert``.
* Images: read as greyscale in [0, 1] and resized by area averaging to the model's image
  shape.  The data sets are light strokes on a dark background, while a drawing is dark ink
  on paper, so an image whose border is mostly light (median of its outermost pixels above
  0.5) is inverted (x -> 1 - x); ``--invert`` / ``--no-invert`` force the choice.

>>> import numpy as np
>>> light_background(np.pad(np.zeros((2, 2)), 1, constant_values=1.0))
True
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DataError, DTypeError, FormatError, ShapeError
from . import modelfile

NPY_MAGIC = b"\x93NUMPY"


def light_background(image: np.ndarray) -> bool:
    """True if the median of the (H, W) image's border pixels is above 0.5."""
    border = np.concatenate([image[0], image[-1], image[1:-1, 0], image[1:-1, -1]])
    return bool(np.median(border) > 0.5)


def _batch(array: np.ndarray, shape: tuple[int, int] | None, features: int,
           path: str) -> np.ndarray:
    """The array as (N, features): from (H, W), (N, H, W), (features,) or (N, features)."""
    forms = [f"({features},)", f"(N, {features})"]
    if shape is not None:
        forms = [f"{shape}", f"(N, {shape[0]}, {shape[1]})", *forms]
        if array.shape == shape:
            return array.reshape(1, features)
        if array.ndim == 3 and array.shape[1:] == shape:
            return array.reshape(len(array), features)
    if array.shape == (features,):
        return array.reshape(1, features)
    if array.ndim == 2 and array.shape[1] == features:
        return array
    raise ShapeError(f"{path}: an array of shape {array.shape} does not fit the model; expected "
                     f"one of {', '.join(forms)}")


def read_array(path: str, shape: tuple[int, int] | None, features: int
               ) -> tuple[np.ndarray, str]:
    """A ``.npy`` file as (N, features) floats in [0, 1], and how it was read."""
    try:
        array = np.load(path, allow_pickle=False)
    except ValueError as error:  # object arrays (pickles), truncated or corrupt files
        raise FormatError(f"{path}: cannot read the .npy array ({error})") from None
    if array.dtype.kind not in "biuf":
        raise DTypeError(f"{path}: expected an array of numbers, got dtype {array.dtype}")
    batch = _batch(array, shape, features, path).astype(np.float64)
    if not len(batch):
        raise DataError(f"{path}: the array holds no image (shape {array.shape})")
    if not np.isfinite(batch).all():
        raise DataError(f"{path}: the array holds NaN or Inf values")
    low, high = batch.min(), batch.max()
    if low < 0 or high > 255:
        raise DataError(f"{path}: pixel values must lie in 0-255 (or 0-1), got values from "
                        f"{low:g} to {high:g}")
    count = f"{len(batch)} image{'s' * (len(batch) != 1)} of {array.dtype}"
    if array.dtype.kind == "f" and high <= 1:
        return batch, f"{count}, values in [0, 1]"
    return batch / 255.0, f"{count}, values 0-255 scaled by 1/255"


def read_picture(path: str, shape: tuple[int, int] | None, invert: bool | None
                 ) -> tuple[np.ndarray, str, bool]:
    """A PNG/PGM/PPM file as (1, H*W) floats in [0, 1], how it was read, and whether it
    is to be inverted (auto-detected when ``invert`` is None)."""
    from ..utils.image import read_image, resize

    if shape is None:
        raise ShapeError(f"{path}: the model's input is not an image shape; give a flat .npy "
                         "array instead")
    image = read_image(path)  # FormatError for anything it cannot read
    how = f"{image.shape[0]}x{image.shape[1]} image"
    if invert is None:
        invert = light_background(image)
        how += ", light background" if invert else ", dark background"
    if image.shape != shape:
        image = resize(image, shape)
        how += f", resized to {shape[0]}x{shape[1]}"
    return image.reshape(1, -1), how, invert


def read_input(path: str, shape: tuple[int, int] | None, features: int,
               invert: bool | None) -> tuple[np.ndarray, str]:
    """INPUT as a (N, features) batch in [0, 1], and a note on how it was read."""
    with open(path, "rb") as f:
        head = f.read(len(NPY_MAGIC))
    if head == NPY_MAGIC:
        batch, how = read_array(path, shape, features)
    else:
        batch, how, invert = read_picture(path, shape, invert)
    if invert:
        batch = 1.0 - batch
        how += ", inverted"
    return batch.astype(np.float32), how


def predict(args: Any, parser: Any) -> int:
    saved = modelfile.load(args.model)
    features = int(np.prod(saved.input_shape))
    batch, how = read_input(args.input, saved.image_shape, features, args.invert)
    probabilities = saved.model.predict(saved.inputs(batch), verbose=0)
    probabilities = probabilities.reshape(len(batch), -1)
    names = saved.class_names(probabilities.shape[1])
    labels = [name if name == str(c) else f"{name} (class {c})" for c, name in enumerate(names)]
    width = max(map(len, labels))
    print(f"{args.input}: {how}")
    for i, row in enumerate(probabilities):
        if len(batch) > 1:
            print(f"image {i}:")
        for rank, c in enumerate(np.argsort(-row, kind="stable")[:args.top]):
            print(f"  {rank + 1}. {labels[c]:<{width}}  {row[c]:.4f}")
    return 0
