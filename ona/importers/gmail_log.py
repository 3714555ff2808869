"""Google Workspace Gmail logs: BigQuery exports (JSON, JSON lines) and log-search CSV exports.

A Gmail log has several events per message (received, delivered, relayed...), each naming the
sender (``message_info.source.address``), the destinations (``message_info.destination[]``) and
the RFC 2822 message id. Each (message, recipient) pair is imported once, spam is excluded, and
``n_recipients`` counts a message's distinct recipients over the whole file. Column names are
matched case-insensitively against the BigQuery field paths and the Admin console's CSV headings
(``Message ID``, ``Sender``, ``Recipient``, ``Date``). No content field is read.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ona._validation import Interval, validate_params
from ona.importers._base import ON_BAD_LINES, ReadResult, Record, Rejected
from ona.importers._email_common import MASS_THRESHOLD, EmailReader, RecipientRows, automated_sender
from ona.importers._email_headers import parse_addresses, parse_msgid
from ona.importers._io import open_binary
from ona.importers.message_trace import parse_log_time

__all__ = ["GmailLogReader", "read_gmail_log"]

_ID = ("message_info.rfc2822_message_id", "rfc2822_message_id", "message id", "message_id",
       "messageid")  # fmt: skip
_SENDER = ("message_info.source.address", "source.address", "sender", "from", "sender address")
_RCPT = ("message_info.destination.address", "destination.address", "message_info.destination",
         "destination", "recipient", "recipients", "to", "recipient address")  # fmt: skip
_TIME = ("event_info.timestamp_usec", "timestamp_usec", "timestamp", "date", "time", "event time")
_SPAM = ("message_info.is_spam", "is_spam")


_BROKEN = (OSError, EOFError, csv.Error, UnicodeError)  # truncated gzip, NUL bytes, huge fields


def _flatten(obj: Any, prefix: str = "", out: dict[str, Any] | None = None) -> dict[str, Any]:
    """Nested JSON -> {'a.b.c': value}; lists of objects gather each field into a list."""
    out = {} if out is None else out
    if isinstance(obj, dict):
        for k, v in obj.items():
            _flatten(v, f"{prefix}{k.lower()}.", out)
    elif isinstance(obj, list) and obj and all(isinstance(x, dict) for x in obj):
        for x in obj:
            for k, v in _flatten(x, prefix).items():
                out.setdefault(k, []).append(v)
    else:
        out[prefix[:-1]] = obj
    return out


def _pick(row: dict[str, Any], names: tuple[str, ...]) -> Any:
    for n in names:
        if n in row and row[n] not in (None, ""):
            return row[n]
    return None


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        n = int(text)
        # BigQuery timestamp_usec is microseconds; accept milliseconds and seconds too.
        seconds = n / 1e6 if n > 1e14 else n / 1e3 if n > 1e11 else float(n)
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return parse_log_time(text)


def _addresses(value: Any) -> list[str]:
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    flat = [str(v) for v in values if v not in (None, "")]
    return parse_addresses([x.replace(";", ",") for x in flat])


def _sniff(path: Path) -> str | None:
    """'json' or 'csv' when ``path`` looks like a Gmail log, else None."""
    try:
        with open_binary(path) as raw:
            head = raw.read(16384).decode("utf-8-sig", "replace")
    except Exception:  # unreadable or corrupt: not recognisably a Gmail log
        return None
    lower = head.lower()
    if head.lstrip()[:1] in ("{", "["):
        return "json" if "rfc2822_message_id" in lower else None
    first = lower.splitlines()[0] if lower.strip() else ""
    cols = {c.strip() for c in first.split(",")}
    if (
        cols & set(_ID)
        and cols & set(_SENDER)
        and cols & set(_RCPT)
        and "senderaddress" not in cols
    ):
        return "csv"
    return None


class GmailLogReader(EmailReader):
    """Read Gmail log events (see :func:`read_gmail_log`)."""

    format = "gmail_log"

    @classmethod
    def detect(cls, path: Path) -> bool:
        path = Path(path)
        return path.is_file() and _sniff(path) is not None

    def _rows(self, kind: str) -> Iterator[tuple[str, dict[str, Any] | None]]:
        with open_binary(self.path) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
            if kind == "csv":
                reader = csv.DictReader(text)
                for row in reader:
                    yield (
                        f"line {reader.line_num}",
                        {(k or "").strip().lower(): v for k, v in row.items()},
                    )
                return
            first = text.read(1)
            while first.isspace():
                first = text.read(1)
            if first == "[":  # one JSON array (a whole BigQuery result)
                try:
                    items = json.loads(first + text.read())
                except json.JSONDecodeError:
                    yield "item 1", None
                    return
                for i, item in enumerate(items, 1):
                    yield f"item {i}", _flatten(item) if isinstance(item, dict) else None
                return
            for n, line in enumerate(_prepend(first, text), 1):  # JSON lines
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except json.JSONDecodeError:
                    yield f"line {n}", None
                    continue
                yield f"line {n}", _flatten(item) if isinstance(item, dict) else None

    def records(self) -> Iterator[Record | Rejected]:
        kind = _sniff(self.path)
        if kind is None:
            yield Rejected("line 1", "not a Gmail log")
            return
        counts: dict[str, set[str]] = {}
        try:  # first pass: distinct recipients per message
            for _loc, row in self._rows(kind):
                if row is not None:
                    mid = parse_msgid(str(_pick(row, _ID) or ""))
                    if mid:
                        counts.setdefault(mid, set()).update(_addresses(_pick(row, _RCPT)))
        except _BROKEN:
            pass  # the second pass reports where the file breaks off
        rows = RecipientRows()
        location = "start"
        try:
            for location, row in self._rows(kind):
                yield self._record(location, row, rows, counts)
        except _BROKEN:
            yield Rejected(f"after {location}", "truncated or corrupt file (the rest is unread)")

    def _record(
        self, location: str, row: dict[str, Any] | None, rows: RecipientRows,
        counts: dict[str, set[str]],
    ) -> Record | Rejected:  # fmt: skip
        if row is None:
            return Rejected(location, "not valid JSON")
        if str(_pick(row, _SPAM)).lower() in ("true", "1"):
            return Rejected(location, "spam", excluded=True)
        message_id = parse_msgid(str(_pick(row, _ID) or ""))
        if message_id is None:
            return Rejected(location, "no message id")
        senders = _addresses(_pick(row, _SENDER))
        if not senders:
            return Rejected(location, "no sender address")
        recipients = _addresses(_pick(row, _RCPT))
        if not recipients:
            return Rejected(location, "no recipient address")
        timestamp = _time(_pick(row, _TIME))
        if timestamp is None:
            return Rejected(location, "unreadable time")
        n = len(counts.get(message_id, ())) or len(recipients)
        base = {
            "timestamp": timestamp,
            "source": senders[0],
            "kind": "to",
            "n_recipients": n,
            "time_quality": "exact",
            "automated": automated_sender(senders[0]),
            "mass": n > self.mass_threshold,
        }
        return rows.record(message_id, recipients, location, base)


def _prepend(first: str, text: io.TextIOBase) -> Iterator[str]:
    rest = text.readline()
    yield first + rest
    yield from text


@validate_params({"on_bad_lines": [ON_BAD_LINES], "mass_threshold": [Interval(int, 1)]})
def read_gmail_log(
    path: str | Path, *, on_bad_lines: str = "warn", mass_threshold: int = MASS_THRESHOLD
) -> ReadResult:
    """Read Google Workspace Gmail log events (BigQuery JSON / JSON lines, or CSV).

    Parameters
    ----------
    path : str or Path
        The export (possibly ``.gz``).
    on_bad_lines : {'error', 'warn', 'skip'}
        What to do with a row that cannot be read.
    mass_threshold : int
        Messages with more distinct recipients than this are flagged ``mass``.

    Returns
    -------
    ReadResult
        One ``to`` interaction per (message, recipient).

    Examples
    --------
    >>> import tempfile, pathlib, json
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "gmail.json"
    >>> row = {"event_info": {"timestamp_usec": "1767603600000000"}, "message_info": {
    ...     "rfc2822_message_id": "<1@x.org>", "source": {"address": "a@x.org"},
    ...     "destination": [{"address": "b@x.org"}, {"address": "c@x.org"}]}}
    >>> _ = p.write_text(json.dumps(row) + "\\n" + json.dumps(row) + "\\n")
    >>> res = read_gmail_log(p)
    >>> res.interactions["target"].tolist(), res.report.files[0].duplicates
    (['b@x.org', 'c@x.org'], 1)
    """
    return GmailLogReader(path, on_bad_lines=on_bad_lines, mass_threshold=mass_threshold).read()
