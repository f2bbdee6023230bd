"""numba compilation of the package's byte and array loops, done once per function and process.

The loops (the tree walk in ``detectors.learned.forest``, the word hashing in
``detectors.learned.hashing``, the start-tag scan in ``html``) are written in the subset of Python
that numba compiles; where numba is missing their callers run a plain fallback. :func:`compiled`
compiles each once, also when several threads ask at the same time, with numba's on-disk cache
where a cache directory is writable and without it (compiled for this process only) where none
is, as on a read-only install.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

_LOCK = threading.Lock()
_DONE: dict[Callable, Callable | None] = {}


def compiled(func: Callable) -> Callable | None:
    """``func`` compiled by numba (``nogil``), or None without numba."""
    with _LOCK:
        if func not in _DONE:
            try:
                import numba
            except ImportError:
                _DONE[func] = None
            else:
                try:
                    _DONE[func] = numba.njit(cache=True, nogil=True)(func)
                except RuntimeError:  # "cannot cache function": no writable cache directory
                    _DONE[func] = numba.njit(cache=False, nogil=True)(func)
        return _DONE[func]


def compiled_calling(func: Callable, namespace: dict[str, Any], helpers: dict[str, Callable]) -> Callable | None:
    """``func`` compiled by numba, with the functions it calls compiled too, or None without numba.

    Compiled code calls another function through the global name it is bound to when it is
    compiled, so ``helpers`` maps each such name to the plain function, and each name is bound in
    ``namespace`` (the globals of ``func``'s module, whose plain-Python runs keep working: a
    compiled function is callable from Python) to the helper's compiled version first.
    """
    kernels = {name: compiled(helper) for name, helper in helpers.items()}
    if any(kernel is None for kernel in kernels.values()):
        return None
    namespace.update(kernels)
    return compiled(func)
