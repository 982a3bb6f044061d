"""The machinery of the pytest plugin: claims as test items, the marker and the fixture.

Claims from claim files (``--verify-claims FILE``) and from the built-in catalogue
(``--verify-catalogue``) become test items: verified passes, refuted fails with the evidence and a
reproducer command, inconclusive skips with the reason (fails under ``--verify-strict``). A marker
``verify_claim(*ids)`` runs catalogue claims before a test body and a fixture ``verify_claim`` checks
claims built in code. ``verify.pytest_plugin`` (the entry point) imports this module only when a
session uses one of them, so an installed plugin costs other test suites nothing.
"""
from __future__ import annotations

import json
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import pytest

from .claims import PROFILES, Claim, ClaimResult, RunContext, Verdict, get_profile
from .errors import VerifyError
from .numbers import DEFAULT_DIGITS, check_digits
from .runner import run_one, selector, split_only

from .pytest_plugin import MARKER
CATALOGUE_NODE = "verify-catalogue"


@dataclass(frozen=True)
class Settings:
    """The plugin's command-line options, validated."""

    claim_files: tuple[str, ...]
    catalogue: bool
    only: tuple[str, ...]
    profile: str
    seed: int
    digits: int
    strict: bool


class _State:
    """Per-session state: settings, the loaded catalogue and the results already computed."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._catalogue: dict[str, Claim] | None = None
        self.results: dict[tuple[str, str, str, int, int], ClaimResult] = {}

    def catalogue(self) -> dict[str, Claim]:
        """The catalogue claims by id, loaded once per session."""
        if self._catalogue is None:
            import proofs

            self._catalogue = {c.id: c for c in proofs.catalogue()}
        return self._catalogue

    def run(self, source: str, claim: Claim, profile: str, seed: int, digits: int) -> ClaimResult:
        """Run ``claim`` (from ``source``) once per (profile, seed, digits) in this session."""
        key = (source, claim.id, profile, seed, digits)
        if key not in self.results:
            ctx = RunContext(seed=seed, profile=get_profile(profile), dps=digits)
            self.results[key] = run_one(claim, ctx)
        return self.results[key]


_STATE = pytest.StashKey[_State]()


def _state(config: pytest.Config) -> _State:
    if _STATE not in config.stash:  # first use by a marker or the fixture: the options are the defaults
        configure(config)
    return config.stash[_STATE]


# ---------------------------------------------------------------- options and configuration

def _settings(config: pytest.Config) -> Settings:
    """Read and validate the options; bad values are a usage error, not a traceback."""
    seed = config.getoption("verify_seed")
    if seed < 0:
        raise pytest.UsageError(f"--verify-seed must be a non-negative integer, got {seed}")
    digits = config.getoption("verify_digits")
    try:
        check_digits(digits)
    except VerifyError as exc:
        raise pytest.UsageError(f"--verify-digits: {exc}") from None
    files: list[str] = []
    for name in config.getoption("verify_claims"):
        if not Path(config.invocation_params.dir, name).is_file():
            raise pytest.UsageError(f"--verify-claims: no such file: {name}")
        if name not in files:
            files.append(name)
    try:
        only = tuple(split_only(config.getoption("verify_only"), "--verify-only"))
    except VerifyError as exc:
        raise pytest.UsageError(str(exc)) from None
    catalogue = bool(config.getoption("verify_catalogue"))
    if only and not (files or catalogue):
        raise pytest.UsageError("--verify-only needs --verify-catalogue or --verify-claims")
    return Settings(tuple(files), catalogue, only, config.getoption("verify_profile"), seed, digits,
                    bool(config.getoption("verify_strict")))


def configure(config: pytest.Config) -> None:
    """Validate the options and set up the session's state (called from ``pytest_configure``)."""
    config.stash[_STATE] = _State(_settings(config))


# ---------------------------------------------------------------- collection

