"""The certified matrix sharpness tier's gauge basis (``gauge_basis``: P·(block eigenbasis of the Hessian at the
diagonal point), tried first by ``symmetric_eigen_enclosures``) against the route it replaces (Arb's approximate
eigensolver on the whole Hessian): every enclosure meets the old one and is at most 4× as wide; the check's
verdict and evidence are unchanged."""
from __future__ import annotations

import flint

import verify.certified.spectrum as spectrum
from verify.claims import PROFILES, RunContext, Verdict
from verify.claims.matrix_sharpness import matrix_sharpness_claim


def test_gauge_basis_enclosures_match_the_eigensolver_route(monkeypatch) -> None:
    seen = []
    original = spectrum.symmetric_eigen_enclosures

    def both(H, prec, guess=None):
        new = original(H, prec, guess)
        old = original(H, prec)
        seen.append((guess is not None, new, old))
        return new

    monkeypatch.setattr(spectrum, "symmetric_eigen_enclosures", both)
    claim = matrix_sharpness_claim("t.sharp", "test", "test")
    check = next(c for c in claim.checks if c.tier.value == "certified")
    result = check.execute(RunContext(profile=PROFILES["quick"]))
    assert result.verdict is Verdict.VERIFIED, result.summary
    assert seen and all(guessed for guessed, _, _ in seen)
    for _, new, old in seen:
        assert len(new) == len(old)
        for e, o in zip(new, old):
            assert e.overlaps(o)
            assert e.rad() <= 4 * o.rad() + flint.arb(2) ** -1000


def test_block_basis_of_a_permuted_block_matrix() -> None:
    from verify.certified.arb import workprec

    with workprec(200):
        # blocks {0, 2} and {1}: [[2, 1], [1, 2]] (eigenvalues 1, 3) and [5]
        H = flint.arb_mat([[2, 0, 1], [0, 5, 0], [1, 0, 2]])
        enc = spectrum.symmetric_eigen_enclosures(H, 200, spectrum.block_basis(H))
        for e, x in zip(enc, (1, 3, 5)):
            assert e.contains(x) and e.rad() < flint.arb(2) ** -90
