"""Server logs without content: Microsoft 365 message trace, historical search, Exchange
MSGTRK logs and Gmail logs (synthetic files written from the documented schemas)."""

from __future__ import annotations

import gzip
import json

import pandas as pd

from ona.importers import detect_format
from ona.importers.gmail_log import read_gmail_log
from ona.importers.message_trace import read_message_trace

TRACE = (
    '"Received","SenderAddress","RecipientAddress","Subject","Status","ToIP","FromIP","Size",'
    '"MessageId","MessageTraceId"\n'
    '"2026-01-05T09:00:00.1234567Z","Alice@X.org","bob@x.org","q","Delivered","","","1",'
    '"<m1@x.org>","t1"\n'
    '"2026-01-05T09:00:00.1234567Z","alice@x.org","carol@x.org","q","Delivered","","","1",'
    '"<m1@x.org>","t1"\n'
    '"2026-01-05T09:00:00.1234567Z","alice@x.org","team@x.org","q","Expanded","","","1",'
    '"<m1@x.org>","t1"\n'
    '"2026-01-05T09:00:00.1234567Z","alice@x.org","bob@x.org","q","Delivered","","","1",'
    '"<m1@x.org>","t2"\n'
    '"1/5/2026 10:00:00 AM","bob@x.org","alice@x.org","q","Failed","","","1","<m2@x.org>","t3"\n'
    '"1/5/2026 11:00:00 AM","bob@x.org","alice@x.org","q","Delivered","","","1","<m3@x.org>","t4"\n'
)


def test_message_trace_rows(tmp_path):
    p = tmp_path / "MessageTrace.csv"
    p.write_text(TRACE)
    assert detect_format(p) == "message_trace"
    res = read_message_trace(p)
    f = res.report.files[0]
    # 6 rows: 3 pairs imported (the group row is not a recipient: its members have rows), 1 repeated pair, 1 group-expansion row, 1 failed delivery
    assert (f.read, f.imported, f.duplicates) == (6, 3, 1)
    assert dict(f.rejected) == {
        "distribution group expansion row (members have their own rows)": 1,
        "delivery failed": 1,
    }
    t = res.interactions
    assert list(zip(t.source, t.target, t.n_recipients, strict=True)) == [
        ("alice@x.org", "bob@x.org", 2), ("alice@x.org", "carol@x.org", 2),
        ("bob@x.org", "alice@x.org", 1)]  # fmt: skip
    assert t.loc[2, "timestamp"] == pd.Timestamp("2026-01-05 11:00", tz="UTC")
    assert set(t.kind) == {"to"} and t.thread_id.isna().all()


def test_historical_search_report(tmp_path):
    p = tmp_path / "hist.csv.gz"
    p.write_bytes(gzip.compress(
        b"origin_timestamp_utc,sender_address,recipient_status,message_subject,message_id\n"
        b"2026-01-05T09:00:00Z,a@x.org,b@x.org##Receive;c@x.org##Deliver,s,<h1@x.org>\n"
        b"2026-01-05T09:05:00Z,MicrosoftExchange329e@x.org,a@x.org##Deliver,s,<h2@x.org>\n"
    ))  # fmt: skip
    assert detect_format(p) == "message_trace"
    t = read_message_trace(p).interactions
    assert t.target.tolist() == ["b@x.org", "c@x.org", "a@x.org"]
    assert t.automated.tolist() == [False, False, True]


def test_exchange_tracking_log(tmp_path):
    p = tmp_path / "MSGTRK2026010509-1.LOG"
    p.write_text(
        "\ufeff#Software: Microsoft Exchange Server\n#Version: 15.0.0.0\n#Log-type: Message Tracking Log\n"
        "#Fields: date-time,client-ip,event-id,source,recipient-address,sender-address,message-id\n"
        "2026-01-05T09:00:00.000Z,,RECEIVE,STOREDRIVER,b@x.org;c@x.org,a@x.org,<x1@x.org>\n"
        "2026-01-05T09:00:01.000Z,,DELIVER,STOREDRIVER,b@x.org;c@x.org,a@x.org,<x1@x.org>\n"
        "2026-01-05T09:00:01.000Z,,DELIVER,STOREDRIVER,d@x.org,a@x.org,<x1@x.org>\n"
        "2026-01-05T09:00:01.000Z,,EXPAND,ROUTING,team@x.org,a@x.org,<x1@x.org>\n"
    )  # fmt: skip
    assert detect_format(p) == "message_trace"
    res = read_message_trace(p)
    f = res.report.files[0]
    assert (f.read, f.imported, f.duplicates) == (4, 2, 1)
    assert sorted(res.interactions.target) == ["b@x.org", "c@x.org", "d@x.org"]
    assert set(res.interactions.n_recipients) == {3}


