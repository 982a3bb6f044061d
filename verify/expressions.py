"""Safe parsing of user formulas (claim files) into SymPy expressions, without eval or sympify.

The text is parsed with ``ast.parse(mode="eval")`` and the syntax tree is walked here, building
SymPy objects from a whitelist:

- numbers: integer and decimal literals, read exactly from their source text ("0.7" -> 7/10);
- names: the caller's symbols, then the constants ``pi`` and ``E`` (symbols shadow constants);
- operators: binary ``+ - * / **`` (``^`` is accepted as ``**``), unary ``-`` and ``+``;
- calls: positional calls of whitelisted functions (``DEFAULT_FUNCTIONS``: abs, sqrt, exp, log,
  sin, cos, Min, Max), or of the functions the caller passes;
- ``parse_relation`` additionally accepts one comparison ``<= >= < > ==``.

Anything else (attributes, subscripts, strings, lambdas, comprehensions, keywords, ...) raises
``UnsafeExpressionError`` naming the construct and its 1-based position. Size limits keep every
input cheap: the text length, bracket and tree depth, literal length, number size in bits and
numeric exponents are capped, and the whole build has a time budget. Budgets also bound what
later stages do with the result: at most ``MAX_NODES`` syntax nodes, exponents of symbolic or
irrational bases at most ``MAX_POWER`` in absolute value, a total degree of at most
``MAX_DEGREE`` and at most ``MAX_TERMS`` terms after expansion, and no exponential nested in an
exponential (``MAX_EXP_NESTING``). Only printable ASCII is accepted: Unicode digits such as "１６" or "²" are named
and rejected, never read as numbers.

Division by zero and log(0) are rejected when SymPy recognises them (1/0, 1/(x-x), log(0));
a denominator that is zero only after simplification (e.g. sqrt(2)+sqrt(3)-sqrt(5+2*sqrt(6)))
is not detected here.
"""
from __future__ import annotations

import ast
import keyword
import re
import time
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

import sympy as sp

from .errors import UnsafeExpressionError, UsageError, VerifyError
from .expression_budgets import (  # noqa: F401 (re-exported: the budgets are part of the parser's API)
    MAX_BITS, MAX_DEGREE, MAX_EXP_NESTING, MAX_EXPONENT, MAX_POWER, MAX_TERMS, bits, check_budgets,
    check_exp_nesting, power_problem,
)
from .expression_budgets import show as _show

MAX_LENGTH = 2000
"""Longest accepted formula, in characters."""
MAX_BRACKET_DEPTH = 50
"""Deepest bracket nesting accepted (checked before parsing; Python's parser stops at 200)."""
MAX_DEPTH = 100
"""Deepest tree nesting (a chain like a+b+c+... counts as one level, a**b**c as three)."""
MAX_LITERAL_DIGITS = 300
"""Longest number literal, in digits."""
MAX_DECIMAL_EXPONENT = 300
"""Largest |e| in a literal like 1e-5."""
MAX_BUILD_SECONDS = 2.0
"""Time budget for building one expression (SymPy evaluates numbers eagerly)."""
MAX_NODES = 500
"""Most syntax-tree nodes (numbers, names, operations, calls) one formula may have."""
DEFAULT_FUNCTIONS: Mapping[str, Callable[..., sp.Expr]] = MappingProxyType({
    "abs": sp.Abs,
    "sqrt": sp.sqrt,
    "exp": sp.exp,
    "log": sp.log,
    "sin": sp.sin,
    "cos": sp.cos,
    "Min": sp.Min,
    "Max": sp.Max,
})
"""Functions a formula may call by default: name -> SymPy callable (positional arguments)."""

CONSTANTS: Mapping[str, sp.Expr] = MappingProxyType({"pi": sp.pi, "E": sp.E})
"""Named constants a formula may use unless a symbol of the same name shadows them."""

_ARITY: dict[object, tuple[int, int | None]] = {
    sp.Abs: (1, 1), sp.sqrt: (1, 1), sp.exp: (1, 1), sp.log: (1, 2),
    sp.sin: (1, 1), sp.cos: (1, 1), sp.Min: (1, None), sp.Max: (1, None),
}

_RELATIONS: dict[type, Callable[..., sp.Basic]] = {
    ast.LtE: sp.Le, ast.GtE: sp.Ge, ast.Lt: sp.Lt, ast.Gt: sp.Gt, ast.Eq: sp.Eq,
}

