"""Claim files with a problem table, and the kinds added by issue 10 (S5): schema errors, builders, example."""
import json
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import sympy as sp

from verify.claimfile import load_claim_file
from verify.claimfile.kinds import KindUnavailable, factory
from verify.claimfile.kinds_matrix import MATRIX_BUILDERS
from verify.cli import main
from verify.errors import UsageError

ROOT = Path(__file__).resolve().parent.parent
L1_EXAMPLE = ROOT / "examples" / "l1-penalty.toml"
L1 = 'problem = { loss = "(p - m)**2 / 2", penalty = "lam * abs(w)" }'


def claim(body: str, kind: str = "threshold", cid: str = "c1") -> str:
    return f'[[claim]]\nid = "{cid}"\nkind = "{kind}"\nstatement = "s"\nsource = "derived by the suite"\n{body}\n'


def load(tmp_path: Path, text: str):
    f = tmp_path / "c.toml"
    f.write_text(text)
    return load_claim_file(f)


@pytest.mark.parametrize("body,kind,msg", [
    ('formula = "m"\nproblem = { los = "(p - m)**2", penalty = "lam*w**2" }', "threshold",
     "unknown key 'los' in the problem table (did you mean 'loss'?)"),
    ('formula = "m"\nproblem = { loss = "(p - m)**2", penalty = "lam*w**2", weights = "1" }', "threshold",
     "unknown key 'weights' in the problem table"),
    ('formula = "m"\nproblem = { loss = "(p - m)**2" }', "threshold", "the problem table is missing 'penalty'"),
    ('formula = "m"\nproblem = {}', "threshold", "the problem table is missing 'loss' and 'penalty'"),
    ('formula = "m"\nconvention = "S"\n' + L1, "threshold", "give either 'convention' or 'problem', not both"),
    ('depth = 3\ntarget = "1"\nlam = "1"\nexpect = "zero"\nconvention = "A1"\n' + L1, "minimizer",
     "give either 'convention' or 'problem', not both"),
    ('formula = "m"\nproblem = "(p - m)**2"', "threshold", "key 'problem' must be a user problem"),
    ('formula = "m"\nproblem = { loss = 3, penalty = "lam*w**2" }', "threshold", "problem.loss = 3"),
    ('nonzero = [["b", 1]]\nat_zero = [["b", "L"]]\n' + L1, "spectrum",
     "kind 'spectrum' is not supported for user problems yet; use kind 'property'"),
    ('exceptional = "tau"\n' + L1, "uniqueness", "kind 'uniqueness' is not supported for user problems yet"),
    ('formula = "m"\npenalty = "lam*abs(w)"', "threshold", "the penalty belongs in the problem table"),
    ('threshold = "tau"\n' + L1, "matrix.collapse", "kind 'matrix.collapse' is not supported for user problems"),
    ('formula = "rho"\ndepths = [0]', "sharpness", "depths[0] = 0"),
    ('points = "saddles"\nrelation = "trace >= 0"\nm_range = ["1", "2"]\nlam_range = ["1", "2"]', "property",
     "key 'points' must be one of stationary, global_minimizers, local_minima, random"),
    ('points = "stationary"\nrelation = "trace >= 0"\nm_range = ["1"]\nlam_range = ["1", "2"]', "property",
     "key 'm_range'"),
    ('points = "stationary"\nrelation = "trace >= 0"\nm_range = ["2", "1"]\nlam_range = ["1", "2"]', "property",
     "key 'm_range': low must be <= high"),
    ('points = "stationary"\nrelation = "trace >= 0"\nm_range = ["1", "2"]\nlam_range = [0, 2]', "property",
     "key 'lam_range': low must be > 0"),
    ('exponent = "1/L"\nrank = 2', "matrix.layer_norms", "unknown key 'rank'"),
    ('', "matrix.layer_norms", "missing required key 'exponent'"),
    ('threshold = "tau"\nlayer_weights = "q"', "matrix.collapse", "key 'layer_weights'"),
])
def test_bad_problem_and_new_kind_tables(tmp_path, body, kind, msg):
    with pytest.raises(UsageError) as info:
        load(tmp_path, claim(body, kind))
    assert msg in str(info.value)
    assert "\n" not in str(info.value)


