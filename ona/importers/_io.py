"""Opening inputs: transparent decompression and safe zip archives.

Compressed files (``.gz``, ``.bz2``, ``.xz``) are streamed, never decompressed to disk. Zip
archives are checked before anything is read: entries with absolute or ``..`` paths are refused,
and the total decompressed size and the compression ratio are capped (zip bombs).
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import zipfile
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from ona.exceptions import BadInputError, UnsafeArchiveError

__all__ = ["MAX_RATIO", "MAX_UNCOMPRESSED", "SafeZip", "file_sha256", "open_binary"]

MAX_UNCOMPRESSED = 20 * 2**30  # 20 GiB in all
MAX_RATIO = 200  # per entry, uncompressed / compressed

_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


def open_binary(path: str | Path) -> BinaryIO:
    """Open ``path`` for binary streaming reading, decompressing ``.gz``/``.bz2``/``.xz``."""
    path = Path(path)
    opener = _OPENERS.get(path.suffix.lower())
    try:
        return opener(path, "rb") if opener else open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise BadInputError(str(path), None, f"cannot open ({exc.strerror or exc})") from None


def file_sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    """The SHA-256 of a file (a folder: of its files' relative names and contents, sorted)."""
    path = Path(path)
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for f in files:
        if f is not path:
            digest.update(str(f.relative_to(path)).encode("utf-8", "surrogateescape"))
        with open(f, "rb") as fh:
            while block := fh.read(chunk):
                digest.update(block)
    return digest.hexdigest()


class SafeZip:
    """A zip archive whose entries are checked before they are read.

    Parameters
    ----------
    path : str or Path
        The archive.
    max_uncompressed : int
        Cap on the sum of the entries' declared uncompressed sizes.
    max_ratio : float
        Cap on any entry's uncompressed / compressed size ratio.

    Raises
    ------
    UnsafeArchiveError
        On an absolute or ``..`` entry path, or a size or ratio beyond the caps.
    BadInputError
        If the file is not a readable zip archive.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        max_uncompressed: int = MAX_UNCOMPRESSED,
        max_ratio: float = MAX_RATIO,
    ):
        self.path = str(path)
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise BadInputError(self.path, None, f"not a readable zip archive ({exc})") from None
        total = 0
        for info in self._zip.infolist():
            name = info.filename
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in parts:
                raise UnsafeArchiveError(self.path, name, "unsafe entry path (absolute or '..')")
            total += info.file_size
            if info.compress_size and info.file_size / info.compress_size > max_ratio:
                raise UnsafeArchiveError(
                    self.path, name, f"compression ratio above {max_ratio} (possible zip bomb)"
                )
        if total > max_uncompressed:
            raise UnsafeArchiveError(
                self.path, None, f"declared uncompressed size above {max_uncompressed} bytes"
            )

    def names(self) -> list[str]:
        """Entry names of files (not folders), in archive order."""
        return [i.filename for i in self._zip.infolist() if not i.is_dir()]

    def open(self, name: str) -> BinaryIO:
        """Open one entry for streaming."""
        return self._zip.open(name)

    def read(self, name: str) -> bytes:
        """Read one entry whole (use for small files such as ``users.json``)."""
        return self._zip.read(name)

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
