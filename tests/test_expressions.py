"""Safe parsing of user formulas: correct SymPy results, exact decimals, hostile text rejected
without executing anything, and no crash other than UsageError on arbitrary text."""
from __future__ import annotations

import signal
import sys
import threading
import time
from contextlib import contextmanager
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.errors import UnsafeExpressionError, UsageError
from verify.expressions import (
    DEFAULT_FUNCTIONS, MAX_BUILD_SECONDS, MAX_LENGTH, parse_expression, parse_relation,
)

L, m, tau, s1, b, kappa, x, y = sp.symbols("L m tau s1 b kappa x y")
NAMES = ["L", "m", "tau", "s1", "b", "kappa", "x", "y"]

# -- watching for code execution -------------------------------------------------------------
# An audit hook (permanent once added, so it only records while a test switches it on) sees
# every exec/compile/open/os.system/subprocess the interpreter performs during a parse.
_EVENTS: list[tuple[str, tuple]] = []
_RECORDING = [False]


def _hook(event: str, args: tuple) -> None:
    if _RECORDING[0]:
        _EVENTS.append((event, args))


sys.addaudithook(_hook)

_ALWAYS_FORBIDDEN = ("os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn",
                     "os.fork", "os.remove", "os.rename", "shutil.", "socket.", "ctypes.",
                     "builtins.input", "os.chmod", "os.mkdir")


def _forbidden(event: str, args: tuple) -> bool:
    """True for an event a formula parse must never cause.

    SymPy imports some modules lazily; an import reads (open) and runs (exec) a module file,
    so those are allowed for .py/.pyc files; the parser's own ast.parse compiles '<expression>'.
    """
    if event.startswith(_ALWAYS_FORBIDDEN):
        return True
    if event == "compile":
        return args[1] != "<expression>" and not str(args[1]).endswith(".py")
    if event == "exec":
        filename = getattr(args[0], "co_filename", "")
        return not str(filename).endswith(".py")
    if event == "open":
        path, mode = str(args[0]), args[1]
        return not path.endswith((".py", ".pyc", ".so")) or mode not in (None, "r", "rb")
    return False


@contextmanager
def watched():
    """Record audit events inside the block; fail if any shows code execution or file access."""
    _EVENTS.clear()
    _RECORDING[0] = True
    try:
        yield
    finally:
        _RECORDING[0] = False
    bad = [(e, repr(a)[:120]) for e, a in _EVENTS if _forbidden(e, a)]
    _EVENTS.clear()
    assert not bad, f"parse caused forbidden interpreter events: {bad}"


@contextmanager
def time_limit(seconds: float):
    """Fail instead of hanging: SIGALRM raises after ``seconds``."""
    def on_alarm(signum, frame):
        raise TimeoutError(f"parse did not finish within {seconds} s")

    if threading.current_thread() is not threading.main_thread():
        yield    # signals only reach the main thread; the per-call time assertions still apply
        return
    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# Lazily imported SymPy modules get loaded once here, outside any watched block.
for _warm in ("Min(x, 1) + Max(y, 2) + sqrt(2)*log(x, 2) + abs(x)**(1/2) + exp(sin(x)*cos(y))",
              "pi*E + x^2"):
    parse_expression(_warm, NAMES)


# -- ordinary formulas ---------------------------------------------------------------------

def test_formulas_from_claim_files_match_direct_sympy():
    c = sp.Function("c")
    funcs = {**DEFAULT_FUNCTIONS, "c": c}
    assert parse_expression("c(L)*tau", NAMES, funcs) == c(L) * tau
    expected = (L * sp.Abs(m) ** (2 - sp.Integer(2) / L) * (L - 2) ** (1 - sp.Integer(2) / L)
                / (L - 1) ** (2 - sp.Integer(2) / L))
    got = parse_expression("L*abs(m)**(2-2/L)*(L-2)**(1-2/L)/(L-1)**(2-2/L)", NAMES)
    assert got == expected
    assert parse_expression("2*b*L*s1**(2/L)", NAMES) == 2 * b * L * s1 ** (sp.Integer(2) / L)
    assert parse_expression("-kappa", NAMES) == -kappa
    assert parse_expression("+kappa", NAMES) == kappa


def test_threshold_formula_k1():
    q = sp.Integer(2) / L
    tau_direct = (sp.Abs(m) / ((1 - q / 2) * (1 - q) ** ((q - 1) / (2 - q)))) ** (2 - q)
    text = "(abs(m) / ((1 - (2/L)/2) * (1 - 2/L)**((2/L - 1)/(2 - 2/L))))**(2 - 2/L)"
    got = parse_expression(text, NAMES)
    assert sp.simplify(got - tau_direct) == 0
    # and numerically at a point, as a check that does not rely on simplify
    point = {L: 3, m: sp.Rational(7, 5)}
    assert abs(sp.N(got.subs(point) - tau_direct.subs(point), 30)) < sp.Float("1e-25")


