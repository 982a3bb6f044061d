"""Review fixes for ``verify threshold`` / ``verify minimizers``: huge exact output, ill-conditioned Hessian
spectra, and run time at the documented extremes (depth 64, exponents ±4000, 1000 digits).

Expected eigenvalues come from a hand derivation, not from the code under test: at a balanced stationary
point w = ρ·s the stationarity a(P − m)ρ^(L−2) = −b makes H = D_s((aρ^(2L−2) − b)·11ᵀ + 2b·I)D_s, so L − 1
eigenvalues equal 2b exactly, and under A1 b = 2λ/L: 2b = 4λ/L.
"""
from __future__ import annotations

import json
import time

import mpmath
import pytest

from verify.cli import main
from verify.queries import minimizers_summary


def _small_eigs(data: dict) -> list[str]:
    return data["hessian_eigenvalues"][:-1]


@pytest.mark.parametrize("depth", [3, 12])
@pytest.mark.parametrize("lam_exp", [100, 300])
def test_small_eigenvalues_are_2b_under_heavy_cancellation(depth, lam_exp):
    data = minimizers_summary(depth, "3", f"1e-{lam_exp}", "A1", 30)
    with mpmath.workdps(60):
        expected = mpmath.mpf(4) / depth * mpmath.mpf(10) ** (-lam_exp)  # 2b = 4λ/L, by hand
        small = _small_eigs(data)
        assert len(small) == depth - 1
        for text in small:
            assert "below precision" not in text
            value = mpmath.mpf(text)
            assert value > 0
            assert abs(value - expected) <= expected * mpmath.mpf(10) ** -28  # 30 digits printed, 2 spare


def test_perturbed_reference_is_rejected():
    """The check can fail: 2b with b = λ/L (the A2 normalization) is not what A1 gives."""
    data = minimizers_summary(3, "3", "1e-100", "A1", 30)
    with mpmath.workdps(60):
        wrong = mpmath.mpf(2) / 3 * mpmath.mpf(10) ** -100
        assert abs(mpmath.mpf(_small_eigs(data)[0]) - wrong) > wrong * mpmath.mpf(10) ** -28


def test_unresolvable_eigenvalues_are_marked_never_negative():
    """‖H‖ ≈ 1e5334 against b ≈ 1e-4000: beyond the guard cap, small eigenvalues are marked, not invented."""
    data = minimizers_summary(3, "1e4000", "1e-4000", "A1", 15)
    small = _small_eigs(data)
    assert all("below precision" in t and not t.startswith("-") for t in small)
    assert "below precision" not in data["hessian_eigenvalues"][-1]


def test_zero_eigenvalue_at_depth2_threshold_is_not_printed_as_negative():
    """L = 2 at λ*: the minimizer is 0 and H = [[b, −a|m|], [−a|m|, b]] with b = a|m|: one eigenvalue is 0."""
    data = minimizers_summary(2, "3", "threshold", "A1", 20)
    assert data["hessian_eigenvalues"][0].startswith("0 ± ")


def test_huge_exact_values_print_and_finish(capsys):
    """Exact λ* at m = 1e4000 has integers beyond Python's 4300-digit str limit; depth 64 at 1000 digits."""
    start = time.monotonic()
    code = main(["minimizers", "--depth", "64", "--target", "1e4000", "--lam", "threshold", "--digits", "1000",
                 "--json"])
    elapsed = time.monotonic() - start
    out = capsys.readouterr().out
    assert code == 0
    data = json.loads(out)
    assert data["unique"] is False and len(data["minimizers"]) == 2
    assert elapsed < 60


def test_huge_lambda_text_is_exact(capsys):
    lam = "1." + "7" * 3999 + "e-4000"
    code = main(["minimizers", "--depth", "3", "--target", "1", "--lam", lam, "--digits", "15", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    num, den = data["lambda"].split("/")
    assert num == "1" + "7" * 3999 and den == "1" + "0" * 7999  # 1.77…7e-4000 in lowest terms, 8000 digits


def test_threshold_depth64_extreme_target_is_fast(capsys):
    start = time.monotonic()
    code = main(["threshold", "--depth", "64", "--target", "1e-4000", "--digits", "1000", "--json"])
    elapsed = time.monotonic() - start
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["ratio_exact"] == "1"
    assert float(data["digits"]) >= 1000
    assert elapsed < 60
