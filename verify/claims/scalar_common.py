"""Shared pieces of the scalar claim kinds: scope strings, sentinel depths, claimed closed forms
evaluated exactly or at high precision (never in float64 alone), and the minimizer kinds' instance and verdict.

A claimed closed form in |m| can cancel catastrophically: (√2 + √3 − √(5 + 2√6))·(m + 1)^50 is exactly 0,
yet float64 makes it about 10^134. ``claimed_values`` therefore evaluates it on the exact rational target by
SymPy's adaptive ``evalf``, which follows the accuracy through cancellations.
"""
from __future__ import annotations

import atexit
import functools
import os
import pickle
import select
import signal
import subprocess
import sys
import threading
import time
from typing import Callable, Sequence

import mpmath
import numpy as np
import sympy as sp

from sympy.core.evalf import PrecisionExhausted

from ..errors import ClaimUndecided, UsageError
from ..expressions import check_exp_nesting
from ..numbers import check_depth, parse_rational, to_mpf
from ..symbolic.scalar import L_sym, mabs
from .base import CheckResult, Verdict
from .context import RunContext
from .sampling import Targets

#: depths beyond the profile's at which the high-precision tiers test a claim quantified over every L
#: (one target each): a closed form that is right at small depths only is refuted there
SENTINEL_DEPTHS = (6, 8, 16, 32, 64)

#: the largest depth the suite handles; multiplicities are validated at every depth up to it
MAX_DEPTH = 64


@functools.lru_cache(maxsize=512)
def formula_at(formula: sp.Expr, depth: int) -> sp.Expr:
    """A claimed closed form in (|m|, L) at L = depth (SymPy ``subs``), once per process per (formula, depth):
    every tier of a claim, and every instance of a tier, asks for the same few depths, and ``subs`` into a
    formula with symbolic powers such as τ costs milliseconds each time."""
    return sp.sympify(formula).subs(L_sym, depth)


def claim_depths_in(ctx: RunContext, depths: Sequence[int] | None, min_depth: int) -> list[int]:
    """A claim's depths in this run: its explicit ``depths``, else the profile's depths ≥ ``min_depth``."""
    return list(depths) if depths is not None else [L for L in ctx.profile.depths if L >= min_depth]


def sentinels(chosen: Sequence[int], min_depth: int) -> list[int]:
    """Sentinel depths ≥ min_depth that the profile's depths do not already cover."""
    have = set(chosen)
    return [L for L in SENTINEL_DEPTHS if L >= min_depth and L not in have]


class ClaimValueError(ValueError):
    """The claimed closed form has no positive real value at an instance (a wrong claim, not a crash)."""


#: wall-clock budget for evaluating a claimed formula with exp/trig/symbolic powers at one instance.
#: SymPy's evalf ignores ``maxn`` inside sin/cos argument reduction: sin(exp(exp(exp(3)))) asks for
#: ~2·10^8 digits and never returns, so such formulas are evaluated in a forked child that is stopped here.
EVAL_SECONDS = 5.0

_RISKY = (sp.exp, sp.sin, sp.cos, sp.tan, sp.sinh, sp.cosh, sp.tanh)


@functools.lru_cache(maxsize=1024)
def _risky(expr: sp.Expr) -> bool:
    """True when evalf's work can grow without bound in the value (exponential-type or trigonometric
    functions, or a power whose exponent is not a number); algebraic formulas are bounded by ``maxn``."""
    return bool(expr.atoms(*_RISKY)) or any(not p.exp.is_Number for p in expr.atoms(sp.Pow))


def _evalf_once(expr: sp.Expr, at: dict, dps: int) -> sp.Expr:
    """SymPy's adaptive evalf: strict first (maxn = dps + 400), then non-strict with maxn = 4·dps + 2000."""
    try:
        return expr.evalf(dps + 5, subs=at, maxn=dps + 400, strict=True)
    except PrecisionExhausted:
        return expr.evalf(dps + 5, subs=at, maxn=4 * dps + 2000)


def _attempt(fn: Callable[[], object]) -> tuple[bool | None, object]:
    """(True, fn()); (False, message) for ZeroDivisionError/ValueError/OverflowError; else (None, message)."""
    try:
        return True, fn()
    except (ZeroDivisionError, ValueError, OverflowError) as exc:
        return False, f"{type(exc).__name__}: {exc}"
    except BaseException as exc:  # noqa: BLE001 - reported to the parent as undecided
        return None, f"{type(exc).__name__}: {exc}"


class _TimedOut(Exception):
    """The child ran past its budget and was killed."""


