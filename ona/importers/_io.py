"""Opening inputs: transparent decompression and safe zip archives, within limits.

Compressed files (``.gz``, ``.bz2``, ``.xz``) are streamed, never decompressed to disk. Zip
archives are checked before anything is read: entries with absolute or ``..`` paths are refused,
and the total decompressed size and the compression ratio are capped (zip bombs).

Every decompressed stream and archive entry is also checked *while* it is read, against
:class:`InputLimits` (see ``docs/limits.md``): bytes out, ratio of bytes out to bytes in, and
for line-based readers the length of one line. Damaged compressed data (a bad CRC, a truncated
stream) becomes a :class:`~ona.BadInputError` naming the file, whichever reader meets it.
"""

from __future__ import annotations

import bz2
import contextvars
import dataclasses
import gzip
import hashlib
import io
import lzma
import os
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from ona.exceptions import BadInputError, UnsafeArchiveError

__all__ = [
    "MAX_RATIO",
    "MAX_UNCOMPRESSED",
    "DamagedDataError",
    "InputLimits",
    "SafeZip",
    "file_sha256",
    "get_input_limits",
    "open_binary",
    "progress_sink",
    "read_whole",
    "set_input_limits",
]

MAX_UNCOMPRESSED = 20 * 2**30  # 20 GiB in all
MAX_RATIO = 100  # uncompressed / compressed


@dataclasses.dataclass(frozen=True)
class InputLimits:
    """Caps on what reading one input may decompress and hold (see ``docs/limits.md``).

    Attributes
    ----------
    max_uncompressed : int, default 20 GiB
        Bytes one decompressed stream (``.gz``, ``.bz2``, ``.xz``) or one zip archive (all its
        entries, as declared and as read) may yield.
    max_ratio : float, default 100
        Bytes out per byte in, for a stream once it has yielded ``ratio_grace`` bytes, and for
        each zip entry. Text compresses 3 to 20 times; a decompression bomb about 1,000 times
        (gzip) to millions (bzip2).
    ratio_grace : int, default 16 MiB
        Output below which the ratio is not checked (a small file of blanks is no bomb).
    max_line : int, default 16 MiB
        Longest line a line-based reader (CSV, mbox, iCalendar, git log, JSON lines) accepts.
    max_document : int, default 512 MiB
        Largest document a reader parses whole (a JSON file, a zip entry such as a Slack day
        file, a spreadsheet's XML part).
    """

    max_uncompressed: int = MAX_UNCOMPRESSED
    max_ratio: float = MAX_RATIO
    ratio_grace: int = 16 * 2**20
    max_line: int = 16 * 2**20
    max_document: int = 512 * 2**20


_limits = InputLimits()


def get_input_limits() -> InputLimits:
    """The limits in force (module-wide, so that forked import workers share them)."""
    return _limits


def set_input_limits(**changes: float) -> InputLimits:
    """Change some of the :class:`InputLimits`; returns the previous ones (to restore them).

    Examples
    --------
    >>> previous = set_input_limits(max_ratio=500)
    >>> get_input_limits().max_ratio
    500
    >>> _ = set_input_limits(**dataclasses.asdict(previous))
    """
    global _limits
    previous = _limits
    _limits = dataclasses.replace(_limits, **changes)
    return previous


# What a damaged compressed stream or zip entry raises, depending on the codec and where the
# damage is (bz2 and gzip raise OSError subclasses; zipfile raises BadZipFile for a bad CRC).
_CODEC_ERRORS = (zlib.error, EOFError, OSError, lzma.LZMAError, zipfile.BadZipFile,
                 NotImplementedError, RuntimeError)  # fmt: skip


class DamagedDataError(BadInputError, OSError):
    """Compressed data or a zip entry that cannot be decoded. Also an OSError, so that a reader
    that already treats an unreadable member of a folder as one rejected record still does."""


