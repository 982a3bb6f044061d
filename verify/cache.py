"""A disk cache for exact derivations, so that a second process (a worker, the next command) skips SymPy.

Where: ``$VERIFY_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/dmf-verify``, else ``~/.cache/dmf-verify``;
``VERIFY_CACHE=off`` (or 0/no/false) disables it; under pytest it is off unless ``VERIFY_CACHE=on``. Entries live in a subdirectory named by the cache *version*:
the tool's version, the SymPy version, SymPy's ground types, the Python version and a fingerprint of the
deriving source files (so an edited derivation is never answered from an older one). Each entry's key text
(function name and arguments; SymPy arguments by ``srepr``) is hashed for the file name and stored in the
entry, and compared on load.

Format and why loading it is safe: an entry is ``MAGIC``, the SHA-256 of the payload, then the payload, a
pickle of (key, value) written by this module only. Pickle can run code on load, so an entry is read only
from a directory this user owns with mode 0700, and only when the file itself is owned by this user and not
writable by group or others: whoever can write such a file can already run code as this user. The digest
guards against corruption (a torn or truncated write, a bad disk), not against that user. Writes are atomic
(a temporary file in the same directory, then ``os.replace``). Anything wrong with an entry (missing, bad
digest, wrong key, unpickling error, wrong owner or mode) is a miss: the value is recomputed, never an error.
An unwritable cache directory disables the cache for the process, silently.

Source files (``source_file``): generated Python code that another library must import from a file (numba caches
compiled code only for functions defined in one) is written into the same directory under the same rules, named by
the digest of its text, and used only while it holds exactly that text.
"""
from __future__ import annotations

import functools
import hashlib
import inspect
import os
import pickle
import stat
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any, Callable, TypeVar

MAGIC = b"dmf-verify-cache-1\n"
"""First bytes of every entry (bumped when the format changes)."""

_SOURCES = ("symbolic", "problems", "landscape/weighted_exact.py", "numbers.py", "conventions.py", "expressions.py",
            "expression_budgets.py", "errors.py", "cache.py")
"""Files (or folders of .py files) under verify/ whose text keys the cache: the derivations and what they use."""

_MISS = object()
_state: dict[str, Any] = {"disabled": False, "version": None}

F = TypeVar("F", bound=Callable[..., Any])


def _off() -> bool:
    """Off when VERIFY_CACHE says so, after a failed set-up, and under pytest unless VERIFY_CACHE=on: tests stay
    hermetic (a test that tampers with a derivation must not be answered from disk)."""
    setting = os.environ.get("VERIFY_CACHE", "").strip().lower()
    if setting in ("0", "off", "no", "false") or _state["disabled"]:
        return True
    if setting not in ("", "1", "on", "yes", "true"):  # not understood: never read as "on"
        if not _state.get("warned"):
            _state["warned"] = True
            warnings.warn(f"VERIFY_CACHE={os.environ['VERIFY_CACHE']!r} is not on/off (1/0, yes/no, true/false): "
                          "the derivation cache is off", RuntimeWarning, stacklevel=2)
        return True
    return "PYTEST_CURRENT_TEST" in os.environ and setting not in ("1", "on", "yes", "true")


