"""Every shared e-mail fixture imports, with counts checked against an independent stdlib parse.

The oracle here reads each message with ``mailbox`` / ``email.parser`` (compat32) and
``email.utils.getaddresses``: a different splitter and a different address parser from the
importers' byte scanner and fast path.
"""

from __future__ import annotations

import gzip
import mailbox
import re
import shutil
from collections import Counter
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import getaddresses
from pathlib import Path

import pytest

from ona.importers import detect_format
from ona.importers.eml import read_eml
from ona.importers.maildir import read_maildir
from ona.importers.mbox import read_mbox

_AT = re.compile(r"(\S+) at (\S+\.\S+)")
_PARSER = BytesHeaderParser(policy=compat32)


def _addrs(msg: Message, *names: str) -> list[str]:
    values = [str(v) for n in names for v in (msg.get_all(n) or [])]
    values = [_AT.sub(r"\1@\2", v) for v in values]  # formats.md: Mailman obfuscation
    out = []
    for _name, addr in getaddresses(values):
        addr = addr.strip().lower()
        # a local name without a domain ("To: martin") is not an address (issue 13 item 6)
        if addr and "@" in addr and addr not in out:
            out.append(addr)
    return out


def _first_id(value: object) -> str | None:
    """A message id: inside the first <...>, else the first word (some archives drop <>)."""
    text = str(value or "")
    m = re.search(r"<([^<>]*)>", text)
    found = m.group(1) if m else (text.split() or [""])[0]
    return "".join(found.split()) or None


def oracle(messages: list[Message]) -> Counter:
    """Expected counts: imported messages, direct (to/cc/bcc, or list) edges, reply edges."""
    authors: dict[str, str] = {}
    for msg in messages:
        mid = _first_id(msg.get("message-id"))
        frm = _addrs(msg, "from")
        if mid and frm:
            authors.setdefault(mid, frm[0])
    seen: set = set()
    out: Counter = Counter()
    for msg in messages:
        labels = str(msg.get("x-gmail-labels", "")).lower()
        frm = _addrs(msg, "from")
        if not frm or "trash" in labels or "spam" in labels:
            continue
        sender = frm[0]
        rcpt = _addrs(msg, "to", "cc", "bcc")
        listed = [a for a in _addrs(msg, "sender") if a != sender]
        key = _first_id(msg.get("message-id")) or (sender, msg.get("date"), tuple(sorted(rcpt)))
        if key in seen:
            continue
        seen.add(key)
        direct = [a for a in (rcpt or listed[:1]) if a != sender]
        refs = re.findall(r"<([^<>]*)>", str(msg.get("references", "")))
        parent = _first_id(msg.get("in-reply-to")) or (refs[-1] if refs else None)
        reply = int(parent is not None and authors.get(parent, sender) != sender)
        if direct or reply:
            out["imported"] += 1
        out["direct"] += len(direct)
        out["reply"] += reply
    return out


def mbox_messages(path: Path, tmp_path: Path) -> list[Message]:
    if path.suffix == ".gz":
        plain = tmp_path / path.stem
        with gzip.open(path) as src, open(plain, "wb") as dst:
            shutil.copyfileobj(src, dst)
        path = plain
    box = mailbox.mbox(str(path), create=False)
    try:
        return [_PARSER.parsebytes(box.get_bytes(k)) for k in box.iterkeys()]
    finally:
        box.close()


def _counts(result) -> Counter:
    kinds = result.interactions["kind"].value_counts()
    f = result.report.files[0]
    return Counter(
        imported=f.imported,
        direct=int(kinds.get("to", 0) + kinds.get("cc", 0) + kinds.get("bcc", 0)),
        reply=int(kinds.get("reply", 0)),
    )


MBOX_FILES = [
    "mbox/emailnetwork_gmail_takeout_style.mbox",
    "mbox/perceval_mbox_complex.mbox",
    "mbox/perceval_mbox_iso8859_encoding.mbox",
    "mbox/perceval_mbox_multipart.mbox",
    "mbox/perceval_mbox_no_fields.mbox",
    "mbox/perceval_mbox_single.mbox",
    "mbox/perceval_mbox_unixfrom_encoding.mbox",
    "mbox/perceval_mbox_unknown_encoding.mbox",
    "pipermail/perceval_hyperkitty_2016_april.mbox",
    "pipermail/perceval_hyperkitty_2016_march.mbox",
    "pipermail/perceval_pipermail_2015_november.mbox",
    "pipermail/perceval_pipermail_2016_april.mbox",
    "pipermail/perceval_pipermail_2016_march.mbox",
    "mailing_lists/ksummit-discuss.mbox.gz",
    "mailing_lists/3GPP_TSG_SA_WG4_EVS.mbox",
    "mailing_lists/3GPP_TSG_RAN_WG4_NR-MIMO-OTA.mbox",
    "mailing_lists/numpy-discussion-2001-November.pipermail.txt",
]


