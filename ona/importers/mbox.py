"""mbox archives (Google Takeout, Mailman/pipermail, Thunderbird, ``mail``): headers only, fast.

The file is split with a byte scanner on ``From `` separator lines (a line starting ``From ``
that carries a time and a year, so unquoted ``From`` lines in bodies are not taken for
separators), and only each message's header block is parsed. Plain files are memory-mapped and,
when large, parsed by several processes over byte ranges cut at separators, giving exactly the
records a single process gives, in the same order. Compressed files (``.gz``, ``.bz2``, ``.xz``)
and ``.zip`` archives of mbox files are streamed. A truncated archive yields every whole
message; the cut-off rest is reported as rejected.
"""

from __future__ import annotations

import mmap
import multiprocessing
import os
import re
import zipfile
import zlib
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from ona._validation import Interval, validate_params
from ona.importers._base import ON_BAD_LINES, ReadResult, Record, Rejected
from ona.importers._email_common import MASS_THRESHOLD, NAMES_PARAM, EmailReader, MailAssembler
from ona.importers._email_headers import parse_from_line_date, parse_header_block
from ona.importers._io import SafeZip, open_binary

__all__ = ["MboxReader", "read_mbox"]

_SEP_LINE = re.compile(rb"From \S[^\n]*?\d{1,2}:\d\d[^\n]*?\d{4}")
_CHUNK = 8 << 20  # bytes read at a time from a compressed stream
_RANGE = 4 << 20  # bytes per work unit when parsing a plain file in parallel
_PARALLEL_MIN = 48 << 20  # below this, one process is faster than starting workers
_COMPRESSED = (".gz", ".bz2", ".xz")


def _is_separator(buf: Any, start: int) -> bool:
    return _SEP_LINE.match(buf, start, start + 400) is not None


def _separators(buf: Any, lo: int, hi: int) -> list[int]:
    """Offsets in ``[lo, hi)`` where a ``From `` separator line starts."""
    out = []
    if lo == 0 and buf[:5] == b"From " and _is_separator(buf, 0):
        out.append(0)
    find = buf.find
    i = find(b"\nFrom ", max(lo - 1, 0), hi)
    while i != -1 and i + 1 < hi:
        if _is_separator(buf, i + 1):
            out.append(i + 1)
        i = find(b"\nFrom ", i + 1, hi)
    return out


def _parse_one(buf: Any, start: int, end: int, last: bool) -> tuple:
    """Parse the message at ``buf[start:end]``: ('ok', offset, headers, received, from_date)
    or ('bad', offset, reason)."""
    line_end = buf.find(b"\n", start, end)
    if line_end == -1:
        return ("bad", start, "truncated message (headers incomplete)")
    h1 = buf.find(b"\n\n", line_end, end)
    h2 = buf.find(b"\n\r\n", line_end, end)
    head_end = min(x for x in (h1, h2, end) if x != -1)
    if head_end == end and last:
        return ("bad", start, "truncated message (headers incomplete)")
    headers, received = parse_header_block(bytes(buf[line_end + 1 : head_end + 1]))
    from_date = None
    if headers.timestamp is None or headers.time_quality != "exact":
        from_date = parse_from_line_date(bytes(buf[start:line_end]).decode("latin-1"))
    return ("ok", start, headers, received, from_date)


def _parse_range(buf: Any, lo: int, hi: int, last: bool) -> list[tuple]:
    """Parse every message starting in ``[lo, hi)``; ``last``: ``hi`` is the end of the input."""
    starts = _separators(buf, lo, hi)
    out = []
    first = starts[0] if starts else hi
    if lo == 0 and bytes(buf[:first]).strip():
        out.append(("bad", 0, "data before the first From line"))
    for k, s in enumerate(starts):
        e = starts[k + 1] if k + 1 < len(starts) else hi
        out.append(_parse_one(buf, s, e, last and k + 1 == len(starts)))
    return out


def _parse_file_range(args: tuple[str, int, int, bool]) -> list[tuple]:
    path, lo, hi, last = args
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        return _parse_range(mm, lo, hi, last)


def _file_ranges(path: str, size: int, step: int) -> list[tuple[str, int, int, bool]]:
    """Byte ranges of about ``step`` bytes, each starting at a separator (or 0)."""
    cuts = [0]
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        pos = step
        while pos < size:
            i = mm.find(b"\nFrom ", pos)
            while i != -1 and not _is_separator(mm, i + 1):
                i = mm.find(b"\nFrom ", i + 1)
            if i == -1:
                break
            cuts.append(i + 1)
            pos = i + 1 + step
    cuts.append(size)
    return [(path, lo, hi, hi == size) for lo, hi in zip(cuts, cuts[1:], strict=False)]


