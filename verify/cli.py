"""The ``verify`` command: run the catalogue, list it, and answer scalar questions.

Exit codes: 0 nothing refuted, 1 a claim refuted, 2 usage error (one line on stderr), 3 internal
error (an uncaught exception in the tool, a check that crashed with nothing refuted, or a report that
could not be published), 130 interrupted (Ctrl-C: one line, no traceback, no partial report).
"""
from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import shlex
import sys
import traceback
import warnings
from pathlib import Path
from typing import Sequence

from .errors import UsageError, VerifyError
from .terminal import epilog as _epilog, wrap as _wrap


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2
        raise UsageError(message)


def _integer(what: str, minimum: int, maximum: int | None = None):
    """An argparse type: ASCII digits within [minimum, maximum] (``int()`` alone accepts '５０' and '1_0')."""
    def parse(text: str) -> int:
        from .numbers import parse_int

        try:
            return parse_int(text, what, minimum, maximum)
        except UsageError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return parse


_seed = _integer("seed", 0)


def _jobs(text: str) -> int:
    from .runner import MAX_JOBS

    return _integer("jobs", 1, MAX_JOBS)(text)


def _version() -> str:
    import importlib.metadata as md

    try:
        return md.version("dmf-verify")
    except md.PackageNotFoundError:  # running from a source tree that is not installed
        from . import __version__

        return __version__


ONLY_HELP = ("claims to run: an exact id; an id prefix (kp runs every kp.* claim); or a glob pattern "
             "over ids, quoted ('kp.threshold*'). Repeatable and comma-separated: --only a --only b,c")


def _digits(text: str) -> int:
    """Digits are range-checked where they are used (verify.numbers.check_digits), with one message."""
    return _integer("digits", 0)(text)


def _problem_options(p: argparse.ArgumentParser) -> None:
    """--convention NAME, or --loss FORMULA --penalty FORMULA (a user problem); see ``_problem``."""
    p.add_argument("--convention", default=None,
                   help="A1 (default), A2, S, S2 or B (see conventions below); not with --loss/--penalty")
    p.add_argument("--loss", default=None, metavar="FORMULA",
                   help="a user problem's loss in p (the product w_L⋯w_1) and m, e.g. '(p - m)**2 / 2'; "
                        "needs --penalty")
    p.add_argument("--penalty", default=None, metavar="FORMULA",
                   help="one layer's penalty in w, lam, l (layer index), L, e.g. 'lam * abs(w)'; needs --loss")


def _problem(args):
    """The user problem of --loss/--penalty, or None for a convention (default A1). Both or neither of
    --loss and --penalty, and never together with --convention: anything else is a usage error."""
    given = [f for f, v in (("--loss", args.loss), ("--penalty", args.penalty)) if v is not None]
    if given and args.convention is not None:
        raise UsageError(f"--convention and {' '.join(given)} are mutually exclusive: name a convention, or give "
                         f"a problem as --loss FORMULA --penalty FORMULA")
    if len(given) == 1:
        other = "--penalty" if given[0] == "--loss" else "--loss"
        raise UsageError(f"{given[0]} needs {other}: a problem is a loss and a penalty "
                         f"(--loss FORMULA --penalty FORMULA)")
    if args.convention is None:
        args.convention = "A1"
    if not given:
        return None
    from .problems import parse_problem

    return parse_problem(args.loss, args.penalty)


def _convention_json(name: str) -> dict:
    """A named convention written as its problem: {"convention", "loss", "penalty"}."""
    from .problems import convention_problem

    return convention_problem(name).to_json()


