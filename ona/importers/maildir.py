"""Maildir folders (Dovecot, mu, offlineimap, Maildir++): one file per message, headers only.

A Maildir folder holds ``cur/`` and ``new/``. Every other file under the folder is accounted for
too, never passed over in silence: a delivery in progress in ``tmp/`` and the bookkeeping files
of mail servers and sync tools (``dovecot-uidlist``, ``maildirsize``, ``.noindex``, ...) are
counted as excluded with their reason; any other file that holds a message is read (and noted),
and one that does not is rejected as "not a message".

Names are ``time.unique.host`` with an info suffix ``:2,FLAGS``, or ``!2,``/``;2,`` where ``:``
is not allowed in file names. Sub-folders are found at any depth (Maildir++
``.Sent``, or plain nested folders as mu and offlineimap write them); a message filed in several
folders is imported once (same Message-ID). Messages flagged ``T`` (trashed) are excluded.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from ona._validation import Interval, validate_params
from ona.importers._base import ON_BAD_LINES, ReadResult, Record, Rejected
from ona.importers._email_common import (
    MASS_THRESHOLD,
    NAMES_PARAM,
    EmailReader,
    MailAssembler,
    read_header_block,
)
from ona.importers._email_headers import parse_header_block, utc_from_epoch

__all__ = ["MaildirReader", "read_maildir", "maildir_folders"]

_INFO = re.compile(r"[:!;]2,([A-Za-z]*)$")
_NAME_TIME = re.compile(r"^(\d{9,10})(?:\.|_|$)")
_MAX_DEPTH = 6
_MESSAGE_DIRS = ("cur", "new")
# Files that mail servers and sync tools keep beside the messages (Dovecot, Courier, mbsync,
# offlineimap, mu, Maildir++ quota): never messages.
_BOOKKEEPING = re.compile(
    r"^(dovecot[-.].*|maildirfolder|maildirsize|courierimap.*|courierpop3dsizelist|subscriptions"
    r"|\..*)$"
)


def maildir_folders(root: Path) -> list[Path]:
    """Every Maildir folder (a folder with ``cur/`` or ``new/``) under ``root``, sorted."""
    found = []
    for dirpath, dirnames, _files in os.walk(root):
        here = Path(dirpath)
        if len(here.relative_to(root).parts) > _MAX_DEPTH:
            dirnames[:] = []
            continue
        if "cur" in dirnames or "new" in dirnames:
            found.append(here)
        dirnames[:] = sorted(d for d in dirnames if d not in ("cur", "new", "tmp"))
    return sorted(found)


class MaildirReader(EmailReader):
    """Read a Maildir folder tree (see :func:`read_maildir`)."""

    format = "maildir"
    version = "2"  # 2: -0000 read as UTC, every Received header tried

    @classmethod
    def detect(cls, path: Path) -> bool:
        path = Path(path)
        if not path.is_dir():
            return False
        if (path / "cur").is_dir() or (path / "new").is_dir():
            return True
        # A tree of Maildir folders (mu, offlineimap) is claimed only when every file in it
        # lies inside a Maildir folder (which the reader accounts for file by file); a delivery
        # folder mixing exports is walked instead.
        found = False
        for _dirpath, dirnames, files in os.walk(path):
            if "cur" in dirnames or "new" in dirnames:
                found = True
                dirnames[:] = []
                continue
            if any(not _bookkeeping(f) for f in files):
                return False
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        return found

    def records(self) -> Iterator[Record | Rejected]:
        assembler = self.assembler()
        folders = maildir_folders(self.path)
        for folder in folders:
            container = self._container(folder)
            for sub in _MESSAGE_DIRS:
                d = folder / sub
                if not d.is_dir():
                    continue
                for f in sorted(d.iterdir()):
                    if _bookkeeping(f.name) or not f.is_file():
                        continue
                    yield from self._one(assembler, f, container)
        yield from self._other_files(assembler, set(folders))
        yield from assembler.finish()

    def _container(self, folder: Path) -> str | None:
        rel = folder.relative_to(self.path).as_posix()
        return None if rel == "." else rel

    def _other_files(self, assembler: MailAssembler, folders: set[Path]):
        """Every file the loop over ``cur/`` and ``new/`` did not read, with what it is."""
        for dirpath, dirnames, files in os.walk(self.path):
            here = Path(dirpath)
            dirnames.sort()
            in_maildir = here.parent in folders
            for name in sorted(files):
                f = here / name
                location = f.relative_to(self.path).as_posix()
                if in_maildir and here.name in _MESSAGE_DIRS and not _bookkeeping(name):
                    continue  # read above
                if _bookkeeping(name):
                    yield Rejected(location, "Maildir bookkeeping file, not a message", True)
                elif in_maildir and here.name == "tmp":
                    yield Rejected(location, "Maildir tmp/: a delivery in progress", True)
                elif _looks_like_message(f):
                    self.note("messages outside cur/ and new/ read")
                    container = self._container(here if here in folders else here.parent)
                    yield from self._one(assembler, f, container)
                else:
                    yield Rejected(location, "file outside cur/ and new/ is not a message")

    def _one(self, assembler: MailAssembler, f: Path, container: str | None):
        location = f.relative_to(self.path).as_posix()
        info = _INFO.search(f.name)
        if info and "T" in info.group(1):
            yield Rejected(location, "trashed (Maildir flag T)", excluded=True)
            return
        try:
            with open(f, "rb") as fh:
                block, _complete, _from_line = read_header_block(fh)
        except OSError:
            yield Rejected(location, "cannot read the file")
            return
        headers, received = parse_header_block(block)
        m = _NAME_TIME.match(f.name)
        delivered = utc_from_epoch(int(m.group(1))) if m else None
        yield from assembler.feed(
            location,
            headers,
            received_dates=received,
            fallback=(delivered, "inferred") if delivered is not None else None,
            container=container,
        )


def _bookkeeping(name: str) -> bool:
    return _BOOKKEEPING.match(name) is not None


def _looks_like_message(f: Path) -> bool:
    """Whether a file starts with a header block naming a sender (its first line a header)."""
    try:
        with open(f, "rb") as fh:
            block, complete, _from_line = read_header_block(fh, limit=1 << 20)
    except OSError:
        return False
    first = block.split(b"\n", 1)[0]
    if not complete or b":" not in first or b" " in first.split(b":", 1)[0]:
        return False
    return parse_header_block(block)[0].sender is not None


@validate_params(
    {"on_bad_lines": [ON_BAD_LINES], "mass_threshold": [Interval(int, 1)], "names": NAMES_PARAM}
)
def read_maildir(
    path: str | Path,
    *,
    on_bad_lines: str = "warn",
    mass_threshold: int = MASS_THRESHOLD,
    names: Mapping[str, str] | None = None,
) -> ReadResult:
    """Read a Maildir folder (with its sub-folders) into the canonical Interactions table.

    Edges as in :func:`~ona.importers.mbox.read_mbox`; ``container`` is the sub-folder. A
    message without a usable Date takes the Received header's date, else the delivery time in
    its file name (``time_quality="inferred"``).

    Parameters
    ----------
    path : str or Path
        A Maildir folder (``cur/``, ``new/``) or a folder of them.
    on_bad_lines : {'error', 'warn', 'skip'}
        What to do with a message that cannot be read.
    mass_threshold : int
        Messages with more recipients than this are flagged ``mass``.
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
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "cur").mkdir(); (root / "new").mkdir()
    >>> _ = (root / "cur" / "1220863087.1.host:2,S").write_bytes(b"From: a@x.org\\n"
    ...     b"To: b@x.org\\nDate: Mon, 05 Jan 2026 09:00:00 +0000\\nMessage-ID: <1@x>\\n\\nhi\\n")
    >>> read_maildir(root).interactions[["source", "target", "kind"]].values.tolist()
    [['a@x.org', 'b@x.org', 'to']]
    """
    return MaildirReader(
        path, on_bad_lines=on_bad_lines, mass_threshold=mass_threshold, names=names
    ).read()
