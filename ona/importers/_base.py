"""The one reader base every importer builds on (a template method, after Perceval).

A source module subclasses :class:`Reader` and implements :meth:`Reader.records`, a generator
that yields, for each input record (an e-mail, a chat message, a commit, a CSV row):

* a :class:`Record`: its native identity ``key``, its ``location`` in the input, and its
  ``events`` (one dict per directed interaction, with the canonical Interactions columns), or
* a :class:`Rejected`: its ``location`` and a ``reason`` (no personal data in the reason), with
  ``excluded=True`` for records left out on purpose (bots, system messages) rather than broken.

The base does everything else, the same way for every source: stable event ids, duplicate
detection, self-interaction removal, validation into the canonical table, chunking, and the
accounting ``read = imported + duplicates + rejected`` that :class:`ImportReport` carries.
"""

from __future__ import annotations

import hashlib
import logging
import lzma
import re
import warnings
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

import pandas as pd

from ona._validation import Options, check_param
from ona.exceptions import BadInputError, OnaError, TableError
from ona.tables import (
    INTERACTION_COLUMNS,
    empty_affiliations,
    empty_interactions,
    empty_people,
    make_event_id,
    validate_affiliations,
    validate_interactions,
    validate_people,
)

__all__ = [
    "BadLinesWarning",
    "FileReport",
    "ImportReport",
    "ReadResult",
    "Reader",
    "Record",
    "Rejected",
    "data_error_reason",
    "hash_key",
]

log = logging.getLogger("ona.importers")

ON_BAD_LINES = Options({"error", "warn", "skip"})

# Timestamps outside these are a parser's overflow or a placeholder (year 0, 1601, 9999), never a
# real interaction: the record is rejected rather than stored with a date no analysis can use.
EARLIEST = pd.Timestamp("1900-01-01", tz="UTC")
LATEST = pd.Timestamp("2200-01-01", tz="UTC")

# Errors that mean "this input is damaged or not what it claims to be", whichever parser meets
# them: raised while the base handles one record, the record is rejected; raised by a reader's
# generator, the file is reported as unreadable (a generator cannot resume after raising).
_DAMAGED = (zlib.error, EOFError, lzma.LZMAError, zipfile.BadZipFile, OSError)
DATA_ERRORS = (
    ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError,
    RecursionError, UnicodeError, NotImplementedError, *_DAMAGED,
)  # fmt: skip


def _frame_error_reason(exc: BaseException) -> str:
    if isinstance(exc, TableError):
        column = re.search(r"column '(\w+)'", exc.problems[0] if exc.problems else "")
        return f"a value the {column.group(1) if column else 'interactions'} column does not accept"
    if isinstance(exc, (ValueError, TypeError, OverflowError)):
        return "bad or out-of-range timestamp"
    return data_error_reason(exc)


def data_error_reason(exc: BaseException) -> str:
    """A reason for a data error that names its kind and never the value that caused it (a
    ``ValueError`` or ``KeyError`` message may quote an address)."""
    if isinstance(exc, RecursionError):
        return "nested too deeply to parse"
    if isinstance(exc, UnicodeError):
        return "text in an unknown encoding"
    if isinstance(exc, _DAMAGED):
        # zlib/gzip/lzma/zip messages describe the stream (e.g. "Bad CRC-32 for file 'x'").
        return f"damaged or truncated data ({type(exc).__name__}: {exc})"
    return f"unexpected structure or value ({type(exc).__name__})"


class BadLinesWarning(UserWarning):
    """Some records of an input could not be read (the report lists them)."""


class Record(NamedTuple):
    """One input record that was read: its native identity, where it is, and its interactions."""

    key: str
    location: str
    events: list[dict[str, Any]]


class Rejected(NamedTuple):
    """One input record that was not imported, and why."""

    location: str
    reason: str
    excluded: bool = False


