"""The report as a JSON-able document (schema ``dmf-verify/report``, version 1).

Layout: {schema, schema_version, provenance, summary, claims: [ClaimResult.to_json()]}; each claim
entry holds id, paper, statement, source, resolutions, verdict, tiers, seconds and ``evidence``
(one entry per check: check, tier, verdict, summary, digits, instances, worst_margin, tolerance,
counterexample, details, figures, seconds[, error]). Documented in docs/report-schema.md.
"""
from __future__ import annotations

import json
import math
from typing import Any

SCHEMA = "dmf-verify/report"
SCHEMA_VERSION = 1


def _clean(x: Any) -> Any:
    """JSON-safe: infinities become strings, tuples lists, unknown objects their str()."""
    if isinstance(x, float):
        return x if math.isfinite(x) else ("inf" if x > 0 else "-inf" if x < 0 else "nan")
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if x is None or isinstance(x, (str, int, bool)):
        return x
    if hasattr(x, "item"):
        return _clean(x.item())
    return str(x)


def reproducer(claim_id: str, provenance: dict) -> str:
    """The command line that reruns one claim with the same seed, profile and precision."""
    import shlex

    head = f"verify check {shlex.quote(provenance['claim_file'])}" if provenance.get("claim_file") else "verify run"
    return (f"{head} --only {claim_id} --seed {provenance['seed']} --profile {provenance['profile']} "
            f"--digits {provenance['dps']}")


def build_document(run_result, provenance: dict) -> dict:
    claims = []
    for r in run_result.results:
        entry = _clean(r.to_json())
        entry["reproduce"] = reproducer(r.claim.id, provenance)
        claims.append(entry)
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "provenance": provenance,
        "summary": run_result.counts(),
        "claims": claims,
    }


def to_json_text(document: dict) -> str:
    return json.dumps(_clean(document), indent=2, ensure_ascii=False) + "\n"
