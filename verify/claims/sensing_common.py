"""L6 matrix sensing (docs/mathematics.md §L6): tolerances, validated claim parameters and the seeded
instances (targets M, F's stationary points, Gaussian operators) shared by the ``sensing_*`` checks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from verify import sensing as sen
from verify.claims.context import RunContext
from verify.claims.li_kinds_common import positive_rational
from verify.errors import UsageError
from verify.expressions import parse_expression
from verify.numbers import parse_rational

FD_TOL = 1e-6        # central differences h = 1e-5 on a quartic: truncation ~1e-10, roundoff ~1e-11
EXACT_TOL = 1e-12    # float64 identities (G = F for the basis, hand vs SymPy derivatives): ~100 eps
BOUND_RTOL = 1e-9    # distance vs bound: both from float64 eigen/SVD, errors ~1e-15 of ||H||
CLEAR = 1e-6         # an eigenvalue below -1e-6 ||H|| is clearly negative (eigvalsh error ~1e-15 ||H||)


@dataclass(frozen=True)
class SensingInstance:
    """One seeded target M = U diag(lam) U^T with F's stationary points and the Gaussian operators."""

    U: np.ndarray
    lam: np.ndarray
    M: np.ndarray
    points: list[sen.StationaryPoint]
    ensembles: list[sen.Measurement]
    _distances: dict = field(default_factory=dict, compare=False, repr=False)

    def distance(self, A: sen.Measurement, pt: sen.StationaryPoint, c: float) -> sen.HessianDistance:
        """sen.hessian_distance(A, pt.X, M, c) for one of this instance's operators and F's stationary points,
        computed once per process and shared by the checks (a function of its inputs only; the result's
        arrays are read-only)."""
        key = (next(k for k, E in enumerate(self.ensembles) if E is A), next(j for j, q in enumerate(self.points)
                                                                             if q is pt), c)
        if key not in self._distances:
            hd = sen.hessian_distance(A, pt.X, self.M, c)
            for arr in hd.tangent_extremes + hd.polarization:
                arr.flags.writeable = False
            self._distances[key] = hd
        return self._distances[key]


@dataclass(frozen=True)
class SensingParams:
    """The claimed constants of L6 (exact) and the instance sizes."""

    c: sp.Rational
    a: sp.Rational
    b: sp.Rational
    basis_scale: sp.Expr
    gauss_power: sp.Rational
    n: int
    r: int
    m_sizes: tuple[int, ...]
    minima_delta: float
    minima_q: sp.Rational


def sensing_instance(ctx: RunContext, p: SensingParams, i: int) -> SensingInstance:
    """Target i: M = U diag(lam) U^T of rank r, F's stationary points, one Gaussian operator per m, scaled by
    m^-gaussian_scale_power as claimed.

    Every draw comes from ``ctx.rng(key)``, a function of (seed, key) only, so the instance depends on
    (seed, p, i) alone: it is built once per process and shared by the checks (with its operators' Gram
    matrices A*A, computed once). Its arrays are read-only, so no check can alter another's input."""
    key = (type(ctx), ctx.seed, p, i)
    if key not in _INSTANCES:
        if len(_INSTANCES) >= 8:
            _INSTANCES.pop(next(iter(_INSTANCES)))
        _INSTANCES[key] = _build_instance(ctx, p, i)
    return _INSTANCES[key]


_INSTANCES: dict[tuple, SensingInstance] = {}


