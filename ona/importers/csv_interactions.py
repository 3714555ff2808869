"""A generic CSV of interactions, for systems without a reader of their own.

Each row is one directed interaction: a ``source``, a ``target`` and a ``timestamp``, and
optionally ``weight``, ``kind``, ``channel``, ``thread_id``, ``container``, ``n_recipients`` and
a native ``id`` (used as the record key; without one the key is the row's content and its
occurrence number, so a re-import is recognised and identical rows are still all counted).
Columns are found by their usual names (``from``/``to``, ``sender``/``recipient``, ``time``,
``date`` …) or mapped explicitly with ``columns={"source": "Requester", ...}`` (on the command
line: ``ona import FILE --columns source=Requester,target=Assignee,timestamp=Opened``). The
delimiter (``,``, ``;``, tab or ``|``) is detected. ``kind`` and
``channel`` come from their columns or from the ``kind=``/``channel=`` options (default
``"other"``) and must be one of :data:`ona.tables.KINDS` / :data:`ona.tables.CHANNELS`.

The file is streamed row by row (``.gz``/``.bz2``/``.xz`` decompressed on the fly); times without
a zone are read as UTC and flagged ``no_timezone``, bare dates ``date_only``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ona._validation import Options, validate_params
from ona.exceptions import BadInputError
from ona.importers._base import ON_BAD_LINES, Reader, ReadResult, Record, Rejected
from ona.importers._io import open_binary
from ona.tables import CHANNELS, KINDS

__all__ = [
    "ALIASES",
    "InteractionsCsvReader",
    "detect_delimiter",
    "parse_column_mapping",
    "read_interactions_csv",
]

# canonical column -> usual names (compared lower-cased, without spaces, dashes or dots)
ALIASES: dict[str, tuple[str, ...]] = {
    "source": ("source", "from", "sender", "src", "source_id", "from_id", "sender_id", "actor"),
    "target": ("target", "to", "recipient", "dst", "receiver", "target_id", "to_id",
               "recipient_id"),
    "timestamp": ("timestamp", "time", "datetime", "date", "created_at", "sent_at", "ts", "when"),
    "weight": ("weight", "strength"),
    "kind": ("kind", "relation"),
    "channel": ("channel", "medium"),
    "thread_id": ("thread_id", "thread", "conversation_id"),
    "container": ("container", "channel_name", "group", "room"),
    "n_recipients": ("n_recipients", "recipients", "recipient_count"),
    "id": ("id", "event_id", "message_id", "record_id"),
}  # fmt: skip
_SUFFIXES = (".csv", ".tsv", ".csv.gz", ".tsv.gz", ".csv.bz2", ".csv.xz")


def _norm(name: str) -> str:
    return re.sub(r"[\s.\-]+", "_", name.strip().lower())


def map_columns(names: list[str], overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Canonical column → the file's column name, from ``overrides`` then the usual names.

    Examples
    --------
    >>> map_columns(["From", "To", "Sent At"])
    {'source': 'From', 'target': 'To', 'timestamp': 'Sent At'}
    """
    found: dict[str, str] = {}
    by_norm = {_norm(n): n for n in names}
    for canonical, column in (overrides or {}).items():
        if column in names:
            found[canonical] = column
    for canonical, aliases in ALIASES.items():
        if canonical in found:
            continue
        for alias in aliases:
            if alias in by_norm and by_norm[alias] not in found.values():
                found[canonical] = by_norm[alias]
                break
    return found


def _sniff(path: Path) -> tuple[list[str], str]:
    """(header, delimiter) from the first bytes; ([], ',') if unreadable."""
    try:
        with open_binary(path) as fh:
            sample = fh.read(8192).decode("utf-8-sig", "replace")
    except (OSError, BadInputError, EOFError):
        return [], ","
    lines = sample.splitlines()
    if not lines:
        return [], ","
    delimiter = detect_delimiter(lines[:20])
    return [c.strip() for c in next(csv.reader(lines[:1], delimiter=delimiter), [])], delimiter


