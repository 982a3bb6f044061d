"""proofs/kamber_parhi_2026/weights.py holds declarations only (statements, sources, resolutions, default constants):
no numerics, no loops, no nested functions or lambdas, no Check; its functions call the factories of verify.claims."""
import ast
from pathlib import Path

import proofs.kamber_parhi_2026.weights as kp

TREE = ast.parse(Path(kp.__file__).read_text())


def test_no_numerics_loops_or_nested_functions():
    imported = {a.name.split(".")[0] for n in ast.walk(TREE) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(TREE) if isinstance(n, ast.ImportFrom) and n.module}
    assert not imported & {"numpy", "mpmath", "scipy"}
    assert not any(isinstance(n, (ast.For, ast.While, ast.ListComp, ast.GeneratorExp, ast.Lambda)) for n in ast.walk(TREE))
    top = [n for n in TREE.body if isinstance(n, ast.FunctionDef)]
    assert {f.name for f in top} == {"balancedness_claim", "classification_claim", "claims"}
    for f in top:
        assert not any(isinstance(n, ast.FunctionDef) for n in ast.walk(f) if n is not f), f.name


def test_each_claim_is_built_by_a_factory():
    called = {n.func.id for n in ast.walk(TREE) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert {"weighted_balancedness_claim", "weights_classification_claim"} <= called
    assert not called & {"Claim", "Check", "CheckResult", "guarded_check"}


def test_honest_sources():
    for claim in kp.claims():
        assert "background notes, not the abstract" in claim.source and "derived by the suite" in claim.source
        assert "§K9" in claim.source
        for word in ("Thm", "Theorem", "Lemma", "Corollary"):
            assert word not in claim.source and word not in claim.statement
    assert [c.id for c in kp.claims()] == ["kp.weights.balancedness", "kp.weights.classification"]
