"""Outlook .msg and .pst: optional libraries (extra ``outlook``), clear errors without them."""

from __future__ import annotations

import importlib.util

import pytest

from ona.exceptions import BadInputError, MissingDependencyError
from ona.importers import detect_format
from ona.importers.outlook import read_outlook_msg, read_pst


def test_detection_by_signature(shared):
    root = shared / "fixtures" / "email" / "outlook"
    assert detect_format(root / "msg-extractor_strangeDate.msg") == "outlook_msg"
    assert detect_format(root / "java-libpst_dist-list.pst") == "pst"
    assert detect_format(root / "java-libpst_passworded.pst") == "pst"


def test_not_a_pst_is_a_clear_error_without_the_extra(tmp_path):
    p = tmp_path / "fake.pst"
    p.write_bytes(b"this is not a personal folders file")
    with pytest.raises(BadInputError, match="not a PST file"):
        read_pst(p)


@pytest.mark.skipif(importlib.util.find_spec("pypff") is not None, reason="pypff installed")
def test_missing_pst_library_names_the_extra(shared):
    with pytest.raises(MissingDependencyError, match=r"ona-toolkit\[outlook\]"):
        read_pst(shared / "fixtures" / "email" / "outlook" / "java-libpst_dist-list.pst")


@pytest.mark.skipif(importlib.util.find_spec("extract_msg") is not None, reason="installed")
def test_missing_msg_library_names_the_extra(shared):
    with pytest.raises(MissingDependencyError, match=r"ona-toolkit\[outlook\]"):
        read_outlook_msg(
            shared / "fixtures" / "email" / "outlook" / "msg-extractor_strangeDate.msg"
        )


def test_pst_fixtures_with_library(shared):
    pytest.importorskip("pypff")
    root = shared / "fixtures" / "email" / "outlook"
    res = read_pst(root / "java-libpst_dist-list.pst")
    assert res.report.files[0].balanced()
    try:
        read_pst(root / "java-libpst_passworded.pst")
    except BadInputError as err:  # refused cleanly, naming the file
        assert err.file.endswith("java-libpst_passworded.pst")


def test_msg_fixture_with_library(shared):
    pytest.importorskip("extract_msg")
    res = read_outlook_msg(
        shared / "fixtures" / "email" / "outlook" / "msg-extractor_strangeDate.msg"
    )
    f = res.report.files[0]
    assert f.read == 1 and f.balanced()
