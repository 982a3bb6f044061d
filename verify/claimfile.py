"""Load a user's claim file: a Python module using ``verify.api``, or a declarative TOML file.

TOML: one ``[[claim]]`` table per claim with ``id``, ``kind``, ``statement``, ``source`` and the
kind's fields. Formulas are strings parsed by ``verify.expressions`` (a whitelist walker over the
syntax tree: no eval, no sympify of user text). Kinds and their formula symbols:

- ``threshold``: ``formula`` (or ``formula = "none"``) in m, L, tau; ``convention``, ``depths``.
- ``spectrum``: ``nonzero`` and ``at_zero`` = [[eigenvalue, multiplicity], ...] in a, b, rho, m, L.
- ``uniqueness``: ``exceptional`` (the exceptional λ) in m, L, tau.
- ``minimizer``: ``depth``, ``target``, ``lam`` (decimal strings, read exactly), ``expect`` =
  zero | nonzero | tie.

``m`` stands for |m| in formulas (so ``abs(m)`` is the same); ``tau`` for the paper's τ(|m|, L).
"""
from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path
from typing import Any, Callable

import sympy as sp

from .claims import Claim
from .claims.minimizer import minimizer_claim
from .claims.scalar_spectrum import scalar_spectrum_claim
from .claims.scalar_uniqueness import scalar_uniqueness_claim
from .claims.threshold import threshold_claim
from .errors import UsageError
from .expressions import parse_expression
from .symbolic.scalar import L_sym, a, b, mabs, rho


def _tau() -> sp.Expr:
    from proofs.kamber_parhi_2026.formulas import tau

    return tau()


def _formula(text: Any, where: str, names: dict[str, sp.Expr]) -> sp.Expr:
    if not isinstance(text, str):
        raise UsageError(f"{where}: a formula must be a string, got {type(text).__name__}")
    try:
        return parse_expression(text, names)
    except UsageError as exc:
        raise UsageError(f"{where}: {exc}") from None


def _threshold_names() -> dict[str, sp.Expr]:
    return {"m": mabs, "L": L_sym, "tau": _tau()}


def _spectrum_names() -> dict[str, sp.Expr]:
    return {"a": a, "b": b, "rho": rho, "m": mabs, "L": L_sym}


def _depths(table: dict, where: str) -> tuple[int, ...] | None:
    d = table.get("depths")
    if d is None:
        return None
    if not isinstance(d, list) or not d or not all(isinstance(x, int) and not isinstance(x, bool) and x >= 1 for x in d):
        raise UsageError(f"{where}: depths must be a non-empty list of positive integers")
    return tuple(d)


def _spectrum(table: dict, key: str, where: str) -> list[tuple[sp.Expr, sp.Expr]]:
    items = table.get(key)
    if not isinstance(items, list) or not all(isinstance(x, list) and len(x) == 2 for x in items):
        raise UsageError(f"{where}: {key} must be a list of [eigenvalue, multiplicity] string pairs")
    names = _spectrum_names()
    return [(_formula(e, f"{where}.{key}", names), _formula(str(k), f"{where}.{key}", names)) for e, k in items]


def _common(table: dict, where: str) -> dict:
    out = {}
    for key in ("id", "statement", "source"):
        v = table.get(key)
        if not isinstance(v, str) or not v.strip():
            raise UsageError(f"{where}: '{key}' must be a non-empty string")
        out[key] = v.strip()
    if any(c.isspace() for c in out["id"]):
        raise UsageError(f"{where}: claim id {out['id']!r} must not contain spaces")
    return out


def _build_threshold(t: dict, where: str, c: dict) -> Claim:
    raw = t.get("formula")
    formula = None if raw == "none" else _formula(raw, f"{where}.formula", _threshold_names())
    return threshold_claim(c["id"], c["statement"], c["source"], formula, t.get("convention", "A1"),
                           depths=_depths(t, where), min_depth=3 if formula is not None else 1)


def _build_spectrum(t: dict, where: str, c: dict) -> Claim:
    return scalar_spectrum_claim(c["id"], c["statement"], c["source"], _spectrum(t, "nonzero", where),
                                 _spectrum(t, "at_zero", where), t.get("convention", "A1"), depths=_depths(t, where))


def _build_uniqueness(t: dict, where: str, c: dict) -> Claim:
    formula = _formula(t.get("exceptional"), f"{where}.exceptional", _threshold_names())
    return scalar_uniqueness_claim(c["id"], c["statement"], c["source"], formula, t.get("convention", "A1"),
                                   depths=_depths(t, where))


def _build_minimizer(t: dict, where: str, c: dict) -> Claim:
    for key in ("depth", "target", "lam", "expect"):
        if key not in t:
            raise UsageError(f"{where}: missing '{key}'")
    return minimizer_claim(c["id"], c["statement"], c["source"], t["depth"], str(t["target"]), str(t["lam"]),
                           t["expect"], t.get("convention", "A1"))


KINDS: dict[str, Callable[[dict, str, dict], Claim]] = {
    "threshold": _build_threshold, "spectrum": _build_spectrum,
    "uniqueness": _build_uniqueness, "minimizer": _build_minimizer,
}


def load_toml(path: Path) -> list[Claim]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from None
    tables = data.get("claim")
    if not isinstance(tables, list) or not tables:
        raise UsageError(f"{path}: no [[claim]] tables found")
    claims = []
    for i, t in enumerate(tables, 1):
        where = f"{path.name}: claim {i}"
        if not isinstance(t, dict):
            raise UsageError(f"{where}: must be a table")
        common = _common(t, where)
        where = f"{path.name}: {common['id']}"
        kind = t.get("kind")
        if kind not in KINDS:
            raise UsageError(f"{where}: unknown kind {kind!r}; known: {', '.join(KINDS)}")
        try:
            claims.append(KINDS[kind](t, where, common))
        except UsageError as exc:
            msg = str(exc)
            raise UsageError(msg if msg.startswith(path.name) else f"{where}: {msg}") from None
        except (ValueError, TypeError) as exc:
            raise UsageError(f"{where}: {exc}") from None
    return claims


def load_python(path: Path) -> list[Claim]:
    """Import a Python claim file (the user's own code) and take ``claims()`` or ``CLAIMS``."""
    name = f"_verify_claimfile_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UsageError(f"{path}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except UsageError:
        raise
    except Exception as exc:
        raise UsageError(f"{path}: importing the claim file failed: {type(exc).__name__}: {exc}") from None
    try:
        found = module.claims() if callable(getattr(module, "claims", None)) else getattr(module, "CLAIMS", None)
    except UsageError:
        raise
    except Exception as exc:
        raise UsageError(f"{path}: claims() failed: {type(exc).__name__}: {exc}") from None
    if not isinstance(found, (list, tuple)) or not all(isinstance(c, Claim) for c in found):
        raise UsageError(f"{path}: define claims() returning a list of Claim objects (or a CLAIMS list)")
    return list(found)


def load_claim_file(path: str | Path) -> list[Claim]:
    """Claims declared in a .toml or .py file; ids must be unique."""
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"claim file not found: {path}")
    if p.suffix == ".toml":
        claims = load_toml(p)
    elif p.suffix == ".py":
        claims = load_python(p)
    else:
        raise UsageError(f"{path}: claim files are .toml or .py")
    ids = [c.id for c in claims]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise UsageError(f"{path}: duplicate claim id(s): {', '.join(dupes)}")
    return claims
