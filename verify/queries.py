"""Answers to single questions about the scalar problem, used by the CLI and the public API.

``threshold_summary``: the collapse threshold by exact derivation and by an independent mpmath
bisection, compared with a reference formula (the paper's τ). ``minimizers_summary``: the global
minimizers at a given λ, whether the end-to-end product is unique, and the Hessian spectrum there.
``problem_threshold_summary`` and ``problem_minimizers_summary`` answer the same questions for a
user problem (a loss and a penalty, ``verify.problems``), with the same keys plus ``problem``.
"""
from __future__ import annotations

import sys
from typing import Callable

import mpmath
import sympy as sp

from .conventions import get_convention
from .errors import UsageError
from .highprec import scalar as hp
from .numbers import check_depth, check_digits, dec, digits_of_agreement, parse_rational, to_mpf
from .symbolic.scalar import derive_threshold, exact_ratio, lam_star, mabs

Reference = Callable[[sp.Expr, int], "sp.Expr | None"]


def _ab(conv, depth: int):
    k = conv.b_over_lam(depth)
    a_mp = mpmath.mpf(int(conv.a))
    return lambda lam: (a_mp, mpmath.mpf(k.p) / k.q * lam)


def threshold_summary(depth, target, convention: str = "A1", digits: int = 50,
                      reference: Reference | None = None, certify: bool = False) -> dict:
    """λ*, the reference τ, their exact ratio, and digits of agreement of two independent routes.

    ``certify``: also a rigorous enclosure of λ* (``verify.certified.threshold``, Arb interval Newton) under
    "enclosure" {"lo", "hi"} (decimal strings, outward rounded, relative width ≤ 10^-digits) with
    "enclosure_method"; None with "enclosure_note" where there is no threshold (L = 1, m = 0) or the balls
    could not decide.
    """
    out = _threshold_summary(depth, target, convention, digits, reference)
    if certify:
        out.update(_enclosure(out["depth"], target, out["convention"], digits))
    return out


def _enclosure(L: int, target, convention: str, digits: int) -> dict:
    from .certified.arb import CertificationFailed
    from .certified.threshold import certify_threshold

    m = parse_rational(target, "target")
    if L == 1 or m == 0:
        why = "L = 1: no threshold" if L == 1 else "m = 0: the minimizer is 0 for every λ > 0"
        return {"enclosure": None, "enclosure_method": None, "enclosure_note": f"nothing to certify ({why})"}
    try:
        enc = certify_threshold(convention, L, m, check_digits(digits))
    except CertificationFailed as exc:
        return {"enclosure": None, "enclosure_method": None, "enclosure_note": f"not certified: {exc}"}
    return {"enclosure": {"lo": enc.lo, "hi": enc.hi}, "enclosure_method": enc.method}


def _threshold_summary(depth, target, convention: str, digits: int, reference: Reference | None) -> dict:
    L = check_depth(depth)
    m = parse_rational(target, "target")
    n = check_digits(digits)
    conv = get_convention(convention)
    deriv = derive_threshold(L)
    out: dict = {"depth": L, "target": _exact_text(m), "convention": conv.name, "kind": deriv.kind,
                 "threshold": None, "tau": None, "ratio": None, "digits": None,
                 "threshold_exact": None, "ratio_exact": None, "derivation": list(deriv.steps)}
    tau_expr = reference(mabs, L) if reference else None
    if tau_expr is not None:
        out["tau"] = dec(tau_expr.subs(mabs, abs(m)), n)
    lam_expr = lam_star(L, conv)
    if lam_expr is None:
        out["note"] = ("L = 1: the minimizer a·m/(a + b) is nonzero for every λ > 0; there is no threshold, "
                       "and τ's formula divides by zero (q = 2).")
        return out
    lam_m = lam_expr.subs(mabs, abs(m))
    out["threshold_exact"] = str(lam_expr.subs(mabs, sp.Symbol("|m|", positive=True)))
    out["threshold"] = dec(lam_m, n)
    with mpmath.workdps(n + 20):
        lam_bis = hp.threshold_by_bisection(L, to_mpf(m, n + 20), _ab(conv, L))
    out["bisection"] = dec(lam_bis, n)
    if m == 0:
        out["digits"] = str(n)
        out["note"] = "m = 0: the minimizer is 0 for every λ > 0 (threshold 0); the ratio to τ is undefined."
        return out
    agree = digits_of_agreement(lam_bis, to_mpf(lam_m, n + 20))
    out["digits"] = f"{min(agree, n + 20):.1f}"
    if tau_expr is not None:
        ratio = exact_ratio(lam_expr, tau_expr)
        out["ratio_exact"] = None if ratio is None else str(ratio)
        out["ratio"] = dec(lam_m / tau_expr.subs(mabs, abs(m)), n)
    if L == 2:
        out["note"] = ("L = 2: no jump; the minimizer shrinks continuously to 0 at this λ. τ's formula reads "
                       "0^0 here and is taken as its q → 1 limit 2|m|.")
    return out


