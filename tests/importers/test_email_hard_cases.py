"""The hard cases of issue 3, one by one, on small hand-written messages."""

from __future__ import annotations

import gzip
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from ona.importers import mbox as mbox_module
from ona.importers.maildir import read_maildir
from ona.importers.mbox import MboxReader, read_mbox

SEP = "From someone@example.org Mon Jan  5 09:00:00 2026"


def msg(*headers: str, body: str = "body text\n", sep: str = SEP) -> str:
    return sep + "\n" + "\n".join(headers) + "\n\n" + body + "\n"


def write(tmp_path: Path, *messages: str, name: str = "box.mbox", crlf: bool = False) -> Path:
    text = "".join(messages)
    if crlf:
        text = text.replace("\n", "\r\n")
    p = tmp_path / name
    p.write_bytes(text.encode("utf-8"))
    return p


BASIC = ("From: A <a@x.org>", "Date: Mon, 05 Jan 2026 09:00:00 +0000")


def edges(result) -> list[tuple[str, str, str]]:
    t = result.interactions
    return list(zip(t["source"], t["target"], t["kind"], strict=True))


def test_rfc2047_name_and_comment_forms(tmp_path):
    p = write(tmp_path, msg(
        "From: =?utf-8?Q?Chlo=C3=A9_D=C3=BCrr?= <Chloe@X.org>",
        "To: bob@x.org (Bob =?utf-8?Q?Sm=C3=AFth?=), \"Doe, Jane\" <JANE@x.org>",
        "Date: Mon, 05 Jan 2026 09:00:00 +0000", "Message-ID: <1@x>",
    ))  # fmt: skip
    assert edges(read_mbox(p)) == [
        ("chloe@x.org", "bob@x.org", "to"),
        ("chloe@x.org", "jane@x.org", "to"),
    ]


def test_repeated_cc_headers_all_read(tmp_path):
    p = write(tmp_path, msg(*BASIC, "To: t@x.org", "Cc: c1@x.org", "CC: c2@x.org",
                            "cc: c3@x.org,\n c4@x.org", "Message-ID: <1@x>"))  # fmt: skip
    res = read_mbox(p)
    assert sorted(res.interactions.loc[res.interactions.kind == "cc", "target"]) == [
        "c1@x.org", "c2@x.org", "c3@x.org", "c4@x.org"]  # fmt: skip
    assert set(res.interactions["n_recipients"]) == {5}


def test_archive_obfuscation(tmp_path):
    p = write(tmp_path, msg("From: goran at domain.com (G=?ISO-8859-1?Q?=F6ran?=)",
                            "To: list at lists.example.org", "Date: Wed, 01 Dec 2010 14:26:40 +0100",
                            "Message-ID: <1@x>"))  # fmt: skip
    assert edges(read_mbox(p)) == [("goran@domain.com", "list@lists.example.org", "to")]


def test_groups_and_undisclosed_recipients(tmp_path):
    p = write(tmp_path, msg(*BASIC, "To: undisclosed-recipients:;",
                            "Cc: Team: m1@x.org, M2 <m2@x.org>;", "Message-ID: <1@x>"))  # fmt: skip
    assert sorted(t for _s, t, _k in edges(read_mbox(p))) == ["m1@x.org", "m2@x.org"]


def test_undisclosed_only_falls_back_to_delivered_to(tmp_path):
    p = write(tmp_path, msg(*BASIC, "Delivered-To: me@x.org", "To: undisclosed-recipients:;",
                            "Message-ID: <1@x>"))  # fmt: skip
    assert edges(read_mbox(p)) == [("a@x.org", "me@x.org", "bcc")]


def test_non_ascii_from_line_and_raw_8bit_header(tmp_path):
    raw = (
        "From luc\xeda at example.com  Mon Nov  7 18:44:27 2016\n"
        "From: luc\xeda at example.com (Luc\xeda)\nTo: b@x.org\n"
        "Date: Mon, 7 Nov 2016 19:44:27 +0100\nMessage-ID: <1@x>\n\nhi\n"
    ).encode("latin-1")
    p = tmp_path / "latin.mbox"
    p.write_bytes(raw)
    assert edges(read_mbox(p, on_bad_lines="error")) == [("lucía@example.com", "b@x.org", "to")]


