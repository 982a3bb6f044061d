"""pytest plugin (the ``pytest11`` entry point): run verification claims as tests.

pytest loads this module in every test run of an environment where dmf-verify is installed, so it
imports only pytest and the standard library. The machinery (``verify._pytest_claims``, which
imports SymPy and the engine) is imported the first time a session uses the plugin: a
``--verify-*`` option, a ``verify_claim`` marker or the ``verify_claim`` fixture (docs/pytest-plugin.md).
"""
from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from .defaults import DEFAULT_DIGITS, PROFILE_NAMES

MARKER = "verify_claim"

#: option destination -> its default; a session that changes none of them and uses no marker or
#: fixture never imports the machinery
_DEFAULTS: dict[str, Any] = {
    "verify_claims": [], "verify_catalogue": False, "verify_only": [], "verify_profile": "quick",
    "verify_seed": 0, "verify_digits": DEFAULT_DIGITS, "verify_strict": False,
}


def _impl() -> ModuleType:
    from . import _pytest_claims

    return _pytest_claims


def _used(config: pytest.Config) -> bool:
    """True when any --verify-* option differs from its default."""
    return any(config.getoption(name) != default for name, default in _DEFAULTS.items())


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dmf-verify", "verification claims (dmf-verify)")
    group.addoption("--verify-claims", action="append", default=[], metavar="FILE",
                    help="collect the claims of a claim file as tests (repeatable)")
    group.addoption("--verify-catalogue", action="store_true", default=False,
                    help="collect the built-in claim catalogue as tests")
    group.addoption("--verify-only", action="append", default=[], metavar="ID[,ID...]",
                    help="keep only claims with these ids or id prefixes (repeatable, comma-separated)")
    group.addoption("--verify-profile", choices=PROFILE_NAMES, default="quick",
                    help="how hard to look: quick (default), standard or thorough")
    group.addoption("--verify-seed", type=int, default=0, metavar="N",
                    help="seed of every random draw (default 0)")
    group.addoption("--verify-digits", type=int, default=DEFAULT_DIGITS, metavar="N",
                    help=f"working digits of the high-precision checks (default {DEFAULT_DIGITS})")
    group.addoption("--verify-strict", action="store_true", default=False,
                    help="an inconclusive claim fails instead of being skipped")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(*ids, profile=None, seed=None, digits=None): run these dmf-verify catalogue claims "
        "before the test; a refuted claim fails the test, an inconclusive one skips it",
    )
    if _used(config):  # validate the options now: a bad value is a usage error before collection
        _impl().configure(config)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    """Validate ``verify_claim`` markers, then append the claim items (before -k/-m deselection)."""
    if _used(config) or any(item.get_closest_marker(MARKER) is not None for item in items):
        _impl().modify_items(session, config, items)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: pytest.Item) -> None:
    """Run the claims of every ``verify_claim`` mark before the test body."""
    if item.get_closest_marker(MARKER) is not None:
        _impl().run_markers(item)


@pytest.fixture
def verify_claim(request: pytest.FixtureRequest) -> Any:
    """``check(claim_or_id, profile=None, seed=None, digits=None, allow_inconclusive=False) -> ClaimResult``.

    Runs a ``Claim`` (or a catalogue claim, by id). Refuted raises AssertionError with the evidence;
    inconclusive skips the test (raises under --verify-strict) unless ``allow_inconclusive``.
    None means the command-line value (--verify-profile, --verify-seed, --verify-digits).
    """
    return _impl().checker(request)
