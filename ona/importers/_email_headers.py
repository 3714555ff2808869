"""Header-only parsing of RFC 5322 messages: a fast path for well-formed headers, and the stdlib
(``email.utils``, compat32 semantics) for everything else.

Every e-mail reader (mbox, Maildir, .eml, PST transport headers) hands the raw header block to
:func:`parse_header_block`, which returns a :class:`Headers` record holding only metadata: the
addresses, the date and how good it is, the ids needed for de-duplication and threading, and the
automated / mass-mail flags. Subjects and bodies are never decoded or kept.

Why a hand-written fast path: ``email.utils.getaddresses`` and ``parsedate_tz`` are about 75 % of
the cost of a headers-only parse. Most real headers are simple (``Name <a@b>``, ``"Last, First"
<a@b>``, ``a@b``; ``Wed, 22 Jun 2016 12:27:30 -0700``), and a strict regular expression reads
them exactly as the stdlib would; anything the expression does not fully accept goes to the
stdlib parser, so the fast path can only be faster, never different (a property test checks it).
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime, timedelta
from email.utils import getaddresses, parsedate_tz
from functools import lru_cache
from typing import NamedTuple

__all__ = [
    "Headers",
    "decode_header_bytes",
    "parse_addresses",
    "parse_date",
    "parse_from_line_date",
    "parse_header_block",
    "parse_mailboxes",
    "parse_msgid",
    "parse_msgid_list",
    "split_headers",
    "utc_from_epoch",
]

# Headers we read; every other header (Subject included) is skipped without being decoded.
WANTED = frozenset(
    {
        "from", "sender", "to", "cc", "bcc", "date", "message-id", "in-reply-to", "references",
        "x-gm-thrid", "x-gmail-labels", "thread-index", "list-id", "list-unsubscribe",
        "precedence", "auto-submitted", "x-autoreply", "x-autorespond", "x-auto-response-suppress",
        "content-type", "x-mailman-version", "x-beenthere", "received", "return-path",
        "delivered-to", "x-original-to", "x-failed-recipients", "list-post",
    }
)  # fmt: skip


def decode_header_bytes(block: bytes) -> str:
    """Decode a raw header block: ASCII, else UTF-8, else cp1252/latin-1 line by line.

    Examples
    --------
    >>> decode_header_bytes("From: Luc\\u00eda <l@x>".encode("latin-1"))
    'From: Lucía <l@x>'
    """
    try:
        return block.decode("ascii")
    except UnicodeDecodeError:
        pass
    try:
        return block.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lines = []
    for line in block.split(b"\n"):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                lines.append(line.decode("cp1252"))
            except UnicodeDecodeError:
                lines.append(line.decode("latin-1"))
    return "\n".join(lines)


def split_headers(text: str) -> dict[str, list[str]]:
    """The wanted headers of a header block: lower-cased name -> every occurrence, unfolded.

    Repeated headers (``Cc``, ``CC`` and ``cc`` in one message) are all kept, in order.

    Examples
    --------
    >>> split_headers("To: a@x\\nCC: b@x\\nSubject: hi\\ncc: c@x,\\n  d@x\\n")
    {'to': ['a@x'], 'cc': ['b@x', 'c@x,  d@x']}
    """
    # A plain line loop: several times faster than a multi-line regular expression here,
    # because most header lines (Received, DKIM, folded lists) are skipped after one find().
    out: dict[str, list[str]] = {}
    name: str | None = None
    parts: list[str] = []
    for line in text.split("\n"):
        if line[:1] in _WSP:
            if name is not None:
                parts.append(line)
            continue
        if name is not None:
            out.setdefault(name, []).append(_join(parts))
            name = None
        i = line.find(":")
        if i > 0:
            key = line[:i].rstrip(" \t").lower()
            if key in WANTED:
                name, parts = key, [line[i + 1 :]]
    if name is not None:
        out.setdefault(name, []).append(_join(parts))
    return out


_WSP = (" ", "\t")


def _join(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0].strip()
    # Unfolding removes the line breaks only (RFC 5322 2.2.3); a CR can only end a line here.
    return "".join(parts).replace("\r", "").strip()


# -- addresses ---------------------------------------------------------------------------------
_ATOM = r"[^\s\"<>()@,;:\\\[\]]+"
_ADDR = rf"{_ATOM}@{_ATOM}"
_FAST_MAILBOX = re.compile(
    rf"""\s*(?:
        (?:"(?:[^"\\\r\n]|\\[^\r\n])*"|[^"<>()@,;:\\\[\]]*?)\s*<({_ADDR})>   # name <addr>
      | ({_ADDR})(?:\s*\(([^()\\]*)\))?                                     # addr (comment)
    )\s*(?:,|$)""",
    re.X,
)
_OBFUSCATED = re.compile(r"(?<![\w.@+-])([\w.+-]+) at ([\w-]+(?:\.[\w-]+)+)(?![\w@-])")
_BRACKETS = re.compile(r"<([^<>]*)>")


def _fast_addresses(value: str) -> list[str] | None:
    pos, end, found = 0, len(value), []
    while pos < end:
        m = _FAST_MAILBOX.match(value, pos)
        if m is None or m.end() == pos:
            return None
        found.append(m.group(1) or m.group(2))
        pos = m.end()
    return found


# List archives that hide addresses: LISTSERV's "[log in to unmask]", Nabble's "[hidden email]",
# Cloudflare's "[email protected]" (a bracketed phrase that is not a domain literal after an @).
_HIDDEN = re.compile(r"(?<!@)\[[^\[\]@]*\]")
# "Last, First <addr>" without quotes: one mailbox (Exchange and Enron write X.500 names so).
_UNQUOTED_COMMA_NAME = re.compile(r'(^|,)\s*([^,"<>@()]+?),\s*([^,"<>@()]+?)\s*<([^<>@,]*)>')


def _is_x500(addr: str) -> bool:
    """An Exchange X.500 distinguished name (``/o=org/ou=.../cn=recipients/cn=user``)."""
    return addr.startswith("/o=") and "/cn=" in addr


def _addresses_of(value: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The addresses of one header value, and the display names of mailboxes whose address is
    hidden or has no domain (obfuscated archives), which are never taken for addresses."""
    if " at " in value:
        value = _OBFUSCATED.sub(r"\1@\2", value)
    found = _fast_addresses(value)
    if found is not None:  # the fast path's addresses are bare addr-specs already
        return tuple(dict.fromkeys(a.lower() for a in found)), ()
    if "[" in value:
        value = _HIDDEN.sub(" hidden-address ", value)
    if "<" in value and "," in value:
        value = _UNQUOTED_COMMA_NAME.sub(r'\1 "\2, \3" <\4>', value)
    out: dict[str, None] = {}  # ordered and O(1) membership: broadcasts list 800 addresses
    hidden: dict[str, None] = {}
    for name, addr in getaddresses([value]):
        addr = addr.strip().strip("<>").strip().lower()
        if " " in addr or "\t" in addr:
            # Archives that dropped the angle brackets ("Name name@host"): getaddresses keeps
            # the whole phrase; the one word with an @ is the address.
            at = [w for w in addr.split() if "@" in w]
            addr = at[0].strip("<>") if len(at) == 1 else addr
        if "@" in addr or _is_x500(addr):
            out[addr] = None
        elif addr or name.strip():
            hidden[" ".join(name.split()).lower() if name.strip() else addr] = None
    return tuple(out), tuple(hidden)


