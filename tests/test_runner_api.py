"""The runner and the API run exactly the caller's claims, whatever ``jobs`` is (issue 9, item 3).

Before: with jobs > 1 the workers rebuilt claims from the catalogue by id, so a wrong claim built with a
catalogue factory kept the paper's id and came back *verified* (the catalogue's true claim ran instead),
and a claim with a new id crashed the run with a bare StopIteration.
"""
from __future__ import annotations

import json
import os
import pickle

import pytest
import sympy as sp
from test_executors import _numbers

import verify.api as api
from verify import runner
from verify.api import Check, CheckResult, Claim, RunContext, Tier, Verdict, get_profile, run_claims
from verify.errors import UsageError

QUICK = RunContext(seed=0, profile=get_profile("quick"))


def _claim(cid: str, verdict: Verdict, **details) -> Claim:
    """A trivial claim whose one check returns ``verdict`` with a seeded number and the worker's pid."""
    def run(ctx: RunContext) -> CheckResult:
        return CheckResult(verdict, "fixed verdict", instances=1,
                           details={"draw": float(ctx.rng(cid).random()), "pid": os.getpid(), **details})
    return Claim(cid, "a fixed verdict", "test", (Check("fixed", Tier.NUMERIC, run),))


_evidence = _numbers  # verdicts and numbers of a run, without timings and pids


def _wrong_matrix_claims() -> list[Claim]:
    """Two wrong claims built with the catalogue's matrix factories: K5 with exponent 1/L (the paper's is
    2/L) and K6 with the data term of the trace 1 % too large. Both are false for every L ≥ 1."""
    return [api.matrix_layer_norm_claim(id="me.k5.wrong", statement="||W_l||_F² = Σ s_i^(1/L)", source="test",
                                        exponent=lambda L: sp.Rational(1, L)),
            api.matrix_trace_claim(id="me.k6.wrong", statement="trace with 1.01·a·Σ…", source="test",
                                   constant=sp.Rational(101, 100))]


def test_wrong_matrix_claims_are_refuted_whatever_jobs():
    claims = _wrong_matrix_claims()
    one = run_claims(claims, profile="quick", jobs=1)
    two = run_claims(claims, profile="quick", jobs=2)
    assert two.jobs == 2
    assert [str(r.verdict) for r in one.results] == ["refuted", "refuted"]
    assert _evidence(one) == _evidence(two)
    assert [r.claim for r in two.results] == claims  # the caller's objects, not rebuilt ones
    assert all(r.claim is c for r, c in zip(two.results, claims))


def test_new_ids_and_closures_run_in_workers():
    """Brand-new ids (not in any catalogue) with closures: no StopIteration, same results as jobs=1,
    run in worker processes."""
    claims = [_claim(f"brand.new.{i}", Verdict.VERIFIED if i % 2 else Verdict.REFUTED) for i in range(4)]
    one = runner.run(claims, QUICK, jobs=1)
    two = runner.run(claims, QUICK, jobs=3)
    assert _evidence(one) == _evidence(two)
    assert [str(r.verdict) for r in two.results] == ["refuted", "verified", "refuted", "verified"]
    worker_pids = {r.checks[0].details["pid"] for r in two.results}
    assert os.getpid() not in worker_pids and 1 <= len(worker_pids) <= 3


def test_jobs_capped_at_the_claims_and_at_the_maximum():
    claims = [_claim("a", Verdict.VERIFIED), _claim("b", Verdict.VERIFIED)]
    r = runner.run(claims, QUICK, jobs=runner.MAX_JOBS)
    assert r.jobs == 2 and len({x.checks[0].details["pid"] for x in r.results}) <= 2
    for bad in (0, -1, runner.MAX_JOBS + 1, 1000, 1.5, True, "2"):
        with pytest.raises(UsageError, match="--jobs"):
            runner.run(claims, QUICK, jobs=bad)