def _read_chunk(fh: BinaryIO, size: int) -> tuple[bytes, bool]:
    """Read up to ``size`` bytes; True when the stream broke off (truncated or corrupt).

    ``read1`` hands over what was decompressed before a failure, which ``read`` would drop.
    """
    read1 = getattr(fh, "read1", fh.read)
    parts: list[bytes] = []
    n = 0
    while n < size:
        try:
            block = read1(size - n)
        except (EOFError, OSError, zlib.error, zipfile.BadZipFile):
            return b"".join(parts), True
        if not block:
            break
        parts.append(block)
        n += len(block)
    return b"".join(parts), False


def _stream_items(fh: BinaryIO) -> Iterator[tuple]:
    """Parse a stream chunk by chunk, carrying an incomplete message over to the next chunk."""
    buf = b""
    base = 0
    while True:
        chunk, broken = _read_chunk(fh, _CHUNK)
        buf += chunk
        if broken or not chunk:
            break
        # Cut before the last separator: everything before it is whole messages.
        cut = buf.rfind(b"\nFrom ")
        while cut > 0 and not _is_separator(buf, cut + 1):
            cut = buf.rfind(b"\nFrom ", 0, cut)
        if cut <= 0:
            continue
        for item in _parse_range(buf, 0, cut + 1, False):
            yield _shift(item, base)
        buf = buf[cut + 1 :]
        base += cut + 1
    if broken:  # the stream broke off: the whole messages before the break still count
        starts = _separators(buf, 0, len(buf))
        whole = starts[-1] if starts else 0
        for item in _parse_range(buf, 0, whole, False) if whole else []:
            yield _shift(item, base)
        if buf[whole:].strip():
            yield ("bad", base + whole, "truncated compressed stream")
        return
    for item in _parse_range(buf, 0, len(buf), True):
        yield _shift(item, base)


def _shift(item: tuple, base: int) -> tuple:
    if base == 0:
        return item
    return (item[0], item[1] + base, *item[2:])


def _is_mbox_file(path: Path) -> bool:
    """Whether a file (plain, compressed or a zip of them) starts like an mbox archive."""
    if not path.is_file() or ".eml" in path.suffixes:  # one saved message: the eml reader
        return False
    if path.suffix.lower() == ".zip":
        try:
            with SafeZip(path) as z:
                for name in z.names()[:20]:
                    with z.open(name) as fh:
                        if fh.read(5) == b"From ":
                            return True
        except Exception:  # a broken zip is not an mbox; the zip's own reader says why
            return False
        return False
    try:
        with open_binary(path) as fh:
            head = fh.read(4096)
    except Exception:  # unreadable or corrupt compressed file: not recognisably an mbox
        return False
    return head.startswith(b"From ") and _is_separator(head, 0)


def _folder_files(path: Path, limit: int = 5000) -> list[Path]:
    """The files of a folder of mbox archives (monthly list archives), or [] unless every
    file in it (hidden ones aside) is one."""
    files = []
    for dirpath, dirnames, names in os.walk(path):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            f = Path(dirpath) / name
            if f.suffix.lower() == ".zip" or not _is_mbox_file(f) or len(files) >= limit:
                return []
            files.append(f)
    return files


