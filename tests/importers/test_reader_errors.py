"""The reader base turns data errors into rejections or a BadInputError naming the file (issue 19).

Every reader gets this from :meth:`Reader.iter_frames`: an error raised while the base handles
one record rejects that record with a reason; an error raised by the reader's own parsing (a
damaged stream, JSON nested too deeply) stops that file with a BadInputError naming it, which
the CLI maps to exit 65. Neither ever escapes as another exception.
"""

from __future__ import annotations

import gzip
import json
import zlib

import pytest

from ona.exceptions import BadInputError
from ona.importers import detect_format, read
from ona.importers._base import Reader, Record, Rejected


def _event(source="a@x", target="b@x", timestamp="2026-01-05T09:00:00Z", **extra):
    return {"source": source, "target": target, "timestamp": timestamp, "kind": "to",
            "channel": "email", **extra}


def _reader(items):
    class ListReader(Reader):
        format = "list"
        channel = "email"

        def records(self):
            yield from items() if callable(items) else items

    return ListReader("/tmp/list-input.txt", on_bad_lines="skip")


def test_a_record_the_base_cannot_handle_is_rejected_and_the_rest_imported():
    items = [
        Record("1", "line 1", [_event()]),
        Record("2", "line 2", [{"target": "b@x", "kind": "to"}]),  # no source
        Record(["not", "hashable"], "line 3", [_event()]),  # a list where a string is expected
        Record("4", "line 4", [_event(source="c@x")]),
    ]
    result = _reader(items).read()
    rep = result.report.files[0]
    assert (rep.read, rep.imported, rep.n_rejected) == (4, 2, 2)
    assert rep.balanced()
    assert sorted(loc for _, loc, _ in result.report.rejects) == ["line 2", "line 3"]
    assert all("unexpected structure" in why for _, _, why in result.report.rejects)
    assert sorted(result.interactions["source"]) == ["a@x", "c@x"]


@pytest.mark.parametrize("bad", ["0000-01-01T00:00:00Z", "2026-13-45T99:99:00Z", "yesterday"])
def test_a_timestamp_the_table_refuses_rejects_only_its_record(bad):
    items = [Record(str(i), f"line {i}", [_event(source=f"p{i}@x")]) for i in range(40)]
    items[17] = Record("17", "line 17", [_event(source="p17@x", timestamp=bad)])
    result = _reader(items).read()
    rep = result.report.files[0]
    assert (rep.read, rep.imported, rep.n_rejected, rep.events) == (40, 39, 1, 39)
    assert rep.balanced()
    assert result.report.rejects == [("/tmp/list-input.txt", "line 17", "bad or out-of-range timestamp")]
    assert "p17@x" not in set(result.interactions["source"])
    assert len(result.interactions) == 39


def test_a_value_the_table_refuses_names_its_column():
    items = [Record("1", "line 1", [_event()]), Record("2", "line 2", [_event(kind="nonsense")])]
    result = _reader(items).read()
    assert result.report.rejects == [
        ("/tmp/list-input.txt", "line 2", "a value the kind column does not accept")
    ]
    assert result.report.files[0].balanced()


@pytest.mark.parametrize(
    "error, reason",
    [
        (zlib.error("Error -3 while decompressing data: invalid stored block lengths"), "damaged"),
        (EOFError("Compressed file ended before the end-of-stream marker was reached"), "damaged"),
        (RecursionError("maximum recursion depth exceeded"), "nested too deeply"),
        (KeyError("alice@example.com"), "unexpected structure or value (KeyError)"),
    ],
)
def test_an_error_in_the_readers_parsing_names_the_file_and_where(error, reason):
    def items():
        yield Record("1", "line 1", [_event()])
        raise error

    with pytest.raises(BadInputError) as info:
        _reader(items).read()
    assert info.value.file == "/tmp/list-input.txt"
    assert info.value.location == "after line 1"
    assert reason in info.value.reason
    assert "alice" not in str(info.value)  # never the value that caused it


def test_json_nested_100000_deep_is_a_bad_input_not_a_recursion_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)

    class JsonReader(Reader):
        format = "json"

        def records(self):
            yield from json.loads(self.path.read_text())

    with pytest.raises(BadInputError, match="nested too deeply"):
        JsonReader(path).read()


def test_detect_format_never_raises_and_names_a_damaged_compressed_file(tmp_path):
    good = gzip.compress(b"source,target,timestamp\na,b,2026-01-05\n" * 50)
    damaged = tmp_path / "interactions.csv.gz"
    damaged.write_bytes(good[:30] + bytes(b ^ 0x5A for b in good[30:60]) + good[60:])
    assert detect_format(damaged) == "damaged"  # never zlib.error
    with pytest.raises(BadInputError) as info:
        read(damaged)
    assert info.value.file == str(damaged)
    assert "damaged or truncated gzip data" in info.value.reason


def test_rejected_items_still_count():
    items = [Record("1", "line 1", [_event()]), Rejected("line 2", "no sender")]
    rep = _reader(items).read().report.files[0]
    assert (rep.read, rep.imported, rep.n_rejected) == (2, 1, 1)