def hash_key(system: str, key: str) -> str:
    """A short stable digest of a native id, so raw message ids never reach the tables."""
    return hashlib.blake2b(f"{system}\x1f{key}".encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


@dataclass
class FileReport:
    """The accounting of one input: ``read == imported + duplicates + sum(rejected.values())``."""

    path: str
    format: str
    read: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: Counter = field(default_factory=Counter)
    events: int = 0
    notes: Counter = field(default_factory=Counter)
    sha256: str | None = None

    @property
    def n_rejected(self) -> int:
        return sum(self.rejected.values())

    def balanced(self) -> bool:
        return self.read == self.imported + self.duplicates + self.n_rejected

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "read": self.read,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "rejected": dict(sorted(self.rejected.items())),
            "events": self.events,
            "notes": dict(sorted(self.notes.items())),
            "sha256": self.sha256,
        }


@dataclass
class ImportReport:
    """Accounting of one or more inputs, and the rejected records (file, location, reason)."""

    files: list[FileReport] = field(default_factory=list)
    rejects: list[tuple[str, str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why) not recognised

    def extend(self, other: ImportReport) -> ImportReport:
        self.files.extend(other.files)
        self.rejects.extend(other.rejects)
        self.skipped.extend(other.skipped)
        return self

    def total(self) -> dict[str, Any]:
        rejected: Counter = Counter()
        for f in self.files:
            rejected.update(f.rejected)
        return {
            "read": sum(f.read for f in self.files),
            "imported": sum(f.imported for f in self.files),
            "duplicates": sum(f.duplicates for f in self.files),
            "rejected": dict(sorted(rejected.items())),
            "events": sum(f.events for f in self.files),
        }

    def balanced(self) -> bool:
        return all(f.balanced() for f in self.files)

    def rejects_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rejects, columns=["file", "location", "reason"], dtype="string")

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": [f.to_dict() for f in self.files],
            "skipped": [{"path": p, "why": w} for p, w in self.skipped],
            "total": self.total(),
        }

    def summary(self) -> str:
        t = self.total()
        rej = sum(t["rejected"].values())
        return (
            f"{len(self.files)} input(s): read {t['read']:,} records, imported {t['imported']:,}, "
            f"duplicates {t['duplicates']:,}, rejected {rej:,}; {t['events']:,} interactions"
        )


@dataclass
class ReadResult:
    """What every ``ona.read_*`` function returns.

    Attributes
    ----------
    interactions : DataFrame
        The canonical Interactions table (see :mod:`ona.tables`).
    people : DataFrame
        The person attributes the source carries (possibly empty).
    affiliations : DataFrame
        Person–group memberships the source carries (chat channels, code owners; possibly empty).
    report : ImportReport
        The accounting: read = imported + duplicates + rejected, and the rejected records.
    extras : dict
        Source-specific tables (e.g. the Viva group-to-group matrix).
    """

    interactions: pd.DataFrame
    people: pd.DataFrame
    affiliations: pd.DataFrame
    report: ImportReport
    extras: dict[str, pd.DataFrame] = field(default_factory=dict)

    def __repr__(self) -> str:
        return (
            f"ReadResult({len(self.interactions):,} interactions, {len(self.people):,} people, "
            f"{len(self.affiliations):,} affiliations; {self.report.summary()})"
        )


