"""Reading HR-style tables (CSV or XLSX) row by row, for the roster and outcomes readers.

Real HR exports come with a UTF-8 byte-order mark, ``;`` delimiters, cp1252 text and
spreadsheet files; :func:`iter_rows` hides those differences and yields each data row with its
line (or sheet row) number so that every row can be accounted for.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from ona._deps import import_optional
from ona.exceptions import BadInputError
from ona.importers._io import open_binary

__all__ = ["header", "iter_rows", "sniff_header"]

_TABLE_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx"}


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def iter_rows(path: str | Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line_number, row)`` for each data row; keys are the header's column names."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        openpyxl = import_optional("openpyxl", extra="xlsx", purpose="reading .xlsx files")
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        rows = book.worksheets[0].iter_rows(values_only=True)
        names = [str(c).strip() if c is not None else "" for c in next(rows, [])]
        for number, values in enumerate(rows, start=2):
            yield number, {n: ("" if v is None else str(v)) for n, v in zip(names, values, strict=False)}
        return
    with open_binary(path) as fh:
        text = _decode(fh.read())
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=_dialect(text[:8192]))
    try:
        for row in reader:
            yield reader.line_num, {(k or "").strip(): (v or "") for k, v in row.items() if k is not None}
    except csv.Error as exc:
        raise BadInputError(str(path), f"line {reader.line_num}", f"malformed CSV ({exc})") from None


def sniff_header(path: str | Path) -> list[str]:
    """The lower-cased column names of a table file, or [] if it is not one (cheap)."""
    path = Path(path)
    if not path.is_file() or path.suffix.lower().removesuffix(".gz") not in _TABLE_SUFFIXES:
        if not (path.is_file() and path.name.lower().endswith((".csv.gz", ".tsv.gz"))):
            return []
    try:
        if path.suffix.lower() == ".xlsx":
            return [k.lower() for k in next(iter_rows(path), (0, {}))[1]]
        with open_binary(path) as fh:
            first = _decode(fh.read(8192)).splitlines()
    except (OSError, BadInputError, EOFError):
        return []
    if not first:
        return []
    row = next(csv.reader([first[0]], dialect=_dialect("\n".join(first))), [])
    return [c.strip().lower() for c in row]


def header(path: str | Path) -> set[str]:
    """:func:`sniff_header` as a set."""
    return set(sniff_header(path))
