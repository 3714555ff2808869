"""Issue 13 items 7 and 8: dates the e-mail readers used to throw away, and Maildir files outside
``cur/`` and ``new/``. Expected values come from the stdlib (``mailbox``, ``email``, ``time``)."""

from __future__ import annotations

import calendar
import email
import mailbox
import time
from email.utils import parsedate_tz

import pandas as pd

from ona.importers.eml import read_eml
from ona.importers.mbox import read_mbox

# One message in three carries no usable Date and no Received header: only its From line dates
# it (the shape of the corpus where read_eml and read_mbox disagreed on one file in three).
MESSAGES = [
    ("From a@x.org Mon Jan  5 09:00:00 2026", ["Date: Mon, 05 Jan 2026 09:30:00 +0100"]),
    ("From a@x.org Tue Jan  6 11:15:00 2026", []),
    ("From a@x.org Wed Jan  7 12:00:00 2026", ["Date: Wed, 07 Jan 2026 13:00:00 -0000"]),
    ("From a@x.org Thu Jan  8 08:00:00 2026", ["Date: not a date at all"]),
    ("From a@x.org Fri Jan  9 08:00:00 2026",
     ["Received: from relay; not a date", "Received: by mx1; Fri, 09 Jan 2026 07:45:00 +0200"]),
    ("From a@x.org Sat Jan 10 10:00:00 2026", ["Date: Sat, 10 Jan 2026 10:00:00 CET"]),
]  # fmt: skip


def _message(i: int, from_line: str, extra: list[str]) -> bytes:
    head = [f"From: s{i}@x.org", f"To: r{i}@x.org", f"Message-ID: <{i}@x>", *extra]
    return (from_line + "\n" + "\n".join(head) + "\n\nbody\n").encode()


def _expected(path) -> dict[str, pd.Timestamp]:
    """Independent dates: the Date header if it has a numeric zone (-0000 is UTC, RFC 5322
    3.3), else the first Received header that parses with one, else the From line."""
    out = {}
    for m in mailbox.mbox(str(path), create=False):
        sender = email.utils.parseaddr(m["From"])[1]
        candidates = [m["Date"]] + [r.rpartition(";")[2] for r in m.get_all("Received", [])]
        when = None
        for text in candidates:
            parts = parsedate_tz(text) if text else None
            if parts and parts[9] is not None and ("+" in text or "-" in text):
                when = pd.Timestamp(calendar.timegm(parts[:9]) - parts[9], unit="s", tz="UTC")
                break
        if when is None and m["Date"] and parsedate_tz(m["Date"]):
            when = pd.Timestamp(calendar.timegm(parsedate_tz(m["Date"])[:9]), unit="s", tz="UTC")
        if when is None:
            asctime = " ".join(m.get_from().split()[1:])
            when = pd.Timestamp(calendar.timegm(time.strptime(asctime, "%a %b %d %H:%M:%S %Y")),
                                unit="s", tz="UTC")  # fmt: skip
        out[sender] = when
    return out


def test_eml_and_mbox_agree_on_the_same_bytes(tmp_path):
    box = tmp_path / "all.mbox"
    box.write_bytes(b"".join(_message(i, f, e) for i, (f, e) in enumerate(MESSAGES)))
    folder = tmp_path / "eml"
    folder.mkdir()
    for i, (f, e) in enumerate(MESSAGES):
        (folder / f"{i}.eml").write_bytes(_message(i, f, e))
    expected = _expected(box)
    mb, em = read_mbox(box).interactions, read_eml(folder).interactions
    assert len(mb) == len(em) == len(MESSAGES) == len(expected)
    got_mbox = dict(zip(mb["source"], mb["timestamp"], strict=True))
    got_eml = dict(zip(em["source"], em["timestamp"], strict=True))
    assert got_mbox == got_eml == expected
    quality = dict(zip(em["source"], em["time_quality"], strict=True))
    assert quality == {
        "s0@x.org": "exact", "s1@x.org": "from_line", "s2@x.org": "exact",
        "s3@x.org": "from_line", "s4@x.org": "received_header", "s5@x.org": "no_timezone",
    }  # fmt: skip