def _forked(fn: Callable[[], object], seconds: float) -> bytes:
    """The pickled ``_attempt(fn)`` computed in a forked child killed after ``seconds`` (_TimedOut);
    b"" when the child died without an answer."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: compute, send (ok, payload), exit without running the parent's cleanup
        try:
            os.close(read)
            payload = _attempt(fn)
            with os.fdopen(write, "wb") as f:
                pickle.dump(payload, f)
        finally:
            os._exit(0)
    os.close(write)
    chunks = []
    try:
        with os.fdopen(read, "rb") as f:
            fd = f.fileno()
            end = time.monotonic() + seconds
            while True:
                left = end - time.monotonic()
                if left <= 0 or not select.select([fd], [], [], left)[0]:
                    os.kill(pid, signal.SIGKILL)
                    raise _TimedOut
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.waitpid(pid, 0)
    return b"".join(chunks)


def _serve() -> None:
    """The evaluation server's loop, in a fresh single-threaded interpreter: each request on stdin is
    8 bytes of length and the pickled (fn, seconds); the answer is b"T" (timed out) or b"R", 8 bytes of
    length and ``_forked``'s bytes. fn is unpickled in the forked child only."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    x = sp.Symbol("x")  # load what evalf and lambdify load lazily, once here rather than in every child
    _evalf_once(sp.exp(x) * sp.sin(x) + x ** sp.Rational(1, 3), {x: sp.Rational(7, 3)}, 30)
    _lambdified(sp.exp(x), x, np.ones(2))
    while True:
        head = stdin.read(8)
        if len(head) < 8:
            return
        fn_blob, seconds = pickle.loads(stdin.read(int.from_bytes(head, "big")))
        try:
            data = _forked(lambda: pickle.loads(fn_blob)(), seconds)
            stdout.write(b"R" + len(data).to_bytes(8, "big") + data)
        except _TimedOut:
            stdout.write(b"T")
        stdout.flush()