class Reader:
    """Base of all importers. Subclasses set :attr:`format` and :attr:`channel` and implement
    :meth:`records`; they may call :meth:`add_person`, :meth:`add_affiliation` and :meth:`note`.

    Parameters
    ----------
    path : str or Path
        The input (a file, or a folder for folder-shaped exports).
    on_bad_lines : {'error', 'warn', 'skip'}
        What to do with a record that cannot be read: raise :class:`~ona.BadInputError` naming
        the file, the record and the reason; record it and warn once per input; or record it
        silently. Every rejected record is counted in the report either way.
    """

    format: ClassVar[str] = ""
    channel: ClassVar[str] = "other"

    def __init__(self, path: str | Path, *, on_bad_lines: str = "warn"):
        check_param(f"{type(self).__name__}", "on_bad_lines", on_bad_lines, [ON_BAD_LINES])
        self.path = Path(path)
        self.on_bad_lines = on_bad_lines
        self.report = FileReport(path=str(path), format=self.format)
        self.rejects: list[tuple[str, str, str]] = []
        self._people: dict[str, dict[str, Any]] = {}
        self._affiliations: list[tuple[str, str, str, str]] = []
        self._seen: set[str] = set()
        self.record_ids: list[str] = []  # digests of the imported records, in input order
        self._invalid = 0  # rejected as unreadable, not excluded on purpose

    # -- what subclasses implement or call -------------------------------------------------
    @classmethod
    def detect(cls, path: Path) -> bool:
        """Whether ``path`` looks like this reader's input (cheap: a name or a first-bytes sniff)."""
        return False

    def records(self) -> Iterator[Record | Rejected]:
        raise NotImplementedError

    def add_person(self, person_id: str, **attributes: Any) -> None:
        """Record attributes the source carries for a person (later calls update earlier ones)."""
        self._people.setdefault(person_id, {"person_id": person_id}).update(
            {k: v for k, v in attributes.items() if v is not None}
        )

    def add_affiliation(self, person: str, group: str, group_type: str) -> None:
        """Record that ``person`` belongs to ``group`` (a chat channel, a code-owner team, ...)."""
        self._affiliations.append((person, group, group_type, self.origin))

    def note(self, what: str, n: int = 1) -> None:
        """Count a data-quality fact (e.g. 'date taken from the From line')."""
        self.report.notes[what] += n

    @property
    def origin(self) -> str:
        return self.path.name or str(self.path)

    # -- the template method ---------------------------------------------------------------
    def iter_frames(self, chunk_events: int = 250_000) -> Iterator[pd.DataFrame]:
        """Yield the Interactions table in validated chunks of about ``chunk_events`` rows.

        When the generator is exhausted :attr:`report` holds the complete accounting.
        """
        buffer: dict[str, list[Any]] = {c: [] for c in INTERACTION_COLUMNS}
        system, origin = self.format, self.origin
        self._locations: dict[str, str] = {}  # record id -> location, for the open chunk
        items = self.records()
        location = None  # of the last record read, to say where an unreadable file broke
        while True:
            try:
                item = next(items)
            except StopIteration:
                break
            except OnaError:
                raise
            except DATA_ERRORS as exc:
                where = f"after {location}" if location else None
                raise BadInputError(str(self.path), where, data_error_reason(exc)) from None
            self.report.read += 1
            location = item.location
            if isinstance(item, Rejected):
                self._reject(item)
                continue
            start = len(buffer["event_id"])
            try:
                added = self._add_events(buffer, item, system, origin)
            except OnaError:
                raise
            except DATA_ERRORS as exc:  # a record the reader built wrongly: not the whole file
                for values in buffer.values():
                    del values[start:]
                if isinstance(item.key, str):
                    self._seen.discard(item.key)
                self._reject(Rejected(str(item.location), data_error_reason(exc)))
                continue
            if added is None:  # a duplicate
                continue
            kept, record_id = added
            if item.events and not kept:
                self._reject(Rejected(item.location, "self-interaction only", excluded=True))
                continue
            self.report.imported += 1
            self.report.events += kept
            self.record_ids.append(record_id)
            if kept:
                self._locations[record_id] = item.location
            if len(buffer["event_id"]) >= chunk_events:
                yield self._frame(buffer)
                buffer = {c: [] for c in INTERACTION_COLUMNS}
        if buffer["event_id"] or self.report.events == 0:
            yield self._frame(buffer)
        self._finish()

    def _add_events(
        self, buffer: dict[str, list[Any]], item: Record, system: str, origin: str
    ) -> tuple[int, str] | None:
        """Append a record's events to the chunk: (events kept, record id), None for a duplicate."""
        if item.key in self._seen:
            self.report.duplicates += 1
            return None
        self._seen.add(item.key)
        record_id = hash_key(system, item.key)
        kept = 0
        for ev in item.events:
            source, target = ev["source"], ev["target"]
            if source == target:
                self.note("self-interactions dropped")
                continue
            kept += 1
            for col, values in buffer.items():
                values.append(ev.get(col))
            buffer["event_id"][-1] = make_event_id(system, item.key, ev["kind"], source, target)
            buffer["origin"][-1] = ev.get("origin") or origin
            buffer["record_id"][-1] = record_id
            thread = ev.get("thread_id")
            buffer["thread_id"][-1] = hash_key(system, thread) if thread else None
        return kept, record_id

    def read(self) -> ReadResult:
        """Read the whole input into a :class:`ReadResult`."""
        frames = [f for f in self.iter_frames() if len(f)]
        interactions = pd.concat(frames, ignore_index=True) if frames else empty_interactions()
        report = ImportReport(files=[self.report], rejects=list(self.rejects))
        return ReadResult(interactions, self.people(), self.affiliations(), report, self.extras())

    def people(self) -> pd.DataFrame:
        if not self._people:
            return empty_people()
        return validate_people(pd.DataFrame(list(self._people.values())))

    def affiliations(self) -> pd.DataFrame:
        if not self._affiliations:
            return empty_affiliations()
        cols = ["person", "group", "group_type", "origin"]
        return validate_affiliations(pd.DataFrame(self._affiliations, columns=cols))

    def extras(self) -> dict[str, pd.DataFrame]:
        """Source-specific tables; readers that have some override this."""
        return {}

    # -- internals ---------------------------------------------------------------------------
    def _frame(self, buffer: dict[str, list[Any]]) -> pd.DataFrame:
        if not buffer["event_id"]:
            return empty_interactions()
        try:
            frame = self._build(buffer)
        except (TableError, *DATA_ERRORS):
            # Some record carries a value the canonical table refuses (a year-9999 timestamp, a
            # list for a name): find those records by bisection, reject them, keep the rest.
            frame = self._build(self._drop_bad_records(buffer))
        self._locations.clear()
        return frame

    def _build(self, buffer: dict[str, list[Any]]) -> pd.DataFrame:
        if not buffer["event_id"]:
            return empty_interactions()
        frame = pd.DataFrame(buffer)
        frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True, format="mixed")
        if ((frame["timestamp"] < EARLIEST) | (frame["timestamp"] >= LATEST)).any():
            raise ValueError("timestamp out of range")
        frame["weight"] = frame["weight"].fillna(1.0)
        frame["time_quality"] = frame["time_quality"].fillna("exact")
        frame["automated"] = frame["automated"].fillna(False).astype(bool)
        frame["mass"] = frame["mass"].fillna(False).astype(bool)
        frame["channel"] = frame["channel"].fillna(self.channel)
        return validate_interactions(frame)

    def _drop_bad_records(self, buffer: dict[str, list[Any]]) -> dict[str, list[Any]]:
        ids = buffer["record_id"]
        bounds = [i for i in range(len(ids)) if i == 0 or ids[i] != ids[i - 1]] + [len(ids)]
        bad: dict[str, str] = {}

        def search(lo: int, hi: int) -> None:  # records bounds[lo:hi]
            part = {c: v[bounds[lo] : bounds[hi]] for c, v in buffer.items()}
            try:
                self._build(part)
            except (TableError, *DATA_ERRORS) as exc:
                if hi - lo == 1:
                    bad[ids[bounds[lo]]] = _frame_error_reason(exc)
                    return
                mid = (lo + hi) // 2
                search(lo, mid)
                search(mid, hi)

        search(0, len(bounds) - 1)
        keep = [i for i, rid in enumerate(ids) if rid not in bad]
        for rid, reason in bad.items():
            n = ids.count(rid)
            self.report.imported -= 1
            self.report.events -= n
            self._reject(Rejected(self._locations.get(rid, "?"), reason))
        self.record_ids = [r for r in self.record_ids if r not in bad]
        return {c: [v[i] for i in keep] for c, v in buffer.items()}

    def _reject(self, item: Rejected) -> None:
        self.report.rejected[item.reason] += 1
        self.rejects.append((str(self.path), item.location, item.reason))
        if not item.excluded:
            self._invalid += 1
            if self.on_bad_lines == "error":
                raise BadInputError(str(self.path), item.location, item.reason)

    def _finish(self) -> None:
        if self._invalid and self.on_bad_lines == "warn":
            warnings.warn(
                f"{self.path}: {self._invalid} record(s) could not be read; the import report "
                "lists each with its location and reason",
                BadLinesWarning,
                stacklevel=4,
            )
        log.info("%s: %s", self.path, self.report.to_dict())