_BINARY: dict[type, str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^",
}
_ALLOWED_BINARY = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
_CHAIN_CLASS = {ast.Add: 0, ast.Sub: 0, ast.Mult: 1, ast.Div: 1}

_CONSTRUCTS: dict[type, str] = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscript",
    ast.Lambda: "lambda expression",
    ast.ListComp: "list comprehension",
    ast.SetComp: "set comprehension",
    ast.DictComp: "dict comprehension",
    ast.GeneratorExp: "generator expression",
    ast.NamedExpr: "assignment expression ':='",
    ast.JoinedStr: "f-string",
    ast.FormattedValue: "f-string",
    ast.Starred: "starred expression",
    ast.List: "list",
    ast.Tuple: "tuple",
    ast.Set: "set",
    ast.Dict: "dict",
    ast.IfExp: "conditional expression",
    ast.BoolOp: "boolean operator",
    ast.Compare: "comparison",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "slice",
}

_DECIMAL = re.compile(r"(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?")
_PREFIXED = re.compile(r"0[xXoObB][0-9a-fA-F]+")
_FORBIDDEN_CHARS = {"#": "comment '#'", "\\": "backslash"}
_INVALID = (sp.zoo, sp.nan, sp.oo, -sp.oo)


def parse_expression(
    text: str,
    symbols: Mapping[str, sp.Basic] | Iterable[str],
    functions: Mapping[str, Callable[..., sp.Expr]] = DEFAULT_FUNCTIONS,
) -> sp.Expr:
    """Parse a user formula such as "L*abs(m)**(2-2/L)" into a SymPy expression, safely.

    ``symbols`` maps names to SymPy objects (or lists names, each becoming a plain Symbol);
    ``functions`` maps callable names to SymPy callables. Raises ``UnsafeExpressionError`` for
    anything outside the whitelist or the size limits, ``UsageError`` for other bad input
    (syntax, wrong argument count, division by zero).
    """
    parser = _Parser(text, symbols, functions)
    body = parser.tree.body
    if isinstance(body, ast.Compare):
        raise parser.unsafe(body, f"comparison '{_compare_symbol(body.ops[0])}' "
                                  "(only parse_relation accepts comparisons)")
    return parser.budgeted(parser.build(body, 0))


def parse_relation(
    text: str,
    symbols: Mapping[str, sp.Basic] | Iterable[str],
    functions: Mapping[str, Callable[..., sp.Expr]] = DEFAULT_FUNCTIONS,
) -> sp.core.relational.Relational:
    """Parse one comparison "lhs OP rhs" (OP: <= >= < > ==) into an unevaluated SymPy relation.

    Both sides follow the rules of ``parse_expression``; chained comparisons are rejected.
    """
    parser = _Parser(text, symbols, functions)
    body = parser.tree.body
    if not isinstance(body, ast.Compare):
        raise UsageError(f"expected a comparison 'lhs <= rhs' (or >=, <, >, ==) in {_show(text)}")
    if len(body.ops) != 1:
        raise parser.unsafe(body.comparators[0], "chained comparison")
    relation = _RELATIONS.get(type(body.ops[0]))
    if relation is None:
        raise parser.unsafe(body, f"comparison operator '{_compare_symbol(body.ops[0])}'")
    lhs = parser.budgeted(parser.build(body.left, 1))
    rhs = parser.budgeted(parser.build(body.comparators[0], 1))
    return relation(lhs, rhs, evaluate=False)


def _compare_symbol(op: ast.cmpop) -> str:
    symbols = {ast.LtE: "<=", ast.GtE: ">=", ast.Lt: "<", ast.Gt: ">", ast.Eq: "==",
               ast.NotEq: "!=", ast.Is: "is", ast.IsNot: "is not", ast.In: "in",
               ast.NotIn: "not in"}
    return symbols.get(type(op), type(op).__name__)


