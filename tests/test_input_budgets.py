"""Formula budgets: what the parser accepts is cheap for every later stage.

`(m+1)**10000` used to pass the parser and then spend 369 s in SymPy's simplify. The walker now
bounds exponents (64 for symbols and irrational numbers), the total degree (64), the number of
terms after expansion (2000: distinct constants and radicals multiply like variables) and the
number of nodes (500), and names the limit it hits.
"""
import time

import pytest
import sympy as sp

from verify.errors import UnsafeExpressionError
from verify.expressions import MAX_DEGREE, MAX_NODES, MAX_POWER, MAX_TERMS, parse_expression, parse_relation

m, L = sp.symbols("m L", positive=True)
NAMES = {"m": m, "L": L}


@pytest.mark.parametrize("text, expected", [
    ("(m+1)**64", (m + 1) ** 64),
    ("(m+1)**-64", (m + 1) ** -64),
    ("m**(1/64)", m ** sp.Rational(1, 64)),
    ("m**(63/64)", m ** sp.Rational(63, 64)),
    ("10**-70", sp.Rational(1, 10 ** 70)),                  # exact rational base: only the bit limit applies
    ("2**(1/100)", sp.Integer(2) ** sp.Rational(1, 100)),
    ("m**(2-2/L)", m ** (2 - 2 / L)),                       # symbolic exponents: bounded by the depth range
    ("(m+1)**16*(m+2)**16*(m+3)**16*(m+4)**16", (m + 1) ** 16 * (m + 2) ** 16 * (m + 3) ** 16 * (m + 4) ** 16),
    ("(m+pi)**20*(m+E)**20", (m + sp.pi) ** 20 * (m + sp.E) ** 20),        # 21·21 = 441 terms
    ("(m+sqrt(2))**32*(m+sqrt(3))**32", (m + sp.sqrt(2)) ** 32 * (m + sp.sqrt(3)) ** 32),
    ("*".join(f"(m+{i})" for i in range(1, 65)), sp.Mul(*[m + i for i in range(1, 65)])),  # one variable: 65 terms
])
def test_within_budget_is_accepted(text, expected):
    assert parse_expression(text, NAMES) == expected


@pytest.mark.parametrize("text, message", [
    ("(m+1)**10000", f"exponent 10000 (limit |exponent| <= {MAX_POWER}"),
    ("(m+1)**65", "exponent 65"),
    ("(m+1)**-65", "exponent -65"),
    ("m**(1/65)", "exponent 1/65"),
    ("exp(m)**65", "exponent 65"),
    ("sqrt(3)**101", "exponent 101"),
    ("(1+sqrt(2))**65", "exponent 65"),
    ("(m+1)**40*(m+1)**40", "amounts to a power with exponent 80"),
    ("((m+1)**40)**2", "amounts to a power with exponent 80"),
    ("(m+1)**64*m", f"total degree 65 (limit {MAX_DEGREE})"),
    ("(m+1)**64*(m+2)**64*(m+3)**64*(m+4)**64", "total degree 256"),
    ("(m*L)**30*(m+L)**10", "total degree 70"),
    ("(m+pi)**16*(m+E)**16*(m+log(2))**16*(m+log(3))**16", f"about 83521 terms (limit {MAX_TERMS})"),  # 531 s before
    ("*".join(f"(m+sqrt({k}))" for k in (2, 3, 5, 6, 7, 10, 11, 13, 14, 15, 17, 19)), "about 4096 terms"),
    ("exp((m+pi)**16*(m+E)**16*(m+log(2))**16)", "terms"),   # inside a call counts too
    ("+".join(["m"] * (MAX_NODES + 1)), f"more than {MAX_NODES}"),
    ("*".join(f"(m+{i})" for i in range(1, 200)), f"more than {MAX_NODES}"),
])
def test_over_budget_is_rejected_fast_and_names_the_limit(text, message):
    start = time.perf_counter()
    with pytest.raises(UnsafeExpressionError) as info:
        parse_expression(text, NAMES)
    assert time.perf_counter() - start < 2
    assert message in str(info.value) and "\n" not in str(info.value)


def test_budgets_apply_to_relations():
    with pytest.raises(UnsafeExpressionError, match="exponent 80"):
        parse_relation("m**40*m**40 <= 1", NAMES)
    assert parse_relation("m**64 <= 1", NAMES).lhs == m ** 64


def test_budgets_count_the_names_substituted():
    """tau is the paper's formula, substituted by name; it fits the budgets with room to spare."""
    from verify.claimfile.kinds import threshold_names

    names = threshold_names()
    assert parse_expression("tau**3 * L * m**(2-2/L)", names).free_symbols == names["tau"].free_symbols


def test_largest_accepted_formula_checks_quickly(tmp_path):
    """A formula at the degree limit (64, four factors) is checked in seconds, not minutes."""
    from verify.claimfile import load_claim_file
    from verify.claims import RunContext, Tier, Verdict, get_profile, run_claim

    f = tmp_path / "c.toml"
    f.write_text('[[claim]]\nid = "big"\nkind = "threshold"\nstatement = "a degree-64 threshold (wrong)"\n'
                 'source = "derived by the suite"\nformula = "(m+1)**16*(m+2)**16*(m+3)**16*(m+4)**16"\n'
                 'depths = [3, 4]\n')
    (claim,) = load_claim_file(f)
    start = time.perf_counter()
    result = run_claim(claim, RunContext(seed=0, profile=get_profile("quick")))
    assert time.perf_counter() - start < 60
    assert result.verdict is Verdict.REFUTED
    assert {c.tier: c.verdict for c in result.checks}[Tier.SYMBOLIC] is not Verdict.VERIFIED


@pytest.mark.parametrize("text", ["exp(exp(m))", "sin(exp(exp(exp(m))))", "exp(2**m)", "exp(exp(m)+1)",
                                  "exp(m**m)", "2**(2**m)"])
def test_nested_exponentials_are_rejected_quickly(text):
    start = time.perf_counter()
    with pytest.raises(UnsafeExpressionError, match="nests exponentials"):
        parse_expression(text, NAMES)
    assert time.perf_counter() - start < 2


@pytest.mark.parametrize("text", ["exp(m)", "exp(-m)*m**3", "log(exp(m)+1)", "sqrt(exp(m))", "sin(exp(m))", "2**m"])
def test_one_exponential_level_is_accepted(text):
    parse_expression(text, NAMES)
