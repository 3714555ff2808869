"""Calendars: iCalendar (RFC 5545) exports and invitations, as ``meeting`` interactions.

Each ``VEVENT`` gives one interaction from the organiser to each attendee who did not decline
(rooms and resources are not people and are left out). The weight is the meeting's length in
hours divided by ``n - 1`` for ``n`` people (organiser included), the group rule used for
every channel: a one-hour one-to-one weighs 1, a one-hour meeting of five weighs 0.25 per
attendee. Meetings with more attendees than ``mass_threshold`` are flagged ``mass``, like
broadcast mail. Cancelled meetings are excluded (counted). Recurring meetings are counted once
(the ``RRULE`` is not expanded; the report notes how many). Titles, descriptions and locations are
never read.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ona._validation import Interval, validate_params
from ona.importers._base import ON_BAD_LINES, Reader, ReadResult, Record, Rejected
from ona.importers._email_common import folder_only_of
from ona.importers._io import SafeZip, open_binary

__all__ = ["IcsReader", "read_ics", "MEETING_MASS_THRESHOLD"]

MEETING_MASS_THRESHOLD = 25
_SUFFIXES = (".ics", ".ics.gz", ".ifb", ".ical")
_DURATION = re.compile(
    r"^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$", re.I
)
_MAX_EVENT_LINES = 100_000


def _is_ics(name: str) -> bool:
    return name.lower().endswith(_SUFFIXES)


def _unfold(fh: BinaryIO) -> Iterator[tuple[int, str]]:
    """Content lines with their first physical line number, folding undone (RFC 5545 3.1)."""
    current: str | None = None
    start = 0
    for n, raw in enumerate(fh, 1):
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if line[:1] in (" ", "\t") and current is not None:
            current += line[1:]
            continue
        if current is not None:
            yield start, current
        current, start = line, n
    if current is not None:
        yield start, current


def _split(line: str) -> tuple[str, dict[str, str], str]:
    """``NAME;P1=a;P2="b:c":value`` -> (NAME, {P1: a, P2: b:c}, value)."""
    quoted = False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == ":" and not quoted:
            head, value = line[:i], line[i + 1 :]
            break
    else:
        return line.upper(), {}, ""
    parts = re.findall(r'(?:[^;"]|"[^"]*")+', head)
    name = parts[0].upper() if parts else ""
    params: dict[str, str] = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        params[k.strip().upper()] = v.strip().strip('"')
    return name, params, value


def _address(value: str) -> str | None:
    v = value.strip()
    if v.lower().startswith("mailto:"):
        v = v[7:]
    v = v.strip().lower()
    return v or None


def _when(value: str, params: dict[str, str]) -> tuple[datetime | None, str | None]:
    v = value.strip()
    try:
        if params.get("VALUE", "").upper() == "DATE" or (len(v) == 8 and v.isdigit()):
            d = date(int(v[:4]), int(v[4:6]), int(v[6:8]))
            return datetime(d.year, d.month, d.day, tzinfo=UTC), "date_only"
        local = datetime.strptime(v.rstrip("Zz"), "%Y%m%dT%H%M%S")
    except ValueError:
        return None, None
    if v.endswith(("Z", "z")):
        return local.replace(tzinfo=UTC), "exact"
    tzid = params.get("TZID")
    if tzid:
        try:
            return local.replace(tzinfo=ZoneInfo(tzid)).astimezone(UTC), "exact"
        except (ZoneInfoNotFoundError, ValueError):
            pass  # e.g. Windows zone names ("W. Europe Standard Time"): read as UTC, flagged
    return local.replace(tzinfo=UTC), "no_timezone"


def _duration(value: str) -> timedelta | None:
    m = _DURATION.match(value.strip())
    if m is None or not any(m.group(i) for i in range(2, 7)):
        return None
    w, d, h, mi, s = (int(m.group(i) or 0) for i in range(2, 7))
    delta = timedelta(weeks=w, days=d, hours=h, minutes=mi, seconds=s)
    return -delta if m.group(1) == "-" else delta


class IcsReader(Reader):
    """Read iCalendar files (see :func:`read_ics`)."""

    format = "ics"
    channel = "meeting"

    def __init__(
        self,
        path: str | Path,
        *,
        on_bad_lines: str = "warn",
        mass_threshold: int = MEETING_MASS_THRESHOLD,
    ):
        super().__init__(path, on_bad_lines=on_bad_lines)
        self.mass_threshold = mass_threshold

    @classmethod
    def detect(cls, path: Path) -> bool:
        path = Path(path)
        if path.is_dir():
            return folder_only_of(path, _is_ics)
        if not path.is_file():
            return False
        if _is_ics(path.name):
            return True
        if path.suffix.lower() == ".zip":
            try:
                with SafeZip(path) as z:
                    return any(_is_ics(n) for n in z.names())
            except Exception:  # a broken zip is not recognisably a calendar
                return False
        try:
            with open_binary(path) as fh:
                return (
                    fh.read(64).lstrip(b"\xef\xbb\xbf \r\n").upper().startswith(b"BEGIN:VCALENDAR")
                )
        except Exception:  # unreadable: not recognisably a calendar
            return False

    def records(self) -> Iterator[Record | Rejected]:
        if self.path.is_dir():
            for f in sorted(p for p in self.path.rglob("*") if p.is_file() and _is_ics(p.name)):
                with open_binary(f) as fh:
                    yield from self._calendar(fh, f.relative_to(self.path).as_posix() + ": ")
        elif self.path.suffix.lower() == ".zip":
            with SafeZip(self.path) as z:
                for name in z.names():
                    if _is_ics(name):
                        with z.open(name) as fh:
                            yield from self._calendar(fh, name + ": ")
        else:
            with open_binary(self.path) as fh:
                yield from self._calendar(fh, "")

    def _calendar(self, fh: BinaryIO, prefix: str) -> Iterator[Record | Rejected]:
        method = ""
        event: list[tuple[str, dict[str, str], str]] | None = None
        depth = 0  # nesting inside the event (VALARM)
        start = 0
        try:
            for n, line in _unfold(fh):
                name, params, value = _split(line)
                if event is None:
                    if name == "METHOD":
                        method = value.strip().upper()
                    elif name == "BEGIN" and value.strip().upper() == "VEVENT":
                        event, depth, start = [], 0, n
                    continue
                if name == "BEGIN":
                    depth += 1
                elif name == "END" and depth:
                    depth -= 1
                elif name == "END" and value.strip().upper() == "VEVENT":
                    yield self._event(event, method, f"{prefix}line {start}")
                    event = None
                elif depth == 0:
                    event.append((name, params, value))
                    if len(event) > _MAX_EVENT_LINES:
                        yield Rejected(
                            f"{prefix}line {start}", "event too long (over 100,000 lines)"
                        )
                        event = None
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile):
            yield Rejected(f"{prefix}line {start}", "truncated or corrupt compressed file")
            return
        if event is not None:
            yield Rejected(f"{prefix}line {start}", "truncated event (no END:VEVENT)")

    def _event(
        self, props: list[tuple[str, dict[str, str], str]], method: str, location: str
    ) -> Record | Rejected:
        first: dict[str, tuple[dict[str, str], str]] = {}
        attendees: list[str] = []
        for name, params, value in props:
            if name == "ATTENDEE":
                if params.get("PARTSTAT", "").upper() == "DECLINED":
                    continue
                if params.get("CUTYPE", "INDIVIDUAL").upper() in ("ROOM", "RESOURCE"):
                    continue
                addr = _address(value)
                if addr and addr not in attendees:
                    attendees.append(addr)
            else:
                first.setdefault(name, (params, value))
        if method == "CANCEL" or first.get("STATUS", ({}, ""))[1].strip().upper() == "CANCELLED":
            return Rejected(location, "cancelled meeting", excluded=True)
        if "DTSTART" not in first:
            return Rejected(location, "no start time")
        begin, quality = _when(first["DTSTART"][1], first["DTSTART"][0])
        if begin is None:
            return Rejected(location, "unreadable start time")
        organiser = _address(first["ORGANIZER"][1]) if "ORGANIZER" in first else None
        if organiser is None:
            return Rejected(location, "no organiser")
        hours = self._hours(first, begin, quality)
        if hours is None:
            return Rejected(location, "unreadable end time or duration")
        targets = [a for a in attendees if a != organiser]
        if not targets:
            return Rejected(location, "no attendees besides the organiser", excluded=True)
        if "RRULE" in first:
            self.note("recurring meeting counted once (RRULE not expanded)")
        uid = first.get("UID", ({}, ""))[1].strip()
        recurrence = first.get("RECURRENCE-ID", ({}, ""))[1].strip()
        key = f"{uid}\x1f{recurrence}" if uid else f"{organiser}\x1f{begin.isoformat()}"
        n = len(targets)
        base: dict[str, Any] = {
            "timestamp": begin,
            "source": organiser,
            "kind": "meeting",
            "channel": "meeting",
            "weight": hours / n,
            "thread_id": uid or None,
            "n_recipients": n,
            "time_quality": quality,
            "automated": False,
            "mass": n > self.mass_threshold,
        }
        return Record(key, location, [{**base, "target": t} for t in targets])

    def _hours(
        self, first: dict[str, tuple[dict[str, str], str]], begin: datetime, quality: str
    ) -> float | None:
        if quality == "date_only":
            # All-day entries carry no meeting length: count them as one nominal hour.
            self.note("all-day meeting weighted as one hour")
            return 1.0
        if "DTEND" in first:
            end, _q = _when(first["DTEND"][1], first["DTEND"][0])
            if end is None:
                return None
            seconds = (end - begin).total_seconds()
        elif "DURATION" in first:
            delta = _duration(first["DURATION"][1])
            if delta is None:
                return None
            seconds = delta.total_seconds()
        else:
            self.note("meeting without end or duration weighted as one hour")
            return 1.0
        if seconds < 0:
            return None
        return seconds / 3600.0


@validate_params({"on_bad_lines": [ON_BAD_LINES], "mass_threshold": [Interval(int, 1)]})
def read_ics(
    path: str | Path, *, on_bad_lines: str = "warn", mass_threshold: int = MEETING_MASS_THRESHOLD
) -> ReadResult:
    """Read calendar invitations or an ``.ics`` export into ``meeting`` interactions.

    Parameters
    ----------
    path : str or Path
        An ``.ics`` file (possibly ``.ics.gz``), a folder of them, or a ``.zip`` of them.
    on_bad_lines : {'error', 'warn', 'skip'}
        What to do with an event that cannot be read.
    mass_threshold : int
        Meetings with more attendees than this are flagged ``mass``.

    Returns
    -------
    ReadResult
        Interactions with channel and kind ``meeting``: organiser -> each attendee who did not
        decline, ``weight`` = hours / attendees, ``n_recipients`` = attendees.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "invite.ics"
    >>> _ = p.write_text("BEGIN:VCALENDAR\\r\\nBEGIN:VEVENT\\r\\nUID:1\\r\\n"
    ...     "DTSTART:20260105T090000Z\\r\\nDTEND:20260105T100000Z\\r\\n"
    ...     "ORGANIZER:mailto:a@x.org\\r\\nATTENDEE;PARTSTAT=ACCEPTED:mailto:b@x.org\\r\\n"
    ...     "ATTENDEE;PARTSTAT=ACCEPTED:mailto:c@x.org\\r\\nEND:VEVENT\\r\\nEND:VCALENDAR\\r\\n")
    >>> read_ics(p).interactions[["source", "target", "weight"]].values.tolist()
    [['a@x.org', 'b@x.org', 0.5], ['a@x.org', 'c@x.org', 0.5]]
    """
    return IcsReader(path, on_bad_lines=on_bad_lines, mass_threshold=mass_threshold).read()