def _run_options(p: argparse.ArgumentParser, out_help: str) -> None:
    from .numbers import DEFAULT_DIGITS
    from .runner import MAX_JOBS, default_jobs

    p.add_argument("--profile", choices=("quick", "standard", "thorough"), default="standard",
                   help="how hard to look (default: standard; see profiles below)")
    p.add_argument("--only", action="append", metavar="ID", help=ONLY_HELP)
    p.add_argument("--out", default=None, help=out_help)
    p.add_argument("--seed", type=_seed, default=0, help="seed of every random draw (default: 0)")
    p.add_argument("--digits", type=_digits, default=DEFAULT_DIGITS,
                   help=f"working digits of mpmath checks, 15-1000 (default: {DEFAULT_DIGITS})")
    p.add_argument("--jobs", type=_jobs, default=None,
                   help=f"worker processes, 1-{MAX_JOBS}, never more than the checks to run (default: the cores "
                        f"available, {default_jobs()} here)")
    p.add_argument("--executor", default=None, metavar="dask://HOST:PORT",
                   help="run the checks on a Dask scheduler instead of local workers (needs "
                        "pip install 'dmf-verify[dask]'); not with --jobs")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def build_parser() -> argparse.ArgumentParser:
    from .numbers import DEFAULT_DIGITS  # imported here, inside main's handlers (it loads SymPy)

    raw = argparse.RawDescriptionHelpFormatter
    p = _Parser(prog="verify", description=_wrap("Verify theorems about matrix factorization landscapes."),
                epilog=_epilog("conventions", "profiles", "run"), formatter_class=raw)
    p.add_argument("--version", action="version", version=f"verify {_version()}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    r = sub.add_parser("run", help="verify the catalogue and write a report", formatter_class=raw,
                       description=_wrap("Verify the catalogue (or the claims --only names), print a summary and "
                                         "write report.md, report.json, report.html and junit.xml."),
                       epilog=_epilog("profiles", "run"))
    _run_options(r, "report directory (default: reports/)")

    c = sub.add_parser("check", help="check the claims in a claim file (.toml or .py) and write a report",
                       formatter_class=raw, epilog=_epilog("conventions", "profiles", "run"),
                       description=_wrap("Check the claims of a claim file (docs/claim-files.md) as 'run' does."))
    c.add_argument("file")
    _run_options(c, "report directory (default: reports/<file name>/)")

    sub.add_parser("list", help="list the claim catalogue", formatter_class=raw, epilog=_epilog(),
                   description=_wrap("The catalogue: id, paper and statement of every claim."))

    bench = sub.add_parser("bench", add_help=False,
                           help="batched Hessian throughput vs JAX/PyTorch (options: verify bench --help)")
    bench.add_argument("rest", nargs="*")

    t = sub.add_parser("threshold", help="collapse threshold of the scalar problem vs the paper's τ",
                       formatter_class=raw, epilog=_epilog("conventions"),
                       description=_wrap("The exact collapse threshold λ* of the deep scalar problem, an independent "
                                         "mpmath value, the paper's τ and their ratio."))
    t.add_argument("--depth", required=True, help="L, 1-64")
    t.add_argument("--target", required=True, help="m (decimal or fraction, read exactly)")
    _problem_options(t)
    t.add_argument("--digits", type=_digits, default=DEFAULT_DIGITS,
                   help=f"digits, 15-1000 (default: {DEFAULT_DIGITS})")
    t.add_argument("--certify", action="store_true",
                   help="also a rigorous enclosure [lo, hi] of λ* (interval arithmetic, python-flint)")
    t.add_argument("--json", action="store_true", help="JSON, numbers as decimal strings")

    m = sub.add_parser("minimizers", help="global minimizers of the scalar problem at λ", formatter_class=raw,
                       epilog=_epilog("conventions"),
                       description=_wrap("The global minimizers of the deep scalar problem at λ, with their Hessian "
                                         "eigenvalues."))
    m.add_argument("--depth", required=True, help="L, 1-64")
    m.add_argument("--target", required=True, help="m (decimal or fraction, read exactly)")
    m.add_argument("--lam", required=True,
                   help="λ > 0 (decimal or fraction, read exactly), or 'threshold' for the exact derived λ*")
    _problem_options(m)
    m.add_argument("--digits", type=_digits, default=DEFAULT_DIGITS,
                   help=f"digits, 15-1000 (default: {DEFAULT_DIGITS})")
    m.add_argument("--json", action="store_true", help="JSON, numbers as decimal strings")
    return p


class _Output:
    """stdout that survives a closed pipe (``verify run | head``): the run goes on and its report is
    still published; later lines are dropped."""

    closed = False

    @classmethod
    def line(cls, text: str = "") -> None:
        if cls.closed:
            return
        try:
            print(text, flush=True)
        except BrokenPipeError:
            cls.closed = True
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                os.close(devnull)
            except (OSError, ValueError):
                pass


def _load(source) -> list:
    """The claims of ``source``; a claim file that calls sys.exit while loading is a usage error."""
    try:
        return source.load()
    except SystemExit as exc:
        where = source.path or "the catalogue"
        raise UsageError(f"{where}: called sys.exit({exc.code!r}) while loading the claims") from None


def _executor(args):
    """The executor --executor names (and its client, to close), or (None, None) for local workers."""
    if args.executor is None:
        return None, None
    if args.jobs is not None:
        raise UsageError("--jobs and --executor are mutually exclusive: --jobs sets local worker processes, "
                         "a Dask scheduler has its own workers")
    from .executors import dask_executor

    return dask_executor(args.executor)


