"""Bad claim files: every one makes `verify check FILE` exit 2 with one line on stderr, nothing run.

Each case is input the loader used to ignore, misread or crash on (issue 9): unknown and misspelt
keys, wrong types, numbers that are not what they look like, files that are not UTF-8 text,
formulas whose later stages would run for minutes, unsafe ids, Python files that exit.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from verify.cli import main

ROOT = Path(__file__).resolve().parent.parent


def claim(body: str, cid: str = "c1", kind: str = "threshold") -> str:
    """One [[claim]] table with the common keys and ``body`` (TOML lines)."""
    return f'[[claim]]\nid = "{cid}"\nkind = "{kind}"\nstatement = "s"\nsource = "derived by the suite"\n{body}\n'


MIN = 'depth = 3\ntarget = "1"\nlam = "1"\nexpect = "zero"\n'
BIG = "1" * 5000

CASES = [
    # strict keys
    ("misspelt-key", claim('formula = "tau/L"\nconvension = "S"'), "unknown key 'convension' (did you mean 'convention'?)"),
    ("unknown-key", claim('formula = "tau/L"\nfoo = 1'), "claim 'c1': unknown key 'foo'; allowed keys: id, kind"),
    ("objective-key", claim('formula = "tau"\nobjective = "|P - M|^2 + lam*sum |W_l|_1"'),
     "unknown key 'objective': the objective is fixed by 'convention'"),
    ("penalty-key", claim(MIN + 'penalty = "l1"', kind="minimizer"), "unknown key 'penalty'"),
    ("nested-unknown-table", claim('formula = "tau"\n[claim.options]\nx = 1'), "unknown key 'options'"),
    ("top-level-key", claim('formula = "tau"') + "[settings]\nx = 1\n", "unknown top-level key 'settings'"),
    ("top-level-scalar", 'title = "mine"\n' + claim('formula = "tau"'), "unknown top-level key 'title'"),
    ("single-table", '[claim]\nid = "c1"\nkind = "threshold"\nstatement = "s"\nsource = "s"\nformula = "tau"\n',
     "write [[claim]]"),
    ("no-claims", "# nothing here\n", "no [[claim]] tables"),
    ("empty-claim-list", "claim = []\n", "no [[claim]] tables"),
    ("claim-not-table", "claim = [1]\n", "claim #1 must be a table"),
    # types and required keys
    ("depths-string", claim('formula = "tau"\ndepths = "3"'), "key 'depths' must be a non-empty list of distinct integer"),
    ("depths-empty", claim('formula = "tau"\ndepths = []'), "key 'depths' must be"),
    ("depths-duplicate", claim('formula = "tau"\ndepths = [3, 3]'), "key 'depths' must be"),
    ("formula-number", claim("formula = 3"), "key 'formula' must be a formula, written as a string, got 3"),
    ("formula-empty", claim('formula = " "'), "key 'formula' must be a formula"),
    ("missing-formula", claim(""), "claim 'c1': missing required key 'formula'"),
    ("missing-id", '[[claim]]\nkind = "threshold"\nstatement = "s"\nsource = "s"\nformula = "tau"\n',
     "claim #1: missing required key 'id'"),
    ("missing-minimizer-keys", claim('depth = 3', kind="minimizer"), "missing required keys 'target', 'lam', 'expect'"),
    ("empty-statement", claim('formula = "tau"').replace('statement = "s"', 'statement = ""'),
     "key 'statement' must be a non-empty string"),
    ("unknown-kind", claim("", kind="teleport"), "unknown kind 'teleport'; known kinds: threshold"),
    ("misspelt-kind", claim('formula = "tau"', kind="treshold"), "unknown kind 'treshold' (did you mean 'threshold'?)"),
    ("kind-not-string", claim("").replace('kind = "threshold"', "kind = 1"), "unknown kind 1"),
    ("lowercase-convention", claim('formula = "tau"\nconvention = "s"'), "key 'convention' must be one of A1, A2, S, S2, B"),
    ("unknown-convention", claim('formula = "tau"\nconvention = "Z"'), "must be one of A1, A2, S, S2, B, got 'Z'"),
    ("expect-unknown", claim(MIN.replace('"zero"', '"maybe"'), kind="minimizer"), "key 'expect' must be one of zero"),
    ("pair-three", claim('nonzero = [["b", "1", "2"]]\nat_zero = [["b", "L"]]', kind="spectrum"), "key 'nonzero'"),
    ("pair-one", claim('nonzero = [["b", "1"]]\nat_zero = [["b"]]', kind="spectrum"), "key 'at_zero'"),
    ("negative-multiplicity", claim('nonzero = [["b", -1]]\nat_zero = [["b", "L"]]', kind="spectrum"),
     "nonzero[0][1] = -1"),
    ("duplicate-ids", claim('formula = "tau"') + claim('formula = "tau"'), "duplicate claim id(s): c1"),
    # depths and numbers
    ("depth-0", claim(MIN.replace("depth = 3", "depth = 0"), kind="minimizer"),
     "key 'depth' must be an integer depth L between 1 and 64, got 0"),
    ("depth-65", claim(MIN.replace("depth = 3", "depth = 65"), kind="minimizer"), "between 1 and 64, got 65"),
    ("depth-float", claim(MIN.replace("depth = 3", "depth = 16.000000000000001"), kind="minimizer"),
     "got 16.000000000000001"),
    ("depth-3.0", claim(MIN.replace("depth = 3", "depth = 3.0"), kind="minimizer"), "got 3.0"),
    ("depth-string", claim(MIN.replace("depth = 3", 'depth = "3"'), kind="minimizer"), "got '3'"),
    ("depth-bool", claim(MIN.replace("depth = 3", "depth = true"), kind="minimizer"), "got true"),
    ("depths-65", claim('formula = "tau"\ndepths = [3, 65]'), "depths[1] = 65"),
    ("depths-0", claim('formula = "tau"\ndepths = [0]'), "depths[0] = 0"),
    ("uniqueness-depth-2", claim('exceptional = "tau"\ndepths = [2, 3]', kind="uniqueness"),
     "between 3 and 64, got depths[0] = 2"),
    ("fullwidth-target", claim(MIN.replace('target = "1"', 'target = "１６"'), kind="minimizer"),
     "key 'target': non-ASCII digit '１' (U+FF11 FULLWIDTH DIGIT ONE)"),
    ("arabic-indic-lam", claim(MIN.replace('lam = "1"', 'lam = "١٦"'), kind="minimizer"), "ARABIC-INDIC DIGIT ONE"),
    ("fullwidth-formula", claim('formula = "tau/２"'), "non-ASCII digit '２' (U+FF12 FULLWIDTH DIGIT TWO)"),
    ("superscript-formula", claim('formula = "m²"'), "non-ASCII digit '²' (U+00B2 SUPERSCRIPT TWO)"),
    ("fullwidth-multiplicity", claim('nonzero = [["b", "L-１"]]\nat_zero = [["b", "L"]]', kind="spectrum"),
     "key 'nonzero[0][1]'"),
    ("5000-digit-toml-integer", claim(MIN.replace('target = "1"', f"target = {BIG}"), kind="minimizer"),
     "line 7: an integer has more than 4300 digits"),
    ("5000-digit-string", claim(MIN.replace('target = "1"', f'target = "{BIG}"'), kind="minimizer"),
     "outside the supported range (at most 4000 digits"),
    ("5000-digit-fraction", claim(MIN.replace('lam = "1"', f'lam = "1/{BIG}"'), kind="minimizer"),
     "outside the supported range"),
    ("5000-digit-exponent", claim(MIN.replace('lam = "1"', f'lam = "1e{BIG}"'), kind="minimizer"),
     "outside the supported range"),
    ("5000-digit-toml-float", claim(MIN.replace('lam = "1"', f"lam = 0.{BIG}"), kind="minimizer"),
     "outside the supported range"),
    ("exponent-4001", claim(MIN.replace('lam = "1"', 'lam = "1e-4001"'), kind="minimizer"), "exponent of ±4000"),
    ("toml-float-exponent", claim(MIN.replace('lam = "1"', "lam = 1e99999"), kind="minimizer"), "±4000"),
    ("lam-inf", claim(MIN.replace('lam = "1"', "lam = inf"), kind="minimizer"), "key 'lam': must be a finite number"),
    ("lam-nan", claim(MIN.replace('lam = "1"', "lam = nan"), kind="minimizer"), "finite"),
    ("lam-negative", claim(MIN.replace('lam = "1"', "lam = -0.5"), kind="minimizer"), "key 'lam': lambda must be > 0"),
    ("target-bool", claim(MIN.replace('target = "1"', "target = true"), kind="minimizer"), "key 'target' must be"),
    ("target-words", claim(MIN.replace('target = "1"', 'target = "one"'), kind="minimizer"), "key 'target'"),
    # formulas and their budgets
    ("power-10000", claim('formula = "(m+1)**10000"'), "(limit |exponent| <= 64"),
    ("power-combined", claim('formula = "(m+1)**40 * (m+1)**40"'), "amounts to a power with exponent 80"),
    ("degree", claim('formula = "' + "*".join(f"(m+{i})**60" for i in range(1, 6)) + '"'), "total degree 300 (limit 64)"),
    ("terms", claim('formula = "(m+pi)**16*(m+E)**16*(m+log(2))**16*(m+log(3))**16"'), "terms (limit 2000)"),
    ("nodes", claim('formula = "' + "+".join(f"m*{i}" for i in range(300)) + '"'), "more than 500"),
    ("hostile-formula", claim('formula = "__import__(\'os\').system(\'true\')"'), "attribute access '.system'"),
    ("unknown-name", claim('formula = "tau + q"'), "unknown name 'q'"),
    ("bad-spectrum-formula", claim('nonzero = [["b.real", "1"]]\nat_zero = [["b", "L"]]', kind="spectrum"),
     "key 'nonzero[0][0]'"),
    # ids
    ("id-shell", claim('formula = "tau"', cid="x;rm -rf /"), "claim #1: id 'x;rm -rf /' is not allowed; an id is ASCII"),
    ("id-space", claim('formula = "tau"', cid="x y"), "id 'x y' is not allowed"),
    ("id-newline", claim('formula = "tau"', cid="x\\n"), "id 'x\\n' is not allowed"),
    ("id-unicode", claim('formula = "tau"', cid="résumé"), "is not allowed"),
    ("id-too-long", claim('formula = "tau"', cid="a" * 101), "is not allowed"),
    ("id-leading-dot", claim('formula = "tau"', cid="../x"), "is not allowed"),
]


@pytest.mark.parametrize("name, text, message", CASES, ids=[c[0] for c in CASES])
def test_bad_toml_exits_2_with_one_line(tmp_path, capsys, name, text, message):
    path = tmp_path / "claims.toml"
    path.write_text(text, encoding="utf-8")
    code = main(["check", str(path), "--profile", "quick", "--out", str(tmp_path / "r"), "--quiet"])
    captured = capsys.readouterr()
    assert code == 2, captured
    err = captured.err
    assert err.startswith("verify: error: ") and err.count("\n") == 1, err
    assert message in err, err
    assert len(err) < 500
    assert not (tmp_path / "r" / "report.json").exists()


def _nested(depth: int) -> bytes:
    return ("a = " + "[" * depth + "]" * depth + "\n").encode()


BYTE_CASES = [
    ("empty", b"", "the file is empty"),
    ("whitespace", b"  \n\n\t\n", "the file is empty"),
    ("binary", bytes(range(256)) * 8, "looks like a binary file"),
    ("png-header", b"\x89PNG\r\n\x1a\n" + bytes(range(200)), "NUL byte"),
    ("utf16-bom", claim('formula = "tau"').encode("utf-16"), "UTF-16-encoded; save it as UTF-8"),
    ("utf16le-no-bom", claim('formula = "tau"').encode("utf-16-le"), "looks like UTF-16 text"),
    ("utf16be-no-bom", claim('formula = "tau"').encode("utf-16-be"), "looks like UTF-16 text"),
    ("utf32-bom", claim('formula = "tau"').encode("utf-32"), "UTF-32-encoded"),
    ("invalid-utf8", claim('formula = "tau"').encode().replace(b'"s"', b'"\xff\xfe"', 1), "not valid UTF-8 (byte 0xff"),
    ("latin1", claim('formula = "tau"').encode().replace(b'"s"', '"résumé"'.encode("latin-1"), 1), "not valid UTF-8"),
    ("nested-arrays-100000", _nested(100_000), "nested too deeply"),
    ("nested-300-under-a-key", claim('formula = "tau"\ndepths = [' + "[" * 300 + "]" * 300 + ", " + "[" * 300
                                      + "]" * 300 + "]").encode(), "nested deeper than 16 levels (under key 'depths')"),
    ("nested-inline-tables", ("a = " + "{b = " * 5000 + "1" + "}" * 5000 + "\n").encode(), "nested too deeply"),
    ("over-1-MiB", b"# padding\n" * 110_000, "larger than 1 MiB"),
    ("invalid-toml", b"not = [toml", "not valid TOML"),
    ("control-character", b'[[claim]]\nid = "a\x01"\n', "not valid TOML"),
]


@pytest.mark.parametrize("name, data, message", BYTE_CASES, ids=[c[0] for c in BYTE_CASES])
def test_unreadable_files_exit_2_with_one_line(tmp_path, capsys, name, data, message):
    path = tmp_path / "claims.toml"
    path.write_bytes(data)
    code = main(["check", str(path), "--profile", "quick", "--out", str(tmp_path / "r"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("verify: error: ") and err.count("\n") == 1, err
    assert message in err, err


def test_utf8_bom_is_accepted(tmp_path):
    from verify.claimfile import load_claim_file

    path = tmp_path / "claims.toml"
    path.write_bytes(b"\xef\xbb\xbf" + claim('formula = "tau"\ndepths = [3]').encode())
    (c,) = load_claim_file(path)
    assert c.id == "c1"


PY_CASES = [
    ("sys-exit-0", "import sys\nsys.exit(0)\n", "claim file called sys.exit(0) while loading"),
    ("raise-system-exit", "raise SystemExit(3)\n", "claim file called sys.exit(3) while loading"),
    ("raise-keyboard-interrupt", "raise KeyboardInterrupt\n", "claim file raised KeyboardInterrupt while loading"),
    ("base-exception", "class Stop(BaseException):\n    pass\nraise Stop('halt')\n",
     "claim file raised Stop: halt while loading"),
    ("exit-in-claims", "import sys\ndef claims():\n    sys.exit(0)\n", "sys.exit(0) while calling claims()"),
    ("error-in-claims", "def claims():\n    return 1 / 0\n", "calling claims() failed: ZeroDivisionError"),
    ("syntax-error", "def claims(:\n", "loading failed: SyntaxError"),
    ("multi-line-error", "raise ValueError('first\\nsecond')\n", "loading failed: ValueError: first"),
    ("no-claims", "x = 1\n", "define claims() returning a list of Claim objects"),
    ("wrong-type", "CLAIMS = ['a']\n", "define claims()"),
    ("bad-id", "from verify.api import threshold_claim, tau\n"
               "CLAIMS = [threshold_claim('a;rm -rf /', 's', 'src', tau)]\n", "claim id 'a;rm -rf /' must be ASCII"),
]


@pytest.mark.parametrize("name, source, message", PY_CASES, ids=[c[0] for c in PY_CASES])
def test_bad_python_claim_files_exit_2(tmp_path, capsys, name, source, message):
    path = tmp_path / "mine.py"
    path.write_text(source)
    code = main(["check", str(path), "--profile", "quick", "--out", str(tmp_path / "r"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("verify: error: ") and err.count("\n") == 1, err
    assert message in err, err
    assert not any(k.startswith("_verify_claimfile_") and getattr(sys.modules[k], "__file__", "") == str(path)
                   for k in list(sys.modules))


@pytest.mark.parametrize("name, data, message", [
    ("binary", bytes(range(256)) * 8, "looks like a binary file"),
    ("sys-exit", b"import sys\nsys.exit(0)\n", "claim file called sys.exit(0) while loading"),
    ("utf16", claim('formula = "tau"').encode("utf-16"), "UTF-16"),
], ids=["binary", "sys-exit", "utf16"])
def test_real_process_exits_2_with_one_line(tmp_path, name, data, message):
    """The installed entry point, in a fresh interpreter: exit status 2, one line, no traceback."""
    path = tmp_path / ("mine.py" if name == "sys-exit" else "claims.toml")
    path.write_bytes(data)
    proc = subprocess.run([sys.executable, "-m", "verify", "check", str(path), "--profile", "quick",
                           "--out", str(tmp_path / "r")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_every_case_names_its_claim_or_file(tmp_path):
    """Claim-level messages name the claim (by id, or by position when the id itself is bad)."""
    from verify.claimfile import load_claim_file
    from verify.errors import UsageError

    for name, text, _ in CASES:
        if "[[claim]]" not in text:
            continue
        path = tmp_path / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(UsageError) as info:
            load_claim_file(path)
        msg = str(info.value)
        assert msg.startswith(str(path)), msg
        if name == "5000-digit-toml-integer":  # rejected by the TOML parser: the line is named
            assert "line 7" in msg
        elif name not in ("top-level-key", "top-level-scalar", "duplicate-ids"):
            assert "claim 'c1'" in msg or "claim #1" in msg, msg


def test_example_still_loads():
    from verify.claimfile import load_claim_file

    ids = [c.id for c in load_claim_file(ROOT / "examples" / "claims.toml")]
    assert ids == ["mine.threshold.S", "mine.threshold.B.wrong", "mine.near-threshold"]
    assert json.dumps(ids)


def test_messages_stay_on_one_line_whatever_the_names(tmp_path, capsys):
    """A newline in the file name or in a .py file's exception text is escaped, not printed."""
    odd = tmp_path / "two\nlines.toml"
    odd.write_text(claim('formula = "tau"\nconvension = "S"'))
    assert main(["check", str(odd), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "two\\nlines.toml" in err and "convension" in err
    py = tmp_path / "mine.py"
    py.write_text("raise RuntimeError('line one\\nline two')\n")
    assert main(["check", str(py), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "RuntimeError: line one" in err