class _Parser:
    """One parse: the checked text, its syntax tree, and the whitelist it is built against."""

    def __init__(self, text: object, symbols: object, functions: object) -> None:
        self.text = self._check_text(text)
        self.names = self._check_symbols(symbols)
        self.functions = self._check_functions(functions)
        rewritten, self.origin = self._rewrite_power(self.text)
        self._check_brackets(self.text)
        self.tree = self._parse(rewritten)
        self.rewritten = rewritten
        self.deadline = time.monotonic() + MAX_BUILD_SECONDS
        self.nodes = 0

    # -- input checks -------------------------------------------------------------------

    @staticmethod
    def _check_text(text: object) -> str:
        if isinstance(text, bool) or not isinstance(text, (str, int)):
            hint = " (floats are not exact: write the number as a string)" \
                if isinstance(text, float) else ""
            raise UsageError(f"an expression must be a string, got {type(text).__name__} "
                             f"{str(text)[:40]!r}{hint}")
        text = str(text)
        if len(text) > MAX_LENGTH:
            raise UnsafeExpressionError(
                f"expression too long: {len(text)} characters (limit {MAX_LENGTH})")
        if not text.strip():
            raise UsageError("empty expression")
        for i, ch in enumerate(text):
            if ch in _FORBIDDEN_CHARS:
                raise UnsafeExpressionError(
                    f"{_FORBIDDEN_CHARS[ch]} at position {i + 1} in {_show(text)}")
            if not (" " <= ch <= "~" or ch in "\t\n\r"):
                what = "non-ASCII digit" if ch.isdigit() or ch.isnumeric() else "character"
                label = f" (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')})" if not ch.isascii() else ""
                raise UnsafeExpressionError(
                    f"{what} {ch!r}{label} at position {i + 1} in {_show(text)}: "
                    "only printable ASCII is accepted")
        # Newlines (multi-line TOML strings) and tabs are plain spaces; positions are unchanged.
        return text.translate({ord("\t"): " ", ord("\n"): " ", ord("\r"): " "})

    @staticmethod
    def _check_symbols(symbols: object) -> dict[str, sp.Basic]:
        if isinstance(symbols, str):
            raise TypeError("symbols must be a mapping or an iterable of names, not one string")
        if isinstance(symbols, Mapping):
            names = dict(symbols)
        else:
            names = {name: sp.Symbol(name) for name in symbols}
        for name, value in names.items():
            if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name) \
                    or name.startswith("__") or not name.isascii():
                raise UsageError(f"invalid symbol name {name!r}")
            if not isinstance(value, sp.Basic):
                raise TypeError(f"symbol {name!r} must map to a SymPy object, got {value!r}")
        return {**CONSTANTS, **names}

    @staticmethod
    def _check_functions(functions: object) -> dict[str, Callable[..., sp.Expr]]:
        if not isinstance(functions, Mapping):
            raise TypeError("functions must be a mapping of names to SymPy callables")
        for name, func in functions.items():
            if not isinstance(name, str) or not name.isidentifier() or name.startswith("__"):
                raise UsageError(f"invalid function name {name!r}")
            if not callable(func):
                raise TypeError(f"function {name!r} is not callable")
        return dict(functions)

    @staticmethod
    def _rewrite_power(text: str) -> tuple[str, list[int]]:
        """Replace each '^' by '**' (existing '**' are untouched); map new positions to old ones."""
        out: list[str] = []
        origin: list[int] = []
        for i, ch in enumerate(text):
            if ch == "^":
                out.append("**")
                origin += [i, i]
            else:
                out.append(ch)
                origin.append(i)
        origin.append(len(text))
        return "".join(out), origin

    @staticmethod
    def _check_brackets(text: str) -> None:
        depth = 0
        for i, ch in enumerate(text):
            if ch in "([{":
                depth += 1
                if depth > MAX_BRACKET_DEPTH:
                    raise UnsafeExpressionError(
                        f"brackets nested deeper than {MAX_BRACKET_DEPTH} at position {i + 1} "
                        f"in {_show(text)}")
            elif ch in ")]}":
                depth -= 1

    def _parse(self, rewritten: str) -> ast.Expression:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return ast.parse(rewritten, filename="<expression>", mode="eval")
        except SyntaxError as exc:
            col = (exc.offset or 1) - 1 if exc.lineno in (None, 1) else len(rewritten)
            pos = self.position(min(max(col, 0), len(rewritten)))
            raise UsageError(f"invalid expression {_show(self.text)}: {exc.msg} "
                             f"at position {pos}") from None
        except (ValueError, MemoryError, RecursionError, OverflowError) as exc:
            raise UnsafeExpressionError(f"expression {_show(self.text)} cannot be parsed "
                                        f"safely ({type(exc).__name__})") from None

    # -- messages -----------------------------------------------------------------------

    def position(self, col: int) -> int:
        """1-based position in the user's text of column ``col`` of the rewritten text."""
        return self.origin[min(col, len(self.origin) - 1)] + 1

    def locate(self, node: ast.AST) -> int:
        """1-based position of ``node``: its operator for operations, its dot for attributes."""
        start = getattr(node, "col_offset", 0)
        if isinstance(node, ast.BinOp):
            gap = (node.left.end_col_offset, node.right.col_offset)
        elif isinstance(node, ast.Compare):
            gap = (node.left.end_col_offset, node.comparators[0].col_offset)
        elif isinstance(node, ast.Attribute):
            gap = (node.value.end_col_offset, node.end_col_offset)
        else:
            return self.position(start)
        segment = self.rewritten[gap[0]:gap[1]]
        offset = len(segment) - len(segment.lstrip(" ()"))
        return self.position(gap[0] + offset)

    def unsafe(self, node: ast.AST, what: str) -> UnsafeExpressionError:
        return UnsafeExpressionError(
            f"{what} at position {self.locate(node)} is not allowed in {_show(self.text)}")

    def usage(self, node: ast.AST, what: str) -> UsageError:
        return UsageError(f"{what} at position {self.locate(node)} in {_show(self.text)}")

    # -- building -----------------------------------------------------------------------

    def build(self, node: ast.AST, depth: int) -> sp.Expr:
        """The SymPy object for ``node``; ``depth`` counts nesting levels for the depth cap."""
        if depth > MAX_DEPTH:
            raise self.unsafe(node, f"nesting deeper than {MAX_DEPTH} levels")
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.unsafe(node, f"formula with more than {MAX_NODES} terms, operations and calls")
        if time.monotonic() > self.deadline:
            raise UnsafeExpressionError(
                f"expression too costly: building it took over {MAX_BUILD_SECONDS} s "
                f"(stopped at position {self.locate(node)}) in {_show(self.text)}")
        if isinstance(node, ast.Constant):
            return self._literal(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                operand = self.build(node.operand, depth + 1)
                return self._checked(node, lambda: -operand)
            if isinstance(node.op, ast.UAdd):
                return self.build(node.operand, depth + 1)
            op = {ast.Not: "'not'", ast.Invert: "'~'"}.get(type(node.op), "unary operator")
            raise self.unsafe(node, f"operator {op}")
        if isinstance(node, ast.BinOp):
            return self._binary(node, depth)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        raise self.unsafe(node, self.describe(node))

    def describe(self, node: ast.AST) -> str:
        """A short name for a construct outside the whitelist, e.g. "attribute access '.read'"."""
        what = _CONSTRUCTS.get(type(node), type(node).__name__)
        if isinstance(node, ast.Attribute):
            what += f" '.{node.attr[:40]}'"
        return what

    def _literal(self, node: ast.Constant) -> sp.Rational:
        value = node.value
        if isinstance(value, bool) or value is None or value is Ellipsis:
            raise self.unsafe(node, f"constant {value!r}")
        if isinstance(value, str):
            raise self.unsafe(node, "string literal")
        if isinstance(value, bytes):
            raise self.unsafe(node, "bytes literal")
        if isinstance(value, complex):
            raise self.unsafe(node, "imaginary number")
        if not isinstance(value, (int, float)):
            raise self.unsafe(node, f"literal of type {type(value).__name__}")
        source = self.rewritten[node.col_offset:node.end_col_offset].replace("_", "")
        digits = sum(ch.isalnum() for ch in source)
        if digits > MAX_LITERAL_DIGITS:
            raise self.unsafe(node, f"number literal with {digits} digits "
                                    f"(limit {MAX_LITERAL_DIGITS})")
        if _PREFIXED.fullmatch(source):
            return sp.Integer(int(source, 0))
        match = _DECIMAL.fullmatch(source)
        if not match or not (match.group(1) or match.group(2)):
            raise self.usage(node, f"unreadable number {source!r}")
        whole, frac, exp = match.group(1), match.group(2) or "", match.group(3)
        exponent = int(exp) if exp else 0
        if abs(exponent) > MAX_DECIMAL_EXPONENT:
            raise self.unsafe(node, f"decimal exponent {exponent} "
                                    f"(limit |e| <= {MAX_DECIMAL_EXPONENT})")
        exponent -= len(frac)
        mantissa = sp.Integer(int(whole + frac or "0"))
        return self._sized(node, mantissa * sp.Integer(10) ** exponent)

    def _name(self, node: ast.Name) -> sp.Basic:
        name = node.id
        if name.startswith("__"):
            raise self.unsafe(node, f"dunder name {name!r}")
        if name in self.names:
            return self.names[name]
        if name in self.functions:
            raise self.usage(node, f"function {name!r} used without arguments")
        allowed = ", ".join(sorted(self.names)) or "(none)"
        raise UnsafeExpressionError(
            f"unknown name {name!r} at position {self.position(node.col_offset)} in "
            f"{_show(self.text)}; allowed names: {allowed}")

    def _binary(self, node: ast.BinOp, depth: int) -> sp.Expr:
        if not isinstance(node.op, _ALLOWED_BINARY):
            raise self.unsafe(node, f"operator '{_BINARY.get(type(node.op), '?')}'")
        if isinstance(node.op, ast.Pow):
            base = self.build(node.left, depth + 1)
            exponent = self.build(node.right, depth + 1)
            self._check_power(node, base, exponent)
            return self._checked(node, lambda: base ** exponent)
        # Left-leaning chains a+b-c+... and a*b/c*... are one nesting level, built iteratively.
        chain_class = _CHAIN_CLASS[type(node.op)]
        steps: list[ast.BinOp] = []
        leftmost: ast.AST = node
        while isinstance(leftmost, ast.BinOp) \
                and _CHAIN_CLASS.get(type(leftmost.op)) == chain_class:
            steps.append(leftmost)
            leftmost = leftmost.left
        value = self.build(leftmost, depth + 1)
        for step in reversed(steps):
            right = self.build(step.right, depth + 1)
            value = self._checked(step, lambda op=step.op, a=value, b=right: _apply(op, a, b))
        return value

    def _call(self, node: ast.Call, depth: int) -> sp.Expr:
        func = node.func
        if not isinstance(func, ast.Name):
            raise self.unsafe(func, f"call of {self.describe(func)}")
        name = func.id
        if name.startswith("__"):
            raise self.unsafe(func, f"dunder name {name!r}")
        if name not in self.functions:
            allowed = ", ".join(sorted(self.functions)) or "(none)"
            what = f"{name!r} is a symbol, not a function" if name in self.names \
                else f"unknown function {name!r}"
            raise UnsafeExpressionError(
                f"{what} at position {self.position(func.col_offset)} in {_show(self.text)}; "
                f"allowed functions: {allowed}")
        if node.keywords:
            raise self.unsafe(node.keywords[0].value, f"keyword argument in call of {name!r}")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.unsafe(arg, f"starred argument in call of {name!r}")
        target = self.functions[name]
        low, high = _ARITY.get(target, (0, None))
        count = len(node.args)
        if count < low or (high is not None and count > high):
            expected = str(low) if low == high else f"{low} or more" if high is None \
                else f"{low} to {high}"
            raise self.usage(node, f"{name}() takes {expected} argument(s), got {count}")
        args = [self.build(arg, depth + 1) for arg in node.args]
        return self._checked(node, lambda: target(*args), what=f"{name}()")

    # -- number-size guards ---------------------------------------------------------------

    def _check_power(self, node: ast.BinOp, base: sp.Basic, exponent: sp.Basic) -> None:
        """Refuse powers SymPy would evaluate into huge exact numbers (e.g. 9**9**9)."""
        problem = power_problem(base, exponent)
        if problem:
            raise self.unsafe(node, problem)

    def budgeted(self, value: sp.Basic) -> sp.Basic:
        """``value`` if it fits the size budgets (``verify.expression_budgets``)."""
        return check_budgets(value, self.text)

    def _sized(self, node: ast.AST, value: sp.Basic) -> sp.Basic:
        """``value`` if every exact number in it fits in MAX_BITS bits."""
        for atom in value.atoms(sp.Rational):
            if bits(atom) > MAX_BITS:
                raise self.unsafe(node, f"number larger than {MAX_BITS} bits")
        return value

    def _checked(self, node: ast.AST, make: Callable[[], sp.Basic], what: str = "operation") \
            -> sp.Basic:
        """Run one SymPy construction; reject undefined results and oversized numbers."""
        try:
            value = make()
        except VerifyError:
            raise
        except (TypeError, ValueError, ArithmeticError, AttributeError) as exc:
            message = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
            raise self.usage(node, f"invalid {what}: {message}") from None
        if not isinstance(value, sp.Basic):
            raise self.usage(node, f"{what} did not return a SymPy object")
        if value.has(*_INVALID):
            raise self.usage(node, "undefined value (division by zero, log(0) or infinity)")
        return self._sized(node, value)


def _apply(op: ast.operator, a: sp.Basic, b: sp.Basic) -> sp.Basic:
    if isinstance(op, ast.Add):
        return a + b
    if isinstance(op, ast.Sub):
        return a - b
    if isinstance(op, ast.Mult):
        return a * b
    return a / b