def detect_delimiter(lines: list[str]) -> str:
    """The delimiter of a CSV (``,``, ``;``, tab or ``|``) from its first lines.

    :class:`csv.Sniffer` first; when it cannot decide (one data row, quoted cells...), the
    candidate found the same number of times, at least once, on every line (the header's count
    breaking ties), else a comma.

    Examples
    --------
    >>> detect_delimiter(["Sender;Recipient;EventDate", "a@x.org;b@x.org;2026-01-05 10:00"])
    ';'
    """
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t|").delimiter
    except csv.Error:
        pass
    rows = [ln for ln in lines if ln.strip()]
    best, best_count = ",", 0
    for d in (",", ";", "\t", "|"):
        counts = {ln.count(d) for ln in rows}
        if len(counts) == 1 and (n := counts.pop()) > best_count:
            best, best_count = d, n
    return best


def parse_column_mapping(text: str) -> dict[str, str]:
    """``"source=Sender,target=Recipient"`` → ``{"source": "Sender", "target": "Recipient"}``
    (the ``--columns`` option of ``ona import``).

    Examples
    --------
    >>> parse_column_mapping("source=Sender, target=Recipient,timestamp=Event Date")
    {'source': 'Sender', 'target': 'Recipient', 'timestamp': 'Event Date'}
    """
    out: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        canonical, sep, column = part.partition("=")
        canonical, column = canonical.strip(), column.strip()
        if not sep or not canonical or not column:
            raise ValueError(f"{part.strip()!r} is not CANONICAL=COLUMN")
        if canonical not in ALIASES:
            raise ValueError(
                f"{canonical!r} is not a column ona knows (one of {', '.join(ALIASES)})"
            )
        out[canonical] = column
    if not out:
        raise ValueError("no CANONICAL=COLUMN pair")
    return out


