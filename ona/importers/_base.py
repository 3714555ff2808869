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
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

import pandas as pd

from ona._validation import Options, check_param
from ona.exceptions import BadInputError
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
    "hash_key",
]

log = logging.getLogger("ona.importers")

ON_BAD_LINES = Options({"error", "warn", "skip"})


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
        for item in self.records():
            self.report.read += 1
            if isinstance(item, Rejected):
                self._reject(item)
                continue
            if item.key in self._seen:
                self.report.duplicates += 1
                continue
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
            if item.events and not kept:
                self._reject(Rejected(item.location, "self-interaction only", excluded=True))
                continue
            self.report.imported += 1
            self.report.events += kept
            self.record_ids.append(record_id)
            if len(buffer["event_id"]) >= chunk_events:
                yield self._frame(buffer)
                buffer = {c: [] for c in INTERACTION_COLUMNS}
        if buffer["event_id"] or self.report.events == 0:
            yield self._frame(buffer)
        self._finish()

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
        frame = pd.DataFrame(buffer)
        frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True, format="mixed")
        frame["weight"] = frame["weight"].fillna(1.0)
        frame["time_quality"] = frame["time_quality"].fillna("exact")
        frame["automated"] = frame["automated"].fillna(False).astype(bool)
        frame["mass"] = frame["mass"].fillna(False).astype(bool)
        frame["channel"] = frame["channel"].fillna(self.channel)
        return validate_interactions(frame)

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
