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
    assert t.loc["e@x.org", ["weight", "time_quality"]].tolist() == [2.0, "no_timezone"]


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
    assert (f.read, f.imported, f.duplicates) == (6, 4, 1)
    assert dict(f.rejected) == {"cancelled meeting": 1}
    assert f.notes["recurring meeting counted once (RRULE not expanded)"] == 1
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


@pytest.mark.parametrize("bad", ["DURATION:soon", "DTEND:20260105T080000Z"])
def test_unreadable_end(tmp_path, bad):
    p = tmp_path / "cal.ics"
    p.write_text(cal(event("x", "DTSTART:20260105T090000Z", bad, ORG, "ATTENDEE:mailto:b@x.org")))
    assert read_ics(p, on_bad_lines="skip").report.files[0].rejected == {
        "unreadable end time or duration": 1}  # fmt: skip