def test_every_email_fixture_is_listed(shared):
    """No fixture is silently left out of these tests."""
    root = shared / "fixtures" / "email"
    tested = set(MBOX_FILES) | {"maildir", "eml", "outlook"}
    found = {p.relative_to(root).as_posix() for p in root.glob("*/*") if p.suffix != ".md"}
    missing = {f for f in found if f not in tested and f.split("/")[0] not in tested}
    assert not missing


@pytest.mark.parametrize("name", MBOX_FILES)
def test_mbox_fixture_counts(shared, tmp_path, name):
    path = shared / "fixtures" / "email" / name
    assert detect_format(path) == "mbox"
    messages = mbox_messages(path, tmp_path)
    result = read_mbox(path, on_bad_lines="skip")
    report = result.report.files[0]
    assert report.read == len(messages)
    assert report.balanced()
    # the only invalid records are messages without any sender address
    no_sender = sum(1 for m in messages if not _addrs(m, "from"))
    assert report.rejected.get("no sender address", 0) == no_sender
    assert (
        report.n_rejected - sum(n for r, n in report.rejected.items() if r != "no sender address")
        == no_sender
    )
    assert _counts(result) == oracle(messages)
    # metadata only: no subject text anywhere in the table
    subjects = {str(m.get("subject", "")) for m in messages} - {""}
    table_text = set(result.interactions.astype(str).to_numpy().ravel())
    assert not subjects & table_text


def test_kernel_summit_archive(shared, tmp_path):
    """The 759-message archive: every message read, one duplicate, accounting balanced."""
    path = shared / "fixtures" / "email" / "mailing_lists" / "ksummit-discuss.mbox.gz"
    result = read_mbox(path)
    f = result.report.files[0]
    assert f.read == 759
    ids = [_first_id(m.get("message-id")) for m in mbox_messages(path, tmp_path)]
    assert f.duplicates == len(ids) - len(set(ids))
    assert f.read == f.imported + f.duplicates + f.n_rejected


def _maildir_files(root: Path) -> list[Path]:
    return sorted(
        p for p in root.rglob("*")
        if p.is_file() and p.parent.name in ("cur", "new") and not p.name.startswith(".")
    )  # fmt: skip


@pytest.mark.parametrize("name", ["mu_testdir", "mu_testdir2"])
def test_maildir_fixture_counts(shared, name):
    root = shared / "fixtures" / "email" / "maildir" / name
    assert detect_format(root) == "maildir"
    files = _maildir_files(root)
    messages = {f: _PARSER.parsebytes(f.read_bytes()) for f in files}
    result = read_maildir(root, on_bad_lines="skip")
    f = result.report.files[0]
    # tmp/ and the .noindex markers are not messages, but are counted (listed with a reason)
    outside = [p for p in root.rglob("*") if p.is_file() and p not in messages]
    assert f.read == len(files) + len(outside)
    assert sum(n for why, n in f.rejected.items() if "bookkeeping" in why or "tmp/" in why) == len(
        outside
    )
    assert f.balanced()
    # no Date, no Received and no delivery time in the file name: rejected, not guessed
    undated = [
        p for p, m in messages.items()
        if not m.get("date") and not m.get("received") and not re.match(r"\d{9,10}", p.name)
        and _addrs(m, "from")
    ]  # fmt: skip
    assert f.rejected.get("no usable date", 0) == len(undated)
    no_sender = [p for p, m in messages.items() if not _addrs(m, "from")]
    assert f.rejected.get("no sender address", 0) == len(no_sender)
    expected = oracle([m for p, m in messages.items() if p not in undated])
    assert _counts(result) == expected


def test_eml_fixtures(shared):
    folder = shared / "fixtures" / "email" / "eml"
    assert detect_format(folder) == "eml"
    files = sorted(folder.glob("*.eml"))
    for f in files:
        assert detect_format(f) == "eml"
    messages = [_PARSER.parsebytes(f.read_bytes().split(b"\n", 1)[1]) for f in files]
    result = read_eml(folder, on_bad_lines="error")
    assert result.report.files[0].read == len(files)
    assert _counts(result) == oracle(messages)
