"""Deliberately broken inputs (tests/data/broken/<format>/): every bad record is named, counted,
and never leaks personal data into the error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ona.exceptions import BadInputError
from ona.importers import detect_format
from ona.importers.eml import read_eml
from ona.importers.gmail_log import read_gmail_log
from ona.importers.ics import read_ics
from ona.importers.maildir import read_maildir
from ona.importers.mbox import read_mbox
from ona.importers.message_trace import read_message_trace

BROKEN = Path(__file__).resolve().parents[1] / "data" / "broken"

# file -> (reader, read, imported, rejected by reason), worked out from how each file was made
CASES = {
    "mbox/junk_before_first_from.mbox": (read_mbox, 2, 1, {"data before the first From line": 1}),
    "mbox/no_date_anywhere.mbox": (read_mbox, 2, 1, {"no usable date": 1}),
    "mbox/no_sender.mbox": (read_mbox, 2, 1, {"no sender address": 1}),
    "mbox/truncated_headers.mbox": (read_mbox, 2, 1, {"truncated message (headers incomplete)": 1}),
    "eml/garbage.eml": (read_eml, 1, 0, {"no sender address": 1}),
    "eml/no_date.eml": (read_eml, 1, 0, {"no usable date": 1}),
    "eml/truncated.eml.gz": (read_eml, 1, 0, {"cannot read the file (corrupt or truncated)": 1}),
    "maildir": (read_maildir, 5, 1, {"no usable date": 1, "no sender address": 1,
                "Maildir bookkeeping file, not a message": 1,  # tmp/.keep
                "file outside cur/ and new/ is not a message": 1}),  # README.txt
    "message_trace/trace.csv": (read_message_trace, 5, 1, {
        "no message id": 1, "unreadable time": 1, "no recipient address": 1,
        "no sender address": 1}),
    "gmail_log/gmail.jsonl": (read_gmail_log, 4, 1, {
        "not valid JSON": 1, "no sender address": 1, "unreadable time": 1}),
    "ics/bad_start.ics": (read_ics, 1, 0, {"unreadable start time": 1}),
    "ics/no_organizer.ics": (read_ics, 2, 1, {"no organiser": 1}),
    "ics/truncated.ics": (read_ics, 2, 1, {"truncated event (no END:VEVENT)": 1}),
}  # fmt: skip


def test_every_broken_file_is_covered():
    folders = ["mbox", "eml", "message_trace", "gmail_log", "ics"]
    files = {p.relative_to(BROKEN).as_posix() for f in folders for p in (BROKEN / f).iterdir()}
    assert files - set(CASES) == {"mbox/truncated.mbox.gz"}  # tested on its own below


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_input_skip_accounts_for_everything(name):
    reader, read, imported, rejected = CASES[name]
    result = reader(BROKEN / name, on_bad_lines="skip")
    f = result.report.files[0]
    assert (f.read, f.imported, dict(f.rejected)) == (read, imported, rejected)
    assert f.balanced()
    assert len(result.report.rejects) == sum(rejected.values())


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_input_error_names_file_location_reason(name):
    reader, _read, _imported, rejected = CASES[name]
    path = BROKEN / name
    with pytest.raises(BadInputError) as info:
        reader(path, on_bad_lines="error")
    err = info.value
    assert err.file == str(path)
    assert err.location and err.reason in rejected
    raw = b"".join(
        p.read_bytes() for p in ([path] if path.is_file() else path.rglob("*")) if p.is_file()
    )
    personal = set(re.findall(rb"[\w.+-]+@[\w.-]+", raw))  # none in garbage or gzip bytes
    assert not any(a.decode("latin-1") in str(err) for a in personal)
    assert "@" not in str(err)


def test_broken_input_warn_mode_warns_once(recwarn):
    read_mbox(BROKEN / "mbox/no_sender.mbox")
    assert len([w for w in recwarn if "could not be read" in str(w.message)]) == 1


def test_truncated_gzip_archive():
    path = BROKEN / "mbox/truncated.mbox.gz"
    assert detect_format(path) == "mbox"
    f = read_mbox(path, on_bad_lines="skip").report.files[0]
    assert f.imported >= 1 and f.rejected == {"truncated compressed stream": 1}
    assert f.read == f.imported + f.duplicates + 1


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("mbox/no_sender.mbox", "mbox"), ("eml/no_date.eml", "eml"), ("maildir", "maildir"),
     ("message_trace/trace.csv", "message_trace"), ("gmail_log/gmail.jsonl", "gmail_log"),
     ("ics/truncated.ics", "ics")],
)  # fmt: skip
def test_auto_detection_routes_each_format(name, fmt):
    assert detect_format(BROKEN / name) == fmt


def test_mixed_delivery_folder_routes_each_file(tmp_path):
    """A folder mixing exports is not claimed by one reader: each part reaches its own."""
    import shutil

    root = tmp_path / "delivery"
    root.mkdir()
    shutil.copy(BROKEN / "mbox/no_sender.mbox", root / "archive.mbox")
    shutil.copy(BROKEN / "eml/no_date.eml", root / "one.eml")
    shutil.copy(BROKEN / "ics/truncated.ics", root / "cal.ics")
    shutil.copy(BROKEN / "message_trace/trace.csv", root / "trace.csv")
    shutil.copytree(BROKEN / "maildir", root / "Mail" / "Inbox")
    assert detect_format(root) is None
    assert detect_format(root / "Mail") == "maildir"
    routed = {p.name: detect_format(p) for p in root.iterdir()}
    assert routed == {"archive.mbox": "mbox", "one.eml": "eml", "cal.ics": "ics",
                      "trace.csv": "message_trace", "Mail": "maildir"}  # fmt: skip