def test_crlf_file_same_as_lf(tmp_path):
    messages = [msg(*BASIC, "To: b@x.org", f"Message-ID: <{i}@x>") for i in range(3)]
    lf = read_mbox(write(tmp_path, *messages, name="lf.mbox"))
    crlf = read_mbox(write(tmp_path, *messages, name="crlf.mbox", crlf=True))
    assert edges(lf) == edges(crlf) and len(lf.interactions) == 3


@pytest.mark.parametrize(
    ("headers", "hour", "quality"),
    [
        (["Date: Mon, 05 Jan 2026 10:00:00 +0100"], 9, "exact"),
        (["Date: Mon, 05 Jan 2026 10:00:00 GMT+0100 (CET)"], 9, "exact"),
        (["Date: Mon, 05 Jan 2026 10:00:00 CET"], 10, "no_timezone"),
        (["Date: Mon, 05 Jan 2026 10:00:00 -0000"], 10, "exact"),  # RFC 5322 3.3: UTC
        (["Date: 2026-01-05T10:00:00Z"], 10, "exact"),
        (["Received: by mx; Mon, 05 Jan 2026 08:30:00 +0000"], 8, "received_header"),
        (["Date: Mon, 05 Jan 2026 10:00:00 CET",
          "Received: by mx; Mon, 05 Jan 2026 08:30:00 +0000"], 8, "received_header"),
        (["Received: by mx2; garbage", "Received: by mx1; Mon, 05 Jan 2026 07:00:00 +0000"],
         7, "received_header"),  # every Received header is tried, not only the first
        (["Date: RANDOM garbage"], 9, "from_line"),
        (["Date: Mon, 05 Jan 2026 25:61:00 +0000"], 9, "from_line"),
        ([], 9, "from_line"),
    ],
)  # fmt: skip
def test_date_fallbacks_recorded(tmp_path, headers, hour, quality):
    p = write(tmp_path, msg("From: a@x.org", "To: b@x.org", "Message-ID: <1@x>", *headers))
    t = read_mbox(p).interactions
    assert t.loc[0, "time_quality"] == quality
    assert t.loc[0, "timestamp"] == pd.Timestamp(2026, 1, 5, hour, {8: 30}.get(hour, 0), tz="UTC")


def test_message_id_variants_dedupe_and_fingerprint(tmp_path):
    p = write(
        tmp_path,
        msg(*BASIC, "To: b@x.org", "Message-ID: <Same@x>"),
        msg(*BASIC, "To: b@x.org", "message-id:   <Same@x>  "),  # same id, other header case
        msg(*BASIC, "To: c@x.org", "Message-Id:"),  # empty: fingerprint
        msg(*BASIC, "To: c@x.org"),  # no id, same sender/date/recipients: same fingerprint
        msg(*BASIC, "To: d@x.org", "Message-ID: <a$@yang@example.com>"),  # two @: opaque
        msg("From: d@x.org", "To: a@x.org", "Date: Mon, 05 Jan 2026 10:00:00 +0000",
            "Message-ID: <r@x>", "In-Reply-To: <a$@yang@example.com>"),
    )  # fmt: skip
    res = read_mbox(p)
    f = res.report.files[0]
    assert (f.read, f.imported, f.duplicates) == (6, 4, 2)
    assert ("d@x.org", "a@x.org", "reply") in edges(res)


def test_in_reply_to_with_trailing_comment(tmp_path):
    p = write(
        tmp_path,
        msg(*BASIC, "To: b@x.org", "Message-ID: <1205676169.6819.27.camel@host>"),
        msg("From: b@x.org", "To: list@x.org", "Date: Mon, 05 Jan 2026 10:00:00 +0000",
            "Message-ID: <2@x>",
            "In-Reply-To: <1205676169.6819.27.camel@host> (Simos's message of\n \"Sun, 16 Mar\")"),
    )  # fmt: skip
    assert ("b@x.org", "a@x.org", "reply") in edges(read_mbox(p))