def problem_threshold_summary(depth, target, problem, digits: int = 50) -> dict:
    """λ* of a user problem by SymPy elimination (exact form where it exists, verify.symbolic.problem) and
    by an independent mpmath search (verify.highprec.problem), with their digits of agreement.

    The reduction's preconditions are proved first: a problem they fail for raises ReductionRefused (a
    UsageError naming the failed condition) and gets no number at all.
    """
    from .problems import reduce

    L = check_depth(depth)
    m = parse_rational(target, "target")
    n = check_digits(digits)
    reduce(problem, L)  # first: a problem the suite cannot justify gets no number
    from .highprec import problem as hpp
    from .symbolic.problem import derive_problem_threshold

    deriv = derive_problem_threshold(problem, L)
    out: dict = {"depth": L, "target": _exact_text(m), "convention": problem.convention,
                 "problem": problem.to_json(), "kind": deriv.kind, "threshold": None, "bisection": None,
                 "tau": None, "ratio": None, "digits": None, "threshold_exact": None, "ratio_exact": None,
                 "derivation": list(deriv.steps)}
    if deriv.kind == "none":
        out["note"] = f"the minimizer does not collapse at depth {L}: it is nonzero for every λ > 0 (m ≠ 0)"
        if m != 0:  # the independent route must find no threshold either; otherwise say the routes disagree
            with mpmath.workdps(n + 20):
                independent = hpp.threshold(problem, L, to_mpf(m, n + 20))
            if independent is not None:
                out["bisection"] = dec(independent, n)
                out["digits"] = "0.0"
                out["note"] = ("the derivation finds no collapse, but the high-precision route finds a threshold; "
                               "the two routes disagree")
        return out
    if deriv.exact is not None:
        out["threshold_exact"] = str(deriv.exact.subs(mabs, sp.Symbol("|m|", positive=True)))
    if m == 0:
        out["threshold"] = out["bisection"] = "0"
        out["digits"] = str(n)
        out["note"] = "m = 0: the minimizer is 0 for every λ > 0 (threshold 0)."
        return out
    work = n + 20
    with mpmath.workdps(work):
        derived = deriv.value(abs(m), work - 10)
        independent = hpp.threshold(problem, L, to_mpf(m, work))
        out["threshold"] = dec(derived, n)
        if independent is None:
            out["note"] = ("the high-precision route found no collapse threshold where the derivation found one; "
                           "the two routes disagree")
            out["digits"] = "0.0"
            return out
        out["bisection"] = dec(independent, n)
        out["digits"] = f"{min(digits_of_agreement(independent, derived), work - 10):.1f}"
    if deriv.kind == "continuous":
        out["note"] = f"L = {L}: no jump; the minimizer shrinks continuously to 0 at this λ."
    return out