_CACHE_MAX_LEN = 160
_cached_addresses = lru_cache(maxsize=8192)(_addresses_of)


def parse_mailboxes(values: list[str] | None) -> tuple[list[str], list[str]]:
    """The addresses of one or more address headers (as :func:`parse_addresses`), and the
    display names of the mailboxes whose address is obfuscated or incomplete.

    Examples
    --------
    >>> parse_mailboxes(["Jane Doe <[log in to unmask]>, bob@x.org, carol at example"])
    (['bob@x.org'], ['jane doe', 'carol'])
    """
    if not values:
        return [], []
    if len(values) == 1:
        value = values[0]
        # Short values (one sender, a few recipients) repeat across a mailbox: cache them;
        # long recipient lists rarely repeat and would only fill memory.
        found, hidden = (
            _cached_addresses(value) if len(value) < _CACHE_MAX_LEN else _addresses_of(value)
        )
        return list(found), list(hidden)
    out: dict[str, None] = {}
    hid: dict[str, None] = {}
    for value in values:
        found, hidden = (
            _cached_addresses(value) if len(value) < _CACHE_MAX_LEN else _addresses_of(value)
        )
        out.update(dict.fromkeys(found))
        hid.update(dict.fromkeys(hidden))
    return list(out), list(hid)


def parse_addresses(values: list[str] | None) -> list[str]:
    """Lower-cased addresses of one or more address headers, in order, without repeats.

    A fast path reads well-formed lists; anything else goes to ``email.utils.getaddresses``.
    Mailman's obfuscation ``user at example.org`` is undone; an address that is hidden
    (``[log in to unmask]``) or has no domain is not an address and is left out (see
    :func:`parse_mailboxes`); an Exchange X.500 name is one address, also when its display
    name ``Last, First`` is not quoted. Groups such as ``undisclosed-recipients:;`` give
    nobody. Display names are dropped.

    Examples
    --------
    >>> parse_addresses(['"Doe, Jane" <Jane@X.org>, bob@x.org (Bob)', "carol at x.org"])
    ['jane@x.org', 'bob@x.org', 'carol@x.org']
    >>> parse_addresses(["undisclosed-recipients:;"])
    []
    >>> parse_addresses(["Thorsten Hertel thorsten@example.com"])
    ['thorsten@example.com']
    >>> parse_addresses(["Doe, Jane </O=ORG/OU=EXCHANGE/CN=RECIPIENTS/CN=JDOE>, b@x.org"])
    ['/o=org/ou=exchange/cn=recipients/cn=jdoe', 'b@x.org']
    >>> parse_addresses(["Jane Doe <[log in to unmask]>"])
    []
    """
    return parse_mailboxes(values)[0]


