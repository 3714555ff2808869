"""Outcomes tables: one row per unit (team or person) and period, one column per metric.

Accepted headers: ``unit`` (or ``team``, ``person``, ``person_id``), ``unit_type`` (optional:
``team`` unless the unit column says ``person``), ``period`` (or ``quarter``, ``month``,
``date``, ``year``), and any number of numeric metric columns (delivery, quality, engagement,
attrition, ...). Each row is read, a repeated (unit, period) counted as a duplicate, and a row
with a missing key or a non-numeric metric rejected with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from ona._validation import validate_params
from ona.importers._base import ON_BAD_LINES, Reader, ReadResult, Record, Rejected
from ona.importers._tabular import header, iter_rows
from ona.tables import validate_outcomes

__all__ = ["OutcomesReader", "detect", "read_outcomes"]

_UNIT = {"unit": None, "team": "team", "team_id": "team", "person": "person", "person_id": "person"}
_PERIOD = ("period", "quarter", "month", "date", "year")
_INTERACTION_HINTS = {"source", "target", "sender", "recipient", "from", "to"}


def _columns(names: list[str]) -> tuple[str | None, str | None]:
    lower = {n.lower(): n for n in names}
    unit = next((lower[c] for c in _UNIT if c in lower), None)
    period = next((lower[c] for c in _PERIOD if c in lower), None)
    return unit, period


def detect(path: str | Path) -> bool:
    """An outcomes table: a unit and a period column, and no interaction columns."""
    cols = header(path)
    unit, period = _columns(sorted(cols))
    others = cols - set(_UNIT) - set(_PERIOD) - {"unit_type"}
    roster_like = {"email", "manager_id", "department", "valid_from"} & cols
    return bool(unit and period and others and not (cols & _INTERACTION_HINTS) and not roster_like)


class OutcomesReader(Reader):
    """Reads an outcomes CSV or XLSX (see the module docstring)."""

    format = "outcomes"

    def __init__(self, path: str | Path, *, on_bad_lines: str = "warn"):
        super().__init__(path, on_bad_lines=on_bad_lines)
        self._rows: dict[str, dict[str, object]] = {}  # first row of each (unit, period)

    @classmethod
    def detect(cls, path: Path) -> bool:
        return detect(path)

    def records(self) -> Iterator[Record | Rejected]:
        unit_col = period_col = None
        for line, row in iter_rows(self.path):
            if unit_col is None:
                unit_col, period_col = _columns(list(row))
                if unit_col is None or period_col is None:
                    yield Rejected(f"line {line}", "no unit or period column")
                    continue
            unit, period = row.get(unit_col, "").strip(), row.get(period_col, "").strip()
            if not unit or not period:
                yield Rejected(f"line {line}", "missing unit or period")
                continue
            unit_type = (row.get("unit_type") or _UNIT[unit_col.lower()] or "team").strip().lower()
            metrics: dict[str, object] = {}
            bad = False
            for name, value in row.items():
                if name in (unit_col, period_col, "unit_type"):
                    continue
                value = value.strip()
                try:
                    number = float(value) if value else math.nan
                except ValueError:
                    bad = True
                    break
                metrics[name] = number
            if bad:
                yield Rejected(f"line {line}", "metric value is not a number")
                continue
            key = f"{unit}\x1f{period}"  # a repeat is counted as a duplicate by the base
            self._rows.setdefault(key, {"unit": unit, "unit_type": unit_type, "period": period, **metrics})
            yield Record(key, f"line {line}", [])

    def extras(self) -> dict[str, pd.DataFrame]:
        return {"outcomes": validate_outcomes(pd.DataFrame(list(self._rows.values())))} if self._rows else {}


@validate_params({"on_bad_lines": [ON_BAD_LINES]})
def read_outcomes(path: str | Path, *, on_bad_lines: str = "warn") -> ReadResult:
    """Read an outcomes table (CSV or XLSX) into ``result.extras["outcomes"]``.

    Parameters
    ----------
    path : str or Path
        The file.
    on_bad_lines : {'error', 'warn', 'skip'}
        What to do with a row that cannot be read (it is counted as rejected either way).

    Returns
    -------
    ReadResult
        ``extras["outcomes"]`` is the canonical Outcomes table (:func:`ona.validate_outcomes`);
        the report accounts for every row.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "outcomes.csv"
    >>> _ = p.write_text("team,quarter,delivery\\nT1,2026-Q1,0.8\\nT1,2026-Q1,0.8\\nT2,2026-Q1,n/a\\n")
    >>> r = read_outcomes(p, on_bad_lines="skip")
    >>> r.report.total()["read"], r.report.total()["imported"], r.report.total()["duplicates"]
    (3, 1, 1)
    >>> r.extras["outcomes"][["unit", "period", "delivery"]].to_dict("records")
    [{'unit': 'T1', 'period': '2026-Q1', 'delivery': 0.8}]
    """
    return OutcomesReader(path, on_bad_lines=on_bad_lines).read()
