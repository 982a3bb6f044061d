"""proofs/kamber_parhi_2026/matrix.py holds declarations only (statements, sources, resolutions, default constants):
no numerics, no nested check code; its functions call the factories of verify.claims.matrix_kinds."""
import ast
from pathlib import Path

import proofs.kamber_parhi_2026.matrix as kp

TREE = ast.parse(Path(kp.__file__).read_text())


def test_no_numerics_and_no_nested_functions():
    imported = {a.name.split(".")[0] for n in ast.walk(TREE) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(TREE) if isinstance(n, ast.ImportFrom) and n.module}
    assert not imported & {"numpy", "mpmath", "scipy"}
    top = [n for n in TREE.body if isinstance(n, ast.FunctionDef)]
    assert {f.name for f in top} == {"uniqueness_claim", "balancedness_claim", "layer_norm_claim",
                                     "trace_claim", "collapse_claim", "figures_claim", "sharpness_matrix_claim",
                                     "uniqueness_width_claim", "claims"}
    for f in top:
        assert not any(isinstance(n, (ast.FunctionDef, ast.Lambda)) for n in ast.walk(f) if n is not f), f.name


def test_each_claim_is_built_by_a_matrix_kind():
    called = {n.func.id for n in ast.walk(TREE) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert {"matrix_uniqueness_claim", "matrix_balancedness_claim", "matrix_layer_norms_claim", "matrix_trace_claim",
            "matrix_collapse_claim", "matrix_figures_claim", "matrix_sharpness_claim",
            "matrix_width_claim"} <= called
    assert "Claim" not in called and "guarded_check" not in called