class _Server:
    """A client of one evaluation server (``_serve``), started on first use by subprocess (fork + exec,
    safe in a multi-threaded process) with this module loaded; it ends when its stdin closes."""

    lock = threading.Lock()
    proc: subprocess.Popen | None = None

    @staticmethod
    def close(proc: subprocess.Popen) -> None:
        """End a server: close its stdin (it returns), else kill it after 2 s."""
        try:
            if proc.stdin is not None:
                proc.stdin.close()
            proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()

    @classmethod
    def ask(cls, fn_blob: bytes, seconds: float) -> bytes:
        """``_forked``'s bytes for the pickled ``fn_blob`` (``_TimedOut`` past ``seconds``)."""
        with cls.lock:
            proc = cls.proc
            if proc is None or proc.poll() is not None:
                root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
                env = dict(os.environ, PYTHONPATH=os.pathsep.join([root] + [p for p in sys.path if p]))
                proc = cls.proc = subprocess.Popen(
                    [sys.executable, "-c", f"from {__name__} import _serve; _serve()"],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
                atexit.register(cls.close, proc)
            assert proc.stdin is not None and proc.stdout is not None
            try:
                request = pickle.dumps((fn_blob, seconds))
                proc.stdin.write(len(request).to_bytes(8, "big") + request)
                proc.stdin.flush()
                tag = proc.stdout.read(1)
                if tag == b"T":
                    raise _TimedOut
                if tag != b"R":
                    raise OSError("the evaluation server ended")
                return proc.stdout.read(int.from_bytes(proc.stdout.read(8), "big"))
            except _TimedOut:
                raise
            except BaseException as exc:  # Ctrl-C mid-request included: an answer may be pending, so a new server
                proc.kill()
                proc.wait()
                cls.proc = None
                if isinstance(exc, OSError):
                    return b""
                raise


def _outcome(data: bytes, where: str) -> object:
    """The child's answer as a value, ValueError or ClaimUndecided."""
    try:
        ok, payload = pickle.loads(data)
    except Exception:  # noqa: BLE001 - a child that died without an answer (no data, or cut short)
        raise ClaimUndecided(f"evaluating the claimed formula failed in the worker process {where}") from None
    if ok is None:
        raise ClaimUndecided(f"evaluating the claimed formula failed {where}: {payload}")
    if not ok:
        raise ValueError(payload)
    return payload


def _bounded(fn: Callable[[], object], where: str) -> object:
    """fn() computed in a child process and stopped after EVAL_SECONDS (ClaimUndecided naming ``where``).

    ZeroDivisionError, ValueError and OverflowError in the child are raised here as ValueError; anything
    else, or a child that dies without an answer, is ClaimUndecided. The child is forked from this
    process when it has a single Python thread (cheap). A fork of a process with other threads (a Dask
    worker, a user's program, a live display) can deadlock the child on a lock another thread held, so there, when
    ``fn`` pickles, the child is forked by the evaluation server (``_Server``: a single-threaded
    interpreter started once) instead: the same computation and answer, and the same budget.
    """
    blob = None
    if threading.active_count() > 1:
        try:
            blob = pickle.dumps(fn)
        except Exception:  # noqa: BLE001 - e.g. a closure: only a fork of this process can run it
            blob = None
    try:
        data = _Server.ask(blob, EVAL_SECONDS) if blob is not None else _forked(fn, EVAL_SECONDS)
    except _TimedOut:
        raise ClaimUndecided(f"evaluating the claimed formula took over {EVAL_SECONDS:g} s {where}") from None
    return _outcome(data, where)


def _evalf_bounded(expr: sp.Expr, at: dict, dps: int) -> sp.Expr:
    """``_evalf_once`` stopped after EVAL_SECONDS (ClaimUndecided) for formulas whose cost is unbounded."""
    if not _risky(expr) or not hasattr(os, "fork"):
        return _evalf_once(expr, at, dps)
    return _bounded(functools.partial(_evalf_once, expr, at, dps), "at " + ", ".join(f"{k} = {v}" for k, v in at.items()))


def claimed_values(expr: sp.Expr, var: sp.Symbol, values: Sequence[sp.Rational], dps: int) -> list[mpmath.mpf]:
    """expr at var = each exact value, to about ``dps`` digits, by SymPy's adaptive ``evalf``.

    evalf tracks the accuracy of every term and raises its precision through cancellations (mpmath at a
    fixed or doubled precision can agree with itself on garbage). When a sub-expression cannot be told
    from 0 (strict evaluation fails, as for √2 + √3 − √(5 + 2√6)), it is taken as below 10^-(maxn) of its
    scale, maxn = 4·dps + 2000 digits. Formulas with exp/trig or symbolic powers are evaluated under a
    time budget (EVAL_SECONDS); beyond it the value is unknown (ClaimUndecided).
    """
    expr = sp.sympify(expr)
    if expr.free_symbols - {var}:
        raise ClaimValueError(f"the claimed formula has symbols other than {var}: {sorted(map(str, expr.free_symbols))}")
    out = []
    for v in values:
        at = {var: sp.Rational(v)}
        try:
            x = _evalf_bounded(expr, at, dps)
        except (ZeroDivisionError, ValueError, OverflowError) as exc:
            raise ClaimValueError(f"the claimed formula cannot be evaluated at {var} = {v}: {exc}") from None
        re, im = (x, 0) if x.is_Float else x.as_real_imag()  # a Float is its own real part (as_real_imag's answer)
        if im != 0 or not re.is_Float:
            raise ClaimValueError(f"the claimed value at {var} = {v} is {x}, not a finite real number")
        with mpmath.workdps(dps):
            out.append(+mpmath.mpf(re._mpf_))
    return out


def _lambdified(expr: sp.Expr, var: sp.Symbol, approx: np.ndarray) -> np.ndarray:
    """The float64 lambdified ``expr`` at ``approx`` (complex, one value per entry)."""
    with np.errstate(all="ignore"):
        values = np.asarray(sp.lambdify(var, expr, "numpy")(approx), dtype=complex)
    return np.broadcast_to(values, approx.shape).copy()


def claimed_floats(expr: sp.Expr, var: sp.Symbol, values: Sequence[sp.Rational], probes: int = 8) -> np.ndarray:
    """expr at each exact value, rounded once to float64 from a high-precision value (``values``: Rationals, or
    ``Targets``, whose floats are used as they are).

    Fast path: the float64 lambdified formula, accepted when it agrees to 1e-13 relative with the
    high-precision route on ``probes`` instances spread over the batch (smallest and largest |value|
    included); otherwise every instance is evaluated at high precision.
    """
    if isinstance(values, Targets):  # floats already rounded once; exact values built only where used
        vals: Sequence[sp.Rational] = values
        approx = values.floats
    else:
        vals = [sp.Rational(v) for v in values]
        approx = np.array([float(v) for v in vals])
    n = len(vals)
    if n == 0:
        return np.zeros(0)
    lambdified = functools.partial(_lambdified, expr, var, approx)
    try:
        # printing a formula for lambdify can itself call evalf (term ordering): bounded like evalf
        fast = _bounded(lambdified, "(float64 batch)") if _risky(expr) and hasattr(os, "fork") else lambdified()
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, ClaimUndecided):
        fast = None
    order = np.argsort(np.abs(approx), kind="stable").tolist()
    pick = sorted({order[0], order[-1], *(order[int(k * (n - 1) / max(probes - 1, 1))] for k in range(probes))})
    if fast is not None and np.all(np.isfinite(fast)) and np.all(fast.imag == 0):
        ref = claimed_values(expr, var, [vals[i] for i in pick], 20)
        if all(abs(float(r) - fast[i].real) <= 1e-13 * abs(float(r)) for r, i in zip(ref, pick)):
            return fast.real.copy()
    return np.array([float(x) for x in claimed_values(expr, var, list(vals), 20)])


