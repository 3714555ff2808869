"""Outlook files: single ``.msg`` messages and ``.pst``/``.ost`` mail stores (extra ``outlook``).

The parsing libraries are optional and imported only when a file is read: ``extract-msg``
(GPL-3.0) for ``.msg`` and ``libpff-python`` (``pypff``, LGPL-3.0+) for ``.pst``. Install them
with ``pip install 'ona-toolkit[outlook]'``. A message's transport headers, when the file keeps
them, go through the same header parser as every other e-mail reader; otherwise the
recipients and times stored as MAPI properties are used. A file that is not a PST, or that is
corrupt or password-protected so that it cannot be opened, raises a
:class:`~ona.BadInputError` naming the file; nothing in it is guessed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ona._deps import import_optional
from ona._validation import Interval, validate_params
from ona.exceptions import BadInputError
from ona.importers._base import ON_BAD_LINES, ReadResult, Record, Rejected
from ona.importers._email_common import MASS_THRESHOLD, EmailReader, MailAssembler, folder_only_of
from ona.importers._email_headers import Headers, parse_addresses, parse_header_block

__all__ = ["OutlookMsgReader", "PstReader", "read_outlook_msg", "read_pst"]

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .msg files are OLE compound files
_PST_MAGIC = b"!BDN"


def _head(path: Path, n: int) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(n)
    except OSError:
        return b""


def _aware(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _with_recipients(h: Headers, to: list[str], cc: list[str], bcc: list[str]) -> Headers:
    """Headers whose recipients come from MAPI properties when the header block had none."""
    if h.to or h.cc or h.bcc:
        return h
    return h._replace(to=to, cc=cc, bcc=bcc)


class OutlookMsgReader(EmailReader):
    """Read Outlook ``.msg`` files: one file or a folder of them (see :func:`read_outlook_msg`)."""

    format = "outlook_msg"
    version = "2"  # 2: -0000 read as UTC, every Received header tried

    @classmethod
    def detect(cls, path: Path) -> bool:
        path = Path(path)
        if path.is_dir():
            return folder_only_of(path, lambda name: name.lower().endswith(".msg"))
        return path.suffix.lower() == ".msg" and _head(path, 8) == _OLE_MAGIC

    def records(self) -> Iterator[Record | Rejected]:
        extract_msg = None  # imported at the first real .msg file: a wrong file needs no extra
        assembler = MailAssembler(self, mass_threshold=self.mass_threshold)
        files = (
            sorted(p for p in self.path.rglob("*") if p.suffix.lower() == ".msg")
            if self.path.is_dir()
            else [self.path]
        )
        for f in files:
            location = f.relative_to(self.path).as_posix() if self.path.is_dir() else f.name
            if _head(f, 8) != _OLE_MAGIC:
                yield Rejected(location, "not an Outlook .msg file (bad signature)")
                continue
            if extract_msg is None:
                extract_msg = import_optional(
                    "extract_msg", extra="outlook", purpose="Outlook .msg files"
                )
            try:
                msg = extract_msg.openMsg(str(f))
            except Exception:  # the library raises many types on a damaged file
                yield Rejected(location, "corrupt .msg file (cannot be opened)")
                continue
            try:
                yield from self._message(assembler, msg, location)
            finally:
                msg.close()
        yield from assembler.finish()

    def _message(self, assembler: MailAssembler, msg: Any, location: str):
        header = getattr(msg, "header", None)
        block = header.as_string().encode("utf-8", "replace") if header is not None else b""
        h, received = parse_header_block(block)
        by_type: dict[int, list[str]] = {1: [], 2: [], 3: []}
        for r in getattr(msg, "recipients", []) or []:
            addr = parse_addresses([str(getattr(r, "email", "") or "")])
            kind = int(getattr(r, "type", 1) or 1)
            by_type.setdefault(kind, []).extend(addr)
        h = _with_recipients(h, by_type[1], by_type[2], by_type[3])
        if h.sender is None:
            sender = parse_addresses([str(getattr(msg, "sender", "") or "")])
            h = h._replace(sender=sender[0] if sender else None)
        if h.timestamp is None:
            when = _aware(getattr(msg, "date", None))
            if when is not None:
                h = h._replace(timestamp=when, time_quality="exact")
        yield from assembler.feed(location, h, received_dates=received)


class PstReader(EmailReader):
    """Read an Outlook ``.pst``/``.ost`` store (see :func:`read_pst`)."""

    format = "pst"
    version = "2"  # 2: -0000 read as UTC, every Received header tried

    @classmethod
    def detect(cls, path: Path) -> bool:
        path = Path(path)
        return path.is_file() and _head(path, 4) == _PST_MAGIC

    def records(self) -> Iterator[Record | Rejected]:
        if _head(self.path, 4) != _PST_MAGIC:
            raise BadInputError(str(self.path), None, "not a PST file (bad signature)")
        pypff = import_optional("pypff", extra="outlook", purpose="Outlook .pst files")
        store = pypff.file()
        try:
            store.open(str(self.path))
            root = store.get_root_folder()
        except Exception:  # pypff raises OSError or IOError variants on damaged stores
            raise BadInputError(
                str(self.path), None, "corrupt or password-protected PST (cannot be opened)"
            ) from None
        assembler = MailAssembler(self, mass_threshold=self.mass_threshold)
        try:
            yield from self._folder(assembler, root, "")
        finally:
            store.close()
        yield from assembler.finish()

    def _folder(self, assembler: MailAssembler, folder: Any, path: str):
        for i in range(folder.number_of_sub_messages):
            location = f"{path or '/'} message {i}"
            try:
                message = folder.get_sub_message(i)
                headers = message.transport_headers or ""
                submitted = _aware(message.client_submit_time) or _aware(message.delivery_time)
            except Exception:  # a damaged item: report it, read the rest
                yield Rejected(location, "unreadable PST item")
                continue
            h, received = parse_header_block(headers.encode("utf-8", "replace"))
            if h.timestamp is None and submitted is not None:
                h = h._replace(timestamp=submitted, time_quality="exact")
            yield from assembler.feed(location, h, received_dates=received, container=path or None)
        for j in range(folder.number_of_sub_folders):
            sub = folder.get_sub_folder(j)
            name = (sub.name or f"folder {j}").replace("/", "_")
            yield from self._folder(assembler, sub, f"{path}/{name}")


_PARAMS = {"on_bad_lines": [ON_BAD_LINES], "mass_threshold": [Interval(int, 1)]}


@validate_params(_PARAMS)
def read_outlook_msg(
    path: str | Path, *, on_bad_lines: str = "warn", mass_threshold: int = MASS_THRESHOLD
) -> ReadResult:
    """Read Outlook ``.msg`` files (one, or a folder of them); needs the ``outlook`` extra.

    Parameters
    ----------
    path : str or Path
        A ``.msg`` file or a folder searched recursively.
    on_bad_lines : {'error', 'warn', 'skip'}
        What to do with a message that cannot be read.
    mass_threshold : int
        Messages with more recipients than this are flagged ``mass``.

    Returns
    -------
    ReadResult
        ``.interactions`` (channel ``email``; edges as in :func:`~ona.importers.mbox.read_mbox`)
        and ``.report`` with the accounting.

    Raises
    ------
    MissingDependencyError
        If ``extract-msg`` is not installed.

    Examples
    --------
    A file that is not an Outlook message is reported, not guessed at:

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "note.msg"
    >>> _ = p.write_bytes(b"plain text, not an OLE compound file")
    >>> dict(read_outlook_msg(p, on_bad_lines="skip").report.files[0].rejected)
    {'not an Outlook .msg file (bad signature)': 1}
    """
    return OutlookMsgReader(path, on_bad_lines=on_bad_lines, mass_threshold=mass_threshold).read()


@validate_params(_PARAMS)
def read_pst(
    path: str | Path, *, on_bad_lines: str = "warn", mass_threshold: int = MASS_THRESHOLD
) -> ReadResult:
    """Read an Outlook ``.pst``/``.ost`` mail store; needs the ``outlook`` extra.

    Folders are walked recursively (``container`` is the folder path); a message filed in
    several folders is imported once.

    Parameters
    ----------
    path : str or Path
        The store.
    on_bad_lines : {'error', 'warn', 'skip'}
        What to do with an item that cannot be read.
    mass_threshold : int
        Messages with more recipients than this are flagged ``mass``.

    Returns
    -------
    ReadResult
        ``.interactions`` (channel ``email``; ``container`` = folder path) and ``.report``.

    Raises
    ------
    BadInputError
        If the file is not a PST, or is corrupt or password-protected.
    MissingDependencyError
        If ``libpff-python`` is not installed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "mail.pst"
    >>> _ = p.write_bytes(b"not a personal folders file")
    >>> read_pst(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ona.exceptions.BadInputError: ...mail.pst: not a PST file (bad signature)
    """
    return PstReader(path, on_bad_lines=on_bad_lines, mass_threshold=mass_threshold).read()
