"""The exceptions ona raises.

::

    OnaError
    ├── InvalidParameterError (also ValueError)   a public function got a bad argument
    ├── TableError (also ValueError)              a table does not match its canonical format
    ├── BadInputError                             an input file or record cannot be read
    │   └── UnsafeArchiveError                    a zip with unsafe paths or sizes
    ├── WorkspaceError                            the workspace cannot be read or written
    └── MissingDependencyError (also ImportError) an optional extra is not installed

Messages name the file, the record (an offset, a line or an entry name) and the reason, and
never the content of a record: people's addresses and names stay out of error messages.
"""

from __future__ import annotations

__all__ = [
    "BadInputError",
    "InvalidParameterError",
    "MissingDependencyError",
    "OnaError",
    "TableError",
    "UnsafeArchiveError",
    "WorkspaceError",
]


class OnaError(Exception):
    """Base class of every error ona raises on purpose."""


class InvalidParameterError(OnaError, ValueError):
    """A public function was called with a value it does not accept."""


class TableError(OnaError, ValueError):
    """A table does not match its canonical format; the message lists every problem."""

    def __init__(self, table: str, problems: list[str]):
        self.table = table
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{table} table is invalid ({len(self.problems)} problem(s)):\n{lines}")


class BadInputError(OnaError):
    """An input file, or one record in it, cannot be read.

    Parameters
    ----------
    file : str
        The input file.
    location : str
        Where in the file: a byte offset, a line number or an archive entry name.
    reason : str
        Why, in words that contain no personal data.
    """

    def __init__(self, file: str, location: str | None, reason: str):
        self.file = str(file)
        self.location = location
        self.reason = reason
        where = f"{self.file}: {location}" if location else self.file
        super().__init__(f"{where}: {reason}")


class UnsafeArchiveError(BadInputError):
    """A zip archive with an absolute or ``..`` path, or beyond the decompression caps."""


class WorkspaceError(OnaError):
    """The workspace folder cannot be opened, read or written."""


class MissingDependencyError(OnaError, ImportError):
    """An optional dependency is missing; the message names the extra that installs it."""