def test_eml_without_from_line_or_date_is_rejected_not_dated(tmp_path):
    p = tmp_path / "m.eml"
    p.write_bytes(b"From: a@x.org\nTo: b@x.org\n\nbody\n")
    res = read_eml(p, on_bad_lines="skip")
    f = res.report.files[0]
    assert (f.read, f.imported, dict(f.rejected)) == (1, 0, {"no usable date": 1})


# -- item 8: nothing under a Maildir is passed over in silence ---------------------------------
def _write(path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


MAIL = b"From: a@x.org\nTo: b@x.org\nDate: Mon, 05 Jan 2026 09:00:00 +0000\nMessage-ID: <%d@x>\n\nhi\n"


def test_maildir_files_outside_cur_and_new_are_accounted_for(tmp_path):
    from ona.importers.maildir import read_maildir

    root = tmp_path / "Mail"
    _write(root / "cur" / "1767603600.1.host:2,S", MAIL % 1)
    _write(root / "new" / "1767603601.2.host", MAIL % 2)
    _write(root / "tmp" / "1767603602.3.host", MAIL % 3)  # delivery in progress
    _write(root / "dovecot-uidlist", b"3 V1 N4\n1 1767603600.1.host\n")
    _write(root / "maildirsize", b"0S\n")
    _write(root / "cur" / ".noindex", b"")
    _write(root / "loose.eml", MAIL % 4)  # a message saved beside the Maildir folders
    _write(root / "notes.txt", b"shopping list\nmilk\n")
    _write(root / ".Sent" / "cur" / "1767603603.5.host:2,S", MAIL % 5)
    _write(root / ".Sent" / "maildirfolder", b"")
    (root / ".Sent" / "new").mkdir()
    (root / ".Sent" / "tmp").mkdir()

    every_file = sorted(p for p in root.rglob("*") if p.is_file())
    res = read_maildir(root, on_bad_lines="skip")
    f = res.report.files[0]
    assert f.read == len(every_file) == 10
    assert f.balanced()
    assert dict(f.rejected) == {
        "Maildir bookkeeping file, not a message": 4,
        "Maildir tmp/: a delivery in progress": 1,
        "file outside cur/ and new/ is not a message": 1,
    }
    assert f.imported == 4 and f.notes["messages outside cur/ and new/ read"] == 1
    listed = {loc for _file, loc, _why in res.report.rejects}
    assert listed == {"dovecot-uidlist", "maildirsize", "cur/.noindex", "tmp/1767603602.3.host",
                      "notes.txt", ".Sent/maildirfolder"}  # fmt: skip
    # the stdlib reads the same four messages (cur/ and new/ of both folders, and the loose one)
    box = mailbox.Maildir(str(root), create=False)
    stdlib = {m["Message-ID"] for m in box} | {m["Message-ID"] for m in box.get_folder("Sent")}
    stdlib.discard(None)  # the stdlib also yields the empty .noindex marker
    assert len(stdlib) == 3 and f.imported == len(stdlib) + 1


def test_maildir_fixture_tmp_and_markers_listed(shared):
    from ona.importers.maildir import read_maildir

    root = shared / "fixtures" / "email" / "maildir" / "mu_testdir2"
    every_file = [p for p in root.rglob("*") if p.is_file()]
    res = read_maildir(root, on_bad_lines="skip")
    f = res.report.files[0]
    assert f.read == len(every_file) and f.balanced()
    outside = [p for p in every_file if p.parent.name not in ("cur", "new") or p.name[0] == "."]
    listed = {loc for _file, loc, why in res.report.rejects if "bookkeeping" in why or "tmp/" in why}
    assert listed == {p.relative_to(root).as_posix() for p in outside}