class MboxReader(EmailReader):
    """Read an mbox archive (see :func:`read_mbox`)."""

    format = "mbox"
    version = "2"  # 2: -0000 read as UTC, every Received header tried

    def __init__(
        self,
        path: str | Path,
        *,
        on_bad_lines: str = "warn",
        mass_threshold: int = MASS_THRESHOLD,
        n_jobs: int | None = None,
        names: Mapping[str, str] | None = None,
    ):
        super().__init__(
            path, on_bad_lines=on_bad_lines, mass_threshold=mass_threshold, names=names
        )
        self.n_jobs = n_jobs

    @classmethod
    def detect(cls, path: Path) -> bool:
        path = Path(path)
        if path.is_dir():
            return bool(_folder_files(path))
        return _is_mbox_file(path)

    def records(self) -> Iterator[Record | Rejected]:
        # One assembler for a whole folder: replies across monthly archives are resolved.
        assembler = self.assembler()
        if self.path.is_dir():
            for f in _folder_files(self.path):
                rel = f.relative_to(self.path).as_posix()
                yield from self._file(assembler, f, f"{rel}: ")
        else:
            yield from self._file(assembler, self.path, "")
        yield from assembler.finish()

    def _file(self, assembler: MailAssembler, path: Path, prefix: str):
        suffix = path.suffix.lower()
        if suffix == ".zip":
            with SafeZip(path) as z:
                for name in z.names():
                    try:
                        with z.open(name) as fh:
                            head = fh.read(5)
                    except (EOFError, OSError, zlib.error, zipfile.BadZipFile):
                        yield Rejected(f"{prefix}{name}", "corrupt zip entry")
                        continue
                    if head != b"From ":
                        self.note("zip entries that are not mbox files skipped")
                        continue
                    with z.open(name) as fh:
                        items = _stream_items(fh)
                        yield from self._assemble(assembler, items, f"{prefix}{name}: ")
        elif suffix in _COMPRESSED:
            with open_binary(path) as fh:
                yield from self._assemble(assembler, _stream_items(fh), prefix)
        else:
            yield from self._assemble(assembler, self._plain_items(path), prefix)

    def _plain_items(self, file: Path) -> Iterator[tuple]:
        path = str(file)
        size = os.path.getsize(path)
        if size == 0:
            return
        jobs = self.n_jobs or min(2, os.cpu_count() or 1)
        ranges = _file_ranges(path, size, _RANGE)
        if jobs > 1 and size >= _PARALLEL_MIN and len(ranges) > 1:
            # A sliding window of work units keeps memory flat: Pool.imap would queue every
            # range's results when the parent is the slower side.
            with multiprocessing.get_context().Pool(jobs) as pool:
                pending: deque = deque()
                for r in ranges:
                    pending.append(pool.apply_async(_parse_file_range, (r,)))
                    if len(pending) > 2 * jobs:
                        yield from pending.popleft().get()
                while pending:
                    yield from pending.popleft().get()
        else:
            for r in ranges:
                yield from _parse_file_range(r)

    def _assemble(
        self, assembler: MailAssembler, items: Iterable[tuple], prefix: str
    ) -> Iterator[Record | Rejected]:
        for item in items:
            location = f"{prefix}offset {item[1]}"
            if item[0] == "bad":
                yield Rejected(location, item[2])
                continue
            _, _, headers, received, from_date = item
            yield from assembler.feed(
                location,
                headers,
                received_dates=received,
                fallback=(from_date, "from_line") if from_date is not None else None,
            )


@validate_params(
    {
        "on_bad_lines": [ON_BAD_LINES],
        "mass_threshold": [Interval(int, 1)],
        "n_jobs": [Interval(int, 1), None],
        "names": NAMES_PARAM,
    }
)
def read_mbox(
    path: str | Path,
    *,
    on_bad_lines: str = "warn",
    mass_threshold: int = MASS_THRESHOLD,
    n_jobs: int | None = None,
    names: Mapping[str, str] | None = None,
) -> ReadResult:
    """Read an mbox archive into the canonical Interactions table (headers only).

    Each message gives one interaction from the sender to each To, Cc and Bcc recipient (kind
    ``to``/``cc``/``bcc``, with ``n_recipients``), and one ``reply`` interaction to the author
    of the parent message when that message is in the same archive. Subjects and bodies are
    never read.

    Parameters
    ----------
    path : str or Path
        An mbox file, possibly ``.gz``/``.bz2``/``.xz`` compressed, a ``.zip`` of mbox files,
        or a folder of mbox files (monthly list archives: replies across files are resolved).
    on_bad_lines : {'error', 'warn', 'skip'}
        What to do with a message that cannot be read (see :class:`~ona.importers._base.Reader`).
    mass_threshold : int
        Messages with more recipients than this are flagged ``mass`` (mailing-list mail is
        flagged whatever its size).
    n_jobs : int or None
        Processes used for a large plain file (None: up to 2). Results do not depend on it.
    names : mapping, optional
        Display name -> address, to resolve obfuscated addresses (``Jane Doe <[log in to
        unmask]>``, ``jane at example``) by display name (``"Doe, Jane"`` matches ``"Jane
        Doe"``; a name two addresses share resolves to nobody), e.g. from a roster:
        ``dict(zip(roster["name"], roster["email"]))``. Without it, a message whose sender is
        obfuscated is rejected as ``"obfuscated sender address (hidden, or no domain)"`` and
        obfuscated recipients are left out (counted in the report's notes).

    Returns
    -------
    ReadResult
        ``.interactions`` (channel ``email``) and ``.report`` with the accounting.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.mbox"
    >>> _ = p.write_bytes(b"From a@x.org Mon Jan  5 09:00:00 2026\\nFrom: A <a@x.org>\\n"
    ...     b"To: b@x.org, c@x.org\\nDate: Mon, 05 Jan 2026 09:00:00 +0000\\n"
    ...     b"Message-ID: <1@x.org>\\nSubject: hello\\n\\nbody\\n")
    >>> res = read_mbox(p)
    >>> res.interactions[["source", "target", "kind", "n_recipients"]].values.tolist()
    [['a@x.org', 'b@x.org', 'to', 2], ['a@x.org', 'c@x.org', 'to', 2]]
    """
    return MboxReader(
        path, on_bad_lines=on_bad_lines, mass_threshold=mass_threshold, n_jobs=n_jobs,
        names=names,
    ).read()
