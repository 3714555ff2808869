"""Opening inputs: transparent decompression and safe zip archives.

Compressed files (``.gz``, ``.bz2``, ``.xz``) are streamed, never decompressed to disk. Zip
archives are checked before anything is read: entries with absolute or ``..`` paths are refused,
and the total decompressed size and the compression ratio are capped (zip bombs).
"""

from __future__ import annotations

import bz2
import contextvars
import gzip
import hashlib
import io
import lzma
import os
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from ona.exceptions import BadInputError, UnsafeArchiveError

__all__ = [
    "MAX_RATIO",
    "MAX_UNCOMPRESSED",
    "SafeZip",
    "file_sha256",
    "open_binary",
    "progress_sink",
]

MAX_UNCOMPRESSED = 20 * 2**30  # 20 GiB in all
MAX_RATIO = 200  # per entry, uncompressed / compressed

class _ClosesSource:
    """A decompressing reader that closes the file it reads from (the standard ones opened on a
    file object leave it open)."""

    _source: BinaryIO

    def close(self) -> None:
        try:
            super().close()  # type: ignore[misc]
        finally:
            self._source.close()


class _GzipFile(_ClosesSource, gzip.GzipFile):
    pass


class _BZ2File(_ClosesSource, bz2.BZ2File):
    pass


class _LZMAFile(_ClosesSource, lzma.LZMAFile):
    pass


_OPENERS = {".gz": _GzipFile, ".bz2": _BZ2File, ".xz": _LZMAFile}

#: Where progress within a file goes: a callable ``(path, bytes_done, bytes_total)`` set by the
#: caller that drives an import (the CLI's progress bar), or None. A context variable rather than
#: a reader argument, so that every reader that opens its input with :func:`open_binary` reports
#: progress without knowing about it.
progress_sink: contextvars.ContextVar[Callable[[str, int, int], None] | None] = (
    contextvars.ContextVar("ona_progress_sink", default=None)
)


class _ProgressFile(io.RawIOBase):
    """A raw file that tells :data:`progress_sink` how far into the file on disk reading is
    (for a compressed input: how much of the compressed file has been consumed)."""

    _EVERY = 1 << 20  # report at most once per MiB read

    def __init__(self, path: Path, sink: Callable[[str, int, int], None]):
        self._file = open(path, "rb")  # noqa: SIM115
        self._path = str(path)
        self._sink = sink
        self._total = os.fstat(self._file.fileno()).st_size
        self._next = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._file.readinto(buffer)
        done = self._file.tell()
        if done >= self._next or not n:
            self._next = done + self._EVERY
            self._sink(self._path, done, self._total)
        return n

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def fileno(self) -> int:
        return self._file.fileno()

    def close(self) -> None:
        self._file.close()
        super().close()


def open_binary(path: str | Path) -> BinaryIO:
    """Open ``path`` for binary streaming reading, decompressing ``.gz``/``.bz2``/``.xz``.

    When :data:`progress_sink` is set, the bytes read of the file on disk are reported to it.
    """
    path = Path(path)
    opener = _OPENERS.get(path.suffix.lower())
    sink = progress_sink.get()
    try:
        raw: BinaryIO = (
            io.BufferedReader(_ProgressFile(path, sink), 1 << 16) if sink else open(path, "rb")  # noqa: SIM115
        )
    except OSError as exc:
        raise BadInputError(str(path), None, f"cannot open ({exc.strerror or exc})") from None
    if opener is None:
        return raw
    stream = opener(fileobj=raw) if opener is _GzipFile else opener(raw)
    stream._source = raw
    return stream


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