def minimizers_summary(depth, target, lam, convention: str = "A1", digits: int = 50) -> dict:
    """Global minimizers of F at λ (one representative per end-to-end product) and the spectrum there."""
    L = check_depth(depth)
    m = parse_rational(target, "target")
    n = check_digits(digits)
    conv = get_convention(convention)
    if str(lam).strip().lower() == "threshold":  # the exact derived λ*, where the minimizer may not be unique
        star = lam_star(L, conv)
        if star is None or m == 0:
            raise UsageError(f"there is no collapse threshold at depth {L} for m = {m}")
        lam_q = sp.simplify(star.subs(mabs, abs(m)))
    else:
        lam_q = parse_rational(lam, "lambda")
        if lam_q <= 0:
            raise UsageError(f"lambda must be > 0, got {lam}")
    work = _eigen_digits(L, m, lam_q, conv, n)
    with mpmath.workdps(work):
        m_mp, lam_mp = to_mpf(m, work), to_mpf(lam_q, work)
        a_mp, b_mp = _ab(conv, L)(lam_mp)
        mins = hp.global_minimizers(L, m_mp, a_mp, b_mp, tie_digits=n)
        signs = hp.canonical_signs(L, m_mp)
        entries, resolution = [], None
        for c in mins:
            w = c.point(signs) if c.rho > 0 else [mpmath.mpf(0)] * L
            H = hp.hessian(w, m_mp, a_mp, b_mp)
            eig = hp.hessian_eigenvalues(w, m_mp, a_mp, b_mp)
            err = _eigen_error(L, H)
            resolution = err if resolution is None else resolution
            entries.append({"w": [dec(x, n) for x in w], "objective": dec(c.objective, n),
                            "product": dec(c.product, n),
                            "equivalent_sign_patterns": 2 ** (L - 1) if c.rho > 0 else 1,
                            "hessian_eigenvalues": [_eigen_text(e, err, n) for e in eig]})
    return {"depth": L, "target": _exact_text(m), "lambda": _exact_text(lam_q), "convention": conv.name,
            "a": str(conv.a), "b": dec(b_mp, n),
            "minimizers": entries, "unique": len({e["product"] for e in entries}) == 1,
            "hessian_eigenvalues": entries[0]["hessian_eigenvalues"],
            "eigenvalue_resolution": dec(resolution, 5),
            "eigenvalue_working_digits": work,
            "note": "eigenvalues are computed at working_digits raised by the conditioning ||H||/b; "
                    "eigenvalue_resolution bounds their absolute error (10·L²·||H||_F·10^-working_digits); a value "
                    "known to fewer than the requested digits is printed with the digits it has and marked "
                    "'below precision', one within the resolution of 0 as '0 ± resolution (below precision)'; "
                    "each minimizer stands for its 2^(L−1) sign patterns with the same product "
                    "(flip the signs of an even number of layers); uniqueness refers to the product w_L⋯w_1"}