def test_operators_functions_and_constants():
    assert parse_expression("x - y - 1", NAMES) == x - y - 1
    assert parse_expression("x / y / 2", NAMES) == x / y / 2
    assert parse_expression("2**3**2", NAMES) == sp.Integer(512)
    assert parse_expression("x^2", NAMES) == x ** 2
    assert parse_expression("x^-2 + y**-1", NAMES) == x ** -2 + 1 / y
    assert parse_expression("2^3^2", NAMES) == sp.Integer(512)   # right-associative like **
    assert parse_expression("-x^2", NAMES) == -(x ** 2)
    assert parse_expression("x**2 * y^3", NAMES) == x ** 2 * y ** 3
    assert parse_expression("sqrt(x) + exp(y) + log(x) + log(x, 2)", NAMES) == \
        sp.sqrt(x) + sp.exp(y) + sp.log(x) + sp.log(x, 2)
    assert parse_expression("sin(x)*cos(y) + Min(x, y) + Max(x, 1, y)", NAMES) == \
        sp.sin(x) * sp.cos(y) + sp.Min(x, y) + sp.Max(x, 1, y)
    assert parse_expression("pi*E", NAMES) == sp.pi * sp.E
    assert parse_expression("x\n  + y", NAMES) == x + y
    assert parse_expression(3, NAMES) == 3
    assert parse_expression("1+" * 400 + "1", NAMES) == 401   # long flat chains are one level


def test_symbol_mapping_keeps_assumptions_and_shadows_constants():
    Lpos = sp.Symbol("L", positive=True, integer=True)
    energy = sp.Symbol("E", positive=True)
    got = parse_expression("L + E", {"L": Lpos, "E": energy})
    assert got == Lpos + energy
    assert got.free_symbols == {Lpos, energy}
    assert parse_expression("c", {"c": sp.Rational(3, 2)}) == sp.Rational(3, 2)


def test_decimals_are_exact():
    assert parse_expression("0.7", NAMES) == sp.Rational(7, 10)
    assert parse_expression("0.1 + 0.2", NAMES) == sp.Rational(3, 10)
    assert parse_expression("1e-3", NAMES) == sp.Rational(1, 1000)
    assert parse_expression("2.5E2", NAMES) == 250
    assert parse_expression(".5", NAMES) == sp.Rational(1, 2)
    assert parse_expression("5.", NAMES) == 5
    assert parse_expression("1_000.25", NAMES) == sp.Rational(4001, 4)
    third = parse_expression("0.333333333333333333333333333333", NAMES)
    assert third == sp.Rational(333333333333333333333333333333, 10 ** 30)
    assert parse_expression("0.7*x", NAMES) == sp.Rational(7, 10) * x
    assert isinstance(parse_expression("0.7", NAMES), sp.Rational)


def test_relations():
    rel = parse_relation("x <= 2*y", NAMES)
    assert isinstance(rel, sp.LessThan) and rel.lhs == x and rel.rhs == 2 * y
    assert isinstance(parse_relation("x >= 0.5", NAMES), sp.GreaterThan)
    assert parse_relation("x >= 0.5", NAMES).rhs == sp.Rational(1, 2)
    assert isinstance(parse_relation("1 <= 2", NAMES), sp.LessThan)   # unevaluated
    with pytest.raises(UnsafeExpressionError, match="chained comparison"):
        parse_relation("x < y < 2", NAMES)
    with pytest.raises(UsageError, match="expected a comparison"):
        parse_relation("x + y", NAMES)
    with pytest.raises(UnsafeExpressionError, match="comparison '<='"):
        parse_expression("x <= y", NAMES)


# -- bad but harmless input -----------------------------------------------------------------