def _build_instance(ctx: RunContext, p: SensingParams, i: int) -> SensingInstance:
    rng = ctx.rng(f"sensing.instance.{i}")
    U, _ = np.linalg.qr(rng.standard_normal((p.n, p.n)))
    lam = np.zeros(p.n)
    lam[:p.r] = np.arange(p.r, 0, -1) + rng.uniform(0.2, 0.8, p.r)   # distinct: gaps >= 0.4
    psi = np.linalg.qr(rng.standard_normal((p.r, p.r)))[0]          # a point of the O(r) orbit
    M = (U * lam) @ U.T
    M = (M + M.T) / 2
    pts = sen.factorization_stationary_points(U, lam, p.r, psi)
    power = Fraction(int(p.gauss_power.p), int(p.gauss_power.q))  # the claimed normalization m^-power
    ens = [sen.gaussian_measurements(p.n, m, ctx.rng(f"sensing.A.{i}.{m}"), power) for m in p.m_sizes]
    for arr in [U, lam, M] + [pt.X for pt in pts] + [A.rows for A in ens]:
        arr.flags.writeable = False
    return SensingInstance(U, lam, M, pts, ens)


def n_instances(ctx: RunContext) -> int:
    """Number of targets M per check: 1 at quick, 3 at standard, 5 at thorough."""
    return 1 + 2 * ctx.profile.level


def _basis_scale(value: object) -> sp.Expr:
    """A real constant: a decimal or fraction exactly, or a closed form such as "sqrt(2)/2" parsed safely
    (``verify.expressions.parse_expression``, no names)."""
    try:
        return parse_rational(value, "basis_scale")
    except UsageError:
        if not isinstance(value, str):
            raise
    try:
        scale = parse_expression(value, {})
    except UsageError as exc:
        raise UsageError(f"basis_scale: {exc}") from None
    if scale.free_symbols or not scale.is_extended_real or not scale.is_finite:
        raise UsageError(f"basis_scale must be a finite real constant, got {value!r}")
    return scale


def sensing_params(*, c: str, bound_coefficients: tuple[str, str], basis_scale: str, gaussian_scale_power: str,
                   n: int, r: int, m_sizes: tuple[int, ...], minima_delta: str) -> SensingParams:
    """The claimed constants parsed exactly (decimal or fraction strings); anything invalid is a UsageError."""
    cq = positive_rational(c, "c")
    if isinstance(bound_coefficients, (str, bytes)) or len(tuple(bound_coefficients)) != 2:
        raise UsageError(f"bound_coefficients must be two numbers (a, b), got {bound_coefficients!r}")
    a, b = (parse_rational(v, "bound coefficient") for v in bound_coefficients)
    if a < 0 or b < 0:
        raise UsageError("bound coefficients must be non-negative")
    scale = _basis_scale(basis_scale)
    power = parse_rational(gaussian_scale_power, "gaussian_scale_power")
    for v, name in ((n, "n"), (r, "r")):
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise UsageError(f"{name} must be a positive integer, got {v!r}")
    if 2 * r > n:
        raise UsageError(f"need 2r <= n for a rank-2r restricted isometry, got n={n}, r={r}")
    if not isinstance(m_sizes, (tuple, list)) or not m_sizes or \
            any(isinstance(m, bool) or not isinstance(m, int) or m <= 0 for m in m_sizes):
        raise UsageError(f"m_sizes must be positive integers, got {m_sizes!r}")
    with mpmath.workdps(30):  # G, its Hessian and A*A scale as m^(1 − 2·power): the numeric tiers need it in float64
        for m in m_sizes:
            size = mpmath.mpf(m) ** (1 - 2 * mpmath.mpf(power.p) / power.q)
            if not mpmath.mpf("1e-100") <= size <= mpmath.mpf("1e100"):
                raise UsageError(f"gaussian_scale_power = {power}: at m = {m} the operator scales G by "
                                 f"m^(1 - 2·{power}) = {mpmath.nstr(size, 3)}, outside [1e-100, 1e100] where the "
                                 "float64 tiers can evaluate it")
    mq = parse_rational(minima_delta, "minima_delta")
    if mq <= 0:
        raise UsageError(f"minima_delta must be positive, got {minima_delta}")
    return SensingParams(cq, a, b, scale, power, n, r, tuple(sorted(m_sizes, reverse=True)), float(mq), mq)