#: BLAS thread pools a run does not use: the checks multiply small matrices and the runner parallelises by
#: processes, so extra BLAS threads only spin (li.sensing's Hessian-distance check: 1.06 s → 0.45 s of CPU with
#: one thread, the same numbers). Set before NumPy loads; a value the user exported wins.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _one_blas_thread() -> None:
    """One BLAS thread per process for ``verify run``, unless the user chose otherwise (no effect once NumPy is
    loaded, e.g. when ``main`` is called from Python)."""
    if "numpy" not in sys.modules:
        for name in BLAS_THREAD_VARIABLES:
            os.environ.setdefault(name, "1")


def _fewer_collections() -> None:
    """A larger first-generation threshold for the ``verify`` process of a run (the command's own process, never a
    library caller's): checks allocate millions of short-lived SymPy and mpmath objects, and at Python's default
    of 700 the cyclic collector ran 1,066 times in a standard run for 0.72 s of CPU across the three processes,
    against 72 times and 0.43 s at 10,000 (one run each at 2f491ad, timed with gc.callbacks; the parent freezes
    what it holds before forking). Collection changes no result."""
    gc.set_threshold(10_000, *gc.get_threshold()[1:])


def _cmd_run(args) -> int:
    from .claims import RunContext, get_profile
    from .progress import for_stderr
    from .report.writer import ReportStage, run_document
    from .runner import ClaimSource, default_jobs, run, select, split_only

    _Output.closed = False
    if args.out is None:
        args.out = "reports"
    source = ClaimSource(getattr(args, "file", None))
    claims = select(_load(source), split_only(args.only))
    profile = get_profile(args.profile)
    executor, client = _executor(args)
    try:
        with ReportStage(args.out) as stage:  # figures go to the stage; out_dir changes only on publish
            ctx = RunContext(seed=args.seed, profile=profile, dps=args.digits, out_dir=str(stage.path))
            started = dt.datetime.now(dt.timezone.utc)
            with warnings.catch_warnings():  # the note below says it in one line
                warnings.filterwarnings("ignore", message="--jobs", category=RuntimeWarning)
                result = run(claims, ctx, jobs=args.jobs or default_jobs(), progress=for_stderr(args.quiet),
                             executor=executor)
            if result.extra.get("jobs_note"):
                print(f"verify: note: {result.extra['jobs_note']}", file=sys.stderr)
            command = "verify " + " ".join(shlex.quote(a) for a in args.argv)
            doc = run_document(result, command=command, claim_file=source.path, started=started)
            _print_summary(doc)
            for c in doc["claims"]:
                if c["verdict"] == "refuted":
                    _Output.line(f"refuted: {c['id']} — reproduce with: {c['reproduce']}")
                    if c.get("minimal_counterexample"):
                        _Output.line("  minimal counterexample: "
                                     + json.dumps(c["minimal_counterexample"], ensure_ascii=False))
            try:
                paths = stage.publish(doc)
            except OSError as exc:  # ReportWriteError included: full disk, permissions
                print(f"verify: error: {exc.strerror or exc}", file=sys.stderr)
                return 3
    finally:
        if client is not None:
            client.close()
    _Output.line("report: " + ", ".join(str(p) for p in paths))
    crashed = [r.claim.id for r in result.crashed]
    if crashed:  # said even when a refutation sets the exit code: a crash is never part of a refutation
        print(f"verify: internal error: a check crashed in {', '.join(crashed)} (not a verdict; the report "
              f"holds the traceback; please report)", file=sys.stderr)
    if doc["summary"]["refuted"]:
        return 1
    return 3 if crashed else 0


def _cmd_check(args) -> int:
    if args.out is None:
        args.out = str(Path("reports") / Path(args.file).stem)
    return _cmd_run(args)


def _print_summary(doc: dict) -> None:
    from .terminal import summary_lines

    for line in summary_lines(doc):
        _Output.line(line)


def _cmd_list(args) -> int:
    import proofs

    from .terminal import catalogue_lines

    for line in catalogue_lines(proofs.catalogue()):
        _Output.line(line)
    return 0


def _emit(data: dict, as_json: bool, keys: Sequence[str]) -> None:
    if as_json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for k in keys:
        if k in data and data[k] is not None:
            v = data[k]
            if isinstance(v, dict):  # the problem: loss = ..., penalty = ...
                v = ", ".join(f"{name} = {value}" for name, value in v.items())
            print(f"{k:>20}: {v if not isinstance(v, list) else ''}")
            if isinstance(v, list):
                for item in v:
                    print(f"{'':>22}{item}")