def test_reply_before_parent_is_resolved_and_counted_once(tmp_path):
    p = write(
        tmp_path,
        msg("From: b@x.org", "To: l@x.org", "Date: Mon, 05 Jan 2026 10:00:00 +0000",
            "Message-ID: <2@x>", "References: <0@x> <1@x>"),
        msg(*BASIC, "To: b@x.org", "Message-ID: <1@x>"),
    )  # fmt: skip
    res = read_mbox(p)
    f = res.report.files[0]
    assert (f.read, f.imported) == (2, 2)
    assert ("b@x.org", "a@x.org", "reply") in edges(res)
    assert res.interactions["thread_id"].nunique() == 2  # <0@x> roots the reply's thread


def test_thread_ids_from_references_gmail_and_thread_index(tmp_path):
    p = write(
        tmp_path,
        msg(*BASIC, "To: b@x.org", "Message-ID: <root@x>"),
        msg(*BASIC, "To: c@x.org", "Message-ID: <r1@x>", "References: <root@x>"),
        msg(*BASIC, "To: d@x.org", "Message-ID: <r2@x>", "In-Reply-To: <r1@x>",
            "References: <root@x> <r1@x>"),
        msg(*BASIC, "To: e@x.org", "Message-ID: <g1@x>", "X-GM-THRID: 1537866361256992303"),
        msg(*BASIC, "To: f@x.org", "Message-ID: <g2@x>", "X-GM-THRID: 1537866361256992303"),
        msg(*BASIC, "To: g@x.org", "Message-ID: <o1@x>",
            "Thread-Index: AdH4Jx2k3zJ7d6XhR0m2QkO1nV0a7Q=="),
        msg(*BASIC, "To: h@x.org", "Message-ID: <o2@x>",
            "Thread-Index: AdH4Jx2k3zJ7d6XhR0m2QkO1nV0a7QAAAAAAAA=="),
    )  # fmt: skip
    t = read_mbox(p).interactions.set_index("target")["thread_id"]
    assert t["b@x.org"] == t["c@x.org"] == t["d@x.org"]
    assert t["e@x.org"] == t["f@x.org"] != t["b@x.org"]
    assert t["g@x.org"] == t["h@x.org"] != t["e@x.org"]


def test_forwarded_rfc822_counts_outer_message_only(tmp_path):
    inner = "From: inner@y.org\nTo: other@y.org\nCc: more@y.org\nMessage-ID: <in@y>\n\nold\n"
    p = write(tmp_path, msg(*BASIC, "To: b@x.org", "Message-ID: <out@x>",
                            "Content-Type: message/rfc822", body=inner))  # fmt: skip
    assert edges(read_mbox(p)) == [("a@x.org", "b@x.org", "to")]


@pytest.mark.parametrize(
    "extra",
    [
        ["Auto-Submitted: auto-replied"],
        ["Content-Type: multipart/report; report-type=delivery-status"],
        ["Content-Type: text/calendar; method=REQUEST"],
        ["Precedence: bulk"],
        ["X-Autoreply: yes"],
        ["Return-Path: <>"],
    ],
)
def test_automated_flags(tmp_path, extra):
    p = write(tmp_path, msg(*BASIC, "To: b@x.org", "Message-ID: <1@x>", *extra))
    assert read_mbox(p).interactions["automated"].tolist() == [True]


def test_mailer_daemon_is_automated_and_ordinary_mail_is_not(tmp_path):
    p = write(
        tmp_path,
        msg("From: MAILER-DAEMON@mx.x.org", "To: b@x.org", BASIC[1], "Message-ID: <1@x>"),
        msg(*BASIC, "To: b@x.org", "Message-ID: <2@x>", "Auto-Submitted: no"),
    )  # fmt: skip
    assert read_mbox(p).interactions["automated"].tolist() == [True, False]


