"""Single messages saved as ``.eml`` files: one file, a folder of them, or a ``.zip`` of them.

Only the outer message's header block is read: a forwarded message attached as
``message/rfc822`` is content of the outer message, not an interaction of its own. A leading mbox
``From `` line is accepted and its date used as :func:`~ona.importers.mbox.read_mbox` uses it
(when the Date and Received headers give none); CRLF line ends are accepted; ``.eml.gz`` files
are streamed.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from ona._validation import Interval, validate_params
from ona.importers._base import ON_BAD_LINES, ReadResult, Record, Rejected
from ona.importers._email_common import (
    MASS_THRESHOLD,
    NAMES_PARAM,
    EmailReader,
    MailAssembler,
    folder_only_of,
    read_header_block,
)
from ona.importers._email_headers import parse_from_line_date, parse_header_block
from ona.importers._io import SafeZip, open_binary

__all__ = ["EmlReader", "read_eml"]

_SUFFIXES = (".eml", ".eml.gz", ".eml.bz2", ".eml.xz")


def _is_eml(name: str) -> bool:
    return name.lower().endswith(_SUFFIXES)


class EmlReader(EmailReader):
    """Read ``.eml`` messages (see :func:`read_eml`)."""

    format = "eml"
    version = "2"  # 2: -0000 read as UTC, every Received header tried

    @classmethod
    def detect(cls, path: Path) -> bool:
        path = Path(path)
        if path.is_file():
            if _is_eml(path.name):
                return True
            if path.suffix.lower() == ".zip":
                try:
                    with SafeZip(path) as z:
                        return any(_is_eml(n) for n in z.names())
                except Exception:  # a broken zip is not recognisably a set of .eml files
                    return False
            return False
        return folder_only_of(path, _is_eml)

    def records(self) -> Iterator[Record | Rejected]:
        assembler = self.assembler()
        if self.path.is_dir():
            for f in sorted(p for p in self.path.rglob("*") if p.is_file() and _is_eml(p.name)):
                with open_binary(f) as fh:
                    yield from self._one(assembler, fh, f.relative_to(self.path).as_posix())
        elif self.path.suffix.lower() == ".zip":
            with SafeZip(self.path) as z:
                for name in z.names():
                    if _is_eml(name):
                        with z.open(name) as fh:
                            yield from self._one(assembler, fh, name)
        else:
            with open_binary(self.path) as fh:
                yield from self._one(assembler, fh, self.path.name)
        yield from assembler.finish()

    def _one(self, assembler: MailAssembler, fh: BinaryIO, location: str):
        try:
            block, _complete, from_line = read_header_block(fh)
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile):
            yield Rejected(location, "cannot read the file (corrupt or truncated)")
            return
        headers, received = parse_header_block(block)
        # A message saved from an mbox keeps its ``From `` line: its date is the same fallback
        # read_mbox uses on the same bytes, so the two readers agree.
        from_date = parse_from_line_date(from_line) if from_line else None
        yield from assembler.feed(
            location,
            headers,
            received_dates=received,
            fallback=(from_date, "from_line") if from_date is not None else None,
        )


@validate_params(
    {"on_bad_lines": [ON_BAD_LINES], "mass_threshold": [Interval(int, 1)], "names": NAMES_PARAM}
)
def read_eml(
    path: str | Path,
    *,
    on_bad_lines: str = "warn",
    mass_threshold: int = MASS_THRESHOLD,
    names: Mapping[str, str] | None = None,
) -> ReadResult:
    """Read one ``.eml`` message, a folder of them (recursively) or a ``.zip`` of them.

    Edges as in :func:`~ona.importers.mbox.read_mbox`.

    Parameters
    ----------
    path : str or Path
        An ``.eml`` file (possibly ``.eml.gz``), a folder, or a ``.zip`` archive.
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
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.eml"
    >>> _ = p.write_bytes(b"From: a@x.org\\r\\nTo: b@x.org\\r\\nCc: c@x.org\\r\\n"
    ...     b"Date: Mon, 05 Jan 2026 09:00:00 +0100\\r\\n\\r\\nhi\\r\\n")
    >>> read_eml(p).interactions[["target", "kind"]].values.tolist()
    [['b@x.org', 'to'], ['c@x.org', 'cc']]
    """
    return EmlReader(
        path, on_bad_lines=on_bad_lines, mass_threshold=mass_threshold, names=names
    ).read()
