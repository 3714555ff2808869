"""Inputs that cannot even be opened: a truncated or corrupt archive or compressed file, a
symbolic link that loops.

Registered last among the readers, it claims what no other reader recognised *because* the file
is damaged, so that a delivery folder's broken file is reported (exit 65, naming the file and
why) instead of being skipped as "not a recognised export". Reading it always fails.
"""

from __future__ import annotations

import errno
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

from ona.exceptions import BadInputError
from ona.importers._base import Reader, Record, Rejected
from ona.importers._io import SafeZip, open_binary

__all__ = ["DamagedReader", "damage"]

_COMPRESSED_MAGIC = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_PROBE = 1 << 20  # decompress this much to tell a damaged stream from a good one


def damage(path: str | Path) -> str | None:
    """Why ``path`` cannot be opened as what it looks like, or None if it can (or is not a
    compressed file, an archive or a broken link)."""
    path = Path(path)
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symbolic link that loops"
        if os.path.islink(path):
            return "a symbolic link to nothing"
        return None
    if not path.is_file():
        return None
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    suffix = path.suffix.lower()
    if suffix in (".zip", ".xlsx") or head.startswith(_ZIP_MAGIC):
        try:
            SafeZip(path).close()
        except BadInputError as exc:
            return exc.reason
        return None
    if suffix in (".gz", ".bz2", ".xz") or head.startswith(_COMPRESSED_MAGIC):
        if suffix not in (".gz", ".bz2", ".xz"):
            return None  # compressed bytes under another name: not ours to judge
        try:
            with open_binary(path) as fh:
                fh.read(_PROBE)
        except BadInputError as exc:
            return exc.reason
        except (OSError, EOFError, zipfile.BadZipFile) as exc:
            return f"damaged compressed data ({exc})"
    return None


class DamagedReader(Reader):
    """Claims a damaged archive, compressed file or looping link; reading it raises
    :class:`~ona.BadInputError` with the reason."""

    format = "damaged"

    @classmethod
    def detect(cls, path: Path) -> bool:
        return damage(path) is not None

    def records(self) -> Iterator[Record | Rejected]:
        raise BadInputError(str(self.path), None, damage(self.path) or "cannot be read")
        yield  # a generator, like every reader's records()
