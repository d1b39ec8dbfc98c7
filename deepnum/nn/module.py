"""``Module``: the base class of every layer and model of the PyTorch door.

A module finds its parameters by walking its attributes (STYLE habit 6): assigning a
``Parameter``, a ``Module`` or (through ``register_buffer``) a buffer tensor to an attribute
registers it, in assignment order, and the dotted names (``"0.weight"``, ``"encoder.fc.bias"``)
follow the attribute path exactly as in PyTorch, so state dicts line up key for key.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable, Iterator

import numpy as np

from .._tensor import Tensor, get_default_dtype
from ..errors import DTypeError
from .parameter import Parameter
from .state import load_state_dict as _load_state_dict


class RemovableHandle:
    """What ``register_*_hook`` returns: ``handle.remove()`` unregisters the hook (also as a
    ``with`` block)."""

    _ids = itertools.count()

    def __init__(self, hooks: dict):
        self._hooks = hooks
        self.id = next(self._ids)

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def factory_dtype(device, dtype) -> np.dtype:
    """The dtype of a layer's new parameters (``dtype=None``: the default float dtype), after
    checking PyTorch's ``device`` argument (only the CPU exists here)."""
    if device is not None and str(device).split(":")[0] != "cpu":
        raise ValueError(f"deepnum runs on the CPU only, got device {device!r}")
    d = get_default_dtype() if dtype is None else np.dtype(dtype)
    if d.kind != "f":
        raise DTypeError(f"parameters must have a floating-point dtype, got {d}")
    return d


def _addindent(text: str, spaces: int) -> str:
    """Indent every line of ``text`` but the first (how PyTorch nests module reprs)."""
    first, *rest = text.split("\n")
    return "\n".join([first] + [" " * spaces + line for line in rest])


