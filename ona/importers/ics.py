"""Calendars: iCalendar (RFC 5545) exports and invitations, as ``meeting`` interactions.

Each meeting gives one interaction from the organiser to each attendee who did not decline
(rooms and resources are not people and are left out). The weight is the meeting's length in
hours divided by ``n - 1`` for ``n`` people (organiser included), the group rule used for
every channel: a one-hour one-to-one weighs 1, a one-hour meeting of five weighs 0.25 per
attendee. Meetings with more attendees than ``mass_threshold`` are flagged ``mass``, like
broadcast mail. Cancelled meetings are excluded (counted). Titles, descriptions and locations are
never read.

**Time zones.** A ``TZID`` is resolved, in order, by the ``VTIMEZONE`` the file defines under
that name (Outlook writes Windows names such as ``W. Europe Standard Time`` with their rules),
as an IANA zone, or as a Windows zone name (CLDR table); only a name none of these knows is read
as UTC and flagged ``time_quality="no_timezone"`` (counted in the notes), like floating times.

**Recurring meetings** (``RRULE``, ``RDATE``, ``EXDATE``) are expanded with ``dateutil.rrule``
in the meeting's own time zone (a 09:00 weekly meeting stays at 09:00 across daylight-saving
changes): each occurrence is one record (key: ``UID`` and the occurrence's start), and a
modified occurrence (a ``VEVENT`` with the same ``UID`` and a ``RECURRENCE-ID``, anywhere in the
input) replaces the one it names. ``DTSTART`` is the first occurrence, as RFC 5545 defines it.
Occurrences are kept in ``[start, end)`` when a period is given; without ``end``, a rule with no
``COUNT`` or ``UNTIL`` is expanded up to the latest date the input mentions (``DTSTART``,
``DTEND``, ``DTSTAMP``: about when it was exported), and the report notes it. A recurring
meeting with no occurrence in the period is counted as excluded.

So ``read`` counts every non-recurring ``VEVENT``, every occurrence of a recurring one, every
``VTODO``, ``VJOURNAL`` and ``VFREEBUSY`` (excluded: not meetings), and every ``VEVENT`` rejected
whole (with its reason: ``"ends before it starts"``, ``"unreadable end
time"``, ``"unreadable duration"``, ``"unreadable recurrence rule"``...).
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from ona._validation import Interval, validate_params
from ona.importers._base import ON_BAD_LINES, Reader, ReadResult, Record, Rejected
from ona.importers._email_common import folder_only_of
from ona.importers._io import SafeZip, open_binary
from ona.importers._windows_zones import WINDOWS_ZONES

__all__ = ["IcsReader", "read_ics", "MEETING_MASS_THRESHOLD", "MAX_OCCURRENCES"]

MEETING_MASS_THRESHOLD = 25
#: Occurrences expanded per recurring meeting at most (a rule gone wrong: FREQ=MINUTELY).
MAX_OCCURRENCES = 10_000
_SUFFIXES = (".ics", ".ics.gz", ".ifb", ".ical")
_DURATION = re.compile(
    r"^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$", re.I
)
_UNTIL = re.compile(r"(?i)(^|;)UNTIL=([0-9TZ]+)")
_MAX_EVENT_LINES = 100_000
# What dateutil's VTIMEZONE parser accepts (it refuses X- and other properties)
_TZ_PROPERTIES = {"BEGIN", "END", "TZID", "DTSTART", "RRULE", "RDATE", "TZOFFSETFROM",
                  "TZOFFSETTO", "TZNAME"}  # fmt: skip

Props = list[tuple[str, dict[str, str], str]]


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


def _duration(value: str) -> timedelta | None:
    m = _DURATION.match(value.strip())
    if m is None or not any(m.group(i) for i in range(2, 7)):
        return None
    w, d, h, mi, s = (int(m.group(i) or 0) for i in range(2, 7))
    delta = timedelta(weeks=w, days=d, hours=h, minutes=mi, seconds=s)
    return -delta if m.group(1) == "-" else delta


def _vtimezones(blocks: list[list[str]]) -> dict[str, tzinfo]:
    """The time zones a calendar defines (``VTIMEZONE``), by TZID; unreadable ones left out."""
    from dateutil.tz import tzical

    zones: dict[str, tzinfo] = {}
    for lines in blocks:
        kept = []
        for line in lines:
            name, params, value = _split(line)
            if name in _TZ_PROPERTIES:
                kept.append(f"{name}:{value}")  # without parameters, which dateutil refuses
        try:
            parsed = tzical(io.StringIO("\n".join(kept)))
            for key in parsed.keys():
                zones[key] = parsed.get(key)
        except (ValueError, IndexError, KeyError, TypeError, OverflowError):
            continue
    return zones


@dataclass
class _Event:
    props: Props
    method: str
    location: str
    zones: dict[str, tzinfo]
    first: dict[str, tuple[dict[str, str], str]] = field(default_factory=dict)
    attendees: list[str] = field(default_factory=list)
    extra: dict[str, list[tuple[dict[str, str], str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, params, value in self.props:
            if name == "ATTENDEE":
                if params.get("PARTSTAT", "").upper() == "DECLINED":
                    continue
                if params.get("CUTYPE", "INDIVIDUAL").upper() in ("ROOM", "RESOURCE"):
                    continue
                addr = _address(value)
                if addr and addr not in self.attendees:
                    self.attendees.append(addr)
            elif name in ("RRULE", "RDATE", "EXDATE"):
                self.extra.setdefault(name, []).append((params, value))
            else:
                self.first.setdefault(name, (params, value))

    @property
    def uid(self) -> str:
        return self.first.get("UID", ({}, ""))[1].strip()


class IcsReader(Reader):
    """Read iCalendar files (see :func:`read_ics`)."""

    format = "ics"
    channel = "meeting"
    version = "2"  # 2: VTIMEZONE and Windows zones, recurrences expanded, precise reasons

    def __init__(
        self,
        path: str | Path,
        *,
        on_bad_lines: str = "warn",
        mass_threshold: int = MEETING_MASS_THRESHOLD,
        start: Any = None,
        end: Any = None,
    ):
        super().__init__(path, on_bad_lines=on_bad_lines)
        self.mass_threshold = mass_threshold
        self.start = None if start is None else _utc(start)
        self.end = None if end is None else _utc(end)

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

    # -- reading: every calendar first (a modified occurrence may be in another file) ---------
    def records(self) -> Iterator[Record | Rejected]:
        events: list[_Event] = []
        broken: list[Rejected] = []
        if self.path.is_dir():
            for f in sorted(p for p in self.path.rglob("*") if p.is_file() and _is_ics(p.name)):
                with open_binary(f) as fh:
                    self._calendar(fh, f.relative_to(self.path).as_posix() + ": ", events, broken)
        elif self.path.suffix.lower() == ".zip":
            with SafeZip(self.path) as z:
                for name in z.names():
                    if _is_ics(name):
                        with z.open(name) as fh:
                            self._calendar(fh, name + ": ", events, broken)
        else:
            with open_binary(self.path) as fh:
                self._calendar(fh, "", events, broken)
        yield from broken
        self._horizon = self._latest_date(events)
        self._replaced: dict[str, set[datetime]] = {}
        for ev in events:
            rid = ev.first.get("RECURRENCE-ID")
            if rid is not None and ev.uid:
                when, _q = self._when(rid[1], rid[0], ev.zones, notes=False)
                if when is not None:
                    self._replaced.setdefault(ev.uid, set()).add(when.astimezone(UTC))
        for ev in events:
            yield from self._event(ev)

    def _calendar(
        self, fh: BinaryIO, prefix: str, events: list[_Event], broken: list[Rejected]
    ) -> None:
        method = ""
        event: Props | None = None
        timezone: list[str] | None = None
        blocks: list[list[str]] = []
        found: list[tuple[Props, str]] = []
        depth = 0  # nesting inside the event (VALARM)
        start = 0
        try:
            for n, line in _unfold(fh):
                name, params, value = _split(line)
                if timezone is not None:
                    timezone.append(line)
                    if name == "END" and value.strip().upper() == "VTIMEZONE":
                        blocks.append(timezone)
                        timezone = None
                    continue
                if event is None:
                    upper = value.strip().upper()
                    if name == "METHOD":
                        method = upper
                    elif name == "BEGIN" and upper == "VEVENT":
                        event, depth, start = [], 0, n
                    elif name == "BEGIN" and upper == "VTIMEZONE":
                        timezone = [line]
                    elif name == "BEGIN" and upper in ("VTODO", "VJOURNAL", "VFREEBUSY"):
                        # seen and counted, but not a meeting
                        broken.append(Rejected(f"{prefix}line {n}", f"not a meeting ({upper})",
                                               excluded=True))  # fmt: skip
                    continue
                if name == "BEGIN":
                    depth += 1
                elif name == "END" and depth:
                    depth -= 1
                elif name == "END" and value.strip().upper() == "VEVENT":
                    found.append((event, f"{prefix}line {start}"))
                    event = None
                elif depth == 0:
                    event.append((name, params, value))
                    if len(event) > _MAX_EVENT_LINES:
                        broken.append(Rejected(
                            f"{prefix}line {start}", "event too long (over 100,000 lines)"))
                        event = None
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile):
            broken.append(Rejected(f"{prefix}line {start}", "truncated or corrupt compressed file"))
            event = None
        if event is not None:
            broken.append(Rejected(f"{prefix}line {start}", "truncated event (no END:VEVENT)"))
        zones = _vtimezones(blocks) if blocks else {}
        if zones:
            self.note("time zones defined in the file (VTIMEZONE)", len(zones))
        events.extend(_Event(props, method, where, zones) for props, where in found)

    # -- times ------------------------------------------------------------------------------
    def _zone(self, tzid: str, zones: dict[str, tzinfo], notes: bool = True) -> tzinfo | None:
        tzid = tzid.strip()
        if tzid in zones:
            return zones[tzid]
        for name in (tzid, tzid.lstrip("/"), WINDOWS_ZONES.get(tzid)):
            if not name:
                continue
            try:
                zone = ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            if notes and name == WINDOWS_ZONES.get(tzid):
                self.note("Windows time-zone names read through the CLDR table")
            return zone
        return None

    def _when(
        self, value: str, params: dict[str, str], zones: dict[str, tzinfo], notes: bool = True
    ) -> tuple[datetime | None, str | None]:
        """A DATE or DATE-TIME, aware in its own zone (UTC for UTC, date-only and floating)."""
        v = value.strip().split("/")[0]  # a PERIOD (RDATE) starts at its first half
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
            zone = self._zone(tzid, zones, notes)
            if zone is not None:
                return local.replace(tzinfo=zone), "exact"
            if notes:
                self.note("times in an unknown time zone read as UTC")
        return local.replace(tzinfo=UTC), "no_timezone"

    def _latest_date(self, events: list[_Event]) -> datetime | None:
        latest: datetime | None = None
        for ev in events:
            for name in ("DTSTART", "DTEND", "DTSTAMP", "RECURRENCE-ID"):
                if name in ev.first:
                    params, value = ev.first[name]
                    when, _q = self._when(value, params, ev.zones, notes=False)
                    if when is not None and (latest is None or when > latest):
                        latest = when
        return latest

    # -- one VEVENT ---------------------------------------------------------------------------
    def _event(self, ev: _Event) -> Iterator[Record | Rejected]:
        first, location = ev.first, ev.location
        if ev.method == "CANCEL" or first.get("STATUS", ({}, ""))[1].strip().upper() == "CANCELLED":
            yield Rejected(location, "cancelled meeting", excluded=True)
            return
        if "DTSTART" not in first:
            yield Rejected(location, "no start time")
            return
        begin, quality = self._when(first["DTSTART"][1], first["DTSTART"][0], ev.zones)
        if begin is None or quality is None:
            yield Rejected(location, "unreadable start time")
            return
        organiser = _address(first["ORGANIZER"][1]) if "ORGANIZER" in first else None
        if organiser is None:
            yield Rejected(location, "no organiser")
            return
        hours = self._hours(first, begin, quality, ev.zones)
        if isinstance(hours, str):
            yield Rejected(location, hours)
            return
        targets = [a for a in ev.attendees if a != organiser]
        if not targets:
            yield Rejected(location, "no attendees besides the organiser", excluded=True)
            return
        uid = ev.uid
        n = len(targets)
        base: dict[str, Any] = {
            "source": organiser, "kind": "meeting", "channel": "meeting", "weight": hours / n,
            "thread_id": uid or None, "n_recipients": n, "time_quality": quality,
            "automated": False, "mass": n > self.mass_threshold,
        }  # fmt: skip
        rid = first.get("RECURRENCE-ID")
        if ("RRULE" in ev.extra or "RDATE" in ev.extra) and rid is None:
            occurrences = self._occurrences(ev, begin)
            if isinstance(occurrences, str):
                yield Rejected(location, occurrences)
                return
            self.note("recurring meetings expanded")
            if not occurrences:
                yield Rejected(location, "no occurrence in the period", excluded=True)
                return
            for when in occurrences:
                stamp = when.astimezone(UTC)
                key = f"{uid}\x1f{stamp.isoformat()}" if uid else f"{organiser}\x1f{stamp.isoformat()}"
                where = f"{location} (occurrence {stamp.isoformat()})"
                yield Record(key, where, [{**base, "timestamp": stamp, "target": t} for t in targets])
            return
        stamp = begin.astimezone(UTC)
        if not self._in_period(stamp):
            yield Rejected(location, "outside the period", excluded=True)
            return
        if rid is not None and uid:
            # a modified occurrence: the key of the occurrence it replaces
            original, _q = self._when(rid[1], rid[0], ev.zones)
            if original is None:
                yield Rejected(location, "unreadable RECURRENCE-ID")
                return
            self.note("modified occurrences of recurring meetings")
            key = f"{uid}\x1f{original.astimezone(UTC).isoformat()}"
        else:
            key = f"{uid}\x1f" if uid else f"{organiser}\x1f{stamp.isoformat()}"
        yield Record(key, location, [{**base, "timestamp": stamp, "target": t} for t in targets])

    def _in_period(self, when: datetime) -> bool:
        return (self.start is None or when >= self.start) and (self.end is None or when < self.end)

    def _hours(
        self, first: dict[str, tuple[dict[str, str], str]], begin: datetime, quality: str,
        zones: dict[str, tzinfo],
    ) -> float | str:
        """The meeting's length in hours, or the reason it cannot be read."""
        if quality == "date_only":
            # All-day entries carry no meeting length: count them as one nominal hour.
            self.note("all-day meeting weighted as one hour")
            return 1.0
        if "DTEND" in first:
            end, _q = self._when(first["DTEND"][1], first["DTEND"][0], zones)
            if end is None:
                return "unreadable end time"
            seconds = (end - begin).total_seconds()
            if seconds < 0:
                return "ends before it starts"
        elif "DURATION" in first:
            delta = _duration(first["DURATION"][1])
            if delta is None:
                return "unreadable duration"
            seconds = delta.total_seconds()
            if seconds < 0:
                return "negative duration"
        else:
            self.note("meeting without end or duration weighted as one hour")
            return 1.0
        return seconds / 3600.0

    def _occurrences(self, ev: _Event, begin: datetime) -> list[datetime] | str:
        """The starts of a recurring meeting's occurrences in the period (aware, own zone),
        without those excluded (EXDATE) or replaced by a modified occurrence; or a reason."""
        from dateutil.rrule import rruleset, rrulestr

        rules = rruleset()
        rules.rdate(begin)  # DTSTART is the first occurrence (RFC 5545 3.8.5.3)
        bounded = True
        try:
            for _params, value in ev.extra.get("RRULE", []):
                text = self._until_in_utc(value.strip(), begin, ev)
                rule = rrulestr(text, dtstart=begin, ignoretz=False)
                rules.rrule(rule)  # type: ignore[arg-type]
                upper = text.upper()
                bounded &= "COUNT=" in upper or "UNTIL=" in upper
        except (ValueError, TypeError, OverflowError, KeyError):
            return "unreadable recurrence rule"
        for name, add in (("RDATE", rules.rdate), ("EXDATE", rules.exdate)):
            for params, value in ev.extra.get(name, []):
                for part in value.split(","):
                    when, _q = self._when(part, params, ev.zones)
                    if when is None:
                        return f"unreadable {name}"
                    add(when)
        horizon = self._horizon if self.end is None and not bounded else None
        if horizon is not None:
            self.note("recurring meetings without an end expanded up to the latest date in the input")
        replaced = self._replaced.get(ev.uid, set())
        out: list[datetime] = []
        for when in rules:
            stamp = when.astimezone(UTC)
            if (self.end is not None and stamp >= self.end) or (
                horizon is not None and stamp > horizon
            ):
                break  # occurrences come in time order
            if stamp in replaced:
                self.note("occurrences replaced by a modified occurrence")
                continue
            if self.start is not None and stamp < self.start:
                continue
            if len(out) == MAX_OCCURRENCES:
                self.note(f"occurrences beyond {MAX_OCCURRENCES:,} per meeting left out")
                break
            out.append(when)
        return out

    def _until_in_utc(self, rule: str, begin: datetime, ev: _Event) -> str:
        """dateutil wants UNTIL in UTC when DTSTART has a zone: convert a local or date UNTIL."""
        m = _UNTIL.search(rule)
        if m is None or m.group(2).upper().endswith("Z"):
            return rule
        value = m.group(2)
        params = dict(ev.first["DTSTART"][0])
        if len(value) == 8:  # a date: the whole day, in the meeting's zone
            local = datetime.strptime(value, "%Y%m%d") + timedelta(days=1, seconds=-1)
            until = local.replace(tzinfo=begin.tzinfo)
        else:
            until, _q = self._when(value, params, ev.zones)
            if until is None:
                raise ValueError("unreadable UNTIL")
        text = until.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        return rule[: m.start(2)] + text + rule[m.end(2) :]


