"""Saving and loading without pickle: safetensors for arrays, JSON for everything else.

- :func:`save` / :func:`load` — nested state (state dicts, optimizer states, checkpoints).
- :func:`write_file` / :func:`read_file` — the file layer: named arrays plus a JSON document.
- :func:`atomic_write` — write-fsync-rename, for any file deepnum writes.
"""

from .atomic import atomic_write, is_temporary
from .format import read_file, write_file
from .state import load, save

__all__ = ["atomic_write", "is_temporary", "load", "read_file", "save", "write_file"]
