"""Load a ``.py`` claim file: the user's own code, imported and run with the user's privileges.

Importing runs every statement in the file, so only files the user trusts may be loaded (the
docs say so). A file that ends the interpreter while loading (``sys.exit``, ``raise SystemExit``,
its own ``raise KeyboardInterrupt`` or any other ``BaseException``) becomes a one-line UsageError
instead of silently ending the run with its exit status; a real Ctrl-C still interrupts.
"""
from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from ..claims import Claim
from ..claims.li_kinds_common import USER_PAPER
from ..errors import UsageError


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


@contextmanager
def _sigint_watch() -> Iterator[dict[str, bool]]:
    """Record whether a real SIGINT (Ctrl-C) arrives, so a file's own ``raise KeyboardInterrupt``
    can be told apart from the user interrupting. Only possible in the main thread; elsewhere
    every KeyboardInterrupt counts as real."""
    state = {"real": True}
    if threading.current_thread() is not threading.main_thread():
        yield state
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: Any) -> None:
        state["real"] = True
        if callable(previous) and previous is not signal.default_int_handler:
            previous(signum, frame)
        elif previous != signal.SIG_IGN:
            raise KeyboardInterrupt

    state["real"] = False
    signal.signal(signal.SIGINT, handler)
    try:
        yield state
    finally:
        signal.signal(signal.SIGINT, previous)


def _guarded(path: Path, stage: str, call: Callable[[], Any]) -> Any:
    """Run the user's code; turn what it raises (SystemExit included) into one-line UsageErrors."""
    with _sigint_watch() as sigint:
        try:
            return call()
        except UsageError as exc:
            raise UsageError(f"{path}: {exc}") from None
        except KeyboardInterrupt:
            if sigint["real"]:
                raise  # the user pressed Ctrl-C: the CLI prints one line and exits 130
            raise UsageError(f"{path}: claim file raised KeyboardInterrupt while {stage}") from None
        except SystemExit as exc:
            raise UsageError(f"{path}: claim file called sys.exit({exc.code!r}) while {stage}") from None
        except Exception as exc:
            raise UsageError(f"{path}: {stage} failed: {_one_line(exc)}") from None
        except BaseException as exc:  # GeneratorExit or a user-defined BaseException
            raise UsageError(f"{path}: claim file raised {_one_line(exc)} while {stage}") from None


def load_python(path: Path) -> list[Claim]:
    """Import a Python claim file and take ``claims()`` (or a ``CLAIMS`` list) from it."""
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    name = f"_verify_claimfile_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UsageError(f"{path}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        return _claims_of(path, spec, module)
    except BaseException:
        sys.modules.pop(name, None)  # a failed load leaves nothing behind
        raise


def _claims_of(path: Path, spec: Any, module: Any) -> list[Claim]:
    _guarded(path, "loading", lambda: spec.loader.exec_module(module))
    maker = getattr(module, "claims", None)
    if callable(maker):
        found = _guarded(path, "calling claims()", maker)
    else:
        found = getattr(module, "CLAIMS", None)
    if not isinstance(found, (list, tuple)) or not all(isinstance(c, Claim) for c in found):
        raise UsageError(f"{path}: define claims() returning a list of Claim objects (or a CLAIMS list)")
    # whatever ``paper`` a file's claim sets, it is the file's claim: never reported under a paper's name (a
    # catalogue claim is run as the paper's with ``verify run --only``)
    return [c if c.paper == USER_PAPER else dataclasses.replace(c, paper=USER_PAPER) for c in found]
