"""The ``verify`` command: run the catalogue, list it, and answer scalar questions.

Exit codes: 0 nothing refuted, 1 a claim refuted, 2 usage error (one line on stderr).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import sys
from pathlib import Path
from typing import Sequence

from .errors import UsageError, VerifyError
from .numbers import DEFAULT_DIGITS


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2
        raise UsageError(message)


def _integer(minimum: int, what: str):
    """An argparse type: an integer ≥ minimum, with a one-line message otherwise."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(f"{what} must be an integer ≥ {minimum}, got {text!r}")
        return value
    return parse


_positive_int = _integer(1, "the value")
_seed = _integer(0, "seed")


def _digits(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"digits must be an integer, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="verify", description="Verify theorems about matrix factorization landscapes.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    r = sub.add_parser("run", help="verify the catalogue and write a report")
    r.add_argument("--profile", choices=("quick", "standard", "thorough"), default="standard")
    r.add_argument("--only", nargs="+", metavar="ID", help="claim ids (or id prefixes) to run")
    r.add_argument("--out", default="reports", help="report directory (default: reports/)")
    r.add_argument("--seed", type=_seed, default=0)
    r.add_argument("--digits", type=_digits, default=DEFAULT_DIGITS, help="working digits of mpmath checks")
    r.add_argument("--jobs", type=_positive_int, default=1, help="worker processes")
    r.add_argument("--quiet", action="store_true", help="no progress lines")

    c = sub.add_parser("check", help="check the claims in a claim file (.toml or .py) and write a report")
    c.add_argument("file")
    c.add_argument("--profile", choices=("quick", "standard", "thorough"), default="standard")
    c.add_argument("--only", nargs="+", metavar="ID")
    c.add_argument("--out", default=None, help="report directory (default: reports/<file name>/)")
    c.add_argument("--seed", type=_seed, default=0)
    c.add_argument("--digits", type=_digits, default=DEFAULT_DIGITS)
    c.add_argument("--jobs", type=_positive_int, default=1)
    c.add_argument("--quiet", action="store_true")

    sub.add_parser("list", help="list the claim catalogue")

    bench = sub.add_parser("bench", add_help=False,
                           help="batched Hessian throughput vs JAX/PyTorch (options: verify bench --help)")
    bench.add_argument("rest", nargs="*")

    t = sub.add_parser("threshold", help="collapse threshold of the scalar problem vs the paper's τ")
    t.add_argument("--depth", required=True)
    t.add_argument("--target", required=True, help="m (decimal or fraction, read exactly)")
    t.add_argument("--convention", default="A1")
    t.add_argument("--digits", type=_digits, default=DEFAULT_DIGITS)
    t.add_argument("--json", action="store_true")

    m = sub.add_parser("minimizers", help="global minimizers of the scalar problem at λ")
    m.add_argument("--depth", required=True)
    m.add_argument("--target", required=True)
    m.add_argument("--lam", required=True,
                   help="λ > 0 (decimal or fraction, read exactly), or 'threshold' for the exact derived λ*")
    m.add_argument("--convention", default="A1")
    m.add_argument("--digits", type=_digits, default=DEFAULT_DIGITS)
    m.add_argument("--json", action="store_true")
    return p


def _cmd_run(args) -> int:
    from .claims import RunContext, get_profile
    from .report.document import build_document
    from .report.provenance import provenance
    from .report.writer import write_reports
    from .runner import ClaimSource, run, select, stderr_progress

    source = ClaimSource(getattr(args, "file", None))
    claims = select(source.load(), args.only)
    _check_output_dir(Path(args.out))
    ctx = RunContext(seed=args.seed, profile=get_profile(args.profile), dps=args.digits,
                     out_dir=str(Path(args.out)))
    started = dt.datetime.now(dt.timezone.utc)
    result = run(claims, ctx, jobs=args.jobs, source=source, progress=None if args.quiet else stderr_progress)
    command = "verify " + " ".join(shlex.quote(a) for a in args.argv)
    doc = build_document(result, provenance(args.seed, args.profile, args.digits, started, result.wall_seconds,
                                            command, args.jobs, claim_file=source.path))
    paths = write_reports(doc, args.out)
    _print_summary(doc)
    for c in doc["claims"]:
        if c["verdict"] == "refuted":
            print(f"refuted: {c['id']} — reproduce with: {c['reproduce']}")
            if c.get("minimal_counterexample"):
                print(f"  minimal counterexample: {json.dumps(c['minimal_counterexample'], ensure_ascii=False)}")
    print("report: " + ", ".join(str(p) for p in paths))
    return 1 if doc["summary"]["refuted"] else 0


def _check_output_dir(out: Path) -> None:
    """Fail before a long run, not after it, when the report directory cannot be written."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the report directory {out}: {exc.strerror}") from None
    if not os.access(out, os.W_OK):
        raise UsageError(f"the report directory {out} is not writable")


def _cmd_check(args) -> int:
    if args.out is None:
        args.out = str(Path("reports") / Path(args.file).stem)
    return _cmd_run(args)


def _print_summary(doc: dict) -> None:
    rows = [(c["id"], c["verdict"], c["tiers"].get("symbolic", "—"), c["tiers"].get("high-precision", "—"),
             c["tiers"].get("numeric", "—"), f"{c['seconds']:.1f}") for c in doc["claims"]]
    head = ("claim", "verdict", "symbolic", "high-precision", "numeric", "s")
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    print(fmt.format(*head))
    for r in rows:
        print(fmt.format(*r))
    s = doc["summary"]
    print(f"{s['verified']} verified, {s['refuted']} refuted, {s['inconclusive']} inconclusive "
          f"({s['total']} claims, {doc['provenance']['wall_seconds']} s)")


def _cmd_list(args) -> int:
    import proofs

    for c in proofs.catalogue():
        print(f"{c.id:<34} {c.paper:<22} {c.statement[:100]}")
    return 0


def _emit(data: dict, as_json: bool, keys: Sequence[str]) -> None:
    if as_json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for k in keys:
        if k in data and data[k] is not None:
            v = data[k]
            print(f"{k:>20}: {v if not isinstance(v, list) else ''}")
            if isinstance(v, list):
                for item in v:
                    print(f"{'':>22}{item}")


def _cmd_threshold(args) -> int:
    from proofs.kamber_parhi_2026.formulas import tau_at

    from .queries import threshold_summary

    data = threshold_summary(args.depth, args.target, args.convention, args.digits, reference=tau_at)
    _emit(data, args.json, ("depth", "target", "convention", "kind", "threshold", "bisection", "tau",
                            "ratio", "ratio_exact", "digits", "note", "derivation"))
    return 0


def _cmd_minimizers(args) -> int:
    from .queries import minimizers_summary

    data = minimizers_summary(args.depth, args.target, args.lam, args.convention, args.digits)
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    print(f"depth {data['depth']}, m = {data['target']}, λ = {data['lambda']} ({data['convention']}: "
          f"a = {data['a']}, b = {data['b']})")
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
    """``--target -1e-5`` → ``--target=-1e-5``: argparse would read ``-1e-5`` as an option."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        if argv[i] in ("--target", "--lam") and i + 1 < len(argv) and argv[i + 1].startswith("-"):
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    argv = _join_negative_values(list(sys.argv[1:] if argv is None else argv))
    try:
        if argv[:1] == ["bench"]:
            return _bench(argv[1:])
        args = build_parser().parse_args(argv)
        args.argv = argv
        return COMMANDS[args.command](args)
    except VerifyError as exc:
        print(f"verify: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("verify: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. head, which closed early
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