def problem_minimizers_summary(depth, target, lam, problem, digits: int = 50) -> dict:
    """Global minimizers of a user problem at λ (verify.highprec.problem) and the Hessian spectrum there.

    Same keys as ``minimizers_summary`` plus ``problem``; ``a`` and ``b`` are None (a user problem has no
    convention weights). At 0 a penalty that is not twice differentiable there (|w|) has no Hessian: its
    eigenvalues are reported as undefined, never as numbers. ``lam = "threshold"`` needs the exact λ*.
    """
    from .problems import reduce

    L = check_depth(depth)
    m = parse_rational(target, "target")
    n = check_digits(digits)
    red = reduce(problem, L)  # first: a problem the suite cannot justify gets no number
    from .highprec import problem as hpp
    from .symbolic.problem import derive_problem_threshold

    if str(lam).strip().lower() == "threshold":
        deriv = derive_problem_threshold(problem, L)
        if deriv.exact is None or m == 0:
            raise UsageError(f"there is no exact collapse threshold at depth {L} for m = {m} "
                             f"({'none' if deriv.kind == 'none' else 'no closed form'}); give --lam as a number")
        lam_q = sp.simplify(deriv.exact.subs(mabs, abs(m)))
    else:
        lam_q = parse_rational(lam, "lambda")
        if lam_q <= 0:
            raise UsageError(f"lambda must be > 0, got {lam}")

    def spectra(work: int) -> tuple[list, list]:
        with mpmath.workdps(work):
            m_mp, lam_mp = to_mpf(m, work), to_mpf(lam_q, work)
            mins = hpp.global_minimizers(problem, L, m_mp, lam_mp, tie_digits=n)
            rows = []
            for c in mins:
                if c.rho == 0:  # the mpmath route differentiates where every w_l ≠ 0 only
                    H = _hessian_at_zero(problem, L, m, lam_q, work) if red.smooth_at_zero else None
                    rows.append((c, H, None if H is None else _eigenvalues(H)))
                    continue
                H = hpp.hessian(problem, L, list(c.w), m_mp, lam_mp)
                rows.append((c, H, hpp.hessian_eigenvalues(problem, L, list(c.w), m_mp, lam_mp)))
            return mins, rows

    base = n + 10
    _, rows = spectra(base)
    guard = 0
    with mpmath.workdps(base):  # digits lost to conditioning: ||H|| over the smallest eigenvalue (capped)
        for _c, H, eig in rows:
            if H is None:
                continue
            norm = mpmath.sqrt(mpmath.fsum(H[i, j] ** 2 for i in range(L) for j in range(L)))
            small = max(min(abs(e) for e in eig), norm * mpmath.mpf(10) ** (-n))
            if small > 0:
                guard = max(guard, int(mpmath.ceil(mpmath.log10(10 * L * L * norm / small))))
    work = base + min(guard, MAX_GUARD_DIGITS)
    entries, resolution = [], None
    with mpmath.workdps(work):
        _, rows = spectra(work)
        for c, H, eig in rows:
            entry = {"w": [dec(x, n) for x in c.w], "objective": dec(c.objective, n), "product": dec(c.product, n),
                     "equivalent_sign_patterns": 2 ** (L - 1) if c.rho > 0 else 1}
            if H is None:
                entry["hessian_eigenvalues"] = ["undefined: the penalty is not twice differentiable at w = 0"]
            else:
                err = _eigen_error(L, H)
                resolution = err if resolution is None else max(resolution, err)
                entry["hessian_eigenvalues"] = [_eigen_text(e, err, n) for e in eig]
            entries.append(entry)
    return {"depth": L, "target": _exact_text(m), "lambda": _exact_text(lam_q), "convention": problem.convention,
            "problem": problem.to_json(), "a": None, "b": None,
            "minimizers": entries, "unique": len({e["product"] for e in entries}) == 1,
            "hessian_eigenvalues": entries[0]["hessian_eigenvalues"],
            "eigenvalue_resolution": None if resolution is None else dec(resolution, 5),
            "eigenvalue_working_digits": work,
            "note": "minimizers and Hessians by mpmath from the problem's definition (verify.highprec.problem); "
                    "eigenvalues are computed at working_digits raised by the conditioning ||H||/|smallest "
                    "eigenvalue|; eigenvalue_resolution bounds their absolute error (10·L²·||H||_F·10^-working_digits); "
                    "a value known to fewer than the requested digits is marked 'below precision'; each minimizer "
                    "stands for its 2^(L−1) sign patterns with the same product; uniqueness refers to the product "
                    "w_L⋯w_1"}


def _hessian_at_zero(problem, L: int, m: sp.Rational, lam: sp.Expr, work: int) -> mpmath.matrix:
    """∇²F at w = 0 for a penalty twice differentiable there: the exact SymPy Hessian (verify.symbolic.problem)
    at w = 0, m, λ, evaluated at ``work`` digits."""
    from .problems.symbols import LAM, M
    from .symbolic.problem import problem_model

    model = problem_model(problem, L)
    H = model.hessian.xreplace({**{w: sp.Integer(0) for w in model.w}, M: m, LAM: lam})
    return mpmath.matrix([[to_mpf(H[i, j], work) for j in range(L)] for i in range(L)])


