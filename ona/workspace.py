"""The workspace: one folder that the CLI and the library share.

Layout (every file readable unchanged by pandas, pyarrow, DuckDB, Dask and Spark)::

    WORKSPACE/
        ona-workspace.json                        format version
        interactions/channel=email/month=2026-01/part-<import>-<n>.parquet
        people.parquet  affiliations.parquet  outcomes.parquet
        person_week.parquet  group_to_group.parquet  tables a reader asks to keep (Viva Insights)
        records/format=mbox/part-<import>.parquet  ids of the records imported (re-imports dedupe)
        import_log.jsonl                          one line per input: file, format, sha256, counts
        rejects.csv                               every rejected record: file, location, reason

Imports are **idempotent**: records and events are identified by stable digests (``record_id``,
``event_id``), so importing the same file twice changes nothing (its records count as
duplicates the second time). Imports are
**atomic**: everything is written into a staging folder first, then a journal is written and
the files are moved into place; a workspace opened after an import was killed rolls a journalled
import forward and discards an unjournalled one, so it always shows either the previous state or
the new one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import multiprocessing
import os
import shutil
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from ona._deps import import_optional
from ona._validation import Interval, Options, check_param, validate_params
from ona.exceptions import BadInputError, MissingDependencyError, WorkspaceError
from ona.importers import FORMATS, TABLE_FORMATS, detect_format, reader_class, table_reader
from ona.importers._base import BadLinesWarning, FileReport, ImportReport, Reader
from ona.importers._io import file_sha256
from ona.tables import (
    INTERACTION_COLUMNS,
    empty_affiliations,
    empty_interactions,
    empty_people,
    validate_affiliations,
    validate_outcomes,
    validate_people,
)

__all__ = ["Workspace", "open_workspace"]

log = logging.getLogger("ona.workspace")

FORMAT_VERSION = 1
_MARKER = "ona-workspace.json"
_JOURNAL = "JOURNAL.json"
_STAGING_PREFIX = ".staging-"

Progress = Callable[[str, int, int], None]  # (label, done, total)


@validate_params({"create": [bool]})
def open_workspace(path: str | os.PathLike, *, create: bool = False) -> Workspace:
    """Open the workspace folder at ``path``.

    Parameters
    ----------
    path : str or path-like
        The workspace folder.
    create : bool, default False
        Make a new workspace if there is none at ``path``.

    Returns
    -------
    Workspace
        Opened after finishing or discarding any import that was interrupted.

    Raises
    ------
    WorkspaceError
        If ``path`` is not a workspace (and ``create`` is False) or cannot be created.

    Examples
    --------
    >>> import tempfile, ona
    >>> ws = ona.open_workspace(tempfile.mkdtemp() + "/ws", create=True)
    >>> len(ws.interactions())
    0
    """
    return Workspace(path, create=create)


class Workspace:
    """A workspace folder (see the module docstring for its layout)."""

    def __init__(self, path: str | os.PathLike, *, create: bool = False):
        self.path = Path(path)
        marker = self.path / _MARKER
        if not marker.exists():
            if not create:
                raise WorkspaceError(f"{self.path}: not an ona workspace (no {_MARKER})")
            try:
                (self.path / "interactions").mkdir(parents=True, exist_ok=True)
                _write_atomic(marker, json.dumps({"format": FORMAT_VERSION}).encode())
            except OSError as exc:
                raise WorkspaceError(f"{self.path}: cannot create workspace ({exc.strerror})") from None
        self._recover()

    # -- reading -----------------------------------------------------------------------------
    @property
    def interactions_path(self) -> Path:
        """The hive-partitioned Parquet folder of the Interactions table."""
        return self.path / "interactions"

    def interaction_files(self) -> list[Path]:
        return sorted(self.interactions_path.glob("channel=*/month=*/*.parquet"))

    def interactions(
        self,
        columns: Sequence[str] | None = None,
        *,
        start: str | pd.Timestamp | None = None,
        end: str | pd.Timestamp | None = None,
        channels: Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """The stored Interactions table, optionally only some columns, a period, channels.

        ``start`` is inclusive and ``end`` exclusive; both are UTC.
        """
        files = self.interaction_files()
        if not files:
            table = empty_interactions()
            return table if columns is None else table[list(columns)]
        dataset = pads.dataset(self.interactions_path, format="parquet", partitioning="hive")
        expr = None
        if channels is not None:
            expr = pads.field("channel").isin(list(channels))
        for bound, op in ((start, "ge"), (end, "lt")):
            if bound is not None:
                ts = pa.scalar(_utc(bound), type=pa.timestamp("us", "UTC"))
                cond = pads.field("timestamp") >= ts if op == "ge" else pads.field("timestamp") < ts
                expr = cond if expr is None else expr & cond
        wanted = list(INTERACTION_COLUMNS) if columns is None else list(columns)
        table = dataset.to_table(columns=wanted, filter=expr)
        frame = table.to_pandas()
        for col in wanted:
            frame[col] = frame[col].astype(INTERACTION_COLUMNS[col])
        order = [c for c in ("timestamp", "event_id") if c in frame.columns]
        return frame.sort_values(order, ignore_index=True) if order else frame

    def _read_table(self, name: str, empty: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        path = self.path / f"{name}.parquet"
        return pd.read_parquet(path) if path.exists() else empty()

    def people(self) -> pd.DataFrame:
        """The stored People table (rosters and person attributes the sources carry)."""
        return self._read_table("people", empty_people)

    def affiliations(self) -> pd.DataFrame:
        """The stored person–group memberships (chat channels, code owners)."""
        return self._read_table("affiliations", empty_affiliations)

    def outcomes(self) -> pd.DataFrame:
        """The stored Outcomes table (empty with the key columns if none was imported)."""
        return self._read_table(
            "outcomes", lambda: pd.DataFrame(columns=["unit", "unit_type", "period"], dtype="string")
        )

    def table(self, name: str) -> pd.DataFrame:
        """A table a reader asked to keep (``person_week``: Viva Insights metrics per person and
        week; ``group_to_group``: a Viva group-to-group query), empty if none was imported."""
        return self._read_table(name, pd.DataFrame)

    def import_log(self) -> list[dict[str, Any]]:
        """One entry per imported input: path, format, sha256, counts, time."""
        path = self.path / "import_log.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def rejects(self) -> pd.DataFrame:
        """Every rejected record so far: file, location, reason."""
        path = self.path / "rejects.csv"
        if not path.exists():
            return pd.DataFrame(columns=["file", "location", "reason"], dtype="string")
        return pd.read_csv(path, dtype="string", keep_default_na=False)

    def info(self) -> dict[str, Any]:
        """Counts for ``ona info``: events by channel and month, people, inputs, rejects."""
        events = self.interactions(["channel", "timestamp", "source", "target"])
        by_channel = events.groupby("channel").size().astype(int).to_dict() if len(events) else {}
        months = events["timestamp"].dt.strftime("%Y-%m") if len(events) else pd.Series([], dtype=str)
        return {
            "workspace": str(self.path),
            "interactions": len(events),
            "by_channel": by_channel,
            "first": events["timestamp"].min().isoformat() if len(events) else None,
            "last": events["timestamp"].max().isoformat() if len(events) else None,
            "months": int(months.nunique()),
            "identities": int(pd.concat([events["source"], events["target"]]).nunique()) if len(events) else 0,
            "people": int(self.people()["person_id"].nunique()),
            "affiliations": len(self.affiliations()),
            "outcome_rows": len(self.outcomes()),
            "tables": {p.stem: len(pd.read_parquet(p)) for p in sorted(self.path.glob("*.parquet"))
                       if p.stem in _STORED_TABLES},
            "inputs": len(self.import_log()),
            "rejected": len(self.rejects()),
        }

    # -- writing -----------------------------------------------------------------------------
    def import_paths(
        self,
        paths: Iterable[str | os.PathLike],
        *,
        format: str = "auto",
        on_bad_lines: str = "warn",
        dry_run: bool = False,
        key: bytes | None = None,
        keep_domain: bool = False,
        resolve: bool = True,
        jobs: int = 1,
        engine: str = "local",
        scheduler: str | None = None,
        progress: Progress | None = None,
        reader_options: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> ImportReport:
        """Import exports, rosters and outcomes tables into the workspace, atomically.

        Parameters
        ----------
        paths : iterable of path
            Files or folders. A folder that no reader claims as a whole is walked: every export
            recognised inside it is imported, the rest listed in ``report.skipped``.
        format : str
            ``"auto"`` (detect each input), a reader name from :data:`ona.importers.FORMATS`,
            ``"roster"`` or ``"outcomes"``.
        on_bad_lines : {'error', 'warn', 'skip'}
            As for every reader.
        dry_run : bool
            Read and account for everything, write nothing.
        key : bytes, optional
            Pseudonymisation key: identities are replaced by keyed HMAC pseudonyms before
            anything is written (see :mod:`ona.privacy`). A workspace is either pseudonymised
            or not, from its first import on; mixing is refused.
        keep_domain : bool
            With a key, keep e-mail domains (``pseudonym@domain``) for internal/external splits.
        resolve : bool
            Resolve raw handles (e-mail addresses, chat ids, git e-mails) to roster person ids
            (:func:`ona.identity.resolve_identities`) when a roster is known: one imported in the
            same call, or stored un-pseudonymised in the workspace. With a key, import the roster
            together with the exports so that every person gets one pseudonym.
        jobs : int, default 1
            Read this many exports at once in worker processes (e.g. ``os.cpu_count()``). The
            result, the accounting and the stored workspace are the same as with one.
        engine : {'local', 'dask'}, default 'local'
            ``"dask"`` reads the exports on a Dask cluster (extra ``scale``): a local one with
            ``jobs`` workers, or the scheduler at ``scheduler``. Workers write into the
            workspace's staging folder, so on a real cluster the workspace and the exports must
            be on storage every worker sees (a shared filesystem).
        scheduler : str, optional
            With ``engine="dask"``, the address of an existing scheduler.
        progress : callable, optional
            Called as ``progress(label, done, total)`` after each input.
        reader_options : mapping, optional
            Options for the readers of one format, e.g.
            ``{"interactions_csv": {"columns": {"timestamp": "EventDate"}}}``.

        Returns
        -------
        ImportReport
            Per input: read = imported + duplicates + rejected (by reason).
        """
        allowed = {"auto", *FORMATS, *TABLE_FORMATS}
        check_param("import_paths", "format", format, [lambda f: f in allowed])
        check_param("import_paths", "jobs", jobs, [Interval(int, 1)])
        check_param("import_paths", "engine", engine, [Options({"local", "dask"})])
        options = {f: dict(o) for f, o in (reader_options or {}).items()}
        inputs, report = _plan(paths, format)
        # Rosters first: identity resolution of the interactions needs them.
        inputs.sort(key=lambda item: item[1] not in TABLE_FORMATS)
        self._check_mode(key, writing=bool(inputs) and not dry_run)
        stage = _Stage(self, key=key, keep_domain=keep_domain, resolve=resolve)
        tables = [(p, f) for p, f in inputs if f in TABLE_FORMATS]
        exports = [(p, f) for p, f in inputs if f not in TABLE_FORMATS]
        done = 0

        def tick(path: Path) -> None:
            nonlocal done
            done += 1
            if progress:
                progress(str(path), done, len(inputs))

        try:
            for path, fmt in tables:
                stage.add_table(path, fmt, on_bad_lines=on_bad_lines, report=report)
                tick(path)
            reading = (
                _read_exports_on_dask(exports, on_bad_lines, jobs, stage.dir, scheduler, stage.roster,
                                      options)
                if engine == "dask"
                else _read_exports(exports, on_bad_lines, jobs, stage.dir, stage.roster, options)
            )
            for path, source in reading:
                try:
                    if isinstance(source, MissingDependencyError):
                        raise source
                    stage.add(path, source, report=report)
                except MissingDependencyError as exc:
                    # e.g. a .pst in a delivery folder without the `outlook` extra: the rest of
                    # the folder is still imported, and the report says what to install.
                    report.skipped.append((str(path), str(exc)))
                tick(path)
            if not dry_run:
                stage.commit()
        finally:
            stage.discard()
        return report

    @property
    def pseudonymised(self) -> bool | None:
        """True or False once something was imported (with or without a key), else None."""
        return json.loads((self.path / _MARKER).read_text()).get("pseudonymised")

    def _check_mode(self, key: bytes | None, writing: bool) -> None:
        mode = self.pseudonymised
        if mode is None:
            if writing:
                meta = {"format": FORMAT_VERSION, "pseudonymised": key is not None}
                _write_atomic(self.path / _MARKER, json.dumps(meta).encode())
        elif mode != (key is not None):
            held = "pseudonymised identities: give the same key" if mode else (
                "raw identities: import without a key, or use a new workspace")
            raise WorkspaceError(f"{self.path}: this workspace holds {held}")

    # -- recovery ----------------------------------------------------------------------------
    def _recover(self) -> None:
        for staging in sorted(self.path.glob(_STAGING_PREFIX + "*")):
            journal = staging / _JOURNAL
            if journal.exists():
                log.warning("%s: finishing an interrupted import", self.path)
                _apply_journal(self.path, json.loads(journal.read_text()))
            shutil.rmtree(staging, ignore_errors=True)


def _utc(value: str | pd.Timestamp) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _plan(paths: Iterable[str | os.PathLike], format: str) -> tuple[list[tuple[Path, str]], ImportReport]:
    """Expand folders and detect formats; unrecognised files go to ``report.skipped``."""
    report = ImportReport()
    inputs: list[tuple[Path, str]] = []

    def visit(path: Path) -> None:
        if not path.exists():
            raise BadInputError(str(path), None, "no such file or folder")
        if (path / _MARKER).exists():
            report.skipped.append((str(path), "an ona workspace, not an export"))
            return
        fmt = format if format != "auto" else detect_format(path)
        if fmt is not None:
            inputs.append((path, fmt))
        elif path.is_dir():
            for child in sorted(path.iterdir()):
                if not child.name.startswith("."):
                    visit(child)
        else:
            report.skipped.append((str(path), "not a recognised export, roster or outcomes table"))

    for p in paths:
        visit(Path(p))
    return inputs, report


class _Input:
    """One export as the stage consumes it: its frames, then what the reader learnt."""

    def __init__(self, reader: Reader):
        self.reader = reader
        self.format = reader.format
        self.report = reader.report
        self.rejects = reader.rejects
        self.record_ids = reader.record_ids

    def frames(self) -> Iterable[pd.DataFrame]:
        return self.reader.iter_frames()

    def people(self) -> pd.DataFrame:
        return self.reader.people()

    def affiliations(self) -> pd.DataFrame:
        return self.reader.affiliations()

    def extras(self) -> dict[str, pd.DataFrame]:
        return self.reader.extras()


@dataclass
class _SpilledInput:
    """An export read in a worker process: its frames spilled to Parquet files in the staging
    folder (passing them back through a pipe would copy them twice)."""

    format: str
    report: FileReport
    rejects: list[tuple[str, str, str]]
    record_ids: list[str]
    files: list[Path]
    _people: pd.DataFrame
    _affiliations: pd.DataFrame
    _extras: dict[str, pd.DataFrame]

    def frames(self) -> Iterable[pd.DataFrame]:
        for f in self.files:
            frame = pd.read_parquet(f)
            f.unlink()
            yield frame

    def people(self) -> pd.DataFrame:
        return self._people

    def affiliations(self) -> pd.DataFrame:
        return self._affiliations

    def extras(self) -> dict[str, pd.DataFrame]:
        return self._extras


# Tables readers ask a workspace to keep (their ``stored_extras``), listed by ``info``.
_STORED_TABLES = ("person_week", "group_to_group")


def _reader(
    path: Path, fmt: str, on_bad_lines: str, roster: pd.DataFrame | None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> Reader:
    """The reader of one export; readers that match names to people (surveys) get the roster,
    and the readers of a format get the options given for it."""
    cls = reader_class(fmt)
    given = dict((options or {}).get(fmt, {}))
    if getattr(cls, "needs_roster", False) and roster is not None and len(roster):
        return cls(path, on_bad_lines=on_bad_lines, roster=roster, **given)
    return cls(path, on_bad_lines=on_bad_lines, **given)


def _read_spilled(
    path: Path, fmt: str, on_bad_lines: str, spill: Path, roster: pd.DataFrame | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> _SpilledInput:
    """Run in a worker process: read one export completely, spilling its frames."""
    reader = _reader(path, fmt, on_bad_lines, roster, options)
    files = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BadLinesWarning)  # the report carries the counts
        for n, frame in enumerate(reader.iter_frames()):
            if len(frame):
                files.append(spill / f"{uuid.uuid4().hex}-{n}.parquet")
                frame.to_parquet(files[-1], index=False)
    return _SpilledInput(reader.format, reader.report, reader.rejects, reader.record_ids, files,
                         reader.people(), reader.affiliations(), reader.extras())


def _read_exports(
    exports: list[tuple[Path, str]], on_bad_lines: str, jobs: int, staging: Path,
    roster: pd.DataFrame | None = None, options: Mapping[str, Mapping[str, Any]] | None = None,
) -> Iterator[tuple[Path, _Input | _SpilledInput]]:
    """Yield each export's input in the given order, read here or by ``jobs`` workers."""
    if jobs == 1 or len(exports) < 2:
        for path, fmt in exports:
            yield path, _Input(_reader(path, fmt, on_bad_lines, roster, options))
        return
    spill = staging / "spill"
    spill.mkdir(exist_ok=True)
    context = multiprocessing.get_context("spawn")  # no fork of a process holding threads
    with ProcessPoolExecutor(max_workers=min(jobs, len(exports)), mp_context=context) as pool:
        futures = [pool.submit(_read_spilled, p, f, on_bad_lines, spill, roster, options)
                   for p, f in exports]
        try:
            for (path, _fmt), future in zip(exports, futures, strict=True):
                yield path, _outcome(future)
        finally:
            for future in futures:
                future.cancel()


