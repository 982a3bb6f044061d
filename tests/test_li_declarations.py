"""proofs/li_2019 holds declarations only (AST inspection), and the verify-side kinds it calls take plain
data: formulas for closed forms (verified when right, refuted at every tier when wrong), exact constants,
placeholders filled with the parsed values, malformed input as usage errors."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
import sympy as sp

from verify.claims import RunContext, Tier, Verdict, get_profile
from verify.claims.invariance_checks import invariance_example_claim
from verify.claims.sensing_checks import sensing_landscape_claim
from verify.claims.symmetric_kinds import (
    symmetric_invariance_claim, symmetric_null_space_claim, symmetric_regions_claim, symmetric_spectrum_claim,
    symmetric_stationary_set_claim,
)
from verify.errors import UsageError

QUICK = RunContext(seed=0, profile=get_profile("quick"))
LI = Path(__file__).resolve().parents[1] / "proofs" / "li_2019"
TIERS = [Tier.SYMBOLIC, Tier.HIGH_PRECISION, Tier.NUMERIC]


def _verdicts(claim, tier: Tier) -> list[Verdict]:
    """Verdicts of the claim-dependent checks of one tier (the derivative cross-check is claim-independent)."""
    out = []
    for check in claim.checks:
        if check.tier is tier and "finite differences" not in check.name:
            res = check.execute(QUICK)
            assert res.error is None, res.error
            out.append(res.verdict)
    return out


# ---------------------------------------------------------------- proofs/li_2019 is declarations only

def _verify_names(tree: ast.Module) -> set[str]:
    """Names the module imports from verify.* (the factories a declaration may call)."""
    out = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("verify"):
            out |= {a.asname or a.name for a in node.names}
    return out


def _is_data(node: ast.expr) -> bool:
    """Plain data: constants, names, tuples/lists/dicts of data, string concatenation."""
    if isinstance(node, (ast.Constant, ast.Name)):
        return True
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(_is_data(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _is_data(k) for k in node.keys) and all(_is_data(v) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_data(node.left) and _is_data(node.right)
    return False


def _body_problem(fn: ast.FunctionDef, factories: set[str], local: set[str]) -> str | None:
    """None when the body is a docstring plus ``return factory(...)`` (a verify factory with data arguments)
    or ``return [local_declaration(...), ...]``; else what is wrong."""
    body = fn.body[1:] if fn.body and isinstance(fn.body[0], ast.Expr) and \
        isinstance(fn.body[0].value, ast.Constant) else fn.body
    if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
        return "its body is more than one return statement"
    value = body[0].value
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        if value.func.id in factories | {"collect_parts"}:
            args = list(value.args) + [k.value for k in value.keywords]
            bad = [a for a in args if not (_is_data(a) or isinstance(a, ast.JoinedStr))]
            return f"an argument is computed: {ast.unparse(bad[0])}" if bad else None
        return f"it calls {value.func.id}, not a verify factory"
    calls = value.elts if isinstance(value, ast.List) else [value.elt] if isinstance(value, ast.ListComp) else []
    if calls and all(isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id in local for c in calls):
        return None
    return f"it returns {ast.unparse(value)[:60]}"


@pytest.mark.parametrize("path", sorted(LI.glob("*.py")), ids=lambda p: p.name)
def test_li_modules_hold_declarations_only(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert not calls & {"Check", "CheckResult", "Claim", "scoped", "parse_rational", "parse_expression"}, path
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.Lambda, ast.ClassDef, ast.If, ast.For, ast.While,
                                                             ast.Try, ast.Raise, ast.With))], path
    factories = _verify_names(tree)
    local = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            module = getattr(node, "module", None) or ""
            assert isinstance(node, ast.ImportFrom) and (
                node.level > 0 or module in ("__future__", "typing") or module.startswith("verify.claims")), \
                f"{path.name}: import {ast.unparse(node)}"
        elif isinstance(node, ast.FunctionDef):
            problem = _body_problem(node, factories, local)
            assert problem is None, f"{path.name}: {node.name}: {problem}"
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            assert _is_data(node.value), f"{path.name}: {ast.unparse(node)[:80]}"
        else:
            assert isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant), \
                f"{path.name}: {ast.unparse(node)[:80]}"


def test_checker_rejects_machinery():
    """The inspection above is not vacuous: a module that wires a check is caught."""
    tree = ast.parse("from verify.claims import Check\n"
                     "def f(c='1/4'):\n    q = c\n    return Check('x', None, lambda ctx: q)\n")
    fn = tree.body[1]
    assert _body_problem(fn, _verify_names(tree), {"f"}) is not None


# ---------------------------------------------------------------- declarative closed forms

NULL_DIM = "s*(s - 1)/2 + s*(r - s) + (r - s)*(n - p)"   # the statement of L4, typed from the claim's text


@pytest.mark.parametrize("tier", TIERS)
def test_null_dim_formula_verified_and_off_by_one_refuted(tier):
    right = symmetric_null_space_claim("u.null", "dim ker", "a note", c="1/4", null_dim=NULL_DIM,
                                       min_null_dim="r*(r - 1)/2")
    assert _verdicts(right, tier) == [Verdict.VERIFIED]
    wrong = symmetric_null_space_claim("u.null", "dim ker", "a note", c="1/4", null_dim=NULL_DIM + " + 1")
    assert _verdicts(wrong, tier) == [Verdict.REFUTED]


@pytest.mark.parametrize("tier", [Tier.SYMBOLIC, Tier.NUMERIC])
def test_min_null_dim_formula_wrong_refuted(tier):
    r = sp.Symbol("r")
    claim = symmetric_null_space_claim("u.null", "dim ker", "a note", c="1/4", min_null_dim=r * (r + 1) / 2)
    assert _verdicts(claim, tier) == [Verdict.REFUTED]


@pytest.mark.parametrize("tier", TIERS)
def test_saddle_bound_formula_verified_and_wrong_constant_refuted(tier):
    right = symmetric_spectrum_claim("u.saddles", "spectra", "a note", c="1/4", saddle_bound="4*c*(lam_m - lam_next)")
    assert _verdicts(right, tier) == [Verdict.VERIFIED]
    wrong = symmetric_spectrum_claim("u.saddles", "spectra", "a note", c="1/4", saddle_bound="2*c*(lam_m - lam_next)")
    assert _verdicts(wrong, tier) == [Verdict.REFUTED]


@pytest.mark.parametrize("kwargs", [
    {"null_dim": "s*q"},                                   # unknown name
    {"null_dim": "__import__('os')"},                       # not a formula
    {"null_dim": sp.Symbol("kappa") + 1},                   # unknown symbol in an expression
    {"null_dim": 3},                                        # neither callable nor formula
    {"min_null_dim": "n*r"},                                # n is not a name of min_null_dim
])
def test_malformed_null_dim_is_usage_error(kwargs):
    with pytest.raises(UsageError):
        symmetric_null_space_claim("u.null", "dim ker", "a note", c="1/4", **kwargs)


@pytest.mark.parametrize("bound", ["lam_1 - lam_2", "4*c*lam_m +", "kappa"])
def test_malformed_saddle_bound_formula_is_usage_error(bound):
    with pytest.raises(UsageError):
        symmetric_spectrum_claim("u.saddles", "spectra", "a note", c="1/4", saddle_bound=bound)


# ---------------------------------------------------------------- texts, placeholders, constants

def test_placeholders_filled_with_parsed_values_other_braces_kept():
    claim = symmetric_spectrum_claim("u.s", "at c = {c}: spectrum {8cλ_i}_{i∈S}", "note", c="0.5",
                                     claimed_c="0.25", resolutions=("claimed at {claimed_c}",))
    assert claim.statement == "at c = 1/2: spectrum {8cλ_i}_{i∈S}"
    assert claim.resolutions == ("claimed at 1/4",)
    assert claim.paper == "user claim"


@pytest.mark.parametrize("build", [
    lambda: symmetric_invariance_claim("u.x", "", "note", c="1/4"),
    lambda: symmetric_invariance_claim("u.x", "s", "note", c="0"),
    lambda: symmetric_stationary_set_claim("u.x", "s", "note", c="1/4", family="all"),
    lambda: symmetric_regions_claim("u.x", "s", "note", c="1/4", factors={"kappa9": "1"}),
    lambda: symmetric_regions_claim("u.x", "s", "note", c="1/4", resolutions="one string"),
    lambda: sensing_landscape_claim("u.x", "s", "note", c="1/4", bound_coefficients=("8", "4", "1"), basis_scale="1",
                                    gaussian_scale_power="1/2", n=6, r=2, m_sizes=(50,), minima_delta="1/5"),
    lambda: sensing_landscape_claim("u.x", "s", "note", c="1/4", bound_coefficients=("8", "4"),
                                    basis_scale="__import__('os').getcwd()", gaussian_scale_power="1/2", n=6, r=2,
                                    m_sizes=(50,), minima_delta="1/5"),
    lambda: sensing_landscape_claim("u.x", "s", "note", c="1/4", bound_coefficients=("8", "4"), basis_scale="x",
                                    gaussian_scale_power="1/2", n=6, r=2, m_sizes=50, minima_delta="1/5"),
    lambda: invariance_example_claim("u.x", {"real-phase": "s"}, "note", example="deep-linear"),
    lambda: invariance_example_claim("u.x", "s", "note", example=["real-phase"]),
    lambda: invariance_example_claim("u.x", "s", "note", example="real-phase", eigenvalues_invariant=1),
])
def test_malformed_declarations_are_usage_errors(build):
    with pytest.raises(UsageError):
        build()


def _sensing(scale: str):
    return sensing_landscape_claim("u.sensing", "G = F for the basis scaled by {basis_scale}", "note", c="1/4",
                                   bound_coefficients=("8", "4"), basis_scale=scale, gaussian_scale_power="1/2",
                                   n=4, r=2, m_sizes=(50,), minima_delta="1/5")


def test_sensing_basis_scale_closed_form_parsed_safely_and_refuted():
    """sqrt(2)/2 (read by the safe parser) is a wrong scale for the orthonormal basis: refuted; 1 verified."""
    claim = _sensing("sqrt(2)/2")
    assert claim.statement == "G = F for the basis scaled by sqrt(2)/2"
    check = next(c for c in claim.checks if c.name == "full-basis-equals-F")
    assert check.execute(QUICK).verdict is Verdict.REFUTED
    check = next(c for c in _sensing("1").checks if c.name == "full-basis-equals-F")
    assert check.execute(QUICK).verdict is Verdict.VERIFIED
