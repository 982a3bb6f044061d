"""Claim files (TOML and Python), verify check, hostile formulas, parallel runs."""
import json
import re
from pathlib import Path

import pytest

from verify.claimfile import load_claim_file
from verify.cli import main
from verify.errors import UsageError

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "claims.toml"


def test_example_file_gives_one_of_each_verdict(tmp_path, capsys):
    code = main(["check", str(EXAMPLE), "--profile", "quick", "--out", str(tmp_path), "--quiet"])
    out = capsys.readouterr().out
    assert code == 1  # a refuted claim
    doc = json.loads((tmp_path / "report.json").read_text())
    verdicts = {c["id"]: c["verdict"] for c in doc["claims"]}
    assert verdicts == {"mine.threshold.S": "verified", "mine.threshold.B.wrong": "refuted",
                        "mine.near-threshold": "inconclusive"}
    wrong = next(c for c in doc["claims"] if c["id"] == "mine.threshold.B.wrong")
    assert wrong["minimal_counterexample"]["depth"] == 3  # shrunk to the smallest depth
    assert wrong["minimal_counterexample"]["m"] in ("1", "-1")  # and the simplest target
    assert "verify check" in wrong["reproduce"] and "--seed 0" in wrong["reproduce"]
    assert "reproduce with" in out
    assert doc["provenance"]["claim_file"] == str(EXAMPLE)


HOSTILE = [
    "__import__('os').system('touch /tmp/dmf_pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "open('/etc/passwd').read()",
    "m.__class__",
    "lambda: 1",
    "9**9**9**9",
]


@pytest.mark.parametrize("formula", HOSTILE)
def test_hostile_formula_in_toml_exits_2(tmp_path, capsys, formula):
    f = tmp_path / "evil.toml"
    f.write_text(f'[[claim]]\nid = "e"\nkind = "threshold"\nstatement = "s"\nsource = "x"\n'
                 f'formula = {json.dumps(formula)}\n')
    code = main(["check", str(f), "--profile", "quick", "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("verify: error:") and err.count("\n") == 1
    assert not Path("/tmp/dmf_pwned").exists()
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("body,msg", [
    ("", "the file is empty"),
    ("# only a comment\n", "no [[claim]]"),
    ('[[claim]]\nid = "x"\nkind = "teleport"\nstatement = "s"\nsource = "s"\n', "unknown kind"),
    ('[[claim]]\nid = "x y"\nkind = "threshold"\nstatement = "s"\nsource = "s"\nformula = "tau"\n', "is not allowed"),
    ('[[claim]]\nid = "x"\nkind = "threshold"\nstatement = "s"\nsource = "s"\nformula = "tau + q"\n', "q"),
    ('[[claim]]\nid = "x"\nkind = "minimizer"\nstatement = "s"\nsource = "s"\ndepth = 3\ntarget = "nan"\n'
     'lam = "1"\nexpect = "zero"\n', "finite"),
    ('[[claim]]\nid = "x"\nkind = "minimizer"\nstatement = "s"\nsource = "s"\ndepth = 0\ntarget = "1"\n'
     'lam = "1"\nexpect = "zero"\n', "depth"),
    ('[[claim]]\nid = "x"\nkind = "minimizer"\nstatement = "s"\nsource = "s"\ndepth = 3\ntarget = "1"\n'
     'lam = "-1"\nexpect = "zero"\n', "lambda"),
    ("not = [toml", "TOML"),
])
def test_bad_claim_files(tmp_path, body, msg):
    f = tmp_path / "c.toml"
    f.write_text(body)
    with pytest.raises(UsageError, match=re.escape(msg)):
        load_claim_file(f)


def test_python_claim_file(tmp_path):
    f = tmp_path / "mine.py"
    f.write_text("from verify.api import threshold_claim, tau, L\n"
                 "def claims():\n"
                 "    return [threshold_claim('py.t', 's', 'src', tau / L, convention='S', depths=(3,))]\n")
    (claim,) = load_claim_file(f)
    assert claim.id == "py.t"


def test_missing_file_and_wrong_suffix(tmp_path):
    with pytest.raises(UsageError):
        load_claim_file(tmp_path / "nope.toml")
    (tmp_path / "c.txt").write_text("x")
    with pytest.raises(UsageError):
        load_claim_file(tmp_path / "c.txt")


def test_jobs_do_not_change_results(tmp_path, capsys):
    """Same seed ⇒ same verdicts and numbers with 1 or 2 worker processes."""
    docs = []
    for jobs in ("1", "2"):
        out = tmp_path / jobs
        main(["check", str(EXAMPLE), "--profile", "quick", "--out", str(out), "--quiet", "--jobs", jobs,
              "--only", "mine.threshold.B.wrong", "--only", "mine.near-threshold"])
        doc = json.loads((out / "report.json").read_text())
        for c in doc["claims"]:
            c.pop("seconds")
            c.pop("reproduce")
            (c.get("minimal_counterexample") or {}).pop("seconds", None)
            for e in c["evidence"]:
                e.pop("seconds")
        docs.append(doc["claims"])
    capsys.readouterr()
    assert docs[0] == docs[1]


def test_python_claim_file_with_symmetric_saddle_bound(tmp_path):
    """A user's Python claim file: 'every saddle has curvature ≤ −κ' with κ twice too large is refuted."""
    from verify.claims import RunContext, Verdict, get_profile, run_claim

    f = tmp_path / "saddles.py"
    f.write_text("from verify.api import symmetric_spectrum_claim\n"
                 "def too_generous(lam, r, c):\n"
                 "    nxt = lam[r] if r < len(lam) else 0 * c\n"
                 "    return 8 * c * (lam[min(r, sum(1 for x in lam if x > 0)) - 1] - nxt)\n"
                 "def claims():\n"
                 "    return [symmetric_spectrum_claim(saddle_bound=too_generous, id='mine.saddles',\n"
                 "            statement='every saddle has curvature at most -8c(gap)', source='a misreading')]\n")
    (claim,) = load_claim_file(f)
    result = run_claim(claim, RunContext(seed=0, profile=get_profile("quick")))
    assert result.verdict is Verdict.REFUTED