# -- message ids -------------------------------------------------------------------------------
def parse_msgid(value: str | None) -> str | None:
    """The first message id of a header, opaque: the text inside the first ``<...>`` (or the
    whole value when there are no brackets), without spaces; None when empty.

    Examples
    --------
    >>> parse_msgid('<1205676169.6819.27@host> (Simos\\'s message of "Sun, 16 Mar")')
    '1205676169.6819.27@host'
    >>> parse_msgid("<a$@yang@example.com>"), parse_msgid("  "), parse_msgid("<>")
    ('a$@yang@example.com', None, None)
    """
    if not value:
        return None
    m = _BRACKETS.search(value)
    text = m.group(1) if m else value.split()[0] if value.split() else ""
    text = "".join(text.split())
    return text or None


def parse_msgid_list(value: str | None) -> list[str]:
    """Every ``<...>`` id of a References header, in order.

    Examples
    --------
    >>> parse_msgid_list("<a@x> <b@x>\\n\\t<c@x>")
    ['a@x', 'b@x', 'c@x']
    """
    if not value:
        return []
    return [i for i in ("".join(m.split()) for m in _BRACKETS.findall(value)) if i]


# -- dates -------------------------------------------------------------------------------------
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_FAST_DATE = re.compile(
    r"(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"\s+([+-])(\d{2})(\d{2})(?:\s+\([^()]*\))?\s*$"
)
_GMT_OFFSET = re.compile(r"\b(?:GMT|UTC|UT)\s*([+-])(\d{1,2}):?(\d{2})\b")
_ZONE_TOKEN = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?\s*([A-Za-z]+|[+-]\d{4})?")
_KNOWN_ZONES = {"ut", "utc", "gmt", "z", "est", "edt", "cst", "cdt", "mst", "mdt", "pst", "pdt"}
_ASCTIME = re.compile(
    r"([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(?:([+-]\d{4}|[A-Za-z]{1,5})\s+)?(\d{4})"
)
_MIN_YEAR, _MAX_YEAR = 1980, 2100


