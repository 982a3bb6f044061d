"""Empirical restricted-isometry constants of a measurement operator (docs/mathematics.md §L6).

delta_k(A) = max |<Z, A*A Z> / ||Z||_F^2 - 1| over symmetric n x n Z of rank <= k. Estimated from below:
random rank-k samples, then a truncated power iteration on A*A (upper side) and on s I - A*A (lower side,
s > ||A*A||) from the worst samples and from given seeds, each step followed by an exact eigen-refinement
over the matrices Q S Q^T that share the iterate's top-k eigenvectors Q. Every reported ratio is attained by
an explicit matrix, so each estimate is a lower bound on the true delta_k.

``rip_estimates`` runs the power iterations of many estimates (operators, sides, starts) as one NumPy batch
per (n, k): each start keeps its own operator, side, budget and stopping test, so every start follows the
same iteration as when run alone (up to the roundoff of batched products).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .sensing import Measurement, _check_int, _sym_basis

Array = np.ndarray


def random_low_rank(n: int, k: int, count: int, rng: np.random.Generator) -> Array:
    """``count`` random symmetric n x n matrices of rank <= k (Q S Q^T with Gaussian Q, S), unit norm."""
    Q = rng.standard_normal((count, n, k))
    S = rng.standard_normal((count, k, k))
    S = S + S.transpose(0, 2, 1)
    Z = Q @ S @ Q.transpose(0, 2, 1)
    return Z / np.linalg.norm(Z, axis=(1, 2), keepdims=True)


def ratios(A: Measurement, Z: Array) -> Array:
    """||A(Z)||^2 / ||Z||_F^2 for a batch Z of shape (N, n, n)."""
    Zv = Z.reshape(len(Z), A.n * A.n)
    return np.einsum("ij,jk,ik->i", Zv, A.gram(), Zv) / (Zv * Zv).sum(-1)


def _truncate(Y: Array, k: int) -> Array:
    """Best rank-k approximation of sym(Y) for a batch Y of shape (B, n, n), each scaled to unit norm."""
    w, V = np.linalg.eigh((Y + Y.transpose(0, 2, 1)) / 2)
    idx = np.argsort(-np.abs(w), axis=-1)[:, :k]
    Vk = np.take_along_axis(V, idx[:, None, :], axis=2)
    Z = (Vk * np.take_along_axis(w, idx, axis=1)[:, None, :]) @ Vk.transpose(0, 2, 1)
    return Z / np.linalg.norm(Z, axis=(1, 2), keepdims=True)


def _refine(K: Array, Z: Array, k: int, upper: bool | Array) -> tuple[Array, Array]:
    """Exact extreme of the ratio over {Q S Q^T : S symmetric}, Q the top-k eigenvectors of Z (K = A*A),
    for a batch Z of shape (B, n, n): the maximizers (``upper``) or minimizers (B, n, n) and the extreme
    values (B,). K is one n^2 x n^2 matrix or one per batch element (B, n^2, n^2); ``upper`` one flag or
    one per element."""
    n = Z.shape[-1]
    w, V = np.linalg.eigh(Z)
    Q = np.take_along_axis(V, np.argsort(-np.abs(w), axis=-1)[:, None, :k], axis=2)
    Qt = Q.transpose(0, 2, 1)
    B = Q[:, None] @ _sym_basis(k)[None] @ Qt[:, None]     # Q S_l Q^T, orthonormal in Frobenius
    Bv = B.reshape(len(Z), -1, n * n)
    vals, vecs = np.linalg.eigh(Bv @ K @ Bv.transpose(0, 2, 1))
    j = np.where(upper, vals.shape[-1] - 1, 0) * np.ones(len(Z), dtype=int)
    rows = np.arange(len(Z))
    Zn = (vecs[rows, :, j][:, None, :] @ Bv)[:, 0].reshape(len(Z), n, n)
    return Zn / np.linalg.norm(Zn, axis=(1, 2), keepdims=True), vals[rows, j]


@dataclass(frozen=True)
class RipEstimate:
    """Empirical restricted-isometry constant: a LOWER bound on the true delta_k (attained ratios)."""

    k: int
    delta: float
    low: float
    high: float
    sampled_delta: float
    samples: int
    steps: int


@dataclass(frozen=True)
class RipJob:
    """One estimate of delta_k(A): ``samples`` random rank-k draws from ``rng``, power iterations of
    ``steps`` steps from the two worst samples per side and of min(steps, 3) steps from each seed."""

    A: Measurement
    k: int
    rng: np.random.Generator
    samples: int
    steps: int
    seeds: Array | None = None


def rip_estimate(A: Measurement, k: int, rng: np.random.Generator, samples: int, steps: int,
                 seeds: Array | None = None) -> RipEstimate:
    """max |ratio - 1| over rank <= k for one operator (see ``rip_estimates``)."""
    return rip_estimates([RipJob(A, k, rng, samples, steps, seeds)])[0]


def rip_estimates(jobs: Sequence[RipJob]) -> list[RipEstimate]:
    """The estimates of ``jobs``, in order: random sampling per job, then every job's power iterations
    (both sides, all starts) advanced together, one batch per (n, k)."""
    prepared = [_sample(job) for job in jobs]
    low = np.array([p["low"] for p in prepared])
    high = np.array([p["high"] for p in prepared])
    groups: dict[tuple[int, int], list[int]] = {}
    for j, p in enumerate(prepared):
        groups.setdefault((jobs[j].A.n, p["k"]), []).append(j)
    for (n, k), members in groups.items():
        _power_batch(n, k, [prepared[j] for j in members], np.array(members), low, high)
    out = []
    for j, (job, p) in enumerate(zip(jobs, prepared)):
        delta = max(abs(float(low[j]) - 1), abs(float(high[j]) - 1))
        out.append(RipEstimate(p["k"], delta, float(low[j]), float(high[j]), p["sampled"], job.samples, job.steps))
    return out


def _sample(job: RipJob) -> dict:
    """Random sampling of one job and its starts: (Z, budget, upper) with the shift s = ||A*A|| + 1."""
    k = _check_int(job.k, "k")
    samples, steps = _check_int(job.samples, "samples"), _check_int(job.steps, "steps", 0)
    A, n = job.A, job.A.n
    k = min(k, n)
    Z = random_low_rank(n, k, samples, job.rng)
    K = A.gram()
    Zv = Z.reshape(samples, n * n)
    rs = ((Zv @ K) * Zv).sum(-1)
    low, high = float(rs.min()), float(rs.max())
    starts = [(Z[i], steps, True) for i in np.argsort(-rs)[:2]] + [(Z[i], steps, False) for i in np.argsort(rs)[:2]]
    if job.seeds is not None:
        # a seed needs one exact refinement to be counted; a few power steps may improve on it
        starts += [(z, min(steps, 3), side) for side in (True, False) for z in job.seeds]
    return {"k": k, "K": K, "low": low, "high": high, "sampled": max(abs(low - 1), abs(high - 1)),
            "shift": float(np.linalg.eigvalsh(K)[-1]) + 1.0, "starts": starts}


def _power_batch(n: int, k: int, prepared: list[dict], members: Array, low: Array, high: Array) -> None:
    """Advance every start of ``prepared`` (jobs ``members``) as one batch; record attained extremes in
    low/high (indexed by job). A start stops after its budget or when its value settles (relative change
    <= 1e-10); a start's value after its last refinement is counted."""
    nn = n * n
    Ks = np.stack([p["K"] for p in prepared])
    job = np.array([i for i, p in enumerate(prepared) for _ in p["starts"]])
    upper = np.array([s[2] for p in prepared for s in p["starts"]])
    budget = np.array([max(1, s[1]) for p in prepared for s in p["starts"]])
    shift = np.array([p["shift"] for p in prepared])[job]
    Zc = _truncate(np.array([s[0] for p in prepared for s in p["starts"]]), k)
    prev = np.zeros(len(job))
    live = np.ones(len(job), dtype=bool)
    for it in range(int(budget.max())):
        idx = np.flatnonzero(live & (it < budget))
        if idx.size == 0:
            break
        Zr, val = _refine(Ks[job[idx]], Zc[idx], k, upper[idx])
        up = upper[idx]
        np.fmax.at(high, members[job[idx[up]]], val[up])   # fmax/fmin: a NaN estimate never replaces a bound
        np.fmin.at(low, members[job[idx[~up]]], val[~up])
        settled = np.abs(val - prev[idx]) <= 1e-10 * np.abs(val) if it > 0 else np.zeros(idx.size, dtype=bool)
        live[idx[settled]] = False   # the power iteration has settled
        prev[idx] = val
        go, Zg = idx[~settled], Zr[~settled]
        if go.size == 0:
            continue
        y = (Zg.reshape(len(go), 1, nn) @ Ks[job[go]].transpose(0, 2, 1)).reshape(len(go), n, n)
        Zc[go] = _truncate(np.where(upper[go][:, None, None], y, shift[go][:, None, None] * Zg - y), k)
