"""Seeded random instances shared by claim kinds: exact targets and regularization values."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy as sp


class Targets(Sequence):
    """Drawn targets ±mant·10^e, held as exact integer fractions num/den (den a power of 10).

    ``floats`` are the float64 values, num/den rounded once (Python's int/int division is correctly rounded,
    as is ``float`` of the same SymPy Rational); ``targets[i]`` is the exact ``sp.Rational``, built only when
    an exact or high-precision route asks for it (the float64 tiers need it only at a few probes).
    """

    def __init__(self, num: Sequence[int], den: Sequence[int]) -> None:
        self.num, self.den = tuple(num), tuple(den)
        self.floats = np.array([p / q for p, q in zip(self.num, self.den)], dtype=float)

    def __len__(self) -> int:
        return len(self.num)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return sp.Rational(self.num[i], self.den[i])

    def abs(self) -> "Targets":
        """|m| per target."""
        return Targets([abs(p) for p in self.num], self.den)

    def subset(self, keep: np.ndarray) -> "Targets":
        """The targets where the boolean mask ``keep`` is true."""
        idx = np.flatnonzero(keep)
        return Targets([self.num[i] for i in idx], [self.den[i] for i in idx])


#: ``rng.integers(100000, 1000000)``: Lemire's bounded 32-bit draw on a range of 900000 values
_MANT_RANGE = 900000
_MANT_THRESHOLD = (0xFFFFFFFF - (_MANT_RANGE - 1)) % _MANT_RANGE
_TO_DOUBLE = 1.0 / 9007199254740992.0  # 2^-53: (u64 >> 11)·2^-53 is numpy's next_double


def _pcg64_draws(rng: np.random.Generator, n: int, lo_exp: float, hi_exp: float, signed: bool
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The n draws (uniform(lo, hi), integers(100000, 1000000)[, random() < 0.5]) of ``draw_targets``' loop, in
    the same order, from the PCG64 words directly (numpy's algorithms: next_double = (u64 >> 11)·2^−53;
    a 32-bit word is the low half of a fresh u64, the next one its buffered high half; Lemire's rejection for
    the bounded integer), vectorized over the instances between the rare rejections. Leaves the generator in
    the state the loop would (tests compare draws and states). Raises LookupError for other generators."""
    bg = rng.bit_generator
    state = bg.state
    if state.get("bit_generator") != "PCG64":
        raise LookupError("not PCG64")
    has, buf = int(state["has_uint32"]), int(state["uinteger"])
    per = 2 if signed else 1
    raw = bg.random_raw(per * n + n // 2 + 64)
    E, M, S = np.empty(n), np.empty(n, dtype=np.int64), np.zeros(n, dtype=bool)
    pos = i = 0
    low32, shift = np.uint64(0xFFFFFFFF), np.uint64(32)
    while i < n:
        r = np.arange(n - i)
        fresh = (r + has) % 2 == 0  # request r takes a fresh u64 (else the buffered high half)
        u_idx = pos + per * r + np.cumsum(fresh) - fresh
        f_idx = u_idx + 1
        if int(u_idx[-1]) + per >= len(raw):
            raise LookupError("word budget exceeded")
        src = np.where(fresh, f_idx, np.roll(np.where(fresh, f_idx, 0), 1))
        words = raw[src]
        u32 = np.where(fresh, words & low32, words >> shift)
        if not fresh[0]:
            u32[0] = np.uint64(buf)
        m = u32 * np.uint64(_MANT_RANGE)
        rejected = (m & low32) < np.uint64(_MANT_THRESHOLD)
        j = int(np.argmax(rejected)) if rejected.any() else len(r)
        E[i:i + j] = lo_exp + (hi_exp - lo_exp) * ((raw[u_idx[:j]] >> np.uint64(11)).astype(float) * _TO_DOUBLE)
        M[i:i + j] = (m[:j] >> shift).astype(np.int64) + 100000
        if signed:
            S[i:i + j] = (raw[u_idx[:j] + 1 + fresh[:j]] >> np.uint64(11)).astype(float) * _TO_DOUBLE < 0.5
        if j:
            pos = int(u_idx[j - 1]) + per + int(fresh[j - 1])
            if fresh[j - 1]:
                has, buf = 1, int(raw[f_idx[j - 1]] >> shift)
            else:
                has = 0
                if j > 1:
                    buf = int(words[j - 1] >> shift)
        i += j
        if i == n:
            break
        # instance i draws more than one 32-bit word (Lemire's rejection): one at a time, as numpy does
        def word32() -> int:
            nonlocal has, buf, pos
            if has:
                has = 0
                return buf
            v = int(raw[pos])
            pos += 1
            has, buf = 1, v >> 32
            return v & 0xFFFFFFFF
        E[i] = lo_exp + (hi_exp - lo_exp) * ((int(raw[pos]) >> 11) * _TO_DOUBLE)
        pos += 1
        mm = word32() * _MANT_RANGE
        while (mm & 0xFFFFFFFF) < _MANT_THRESHOLD:
            mm = word32() * _MANT_RANGE
        M[i] = (mm >> 32) + 100000
        if signed:
            S[i] = (int(raw[pos]) >> 11) * _TO_DOUBLE < 0.5
            pos += 1
        i += 1
        if pos + per * (n - i) + (n - i) // 2 + 2 > len(raw):
            raise LookupError("word budget exceeded")
    bg.state = state
    bg.random_raw(pos)
    after = bg.state
    after["has_uint32"], after["uinteger"] = has, buf
    bg.state = after
    return E, M, S


def draw_targets(rng: np.random.Generator, n: int, lo_exp: float = -3.0, hi_exp: float = 3.0,
                 signed: bool = True) -> Targets:
    """n targets with 6 significant digits, log-uniform in [10^lo, 10^hi], random sign (``Targets``).

    The same draws, in the same order, as ``random_targets`` (which returns them as SymPy Rationals): per
    target e = uniform(lo, hi), mant = integers(100000, 1000000), then (signed) a sign by random() < 0.5; the
    target is ±mant·10^(⌊e⌋ − 5). Drawn from PCG64's words in batches (``_pcg64_draws``), else one by one."""
    state = rng.bit_generator.state
    try:
        E, M, S = _pcg64_draws(rng, n, lo_exp, hi_exp, signed)
    except LookupError:
        rng.bit_generator.state = state
        E, M, S = np.empty(n), np.empty(n, dtype=np.int64), np.zeros(n, dtype=bool)
        uniform, integers, random = rng.uniform, rng.integers, rng.random
        for t in range(n):
            E[t] = uniform(lo_exp, hi_exp)
            M[t] = int(integers(100000, 1000000))
            S[t] = signed and random() < 0.5
    num, den = [], []
    for e, mant, neg in zip(np.floor(E).astype(int).tolist(), M.tolist(), S.tolist()):
        digits = e - 5
        p, q = (mant * 10**digits, 1) if digits >= 0 else (mant, 10**-digits)
        num.append(-p if neg else p)
        den.append(q)
    return Targets(num, den)


def random_targets(rng: np.random.Generator, n: int, lo_exp: float = -3.0, hi_exp: float = 3.0,
                   signed: bool = True) -> list[sp.Rational]:
    """n exact rational targets with 6 significant digits, log-uniform in [10^lo, 10^hi], random sign.

    Exact rationals serve every tier: SymPy and mpmath take them without rounding, float64 rounds once.
    """
    return list(draw_targets(rng, n, lo_exp, hi_exp, signed))


def targets_per_depth(hp_instances: int, n_depths: int) -> int:
    """High-precision targets per depth: a budget of about 12·hp_instances spread over the depths,
    at most hp_instances and at least 2 per depth (thorough's 32 depths would otherwise cost 32²
    bisections per claim)."""
    return max(2, min(hp_instances, (12 * hp_instances) // max(n_depths, 1)))


def instances_per_depth(instances: int, n_depths: int) -> int:
    """Float64 instances per depth: a budget of about 10·instances spread over the depths, at most
    ``instances`` per depth (companion-matrix roots cost O(L³) per instance at large depth)."""
    return max(100, min(instances, (10 * instances) // max(n_depths, 1)))


#: the float64 tiers cover profile depths up to this one; the exact and high-precision tiers cover all
#: (companion-matrix roots of the degree-(2L−2) stationary polynomial cost O(L³) per instance)
NUMERIC_MAX_DEPTH = 12


def numeric_depths(profile_depths: list[int], explicit: bool) -> list[int]:
    """Depths for a float64 tier: all explicitly requested ones, else the profile's up to NUMERIC_MAX_DEPTH."""
    return list(profile_depths) if explicit else [L for L in profile_depths if L <= NUMERIC_MAX_DEPTH]