def _aware(y: int, mo: int, d: int, h: int, mi: int, s: int, offset_s: int) -> datetime | None:
    if not (_MIN_YEAR <= y <= _MAX_YEAR) or offset_s is None or abs(offset_s) > 16 * 3600:
        return None
    try:
        local = datetime(y, mo, d, h, mi, min(s, 59))
    except ValueError:
        return None
    return (local - timedelta(seconds=offset_s)).replace(tzinfo=UTC)


def _iso(value: str) -> tuple[datetime | None, str | None]:
    text = value.strip()
    if len(text) < 10 or not text[:4].isdigit():
        return None, None
    try:
        dt = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None, None
    if not (_MIN_YEAR <= dt.year <= _MAX_YEAR):
        return None, None
    if len(text) == 10:
        return dt.replace(tzinfo=UTC), "date_only"
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC), "no_timezone"
    return dt.astimezone(UTC), "exact"


def parse_date(value: str | None) -> tuple[datetime | None, str | None]:
    """Parse a Date header to ``(UTC datetime, time_quality)``; ``(None, None)`` if unusable.

    ``time_quality`` is ``"exact"`` with a numeric or known zone (``-0000`` included: RFC 5322
    section 3.3 says such a time is in UTC, only the sender's local zone is unknown),
    ``"no_timezone"`` when the zone is missing or unknown (read as UTC), ``"date_only"`` without
    a time. Values out of range (hour 25, year 1970) are unusable, so the caller falls back.

    Examples
    --------
    >>> parse_date("Wed, 22 Jun 2016 12:27:30 -0700 (PDT)")
    (datetime.datetime(2016, 6, 22, 19, 27, 30, tzinfo=datetime.timezone.utc), 'exact')
    >>> parse_date("Tue, 01 Jan 2019 00:02:16 GMT+0100 (CET)")[0].hour
    23
    >>> parse_date("Thu, 15 Jan 2015 14:22:25 CET")[1]
    'no_timezone'
    >>> parse_date("Thu, 15 Jan 2015 14:22:25 -0000")[1]
    'exact'
    >>> parse_date("Mon, 14 May 2001 25:61:00 +0000")
    (None, None)
    """
    if not value:
        return None, None
    m = _FAST_DATE.match(value.strip())
    if m is not None:
        mon = _MONTHS.get(m.group(2).lower())
        if mon:
            offset = (int(m.group(8)) * 3600 + int(m.group(9)) * 60) * (
                -1 if m.group(7) == "-" else 1
            )
            dt = _aware(int(m.group(3)), mon, int(m.group(1)), int(m.group(4)), int(m.group(5)),
                        int(m.group(6) or 0), offset)  # fmt: skip
            return (dt, "exact") if dt is not None else (None, None)
    return _slow_date(value)


def _slow_date(value: str) -> tuple[datetime | None, str | None]:
    parts = parsedate_tz(value)
    if parts is None:
        return _iso(value)
    y, mo, d, h, mi, s, _, _, _, offset = parts
    quality = "exact"
    gmt = _GMT_OFFSET.search(value)
    if gmt is not None:  # JavaScript clients: "GMT+0100" means +01:00, parsedate_tz says 0
        offset = (int(gmt.group(2)) * 3600 + int(gmt.group(3)) * 60) * (
            -1 if gmt.group(1) == "-" else 1
        )
    else:
        zone = _ZONE_TOKEN.search(value)
        token = zone.group(1) if zone else None
        if (
            offset is None
            or token is None
            or (token[0] not in "+-" and token.lower() not in _KNOWN_ZONES)
        ):
            quality, offset = "no_timezone", 0
    if not (0 <= h <= 23 and 0 <= mi <= 59 and 0 <= s <= 60):
        return None, None
    dt = _aware(y, mo, d, h, mi, s, offset)
    return (dt, quality) if dt is not None else (None, None)