def test_mass_flags_list_mail_and_threshold(tmp_path):
    many = ", ".join(f"p{i}@x.org" for i in range(51))
    fifty = ", ".join(f"q{i}@x.org" for i in range(50))
    p = write(
        tmp_path,
        msg(*BASIC, "To: b@x.org", "Message-ID: <1@x>", "List-Id: Dev list <dev.x.org>"),
        msg(*BASIC, f"To: {many}", "Message-ID: <2@x>"),
        msg(*BASIC, f"To: {fifty}", "Message-ID: <3@x>"),
    )  # fmt: skip
    t = read_mbox(p).interactions
    assert t.groupby("record_id", sort=False)["mass"].first().tolist() == [True, True, False]
    assert t.loc[0, "container"] == "dev.x.org"
    assert read_mbox(p, mass_threshold=10).interactions["mass"].all()


def test_gmail_trash_and_spam_excluded(tmp_path):
    p = write(
        tmp_path,
        msg(*BASIC, "To: b@x.org", "Message-ID: <1@x>", "X-Gmail-Labels: Inbox,Important"),
        msg(*BASIC, "To: b@x.org", "Message-ID: <2@x>", "X-Gmail-Labels: Trash"),
        msg(*BASIC, "To: b@x.org", "Message-ID: <3@x>", "X-Gmail-Labels: Spam,Unread"),
    )  # fmt: skip
    f = read_mbox(p, on_bad_lines="error").report.files[0]
    assert (f.imported, f.rejected["Gmail spam or trash label"]) == (1, 2)


def test_subject_and_body_never_stored(tmp_path):
    p = write(tmp_path, msg(*BASIC, "To: b@x.org", "Message-ID: <1@x>",
                            "Subject: SECRET-SUBJECT", body="SECRET-BODY\n"))  # fmt: skip
    res = read_mbox(p)
    text = res.interactions.astype(str).to_csv()
    assert "SECRET" not in text and res.people.empty


def test_gz_and_zip_read_like_plain(tmp_path):
    messages = [msg(*BASIC, "To: b@x.org", f"Message-ID: <{i}@x>") for i in range(4)]
    plain = write(tmp_path, *messages)
    gz = tmp_path / "box.mbox.gz"
    gz.write_bytes(gzip.compress(plain.read_bytes()))
    zp = tmp_path / "boxes.zip"
    with zipfile.ZipFile(zp, "w") as z:
        z.writestr("a.mbox", plain.read_bytes())
    assert MboxReader.detect(gz) and MboxReader.detect(zp)
    want = edges(read_mbox(plain))
    assert edges(read_mbox(gz)) == want
    assert edges(read_mbox(zp)) == want  # same ids: the zip's copy imports the same edges
    assert read_mbox(zp).report.rejects == []


def test_truncated_plain_archive_reports_the_rest(tmp_path):
    good = [msg(*BASIC, "To: b@x.org", f"Message-ID: <{i}@x>") for i in range(3)]
    p = tmp_path / "cut.mbox"
    p.write_bytes(("".join(good) + SEP + "\nFrom: a@x.org\nTo: b@").encode())
    res = read_mbox(p, on_bad_lines="skip")
    f = res.report.files[0]
    assert (f.read, f.imported) == (4, 3)
    assert res.report.rejects[0][1:] == (
        f"offset {len(''.join(good))}",
        "truncated message (headers incomplete)",
    )