def _eigenvalues(H: mpmath.matrix) -> list:
    """Eigenvalues of a symmetric mpmath matrix, ascending."""
    if H.rows == 1:
        return [H[0, 0]]
    E = mpmath.eigsy(H, eigvals_only=True)
    return sorted(E[i] for i in range(H.rows))


MAX_GUARD_DIGITS = 1500  # extra digits for ill-conditioned Hessians; beyond it small eigenvalues are marked


def _eigen_error(L: int, H: mpmath.matrix) -> mpmath.mpf:
    """Absolute error bound for the computed eigenvalues: 10·L²·||H||_F·10^(−dps).

    Two sources, each O(L·||H||·ulp) by Weyl's inequality: the entries of H through the rounded ρ (they move
    by about 3L·ulp relative, since ∂H/∂ρ ≈ (3L−2)·H/ρ), and the backward error of the symmetric eigensolver
    (Householder tridiagonalisation and QL, O(L)·||H||·ulp). The factor 10·L² covers both with room.
    """
    norm = mpmath.sqrt(mpmath.fsum(H[i, j] ** 2 for i in range(L) for j in range(L)))
    return 10 * L * L * norm * mpmath.mpf(10) ** (-mpmath.mp.dps)


def _eigen_text(e: mpmath.mpf, err: mpmath.mpf, n: int) -> str:
    """``e`` to ``n`` digits when its error bound allows; fewer digits, or 0 ± err, marked otherwise."""
    if abs(e) <= 10 * err:
        return f"0 ± {dec(10 * err, 3)} (below precision)"
    known = int(mpmath.floor(mpmath.log10(abs(e) / err))) - 1
    if known >= n:
        return dec(e, n)
    return f"{dec(e, max(known, 1))} (below precision: {max(known, 1)} of {n} digits)"


def _eigen_digits(L: int, m: sp.Rational, lam_q: sp.Expr, conv, n: int) -> int:
    """Working digits for the Hessian spectrum: n + 10 plus log10(||H||_F / b) + log10(10·L²), capped.

    The small eigenvalues of H at a nonzero minimizer are of the size of b while its entries are of the size
    of ||H||: their digits are differences of the entries (and of P − m), so each power of ten in ||H||/b
    costs one digit. Estimated from a pass at n + 10 digits.
    """
    base = n + 10
    with mpmath.workdps(base):
        m_mp, lam_mp = to_mpf(m, base), to_mpf(lam_q, base)
        a_mp, b_mp = _ab(conv, L)(lam_mp)
        norm = mpmath.mpf(0)
        signs = hp.canonical_signs(L, m_mp)
        for c in hp.global_minimizers(L, m_mp, a_mp, b_mp, tie_digits=n):
            w = c.point(signs) if c.rho > 0 else [mpmath.mpf(0)] * L
            H = hp.hessian(w, m_mp, a_mp, b_mp)
            norm = max(norm, mpmath.sqrt(mpmath.fsum(H[i, j] ** 2 for i in range(L) for j in range(L))))
        guard = int(mpmath.ceil(mpmath.log10(10 * L * L * max(norm, b_mp) / b_mp)))
    return base + min(max(guard, 0), MAX_GUARD_DIGITS)


def _exact_text(x: sp.Expr) -> str:
    """str(x) for an exact SymPy number whose integers may exceed Python's 4300-digit int→str limit.

    Inputs are capped at 4000 digits and exponents of ±4000, so exact values (and the threshold's powers of
    |m|) stay below 20 000 digits; the limit is raised for this conversion only and restored.
    """
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(max(old, 20000) if old else 0)
    try:
        return str(x)
    finally:
        sys.set_int_max_str_digits(old)