def parse_from_line_date(line: str) -> datetime | None:
    """The date of an mbox ``From `` separator line (asctime, usually without a zone: read as UTC).

    Examples
    --------
    >>> parse_from_line_date("From jjl at pobox.com  Thu Nov  1 11:19:12 2001")
    datetime.datetime(2001, 11, 1, 11, 19, 12, tzinfo=datetime.timezone.utc)
    >>> parse_from_line_date("From 1537@xxx Wed Jun 22 19:27:30 +0000 2016").hour
    19
    """
    m = _ASCTIME.search(line)
    if m is None:
        return None
    mon = _MONTHS.get(m.group(1).lower())
    if mon is None:
        return None
    zone = m.group(6)
    offset = 0
    if zone and zone[0] in "+-":
        offset = (int(zone[1:3]) * 3600 + int(zone[3:5]) * 60) * (-1 if zone[0] == "-" else 1)
    return _aware(int(m.group(7)), mon, int(m.group(2)), int(m.group(3)), int(m.group(4)),
                  int(m.group(5) or 0), offset)  # fmt: skip


# -- the whole block ---------------------------------------------------------------------------
class Headers(NamedTuple):
    """The metadata of one message (no subject, no body)."""

    sender: str | None
    to: list[str]
    cc: list[str]
    bcc: list[str]
    delivered_to: list[str]
    timestamp: datetime | None
    time_quality: str | None
    message_id: str | None
    parent_id: str | None
    thread_id: str | None
    automated: bool
    mass_list: bool
    labels: tuple[str, ...]
    list_id: str | None
    list_address: str | None
    # Display names of mailboxes whose address is obfuscated or has no domain
    # (``Jane Doe <[log in to unmask]>``): the sender's, and the recipients'.
    hidden_senders: tuple[str, ...] = ()
    hidden_recipients: tuple[str, ...] = ()


_AUTOMATED_SENDER = re.compile(r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)@", re.I)
_LIST_ID = re.compile(r"<([^<>]+)>")


def _thread_index(value: str) -> str | None:
    try:
        raw = base64.b64decode("".join(value.split()), validate=False)
    except (binascii.Error, ValueError):
        return None
    # The first 22 bytes (FILETIME + GUID) name the conversation; each reply appends 5 bytes.
    return "ti:" + raw[:22].hex() if len(raw) >= 22 else None


def _first(h: dict[str, list[str]], name: str) -> str | None:
    values = h.get(name)
    return values[0] if values else None


