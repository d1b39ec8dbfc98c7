"""Loading a state dict into a module tree (``Module.load_state_dict``).

PyTorch's matching rules: each module claims the keys ``prefix + name`` of its own
parameters and persistent buffers; a key under a module's prefix that names neither one of
them nor a child module is unexpected.  Unlike PyTorch, loading is all or nothing: every key
is checked before anything is copied, so a failed load leaves the model as it was.
"""

from __future__ import annotations

import itertools
from collections import namedtuple

import numpy as np

from .._tensor import Tensor
from ..errors import ShapeError, StateError


class IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it missed and the keys it did not use."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()


def _as_array(value) -> np.ndarray | None:
    """A state-dict value as an array: deepnum tensors, NumPy arrays and anything that
    converts like one (a torch tensor's ``__array__``)."""
    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, np.ndarray | np.generic) or hasattr(value, "__array__"):
        return np.asarray(value)
    return None


def _match(module, state_dict: dict, prefix: str, plan: list, missing: list,
           unexpected: list, errors: list, shape_errors: list) -> None:
    """Match ``module``'s own entries against ``state_dict`` and recurse into its children."""
    local = {
        name: t
        for name, t in itertools.chain(module._parameters.items(), module._buffers.items())
        if t is not None and name not in module._non_persistent_buffers_set
    }
    for name, t in local.items():
        key = prefix + name
        if key not in state_dict:
            missing.append(key)
            continue
        value = _as_array(state_dict[key])
        if value is None:
            errors.append(
                f'While copying the parameter named "{key}", expected a tensor or array but '
                f"received {type(state_dict[key]).__name__}"
            )
        elif value.shape != t.shape:
            shape_errors.append(
                f"size mismatch for {key}: expected shape {t.shape} (the model's), received "
                f"shape {value.shape} from the state dict."
            )
        else:
            plan.append((t, value))
    for key in state_dict:
        if key.startswith(prefix):
            head, dot, _ = key[len(prefix):].partition(".")
            if (dot and head not in module._modules) or (not dot and head not in local):
                unexpected.append(key)
    for name, child in module._modules.items():
        if child is not None:
            child_prefix = f"{prefix}{name}."
            sub = {k: v for k, v in state_dict.items() if k.startswith(child_prefix)}
            _match(child, sub, child_prefix, plan, missing, unexpected, errors, shape_errors)


def load_state_dict(module, state_dict, strict: bool = True) -> IncompatibleKeys:
    """Check every entry, then copy (casting to each tensor's dtype) — see the module doc."""
    if not hasattr(state_dict, "keys"):
        raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}.")
    plan: list = []
    missing: list[str] = []
    unexpected: list[str] = []
    errors: list[str] = []
    shape_errors: list[str] = []
    _match(module, dict(state_dict), "", plan, missing, unexpected, errors, shape_errors)
    messages = []
    if strict and missing:
        messages.append(
            "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ".")
    if strict and unexpected:
        messages.append(
            "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + "."
        )
    messages += errors + shape_errors
    if messages:
        kind = ShapeError if shape_errors else StateError
        raise kind(
            f"Error(s) in loading state_dict for {type(module).__name__} (nothing was loaded):"
            "\n\t" + "\n\t".join(messages)
        )
    for t, value in plan:
        t.data[...] = value
    return IncompatibleKeys(missing, unexpected)