def test_factory_names_a_missing_module_or_name_and_hides_no_bug(tmp_path, monkeypatch):
    with pytest.raises(KindUnavailable, match="module verify.claims.no_such_kind is not part of this installation"):
        factory("x", "verify.claims.no_such_kind", "f")
    with pytest.raises(KindUnavailable, match="verify.claims.threshold has no no_such_factory"):
        factory("x", "verify.claims.threshold", "no_such_factory")
    (tmp_path / "s5_broken_kind.py").write_text("import s5_no_such_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="s5_no_such_dependency"):  # a bug inside is not renamed
        factory("x", "s5_broken_kind", "f")
    sys.modules.pop("s5_broken_kind", None)


def _record(monkeypatch):
    import verify.claimfile.kinds_matrix as km

    calls = []
    monkeypatch.setattr(km, "factory", lambda kind, module, name: lambda *a, **k: calls.append((name, a, k)))
    return calls


def test_matrix_builders_pass_exact_values(monkeypatch):
    from verify.problems.symbols import LAYER
    from verify.symbolic.scalar import L_sym, mabs

    calls = _record(monkeypatch)
    base = {"id": "u.m", "statement": " s ", "source": "src"}
    MATRIX_BUILDERS["matrix.collapse"]({**base, "threshold": "tau / (2*L)", "layer_weights": "l/L"})
    MATRIX_BUILDERS["matrix.trace"]({**base, "constant": Decimal("1.1"), "bound_constant": "1/2"})
    MATRIX_BUILDERS["matrix.layer_norms"]({**base, "exponent": "1/L"})
    MATRIX_BUILDERS["matrix.collapse"]({**base, "threshold": "tau/L", "convention": "S"})
    (_, args, coll), (_, _, trace), (_, _, norms), (_, _, never) = calls
    assert args == ("u.m", "s", "src")
    assert coll["convention"] == "A1" and never["convention"] == "S"
    assert coll["layer_weights"] == LAYER / L_sym
    assert mabs in coll["threshold"].free_symbols and L_sym in coll["threshold"].free_symbols
    assert trace == {"constant": sp.Rational(11, 10), "bound_constant": sp.Rational(1, 2)}  # never a float
    assert all(isinstance(v, sp.Rational) for v in trace.values())
    assert norms == {"exponent": 1 / L_sym}


def test_a_problem_table_reaches_the_problem_factories(tmp_path, monkeypatch):
    """threshold/minimizer/sharpness/property with a problem table get the parsed ScalarProblem."""
    import verify.claimfile.kinds as kinds

    calls = []
    monkeypatch.setattr(kinds, "factory", lambda kind, module, name: lambda *a, **k: calls.append((name, a, k))
                        or type("C", (), {"id": a[0]})())
    text = (claim('formula = "m/2"\n' + L1, cid="t") + claim('formula = "rho"\n' + L1, "sharpness", cid="s")
            + claim('depth = 2\ntarget = "3/2"\nlam = 0.1\nexpect = "zero"\n' + L1, "minimizer", cid="z")
            + claim('points = "global_minimizers"\nrelation = "trace >= 0"\nm_range = ["1/2", 2]\n'
                    'lam_range = ["0.01", "1"]\n' + L1, "property", cid="p")
            + claim('formula = "b*rho"\nconvention = "S"', "sharpness", cid="sc"))
    load(tmp_path, text)
    names = [c[0] for c in calls]
    assert names == ["problem_threshold_claim", "sharpness_claim", "problem_minimizer_claim", "property_claim",
                     "sharpness_claim"]
    problems = [c[1][3] for c in calls]
    assert all(p.loss_text == "(p - m)**2 / 2" and p.penalty_text == "lam * abs(w)" and p.convention is None
               for p in problems[:4])
    assert problems[4].convention == "S"
    assert calls[2][1][5:] == (sp.Rational(3, 2), sp.Rational(1, 10), "zero")
    assert calls[3][1][4:] == ("global_minimizers", "trace >= 0", (sp.Rational(1, 2), 2),
                               (sp.Rational(1, 100), 1))


def test_a_problem_formula_error_names_the_key(tmp_path):
    with pytest.raises(UsageError, match=r"claim 'c1': .*problem\.penalty.*'q'"):
        load(tmp_path, claim('formula = "m"\nproblem = { loss = "(p - m)**2", penalty = "lam*q" }'))


EVERY_KIND = ROOT / "examples" / "every-kind.toml"


def test_every_kind_example_covers_every_kind_and_validates():
    from verify.claimfile import claim_file_schema, validate_claim_data
    from verify.claimfile.reading import parse_toml, read_text

    doc = parse_toml(read_text(EVERY_KIND), EVERY_KIND)
    validate_claim_data(doc, str(EVERY_KIND))
    assert {c["kind"] for c in doc["claim"]} == set(claim_file_schema()["$defs"]["kind"]["enum"])
    assert any("problem" in c for c in doc["claim"])
    docs = (ROOT / "docs" / "claim-files.md").read_text()
    assert all(c["id"] in docs for c in doc["claim"])  # each one is shown with its output


def test_l1_example_verdicts(tmp_path, capsys):
    """The l1 example: the hand-derived threshold verified, the fold misreading refuted at every tier and shrunk
    (quick profile). Its third claim (sharpness, 3-10 s) is run in docs/claim-files.md; the l1 sharpness
    kind is tested in tests/test_sharpness*.py."""
    assert [c.id for c in load_claim_file(L1_EXAMPLE)] == ["l1.threshold", "l1.threshold.fold", "l1.sharpness"]
    code = main(["check", str(L1_EXAMPLE), "--profile", "quick", "--out", str(tmp_path), "--quiet",
                 "--only", "l1.threshold", "--only", "l1.threshold.fold"])
    out = capsys.readouterr().out
    assert code == 1
    doc = json.loads((tmp_path / "report.json").read_text())
    verdicts = {c["id"]: c["verdict"] for c in doc["claims"]}
    assert verdicts == {"l1.threshold": "verified", "l1.threshold.fold": "refuted"}
    fold = next(c for c in doc["claims"] if c["id"] == "l1.threshold.fold")
    assert {e["tier"] for e in fold["evidence"] if e["verdict"] == "refuted"} == {"symbolic", "high-precision",
                                                                                 "numeric"}
    shrunk = fold["minimal_counterexample"]
    assert shrunk["depth"] == 2 and shrunk["m"] in ("1", "-1")
    assert shrunk["problem"] == {"loss": "(p - m)**2 / 2", "penalty": "lam * abs(w)"}
    assert "--loss" in shrunk["reproduce"] and "reproduce with" in out


def test_perturbed_claims_from_a_file_are_refuted_at_every_tier(tmp_path, capsys):
    """A wrong layer-norm exponent (1/L for 2/L) and a wrong bound at the stationary points of an l1 problem
    (product <= |m|/2; the stationary equation gives only product < |m|) reach the checks through the claim
    file and are refuted by every tier."""
    f = tmp_path / "wrong.toml"
    f.write_text(claim('exponent = "1/L"', "matrix.layer_norms", cid="w.norms")
                 + claim(L1 + '\npoints = "stationary"\nrelation = "product <= m/2"\nm_range = ["1/2", 2]\n'
                         'lam_range = ["1/100", 1]\ndepths = [2]', "property", cid="w.property"))
    code = main(["check", str(f), "--profile", "quick", "--out", str(tmp_path / "r"), "--quiet"])
    capsys.readouterr()
    assert code == 1
    doc = json.loads((tmp_path / "r" / "report.json").read_text())
    for c in doc["claims"]:
        assert c["verdict"] == "refuted", c["id"]
        assert {e["tier"] for e in c["evidence"] if e["verdict"] == "refuted"} == {
            "symbolic", "high-precision", "numeric"}, c["id"]
    prop = next(c for c in doc["claims"] if c["id"] == "w.property")
    assert prop["minimal_counterexample"]["depth"] == 2


@pytest.mark.parametrize("body,kind,msg", [
    ('formula = "m"\nproblem = { loss = "(p - m)**2 / 2", penalty = "lam * w" }', "threshold",
     "cannot be reduced at depth L = "),
    ('depth = 3\ntarget = "1"\nlam = "1"\nexpect = "zero"\nproblem = { loss = "exp(p - m)", penalty = "lam*w**2" }',
     "minimizer", "cannot be reduced at depth L = 3"),
    ('formula = "m"\nproblem = { loss = "(p - m)**2 / 2", penalty = "lam**2 * w**2" }', "threshold",
     "not linear in lam"),
])
def test_a_problem_the_suite_cannot_justify_stops_the_file_with_exit_2(tmp_path, capsys, body, kind, msg):
    f = tmp_path / "c.toml"
    f.write_text(claim(body, kind))
    code = main(["check", str(f), "--profile", "quick", "--out", str(tmp_path / "r")])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and not (tmp_path / "r").exists()  # no verdict, no report
    assert err.count("\n") == 1 and "claim 'c1'" in err and msg in err


def test_exact_matrix_constants_reach_the_float64_checks_without_a_crash(tmp_path):
    """rate = "19/10", constant = "2" are exact in the claim file; the float64 checks take their doubles."""
    from verify.claims import RunContext, get_profile, run_claim

    claims = load(tmp_path, """
[[claim]]
id = "u.bal"
kind = "matrix.balancedness"
statement = "rate 19/10"
source = "test"
rate = "19/10"

[[claim]]
id = "u.trace"
kind = "matrix.trace"
statement = "trace constant 2"
source = "test"
constant = "2"
bound_constant = "1/2"
""")
    ctx = RunContext(profile=get_profile("quick"))
    for claim in claims:
        result = run_claim(claim, ctx)
        assert not result.crashed, [c.summary for c in result.checks if c.error]
        assert str(result.verdict) == "refuted"