class Module:
    """Base class for layers and models: subclass it, assign layers and parameters in
    ``__init__`` (after ``super().__init__()``), and write ``forward``.

    Registration happens on attribute assignment: a ``Parameter`` becomes a parameter, a
    ``Module`` a child, and a tensor assigned to a name registered by ``register_buffer`` a
    buffer.  A plain Python ``list`` or ``tuple`` whose items are all modules is wrapped in a
    ``ModuleList`` on assignment (and a ``dict`` of modules in a ``ModuleDict``), so
    ``self.layers = [nn.Linear(4, 4) for _ in range(3)]`` registers ``layers.0.weight`` and
    so on; PyTorch would silently ignore such a list.  ``self.layers`` is then a
    ``ModuleList``, which indexes, iterates and appends like a list.

    >>> import deepnum.nn as nn
    >>> class Net(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc = nn.Linear(4, 2)
    ...     def forward(self, x):
    ...         return self.fc(x).relu()
    >>> [name for name, _ in Net().named_parameters()]
    ['fc.weight', 'fc.bias']
    """

    training: bool

    def __init__(self) -> None:
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent_buffers_set"] = set()
        d["_modules"] = OrderedDict()
        d["_forward_pre_hooks"] = OrderedDict()
        d["_forward_hooks"] = OrderedDict()

    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args, **kwargs):
        if not (self._forward_pre_hooks or self._forward_hooks):
            return self.forward(*args, **kwargs)
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        output = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, output)
            if result is not None:
                output = result
        return output

    # ----- registration -----------------------------------------------------------------
    def _check_name(self, name, kind: str) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if name == "" or "." in name:
            raise KeyError(f'{kind} name can\'t be empty or contain ".", got: {name!r}')

    def _check_new(self, name: str, own: dict) -> None:
        if hasattr(self, name) and name not in own:
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or None, a declared but absent one, like a disabled bias)."""
        self._check_name(name, "parameter")
        self._check_new(name, self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                "(deepnum.nn.Parameter or None required)"
            )
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor that is state but not trained (BatchNorm's running mean); persistent
        buffers go into ``state_dict``."""
        self._check_name(name, "buffer")
        self._check_new(name, self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                "(deepnum Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under ``name`` (what attribute assignment does)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_name(name, "module")
        self._check_new(name, self._modules)
        self._modules[name] = module

    register_module = add_module

    _LABELS = {"_parameters": "parameter", "_modules": "child module", "_buffers": "buffer"}

    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, list | tuple | dict) and value and "_modules" in self.__dict__:
            value = _wrap_container(value)
        if isinstance(value, Parameter):
            self._move(name, value, "_parameters")
        elif self._owns(name, "_parameters"):
            self._replace(name, value, "_parameters", Parameter)
        elif isinstance(value, Module):
            self._move(name, value, "_modules")
        elif self._owns(name, "_modules"):
            self._replace(name, value, "_modules", Module)
        elif self._owns(name, "_buffers"):
            self._replace(name, value, "_buffers", Tensor)
        else:
            object.__setattr__(self, name, value)

    def _owns(self, name: str, registry: str) -> bool:
        return registry in self.__dict__ and name in self.__dict__[registry]

    def _move(self, name: str, value, registry: str) -> None:
        """Register ``value`` in ``registry`` (in place, if the name is there already),
        removing ``name`` from everywhere else."""
        self._check_name(name, self._LABELS[registry])
        d = self.__dict__
        for own in (d, d["_parameters"], d["_buffers"], d["_modules"]):
            if own is not d[registry]:
                own.pop(name, None)
        d["_non_persistent_buffers_set"].discard(name)
        d[registry][name] = value

    def _replace(self, name: str, value, registry: str, kind: type) -> None:
        """Assign to a registered name: only a ``kind`` or None may take its place."""
        if value is not None and not isinstance(value, kind):
            raise TypeError(
                f"cannot assign '{type(value).__name__}' as {self._LABELS[registry]} '{name}' "
                f"(deepnum {kind.__name__} or None expected)"
            )
        self.__dict__[registry][name] = value

    def __getattr__(self, name: str):
        d = self.__dict__
        for own in ("_parameters", "_buffers", "_modules"):
            if own in d and name in d[own]:
                return d[own][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for own in (self._parameters, self._buffers, self._modules):
            if name in own:
                del own[name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def get_submodule(self, target: str) -> Module:
        """The module at dotted path ``target`` (``""`` is this module)."""
        module = self
        for item in target.split(".") if target else ():
            child = module._modules.get(item)
            if child is None:
                raise AttributeError(f"{type(module).__name__} has no submodule `{item}` "
                                     f"(looking up {target!r})")
            module = child
        return module

    # ----- traversal --------------------------------------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """This module and every descendant, depth first, with dotted names (each module once)."""
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        if remove_duplicate:
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, f"{prefix}.{name}" if prefix else name,
                                                remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def _named_members(self, kind: str, prefix: str, recurse: bool, remove_duplicate: bool):
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) \
            if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in module.__dict__[kind].items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """``(name, parameter)`` pairs in registration order; a shared parameter once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ----- modes and gradients ----------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode (Dropout drops, BatchNorm uses batch statistics) here and below."""
        if not isinstance(mode, bool):
            raise ValueError(f"training mode is expected to be boolean, got {mode!r}")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> Module:
        """``train(False)``."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's ``.grad`` (to None, or to zeros)."""
        for p in self.parameters():
            if p.grad is not None:
                if set_to_none:
                    p.grad = None
                else:
                    p.grad[...] = 0

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Switch gradient recording of every parameter (False freezes the module)."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def apply(self, fn: Callable[[Module], object]) -> Module:
        """Call ``fn`` on every descendant, then on this module (e.g. custom initialisation)."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ----- dtype ------------------------------------------------------------------------
    def to(self, *args, **kwargs) -> Module:
        """Convert floating-point parameters and buffers to a dtype, in place (the same
        ``Parameter`` objects).  ``to("cpu")`` is accepted; other devices are refused."""
        kwargs.pop("non_blocking", None)
        dtype = None
        for a in (*args, kwargs.pop("device", None), kwargs.pop("dtype", None)):
            if a is None or (isinstance(a, str) and a.split(":")[0] == "cpu"):
                continue
            if isinstance(a, str):
                raise ValueError(f"to: deepnum runs on the CPU only, got device {a!r}")
            dtype = a.dtype if isinstance(a, Tensor) else np.dtype(a)
        if kwargs:
            raise TypeError(f"to: unexpected arguments {sorted(kwargs)}")
        if dtype is None:
            return self
        if dtype.kind != "f":
            raise DTypeError(f"Module.to accepts only floating-point dtypes, got {dtype}")
        for t in itertools.chain(self.parameters(), self.buffers()):
            if t.dtype.kind == "f":
                t.data = t.data.astype(dtype)
                if t.grad is not None:
                    t.grad = t.grad.astype(dtype)
        return self

    def float(self) -> Module:  # noqa: A003 - PyTorch's name
        return self.to(np.float32)

    def double(self) -> Module:
        return self.to(np.float64)

    def half(self) -> Module:
        return self.to(np.float16)

    def cpu(self) -> Module:
        return self

    # ----- state ------------------------------------------------------------------------
    def state_dict(self, *, destination: dict | None = None, prefix: str = "",
                   keep_vars: bool = False) -> OrderedDict:
        """Parameters and persistent buffers by dotted name, in registration order.  Values
        are detached tensors sharing memory with the module (``keep_vars``: the parameters
        themselves)."""
        out = OrderedDict() if destination is None else destination
        for name, t in itertools.chain(self._parameters.items(), self._buffers.items()):
            if t is not None and name not in self._non_persistent_buffers_set:
                out[prefix + name] = t if keep_vars else t.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=out, prefix=f"{prefix}{name}.", keep_vars=keep_vars)
        return out

    def load_state_dict(self, state_dict, strict: bool = True):
        """Copy ``state_dict`` (name -> tensor or NumPy array) into the parameters and buffers.

        Errors name every missing and unexpected key (``strict``) and every shape mismatch
        (key, expected and received shapes); nothing is copied unless everything fits.
        Returns ``(missing_keys, unexpected_keys)`` as a named tuple (useful with
        ``strict=False``).
        """
        return _load_state_dict(self, state_dict, strict)

    # ----- printing ---------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The layer's configuration, shown inside its parentheses (override it)."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({key}): " + _addindent(repr(module), 2)
                       for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        body = ""
        if len(extra_lines) == 1 and not child_lines:
            body = extra_lines[0]
        elif lines:
            body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{self._get_name()}({body})"

    # ----- hooks ------------------------------------------------------------------------
    def register_forward_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, args)`` runs before ``forward``; a non-None result replaces ``args``."""
        handle = RemovableHandle(self._forward_pre_hooks)
        self._forward_pre_hooks[handle.id] = hook
        return handle

    def register_forward_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, args, output)`` runs after ``forward``; a non-None result replaces
        the output."""
        handle = RemovableHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle


def _wrap_container(value):
    """A list/tuple of modules as a ModuleList, a dict of them as a ModuleDict, else as is."""
    from .container import ModuleDict, ModuleList

    items = value.values() if isinstance(value, dict) else value
    if not all(isinstance(m, Module) for m in items):
        return value
    if isinstance(value, dict):
        return ModuleDict(value) if all(isinstance(k, str) for k in value) else value
    return ModuleList(value)
