"""Calendar invitations and exports as meeting interactions."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from ona.importers import detect_format
from ona.importers.ics import read_ics


def cal(*events: str, method: str = "PUBLISH") -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        f"METHOD:{method}\r\n" + "".join(events) + "END:VCALENDAR\r\n"
    )


def event(uid: str, *lines: str) -> str:
    return (
        "BEGIN:VEVENT\r\nUID:"
        + uid
        + "\r\n"
        + "".join(f"{x}\r\n" for x in lines)
        + "END:VEVENT\r\n"
    )


ORG = "ORGANIZER;CN=Alice:mailto:Alice@X.org"


def test_weights_declines_rooms_and_folding(tmp_path):
    p = tmp_path / "cal.ics"
    p.write_text(cal(event(
        "m1", "SUMMARY:Secret plans", "DTSTART:20260105T090000Z", "DTEND:20260105T103000Z", ORG,
        "ATTENDEE;PARTSTAT=ACCEPTED;CN=Bob:mailto:bob@x.org",
        "ATTENDEE;PARTSTAT=TENTATIVE;CN=\"Doe, Carol\":mailto:ca\r\n rol@x.org",
        "ATTENDEE;PARTSTAT=DECLINED:mailto:dan@x.org",
        "ATTENDEE;CUTYPE=ROOM:mailto:room1@x.org",
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@x.org",
        "BEGIN:VALARM", "TRIGGER:-PT15M", "ATTENDEE:mailto:alarm@x.org", "END:VALARM",
    )))  # fmt: skip
    assert detect_format(p) == "ics"
    t = read_ics(p).interactions
    assert list(zip(t.source, t.target, strict=True)) == [
        ("alice@x.org", "bob@x.org"),
        ("alice@x.org", "carol@x.org"),
    ]
    assert t.weight.tolist() == [0.75, 0.75]  # 1.5 hours shared by two attendees
    assert set(t.kind) == {"meeting"} and set(t.channel) == {"meeting"}
    assert t.n_recipients.tolist() == [2, 2] and not t.mass.any()
    assert "Secret" not in t.astype(str).to_csv()


def test_timezones_durations_and_all_day(tmp_path):
    p = tmp_path / "cal.ics"
    p.write_text(cal(
        event("a", "DTSTART;TZID=Europe/Paris:20260105T100000", "DURATION:PT30M", ORG, "ATTENDEE:mailto:b@x.org"),
        event("b", "DTSTART:20260105T100000", "DTEND:20260105T110000", ORG, "ATTENDEE:mailto:c@x.org"),
        event("c", "DTSTART;VALUE=DATE:20260106", "DTEND;VALUE=DATE:20260107", ORG, "ATTENDEE:mailto:d@x.org"),
        event("d", "DTSTART;TZID=W. Europe Standard Time:20260105T100000", "DTEND;TZID=W. Europe Standard Time:20260105T120000", ORG, "ATTENDEE:mailto:e@x.org"),
    ))  # fmt: skip
    t = read_ics(p).interactions.set_index("target")
    assert t.loc["b@x.org", "timestamp"] == pd.Timestamp("2026-01-05 09:00", tz="UTC")
    assert t.loc["b@x.org", ["weight", "time_quality"]].tolist() == [0.5, "exact"]
    assert t.loc["c@x.org", "time_quality"] == "no_timezone"
    assert t.loc["d@x.org", ["weight", "time_quality"]].tolist() == [1.0, "date_only"]
    # a Windows zone name (Outlook) without a VTIMEZONE: read through the CLDR table
    assert t.loc["e@x.org", ["weight", "time_quality"]].tolist() == [2.0, "exact"]
    assert t.loc["e@x.org", "timestamp"] == pd.Timestamp("2026-01-05 09:00", tz="UTC")


def test_cancelled_duplicates_recurring_and_large(tmp_path):
    many = [f"ATTENDEE:mailto:p{i}@x.org" for i in range(30)]
    base = ["DTSTART:20260105T090000Z", "DTEND:20260105T100000Z", ORG, "ATTENDEE:mailto:b@x.org"]
    p = tmp_path / "cal.ics"
    p.write_text(cal(
        event("same", *base),
        event("same", *base, "SEQUENCE:2"),
        event("weekly", *base, "RRULE:FREQ=WEEKLY;COUNT=10"),
        event("weekly", *base, "RECURRENCE-ID:20260112T090000Z"),
        event("gone", *base, "STATUS:CANCELLED"),
        event("allhands", "DTSTART:20260105T090000Z", "DTEND:20260105T100000Z", ORG, *many),
    ))  # fmt: skip
    res = read_ics(p)
    f = res.report.files[0]
    # 2 "same" + 10 weekly occurrences, one of them replaced by its modified occurrence, + the
    # modified one + "gone" + "allhands"
    assert (f.read, f.imported, f.duplicates) == (2 + 9 + 1 + 1 + 1, 1 + 9 + 1 + 1, 1)
    assert dict(f.rejected) == {"cancelled meeting": 1}
    assert f.notes["recurring meetings expanded"] == 1
    assert f.notes["occurrences replaced by a modified occurrence"] == 1
    t = res.interactions
    assert t.groupby("thread_id")["mass"].first().to_dict() == {
        **{k: False for k in t.thread_id.unique()},
        t.thread_id.iloc[-1]: True,
    }
    assert read_ics(p, mass_threshold=40).interactions.mass.sum() == 0


def test_cancel_method_and_folder_and_zip(tmp_path):
    folder = tmp_path / "invites"
    folder.mkdir()
    base = ["DTSTART:20260105T090000Z", "DTEND:20260105T100000Z", ORG, "ATTENDEE:mailto:b@x.org"]
    (folder / "a.ics").write_text(cal(event("a", *base), method="REQUEST"))
    (folder / "b.ics").write_text(cal(event("a", *base), method="CANCEL"))
    (folder / "c.ics").write_text(cal(event("c", *base)))
    assert detect_format(folder) == "ics"
    f = read_ics(folder).report.files[0]
    assert (f.read, f.imported, dict(f.rejected)) == (3, 2, {"cancelled meeting": 1})
    z = tmp_path / "invites.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for name in ("a.ics", "c.ics"):
            zf.write(folder / name, name)
    assert detect_format(z) == "ics"
    assert read_ics(z).report.files[0].imported == 2


@pytest.mark.parametrize(("bad", "reason"), [
    ("DURATION:soon", "unreadable duration"), ("DURATION:-PT1H", "negative duration"),
    ("DTEND:20260105T080000Z", "ends before it starts"), ("DTEND:yesterday", "unreadable end time"),
    ("RRULE:FREQ=SOMETIMES", "unreadable recurrence rule"), ("RRULE:FREQ=DAILY;COUNT=2\r\nEXDATE:never", "unreadable EXDATE"),
])  # fmt: skip
def test_rejection_reasons_say_what_is_wrong(tmp_path, bad, reason):
    p = tmp_path / "cal.ics"
    p.write_text(cal(event("x", "DTSTART:20260105T090000Z", bad, ORG, "ATTENDEE:mailto:b@x.org"),
                     event("y", "DTSTART:20260105T090000Z", ORG, "ATTENDEE:mailto:b@x.org")))
    f = read_ics(p, on_bad_lines="skip").report.files[0]
    assert (f.read, f.imported, dict(f.rejected)) == (2, 1, {reason: 1})


# -- time zones defined in the file, Windows names, recurrences -----------------------------------

# As Outlook writes it: a Windows zone name, rules from 1601, X- properties dateutil refuses.
OUTLOOK_TZ = """BEGIN:VTIMEZONE
TZID:{tzid}
X-MICROSOFT-CDO-TZID:4
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:{dst}
TZOFFSETTO:{std}
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:{std}
TZOFFSETTO:{dst}
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
""".replace("\n", "\r\n")


def test_vtimezone_in_the_file_matches_icalendar(tmp_path):
    icalendar = pytest.importorskip("icalendar")
    # "Customized Time Zone" is what Outlook writes for a zone it cannot name: only the file's
    # VTIMEZONE says what it is (here UTC+3 / +4 in summer, unlike any real zone)
    zones = (OUTLOOK_TZ.format(tzid="W. Europe Standard Time", std="+0100", dst="+0200")
             + OUTLOOK_TZ.format(tzid="Customized Time Zone", std="+0300", dst="+0400"))
    events = []
    for i, (tzid, local) in enumerate([
        ("W. Europe Standard Time", "20260105T100000"), ("W. Europe Standard Time", "20260706T100000"),
        ("Customized Time Zone", "20260105T100000"), ("Customized Time Zone", "20260706T100000"),
    ]):  # fmt: skip
        events.append(event(f"e{i}", f'DTSTART;TZID="{tzid}":{local}',
                            f'DTEND;TZID="{tzid}":{local[:-6]}113000', ORG,
                            f"ATTENDEE:mailto:p{i}@x.org"))
    text = cal(zones, *events)
    p = tmp_path / "outlook.ics"
    p.write_text(text)
    got = read_ics(p)
    t = got.interactions.set_index("target")
    reference = icalendar.Calendar.from_ical(text)
    tz = {c["TZID"]: c.to_tz() for c in reference.walk("VTIMEZONE")}
    for i, ev in enumerate(reference.walk("VEVENT")):
        start = ev["DTSTART"]
        local = start.dt.replace(tzinfo=None)
        expected = pd.Timestamp(local.replace(tzinfo=tz[start.params["TZID"]])).tz_convert("UTC")
        assert t.loc[f"p{i}@x.org", "timestamp"] == expected
        assert t.loc[f"p{i}@x.org", "weight"] == 1.5
    assert set(t["time_quality"]) == {"exact"}
    # and by hand: 10:00 at +03:00 in winter, +04:00 in summer
    assert t.loc["p2@x.org", "timestamp"] == pd.Timestamp("2026-01-05 07:00", tz="UTC")
    assert t.loc["p3@x.org", "timestamp"] == pd.Timestamp("2026-07-06 06:00", tz="UTC")
    assert got.report.files[0].notes["time zones defined in the file (VTIMEZONE)"] == 2


def test_windows_zone_names_agree_with_icalendars_table():
    windows = pytest.importorskip("icalendar.timezone.windows_to_olson")
    from zoneinfo import ZoneInfo

    from ona.importers._windows_zones import WINDOWS_ZONES

    theirs = windows.WINDOWS_TO_OLSON
    assert set(WINDOWS_ZONES) >= set(theirs)
    for name, zone in theirs.items():
        for when in (pd.Timestamp("2026-01-15 12:00"), pd.Timestamp("2026-07-15 12:00")):
            mine = when.tz_localize(ZoneInfo(WINDOWS_ZONES[name])).utcoffset()
            if name == "Central Asia Standard Time":  # CLDR moved it from Almaty to Bishkek
                zone = "Asia/Bishkek"
            assert mine == when.tz_localize(ZoneInfo(zone)).utcoffset(), name


def test_unknown_zone_is_flagged_and_counted(tmp_path):
    p = tmp_path / "cal.ics"
    p.write_text(cal(event("a", "DTSTART;TZID=Atlantis Standard Time:20260105T100000", ORG,
                           "ATTENDEE:mailto:b@x.org")))
    r = read_ics(p)
    assert r.interactions["time_quality"].tolist() == ["no_timezone"]
    assert r.report.files[0].notes["times in an unknown time zone read as UTC"] == 1


def _berlin_utc(day: str, hour: int = 9) -> pd.Timestamp:
    return pd.Timestamp(f"{day} {hour:02d}:00", tz="Europe/Berlin").tz_convert("UTC")


def test_recurring_meeting_each_occurrence_in_its_zone(tmp_path):
    """Weekly on Monday 09:00 Berlin across the March clock change, with an excluded week, an
    extra date, and one occurrence moved (its modified VEVENT in another file of the folder)."""
    folder = tmp_path / "calendar"
    folder.mkdir()
    people = [ORG, "ATTENDEE:mailto:b@x.org", "ATTENDEE:mailto:c@x.org"]
    (folder / "series.ics").write_text(cal(event(
        "weekly", "DTSTART;TZID=Europe/Berlin:20260302T090000",
        "DTEND;TZID=Europe/Berlin:20260302T100000", "RRULE:FREQ=WEEKLY;UNTIL=20260413",
        "EXDATE;TZID=Europe/Berlin:20260316T090000", "RDATE;TZID=Europe/Berlin:20260325T090000",
        *people)))  # fmt: skip
    (folder / "moved.ics").write_text(cal(event(
        "weekly", "RECURRENCE-ID;TZID=Europe/Berlin:20260330T090000",
        "DTSTART;TZID=Europe/Berlin:20260331T140000", "DTEND;TZID=Europe/Berlin:20260331T150000",
        *people), method="REQUEST"))  # fmt: skip
    got = read_ics(folder)
    f = got.report.files[0]
    # Mondays 2 Mar - 13 Apr: 7; less 16 Mar (EXDATE) and 30 Mar (moved); plus 25 Mar (RDATE)
    mondays = ["2026-03-02", "2026-03-09", "2026-03-23", "2026-04-06", "2026-04-13"]
    expected = sorted([_berlin_utc(d) for d in [*mondays, "2026-03-25"]]
                      + [_berlin_utc("2026-03-31", 14)])
    starts = sorted(set(got.interactions["timestamp"]))
    assert starts == expected
    assert (f.read, f.imported, f.n_rejected, f.duplicates) == (7, 7, 0, 0)
    # the clock change: 08:00 UTC in winter, 07:00 UTC in summer
    assert {s.hour for s in starts if s < pd.Timestamp("2026-03-29", tz="UTC")} == {8}
    assert {s.hour for s in starts if s > pd.Timestamp("2026-03-29", tz="UTC")} == {7, 12}
    assert (got.interactions["weight"] == 0.5).all() and len(got.interactions) == 14
    # a period keeps the occurrences inside it; a series with none left is excluded, counted
    april = read_ics(folder, start="2026-04-01", end="2026-05-01").report.files[0]
    assert (april.read, april.imported, dict(april.rejected)) == (
        3, 2, {"outside the period": 1})
    later = read_ics(folder, start="2026-06-01").report.files[0]
    assert dict(later.rejected) == {"no occurrence in the period": 1, "outside the period": 1}


def test_rule_without_end_stops_at_the_latest_date_in_the_input(tmp_path):
    dateutil_rrule = pytest.importorskip("dateutil.rrule")
    p = tmp_path / "cal.ics"
    p.write_text(cal(
        event("daily", "DTSTART:20260105T090000Z", "DURATION:PT15M", "RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
              "DTSTAMP:20260301T120000Z", ORG, "ATTENDEE:mailto:b@x.org"),
        event("once", "DTSTART:20260210T090000Z", ORG, "ATTENDEE:mailto:c@x.org"),
    ))  # fmt: skip
    got = read_ics(p)
    truth = list(dateutil_rrule.rrule(
        dateutil_rrule.DAILY, byweekday=range(5),
        dtstart=pd.Timestamp("2026-01-05 09:00").to_pydatetime(),
        until=pd.Timestamp("2026-03-01 12:00").to_pydatetime()))  # fmt: skip
    f = got.report.files[0]
    assert (f.read, f.imported) == (len(truth) + 1, len(truth) + 1) and len(truth) == 40
    assert f.notes["recurring meetings without an end expanded up to the latest date in the input"]
    bounded = read_ics(p, end="2026-01-10").report.files[0]
    assert bounded.imported == 5 and bounded.rejected == {"outside the period": 1}


def test_tasks_and_journals_are_counted_not_meetings(tmp_path):
    icalendar = pytest.importorskip("icalendar")
    text = cal(
        event("m", "DTSTART:20260105T090000Z", ORG, "ATTENDEE:mailto:b@x.org"),
        "BEGIN:VTODO\r\nUID:t1\r\nDUE:20260110T090000Z\r\nEND:VTODO\r\n",
        "BEGIN:VJOURNAL\r\nUID:j1\r\nDTSTART:20260105\r\nEND:VJOURNAL\r\n",
    )
    p = tmp_path / "cal.ics"
    p.write_text(text)
    f = read_ics(p).report.files[0]
    parsed = icalendar.Calendar.from_ical(text)
    components = [c for c in parsed.subcomponents if c.name != "VTIMEZONE"]
    assert f.read == len(components) == 3 and f.imported == 1
    assert dict(f.rejected) == {"not a meeting (VTODO)": 1, "not a meeting (VJOURNAL)": 1}
