"""The ``ona`` command line (after clig.dev).

Data and ``--json`` go to stdout; messages, progress and the summary go to stderr. Exit codes:
0 ok, 1 internal error, 2 usage, 65 bad input data, 73 cannot write, 130 interrupted. Errors name
the file, the record and the reason, without a traceback unless ``--debug`` (and tracebacks never
show local variables, which may hold personal data).
"""

from __future__ import annotations

import argparse
import enum
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

__all__ = ["ExitCode", "main"]


class ExitCode(enum.IntEnum):
    OK = 0
    INTERNAL = 1
    USAGE = 2
    DATA = 65  # EX_DATAERR
    CANT_CREATE = 73  # EX_CANTCREAT
    INTERRUPTED = 130


def _err(message: str) -> None:
    print(message, file=sys.stderr)


class _Progress:
    """A one-line progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self.start = time.monotonic()

    def __call__(self, label: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        width = 24
        filled = int(width * done / max(total, 1))
        name = label if len(label) < 40 else "…" + label[-39:]
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name:<40} "
            f"{time.monotonic() - self.start:5.1f}s"
        )
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _key(args: argparse.Namespace) -> bytes | None:
    if getattr(args, "no_pseudonymise", False):
        return None
    from ona.privacy import load_key

    return load_key(args.key_file, workspace=getattr(args, "workspace", None))


def _reader_options(args: argparse.Namespace) -> dict[str, dict[str, object]] | None:
    """``--columns`` as reader options (and the format it implies); None after a usage error."""
    if not args.columns:
        return {}
    from ona.importers.csv_interactions import parse_column_mapping

    if args.format not in ("auto", "interactions_csv"):
        _err(f"error: --columns maps the columns of a generic interactions CSV; it cannot be "
             f"used with --format {args.format}")
        return None
    try:
        columns = parse_column_mapping(args.columns)
    except ValueError as exc:
        _err(f"error: --columns {args.columns!r}: {exc} "
             "(e.g. --columns source=Sender,target=Recipient,timestamp=EventDate)")
        return None
    args.format = "interactions_csv"
    return {"interactions_csv": {"columns": columns}}


def cmd_import(args: argparse.Namespace) -> int:
    from ona.workspace import open_workspace

    reader_options = _reader_options(args)
    if reader_options is None:
        return ExitCode.USAGE
    key = _key(args)
    scratch = None
    if args.dry_run and not Path(args.workspace, "ona-workspace.json").exists():
        # A dry run against a workspace that does not exist yet must not create it.
        scratch = tempfile.TemporaryDirectory(prefix="ona-dry-run-")
        ws = open_workspace(scratch.name, create=True)
    else:
        ws = open_workspace(args.workspace, create=True)
    report = ws.import_paths(
        args.paths,
        format=args.format,
        on_bad_lines=args.on_bad_lines,
        dry_run=args.dry_run,
        key=key,
        keep_domain=args.keep_domain,
        jobs=max(1, args.jobs),
        engine=args.engine,
        scheduler=args.scheduler,
        progress=_Progress(not args.quiet),
        reader_options=reader_options,
    )
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        for f in report.files:
            rejected = sum(f.rejected.values())
            print(
                f"{f.path}\t{f.format}\tread={f.read}\timported={f.imported}"
                f"\tduplicates={f.duplicates}\trejected={rejected}\tevents={f.events}"
            )
    if not args.quiet:
        for path, why in report.skipped:
            _err(f"skipped {path}: {why}")
        for reason, n in report.total()["rejected"].items():
            _err(f"rejected {n} record(s): {reason}")
        _err(report.summary() + (" (dry run: nothing written)" if args.dry_run else ""))
        if key is None and not args.no_pseudonymise:
            _err("identities are stored as they are: no pseudonymisation key is configured "
                 "(set ONA_PSEUDONYM_KEY or pass --key-file)")
        if not args.dry_run:
            _err(f"next: ona info --workspace {args.workspace}")
    if not report.balanced():  # an importer lost a record: never report success
        _err("error: the accounting does not add up (read != imported + duplicates + rejected)")
        return ExitCode.INTERNAL
    return ExitCode.OK


def cmd_aggregate(args: argparse.Namespace) -> int:
    from ona.aggregation import aggregate

    options = dict(
        freq=None if args.freq == "all" else args.freq,
        weight=args.weight,
        channels=args.channels or None,
        engine=args.engine,
        scheduler=args.scheduler,
    )
    if args.out and Path(args.out).suffix == ".parquet":
        # Streamed straight to the file: the edge table never has to fit in memory.
        aggregate(args.workspace, out=args.out, **options)
        if not args.quiet:
            _err(f"weighted ties written to {args.out} ({args.engine} engine)")
        return ExitCode.OK
    edges = aggregate(args.workspace, **options)
    if args.out:
        edges.to_csv(args.out, index=False)
    else:
        edges.to_csv(sys.stdout, index=False)
    if not args.quiet:
        _err(f"{len(edges):,} weighted ties in {max(1, edges['period'].nunique()):,} period(s) "
             f"({args.engine} engine)" + (f"; written to {args.out}" if args.out else ""))
    return ExitCode.OK


def cmd_info(args: argparse.Namespace) -> int:
    from ona.workspace import open_workspace

    info = open_workspace(args.workspace).info()
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        for key, value in info.items():
            print(f"{key}\t{value}")
    return ExitCode.OK


def cmd_report(args: argparse.Namespace) -> int:
    from ona.report import write_report

    outcomes = None
    if args.outcomes:
        from ona.importers.outcomes import read_outcomes

        outcomes = read_outcomes(args.outcomes, on_bad_lines="error").extras.get("outcomes")
    path = write_report(
        args.workspace, args.out, outcomes=outcomes, min_group_size=args.min_group_size
    )
    print(path)
    if not args.quiet:
        _err(f"report written: {path} (open it in a browser; it needs no network)")
    return ExitCode.OK


def cmd_demo(args: argparse.Namespace) -> int:
    from ona.datasets import load_sample
    from ona.report import write_report
    from ona.workspace import open_workspace

    out = Path(args.out)
    sample = load_sample()
    key = _key(args)
    ws_path = out / "workspace"
    ws = open_workspace(ws_path, create=True)
    exports = [sample.paths[name] for name in ("roster", "mbox", "slack", "git", "outcomes")]
    if not args.quiet:
        _err(f"importing the sample organisation's exports from {exports[0].parent}")
    report = ws.import_paths(exports, key=key, jobs=os.cpu_count() or 1,
                             progress=_Progress(not args.quiet))
    if not args.quiet:
        _err(report.summary())
        if key is None:
            _err("identities are stored as they are (the sample's people are invented); "
                 "set ONA_PSEUDONYM_KEY to see them pseudonymised")
        _err("writing the diagnostic report")
    path = write_report(ws, out, min_group_size=args.min_group_size,
                        title="ona demo: the sample organisation")
    print(path)
    if not args.quiet:
        _err(f"done: open {path} in a browser")
        _err("next: ona import YOUR_EXPORTS --workspace ws, then ona report --workspace ws --out report")
    return ExitCode.OK


def cmd_formats(args: argparse.Namespace) -> int:
    from ona.importers import FORMATS, TABLE_FORMATS

    rows = [{"format": name, "reader": spec} for name, spec in FORMATS.items()]
    rows += [{"format": name, "reader": module} for name, module in TABLE_FORMATS.items()]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print(f"{row['format']}\t{row['reader']}")
    return ExitCode.OK


def _parser() -> argparse.ArgumentParser:
    from ona import __version__

    parser = argparse.ArgumentParser(
        prog="ona",
        description="Organisational network analysis from the metadata of everyday work.",
        epilog="Start with `ona demo`, or `ona import EXPORTS --workspace ws` then `ona report`.",
    )
    parser.add_argument("--version", action="version", version=f"ona {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser, json_flag: bool = True) -> None:
        if json_flag:
            p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
        p.add_argument("-q", "--quiet", action="store_true", help="no messages on stderr")

    def engine_options(p: argparse.ArgumentParser, engines: tuple[str, ...]) -> None:
        p.add_argument("--engine", choices=engines, default=engines[0],
                       help=f"where the work runs (default {engines[0]}; dask needs ona-toolkit[scale])")
        p.add_argument("--scheduler", metavar="ADDRESS", help="an existing Dask scheduler (tcp://host:8786)")

    p = sub.add_parser("import", help="import exports, rosters and outcomes into a workspace")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to import")
    p.add_argument("--workspace", "-w", required=True, metavar="DIR")
    p.add_argument("--format", default="auto", help="reader name (see `ona formats`); default auto")
    p.add_argument("--on-bad-lines", choices=["error", "warn", "skip"], default="warn")
    p.add_argument("--columns", metavar="MAP",
                   help="columns of a generic interactions CSV, e.g. "
                        "source=Sender,target=Recipient,timestamp=EventDate "
                        "(implies --format interactions_csv; the delimiter is detected)")
    p.add_argument("--dry-run", "-n", action="store_true", help="read and count, write nothing")
    p.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="exports read at once in worker processes (default: one per core)")
    engine_options(p, ("local", "dask"))
    p.add_argument("--key-file", metavar="FILE", help="pseudonymisation key (else ONA_PSEUDONYM_KEY)")
    p.add_argument("--no-pseudonymise", action="store_true", help="keep raw identities")
    p.add_argument("--keep-domain", action="store_true",
                   help="keep e-mail domains in pseudonyms (internal/external analyses)")
    common(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("aggregate", help="weighted edge table per period (Parquet or CSV)")
    p.add_argument("--workspace", "-w", required=True, metavar="DIR")
    p.add_argument("--freq", default="MS", choices=["D", "W", "MS", "QS", "YS", "all"])
    p.add_argument("--weight", default="count", choices=["count", "recipient_share", "weight"])
    p.add_argument("--channels", nargs="*", metavar="CHANNEL")
    p.add_argument("--out", metavar="FILE", help="write .parquet or .csv (default: CSV on stdout)")
    engine_options(p, ("duckdb", "pandas", "dask"))
    common(p, json_flag=False)
    p.set_defaults(func=cmd_aggregate)

    p = sub.add_parser("info", help="what a workspace holds")
    p.add_argument("--workspace", "-w", required=True, metavar="DIR")
    common(p)
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("report", help="write the diagnostic report (one self-contained HTML file)")
    p.add_argument("--workspace", "-w", required=True, metavar="DIR")
    p.add_argument("--outcomes", metavar="FILE", help="team outcomes table (CSV or XLSX)")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--min-group-size", type=int, default=5, metavar="N")
    common(p, json_flag=False)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("demo", help="run the diagnostic on the bundled sample organisation")
    p.add_argument("--out", default="demo-output", metavar="DIR", help="default: demo-output")
    p.add_argument("--min-group-size", type=int, default=5, metavar="N")
    p.add_argument("--key-file", metavar="FILE", help="pseudonymisation key (else ONA_PSEUDONYM_KEY)")
    common(p, json_flag=False)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("formats", help="list the readers")
    common(p)
    p.set_defaults(func=cmd_formats)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    from ona.exceptions import BadInputError, OnaError, TableError, WorkspaceError

    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:  # `ona ... | head`: the reader has gone; that is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK
    except KeyboardInterrupt:
        _err("interrupted; the workspace is unchanged")
        return ExitCode.INTERRUPTED
    except (BadInputError, TableError) as exc:
        if args.debug:
            raise
        _err(f"error: {exc}")
        return ExitCode.DATA
    except WorkspaceError as exc:
        if args.debug:
            raise
        _err(f"error: {exc}")
        return ExitCode.CANT_CREATE
    except OnaError as exc:
        if args.debug:
            raise
        _err(f"error: {exc}")
        return ExitCode.USAGE if isinstance(exc, ValueError) else ExitCode.INTERNAL
    except OSError as exc:
        if args.debug:
            raise
        _err(f"error: cannot write or read {exc.filename or ''}: {exc.strerror}")
        return ExitCode.CANT_CREATE
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback with personal data
        if args.debug:
            raise
        _err(f"internal error ({type(exc).__name__}); rerun with --debug for details")
        return ExitCode.INTERNAL


if __name__ == "__main__":
    sys.exit(main())