def cache_root() -> Path:
    """The cache's root directory (not created here)."""
    if os.environ.get("VERIFY_CACHE_DIR"):
        return Path(os.environ["VERIFY_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dmf-verify"


def cache_version() -> str:
    """Tool version, SymPy version and ground types, Python version, and the deriving sources' fingerprint."""
    if _state["version"] is None:
        import sympy
        from sympy.external.gmpy import GROUND_TYPES

        from . import __version__

        here = Path(__file__).resolve().parent
        digest = hashlib.sha256()
        for name in _SOURCES:
            path = here / name
            files = sorted(path.glob("*.py")) if path.is_dir() else [path]
            for f in files:
                digest.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
        _state["version"] = (f"v{__version__}-sympy{sympy.__version__}-{GROUND_TYPES}-"
                             f"py{sys.version_info[0]}.{sys.version_info[1]}-{digest.hexdigest()[:16]}")
    return _state["version"]


def key_text(obj: object) -> str:
    """A text naming ``obj`` exactly: ints, strings, tuples, SymPy objects (srepr, with assumptions),
    dataclasses field by field. TypeError for anything else (such a call is not cached)."""
    import dataclasses

    import sympy as sp

    if obj is None or isinstance(obj, (bool, int, str)):
        return repr(obj)
    if isinstance(obj, (tuple, list)):
        return "(" + ", ".join(key_text(x) for x in obj) + ",)"
    if isinstance(obj, sp.Basic):
        return sp.srepr(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        fields = ", ".join(f"{f.name}={key_text(getattr(obj, f.name))}" for f in dataclasses.fields(obj))
        return f"{type(obj).__module__}.{type(obj).__qualname__}({fields})"
    raise TypeError(f"no cache key for {type(obj).__name__}")


def _directory() -> Path | None:
    """The version's entry directory, created 0700 on first use; None (and the cache off) if that fails."""
    path = cache_root() / cache_version()
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(path, directory=True):
            raise PermissionError(f"{path} is not private to this user")
        return path
    except OSError:
        _state["disabled"] = True
        return None


def _private(path: Path, directory: bool = False) -> bool:
    """Owned by this user; a directory: no access for others; a file: not writable by group or others."""
    st = path.stat()
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return False
    mask = (stat.S_IRWXG | stat.S_IRWXO) if directory else (stat.S_IWGRP | stat.S_IWOTH)
    return not st.st_mode & mask


def _entry(key: str) -> Path | None:
    directory = _directory()
    return None if directory is None else directory / (hashlib.sha256(key.encode()).hexdigest()[:40] + ".pkl")


def load(key: str) -> Any:
    """The value stored under ``key``, or the module's miss marker (``is_miss``) when there is none to trust."""
    if _off():
        return _MISS
    path = _entry(key)
    try:
        if path is None or not path.is_file() or not _private(path):
            return _MISS
        data = path.read_bytes()
        if not data.startswith(MAGIC):
            return _MISS
        body = data[len(MAGIC):]
        digest, payload = body[:32], body[32:]
        if hashlib.sha256(payload).digest() != digest:
            return _MISS
        stored_key, value = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a bad entry is a miss, recomputed (module docstring)
        return _MISS
    return value if stored_key == key else _MISS


def is_miss(value: object) -> bool:
    """Whether ``load`` found nothing to trust."""
    return value is _MISS


def store(key: str, value: Any) -> bool:
    """Write ``value`` under ``key`` atomically; False (silently) when the cache is off or the write fails."""
    if _off():
        return False
    path = _entry(key)
    if path is None:
        return False
    try:
        payload = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - a value that does not pickle is simply not cached
        return False
    return _write_atomic(path, MAGIC + hashlib.sha256(payload).digest() + payload)


def _write_atomic(path: Path, data: bytes) -> bool:
    """``data`` into ``path`` by a temporary file (0600) in the same directory and ``os.replace``; False on failure,
    leaving no temporary file behind."""
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        return True
    except OSError:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return False


def enabled() -> bool:
    """Whether this process reads and writes the cache (on, and its directory usable)."""
    return not _off() and _directory() is not None


def source_file(stem: str, text: str) -> Path | None:
    """A Python file holding exactly ``text`` in the version's directory (``stem``_<digest>.py, written once,
    atomically); None when the cache is off or the file cannot be written. A file found there is used only when it
    is private to this user and holds this text byte for byte; anything else (unreadable, not text, another text)
    is written again."""
    if _off():
        return None
    directory = _directory()
    if directory is None:
        return None
    data = text.encode("utf-8")
    path = directory / f"{stem}_{hashlib.sha256(data).hexdigest()[:32]}.py"
    try:
        if path.is_file() and _private(path) and path.read_bytes() == data:
            return path
    except OSError:
        pass
    return path if _write_atomic(path, data) else None


def disk_cached(fn: F) -> F:
    """Decorator: look the call up on disk first, store what is computed (see module docstring).

    Arguments are bound to the signature (defaults applied), so ``f(3)`` and ``f(depth=3)`` share an entry.
    A call whose arguments have no ``key_text`` runs uncached. Put ``functools.lru_cache`` outside it.
    """
    sig = inspect.signature(fn)
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if _off():
            return fn(*args, **kwargs)
        try:
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            key = f"{name}{key_text(tuple(bound.arguments.items()))}"
        except TypeError:
            return fn(*args, **kwargs)
        value = load(key)
        if not is_miss(value):
            return value
        value = fn(*args, **kwargs)
        store(key, value)
        return value

    wrapper.uncached = fn  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
