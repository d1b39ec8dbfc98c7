"""``Parameter``: a tensor that a module trains."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, as_array


class Parameter(Tensor):
    """A leaf tensor that requires grad and that ``Module.parameters()`` finds.

    Made from a tensor or an array, it shares that memory (as PyTorch's ``nn.Parameter``).

    >>> import deepnum as dn
    >>> p = dn.nn.Parameter(dn.zeros(2))
    >>> p.requires_grad, p.is_leaf
    (True, True)
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True):
        if data is None:
            data = np.empty(0, np.float32)
        array = data.data if isinstance(data, Tensor) else as_array(data)
        super().__init__(array)
        self.data = array  # share memory, do not copy
        self.requires_grad_(requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        raise TypeError("deepnum tensors are not pickled; save weights with deepnum.save")
