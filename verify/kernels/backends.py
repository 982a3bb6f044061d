"""Optional accelerators (numba, symengine, jax): detected lazily, never required.

``available(name)`` says whether a backend can run here; ``import_numba()`` /
``import_symengine()`` return the module or raise UsageError with an install hint.
"""
from __future__ import annotations

import functools
import importlib
from types import ModuleType

from ..errors import UsageError

BACKENDS = ("numpy", "lambdify", "numba", "symengine", "jaxgen")
_MODULE = {"numba": "numba", "symengine": "symengine", "jaxgen": "jax"}
_EXTRA = {"numba": "fast", "symengine": "fast", "jaxgen": "peers"}


@functools.lru_cache(maxsize=None)
def available(name: str) -> bool:
    """True when backend ``name`` can be used in this environment."""
    if name not in BACKENDS:
        return False
    mod = _MODULE.get(name)
    if mod is None:
        return True
    try:
        importlib.import_module(mod)
    except Exception:  # noqa: BLE001 - a broken optional install counts as absent
        return False
    return True


def _import(name: str) -> ModuleType:
    if not available(name):
        raise UsageError(f"backend {name!r} needs the optional package {_MODULE[name]!r} "
                         f"(pip install 'dmf-verify[{_EXTRA[name]}]')")
    return importlib.import_module(_MODULE[name])


def import_numba() -> ModuleType:
    return _import("numba")


def import_symengine() -> ModuleType:
    return _import("symengine")


def resolve(backend: str) -> str:
    """'auto' -> the fastest available dense-Hessian backend (numba, else numpy)."""
    name = str(backend).strip().lower()
    if name == "auto":
        return "numba" if available("numba") else "numpy"
    if name not in BACKENDS:
        raise UsageError(f"unknown backend {backend!r}; known: auto, {', '.join(BACKENDS)}")
    if not available(name):
        _import(name)
    return name


def import_jax() -> ModuleType:
    return _import("jaxgen")
