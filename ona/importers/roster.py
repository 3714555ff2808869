"""HR rosters (CSV or XLSX) with effective dates, into the canonical People table.

People move teams, change managers and leave; an analysis of last year's e-mail must use last
year's teams. A roster row therefore carries the period in which its attributes were in force,
given in one of three shapes:

* **effective-dated rows**: ``valid_from`` (``effective_date``, ``effective_from``...) and
  optionally ``valid_to``; a missing ``valid_to`` ends at the person's next row;
* **snapshots**: the whole roster as of several dates (``snapshot_date``, ``as_of``...);
  consecutive snapshots become validity periods: a person's attributes hold from the snapshot in
  which they appear until the next snapshot in which they changed or the person is missing; the
  first snapshot also covers the time before it (the earliest known state);
* **undated**: one row per person, valid at all times.

Header names are matched loosely (case, spaces and punctuation ignored; ``EmployeeID``,
``employee_id``, ``Email``, ``mail``, ``Manager``, ``function``, ``hire_date``...), first and
last names are joined, Exchange ``proxyAddresses`` (``SMTP:``/``smtp:`` entries) become aliases,
and a manager given by e-mail, alias or unique full name is mapped to their person id. Every
row is accounted for: ``read = imported + duplicates + rejected`` with a reason (no person,
unreadable date, no snapshot date, conflicting rows, validity ending before it starts).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ona._validation import validate_params
from ona.importers._base import ON_BAD_LINES, Reader, ReadResult, Record, Rejected
from ona.importers._tabular import header, iter_rows
from ona.tables import PEOPLE_COLUMNS, empty_people, validate_people

__all__ = ["HEADER_ALIASES", "RosterReader", "detect", "periods_from_snapshots", "read_roster"]

# canonical column -> accepted header names, compared after _norm() (lower case, letters/digits).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "person_id": (
        "personid", "employeeid", "employeenumber", "employeeno", "empid", "empno", "staffid",
        "staffnumber", "workerid", "personnelnumber", "id",
    ),
    "email": (
        "email", "emailaddress", "mail", "workemail", "primaryemail", "businessemail",
        "primarysmtpaddress",
    ),
    "name": ("name", "fullname", "displayname", "employeename", "preferredname"),
    "first_name": ("firstname", "givenname", "forename"),
    "last_name": ("lastname", "surname", "familyname"),
    "aliases": (
        "aliases", "alias", "otheremails", "alternateemails", "secondaryemails",
        "proxyaddresses", "emailaliases",
    ),
    "team": ("team", "teamname", "squad", "orgunit", "unit", "group"),
    "department": ("department", "dept", "departmentname", "function", "division", "businessunit"),
    "manager_id": (
        "managerid", "manager", "manageremployeeid", "managerpersonid", "manageremail",
        "supervisorid", "supervisor", "linemanager", "linemanagerid", "reportsto",
    ),
    "location": ("location", "office", "site", "worklocation", "city"),
    "level": ("level", "grade", "joblevel", "band", "careerlevel", "seniority"),
    "start_date": (
        "startdate", "hiredate", "hired", "dateofhire", "joindate", "joined", "employmentstart",
    ),
    "end_date": (
        "enddate", "leavedate", "leavingdate", "terminationdate", "exitdate", "employmentend",
    ),
    "valid_from": ("validfrom", "effectivedate", "effectivefrom", "effectivestartdate", "fromdate"),
    "valid_to": ("validto", "effectiveto", "effectiveenddate", "todate"),
    "snapshot_date": ("snapshotdate", "snapshot", "asof", "asofdate", "reportdate", "extractdate"),
    "time_zone": ("timezone", "tz"),
}  # fmt: skip

_DATES = ("start_date", "end_date", "valid_from", "valid_to", "snapshot_date")
_ATTRIBUTES = ("name", "email", "aliases", "team", "department", "manager_id", "location", "level")
_GROUPING = {"team", "department", "manager_id"}
_INTERACTION_HINTS = {"source", "target", "sender", "recipient", "from", "to"}
_OUTCOME_HINTS = {"period", "quarter", "month", "year"}  # an outcomes table, even per person
_PROXY_PREFIX = re.compile(r"^(smtp|sip):", re.IGNORECASE)


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.lower())


_LOOKUP = {alias: canon for canon, names in HEADER_ALIASES.items() for alias in names}


def map_columns(names: list[str], overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Header name -> canonical column for the headers that have one (the first one wins)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        canon = (overrides or {}).get(name) or _LOOKUP.get(_norm(name))
        if canon and canon not in taken:
            out[name] = canon
            taken.add(canon)
    return out


def detect(path: str | Path) -> bool:
    """A roster: a person id or e-mail column, and a team, department or manager column.

    Tables with interaction columns (``source``/``target``, ``from``/``to``) are left to the
    interactions readers, tables with a period column (``period``, ``quarter``...) to the
    outcomes reader, and Viva Insights person queries (``PersonId`` and ``MetricDate``) to
    :class:`ona.importers.viva.VivaPersonReader`.
    """
    cols = header(path)
    if not cols or cols & (_INTERACTION_HINTS | _OUTCOME_HINTS):
        return False
    if {"personid", "metricdate"} <= cols:
        return False  # a Viva Insights person query: weekly metrics, read by its own reader
    mapped = set(map_columns(sorted(cols)).values())
    return bool(mapped & {"person_id", "email"}) and bool(mapped & _GROUPING)


def _split_aliases(value: str) -> list[str]:
    # Not on spaces: Exchange X.500 addresses contain them.
    parts = (p.strip() for p in re.split(r"[;,|\n]+", value))
    return [_PROXY_PREFIX.sub("", p).lower() for p in parts if p]


class RosterReader(Reader):
    """Reads an HR roster (see the module docstring); :meth:`people` is the dated People table.

    Parameters
    ----------
    path : str or Path
        A CSV (any delimiter, UTF-8 with or without BOM, or cp1252; ``.gz`` too) or XLSX file.
    on_bad_lines : {'error', 'warn', 'skip'}
        What to do with a row that cannot be read (it is counted as rejected either way).
    dayfirst : bool, default False
        Read ambiguous dates such as ``03/04/2026`` as 3 April (ISO dates are never ambiguous).
    columns : mapping, optional
        Header name -> canonical column, for headers the built-in list does not know.
    """

    format = "roster"

    def __init__(
        self,
        path: str | Path,
        *,
        on_bad_lines: str = "warn",
        dayfirst: bool = False,
        columns: Mapping[str, str] | None = None,
    ):
        super().__init__(path, on_bad_lines=on_bad_lines)
        self.dayfirst = dayfirst
        self.overrides = dict(columns or {})
        self._rows: dict[str, dict[str, Any]] = {}  # key -> first row read for it
        self._mode = "undated"

    @classmethod
    def detect(cls, path: Path) -> bool:
        return detect(path)

    # -- reading -------------------------------------------------------------------------------
    def _load(self) -> Iterator[tuple[int, dict[str, Any], str | None]]:
        """Every row renamed to canonical columns, dates parsed column-wise, with a reason when
        the row cannot be used."""
        raw = list(iter_rows(self.path))
        if not raw:
            return
        mapping = map_columns(list(raw[0][1]), self.overrides)
        mapped = set(mapping.values())
        rows: list[tuple[int, dict[str, Any]]] = []
        for line, row in raw:
            out: dict[str, Any] = {}
            for name, value in row.items():
                value = value.strip() if isinstance(value, str) else value
                out[mapping.get(name, name)] = value if value != "" else None
            rows.append((line, out))
        bad: dict[int, str] = {}
        if not mapped & {"person_id", "email"}:
            bad = dict.fromkeys(range(len(rows)), "no person id or e-mail column")
        for col in _DATES:
            if col not in mapped:
                continue
            values = pd.Series([r.get(col) for _, r in rows], dtype="object")
            parsed = pd.to_datetime(
                values, format="mixed", dayfirst=self.dayfirst, utc=True, errors="coerce"
            )
            for i, ((_, row), stamp) in enumerate(zip(rows, parsed, strict=True)):
                if row.get(col) is not None and pd.isna(stamp):
                    bad.setdefault(i, f"unreadable date in column {col}")
                row[col] = None if pd.isna(stamp) else stamp
        if "snapshot_date" in mapped:
            self._mode = "snapshot"
        elif "valid_from" in mapped:
            self._mode = "dated"
        for i, (line, row) in enumerate(rows):
            yield line, row, bad.get(i)

    def records(self) -> Iterator[Record | Rejected]:
        for line, row, why in self._load():
            where = f"line {line}"
            if why is not None:
                yield Rejected(where, why)
                continue
            first, last = row.pop("first_name", None), row.pop("last_name", None)
            if row.get("name") is None and (first or last):
                row["name"] = " ".join(p for p in (first, last) if p)
            if row.get("email"):
                row["email"] = row["email"].lower()
            if row.get("aliases"):
                row["aliases"] = ";".join(_split_aliases(row["aliases"])) or None
            pid = row.get("person_id") or row.get("email")
            if not pid:
                yield Rejected(where, "no person id or e-mail")
                continue
            row["person_id"] = str(pid)
            start, end = row.get("valid_from"), row.get("valid_to")
            if start is not None and end is not None and end <= start:
                yield Rejected(where, "validity ends before it starts")
                continue
            if self._mode == "snapshot" and row.get("snapshot_date") is None:
                yield Rejected(where, "no snapshot date")
                continue
            when = row.get("snapshot_date") if self._mode == "snapshot" else start
            key = f"{row['person_id']}\x1f{'' if when is None else when.isoformat()}"
            seen = self._rows.get(key)
            if seen is not None and seen != row:
                yield Rejected(where, "conflicting rows for one person and date")
                continue
            self._rows.setdefault(key, row)
            yield Record(key, where, [])  # a repeated identical row is counted as a duplicate

    # -- the People table ----------------------------------------------------------------------
    def people(self) -> pd.DataFrame:
        if not self._rows:
            return empty_people()
        frame = pd.DataFrame(list(self._rows.values()))
        if self._mode == "snapshot":
            frame = self._periods_from_snapshots(frame)
        elif self._mode == "dated":
            frame = self._close_periods(frame)
        frame = self._managers_to_ids(frame)
        front = [c for c in PEOPLE_COLUMNS if c in frame.columns]
        frame = frame[front + [c for c in frame.columns if c not in PEOPLE_COLUMNS]]
        return validate_people(frame)

    def _close_periods(self, frame: pd.DataFrame) -> pd.DataFrame:
        """End each open period at the person's next row; clip overlaps (and say so)."""
        if "valid_to" not in frame.columns:
            frame["valid_to"] = pd.NaT
        frame = frame.sort_values(["person_id", "valid_from"], na_position="first", kind="stable")
        nxt = frame.groupby("person_id", sort=False)["valid_from"].shift(-1)
        ends = pd.to_datetime(frame["valid_to"], utc=True)
        nxt = pd.to_datetime(nxt, utc=True)
        overlap = nxt.notna() & (ends.isna() | (ends > nxt))
        clipped = int((overlap & ends.notna()).sum())
        if clipped:
            self.note("validity periods clipped to the start of the next row", clipped)
        frame["valid_to"] = ends.where(~overlap, nxt)
        return frame.reset_index(drop=True)

    def _periods_from_snapshots(self, frame: pd.DataFrame) -> pd.DataFrame:
        out = periods_from_snapshots(frame)
        self.note("snapshots", frame["snapshot_date"].nunique())
        return out

    def _managers_to_ids(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A manager given by e-mail, alias or full name becomes the manager's person id.

        Only a value that names exactly one person of the roster is mapped (by exact,
        case-folded comparison); others are left as given.
        """
        if "manager_id" not in frame.columns:
            return frame
        ids = set(frame["person_id"])
        owners: dict[tuple[str, str], set[str]] = {}
        columns = [c for c in ("email", "aliases", "name") if c in frame.columns]
        for row in frame[["person_id", *columns]].itertuples(index=False):
            pid, values = row[0], dict(zip(columns, row[1:], strict=True))
            addresses = [values.get("email")]
            if isinstance(values.get("aliases"), str):
                addresses += values["aliases"].split(";")
            for address in addresses:
                if isinstance(address, str) and address:
                    owners.setdefault(("e-mail", address.casefold()), set()).add(pid)
            name = values.get("name")
            if isinstance(name, str) and len(name.split()) >= 2:  # a full name, never one word
                owners.setdefault(("name", " ".join(name.casefold().split())), set()).add(pid)
        # A value shared by two people names neither.
        unique = {k: next(iter(p)) for k, p in owners.items() if len(p) == 1}
        mgr = frame["manager_id"]
        for kind in ("e-mail", "name"):
            key = mgr.map(lambda m: " ".join(m.casefold().split()) if isinstance(m, str) else m)
            mapped = key.map(
                lambda k, kind=kind: unique.get((kind, k)) if isinstance(k, str) else None
            )
            use = (mgr.notna() & ~mgr.isin(ids) & mapped.notna()).to_numpy(dtype=bool)
            if use.any():
                self.note(f"managers given by {kind} mapped to person ids", int(use.sum()))
                mgr = mgr.where(~use, mapped)
        frame["manager_id"] = mgr
        return frame


def periods_from_snapshots(frame: pd.DataFrame) -> pd.DataFrame:
    """Merge consecutive identical snapshots of a person into one validity period.

    ``frame`` has ``person_id``, ``snapshot_date`` and attribute columns, one row per person
    and snapshot. A period starts where a person appears, reappears or changes; it ends at the
    snapshot after its last one (open after the last snapshot; open before the first one, the
    earliest known state). Returns the rows with ``valid_from``/``valid_to`` instead of
    ``snapshot_date``.

    Examples
    --------
    >>> f = pd.DataFrame({"person_id": ["a", "a", "a"], "team": ["X", "X", "Y"],
    ...                   "snapshot_date": pd.to_datetime(["2026-01-05", "2026-01-12",
    ...                                                    "2026-01-19"], utc=True)})
    >>> out = periods_from_snapshots(f)
    >>> out["team"].tolist(), out["valid_from"].dt.strftime("%m-%d").fillna("open").tolist()
    (['X', 'Y'], ['open', '01-19'])
    """
    dates = pd.DatetimeIndex(sorted(frame["snapshot_date"].unique()))
    attrs = [c for c in frame.columns if c not in ("snapshot_date", "valid_from", "valid_to")]
    frame = frame.assign(_i=dates.get_indexer(pd.DatetimeIndex(frame["snapshot_date"])))
    frame = frame.sort_values(["person_id", "_i"], kind="stable").reset_index(drop=True)
    prev = frame.shift(1)
    same = frame["person_id"].eq(prev["person_id"]) & frame["_i"].eq(prev["_i"] + 1)
    for col in attrs:
        a, b = frame[col].astype(object), prev[col].astype(object)
        same &= (a == b) | (a.isna() & b.isna())
    period = (~same).cumsum()
    last_i = frame.groupby(period)["_i"].max().to_numpy()
    out = frame.loc[~same.to_numpy(), attrs + ["_i"]].reset_index(drop=True)
    start = pd.Series(dates[out["_i"].to_numpy()], dtype="datetime64[us, UTC]")
    out["valid_from"] = start.where(out["_i"] > 0)
    ends = [dates[i + 1] if i + 1 < len(dates) else pd.NaT for i in last_i]
    out["valid_to"] = pd.Series(ends, dtype="datetime64[us, UTC]")
    return out.drop(columns="_i")


@validate_params({"on_bad_lines": [ON_BAD_LINES], "dayfirst": [bool], "columns": [None, Mapping]})
def read_roster(
    path: str | Path,
    *,
    on_bad_lines: str = "warn",
    dayfirst: bool = False,
    columns: Mapping[str, str] | None = None,
) -> ReadResult:
    """Read an HR roster (CSV or XLSX) into an effective-dated People table.

    Parameters
    ----------
    path : str or Path
        The roster: CSV (``,``/``;``/tab, UTF-8 with or without BOM, or cp1252; ``.gz`` too)
        or XLSX (first sheet; needs the ``xlsx`` extra, openpyxl).
    on_bad_lines : {'error', 'warn', 'skip'}
        What to do with a row that cannot be read (it is counted as rejected either way).
    dayfirst : bool, default False
        Read ambiguous dates such as ``03/04/2026`` as 3 April.
    columns : mapping, optional
        Header name -> canonical column (``person_id``, ``email``, ``team``, ``valid_from``,
        ``snapshot_date``...) for headers not recognised automatically (see
        :data:`HEADER_ALIASES`).

    Returns
    -------
    ReadResult
        ``people`` is the canonical People table (one row per person and validity period; other
        columns kept after the canonical ones); ``interactions`` is empty; the report accounts for
        every row.

    See Also
    --------
    ona.identity.attributes_at : the attributes in force at a date.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "roster.csv"
    >>> _ = p.write_text(
    ...     "EmployeeID;Email;Team;Effective Date\\n"
    ...     "E1;ann@corp.com;Sales;2025-01-01\\n"
    ...     "E1;ann@corp.com;Product;2025-07-01\\n"
    ...     "E2;bo@corp.com;Sales;2025-01-01\\n")
    >>> people = read_roster(p).people
    >>> people["until"] = people["valid_to"].dt.strftime("%Y-%m-%d").fillna("open")
    >>> people[["person_id", "team", "until"]].values.tolist()
    [['E1', 'Sales', '2025-07-01'], ['E1', 'Product', 'open'], ['E2', 'Sales', 'open']]
    """
    return RosterReader(path, on_bad_lines=on_bad_lines, dayfirst=dayfirst, columns=columns).read()