@pytest.mark.parametrize("text, pattern", [
    ("z + 1", r"unknown name 'z' at position 1 .*allowed names: E, L, b, kappa, m, pi, s1, tau, "
              r"x, y"),
    ("foo(x)", r"unknown function 'foo' at position 1 .*allowed functions: Max, Min, abs, cos"),
    ("x(2)", r"'x' is a symbol, not a function"),
    ("sin()", r"sin\(\) takes 1 argument"),
    ("log(x, 2, 3)", r"log\(\) takes 1 to 2 argument"),
    ("1/0", r"undefined value .* at position 2"),
    ("log(0)", r"undefined value"),
    ("x y", r"invalid expression 'x y': .* at position 3"),
    ("", r"empty expression"),
    ("sqrt", r"without arguments"),
    ("x // y", r"operator '//' at position 3"),
    ("x % y", r"operator '%'"),
    ("x @ y", r"operator '@'"),
    ("~x", r"operator '~'"),
    ("1j", r"imaginary number"),
    ("True", r"constant True"),
    ("x if y else 1", r"conditional expression"),
    ("x # comment", r"comment '#' at position 3"),
    ("x + \\\n y", r"backslash"),
    ("x + \u03ba", r"only printable ASCII"),
    ("sqrt(x=1)", r"keyword argument"),
    ("sqrt(*x)", r"starred argument"),
    ("(x, y)", r"tuple"),
])
def test_bad_input_gives_one_line_usage_error(text, pattern):
    with pytest.raises(UsageError, match=pattern) as info:
        parse_expression(text, NAMES)
    assert "\n" not in str(info.value)


def test_non_string_input():
    with pytest.raises(UsageError, match="floats are not exact"):
        parse_expression(0.7, NAMES)
    with pytest.raises(UsageError, match="must be a string"):
        parse_expression(None, NAMES)
    with pytest.raises(TypeError):
        parse_expression("x", "x")
    with pytest.raises(UsageError, match="invalid symbol name"):
        parse_expression("x", ["__class__"])


# -- hostile input --------------------------------------------------------------------------

HOSTILE = [
    ("__import__('os').system('touch {pwned}')", "attribute access '.system'"),
    ("__import__('os')", "dunder name '__import__'"),
    ("().__class__.__bases__[0].__subclasses__()", "attribute access '.__subclasses__'"),
    ("open('{pwned}', 'w').write('x')", "attribute access '.write'"),
    ("open('/etc/passwd').read()", "attribute access '.read'"),
    ("open('{pwned}', 'w')", "unknown function 'open'"),
    ("lambda: 1", "lambda expression"),
    ("(lambda: 1)()", "call of lambda expression"),
    ("[x for x in ()]", "list comprehension"),
    ("x.__class__", "attribute access '.__class__'"),
    ("getattr(x, 'y')", "unknown function 'getattr'"),
    ("eval('1')", "unknown function 'eval'"),
    ("exec('1')", "unknown function 'exec'"),
    ("sqrt(__import__('os').system('touch {pwned}'))", "attribute access '.system'"),
    ("x + __builtins__", "dunder name '__builtins__'"),
    ('"a"', "string literal"),
    ("b'a'", "bytes literal"),
    ('f"{1}"', "f-string"),
    ("(y := 1)", "assignment expression"),
    ("x[0]", "subscript"),
    ("{1: 2}", "dict"),
    ("Min(*x)", "starred argument"),
    ("9**9**9**9", "exponent 387420489"),
    ("2**10**6", "exponent 1000000"),
    ("sqrt(2)**9999", "would exceed 1024 bits"),
    ("(7*x)**5000", "would exceed 1024 bits"),
    ("10**300*10**300", "larger than 1024 bits"),
    ("1e999999", "decimal exponent 999999"),
    ("1" * 400, "number literal with 400 digits"),
    ("1" * 10000, "expression too long: 10000 characters"),
    ("x+" * 5000 + "x", "expression too long"),
    ("(" * 500 + "1" + ")" * 500, "brackets nested deeper than 50"),
    ("[" * 500, "brackets nested deeper than 50"),
    ("-" * 1500 + "1", "nesting deeper than 100 levels"),
    ("x**" * 600 + "x", "nesting deeper than 100 levels"),
]


@pytest.mark.parametrize("template, pattern", HOSTILE,
                         ids=[t if len(t) <= 30 else t[:27] + "..." for t, _ in HOSTILE])
def test_hostile_text_is_rejected_and_executes_nothing(template, pattern, tmp_path):
    pwned = tmp_path / "pwned"
    text = template.replace("{pwned}", str(pwned))
    start = time.perf_counter()
    with time_limit(10), watched():
        with pytest.raises(UnsafeExpressionError, match=pattern.replace("(", r"\(")) as info:
            parse_expression(text, NAMES)
    assert time.perf_counter() - start < MAX_BUILD_SECONDS
    assert not pwned.exists()
    message = str(info.value)
    assert "\n" not in message and len(message) < 400
    assert "position" in message or "too long" in message


def test_watcher_would_notice_execution(tmp_path):
    """The audit-hook watcher itself can fail: real eval and open are caught."""
    with pytest.raises(AssertionError, match="forbidden"):
        with watched():
            eval("1")
    with pytest.raises(AssertionError, match="forbidden"):
        with watched():
            (tmp_path / "f").write_text("x")