def test_truncated_gzip_imports_whole_messages(tmp_path, monkeypatch):
    monkeypatch.setattr(mbox_module, "_CHUNK", 4096)
    good = [msg(*BASIC, "To: b@x.org", f"Message-ID: <{i}@x>", body="x" * 500 + "\n")
            for i in range(40)]  # fmt: skip
    blob = gzip.compress("".join(good).encode())
    p = tmp_path / "cut.mbox.gz"
    p.write_bytes(blob[: len(blob) * 2 // 3])
    res = read_mbox(p, on_bad_lines="skip")
    f = res.report.files[0]
    assert f.balanced() and 0 < f.imported < 40
    assert f.rejected == {"truncated compressed stream": 1}
    with pytest.raises(Exception, match="truncated compressed stream"):
        read_mbox(p, on_bad_lines="error")


def test_body_from_lines_are_not_separators(tmp_path):
    p = write(tmp_path, msg(*BASIC, "To: b@x.org", "Message-ID: <1@x>",
                            body="From the desk of A\n>From quoted\n"))  # fmt: skip
    assert read_mbox(p).report.files[0].read == 1


@pytest.mark.skipif(sys.platform == "win32", reason="fork start method")
def test_parallel_gives_identical_results(tmp_path, monkeypatch):
    messages = [
        msg(f"From: s{i % 7}@x.org", f"To: t{i % 5}@x.org, u{i % 3}@x.org",
            f"Date: Mon, 05 Jan 2026 09:{i % 60:02d}:00 +0000", f"Message-ID: <{i}@x>",
            *([f"In-Reply-To: <{i + 3}@x>"] if i % 4 == 0 else []), body="y" * 300)
        for i in range(400)
    ]  # fmt: skip
    p = write(tmp_path, *messages)
    one = MboxReader(p, n_jobs=1).read()
    monkeypatch.setattr(mbox_module, "_PARALLEL_MIN", 0)
    monkeypatch.setattr(mbox_module, "_RANGE", 10_000)
    assert len(mbox_module._file_ranges(str(p), p.stat().st_size, 10_000)) > 5
    two = MboxReader(p, n_jobs=2).read()
    pd.testing.assert_frame_equal(one.interactions, two.interactions)
    assert one.report.files[0].to_dict() == two.report.files[0].to_dict()


def _maildir_msg(i: int, to: str = "b@x.org") -> bytes:
    return (f"From: a@x.org\nTo: {to}\nDate: Mon, 05 Jan 2026 09:00:00 +0000\n"
            f"Message-ID: <{i}@x>\n\nbody\n").encode()  # fmt: skip


def test_maildir_suffixes_tmp_trash_nested_and_duplicates(tmp_path):
    root = tmp_path / "Mail"
    for folder in ("", "Sent", "Archive/2026"):
        for sub in ("cur", "new", "tmp"):
            (root / folder / sub).mkdir(parents=True, exist_ok=True)
    (root / "cur" / "1767603600.1.host:2,S").write_bytes(_maildir_msg(1))
    (root / "cur" / "1767603600.2.host!2,RS").write_bytes(_maildir_msg(2, "c@x.org"))
    (root / "new" / "1767603600.3.host").write_bytes(_maildir_msg(3, "d@x.org"))
    (root / "tmp" / "1767603600.4.host").write_bytes(_maildir_msg(4, "e@x.org"))
    (root / "cur" / "1767603600.5.host:2,ST").write_bytes(_maildir_msg(5, "f@x.org"))
    (root / "Sent" / "cur" / "1767603600.6.host:2,S").write_bytes(_maildir_msg(1))  # copy
    (root / "Archive/2026" / "cur" / "x:2,").write_bytes(_maildir_msg(7, "g@x.org"))
    (root / "Archive/2026" / "new" / ".noindex").write_bytes(b"")
    res = read_maildir(root)
    f = res.report.files[0]
    assert (f.read, f.imported, f.duplicates) == (8, 4, 1)
    assert f.rejected == {
        "trashed (Maildir flag T)": 1,
        "Maildir tmp/: a delivery in progress": 1,  # counted, not read
        "Maildir bookkeeping file, not a message": 1,  # the .noindex marker
    }
    t = res.interactions.set_index("target")
    assert "e@x.org" not in t.index
    assert t.loc["g@x.org", "container"] == "Archive/2026"


def test_maildir_name_time_is_inferred_date(tmp_path):
    (tmp_path / "cur").mkdir()
    (tmp_path / "cur" / "1767603600.1.host:2,S").write_bytes(b"From: a@x.org\nTo: b@x.org\n\nhi\n")
    t = read_maildir(tmp_path).interactions
    assert t.loc[0, "time_quality"] == "inferred"
    assert t.loc[0, "timestamp"] == pd.Timestamp(1767603600, unit="s", tz="UTC")


def test_folder_of_monthly_archives_resolves_replies_across_files(tmp_path):
    folder = tmp_path / "archives"
    folder.mkdir()
    write(folder, msg(*BASIC, "To: l@x.org", "Message-ID: <jan@x>"), name="2026-01.mbox")
    write(folder, msg("From: b@x.org", "To: l@x.org", "Date: Mon, 02 Feb 2026 09:00:00 +0000",
                      "Message-ID: <feb@x>", "In-Reply-To: <jan@x>"), name="2026-02.mbox")  # fmt: skip
    assert MboxReader.detect(folder)
    res = read_mbox(folder)
    assert ("b@x.org", "a@x.org", "reply") in edges(res)
    assert res.report.files[0].read == 2
    # per file, the February reply has no parent to point to
    assert "reply" not in set(read_mbox(folder / "2026-02.mbox").interactions["kind"])
    (folder / "notes.txt").write_text("not mail")
    assert not MboxReader.detect(folder)  # a mixed folder is walked file by file instead


def test_zip_entries_that_are_not_mbox_are_skipped(tmp_path):
    zp = tmp_path / "export.zip"
    with zipfile.ZipFile(zp, "w") as z:
        z.writestr("README.txt", "what this export holds")
        z.writestr("mail/all.mbox", msg(*BASIC, "To: b@x.org", "Message-ID: <1@x>"))
    res = read_mbox(zp, on_bad_lines="error")
    assert edges(res) == [("a@x.org", "b@x.org", "to")]
    assert res.report.rejects[0:] == [] and res.report.files[0].read == 1


def test_list_posters_become_list_members(tmp_path):
    p = write(
        tmp_path,
        msg(*BASIC, "To: dev@x.org", "Message-ID: <1@x>", "List-Id: <dev.x.org>"),
        msg(*BASIC, "To: dev@x.org", "Message-ID: <2@x>", "List-Id: <dev.x.org>"),
        msg("From: b@x.org", "To: dev@x.org", BASIC[1], "Message-ID: <3@x>", "List-Id: <dev.x.org>"),
    )  # fmt: skip
    aff = read_mbox(p).affiliations
    assert sorted(aff["person"]) == ["a@x.org", "b@x.org"]
    assert set(aff["group"]) == {"dev.x.org"} and set(aff["group_type"]) == {"mailing_list"}


def test_options_are_validated(tmp_path):
    from ona.exceptions import InvalidParameterError

    p = write(tmp_path, msg(*BASIC, "To: b@x.org"))
    for bad in ({"n_jobs": 0}, {"mass_threshold": -1}, {"on_bad_lines": "ignore"}):
        with pytest.raises(InvalidParameterError):
            read_mbox(p, **bad)


def test_corrupt_zip_entries_are_reported_not_raised(tmp_path):
    from ona.importers.eml import read_eml

    raw = tmp_path / "raw.zip"
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED) as z:
        z.writestr("a.eml", "From: a@x.org\nTo: b@x.org\n" + BASIC[1] + "\n\n" + "x" * 100)
        z.writestr("all.mbox", msg(*BASIC, "To: b@x.org", "Message-ID: <1@x>", body="y" * 200))
    data = bytearray(raw.read_bytes())
    for marker in (b"xxxxx", b"yyyyy"):  # flip one byte in each entry: CRC mismatch
        data[data.find(marker)] = ord("z")
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(data))
    eml = read_eml(bad, on_bad_lines="skip").report.files[0]
    assert (eml.read, dict(eml.rejected)) == (1, {"cannot read the file (corrupt or truncated)": 1})
    box = read_mbox(bad, on_bad_lines="skip").report.files[0]
    assert box.balanced() and box.imported == 0 and box.rejected["corrupt zip entry"] >= 1


def test_bcc_from_the_senders_copy_is_added_to_an_earlier_receiver_copy(tmp_path):
    receiver = msg(*BASIC, "To: b@x.org", "Message-ID: <1@x>")
    sender = msg(*BASIC, "To: b@x.org", "Bcc: secret@x.org", "Message-ID: <1@x>")
    res = read_mbox(write(tmp_path, receiver, sender, sender))
    f = res.report.files[0]
    assert (f.read, f.imported, f.duplicates) == (3, 2, 1)
    assert sorted(edges(res)) == [("a@x.org", "b@x.org", "to"), ("a@x.org", "secret@x.org", "bcc")]
    # the sender's copy first: one record, the receiver's copy is a plain duplicate
    res2 = read_mbox(write(tmp_path, sender, receiver, name="other.mbox"))
    assert sorted(edges(res2)) == sorted(edges(res))
    assert res2.report.files[0].duplicates == 1
