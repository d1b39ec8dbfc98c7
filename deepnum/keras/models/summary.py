"""``model.summary()``: one row per layer (name and type, output shape, parameter count) and
the totals, laid out as Keras prints it (plain ASCII rules, so any console can show it).

Sizes count 4 bytes per float32 parameter, in binary units (1 MB = 1024² bytes), as Keras.
"""

from __future__ import annotations

from ..layers.base import Layer, format_shape


def readable_size(n_bytes: float) -> str:
    """``1628200`` -> ``"1.55 MB"`` (Keras's rounding and units)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n_bytes / 1024 < 1:
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.2f} PB"


def _shape(layer: Layer) -> str:
    shape = layer.__dict__.get("_output_shape")
    if shape is None and hasattr(layer, "batch_shape"):
        shape = layer.batch_shape[1:]
    return "?" if shape is None else format_shape((None, *shape))


def _params(layer: Layer) -> str:
    return f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"


def summary_text(model: Layer, line_length: int | None = None,
                 show_trainable: bool = False) -> str:
    """The text ``model.summary()`` prints."""
    header = ["Layer (type)", "Output Shape", "Param #"] + (["Trainable"] if show_trainable
                                                             else [])
    rows = [[f"{layer.name} ({type(layer).__name__})", _shape(layer), _params(layer)]
            + (["Y" if layer.trainable else "N"] if show_trainable else [])
            for layer in model.layers]
    width = line_length or (75 if show_trainable else 65)
    stops = [0.40, 0.70, 0.87, 1.0] if show_trainable else [0.45, 0.85, 1.0]
    ends = [int(width * p) for p in stops]
    cols = [b - a for a, b in zip([0, *ends[:-1]], ends, strict=True)]
    cols = [max(w, 2 + max(len(r[i]) for r in [header, *rows])) for i, w in enumerate(cols)]
    width = sum(cols)

    def row(*cells: str) -> str:
        return "".join(f" {c:<{w - 1}}" for c, w in zip(cells, cols, strict=True)).rstrip()

    lines = [f'Model: "{model.name}"', "_" * width, row(*header), "=" * width]
    for i, cells in enumerate(rows):
        lines.append(row(*cells))
        lines.append("_" * width if i < len(rows) - 1 else "=" * width)
    if not rows:
        lines.append("=" * width)
    weights = model.weights  # those of the built layers
    trainable_ids = {id(w) for w in model.trainable_weights}
    total = sum(w.data.size for w in weights)
    total_bytes = sum(w.data.nbytes for w in weights)
    trainable = sum(w.data.size for w in weights if id(w) in trainable_ids)
    trainable_bytes = sum(w.data.nbytes for w in weights if id(w) in trainable_ids)
    lines += [f" Total params: {total:,} ({readable_size(total_bytes)})",
              f" Trainable params: {trainable:,} ({readable_size(trainable_bytes)})",
              f" Non-trainable params: {total - trainable:,} "
              f"({readable_size(total_bytes - trainable_bytes)})",
              "_" * width]
    return "\n".join(lines)
