"""Microsoft 365 / Exchange server logs: message trace CSV, historical search CSV, ``MSGTRK`` logs.

These logs carry no content at all, which makes them the best e-mail source for ONA. Three
layouts are recognised from their header line:

* ``Get-MessageTrace`` / ``Get-MessageTraceV2`` exports: one row per message and recipient
  (``Received, SenderAddress, RecipientAddress, Status, MessageId, ...``). ``Expanded`` rows
  (a distribution group expanded to its members, whose own rows follow) and failed, spam or
  quarantined deliveries are excluded, counted by reason.
* ``Start-HistoricalSearch`` reports: one row per message, ``recipient_status`` listing
  ``address##status`` pairs separated by ``;``.
* Exchange on-premises message tracking logs (``MSGTRK*.LOG``): W3C-style ``#Fields:`` header;
  ``DELIVER``, ``SEND`` and ``RECEIVE`` rows are kept, other tracking events are excluded.

Each (message, recipient) pair is imported once however many rows or servers repeat it, and
``n_recipients`` counts a message's distinct recipients over the whole file (a first pass reads
only the id and recipient columns). The logs carry no To/Cc distinction (``kind="to"``) and no
threading, so no reply edges are made.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ona._validation import Interval, validate_params
from ona.importers._base import ON_BAD_LINES, ReadResult, Record, Rejected
from ona.importers._email_common import MASS_THRESHOLD, EmailReader, RecipientRows, automated_sender
from ona.importers._email_headers import parse_date, parse_msgid
from ona.importers._io import open_binary

__all__ = ["MessageTraceReader", "read_message_trace", "parse_log_time"]

_SUFFIXES = (".csv", ".log", ".txt", ".csv.gz", ".log.gz", ".txt.gz")
_EXCLUDED_STATUS = {
    "expanded": "distribution group expansion row (members have their own rows)",
    "failed": "delivery failed",
    "filteredasspam": "filtered as spam",
    "quarantined": "quarantined",
}
_KEPT_EVENTS = {"DELIVER", "SEND", "RECEIVE"}
_BROKEN = (OSError, EOFError, csv.Error, UnicodeError)  # truncated gzip, NUL bytes, huge fields
_TIME_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%Y/%m/%d %H:%M:%S")


def parse_log_time(value: str) -> datetime | None:
    """A server log time (ISO 8601, US ``M/D/YYYY h:mm:ss AM``, RFC 2822) as UTC; logs are UTC.

    Examples
    --------
    >>> parse_log_time("2026-01-05T09:00:00.1234567Z").isoformat()
    '2026-01-05T09:00:00.123456+00:00'
    >>> parse_log_time("1/5/2026 9:00:00 AM").hour
    9
    """
    v = value.strip()
    if not v:
        return None
    iso = v.replace(" UTC", "").replace("Z", "+00:00")
    if "." in iso:  # .NET writes 7 fractional digits; Python reads at most 6
        head, _, tail = iso.partition(".")
        digits = "".join(c for c in tail if c.isdigit())
        iso = f"{head}.{digits[:6]}{tail[len(digits) :]}"
    try:
        dt = datetime.fromisoformat(iso)
        return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    except ValueError:
        pass
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(v, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    dt, _q = parse_date(v)
    return dt


def _layout(header: list[str]) -> str | None:
    names = {h.strip().lower() for h in header}
    if {"senderaddress", "recipientaddress"} <= names:
        return "trace"
    if {"sender_address", "recipient_status"} <= names:
        return "historical"
    if {"sender-address", "recipient-address", "event-id"} <= names:
        return "msgtrk"
    return None


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Data rows of a log as dicts keyed by lower-cased column name, with their line number
    (comment lines skipped; an ``MSGTRK`` ``#Fields:`` line gives the header)."""
    header: list[str] | None = None
    line_no = 0

    def lines(text: io.TextIOBase) -> Iterator[str]:
        nonlocal header, line_no
        for line_no, line in enumerate(text, 1):  # noqa: B007 - read by the row loop below
            if line.startswith("#"):
                if line.startswith("#Fields:"):
                    header = [h.strip().lower() for h in line[8:].strip().split(",")]
                continue
            yield line

    with open_binary(path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
        for row in csv.reader(lines(text)):
            if not any(c.strip() for c in row):
                continue
            if header is None:
                header = [h.strip().lower() for h in row]
                continue
            yield line_no, dict(zip(header, row, strict=False))


def sniff(path: Path) -> str | None:
    """The log layout of ``path`` ('trace', 'historical', 'msgtrk') or None."""
    try:
        with open_binary(path) as raw:
            head = raw.read(8192).decode("utf-8-sig", "replace")
    except Exception:  # unreadable or corrupt: not recognisably a log
        return None
    for line in head.splitlines():
        if line.startswith("#Fields:"):
            return _layout(line[8:].split(","))
        if line.startswith("#") or not line.strip():
            continue
        try:
            return _layout(next(csv.reader([line])))
        except csv.Error:
            return None
    return None


class MessageTraceReader(EmailReader):
    """Read a Microsoft 365 message trace or Exchange tracking log (see :func:`read_message_trace`)."""

    format = "message_trace"

    @classmethod
    def detect(cls, path: Path) -> bool:
        path = Path(path)
        return path.is_file() and path.name.lower().endswith(_SUFFIXES) and sniff(path) is not None

    def _fields(self, layout: str, row: dict[str, str]) -> tuple[str, str, list[str], str, str]:
        """(message id, sender, recipients, time text, status or event) of one row."""
        if layout == "trace":
            rcpt = [row.get("recipientaddress", "")]
            return (row.get("messageid", ""), row.get("senderaddress", ""), rcpt,
                    row.get("received", ""), row.get("status", ""))  # fmt: skip
        if layout == "historical":
            rcpt = [p.partition("##")[0] for p in row.get("recipient_status", "").split(";")]
            return (row.get("message_id", ""), row.get("sender_address", ""), rcpt,
                    row.get("origin_timestamp_utc", ""), "")  # fmt: skip
        rcpt = row.get("recipient-address", "").split(";")
        return (row.get("message-id", ""), row.get("sender-address", ""), rcpt,
                row.get("date-time", ""), row.get("event-id", ""))  # fmt: skip

    @staticmethod
    def _excluded(layout: str, status: str) -> str | None:
        """Why a row is left out on purpose (group expansion, failed delivery...), or None."""
        status = status.strip()
        if layout == "trace" and status.lower() in _EXCLUDED_STATUS:
            return _EXCLUDED_STATUS[status.lower()]
        if layout == "msgtrk" and status.upper() not in _KEPT_EVENTS:
            return "tracking event that is not a delivery"
        return None

    def records(self) -> Iterator[Record | Rejected]:
        layout = sniff(self.path)
        if layout is None:
            yield Rejected("line 1", "not a message trace or tracking log header")
            return
        counts: dict[str, set[str]] = {}
        try:  # first pass: distinct recipients per message
            for _n, row in _rows(self.path):
                mid, _s, rcpt, _t, status = self._fields(layout, row)
                if self._excluded(layout, status) is not None:
                    continue
                counts.setdefault(parse_msgid(mid) or "", set()).update(
                    r.strip().lower() for r in rcpt if r.strip()
                )
        except _BROKEN:
            pass  # the second pass reports where the file breaks off
        rows = RecipientRows()
        self.note("no threading in server logs: no reply edges")
        last = 0
        try:
            for last, row in _rows(self.path):
                yield self._row(layout, last, row, rows, counts)
        except _BROKEN:
            yield Rejected(f"after line {last}", "truncated or corrupt file (the rest is unread)")

    def _row(
        self, layout: str, n: int, row: dict[str, str], rows: RecipientRows,
        counts: dict[str, set[str]],
    ) -> Record | Rejected:  # fmt: skip
        location = f"line {n}"
        raw_id, sender, rcpt, when, status = self._fields(layout, row)
        why = self._excluded(layout, status)
        if why is not None:
            return Rejected(location, why, excluded=True)
        message_id = parse_msgid(raw_id)
        if message_id is None:
            return Rejected(location, "no message id")
        sender = sender.strip().strip("<>").lower()
        recipients = list(dict.fromkeys(r.strip().lower() for r in rcpt if r.strip()))
        if not recipients:
            return Rejected(location, "no recipient address")
        timestamp = parse_log_time(when)
        if timestamp is None:
            return Rejected(location, "unreadable time")
        if not sender and layout != "msgtrk":
            return Rejected(location, "no sender address")
        n_rcpt = len(counts.get(message_id, ())) or len(recipients)
        base: dict[str, Any] = {
            "timestamp": timestamp,
            "source": sender or "<>",
            "kind": "to",
            "n_recipients": n_rcpt,
            "time_quality": "exact",
            "automated": automated_sender(sender),
            "mass": n_rcpt > self.mass_threshold,
        }
        return rows.record(message_id, recipients, location, base)


@validate_params({"on_bad_lines": [ON_BAD_LINES], "mass_threshold": [Interval(int, 1)]})
def read_message_trace(
    path: str | Path, *, on_bad_lines: str = "warn", mass_threshold: int = MASS_THRESHOLD
) -> ReadResult:
    """Read a Microsoft 365 message trace, historical search report or Exchange tracking log.

    Parameters
    ----------
    path : str or Path
        The CSV or ``MSGTRK*.LOG`` file (possibly ``.gz``).
    on_bad_lines : {'error', 'warn', 'skip'}
        What to do with a row that cannot be read.
    mass_threshold : int
        Messages with more distinct recipients than this are flagged ``mass``.

    Returns
    -------
    ReadResult
        One ``to`` interaction per (message, recipient), ``n_recipients`` per message.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "trace.csv"
    >>> _ = p.write_text('"Received","SenderAddress","RecipientAddress","Subject","Status",'
    ...     '"MessageId"\\n"2026-01-05T09:00:00Z","a@x.org","b@x.org","s","Delivered","<1@x>"\\n'
    ...     '"2026-01-05T09:00:00Z","a@x.org","c@x.org","s","Delivered","<1@x>"\\n')
    >>> read_message_trace(p).interactions[["target", "n_recipients"]].values.tolist()
    [['b@x.org', 2], ['c@x.org', 2]]
    """
    return MessageTraceReader(path, on_bad_lines=on_bad_lines, mass_threshold=mass_threshold).read()
