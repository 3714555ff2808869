"""Generic interactions CSV: column names and mapping, conservative detection, accounting."""

from __future__ import annotations

import gzip
import importlib
from pathlib import Path

import pandas as pd
import pytest

from ona.exceptions import BadInputError, InvalidParameterError
from ona.importers import TABLE_FORMATS
from ona.importers.csv_interactions import InteractionsCsvReader, read_interactions_csv

BROKEN = Path(__file__).resolve().parents[1] / "data" / "broken" / "csv"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_usual_column_names_and_optional_columns(tmp_path):
    p = _write(tmp_path, "log.csv",
               "Sender;Recipient;Sent At;Weight;Kind;Channel;Thread;Recipients\n"
               "ann;bob;2026-01-05 09:00:00+01:00;2.5;mention;chat;t1;3\n"
               "bob;ann;2026-01-05 10:00:00;1;;;;\n"
               "bob;cy;2026-01-06;1;;;;\n")
    assert InteractionsCsvReader.detect(p)
    t = read_interactions_csv(p).interactions
    assert t[["source", "target", "kind", "channel"]].values.tolist() == [
        ["ann", "bob", "mention", "chat"], ["bob", "ann", "other", "other"],
        ["bob", "cy", "other", "other"]]
    assert t["timestamp"].astype(str).tolist() == [
        "2026-01-05 08:00:00+00:00", "2026-01-05 10:00:00+00:00", "2026-01-06 00:00:00+00:00"]
    assert t["time_quality"].tolist() == ["exact", "no_timezone", "date_only"]
    assert t["weight"].tolist() == [2.5, 1.0, 1.0]
    assert t["n_recipients"].tolist()[0] == 3 and t["thread_id"].notna().tolist() == [True, False, False]


def test_mapping_and_defaults(tmp_path):
    p = _write(tmp_path, "tickets.csv", "Requester,Assignee,Opened\nann,bob,1767603600\n"
                                        "cy,bob,1767603600000\n")
    assert not InteractionsCsvReader.detect(p)  # no source/target-like column: not claimed
    with pytest.raises(BadInputError, match="no source, target, timestamp column"):
        read_interactions_csv(p)
    r = read_interactions_csv(p, columns={"source": "Requester", "target": "Assignee",
                                          "timestamp": "Opened"}, kind="review", channel="code")
    t = r.interactions
    assert set(t["kind"]) == {"review"} and set(t["channel"]) == {"code"}
    assert t["timestamp"].astype(str).tolist() == ["2026-01-05 09:00:00+00:00"] * 2
    with pytest.raises(InvalidParameterError):
        read_interactions_csv(p, kind="hug")


def test_detection_is_conservative(tmp_path, shared):
    roster = _write(tmp_path, "roster.csv", "employee_id,email,team,manager_id\n1,a@x.org,T1,\n")
    outcomes = _write(tmp_path, "outcomes.csv", "team,period,delivery\nT1,2026-Q1,0.8\n")
    assert not InteractionsCsvReader.detect(roster)
    assert not InteractionsCsvReader.detect(outcomes)
    assert not InteractionsCsvReader.detect(shared / "fixtures" / "viva" / "vivainsights_p2p_data.csv")
    assert not InteractionsCsvReader.detect(tmp_path / "missing.csv")
    json_file = _write(tmp_path, "x.json", '{"source": 1, "target": 2}')
    assert not InteractionsCsvReader.detect(json_file)
    # The table detectors run first; an interactions CSV must not look like a table to them.
    edges = _write(tmp_path, "edges.csv", "source,target,timestamp\na,b,2026-01-05\n")
    for module in TABLE_FORMATS.values():
        assert not importlib.import_module(str(module)).detect(edges), module
    assert InteractionsCsvReader.detect(edges)


def test_identical_rows_all_count_and_reimport_is_idempotent(tmp_path):
    p = _write(tmp_path, "e.csv", "from,to,date\na,b,2026-01-05\na,b,2026-01-05\nb,a,2026-01-05\n")
    first = read_interactions_csv(p)
    second = read_interactions_csv(p)
    assert len(first.interactions) == 3 and first.interactions["event_id"].is_unique
    assert first.interactions["event_id"].tolist() == second.interactions["event_id"].tolist()
    with_ids = _write(tmp_path, "ids.csv", "id,from,to,date\nm1,a,b,2026-01-05\nm1,a,b,2026-01-05\n")
    report = read_interactions_csv(with_ids).report.files[0]
    assert report.imported == 1 and report.duplicates == 1