def _outcome(future: Any) -> _SpilledInput | MissingDependencyError:
    """A worker's result, or the missing optional dependency that stopped it."""
    try:
        return future.result()
    except MissingDependencyError as exc:
        return exc


def _read_exports_on_dask(
    exports: list[tuple[Path, str]], on_bad_lines: str, jobs: int, staging: Path, scheduler: str | None,
    roster: pd.DataFrame | None = None, options: Mapping[str, Mapping[str, Any]] | None = None,
) -> Iterator[tuple[Path, _SpilledInput]]:
    """Like :func:`_read_exports`, with the reading done by Dask workers."""
    distributed = import_optional("distributed", extra="scale", purpose="engine='dask'")
    spill = staging / "spill"
    spill.mkdir(exist_ok=True)
    if scheduler is not None:
        client, cluster = distributed.Client(scheduler), None
    else:
        cluster = distributed.LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                           dashboard_address=None)
        client = distributed.Client(cluster)
    try:
        futures = [client.submit(_read_spilled, p, f, on_bad_lines, spill, roster, options,
                                 pure=False)
                   for p, f in exports]
        for (path, _fmt), future in zip(exports, futures, strict=True):
            yield path, _outcome(future)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class _Stage:
    """Everything one import will write, staged in a folder inside the workspace."""

    def __init__(self, ws: Workspace, key: bytes | None, keep_domain: bool, resolve: bool):
        self.ws = ws
        self.key = key
        self.keep_domain = keep_domain
        self.resolve = resolve
        # The raw roster that handles are resolved against: stored (if not pseudonymised) plus
        # any roster imported in this call.
        stored = ws.people() if ws.pseudonymised is False else empty_people()
        if "status" in stored.columns:
            stored = stored[stored["status"] == "roster"].drop(columns="status")
        self.roster = stored if stored["email"].notna().any() else empty_people()
        self.id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
        self.dir = ws.path / f"{_STAGING_PREFIX}{self.id}"
        self.parts: list[str] = []  # relative paths of new interaction files
        self.seen: dict[tuple[str, str], set[str]] = {}  # partition -> event ids stored or staged
        self.known: dict[str, set[str]] = {}  # format -> record ids stored or staged
        self.new_records: dict[str, list[str]] = {}  # format -> record ids this import adds
        self.people: list[pd.DataFrame] = []
        self.affiliations: list[pd.DataFrame] = []
        self.outcomes: list[pd.DataFrame] = []
        self.stored: dict[str, list[pd.DataFrame]] = {}  # reader tables kept (stored_extras)
        self.keys: dict[str, tuple[str, ...]] = {}
        self.log: list[dict[str, Any]] = []
        self.rejects: list[tuple[str, str, str]] = []
        try:
            self.dir.mkdir()
        except OSError as exc:
            raise WorkspaceError(f"{ws.path}: cannot write ({exc.strerror})") from None

    def add_table(self, path: Path, fmt: str, *, on_bad_lines: str, report: ImportReport) -> None:
        """A roster or outcomes table."""
        result = table_reader(fmt)(path, on_bad_lines=on_bad_lines)
        if fmt == "roster" and len(result.people):
            self.roster = pd.concat([self.roster, result.people], ignore_index=True)
            self.roster = self.roster.drop_duplicates(["person_id", "valid_from"], keep="last")
            result.people["status"] = "roster"
        self._take_tables(result.people, result.affiliations, result.extras)
        self._log(path, result.report.files[0], result.report.rejects, report, None)

    def add(self, path: Path, source: _Input, *, report: ImportReport) -> None:
        """An export, read here (streamed) or in a worker process (spilled to files)."""
        identity: dict[str, Any] | None = None
        processed: set[str] = set()
        if self.resolve and len(self.roster):
            # The reader's own directory (e.g. Slack users with e-mails) is complete only
            # once its input is read, so this file's events are resolved after reading.
            frames = [f for f in source.frames() if len(f)]
            resolved, people, identity = self._resolve(frames, source.people(), source.report)
            for frame in resolved:
                self._take_interactions(frame, source.report, processed)
        else:
            for frame in source.frames():
                self._take_interactions(frame, source.report, processed)
            people = source.people()
        self._take_records_without_events(source, processed)
        extras = source.extras()
        self._take_tables(people, source.affiliations(), extras)
        self._take_stored_extras(source.report.format, extras)
        self._log(path, source.report, source.rejects, report, identity)

    def _log(
        self,
        path: Path,
        file_report: FileReport,
        rejects: list[tuple[str, str, str]],
        report: ImportReport,
        identity: dict[str, Any] | None,
    ) -> None:
        report.rejects.extend(rejects)
        # In a pseudonymised workspace file names and record locations are stored as keyed
        # hashes too: a mailbox file or a group-DM folder can be named after a person.
        self.rejects.extend((self._private(f), self._private(loc), why) for f, loc, why in rejects)
        file_report.sha256 = file_sha256(path)
        report.files.append(file_report)
        entry = {
            **file_report.to_dict(),
            "path": self._private(file_report.path),
            "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "import_id": self.id,
        }
        if identity is not None:
            entry["identity"] = identity
        self.log.append(entry)

    def _private(self, text: str) -> str:
        if self.key is None:
            return text
        from ona.privacy import pseudonym

        return "hmac:" + pseudonym(text, self.key)

    def _resolve(
        self, frames: list[pd.DataFrame], directory: pd.DataFrame, file_report: FileReport
    ) -> tuple[list[pd.DataFrame], pd.DataFrame, dict[str, Any]]:
        """Resolve one input's handles to roster person ids; counts only go to the log."""
        from ona.identity import build_aliases, resolve_identities

        aliases = build_aliases(self.roster, directories={file_report.format: directory})
        frame = pd.concat(frames, ignore_index=True) if frames else empty_interactions()
        result = resolve_identities(frame, aliases)
        dropped = result.report.interactions["self_interactions_dropped"]
        if dropped:
            file_report.events -= dropped
            file_report.notes["self-interactions after identity resolution"] += dropped
        ids = result.report.identities
        matched = set(ids.loc[ids["status"] == "matched", "handle"])
        # Directory entries that matched a roster person are absorbed into that person; the
        # rest (and every identity outside the roster) are kept with their status.
        others = directory[~directory["person_id"].isin(matched)].assign(status="unmatched")
        outside = result.people[result.people["status"] != "roster"]
        people = pd.concat([outside, others], ignore_index=True).drop_duplicates("person_id")
        counts = result.report.to_dict()
        if self.key is not None and not self.keep_domain:
            counts.pop("external_domains")  # domains were asked to be hidden too
        return [result.interactions], people, counts

    def _existing_ids(self, channel: str, month: str) -> set[str]:
        key = (channel, month)
        if key not in self.seen:
            folder = self.ws.interactions_path / f"channel={channel}" / f"month={month}"
            ids: set[str] = set()
            for f in sorted(folder.glob("*.parquet")):
                ids.update(pq.read_table(f, columns=["event_id"]).column(0).to_pylist())
            self.seen[key] = ids
        return self.seen[key]

    def _known(self, fmt: str) -> set[str]:
        if fmt not in self.known:
            ids: set[str] = set()
            for f in sorted((self.ws.path / "records" / f"format={fmt}").glob("*.parquet")):
                ids.update(pq.read_table(f, columns=["record_id"]).column(0).to_pylist())
            self.known[fmt] = ids
        return self.known[fmt]

    def _take_records_without_events(self, reader: _Input | _SpilledInput, processed: set[str]) -> None:
        """Records that carried no interaction are duplicates too if already stored."""
        known = self._known(reader.format)
        new = self.new_records.setdefault(reader.format, [])
        for rid in reader.record_ids:
            if rid in processed:
                continue
            if rid in known:
                reader.report.imported -= 1
                reader.report.duplicates += 1
            else:
                known.add(rid)
                new.append(rid)

    def _take_interactions(self, frame: pd.DataFrame, file_report: FileReport, processed: set[str]) -> None:
        if not len(frame):
            return
        # Records imported before (by their stable record id) are duplicates, events and all.
        known = self._known(file_report.format)
        repeated = frame["record_id"].isin(known).to_numpy(dtype=bool)
        fresh_ids = frame.loc[~repeated, "record_id"].unique().tolist()
        processed.update(frame["record_id"].unique().tolist())
        n_repeated = frame.loc[repeated, "record_id"].nunique()
        file_report.imported -= n_repeated
        file_report.duplicates += n_repeated
        file_report.events -= int(repeated.sum())
        known.update(fresh_ids)
        self.new_records.setdefault(file_report.format, []).extend(fresh_ids)
        frame = frame.loc[~repeated]
        if not len(frame):
            return
        if self.key is not None:
            from ona.privacy import pseudonymise_tables

            frame = pseudonymise_tables(
                frame, None, None, self.key, keep_domain=self.keep_domain
            )[0]
        month = frame["timestamp"].dt.strftime("%Y-%m")
        new_mask = pd.Series(True, index=frame.index)
        for (channel, m), idx in frame.groupby([frame["channel"], month]).groups.items():
            existing = self._existing_ids(channel, m)
            ids = frame.loc[idx, "event_id"]
            is_new = ~ids.isin(existing) & ~ids.duplicated()
            new_mask.loc[idx] = is_new.to_numpy()
            existing.update(ids[is_new])
        # An event already stored under another record (the same e-mail in two folders read
        # as separate records) is not stored twice; a record left with none is a duplicate.
        per_record = new_mask.groupby(frame["record_id"]).any()
        repeated = int((~per_record).sum())
        file_report.imported -= repeated
        file_report.duplicates += repeated
        file_report.events -= int((~new_mask).sum())
        fresh = frame[new_mask.to_numpy()]
        for (channel, m), part in fresh.groupby([fresh["channel"], month[new_mask]]):
            rel = f"interactions/channel={channel}/month={m}/part-{self.id}-{len(self.parts):05d}.parquet"
            target = self.dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            table = pa.Table.from_pandas(
                part.drop(columns=["channel"]).reset_index(drop=True), preserve_index=False
            )
            pq.write_table(table, target)
            self.parts.append(rel)

    def _take_tables(
        self, people: pd.DataFrame, affiliations: pd.DataFrame, extras: dict[str, pd.DataFrame]
    ) -> None:
        if self.key is not None and (len(people) or len(affiliations)):
            from ona.privacy import pseudonymise_tables

            _, people, affiliations = pseudonymise_tables(
                None, people, affiliations, self.key, keep_domain=self.keep_domain
            )
        if len(people):
            self.people.append(people)
        if len(affiliations):
            self.affiliations.append(affiliations)
        if "outcomes" in extras:
            self.outcomes.append(extras["outcomes"])

    def _take_stored_extras(self, fmt: str, extras: dict[str, pd.DataFrame]) -> None:
        """The reader's own tables it asks a workspace to keep (e.g. Viva person-week metrics),
        their identity columns keyed like every other identity."""
        for name, (keys, identities) in getattr(reader_class(fmt), "stored_extras", {}).items():
            table = extras.get(name)
            if table is None or not len(table):
                continue
            if self.key is not None and identities:
                from ona.privacy import pseudonymise_tables

                table = table.copy()
                for col in identities:
                    as_source = pd.DataFrame({"source": table[col], "target": table[col]})
                    table[col] = pseudonymise_tables(
                        as_source, None, None, self.key, keep_domain=self.keep_domain,
                        hash_containers=False,
                    )[0]["source"]
            self.stored.setdefault(name, []).append(table)
            self.keys[name] = tuple(keys)

    def commit(self) -> None:
        moves: list[tuple[str, str]] = [(rel, rel) for rel in self.parts]
        for fmt, ids in self.new_records.items():
            if ids:
                rel = f"records/format={fmt}/part-{self.id}.parquet"
                (self.dir / rel).parent.mkdir(parents=True, exist_ok=True)
                pq.write_table(pa.table({"record_id": pa.array(ids, pa.string())}), self.dir / rel)
                moves.append((rel, rel))
        if self.people:
            people = pd.concat([self.ws.people(), *self.people], ignore_index=True)
            people = people.drop_duplicates(["person_id", "valid_from"], keep="last")
            self._stage_table("people.parquet", validate_people(people), moves)
        if self.affiliations:
            aff = pd.concat([self.ws.affiliations(), *self.affiliations], ignore_index=True)
            self._stage_table("affiliations.parquet", validate_affiliations(aff), moves)
        if self.outcomes:
            outcomes = pd.concat([self.ws.outcomes(), *self.outcomes], ignore_index=True)
            outcomes = outcomes.drop_duplicates(["unit", "period"], keep="last")
            self._stage_table("outcomes.parquet", validate_outcomes(outcomes), moves)
        for name, frames in self.stored.items():
            table = pd.concat([self.ws.table(name), *frames], ignore_index=True)
            table = table.drop_duplicates(list(self.keys[name]), keep="last")
            self._stage_table(f"{name}.parquet", table.reset_index(drop=True), moves)
        self._stage_appended("import_log.jsonl", "".join(json.dumps(e) + "\n" for e in self.log), moves)
        if self.rejects:
            rows = pd.DataFrame(self.rejects, columns=["file", "location", "reason"])
            old = self.ws.path / "rejects.csv"
            text = rows.to_csv(index=False, header=not old.exists())
            self._stage_appended("rejects.csv", text, moves)
        journal = {"staging": self.dir.name, "moves": moves}
        _write_atomic(self.dir / _JOURNAL, json.dumps(journal).encode())
        _apply_journal(self.ws.path, journal)

    def _stage_table(self, name: str, frame: pd.DataFrame, moves: list[tuple[str, str]]) -> None:
        frame.to_parquet(self.dir / name, index=False)
        moves.append((name, name))

    def _stage_appended(self, name: str, text: str, moves: list[tuple[str, str]]) -> None:
        old = self.ws.path / name
        staged = self.dir / name
        if old.exists():
            shutil.copyfile(old, staged)
        with open(staged, "a", encoding="utf-8") as fh:
            fh.write(text)
        moves.append((name, name))

    def discard(self) -> None:
        """Remove the staging folder; a journalled import is finished first, never half-kept."""
        journal = self.dir / _JOURNAL
        if journal.exists():
            _apply_journal(self.ws.path, json.loads(journal.read_text()))
        shutil.rmtree(self.dir, ignore_errors=True)


def _apply_journal(root: Path, journal: dict[str, Any]) -> None:
    """Move staged files into place; safe to repeat after an interruption (roll forward)."""
    staging = root / journal["staging"]
    for src, dst in journal["moves"]:
        source = staging / src
        if source.exists():
            (root / dst).parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, root / dst)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)

