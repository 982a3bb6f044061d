"""Fuzzing the claim-file loader: whatever the bytes, the answer is claims or one UsageError line."""
import json
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verify.claimfile import load_claim_file, validate_claim_data
from verify.claimfile.schema import claim_file_schema
from verify.errors import UsageError

SETTINGS = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])

GOOD = ('[[claim]]\nid = "c1"\nkind = "threshold"\nstatement = "s"\nsource = "derived by the suite"\n'
        'formula = "tau / L"\nconvention = "S"\ndepths = [3, 4]\n')
FRAGMENTS = ['[[claim]]\n', 'id = "c1"\n', 'id = "a;b"\n', 'kind = "threshold"\n', 'kind = "spectrum"\n',
             'kind = "minimizer"\n', 'statement = "s"\n', 'source = "s"\n', 'formula = "tau"\n',
             'formula = "(m+1)**10000"\n', 'depths = [3]\n', 'depths = [0, 65]\n', 'depth = 3\n', 'depth = 3.0\n',
             'target = 16.000000000000001\n', 'target = "１６"\n', 'lam = "1/2"\n', 'lam = inf\n',
             'expect = "zero"\n', 'convension = "S"\n', 'objective = "l1"\n', 'nonzero = [["b", 1]]\n',
             'at_zero = [["b", "L"]]\n', '[other]\n', 'a = [[[[1]]]]\n', '"key with space" = 1\n', '\x00', '\ufeff']


def _check(tmp_path: Path, data: bytes) -> None:
    f = tmp_path / "fuzz.toml"
    f.write_bytes(data)
    try:
        claims = load_claim_file(f)
    except UsageError as exc:
        assert "\n" not in str(exc) and str(exc).isprintable(), repr(str(exc))
        assert len(str(exc)) < 600
        return
    assert claims and all(c.checks for c in claims)


@SETTINGS
@given(st.binary(max_size=400))
def test_random_bytes(tmp_path, data):
    _check(tmp_path, data)


@SETTINGS
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=14))
def test_random_toml_fragments(tmp_path, parts):
    _check(tmp_path, "".join(parts).encode("utf-8", "surrogatepass"))


@SETTINGS
@given(st.integers(0, len(GOOD) - 1), st.text(max_size=6))
def test_one_edit_of_a_good_file(tmp_path, at, insert):
    _check(tmp_path, (GOOD[:at] + insert + GOOD[at + 1:]).encode("utf-8", "surrogatepass"))


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-100, 100) | st.text(max_size=8)
    | st.decimals(allow_nan=True, allow_infinity=True, places=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12)
KEYS = sorted({k for d in ("threshold", "spectrum", "uniqueness", "minimizer")
               for k in claim_file_schema()["$defs"][d]["properties"]})


@SETTINGS
@given(st.lists(st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), JSONISH, max_size=8), max_size=3))
def test_random_claim_tables_fail_only_with_usage_errors(tables):
    """The schema step alone: random tables are accepted or rejected with one line, never a crash."""
    try:
        validate_claim_data({"claim": tables}, "fuzz.toml")
    except UsageError as exc:
        assert "\n" not in str(exc), str(exc)
    json.dumps(tables, default=str)


def test_decimal_values_are_numbers_for_the_schema():
    validate_claim_data({"claim": [{"id": "x", "kind": "minimizer", "statement": "s", "source": "s", "depth": 3,
                                    "target": Decimal("0.5"), "lam": Decimal("1E-3"), "expect": "zero"}]})