class _Checked(io.BufferedIOBase):
    """A stream read through the limits: bytes out, ratio to bytes in, line length; and with
    codec errors turned into :class:`DamagedDataError` naming the file (and the zip entry).

    It wraps the (already buffered) decompressor and checks what each call returns; ``read1``
    hands over what was decoded before a failure, which ``read`` would drop.
    """

    def __init__(self, inner: BinaryIO, path: str, entry: str | None, *, consumed: Callable[[], int],
                 kind: str, lines: bool, cap: float | None = None):  # fmt: skip
        self._inner, self._path, self._entry, self._kind = inner, path, entry, kind
        self._consumed = consumed
        self._lines = lines
        self._limits = _limits
        self._cap = self._limits.max_uncompressed if cap is None else cap
        self._out = 0
        self._run = 0  # bytes since the last newline

    def _call(self, method: Callable[..., bytes], *args: int) -> bytes:
        try:
            return method(*args)
        except BadInputError:
            raise
        except _CODEC_ERRORS as exc:
            reason = f"damaged or truncated {self._kind} data ({exc})"
            raise DamagedDataError(self._path, self._entry, reason) from None

    def _count(self, data: bytes) -> bytes:
        n = len(data)
        if not n:
            return data
        self._out += n
        limits = self._limits
        if self._out > self._cap:
            raise BadInputError(self._path, self._entry,
                                f"more than {self._cap:,} bytes once decompressed (the limit; "
                                "see docs/limits.md)")  # fmt: skip
        if self._out > limits.ratio_grace and self._out > limits.max_ratio * max(self._consumed(), 1):
            raise BadInputError(self._path, self._entry,
                                f"decompresses more than {limits.max_ratio:g} times its size "
                                "(a decompression bomb?)")  # fmt: skip
        if self._lines:
            last = data.rfind(b"\n")
            self._run = n - 1 - last if last >= 0 else self._run + n
            if self._run > limits.max_line:
                raise BadInputError(self._path, self._entry,
                                    f"a line longer than {limits.max_line:,} bytes (max_line)")
        return data

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:  # to the end, but through the checks chunk by chunk
            parts = []
            while chunk := self.read1(1 << 16):
                parts.append(chunk)
            return b"".join(parts)
        return self._count(self._call(self._inner.read, size))

    def read1(self, size: int = -1) -> bytes:
        read1 = getattr(self._inner, "read1", self._inner.read)
        return self._count(self._call(read1, size if size and size > 0 else 1 << 16))

    def readinto(self, buffer) -> int:
        data = self.read1(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        cap = self._limits.max_line + 1 if self._lines else -1
        if size is not None and size >= 0:
            cap = size if cap < 0 else min(size, cap)
        return self._count(self._call(self._inner.readline, cap))

    def peek(self, size: int = 0) -> bytes:
        return self._call(self._inner.peek, size)

    def seekable(self) -> bool:
        return self._inner.seekable()

    def seek(self, offset: int, whence: int = 0) -> int:
        position = self._call(self._inner.seek, offset, whence)
        self._out, self._run = position, 0
        return position

    def tell(self) -> int:
        return self._inner.tell()

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            super().close()


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


def open_binary(path: str | Path, *, lines: bool = False) -> BinaryIO:
    """Open ``path`` for binary streaming reading, decompressing ``.gz``/``.bz2``/``.xz``.

    Decompressed output is checked against :class:`InputLimits`; with ``lines=True`` (readers
    that parse line by line) so is the length of each line. When :data:`progress_sink` is set,
    the bytes read of the file on disk are reported to it.
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
        if not lines:
            return raw
        return _Checked(raw, str(path), None, consumed=raw.tell, kind="file", lines=True,  # type: ignore[return-value]
                        cap=float("inf"))  # fmt: skip
    try:
        stream = opener(fileobj=raw) if opener is _GzipFile else opener(raw)
    except _CODEC_ERRORS as exc:
        raw.close()
        raise DamagedDataError(str(path), None, f"damaged {path.suffix} data ({exc})") from None
    stream._source = raw
    kind = {".gz": "gzip", ".bz2": "bzip2", ".xz": "xz"}[path.suffix.lower()]
    return _Checked(stream, str(path), None, consumed=raw.tell, kind=kind, lines=lines)  # type: ignore[return-value]


def read_whole(fh: BinaryIO, path: str | Path, entry: str | None = None) -> bytes:
    """Read a stream to the end, refusing documents above ``max_document`` bytes (a reader that
    must parse a document whole, such as a JSON file, holds it in memory)."""
    cap = _limits.max_document
    data = fh.read(cap + 1)
    if len(data) > cap:
        raise BadInputError(
            str(path), entry, f"a document above {cap:,} bytes (max_document; see docs/limits.md)"
        )
    return data


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
        Cap on the sum of the entries' declared uncompressed sizes (at most
        :attr:`InputLimits.max_uncompressed`; zipfile never reads past a declared size).
    max_ratio : float
        Cap on any entry's uncompressed / compressed size ratio (at most
        :attr:`InputLimits.max_ratio`).

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
        max_uncompressed = min(max_uncompressed, _limits.max_uncompressed)
        max_ratio = min(max_ratio, _limits.max_ratio)
        try:
            self._zip = zipfile.ZipFile(path)
        except (*_CODEC_ERRORS, ValueError) as exc:
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

    def open(self, name: str, *, lines: bool = False) -> BinaryIO:
        """Open one entry for streaming (checked as :func:`open_binary` checks a stream)."""
        try:
            info = self._zip.getinfo(name)
            inner = self._zip.open(info)
        except (*_CODEC_ERRORS, KeyError) as exc:
            raise DamagedDataError(self.path, name, f"unreadable zip entry ({exc})") from None
        # zipfile never yields more than the declared size, which __init__ checked against the
        # caps; the check while reading adds the line cap and turns a bad CRC into a BadInputError.
        size = info.compress_size or 1
        return _Checked(inner, self.path, name, consumed=lambda: size, kind="zip", lines=lines)  # type: ignore[return-value]

    def read(self, name: str) -> bytes:
        """Read one entry whole, up to :attr:`InputLimits.max_document` bytes (for documents
        parsed whole, such as ``users.json``)."""
        with self.open(name) as fh:
            return read_whole(fh, self.path, name)

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