def global_kind(depth: int, m: sp.Rational, a: sp.Expr, b: sp.Expr, dps: int) -> str:
    """Which point is the global minimizer of F at (L, m, a, b), decided in mpmath: "zero", "nonzero",
    or "undecided".

    F is compared at all stationary points (``verify.highprec.scalar``) at two working precisions, dps + 10
    and 2·dps + 20; a gap |F(0) − F(ρ)| ≤ 10^(−dps)·F(0) is within working error (at L ≥ 3 a tie, which
    numerics cannot prove). At L = 2 the gap (a/2)ρ⁴ of a small nonzero point vanishes faster than ρ², so
    there the existence of a nonzero stationary point decides; its existence (the sign of |m| − b/a) is
    trusted only when both precisions agree. Any disagreement between the precisions is "undecided".
    """
    from ..highprec import scalar as hp

    kinds = []
    for work in (dps + 10, 2 * dps + 20):
        with mpmath.workdps(work):
            m_mp, a_mp, b_mp = (to_mpf(x, work) for x in (m, a, b))
            if m_mp == 0:
                return "zero"
            gap = hp.collapse_gap(depth, m_mp, a_mp, b_mp)
            f0 = a_mp * m_mp**2 / 2
            if gap is None:
                kinds.append("zero")
            elif abs(gap) <= f0 * mpmath.mpf(10) ** (-dps):
                kinds.append("nonzero" if depth == 2 else "undecided")
            else:
                kinds.append("nonzero" if gap > 0 else "zero")
    return kinds[0] if kinds[0] == kinds[1] else "undecided"


def claim_depths(depths: Sequence[int] | None) -> tuple[int, ...] | None:
    """A claim's explicit depths: each in 1..64, none repeated, not empty (None: the profile's)."""
    if depths is None:
        return None
    out = tuple(check_depth(d) for d in depths)
    if not out:
        raise UsageError("depths must not be empty")
    if len(set(out)) != len(out):
        raise UsageError(f"depths must not repeat, got {list(out)}")
    return out


def claimed_formula(expr: object, what: str) -> sp.Expr:
    """A claimed closed form in |m| and L: exact numbers only, within the nesting budget."""
    formula = sp.sympify(expr)
    extra = formula.free_symbols - {mabs, L_sym}
    if extra:
        raise UsageError(f"{what} may use only |m| and L, found {sorted(map(str, extra))}")
    check_exp_nesting(formula, what)
    inexact = sorted(map(str, formula.atoms(sp.Float)))
    if inexact:
        raise UsageError(f"{what} has inexact number(s) {', '.join(inexact)}: write them exactly "
                         "(e.g. 7/10, not 0.7)")
    return formula


def minimizer_instance(depth: object, target: object, lam: object, expect: str,
                       outcomes: Sequence[str]) -> tuple[int, sp.Rational, sp.Rational]:
    """A minimizer claim's (L, m, λ) read exactly, λ > 0 and ``expect`` one of ``outcomes`` (else UsageError)."""
    L = check_depth(depth)
    m = parse_rational(target, "target")
    lam_q = parse_rational(lam, "lambda")
    if lam_q <= 0:
        raise UsageError(f"lambda must be > 0, got {lam}")
    if expect not in outcomes:
        raise UsageError(f"expect must be one of {', '.join(outcomes)}, got {expect!r}")
    return L, m, lam_q


def minimizer_verdict(found: str, expect: str, what: str, **kw) -> CheckResult:
    """A minimizer check's verdict from the global minimizer ``found`` ("undecided": inconclusive) against the
    claimed ``expect``; ``where`` (optional) names the instance in a counterexample."""
    where = kw.pop("where", {})
    if found == "undecided":
        return CheckResult(Verdict.INCONCLUSIVE, f"{what}: too close to the threshold to separate 0 from the "
                           "nonzero point", **kw)
    if found == expect:
        return CheckResult(Verdict.VERIFIED, f"{what}: the global minimizer is {found}, as claimed", **kw)
    return CheckResult(Verdict.REFUTED, f"{what}: the global minimizer is {found}, not {expect}",
                       counterexample={"found": found, "claimed": expect, **where}, **kw)