def _utc(value: Any) -> datetime:
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.to_pydatetime()


@validate_params({
    "on_bad_lines": [ON_BAD_LINES],
    "mass_threshold": [Interval(int, 1)],
    "start": [None, str, datetime, pd.Timestamp],
    "end": [None, str, datetime, pd.Timestamp],
})  # fmt: skip
def read_ics(
    path: str | Path,
    *,
    on_bad_lines: str = "warn",
    mass_threshold: int = MEETING_MASS_THRESHOLD,
    start: str | datetime | None = None,
    end: str | datetime | None = None,
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
    start, end : str or datetime, optional
        Keep meetings (and occurrences of recurring ones) starting in ``[start, end)``; the
        others are counted as excluded. Without ``end``, a recurrence with no ``COUNT`` or
        ``UNTIL`` is expanded up to the latest date in the input.

    Returns
    -------
    ReadResult
        Interactions with channel and kind ``meeting``: organiser -> each attendee who did not
        decline, ``weight`` = hours / attendees, ``n_recipients`` = attendees; one record per
        meeting or occurrence.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "invite.ics"
    >>> _ = p.write_text("BEGIN:VCALENDAR\\r\\nBEGIN:VEVENT\\r\\nUID:1\\r\\n"
    ...     "DTSTART:20260105T090000Z\\r\\nDTEND:20260105T100000Z\\r\\n"
    ...     "RRULE:FREQ=WEEKLY;COUNT=3\\r\\nEXDATE:20260112T090000Z\\r\\n"
    ...     "ORGANIZER:mailto:a@x.org\\r\\nATTENDEE;PARTSTAT=ACCEPTED:mailto:b@x.org\\r\\n"
    ...     "ATTENDEE;PARTSTAT=ACCEPTED:mailto:c@x.org\\r\\nEND:VEVENT\\r\\nEND:VCALENDAR\\r\\n")
    >>> t = read_ics(p).interactions
    >>> t["timestamp"].dt.strftime("%m-%d").tolist(), t["weight"].tolist()
    (['01-05', '01-05', '01-19', '01-19'], [0.5, 0.5, 0.5, 0.5])
    """
    return IcsReader(
        path, on_bad_lines=on_bad_lines, mass_threshold=mass_threshold, start=start, end=end
    ).read()
