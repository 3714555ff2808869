"""The header parser: unit cases and property-based fuzzing (hypothesis)."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime, getaddresses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ona.importers._email_headers import (
    _fast_addresses,
    _slow_date,
    parse_addresses,
    parse_date,
    parse_header_block,
    parse_msgid,
    parse_msgid_list,
    split_headers,
)
from ona.importers.mbox import read_mbox
from ona.tables import TIME_QUALITIES

atoms = st.text(string.ascii_letters + string.digits + "._+-", min_size=1, max_size=12)
addresses = st.builds(lambda a, b, c: f"{a}@{b}.{c}", atoms, atoms, st.sampled_from(["org", "com"]))
names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20)
mailbox = st.one_of(
    addresses,
    st.builds(lambda n, a: f"{n} <{a}>", names, addresses),
    st.builds(
        lambda n, a: '"' + n.replace("\\", "").replace('"', "") + f'" <{a}>', names, addresses
    ),
    st.builds(lambda a, n: f"{a} ({n})", addresses, names),
)
header_values = st.lists(mailbox, min_size=1, max_size=6).map(", ".join)


def stdlib(value: str) -> list[str]:
    out = []
    for _n, a in getaddresses([value]):
        a = a.strip().lower()
        if a and a not in out:
            out.append(a)
    return out


@settings(max_examples=250, deadline=None)
@given(header_values)
def test_fast_address_path_agrees_with_getaddresses(value):
    fast = _fast_addresses(value)
    if fast is not None:  # whenever the fast path accepts a value, it reads it as the stdlib does
        assert list(dict.fromkeys(a.lower() for a in fast)) == stdlib(value)


@settings(max_examples=300, deadline=None)
@given(st.lists(addresses, min_size=1, max_size=8))
def test_fast_path_reads_plain_lists(addrs):
    value = ", ".join(f"Person {i} <{a}>" for i, a in enumerate(addrs))
    assert _fast_addresses(value) is not None
    assert parse_addresses([value]) == list(dict.fromkeys(a.lower() for a in addrs))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_address_parser_never_crashes(value):
    out = parse_addresses([value])
    assert all(isinstance(a, str) and a == a.lower() and a for a in out)


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1)),
    st.integers(-12 * 60, 14 * 60),
)
def test_fast_date_path_agrees_with_stdlib_path(when, offset_minutes):
    tz = timezone(timedelta(minutes=offset_minutes))
    text = format_datetime(when.replace(microsecond=0, tzinfo=tz))
    fast, slow = parse_date(text), _slow_date(text)
    assert fast == slow
    assert fast[0] == when.replace(microsecond=0, tzinfo=tz).astimezone(UTC)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_date_parser_never_crashes(value):
    dt, quality = parse_date(value)
    assert (dt is None) == (quality is None)
    if dt is not None:
        assert dt.tzinfo is not None and quality in TIME_QUALITIES


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_header_block_parser_never_crashes_on_bytes(block):
    headers, _received = parse_header_block(block)
    assert headers.sender is None or headers.sender == headers.sender.lower()


header_lines = st.one_of(
    st.builds(lambda v: f"From: {v}", header_values),
    st.builds(lambda v: f"To: {v}", header_values),
    st.builds(lambda v: f"Cc: {v}", header_values),
    st.builds(lambda v: f"Date: {v}", st.text(max_size=40).map(lambda s: s.replace("\n", " "))),
    st.builds(lambda v: f"Message-ID: <{v}>", atoms),
    st.builds(lambda v: f"In-Reply-To: <{v}>", atoms),
    st.text(string.printable, max_size=60).map(lambda s: s.replace("\n", " ").replace("\r", " ")),
)


@pytest.mark.slow
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(header_lines, max_size=8), min_size=1, max_size=8))
def test_every_fuzzed_message_is_accounted_for(tmp_path_factory, messages):
    text = "".join(
        "From x@y.org Mon Jan  5 09:00:00 2026\n" + "\n".join(h) + "\n\nbody\n" for h in messages
    )
    p = tmp_path_factory.mktemp("fuzz") / "f.mbox"
    p.write_bytes(text.encode("utf-8", "surrogatepass"))
    f = read_mbox(p, on_bad_lines="skip").report.files[0]
    assert f.read == len(messages)
    assert f.balanced()


def test_split_headers_repeats_and_folding():
    h = split_headers("To: a@x\r\nCC: b@x\r\nSubject: s\r\ncc: c@x,\r\n\td@x\r\nX-Other: 1\r\n")
    assert h == {"to": ["a@x"], "cc": ["b@x", "c@x,\td@x"]}
    assert "subject" not in split_headers("Subject: secret\n")


def test_message_ids_are_opaque():
    assert parse_msgid("<Abc@X.org>") == "Abc@X.org"  # case kept: ids are opaque
    assert parse_msgid("bare-id@host") == "bare-id@host"
    assert parse_msgid("<>") is None and parse_msgid("") is None and parse_msgid(None) is None
    assert parse_msgid_list("<a@x>\n <b\n @x> junk <c@x>") == ["a@x", "b@x", "c@x"]


def test_addresses_edge_forms():
    assert parse_addresses(["\"'platform-dev@eclipse.org'\" <platform-dev@eclipse.org>"]) == [
        "platform-dev@eclipse.org"
    ]
    assert parse_addresses(["a@x.org, A <A@X.ORG>"]) == ["a@x.org"]
    assert parse_addresses(["", "undisclosed-recipients: ;"]) == []
