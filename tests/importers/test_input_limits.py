"""Limits on decompressed streams, archive entries and lines; damaged containers (issue 19).

Expected behaviour is stated by the limits themselves (docs/limits.md): a stream that yields
more than ``max_ratio`` times what it consumed, a line above ``max_line``, a document above
``max_document`` stop with a BadInputError naming the file, after reading at most about the cap.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import time
import tracemalloc
import zipfile

import pytest

from ona.exceptions import BadInputError
from ona.importers import detect_format, read
from ona.importers._io import (
    InputLimits,
    SafeZip,
    get_input_limits,
    open_binary,
    set_input_limits,
)
from ona.importers.damaged import damage


@pytest.fixture
def small_limits():
    previous = set_input_limits(ratio_grace=1 << 20, max_line=1 << 16, max_document=1 << 20)
    yield get_input_limits()
    set_input_limits(**previous.__dict__)


def _bomb(n_bytes: int) -> bytes:
    """Zeros compress about 1,000 times with gzip: far above any text's ratio."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb") as gz:
        block = b"\0" * (1 << 20)
        for _ in range(n_bytes >> 20):
            gz.write(block)
    return out.getvalue()


def test_defaults_are_the_documented_ones():
    limits = InputLimits()
    assert limits.max_ratio == 100
    assert limits.max_uncompressed == 20 * 2**30
    assert limits.max_line == 16 * 2**20
    assert limits.max_document == 512 * 2**20
    assert limits.ratio_grace == 16 * 2**20


@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz"])
def test_a_decompression_bomb_stops_at_the_ratio_and_holds_little_memory(tmp_path, suffix):
    raw = b"\0" * (256 << 20)  # 256 MiB of zeros
    compress = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}[suffix]
    path = tmp_path / f"events.csv{suffix}"
    path.write_bytes(compress(raw))
    assert len(raw) / path.stat().st_size > 100
    del raw
    tracemalloc.start()
    t0 = time.perf_counter()
    with pytest.raises(BadInputError, match="decompresses more than 100 times") as info:
        with open_binary(path) as fh:
            while fh.read(1 << 16):
                pass
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert info.value.file == str(path)
    assert peak < 32 << 20
    assert elapsed < 10


def test_text_below_the_ratio_is_read_whole(tmp_path):
    rows = b"".join(b"a%d@x,b%d@x,2026-01-05T09:%02d:00Z\n" % (i, i * 7, i % 60) for i in range(400_000))
    path = tmp_path / "events.csv.gz"
    path.write_bytes(gzip.compress(rows))
    with open_binary(path, lines=True) as fh:
        assert fh.read() == rows


def test_the_total_cap_applies_to_a_stream(tmp_path):
    path = tmp_path / "log.txt.gz"
    path.write_bytes(gzip.compress(os.urandom(3 << 20)))
    previous = set_input_limits(max_uncompressed=2 << 20)
    try:
        with pytest.raises(BadInputError, match="bytes once decompressed"):
            with open_binary(path) as fh:
                fh.read()
    finally:
        set_input_limits(**previous.__dict__)


def test_a_line_above_the_cap_stops_a_line_reader_not_a_document_reader(tmp_path, small_limits):
    path = tmp_path / "events.csv"
    path.write_bytes(b"source,target\n" + b"x" * (small_limits.max_line + 10) + b"\n")
    with pytest.raises(BadInputError, match="a line longer than 65,536 bytes"):
        with open_binary(path, lines=True) as fh:
            for _ in fh:
                pass
    with open_binary(path) as fh:  # a JSON file is one line: no line cap
        assert len(fh.read()) == path.stat().st_size


def test_the_line_cap_holds_in_readline_without_buffering_the_line(tmp_path, small_limits):
    path = tmp_path / "log.txt.gz"
    path.write_bytes(gzip.compress(b"y" * (8 << 20)))
    with pytest.raises(BadInputError, match="line longer"):
        with open_binary(path, lines=True) as fh:
            fh.readline()


def test_a_zip_entry_read_whole_is_capped(tmp_path, small_limits):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("users.json", b'["' + os.urandom(600_000).hex().encode() + b'"]')
        z.writestr("small.json", b"[]")
    with SafeZip(path) as z:
        assert z.read("small.json") == b"[]"
        with pytest.raises(BadInputError, match="a document above") as info:
            z.read("users.json")
    assert info.value.location == "users.json"


def _zip_with_bad_crc(path):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("channels.json", b'[{"id": "C1", "name": "general"}]')
    data = bytearray(path.read_bytes())
    i = data.index(b"general")
    data[i] = ord("G")  # stored bytes changed, CRC not
    path.write_bytes(bytes(data))


def test_a_bad_crc_is_a_bad_input_naming_file_and_entry(tmp_path):
    path = tmp_path / "export.zip"
    _zip_with_bad_crc(path)
    with SafeZip(path) as z, pytest.raises(BadInputError) as info:
        z.read("channels.json")
    assert (info.value.file, info.value.location) == (str(path), "channels.json")
    assert "CRC" in info.value.reason


def test_a_truncated_zip_is_detected_as_damaged_and_reading_it_names_it(tmp_path):
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.eml", b"From: a@x\r\nTo: b@x\r\nDate: Mon, 5 Jan 2026 09:00:00 +0000\r\n\r\n")
    path = tmp_path / "mail.zip"
    path.write_bytes(good.read_bytes()[:-30])
    assert detect_format(path) == "damaged"
    with pytest.raises(BadInputError, match="not a readable zip archive") as info:
        read(path)
    assert info.value.file == str(path)


def test_a_symlink_loop_is_damaged_not_a_crash(tmp_path):
    loop = tmp_path / "loop.mbox"
    os.symlink(loop, loop)
    assert damage(loop) == "a symbolic link that loops"
    assert detect_format(loop) == "damaged"


@pytest.mark.parametrize(
    "data", [b"", b"\x1f\x8b", b"\x1f\x8b\x08\x00" + b"\xff" * 100, os.urandom(5000)]
)
def test_damaged_gzip_is_named_or_rejected_with_a_reason(tmp_path, data):
    path = tmp_path / "calendar.ics.gz"
    path.write_bytes(data)
    fmt = detect_format(path)  # never raises
    try:
        report = read(path, format=fmt, on_bad_lines="skip").report
    except BadInputError as exc:
        assert exc.file == str(path)
    else:  # the calendar reader rejects an unreadable calendar as one record (empty: none)
        assert report.balanced() and report.files[0].imported == 0
        assert {why for _, _, why in report.rejects} <= {"truncated or corrupt compressed file"}
        assert len(report.rejects) == report.files[0].read == (len(data) > 0)


def test_good_files_are_not_damaged(shared):
    for path in sorted((shared / "fixtures").rglob("*")):
        if path.is_file() and path.suffix.lower() in (".zip", ".gz", ".xlsx"):
            assert damage(path) is None, path