def parse_header_block(block: bytes) -> tuple[Headers, tuple[str, ...]]:
    """Parse a raw header block to :class:`Headers`, and the date texts of its Received headers
    (top first).

    The date here is the Date header only; callers apply the fallbacks they have (Received
    header, mbox ``From `` line, Maildir file name) when ``timestamp`` is None.

    Examples
    --------
    >>> h, _ = parse_header_block(b"From: A <a@x.org>\\r\\nTo: b@x.org\\r\\nCc: c@x.org\\r\\n"
    ...     b"Date: Wed, 22 Jun 2016 12:27:30 +0000\\r\\nMessage-ID: <1@x>\\r\\n")
    >>> h.sender, h.to, h.cc, h.message_id, h.time_quality
    ('a@x.org', ['b@x.org'], ['c@x.org'], '1@x', 'exact')
    """
    h = split_headers(decode_header_bytes(block))
    senders, hidden_senders = parse_mailboxes(h.get("from"))
    sender = senders[0] if len(senders) == 1 and not hidden_senders else None
    if sender is None and len(senders) + len(hidden_senders) != 1:
        # no From, or several mailboxes in it: RFC 5322 makes Sender the actor. (Not for one
        # obfuscated From: in list archives Sender is the list, which would merge every author.)
        sender = (parse_addresses(h.get("sender")) or senders or [None])[0]
    timestamp, quality = parse_date(_first(h, "date"))
    # Every Received header's date, the last hop (top) first: a hop that wrote a broken date
    # does not hide the hops before it.
    received_dates = tuple(r.rpartition(";")[2] for r in h.get("received", ()) if ";" in r)

    message_id = parse_msgid(_first(h, "message-id"))
    references = parse_msgid_list(" ".join(h.get("references", [])))
    parent = parse_msgid(_first(h, "in-reply-to")) or (references[-1] if references else None)
    thread = _first(h, "x-gm-thrid")
    thread = "gm:" + thread if thread else None
    if thread is None and "thread-index" in h:
        thread = _thread_index(h["thread-index"][0])
    if thread is None:
        thread = references[0] if references else parent or message_id

    labels = tuple(
        lab.strip().lower() for v in h.get("x-gmail-labels", []) for lab in v.split(",")
        if lab.strip()
    )  # fmt: skip
    ctype = (_first(h, "content-type") or "").lower()
    precedence = (_first(h, "precedence") or "").strip().lower()
    auto_submitted = (_first(h, "auto-submitted") or "no").strip().lower()
    return_path = _first(h, "return-path")
    automated = bool(
        not auto_submitted.startswith("no")
        or precedence in ("bulk", "junk", "auto_reply")
        or "x-autoreply" in h
        or "x-autorespond" in h
        or "x-failed-recipients" in h
        or ctype.startswith(("multipart/report", "text/calendar"))
        or "method=" in ctype
        or (return_path is not None and return_path.strip() == "<>")
        or (sender is not None and _AUTOMATED_SENDER.match(sender))
    )
    list_id = _first(h, "list-id")
    if list_id:
        m = _LIST_ID.search(list_id)
        list_id = (m.group(1) if m else list_id).strip().lower() or None
    mass_list = bool(
        list_id
        or precedence in ("list", "bulk")
        or "list-unsubscribe" in h
        or "x-mailman-version" in h
        or "x-beenthere" in h
    )
    (to, hid_to), (cc, hid_cc), (bcc, hid_bcc) = (
        parse_mailboxes(h.get("to")),
        parse_mailboxes(h.get("cc")),
        parse_mailboxes(h.get("bcc")),
    )
    delivered_to: list[str] = []
    list_address = None
    if not (to or cc or bcc):  # only then are the fallback recipients needed
        delivered_to = parse_addresses(h.get("delivered-to") or h.get("x-original-to"))
        # The list a message went through: where list mail with no To/Cc was addressed.
        list_address = (
            parse_addresses(h.get("x-beenthere"))
            or parse_addresses([v.replace("mailto:", "") for v in h.get("list-post", [])])
            or [a for a in parse_addresses(h.get("sender")) if a != sender]
            or [None]
        )[0]
    headers = Headers(
        sender=sender,
        to=to,
        cc=cc,
        bcc=bcc,
        delivered_to=delivered_to,
        timestamp=timestamp,
        time_quality=quality,
        message_id=message_id,
        parent_id=parent,
        thread_id=thread,
        automated=automated,
        mass_list=mass_list,
        labels=labels,
        list_id=list_id,
        list_address=list_address,
        hidden_senders=tuple(hidden_senders) if sender is None else (),
        hidden_recipients=tuple(hid_to + hid_cc + hid_bcc) if hid_to or hid_cc or hid_bcc else (),
    )
    return headers, received_dates


def utc_from_epoch(seconds: float) -> datetime | None:
    """A UTC datetime from POSIX seconds (Maildir file names), None if out of range.

    Examples
    --------
    >>> utc_from_epoch(1220863087).year
    2008
    """
    try:
        dt = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return dt if _MIN_YEAR <= dt.year <= _MAX_YEAR else None