def test_duplicate_ids_are_a_usage_error():
    with pytest.raises(UsageError, match="duplicate claim id"):
        runner.run([_claim("a", Verdict.VERIFIED), _claim("a", Verdict.REFUTED)], QUICK, jobs=2)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_check_calling_sys_exit_is_a_crash_not_the_end_of_the_run(jobs):
    def leave(ctx):
        raise SystemExit(0)
    claims = [Claim("exits", "s", "test", (Check("exit", Tier.NUMERIC, leave),)), _claim("ok", Verdict.VERIFIED)]
    r = runner.run(claims, QUICK, jobs=jobs)
    assert r.results[0].crashed and r.results[0].verdict is Verdict.INCONCLUSIVE
    assert "sys.exit(0)" in r.results[0].checks[0].summary
    assert r.results[1].verdict is Verdict.VERIFIED and [x.claim.id for x in r.crashed] == ["exits"]


def test_a_worker_that_dies_is_an_internal_error_naming_the_claim():
    def die(ctx):
        os._exit(7)
    claims = [Claim("dies", "s", "test", (Check("exit", Tier.NUMERIC, die),)), _claim("ok", Verdict.VERIFIED)]
    with pytest.raises(runner.WorkerDied, match="dies"):
        runner.run(claims, QUICK, jobs=2)


def test_unpicklable_results_are_rerun_in_the_parent():
    """A result that cannot cross the process boundary is computed again here: same as jobs=1."""
    claims = [_claim("unpicklable", Verdict.VERIFIED, fn=lambda: 0), _claim("plain", Verdict.VERIFIED)]
    with pytest.raises(Exception):
        pickle.dumps(claims[0].checks[0].run(QUICK))
    r = runner.run(claims, QUICK, jobs=2)
    assert r.results[0].checks[0].details["pid"] == os.getpid()  # rerun here
    assert r.results[1].checks[0].details["pid"] != os.getpid()
    one = runner.run(claims, QUICK, jobs=1)
    assert [x.checks[0].details["draw"] for x in r.results] == [x.checks[0].details["draw"] for x in one.results]


def test_without_fork_the_claims_run_in_process_and_say_so(monkeypatch):
    monkeypatch.setattr(runner, "_fork_context", lambda: None)
    with pytest.warns(RuntimeWarning, match="fork"):
        r = runner.run([_claim("a", Verdict.VERIFIED), _claim("b", Verdict.VERIFIED)], QUICK, jobs=2)
    assert r.jobs == 1 and "fork" in r.extra["jobs_note"]
    assert {x.checks[0].details["pid"] for x in r.results} == {os.getpid()}


def test_progress_sees_every_claim_once():
    seen = []
    runner.run([_claim(f"p{i}", Verdict.VERIFIED) for i in range(3)], QUICK, jobs=2,
               progress=lambda done, total, r, t: seen.append((done, total, r.claim.id)))
    assert sorted(d for d, _, _ in seen) == [1, 2, 3] and {t for _, t, _ in seen} == {3}
    assert sorted(c for _, _, c in seen) == ["p0", "p1", "p2"]


def test_stderr_progress_never_fails_the_run(monkeypatch):
    class Closed:
        def write(self, _):
            raise BrokenPipeError

        def flush(self):
            raise BrokenPipeError
    monkeypatch.setattr("sys.stderr", Closed())
    r = runner.run([_claim("a", Verdict.VERIFIED)], QUICK, progress=runner.stderr_progress)
    assert r.results[0].verdict is Verdict.VERIFIED


# ---------------------------------------------------------------- factories: the user's id, never the paper's