def _cmd_threshold(args) -> int:
    from proofs.kamber_parhi_2026.formulas import tau_at

    from .queries import problem_threshold_summary, threshold_summary

    problem = _problem(args)
    if args.certify and problem is not None:
        raise UsageError("--certify is not available for a problem given as --loss/--penalty; name a --convention")
    if problem is None:
        data = threshold_summary(args.depth, args.target, args.convention, args.digits, reference=tau_at,
                                 certify=args.certify)
        data["problem"] = _convention_json(args.convention)
    else:
        data = problem_threshold_summary(args.depth, args.target, problem, args.digits)
    enclosure = data.get("enclosure")
    if args.certify and not args.json and isinstance(enclosure, dict):
        data = dict(data, enclosure=f"[{enclosure['lo']}, {enclosure['hi']}]")
    _emit(data, args.json, ("depth", "target", "convention", "problem", "kind", "threshold", "enclosure",
                            "enclosure_method", "enclosure_note", "bisection", "tau", "ratio", "ratio_exact", "threshold_exact",
                            "digits", "note", "derivation"))
    return 0


def _cmd_minimizers(args) -> int:
    from .queries import minimizers_summary, problem_minimizers_summary

    problem = _problem(args)
    if problem is None:
        data = minimizers_summary(args.depth, args.target, args.lam, args.convention, args.digits)
        data["problem"] = _convention_json(args.convention)
    else:
        data = problem_minimizers_summary(args.depth, args.target, args.lam, problem, args.digits)
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    what = (f"{data['convention']}: a = {data['a']}, b = {data['b']}" if problem is None
            else problem.label())
    print(f"depth {data['depth']}, m = {data['target']}, λ = {data['lambda']} ({what})")
    for i, e in enumerate(data["minimizers"], 1):
        print(f"minimizer {i}: product {e['product']}, objective {e['objective']}")
        print(f"   w = ({', '.join(e['w'])})  [{e['equivalent_sign_patterns']} sign pattern(s)]")
        print(f"   Hessian eigenvalues: {', '.join(e['hessian_eigenvalues'])}")
    print(f"unique end-to-end minimizer: {'yes' if data['unique'] else 'no'}")
    return 0


def _bench(argv: list[str]) -> int:
    """``verify bench ...`` hands its arguments to the benchmark's own parser."""
    from .bench import main as bench_main

    return bench_main(argv)


COMMANDS = {"run": _cmd_run, "check": _cmd_check, "list": _cmd_list, "threshold": _cmd_threshold, "minimizers": _cmd_minimizers}


def _join_negative_values(argv: list[str]) -> list[str]:
    """``--target -1e-5`` → ``--target=-1e-5`` (also --lam, --loss, --penalty: ``--loss '-p*m'``):
    argparse would read a value starting with '-' as an option."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        if argv[i] in ("--target", "--lam", "--loss", "--penalty") and i + 1 < len(argv) and argv[i + 1].startswith("-"):
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


def _internal_error(exc: BaseException) -> int:
    """One line on stderr (the traceback too with VERIFY_TRACEBACK=1), exit code 3."""
    if os.environ.get("VERIFY_TRACEBACK", "").strip() not in ("", "0"):
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    msg = " ".join(str(exc).split())
    print(f"verify: internal error: {type(exc).__name__}: {msg} "
          f"(please report; set VERIFY_TRACEBACK=1 for the traceback)", file=sys.stderr)
    return 3


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code (see the module docstring)."""
    try:
        argv = _join_negative_values(list(sys.argv[1:] if argv is None else argv))
        if argv[:1] == ["bench"]:
            return _bench(argv[1:])
        if argv[:1] == ["run"]:
            _one_blas_thread()
        if argv[:1] in (["run"], ["check"]):
            _fewer_collections()
        args = build_parser().parse_args(argv)
        args.argv = argv
        return COMMANDS[args.command](args)
    except VerifyError as exc:
        if isinstance(exc, OSError):  # the report could not be written: the tool's fault, not the user's
            print(f"verify: error: {exc.strerror or exc}", file=sys.stderr)
            return 3
        message = str(exc)
        print(f"verify: error: {message if message.isprintable() else ' '.join(message.split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("verify: interrupted", file=sys.stderr)
        return 130
    except SystemExit as exc:  # --help, --version and the bench's own parser
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        return _internal_error(exc)
    except BrokenPipeError:  # output piped into e.g. head, which closed early
        try:
            sys.stderr.close()
        except OSError:
            pass
        return 0
    except Exception as exc:  # an internal error of the tool: never exit 1 ("refuted")
        return _internal_error(exc)


if __name__ == "__main__":
    sys.exit(main())
