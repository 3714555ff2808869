"""Parsing ``git log`` output into commits: the ``-z`` stream ona asks git for, and saved logs.

Two layouts are read, both from bytes (a bad carriage return or a non-UTF-8 name must not split
or break a record):

* the machine layout :data:`LOG_FORMAT` that :class:`~ona.importers.git.GitReader` asks git for
  (``git log --numstat -z --format=...``): records start with ``\\x1e``, header fields are
  separated by ``\\x1f``, co-author trailers by ``\\x1d``, and numstat entries end with NUL (a
  rename is ``added\\tdeleted\\t\\0old\\0new\\0``). A log saved with that command is read the
  same way.
* the human layouts ``git log --numstat [--raw] [--parents] [--decorate] --pretty=fuller`` (or
  ``medium``) with any ``--date`` style, as Perceval stores them: ``commit`` lines, ``Author:``
  and ``AuthorDate:`` (or ``Date:``) headers, a message indented by four spaces (read only for
  its ``Co-authored-by`` trailers, never kept), ``:``-prefixed raw lines and numstat lines
  (renames as ``old => new`` or ``dir/{a => b}/f``).

Only metadata leaves this module: hashes, parents, author identity, time, co-authors, and the
paths changed with their line counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = [
    "LOG_FORMAT",
    "Commit",
    "FileChange",
    "Mailmap",
    "parse_contact",
    "parse_date",
    "parse_local_date",
    "parse_fuller",
    "parse_z_stream",
]

#: The ``--format`` of the machine layout (author name is read only to recognise bots).
LOG_FORMAT = (
    "%x1e%H%x1f%P%x1f%aN%x1f%aE%x1f%at%x1f"
    "%(trailers:key=Co-authored-by,valueonly,unfold,separator=%x1d)%x1f"
)

_SHA = re.compile(rb"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")
_CONTACT = re.compile(r"^\s*(.*?)\s*<([^<>\s]*@?[^<>\s]*)>\s*$")
_NUMSTAT = re.compile(rb"^(\d+|-)\t(\d+|-)\t(.*)$", re.S)
_TRAILER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*)\s*:\s*(.*)$")
_BRACE_RENAME = re.compile(r"^(.*)\{(.*) => (.*)\}(.*)$")


@dataclass(slots=True)
class FileChange:
    """One path a commit changed (``old_path`` set for renames and copies)."""

    path: str
    old_path: str | None
    added: int | None  # None for binary files (numstat "-")
    deleted: int | None


@dataclass(slots=True)
class Commit:
    """The metadata of one commit. ``problem`` names why it cannot be used (truncated, ...)."""

    sha: str
    location: str
    parents: tuple[str, ...] = ()
    author_name: str = ""
    author_email: str = ""
    time: datetime | None = None
    coauthors: list[str] = field(default_factory=list)  # raw "Name <e-mail>" trailer values
    files: list[FileChange] = field(default_factory=list)
    merge: bool = False
    problem: str | None = None
    time_quality: str = "exact"  # "no_timezone" for a log saved with --date=local


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _path(raw: bytes) -> str:
    # surrogateescape keeps non-UTF-8 names distinct and round-trippable to bytes for git
    return raw.decode("utf-8", "surrogateescape")


def parse_contact(value: str) -> tuple[str, str] | None:
    """Split ``Name <e-mail>`` into (name, lower-cased e-mail); None if there is no address.

    Examples
    --------
    >>> parse_contact("Ann Lee <Ann@Example.org>")
    ('Ann Lee', 'ann@example.org')
    >>> parse_contact("just a name") is None
    True
    """
    m = _CONTACT.match(value)
    if not m or not m.group(2):
        return None
    return m.group(1), m.group(2).lower()


_DATE_FORMATS = ("%a %b %d %H:%M:%S %Y %z", "%Y-%m-%d %H:%M:%S %z")


def parse_date(text: str) -> datetime | None:
    """Parse a git date in the default, ``iso``, ``iso-strict``, ``raw`` or ``rfc`` styles.

    Examples
    --------
    >>> parse_date("Tue Feb 11 22:10:39 2014 -0800").isoformat()
    '2014-02-12T06:10:39+00:00'
    >>> parse_date("2026-08-21T14:22:55+02:00").isoformat()
    '2026-08-21T12:22:55+00:00'
    >>> parse_date("1392185439 -0800").isoformat()
    '2014-02-12T06:10:39+00:00'
    """
    text = text.strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).astimezone(UTC)
        except ValueError:
            pass
    parts = text.split()
    if len(parts) == 2 and parts[0].isdigit():
        return datetime.fromtimestamp(int(parts[0]), UTC)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(UTC)


def parse_local_date(text: str) -> datetime | None:
    """A git date without its offset (``--date=local``), read as UTC.

    Examples
    --------
    >>> parse_local_date("Tue Feb 11 22:10:39 2014").isoformat()
    '2014-02-11T22:10:39+00:00'
    """
    for fmt in ("%a %b %d %H:%M:%S %Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=UTC)
        except ValueError:
            pass
    return None


# -- the machine layout ---------------------------------------------------------------------


def parse_z_stream(chunks: Iterable[bytes], origin: str = "") -> Iterator[Commit]:
    """Parse the output of ``git log --numstat -z --format=LOG_FORMAT`` given as byte chunks."""
    pending = b""
    n = 0
    first = True
    for chunk in chunks:
        pending += chunk
        parts = pending.split(b"\x1e")
        pending = parts.pop()
        for part in parts:
            if first:
                first = False
                if part.strip(b"\0\n\r "):
                    yield Commit("", "before record 1", problem="truncated record")
                continue
            n += 1
            yield _z_record(part, n)
    if not first:
        yield _z_record(pending, n + 1)
    elif pending.strip(b"\0\n\r "):
        yield Commit("", "record 1", problem="not a git log")


def _z_record(raw: bytes, n: int) -> Commit:
    header, _, body = raw.partition(b"\0")
    fields = header.split(b"\x1f")
    location = f"record {n}"
    if len(fields) < 7 or not _SHA.match(fields[0]):
        sha = _text(fields[0]) if fields and _SHA.match(fields[0]) else ""
        return Commit(sha, location, problem="truncated record")
    sha = fields[0].decode("ascii")
    parents = tuple(p.decode("ascii", "replace") for p in fields[1].split())
    try:
        when = datetime.fromtimestamp(int(fields[4]), UTC)
    except ValueError:
        return Commit(sha, location, problem="unreadable date")
    coauthors = [_text(c) for c in fields[5].split(b"\x1d") if c.strip()]
    commit = Commit(
        sha,
        location,
        parents,
        _text(fields[2]),
        _text(fields[3]).lower(),
        when,
        coauthors,
        merge=len(parents) > 1,
    )
    tokens = body.lstrip(b"\n").split(b"\0")
    i = 0
    while i < len(tokens):
        tok = tokens[i].lstrip(b"\n")
        i += 1
        if not tok:
            continue
        m = _NUMSTAT.match(tok)
        if not m:
            commit.problem = "unreadable file entry"
            break
        added, deleted = _count(m.group(1)), _count(m.group(2))
        if m.group(3):
            commit.files.append(FileChange(_path(m.group(3)), None, added, deleted))
            continue
        if i + 1 >= len(tokens) or not tokens[i + 1]:  # a rename cut before its new name
            commit.problem = "truncated record"
            break
        old, new = tokens[i], tokens[i + 1]
        i += 2
        commit.files.append(FileChange(_path(new), _path(old), added, deleted))
    return commit


def _count(raw: bytes) -> int | None:
    return None if raw == b"-" else int(raw)


# -- the human layouts ----------------------------------------------------------------------


def split_rename(text: str) -> tuple[str | None, str]:
    """Split a numstat rename ``old => new`` or ``dir/{a => b}/f`` into (old, new).

    Examples
    --------
    >>> split_rename("perceval/backends/{ => core}/bugzilla.py")
    ('perceval/backends/bugzilla.py', 'perceval/backends/core/bugzilla.py')
    >>> split_rename("src2/file2.txt => src3/file4.txt")
    ('src2/file2.txt', 'src3/file4.txt')
    >>> split_rename("plain/path.py")
    (None, 'plain/path.py')
    """
    m = _BRACE_RENAME.match(text)
    if m:
        pre, old, new, post = m.groups()
        join = lambda mid: (pre + mid + post).replace("//", "/")  # noqa: E731
        return join(old), join(new)
    if " => " in text:
        old, _, new = text.partition(" => ")
        return old, new
    return None, text


def parse_fuller(lines: Iterable[bytes]) -> Iterator[Commit]:
    """Parse ``git log --numstat [--raw] --pretty=fuller|medium`` output, line by line (bytes).

    Raw lines (``:100644 ...``) give the exact old and new names of renames, which the numstat
    ``old => new`` notation cannot always give unambiguously (names with braces or ``=>``); they
    are preferred when present.
    """
    commit: Commit | None = None
    state = "none"  # header, message, files
    message: list[str] = []
    raw: list[tuple[str | None, str]] = []  # (old path of a rename or copy, path), raw lines
    n = 0
    garbage = False
    for line in lines:
        line = line.rstrip(b"\n")
        if line.endswith(b"\r"):
            line = line[:-1]  # a log saved with Windows line ends
        if line.startswith(b"commit "):  # message lines are indented: this is a header
            words = line[7:].split(b" (", 1)[0].split()
            if words and _SHA.match(words[0]):
                if commit is not None:
                    yield _finish_fuller(commit, state, message, raw)
                elif garbage:
                    yield Commit("", "before commit 1", problem="truncated record")
                n += 1
                commit = Commit(words[0].decode(), f"commit {n}")
                commit.parents = tuple(w.decode() for w in words[1:] if _SHA.match(w))
                state, message, raw = "header", [], []
                continue
        if commit is None:
            garbage = garbage or bool(line.strip())
            continue
        if state == "header":
            if not line.strip():
                state = "message"
                continue
            key, _, value = line.partition(b":")
            key = key.strip()
            value_text = _text(value).strip()
            if key == b"Merge":
                commit.merge = True
            elif key == b"Author":
                contact = parse_contact(value_text)
                if contact:
                    commit.author_name, commit.author_email = contact
            elif key in (b"AuthorDate", b"Date"):
                commit.time = parse_date(value_text)
                if commit.time is None:
                    commit.time = parse_local_date(value_text)
                    commit.time_quality = "no_timezone"
                if commit.time is None:
                    commit.problem = "unreadable date"
            continue
        if state == "message" and line.startswith(b"    "):
            message.append(_text(line[4:]))
            continue
        if state == "message" and not line.strip() and not message:
            continue
        if not line.strip():
            continue
        state = "files"
        if line.startswith(b":"):
            if not line.startswith(b"::"):  # "::" lines are a merge's combined diff
                meta, _, names = line.partition(b"\t")
                status = meta.split()[-1] if meta.split() else b""
                parts = names.split(b"\t")
                if status[:1] in (b"R", b"C") and len(parts) == 2:
                    raw.append((_path(parts[0]), _path(parts[1])))
                else:
                    raw.append((None, _path(parts[0])))
            continue
        m = _NUMSTAT.match(line)
        if m:
            added, deleted = _count(m.group(1)), _count(m.group(2))
            commit.files.append(FileChange(_path(m.group(3)), None, added, deleted))
    if commit is not None:
        yield _finish_fuller(commit, state, message, raw)
    elif garbage:
        yield Commit("", "record 1", problem="not a git log")


def _finish_fuller(
    commit: Commit, state: str, message: list[str], raw: list[tuple[str | None, str]]
) -> Commit:
    if state == "header" and commit.problem is None:
        commit.problem = "truncated record"  # the header never ended: the log was cut here
    if commit.problem is None and (not commit.author_email or commit.time is None):
        commit.problem = "missing author or date"
    commit.merge = commit.merge or len(commit.parents) > 1
    commit.coauthors = trailer_values(message, "co-authored-by")
    if len(raw) == len(commit.files):
        # git prints raw and numstat lines in one order, and raw lines name renames exactly
        # (numstat's "a => b" is ambiguous for names holding braces or " => ")
        commit.files = [
            FileChange(new, old, f.added, f.deleted)
            for (old, new), f in zip(raw, commit.files, strict=False)
        ]
    else:
        commit.files = [
            FileChange(*reversed(split_rename(f.path)), f.added, f.deleted) for f in commit.files
        ]
    return commit


def trailer_values(message: list[str], key: str) -> list[str]:
    """Values of the ``key`` trailers in the last paragraph of a message (as git reads them).

    Examples
    --------
    >>> trailer_values(["Fix", "", "Co-authored-by: B <b@x>", "Signed-off-by: A <a@x>"],
    ...                "co-authored-by")
    ['B <b@x>']
    """
    while message and not message[-1].strip():
        message = message[:-1]
    start = len(message)
    while start > 0 and message[start - 1].strip():
        start -= 1
    if start == 0:
        return []  # a one-paragraph message is the subject, never trailers
    values = []
    for line in message[start:]:
        m = _TRAILER.match(line.strip())
        if m and m.group(1).lower() == key:
            values.append(m.group(2).strip())
    return values


# -- .mailmap ---------------------------------------------------------------------------------


class Mailmap:
    """The e-mail part of a ``.mailmap`` (names are never kept, so only addresses are mapped).

    Reads the four forms ``Name <proper>``, ``<proper> <commit>``, ``Name <proper> <commit>``
    and ``Name <proper> Commit Name <commit>``; e-mails compare case-insensitively.

    Examples
    --------
    >>> m = Mailmap("Ann <ann@corp.com> <ann@home.net>\\n<bo@corp.com> Bo B <bob@old.com>\\n")
    >>> m.email("Ann L", "ANN@home.net"), m.email("Bo B", "bob@old.com"), m.email("X", "bob@old.com")
    ('ann@corp.com', 'bo@corp.com', 'bob@old.com')
    """

    _ENTRY = re.compile(r"^\s*([^<#]*?)\s*<([^>]*)>\s*(?:([^<#]*?)\s*<([^>]*)>)?")

    def __init__(self, text: str = ""):
        self._by_email: dict[str, str] = {}
        self._by_name_email: dict[tuple[str, str], str] = {}
        for line in text.splitlines():
            m = self._ENTRY.match(line)
            if not m:
                continue
            _name, proper, commit_name, commit_email = m.groups()
            if commit_email is None:
                continue  # "Name <e-mail>": a name fix only, nothing for addresses
            if not proper:
                continue
            if commit_name:
                self._by_name_email[(commit_name.lower(), commit_email.lower())] = proper.lower()
            else:
                self._by_email[commit_email.lower()] = proper.lower()

    def __bool__(self) -> bool:
        return bool(self._by_email or self._by_name_email)

    def email(self, name: str, email: str) -> str:
        email = email.lower()
        hit = self._by_name_email.get((name.lower(), email))
        return hit if hit is not None else self._by_email.get(email, email)