FACTORIES = {
    "matrix_trace_claim": {"constant": 2},
    "matrix_layer_norm_claim": {"exponent": lambda L: sp.Rational(1, L)},
    "matrix_collapse_claim": {"multiple": 2},
    "symmetric_spectrum_claim": {},
    "symmetric_stationary_set_claim": {"exponent": "1/3"},
    "symmetric_regions_claim": {},
    "symmetric_null_space_claim": {},
}


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_catalogue_factories_need_the_users_id_statement_and_source(name):
    factory = getattr(api, name)
    with pytest.raises(TypeError, match="id"):
        factory(**FACTORIES[name])
    claim = factory(id=f"mine.{name}", statement="my statement", source="my notes", **FACTORIES[name])
    assert (claim.id, claim.statement, claim.source, claim.paper) == (f"mine.{name}", "my statement",
                                                                       "my notes", api.USER_PAPER)
    assert claim.resolutions == ()
    text = json.dumps([claim.id, claim.statement, claim.source, claim.paper])
    assert "Kamber" not in text and "Li" not in text and not claim.id.startswith(("kp.", "li."))
    for bad in ({"id": "bad id; rm -rf"}, {"statement": ""}, {"source": None}):
        kw = dict(id="x", statement="s", source="s", **FACTORIES[name])
        kw.update(bad)
        with pytest.raises(UsageError):
            factory(**kw)


def test_altered_claim_is_reported_as_the_users(tmp_path):
    """Today's defect: matrix_layer_norm_claim(exponent=...) was reported as kp.layer_norms, "Kamber &
    Parhi 2026", refuted, which reads as "the paper is wrong"."""
    claim = _wrong_matrix_claims()[0]
    r = run_claims([claim], profile="quick", out_dir=tmp_path / "rep")
    (entry,) = json.loads((tmp_path / "rep" / "report.json").read_text())["claims"]
    assert entry["verdict"] == "refuted"
    assert (entry["id"], entry["paper"], entry["source"]) == ("me.k5.wrong", "user claim", "test")
    assert "verify.api.run_claims" in entry["reproduce"] and "verify run" not in entry["reproduce"]
    assert [p.name for p in r.extra["report"]] == ["report.json", "report.md", "report.html", "junit.xml"]
    assert "Kamber" not in (tmp_path / "rep" / "report.md").read_text().split("me.k5.wrong", 1)[1][:300]


def test_run_claims_with_out_dir_leaves_the_previous_report_on_interrupt(tmp_path):
    out = tmp_path / "rep"
    run_claims([_claim("first", Verdict.VERIFIED)], profile="quick", out_dir=out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def interrupt(ctx):
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        run_claims([Claim("second", "s", "t", (Check("ctrl-c", Tier.NUMERIC, interrupt),))], profile="quick",
                   out_dir=out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir() if "stage" in p.name or p.suffix == ".part") == []


# ---------------------------------------------------------------- --only

IDS = ["kp.threshold", "kp.threshold.S", "kp.threshold.depth1", "kp.thresholds", "kp.collapse", "li.regions"]


@pytest.mark.parametrize("only,expected", [
    (["kp.threshold"], ["kp.threshold"]),  # an exact id names one claim
    (["kp"], ["kp.threshold", "kp.threshold.S", "kp.threshold.depth1", "kp.thresholds", "kp.collapse"]),
    (["kp.threshold*"], ["kp.threshold", "kp.threshold.S", "kp.threshold.depth1", "kp.thresholds"]),
    (["kp.threshold.*"], ["kp.threshold.S", "kp.threshold.depth1"]),
    (["*.collapse", "li"], ["kp.collapse", "li.regions"]),
    (["kp.threshold.depth?"], ["kp.threshold.depth1"]),
])
def test_only_exact_prefix_and_glob(only, expected):
    claims = [_claim(i, Verdict.VERIFIED) for i in IDS]
    assert [c.id for c in runner.select(claims, only)] == expected


def test_only_splits_commas_and_rejects_what_matches_nothing():
    assert runner.split_only(["a,b", " c ", "d"]) == ["a", "b", "c", "d"]
    for empty in ([""], ["a,"], ["a,,b"], [" "]):
        with pytest.raises(UsageError, match="empty"):
            runner.split_only(empty)
    claims = [_claim(i, Verdict.VERIFIED) for i in IDS]
    for bad in (["kp.nope"], ["zz*"], ["kp.thresh"]):
        with pytest.raises(UsageError, match="unknown claim id"):
            runner.select(claims, bad)


def test_every_lazily_exported_name_resolves_to_a_callable():
    import verify.api as api

    for name in api._LAZY:
        assert callable(getattr(api, name)), name