class ClaimCollector(pytest.Collector):
    """The claims of one source (a claim file or the catalogue), already loaded."""

    def __init__(self, *, claims: Sequence[Claim], source: str, reproduce: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.claims = list(claims)
        self.source = source
        self.reproduce = reproduce  # the reproducer command before its --only argument
        self._lines = _claim_lines(self.path, [c.id for c in self.claims])

    def collect(self) -> list["ClaimItem"]:
        return [ClaimItem.from_parent(self, name=c.id, claim=c) for c in self.claims]


class ClaimItem(pytest.Item):
    """One claim as a test: verified passes, refuted fails, inconclusive skips (fails if strict)."""

    def __init__(self, *, claim: Claim, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.claim = claim

    def runtest(self) -> None:
        parent: ClaimCollector = self.parent  # type: ignore[assignment]
        s = _state(self.config).settings
        result = _state(self.config).run(parent.source, self.claim, s.profile, s.seed, s.digits)
        self.user_properties.append(("verdict", str(result.verdict)))
        reproduce = _reproducer(parent.reproduce, self.claim.id, s.profile, s.seed, s.digits)
        _raise_for(result, s.strict, reproduce, self)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, ClaimFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int, str]:
        parent: ClaimCollector = self.parent  # type: ignore[assignment]
        return self.path, parent._lines.get(self.claim.id, 0), f"claim {self.claim.id}"


class ClaimFailed(Exception):
    """A claim item failed: the message is the full report."""


def _claim_lines(path: Path, ids: Sequence[str]) -> dict[str, int]:
    """0-based line of the first quoted occurrence of each id under ``path`` (a file or a package)."""
    files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
    found: dict[str, int] = {}
    for f in files:
        try:
            lines = f.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for cid in ids:
            if cid in found:
                continue
            pattern = re.compile(r"""["']""" + re.escape(cid) + r"""["']""")
            for n, line in enumerate(lines):
                if pattern.search(line):
                    found[cid] = n
                    break
    return found


def _nodeid(config: pytest.Config, path: Path) -> str:
    try:
        rel = path.relative_to(config.rootpath)
    except ValueError:
        rel = Path(os.path.relpath(path, config.rootpath))
    return rel.as_posix()


def _load_file(config: pytest.Config, name: str) -> list[Claim]:
    """The claims of a claim file; a bad file is a usage error naming it."""
    try:
        from .claimfile import load_claim_file
    except ImportError as exc:
        raise pytest.UsageError(f"--verify-claims: cannot load claim files ({exc})") from None
    try:
        claims = load_claim_file(Path(config.invocation_params.dir, name))
    except VerifyError as exc:
        raise pytest.UsageError(f"--verify-claims {name}: {exc}") from None
    except Exception as exc:  # the user's module failed to import or build its claims
        raise pytest.UsageError(f"--verify-claims {name}: {type(exc).__name__}: {exc}") from None
    _check_unique(claims, f"--verify-claims {name}")
    return claims


def _check_unique(claims: Sequence[Claim], where: str) -> None:
    seen: set[str] = set()
    for c in claims:
        if c.id in seen:
            raise pytest.UsageError(f"{where}: duplicate claim id {c.id!r}")
        seen.add(c.id)


def _select(sources: Sequence[list[Claim]], only: Sequence[str]) -> list[list[Claim]]:
    """The claims named by ``only`` across all sources, with the rules of ``verify --only``: an exact
    id, else the claims under ``entry + '.'``, or a glob pattern (``kp.threshold*``)."""
    if not only:
        return [list(s) for s in sources]
    try:
        keep = selector([c.id for s in sources for c in s], only)
    except VerifyError as exc:
        raise pytest.UsageError(f"--verify-only: {exc}") from None
    return [[c for c in s if keep(c.id)] for s in sources]


def _collectors(session: pytest.Session, state: _State) -> list[ClaimCollector]:
    s = state.settings
    config = session.config
    entries: list[tuple[str, Path, str, str]] = []  # (source key, path, node id, reproducer command)
    sources: list[list[Claim]] = []
    for name in s.claim_files:
        path = Path(config.invocation_params.dir, name).resolve()
        sources.append(_load_file(config, name))
        entries.append((str(path), path, _nodeid(config, path), f"verify check {shlex.quote(name)}"))
    if s.catalogue:
        import proofs

        sources.append(list(state.catalogue().values()))
        path = Path(proofs.__file__).parent
        entries.append(("catalogue", path, CATALOGUE_NODE, "verify run"))
    out = []
    for (key, path, nodeid, reproduce), claims in zip(entries, _select(sources, s.only)):
        out.append(ClaimCollector.from_parent(session, name=nodeid, nodeid=nodeid, path=path, claims=claims,
                                              source=key, reproduce=reproduce))
    return out


def modify_items(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Validate ``verify_claim`` markers, then append the claim items (before -k/-m deselection)."""
    state = _state(config)
    for item in items:
        for mark in item.iter_markers(MARKER):
            _marker_request(mark, state, item.nodeid)
    for collector in _collectors(session, state):
        items.extend(session.genitems(collector))  # collect reports keep counts and hooks right


# ---------------------------------------------------------------- evidence and outcomes

def _reproducer(command: str, claim_id: str, profile: str, seed: int, digits: int) -> str:
    """The ``verify`` command line that reruns one claim with the same seed, profile and digits."""
    extra = f" --digits {digits}" if digits != DEFAULT_DIGITS else ""
    return f"{command} --only {shlex.quote(claim_id)} --seed {seed} --profile {profile}{extra}"


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def format_result(result: ClaimResult, reproduce: str | None = None) -> str:
    """A readable report of a claim result: the claim, each check's evidence, counterexamples, a reproducer."""
    claim = result.claim
    lines = [f"claim {claim.id}: {str(result.verdict).upper()}",
             f"statement: {claim.statement}"]
    if claim.source:
        lines.append(f"source: {claim.source}")
    lines.append("checks:")
    for c in result.checks:
        lines.append(f"  [{c.tier}] {c.name}: {c.verdict} - {c.summary}")
        for label, value in (("digits", None if c.digits is None else f"{c.digits:.1f}"),
                             ("instances", c.instances), ("worst margin", c.worst_margin),
                             ("tolerance", c.tolerance)):
            if value is not None:
                lines.append(f"      {label}: {value}")
        if c.error:
            lines.append("      error (last lines):")
            lines.append(_indent("\n".join(c.error.strip().splitlines()[-3:]), "        "))
    for c in result.checks:
        if c.counterexample:
            lines.append(f"counterexample ({c.name}):")
            lines.append(_indent(json.dumps(c.counterexample, indent=2, ensure_ascii=False, default=str), "  "))
    if result.minimal_counterexample:
        lines.append("minimal counterexample (shrunk):")
        lines.append(_indent(json.dumps(result.minimal_counterexample, indent=2, ensure_ascii=False, default=str), "  "))
    if reproduce:
        lines.append(f"reproduce: {reproduce}")
    return "\n".join(lines)


def _inconclusive_reason(result: ClaimResult) -> str:
    parts = [f"{c.name} [{c.tier}]: {c.summary}" for c in result.checks if c.verdict is not Verdict.VERIFIED]
    return f"claim {result.claim.id} inconclusive: " + ("; ".join(parts) or "no checks")


def _skip(reason: str, item: pytest.Item | None) -> None:
    """Skip, reported at the item's location rather than inside this plugin."""
    exc = pytest.skip.Exception(reason)
    if item is not None:
        exc._use_item_location = True
    raise exc


def _raise_for(result: ClaimResult, strict: bool, reproduce: str | None, item: pytest.Item | None,
               error: Callable[[str], BaseException] = ClaimFailed) -> None:
    """Refuted or crashed raises ``error`` with the report; inconclusive skips (raises ``error`` if
    ``strict``)."""
    __tracebackhide__ = True
    if result.verdict is Verdict.REFUTED:
        raise error(format_result(result, reproduce))
    if result.crashed:  # an internal error of the tool is never skipped as "inconclusive"
        raise error(format_result(result, reproduce)
                    + "\n(a check crashed: an internal error of dmf-verify, not a verdict; please report)")
    if result.verdict is Verdict.INCONCLUSIVE:
        if strict:
            raise error(format_result(result, reproduce) + "\n(inconclusive fails under --verify-strict)")
        _skip(_inconclusive_reason(result), item)


# ---------------------------------------------------------------- marker and fixture

@dataclass(frozen=True)
class _Request:
    ids: tuple[str, ...]
    profile: str
    seed: int
    digits: int


def _marker_request(mark: pytest.Mark, state: _State, where: str) -> _Request:
    """Validate a ``verify_claim`` mark: known catalogue ids, a known profile, a valid seed and digits."""
    s = state.settings
    bad = set(mark.kwargs) - {"profile", "seed", "digits"}
    if bad:
        raise pytest.UsageError(f"{where}: {MARKER} takes profile=, seed=, digits=; got {', '.join(sorted(bad))}")
    if not mark.args or not all(isinstance(a, str) for a in mark.args):
        raise pytest.UsageError(f"{where}: {MARKER} needs one or more claim ids (strings)")
    unknown = [a for a in mark.args if a not in state.catalogue()]
    if unknown:
        raise pytest.UsageError(f"{where}: {MARKER}: unknown claim id(s): {', '.join(unknown)}; see 'verify list'")
    profile = mark.kwargs.get("profile", s.profile)
    seed = mark.kwargs.get("seed", s.seed)
    digits = mark.kwargs.get("digits", s.digits)
    try:
        get_profile(profile)
        RunContext(seed=seed, dps=digits)
    except VerifyError as exc:
        raise pytest.UsageError(f"{where}: {MARKER}: {exc}") from None
    return _Request(tuple(mark.args), profile, seed, digits)


def run_markers(item: pytest.Item) -> None:
    """Run the claims of every ``verify_claim`` mark before the test body."""
    state = _state(item.config)
    for mark in item.iter_markers(MARKER):
        req = _marker_request(mark, state, item.nodeid)
        for cid in req.ids:
            result = state.run("catalogue", state.catalogue()[cid], req.profile, req.seed, req.digits)
            reproduce = _reproducer("verify run", cid, req.profile, req.seed, req.digits)
            try:
                _raise_for(result, state.settings.strict, reproduce, item)
            except ClaimFailed as exc:
                report = str(exc)
            else:
                continue
            pytest.fail(f"{MARKER}({cid!r}) failed before the test body ran:\n{report}", pytrace=False)


Checker = Callable[..., ClaimResult]


def checker(request: pytest.FixtureRequest) -> Checker:
    """``check(claim_or_id, profile=None, seed=None, digits=None, allow_inconclusive=False) -> ClaimResult``.

    Runs a ``Claim`` (or a catalogue claim, by id). Refuted raises AssertionError with the evidence;
    inconclusive skips the test (raises under --verify-strict) unless ``allow_inconclusive``.
    None means the command-line value (--verify-profile, --verify-seed, --verify-digits).
    """
    state = _state(request.config)
    s = state.settings

    def check(claim_or_id: Claim | str, profile: str | None = None, seed: int | None = None,
              digits: int | None = None, allow_inconclusive: bool = False) -> ClaimResult:
        __tracebackhide__ = True
        profile = s.profile if profile is None else profile
        seed = s.seed if seed is None else seed
        digits = s.digits if digits is None else digits
        if isinstance(claim_or_id, Claim):
            ctx = RunContext(seed=seed, profile=get_profile(profile), dps=digits)
            result, reproduce = run_one(claim_or_id, ctx), None
        elif isinstance(claim_or_id, str):
            claim = state.catalogue().get(claim_or_id)
            if claim is None:
                raise ValueError(f"unknown catalogue claim id {claim_or_id!r}; see 'verify list'")
            result = state.run("catalogue", claim, profile, seed, digits)
            reproduce = _reproducer("verify run", claim.id, profile, seed, digits)
        else:
            raise TypeError(f"verify_claim expects a Claim or a claim id, got {type(claim_or_id).__name__}")
        if result.verdict is Verdict.INCONCLUSIVE and allow_inconclusive and not result.crashed:
            return result
        _raise_for(result, s.strict, reproduce, request.node, error=AssertionError)
        return result

    return check