def _parse_time(text: str) -> tuple[Any, str] | None:
    """(UTC time, time_quality) of one cell, or None."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"\d{9,13}(\.\d+)?", text):  # epoch seconds or milliseconds
        value = float(text)
        return dt.datetime.fromtimestamp(value / 1000 if value > 1e11 else value, tz=dt.UTC), "exact"
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            stamp = pd.Timestamp(text)
        except (ValueError, TypeError, OverflowError):
            return None
        if pd.isna(stamp):
            return None
        parsed = stamp.to_pydatetime()
    if parsed.tzinfo is None:
        quality = "date_only" if len(text) <= 10 else "no_timezone"
        return parsed.replace(tzinfo=dt.UTC), quality
    return parsed.astimezone(dt.UTC), "exact"


class InteractionsCsvReader(Reader):
    """Reader of a generic interactions CSV (see the module docstring)."""

    format = "interactions_csv"
    channel = "other"
    version = "2"  # 2: a mapping naming a missing column is an error

    def __init__(
        self,
        path: str | Path,
        *,
        on_bad_lines: str = "warn",
        columns: Mapping[str, str] | None = None,
        kind: str = "other",
        channel: str = "other",
    ):
        super().__init__(path, on_bad_lines=on_bad_lines)
        self.columns, self.kind, self.default_channel = dict(columns or {}), kind, channel

    @classmethod
    def detect(cls, path: Path) -> bool:
        path = Path(path)
        if not (path.is_file() and path.name.lower().endswith(_SUFFIXES)):
            return False
        found = map_columns(_sniff(path)[0])
        return "source" in found and "target" in found

    def records(self) -> Iterator[Record | Rejected]:
        names, delimiter = _sniff(self.path)
        unknown = [c for c in self.columns if c not in ALIASES]
        if unknown:
            raise BadInputError(str(self.path), None, f"unknown canonical column(s) {unknown}")
        absent = [f"{c}={n}" for c, n in self.columns.items() if n not in names]
        if absent:
            raise BadInputError(
                str(self.path), "line 1",
                f"the column mapping names columns the file does not have ({', '.join(absent)}); "
                f"its columns are: {', '.join(names)}",
            )
        cols = map_columns(names, self.columns)
        missing = [c for c in ("source", "target", "timestamp") if c not in cols]
        if missing:
            example = ",".join(f"{c}={cols.get(c, 'COLUMN')}" for c in ("source", "target", "timestamp"))
            raise BadInputError(
                str(self.path), "line 1",
                f"no {', '.join(missing)} column(s) among: {', '.join(names)}; map them on the "
                f"command line with --columns {example} (in Python: columns={{...}})",
            )
        occurrences: Counter = Counter()
        with open_binary(self.path) as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
            reader = csv.DictReader(text, delimiter=delimiter)
            try:
                for row in reader:
                    yield self._row(row, f"line {reader.line_num}", cols, occurrences)
            except (csv.Error, UnicodeDecodeError) as exc:
                raise BadInputError(str(self.path), f"line {reader.line_num}",
                                    f"malformed CSV ({type(exc).__name__})") from None

    def _row(self, row: dict[str, Any], loc: str, cols: dict[str, str], occurrences: Counter) -> Record | Rejected:
        def get(name: str) -> str:
            value = row.get(cols[name]) if name in cols else None
            return value.strip() if isinstance(value, str) else ""

        source, target = get("source"), get("target")
        if not source or not target:
            return Rejected(loc, "missing source or target")
        parsed = _parse_time(get("timestamp"))
        if parsed is None:
            return Rejected(loc, "missing or bad timestamp")
        when, quality = parsed
        kind = get("kind").lower() or self.kind
        channel = get("channel").lower() or self.default_channel
        if kind not in KINDS:
            return Rejected(loc, "unknown kind")
        if channel not in CHANNELS:
            return Rejected(loc, "unknown channel")
        weight = 1.0
        if get("weight"):
            try:
                weight = float(get("weight"))
            except ValueError:
                return Rejected(loc, "bad weight")
            if not 0 <= weight < float("inf"):
                return Rejected(loc, "bad weight")
        n_recipients = None
        if get("n_recipients"):
            try:
                n_recipients = int(float(get("n_recipients")))
            except ValueError:
                return Rejected(loc, "bad n_recipients")
            if n_recipients < 1:
                return Rejected(loc, "bad n_recipients")
        event = {
            "timestamp": when, "source": source, "target": target, "kind": kind,
            "channel": channel, "weight": weight, "time_quality": quality,
            "thread_id": get("thread_id") or None, "container": get("container") or None,
            "n_recipients": n_recipients,
        }  # fmt: skip
        if get("id"):
            key = f"id:{get('id')}|{target}"
        else:
            content = "\x1f".join((source, target, when.isoformat(), kind, channel, get("thread_id")))
            occurrences[content] += 1
            key = f"{content}#{occurrences[content]}"
        return Record(key, loc, [event])


@validate_params({
    "on_bad_lines": [ON_BAD_LINES],
    "columns": [None, Mapping],
    "kind": [Options(KINDS)],
    "channel": [Options(CHANNELS)],
})  # fmt: skip
def read_interactions_csv(
    path: str | Path,
    *,
    on_bad_lines: str = "warn",
    columns: Mapping[str, str] | None = None,
    kind: str = "other",
    channel: str = "other",
) -> ReadResult:
    """Read a CSV of interactions (source, target, timestamp and optional columns).

    Parameters
    ----------
    path : str or Path
        The CSV (any of ``, ; tab |`` as delimiter; ``.gz``/``.bz2``/``.xz`` streamed).
    on_bad_lines : {'warn', 'error', 'skip'}
        What to do with an unreadable row (it is counted either way).
    columns : mapping, optional
        Canonical name → column in the file, for columns not found by their usual names
        (see :data:`ALIASES`), e.g. ``{"source": "Requester", "target": "Assignee"}``.
    kind, channel : str, default 'other'
        For rows without a ``kind``/``channel`` column (or with it empty).

    Returns
    -------
    ReadResult
        The Interactions table and the accounting.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "tickets.csv"
    >>> _ = f.write_text("Requester,Assignee,Opened\\nann,bob,2026-01-05T09:00:00Z\\n")
    >>> r = read_interactions_csv(f, columns={"source": "Requester", "target": "Assignee",
    ...                                       "timestamp": "Opened"})
    >>> r.interactions[["source", "target", "kind", "channel"]].values.tolist()
    [['ann', 'bob', 'other', 'other']]
    """
    return InteractionsCsvReader(
        path, on_bad_lines=on_bad_lines, columns=columns, kind=kind, channel=channel
    ).read()