def _gmail_row(mid, sender, rcpts, usec=1767603600000000, spam=False):
    return {
        "event_info": {"timestamp_usec": str(usec), "mail_event_type": 2},
        "message_info": {
            "rfc2822_message_id": mid, "source": {"address": sender}, "is_spam": spam,
            "subject": "SECRET", "destination": [{"address": r, "service": "gmail"} for r in rcpts],
        },
    }  # fmt: skip


def test_gmail_log_json_lines_and_array(tmp_path):
    rows = [
        _gmail_row("<g1@x.org>", "a@x.org", ["b@x.org", "c@x.org"]),
        _gmail_row("<g1@x.org>", "a@x.org", ["b@x.org"]),  # a second event of the same message
        _gmail_row("<g2@x.org>", "b@x.org", ["a@x.org"], spam=True),
        _gmail_row("<g3@x.org>", "c@x.org", ["a@x.org"], usec=1767607200000000),
    ]
    lines = tmp_path / "gmail.json"
    lines.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    array = tmp_path / "gmail_array.json"
    array.write_text(json.dumps(rows))
    for p in (lines, array):
        assert detect_format(p) == "gmail_log"
        res = read_gmail_log(p)
        f = res.report.files[0]
        assert (f.read, f.imported, f.duplicates, dict(f.rejected)) == (4, 2, 1, {"spam": 1})
        t = res.interactions
        assert list(zip(t.source, t.target, t.n_recipients, strict=True)) == [
            ("a@x.org", "b@x.org", 2), ("a@x.org", "c@x.org", 2), ("c@x.org", "a@x.org", 1)]  # fmt: skip
        assert t.timestamp.iloc[-1] == pd.Timestamp("2026-01-05 10:00", tz="UTC")
        assert "SECRET" not in t.astype(str).to_csv()


def test_gmail_log_csv(tmp_path):
    p = tmp_path / "email_log_search.csv"
    p.write_text(
        "Date,Message ID,Subject,Sender,Recipient\n"
        '2026-01-05T09:00:00Z,<c1@x.org>,s,A <a@x.org>,"b@x.org, c@x.org"\n'
        "2026-01-05T09:00:00Z,<c1@x.org>,s,a@x.org,b@x.org\n"
    )  # fmt: skip
    assert detect_format(p) == "gmail_log"
    res = read_gmail_log(p)
    assert sorted(res.interactions.target) == ["b@x.org", "c@x.org"]
    assert res.report.files[0].duplicates == 1


def test_truncated_compressed_trace_keeps_whole_rows(tmp_path):
    rows = "".join(
        f'"2026-01-05T09:00:00Z","a@x.org","r{i}@x.org","s","Delivered","<m{i}@x.org>"\n'
        for i in range(3000)
    )
    head = '"Received","SenderAddress","RecipientAddress","Subject","Status","MessageId"\n'
    blob = gzip.compress((head + rows).encode())
    p = tmp_path / "trace.csv.gz"
    p.write_bytes(blob[: len(blob) // 2])
    res = read_message_trace(p, on_bad_lines="skip")
    f = res.report.files[0]
    assert f.balanced() and 0 < f.imported < 3000
    assert f.rejected == {"truncated or corrupt file (the rest is unread)": 1}
    # every imported row is whole: its recipient is one the file was written with
    assert res.interactions.target.str.fullmatch(r"r\d+@x\.org").all()
    assert res.report.rejects[-1][1] == f"after line {f.imported + 1}"