def test_compressed_csv_is_streamed(tmp_path):
    p = tmp_path / "big.csv.gz"
    with gzip.open(p, "wt") as fh:
        fh.write("source,target,timestamp\n")
        for i in range(5000):
            fh.write(f"p{i % 50},p{(i + 1) % 50},2026-01-05T09:{i % 60:02d}:00Z\n")
    assert InteractionsCsvReader.detect(p)
    result = read_interactions_csv(p)
    assert len(result.interactions) == 5000 and result.report.balanced()
    counts = result.interactions.groupby("source").size()
    assert (counts == 100).all()


def test_broken_csv_files():
    with pytest.raises(BadInputError, match="line 1: no timestamp column"):
        read_interactions_csv(BROKEN / "no_timestamp.csv")
    with pytest.warns(UserWarning):
        result = read_interactions_csv(BROKEN / "bad_rows.csv")
    report = result.report.files[0]
    assert dict(report.rejected) == {
        "missing or bad timestamp": 1, "missing source or target": 1, "bad weight": 2,
        "unknown kind": 1, "unknown channel": 1, "bad n_recipients": 1, "self-interaction only": 1}
    assert report.imported == 1 and report.balanced()
    with pytest.raises(BadInputError, match="line 3: missing or bad timestamp"):
        read_interactions_csv(BROKEN / "bad_rows.csv", on_bad_lines="error")
    result = read_interactions_csv(BROKEN / "bad_quote.csv", on_bad_lines="skip")
    assert result.report.balanced() and len(result.interactions) >= 1
    assert isinstance(result.interactions, pd.DataFrame)


def test_unknown_time_column_error_names_the_cli_option(tmp_path):
    import csv as stdlib_csv

    rows = [("ann@corp.com", "bob@corp.com", "2026-01-05 09:00:00"),
            ("bob@corp.com", "cy@corp.com", "2026-01-06 10:30:00"),
            ("cy@corp.com", "", "2026-01-06 11:00:00")]  # fmt: skip
    p = _write(tmp_path, "events.csv", "Sender;Recipient;EventDate\n"
               + "".join(";".join(r) + "\n" for r in rows))
    with pytest.raises(BadInputError) as err:
        read_interactions_csv(p)
    message = str(err.value)
    assert "--columns source=Sender,target=Recipient,timestamp=COLUMN" in message
    assert "EventDate" in message
    r = read_interactions_csv(p, columns={"timestamp": "EventDate"}, on_bad_lines="skip")
    with open(p, newline="") as fh:
        truth = list(stdlib_csv.DictReader(fh, delimiter=";"))
    f = r.report.files[0]
    assert f.read == len(truth) and f.balanced()
    assert f.imported == sum(bool(t["Sender"] and t["Recipient"]) for t in truth)
    assert f.rejected == {"missing source or target": 1}
    with pytest.raises(BadInputError, match=r"timestamp=Event_Date.*columns are: Sender, "):
        read_interactions_csv(p, columns={"timestamp": "Event_Date"})


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_detected_where_the_sniffer_gives_up(tmp_path, delimiter):
    from ona.importers.csv_interactions import detect_delimiter

    header = delimiter.join(["From", "To", "When"])
    row = delimiter.join(['"Lee, Ann"', '"Bo; Bob"', "2026-01-05"])
    assert detect_delimiter([header, row]) == delimiter
    p = _write(tmp_path, "one.csv", f"{header}\n{row}\n")
    t = read_interactions_csv(p).interactions
    assert t[["source", "target"]].values.tolist() == [["Lee, Ann", "Bo; Bob"]]


def test_parse_column_mapping():
    from ona.importers.csv_interactions import parse_column_mapping

    assert parse_column_mapping("source=Sender,target=Recipient,timestamp=EventDate") == {
        "source": "Sender", "target": "Recipient", "timestamp": "EventDate"}
    for bad in ("source", "sender=Sender", "=x", ""):
        with pytest.raises(ValueError):
            parse_column_mapping(bad)
