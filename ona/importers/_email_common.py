"""What every message-based e-mail reader shares: turning parsed headers into records.

:class:`MailAssembler` receives each message's :class:`~ona.importers._email_headers.Headers`
in input order and yields one :class:`~ona.importers._base.Record` or
:class:`~ona.importers._base.Rejected` per message, so that every input message is accounted for
exactly once. Reply edges (replier -> author of the parent message) need the parent's author: a
message whose parent has already been seen is yielded at once; one whose parent has not been
seen yet is held back and yielded by :meth:`MailAssembler.finish`, when the whole input is known.
Only those records are buffered (in archives, parents nearly always come first).

Copies of one message (the same Message-ID in several folders or mailboxes) are imported once;
only the sender's copy names the Bcc recipients, so when a receiver's copy came first, the
sender's copy adds its Bcc edges as a record of its own (key ``<id>\x1fbcc``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from ona.importers._base import Reader, Record, Rejected
from ona.importers._email_headers import Headers, parse_date

__all__ = [
    "NAMES_PARAM",
    "EmailReader",
    "MASS_THRESHOLD",
    "MailAssembler",
    "RecipientRows",
    "automated_sender",
    "fingerprint",
    "folder_only_of",
    "read_header_block",
]

MASS_THRESHOLD = 50  # recipients above which a message counts as a broadcast (flag ``mass``)

#: The validation constraint of the readers' ``names`` parameter.
NAMES_PARAM: list[Any] = [Mapping, None]

_DROPPED_LABELS = frozenset({"spam", "trash"})


def _name_key(name: str) -> str:
    """A display name as a lookup key: case, spacing, quotes and ``Last, First`` order aside."""
    words = name.replace('"', " ").replace("'", " ").split()
    if words and words[0].endswith(",") and len(words) > 1:  # "Doe, Jane" -> "jane doe"
        words = [*words[1:], words[0][:-1]]
    return " ".join(w.strip(",") for w in words).casefold()


def _name_index(names: Mapping[str, str] | None) -> dict[str, str] | None:
    """display-name key -> address; names that two addresses share are left out (ambiguous)."""
    if not names:
        return None
    index: dict[str, str] = {}
    ambiguous: set[str] = set()
    for name, address in names.items():
        key, address = _name_key(str(name)), str(address).strip().lower()
        if not key or not address:
            continue
        if index.get(key, address) != address:
            ambiguous.add(key)
        index[key] = address
    for key in ambiguous:
        del index[key]
    return index


def fingerprint(sender: str, timestamp: datetime, recipients: list[str]) -> str:
    """The identity of a message without a Message-ID: sender, date and sorted recipients."""
    text = "\x1f".join([sender, timestamp.isoformat(), *sorted(recipients)])
    return (
        "fp:" + hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()
    )


class EmailReader(Reader):
    """Base of the e-mail readers: they share the channel, the mass-message threshold and the
    optional ``names`` (display name -> address) that resolve obfuscated addresses."""

    channel = "email"

    def __init__(
        self,
        path: str | Path,
        *,
        on_bad_lines: str = "warn",
        mass_threshold: int = MASS_THRESHOLD,
        names: Mapping[str, str] | None = None,
    ):
        super().__init__(path, on_bad_lines=on_bad_lines)
        self.mass_threshold = mass_threshold
        self.names = names

    def assembler(self) -> MailAssembler:
        """A :class:`MailAssembler` with this reader's settings."""
        return MailAssembler(self, mass_threshold=self.mass_threshold, names=self.names)


