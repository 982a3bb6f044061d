"""Exceptions with messages meant for the user, not for a traceback."""
from __future__ import annotations


class VerifyError(Exception):
    """Base class of every error the suite raises on purpose."""


class UsageError(VerifyError, ValueError):
    """Bad input from the user (command line, claim file, API call): exit code 2."""


class UnsafeExpressionError(UsageError):
    """A user-supplied expression uses something outside the whitelist."""


class ClaimUndecided(Exception):
    """The claimed closed form could not be evaluated within the work budget at an instance: neither
    agreement nor disagreement is known there (the check is inconclusive, never refuted or verified)."""