def test_length_limit_is_exact():
    ok = "x" + " " * (MAX_LENGTH - 1)
    assert parse_expression(ok, NAMES) == x
    with pytest.raises(UnsafeExpressionError):
        parse_expression(ok + " ", NAMES)


# -- arbitrary text --------------------------------------------------------------------------

_CHARS = st.sampled_from(list("xyLm0123456789.+-*/^()e_ ,<=>![]{}'\"#:;@%&|~`$?\\\n\tjabc"))
_TOKENS = st.sampled_from([
    "x", "y", "L", "2", "0.7", "9", "1e5", "1e999", "**", "^", "*", "/", "+", "-", "(", ")",
    ",", "sqrt(", "log(", "Min(", "abs(", "exp(", "sin(", "pi", "E", "__", "import", ".",
    "[0]", "lambda", ":", "=", "<=", "'s'", "f'", "{", "}", "for", " in ", "if", "else",
    "9**9**9", "(" * 60, "-" * 120, "os", "system", "__class__", "open(", "eval(", "0x",
])
_TEXTS = st.one_of(
    st.text(alphabet=_CHARS, max_size=40),
    st.lists(_TOKENS, max_size=30).map("".join),
    st.text(max_size=30),
)


@settings(max_examples=200)
@given(_TEXTS)
def test_arbitrary_text_only_raises_usage_errors(text):
    with time_limit(5), watched():
        start = time.perf_counter()
        try:
            result = parse_expression(text, NAMES)
        except UsageError as exc:
            assert "\n" not in str(exc)
        else:
            assert isinstance(result, sp.Basic)
            assert not result.has(sp.zoo, sp.nan, sp.oo, -sp.oo)
        assert time.perf_counter() - start < MAX_BUILD_SECONDS + 1


def test_time_budget_stops_costly_builds(monkeypatch):
    """Many individually cheap but slow exact operations hit the build-time budget."""
    import verify.expressions as expressions

    monkeypatch.setattr(expressions, "MAX_BUILD_SECONDS", -1.0)
    with pytest.raises(UnsafeExpressionError, match="too costly"):
        parse_expression("sqrt(7**364+1) + sqrt(7**364+2)", NAMES)


def test_hostile_text_in_relations_is_rejected(tmp_path):
    pwned = tmp_path / "pwned"
    with time_limit(10), watched():
        with pytest.raises(UnsafeExpressionError, match="attribute access '.system'"):
            parse_relation(f"x <= __import__('os').system('touch {pwned}')", NAMES)
    assert not pwned.exists()


# -- exact arithmetic against an independent route (Python's Fraction) -----------------------

def _leaf():
    integers = st.integers(0, 30).map(lambda n: (str(n), Fraction(n)))
    decimals = st.tuples(st.integers(0, 9), st.integers(0, 999)).map(
        lambda ab: (f"{ab[0]}.{ab[1]:03d}", Fraction(ab[0] * 1000 + ab[1], 1000)))
    return st.one_of(integers, decimals)


def _combine(children):
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children)
    power = st.tuples(children, st.sampled_from(["**", "^"]), st.integers(-3, 3))
    negate = children.map(lambda c: (f"-{c[0]}", -c[1] if c[1] is not None else None))
    return st.one_of(binary.map(_binary), power.map(_power), negate)


def _binary(parts):
    (lt, lv), op, (rt, rv) = parts
    text = f"({lt} {op} {rt})"
    if lv is None or rv is None or (op == "/" and rv == 0):
        return text, None
    value = {"+": lv + rv, "-": lv - rv, "*": lv * rv}.get(op) if op != "/" else lv / rv
    return text, value


def _power(parts):
    (bt, bv), op, exponent = parts
    text = f"({bt}){op}({exponent})"
    if bv is None or (bv == 0 and exponent < 0):
        return text, None
    return text, bv ** exponent


@settings(max_examples=100)
@given(st.recursive(_leaf(), _combine, max_leaves=12))
def test_exact_arithmetic_matches_fractions(case):
    """Operator semantics and exact decimals, against Fraction arithmetic (None = undefined)."""
    text, value = case
    try:
        got = parse_expression(text, NAMES)
    except UnsafeExpressionError as exc:
        assert "bits" in str(exc), exc      # only: an exact value beyond the size limit
        return
    except UsageError as exc:
        assert value is None, f"{text} rejected: {exc}"
        return
    assert value is not None, f"{text} should be undefined, got {got}"
    assert got == sp.Rational(value.numerator, value.denominator)