class MailAssembler:
    """Builds records from parsed messages and resolves reply edges (see the module docstring).

    Parameters
    ----------
    reader : Reader
        The reader whose :meth:`~Reader.note` receives the data-quality counts.
    mass_threshold : int
        Messages with more recipients than this are flagged ``mass``.
    """

    def __init__(
        self,
        reader: Reader,
        *,
        mass_threshold: int = MASS_THRESHOLD,
        names: Mapping[str, str] | None = None,
    ):
        self.reader = reader
        self.mass_threshold = mass_threshold
        self.names = _name_index(names)
        # hash(Message-ID) -> sender. Ints keep the index small (it is the one structure that
        # grows with the input); the sender strings are shared through ``_names``.
        self.authors: dict[int, str] = {}
        self._names: dict[str, str] = {}
        self._members: set[tuple[str, str]] = set()
        self._bcc_read: set[int] = set()  # messages whose Bcc recipients were imported
        self._held: list[tuple[str, str, list[dict[str, Any]], str, dict[str, Any]]] = []

    def feed(
        self,
        location: str,
        h: Headers,
        *,
        received_dates: Sequence[str] = (),
        fallback: tuple[datetime, str] | None = None,
        container: str | None = None,
        channel: str = "email",
    ) -> Iterator[Record | Rejected]:
        """Yield the record of one message (or nothing, if it waits for its parent)."""
        if h.sender is None and h.hidden_senders:
            sender = self._by_name(h.hidden_senders[0])
            if sender is None:
                yield Rejected(location, "obfuscated sender address (hidden, or no domain)")
                return
            h = h._replace(sender=sender)
        if h.sender is None:
            yield Rejected(location, "no sender address")
            return
        if h.hidden_recipients:
            h = self._hidden_recipients(h)
        if _DROPPED_LABELS.intersection(h.labels):
            yield Rejected(location, "Gmail spam or trash label", excluded=True)
            return
        timestamp, quality = self._time(h, received_dates, fallback)
        if timestamp is None:
            yield Rejected(location, "no usable date")
            return
        recipients: dict[str, str] = {}
        for kind, addresses in (("to", h.to), ("cc", h.cc), ("bcc", h.bcc)):
            for addr in addresses:
                recipients.setdefault(addr, kind)
        if not recipients and h.delivered_to:
            # A receiver's copy naming no recipient (Bcc, undisclosed-recipients): the mailbox
            # owner it was delivered to is the one recipient we know.
            self.reader.note("recipient taken from Delivered-To")
            for addr in h.delivered_to:
                recipients.setdefault(addr, "bcc")
        mass = h.mass_list
        if not recipients and h.list_address:
            # List mail archived without To/Cc: an edge to the list, never expanded to members.
            self.reader.note("recipient taken from the list address")
            recipients[h.list_address] = "to"
            mass = True
        if h.list_id and (h.sender, h.list_id) not in self._members:
            # Posting to a list is membership ONA can use (silos, boundary spanners).
            self._members.add((h.sender, h.list_id))
            self.reader.add_affiliation(h.sender, h.list_id, "mailing_list")
        n = len(recipients)
        base = {
            "timestamp": timestamp,
            "source": h.sender,
            "channel": channel,
            "thread_id": h.thread_id,
            "container": container if container is not None else h.list_id,
            "time_quality": quality,
            "automated": h.automated,
            "mass": mass or n > self.mass_threshold,
        }
        events = [
            {**base, "target": addr, "kind": kind, "n_recipients": n}
            for addr, kind in recipients.items()
        ]
        if h.message_id:
            key = "mid:" + h.message_id
            ident = hash(h.message_id)
            if h.bcc and ident not in self._bcc_read:
                self._bcc_read.add(ident)
                if ident in self.authors:
                    # Only the sender's copy (Sent) names the Bcc recipients; a receiver's copy
                    # came first, so this copy adds its Bcc edges and nothing else.
                    self.reader.note("Bcc recipients taken from a later copy of a message")
                    bcc = [e for e in events if e["kind"] == "bcc"]
                    yield Record(key + "\x1fbcc", location, bcc)
                    return
            self.authors.setdefault(ident, self._names.setdefault(h.sender, h.sender))
        else:
            self.reader.note("no Message-ID: identified by sender, date and recipients")
            key = fingerprint(h.sender, timestamp, list(recipients))
        parent = h.parent_id if h.parent_id != h.message_id else None
        if parent is not None and hash(parent) not in self.authors:
            self._held.append((location, key, events, parent, base))
            return
        yield self._record(location, key, events, parent, base)

    def _by_name(self, name: str) -> str | None:
        """The address a display name resolves to through ``names`` (None: not asked, or
        not found, or the name is ambiguous)."""
        if not self.names:
            return None
        found = self.names.get(_name_key(name))
        if found is not None:
            self.reader.note("obfuscated address resolved by display name")
        return found

    def _hidden_recipients(self, h: Headers) -> Headers:
        resolved = [a for a in map(self._by_name, h.hidden_recipients) if a is not None]
        dropped = len(h.hidden_recipients) - len(resolved)
        if dropped:
            self.reader.note("obfuscated recipient addresses (hidden, or no domain) left out", dropped)
        # Resolved recipients are read as Cc: the obfuscated text does not say which header.
        return h._replace(cc=[*h.cc, *resolved]) if resolved else h

    def finish(self) -> Iterator[Record | Rejected]:
        """Yield the records held back for a parent that came later (or never)."""
        held, self._held = self._held, []
        for location, key, events, parent, base in held:
            yield self._record(location, key, events, parent, base)

    def _record(
        self, location: str, key: str, events: list[dict[str, Any]], parent: str | None,
        base: dict[str, Any],
    ) -> Record | Rejected:  # fmt: skip
        author = self.authors.get(hash(parent)) if parent is not None else None
        if author is not None:
            events = [*events, {**base, "target": author, "kind": "reply", "n_recipients": 1}]
        if not events:
            return Rejected(location, "no recipients and no parent in the input", excluded=True)
        return Record(key, location, events)

    def _time(
        self, h: Headers, received_dates: Sequence[str], fallback: tuple[datetime, str] | None
    ) -> tuple[datetime | None, str | None]:
        if h.timestamp is not None and h.time_quality != "no_timezone":
            return h.timestamp, h.time_quality
        for k, text in enumerate(received_dates):
            received, quality = parse_date(text)
            if received is not None and quality == "exact":
                self.reader.note(
                    "date taken from the Received header" if k == 0
                    else "date taken from an earlier Received header (later ones unusable)"
                )
                return received, "received_header"
        if h.timestamp is not None:
            self.reader.note("date without a usable timezone (read as UTC)")
            return h.timestamp, h.time_quality
        if fallback is not None and fallback[0] is not None:
            self.reader.note(f"date missing or unusable: time_quality {fallback[1]}")
            return fallback
        return None, None


_HEAD_READ = 64 << 10


def read_header_block(fh: BinaryIO, limit: int = 8 << 20) -> tuple[bytes, bool, str | None]:
    """Read a single message's header block from ``fh``; return it, whether its end (a blank
    line) was found, and the mbox ``From `` line that preceded it (or None)."""
    data = b""
    from_line = None
    while len(data) < limit:
        chunk = fh.read(_HEAD_READ)
        if not chunk:
            break
        data += chunk
        if from_line is None and data.startswith(b"From ") and b"\n" in data:
            cut = data.index(b"\n")
            from_line = data[:cut].decode("latin-1").rstrip("\r")
            data = data[cut + 1 :]
        ends = [i for i in (data.find(b"\n\n"), data.find(b"\n\r\n")) if i != -1]
        if ends:
            return data[: min(ends) + 1], True, from_line
        if data.startswith((b"\n", b"\r\n")):
            return b"", True, from_line
    return data, False, from_line


class RecipientRows:
    """Records for server logs that list one message over several rows (one per recipient, or
    per server hop): each (message id, recipient) pair is imported once.

    A row whose pairs were all seen before is yielded under the key of the record that first
    imported them, so the reader base counts it as a duplicate.
    """

    def __init__(self) -> None:
        self._pair_key: dict[tuple[str, str], str] = {}

    def record(
        self, message_id: str, recipients: list[str], location: str, base: dict[str, Any]
    ) -> Record:
        new = [r for r in recipients if (message_id, r) not in self._pair_key]
        if not new:
            return Record(self._pair_key[(message_id, recipients[0])], location, [])
        key = f"{message_id}\x1f{new[0]}"
        for r in new:
            self._pair_key[(message_id, r)] = key
        return Record(key, location, [{**base, "target": r} for r in new])


_AUTOMATED_LOCAL = ("mailer-daemon@", "postmaster@", "microsoftexchange", "noreply@", "no-reply@")


def automated_sender(address: str) -> bool:
    """Whether a sender address is a system's (bounces, Exchange system mailboxes, no-reply)."""
    return address in ("", "<>") or address.startswith(_AUTOMATED_LOCAL)


def folder_only_of(path: Path, wanted: Callable[[str], bool], limit: int = 100_000) -> bool:
    """Whether ``path`` is a folder whose files (hidden ones aside) all satisfy ``wanted``.

    Readers claim a whole folder only then: a delivery folder mixing exports is walked file by
    file instead, so that each file reaches its own reader.
    """
    if not path.is_dir():
        return False
    seen = 0
    for _dirpath, dirnames, files in os.walk(path):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in files:
            if name.startswith("."):
                continue
            if not wanted(name):
                return False
            seen += 1
            if seen >= limit:
                return True
    return seen > 0
