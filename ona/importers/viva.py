"""Microsoft Viva Insights network queries: person-to-person (P2P) and group-to-group (G2G).

**Person-to-person.** Each row is a pre-aggregated tie: ``PrimaryCollaborator_PersonId`` →
``SecondaryCollaborator_PersonId`` at ``MetricDate``, with ``Strong_tie_score``/``_type`` and
``Diverse_tie_score``/``_type``, and HR columns ``PrimaryCollaborator_<Attr>`` and
``SecondaryCollaborator_<Attr>``. The legacy names (``TieOrigin_``/``TieDestination_``,
``StrongTieScore``…) and column names with spaces are read too. Each row becomes one interaction
of channel and kind ``collab`` whose weight is the chosen tie score; its timestamp is the
``MetricDate`` (``time_quality="date_only"``) and its container names the snapshot, so several
snapshots stay apart: they are never stacked silently (the reader warns, and ``snapshot=``
keeps just one). HR attributes go to the person whose columns they are in (Primary attributes
to the Primary person, Secondary to the Secondary): Microsoft's ``vivainsights`` package assigns
them by position and so attaches them to the wrong nodes. All scores and types are kept in
``extras["ties"]``.

**Group-to-group.** :func:`read_viva_g2g` gives no interactions; ``extras["group_matrix"]`` is
the group × group matrix of one metric per ``MetricDate`` (``Within Group`` on the diagonal),
with groups under the minimum group size suppressed (see :mod:`ona.privacy`).

``MetricDate`` comes as ``YYYY-MM-DD`` or as ``dd/mm/yyyy`` or ``mm/dd/yyyy`` depending on the
locale of the export. The order is taken from the data when a field exceeds 12, else from the
query's rhythm (monthly snapshots are the first of a month, weekly ones share a weekday), else
month first; the report notes which; ``date_format=`` overrides it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from ona._validation import Interval, Options, validate_params
from ona.exceptions import BadInputError
from ona.importers._base import ON_BAD_LINES, Reader, ReadResult, Record, Rejected
from ona.importers._io import open_binary
from ona.privacy import MIN_GROUP_SIZE, suppress_small_groups
from ona.tables import validate_people

__all__ = [
    "OVERLOAD_METRICS",
    "VivaG2GReader",
    "VivaP2PReader",
    "VivaPersonReader",
    "VivaSnapshotsWarning",
    "VivaUndatedWarning",
    "read_viva_g2g",
    "read_viva_p2p",
    "read_viva_person",
]

log = logging.getLogger("ona.importers.viva")

PRIMARY, SECONDARY = "PrimaryCollaborator_", "SecondaryCollaborator_"
_PREFIXES = {
    "tieorigin_": PRIMARY, "tiedestination_": SECONDARY,
    "timeinvestors_": PRIMARY, "timeinvestor_": PRIMARY,
    "collaborators_": SECONDARY, "collaborator_": SECONDARY,
    "primarycollaborator_": PRIMARY, "secondarycollaborator_": SECONDARY,
}  # fmt: skip
_SCORES = {
    "strongtiescore": "Strong_tie_score", "strong_tie_score": "Strong_tie_score",
    "strongtietype": "Strong_tie_type", "strong_tie_type": "Strong_tie_type",
    "diversetiescore": "Diverse_tie_score", "diverse_tie_score": "Diverse_tie_score",
    "diversetietype": "Diverse_tie_type", "diverse_tie_type": "Diverse_tie_type",
    "metricdate": "MetricDate", "date": "MetricDate",
}  # fmt: skip
WEIGHTS = {"strong": "Strong_tie_score", "diverse": "Diverse_tie_score"}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_SLASH = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s.*)?$")


class VivaSnapshotsWarning(UserWarning):
    """A Viva Insights query holds several MetricDate snapshots; they are kept apart."""


class VivaUndatedWarning(UserWarning):
    """A Viva Insights query has no MetricDate: its rows were given a date that is stated."""


def canonical_column(name: str) -> str:
    """Viva column name → the current query's spelling (legacy prefixes and scores mapped).

    Examples
    --------
    >>> canonical_column("TieOrigin_PersonId"), canonical_column("StrongTieScore")
    ('PrimaryCollaborator_PersonId', 'Strong_tie_score')
    """
    clean = re.sub(r"[^A-Za-z0-9]", "_", name.strip())
    low = clean.lower()
    if low in _SCORES:
        return _SCORES[low]
    for prefix, canonical in _PREFIXES.items():
        if low.startswith(prefix):
            return canonical + clean[len(prefix):]
    return clean


def parse_metric_dates(
    values: Iterable[str], date_format: str | None = None
) -> tuple[dict[str, dt.datetime | None], str]:
    """Parse the distinct MetricDate strings; return {text: UTC date or None} and how.

    Examples
    --------
    >>> dates, how = parse_metric_dates(["01/04/2023", "01/05/2023"])
    >>> str(dates["01/05/2023"].date()), how
    ('2023-05-01', 'day/month/year (every date is the first of a month)')
    """
    texts = sorted({v.strip() for v in values if v and v.strip()})
    out: dict[str, dt.datetime | None] = {}
    if date_format:
        for t in texts:
            try:
                out[t] = dt.datetime.strptime(t, date_format).replace(tzinfo=dt.UTC)
            except ValueError:
                out[t] = None
        return out, f"format {date_format!r}"
    slash = {t: m.groups() for t in texts if (m := _SLASH.match(t))}
    for t in texts:
        if (m := _ISO.match(t)) is not None:
            out[t] = _date(int(m[1]), int(m[2]), int(m[3]))
    how = "year-month-day"
    if slash:
        firsts = [int(a) for a, _, _ in slash.values()]
        seconds = [int(b) for _, b, _ in slash.values()]

        def read(dayfirst: bool) -> dict[str, dt.datetime | None]:
            return {t: _date(int(y), int(b), int(a)) if dayfirst else _date(int(y), int(a), int(b))
                    for t, (a, b, y) in slash.items()}

        day_first, month_first = read(True), read(False)
        if max(firsts) > 12:
            chosen, how = day_first, "day/month/year (a day above 12 comes first)"
        elif max(seconds) > 12:
            chosen, how = month_first, "month/day/year (a day above 12 comes second)"
        elif _rhythm(day_first) == "monthly" and _rhythm(month_first) != "monthly":
            chosen, how = day_first, "day/month/year (every date is the first of a month)"
        elif _rhythm(month_first) == "monthly" and _rhythm(day_first) != "monthly":
            chosen, how = month_first, "month/day/year (every date is the first of a month)"
        elif _rhythm(day_first) == "weekly" and _rhythm(month_first) != "weekly":
            chosen, how = day_first, "day/month/year (weekly dates share a weekday)"
        else:
            chosen, how = month_first, "month/day/year (ambiguous; pass date_format to change)"
        out.update(chosen)
    for t in texts:
        out.setdefault(t, None)
    return out, how


def _date(y: int, m: int, d: int) -> dt.datetime | None:
    try:
        return dt.datetime(y, m, d, tzinfo=dt.UTC)
    except ValueError:
        return None


def _rhythm(dates: dict[str, dt.datetime | None]) -> str | None:
    days = [d for d in dates.values() if d is not None]
    if not days or len(days) < len(dates):
        return None
    if all(d.day == 1 for d in days):
        return "monthly"
    if len(days) > 1 and len({d.weekday() for d in days}) == 1:
        return "weekly"
    return None


def _day(value: Any) -> dt.datetime:
    """A date given by the user, as midnight UTC."""
    stamp = pd.Timestamp(value)
    return dt.datetime(stamp.year, stamp.month, stamp.day, tzinfo=dt.UTC)


def _file_day(path: Path) -> dt.datetime:
    return _day(dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC))


def _number(text: str | None) -> float:
    try:
        return float(text) if text is not None else float("nan")
    except ValueError:
        return float("nan")


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Stream (line, row) with canonical column names."""
    with open_binary(path) as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        reader = csv.reader(text)
        try:
            names = [canonical_column(c) for c in next(reader, [])]
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                yield reader.line_num, dict(zip(names, row, strict=False))
        except (csv.Error, UnicodeDecodeError) as exc:
            raise BadInputError(str(path), f"line {reader.line_num}", f"malformed CSV ({type(exc).__name__})") from None


def _header(path: Path) -> list[str]:
    try:
        with open_binary(path) as fh:
            first = fh.read(4096).decode("utf-8-sig", "replace").splitlines()
    except (OSError, BadInputError, EOFError):
        return []
    return [canonical_column(c) for c in next(csv.reader(first[:1]), [])]


def _is_p2p(cols: list[str]) -> bool:
    return f"{PRIMARY}PersonId" in cols and f"{SECONDARY}PersonId" in cols


class VivaP2PReader(Reader):
    """Reader of a Viva Insights person-to-person query CSV (see the module docstring)."""

    format = "viva_p2p"
    channel = "collab"
    version = "2"  # 2: files without MetricDate accepted (date= or the file's day)

    def __init__(
        self,
        path: str | Path,
        *,
        on_bad_lines: str = "warn",
        weight: str = "strong",
        snapshot: str | None = None,
        date_format: str | None = None,
        date: Any = None,
    ):
        super().__init__(path, on_bad_lines=on_bad_lines)
        self.weight, self.snapshot, self.date_format = weight, snapshot, date_format
        self.date = None if date is None else _day(date)
        self._ties: list[dict[str, Any]] = []
        self._attr_date: dict[str, dt.datetime] = {}
        self._snapshots: Counter = Counter()

    @classmethod
    def detect(cls, path: Path) -> bool:
        path = Path(path)
        return path.is_file() and ".csv" in path.name.lower() and _is_p2p(_header(path))

    def records(self) -> Iterator[Record | Rejected]:
        cols = _header(self.path)
        if not _is_p2p(cols):
            raise BadInputError(str(self.path), "line 1", "no PrimaryCollaborator_PersonId and SecondaryCollaborator_PersonId columns")
        undated = "MetricDate" not in cols
        score_col = WEIGHTS.get(self.weight, self.weight) if self.weight != "none" else None
        if score_col is not None and score_col not in cols:
            raise BadInputError(str(self.path), "line 1", f"no {score_col} column for weight={self.weight!r}")
        if undated:
            # Microsoft's vivainsights package simulates person-to-person files without a
            # MetricDate: one snapshot, dated by date= or else by the file's modification day
            when = self.date or _file_day(self.path)
            dates = {"": when}
            how = "date= option" if self.date else "the file's modification date"
            self.note(f"no MetricDate column: every tie dated {when.date().isoformat()} ({how})")
            if self.date is None:
                message = (f"{self.path.name}: no MetricDate column; the ties are dated "
                           f"{when.date().isoformat()}, the file's modification date (pass "
                           "date= to set the date they describe)")
                warnings.warn(message, VivaUndatedWarning, stacklevel=4)
                log.warning(message)
        else:
            dates, how = parse_metric_dates(
                (row.get("MetricDate", "") for _, row in _rows(self.path)), self.date_format
            )
            self.note(f"MetricDate read as {how}")
        keep = self._selected(dates)
        attrs = [c for c in cols if c.startswith((PRIMARY, SECONDARY)) and not c.endswith("_PersonId")]
        scores = [c for c in cols if c.endswith(("_tie_score", "_tie_type"))]
        for line, row in _rows(self.path):
            loc = f"line {line}"
            src = row.get(f"{PRIMARY}PersonId", "").strip()
            dst = row.get(f"{SECONDARY}PersonId", "").strip()
            when = dates.get(row.get("MetricDate", "").strip())
            if not src or not dst:
                yield Rejected(loc, "missing person id")
                continue
            if when is None:
                yield Rejected(loc, "missing or bad MetricDate")
                continue
            if keep is not None and when != keep:
                yield Rejected(loc, "other snapshot", excluded=True)
                continue
            if score_col is None:
                w = 1.0
            else:
                try:
                    w = float(row.get(score_col, ""))
                except ValueError:
                    yield Rejected(loc, "bad tie score")
                    continue
                if not w >= 0 or w == float("inf"):
                    yield Rejected(loc, "bad tie score")
                    continue
            day = when.date().isoformat()
            self._snapshots[day] += 1
            self._attributes(src, dst, row, attrs, when)
            tie = {"source": src, "target": dst, "metric_date": when}
            for c in scores:
                tie[c] = _number(row.get(c))
            self._ties.append(tie)
            event = {"timestamp": when, "source": src, "target": dst, "kind": "collab",
                     "channel": "collab", "weight": w, "time_quality": "date_only",
                     "container": f"snapshot {day}", "n_recipients": 1}
            yield Record(f"{src}|{dst}|{day}", loc, [event])
        if len(self._snapshots) > 1 and keep is None:
            message = (
                f"{self.path.name}: {len(self._snapshots)} MetricDate snapshots kept apart "
                "(timestamp = MetricDate); build one graph per snapshot (build_graph start/end, "
                "or snapshot=) rather than stacking them"
            )
            self.note("several MetricDate snapshots kept apart")
            warnings.warn(message, VivaSnapshotsWarning, stacklevel=4)
            log.warning(message)

    def _selected(self, dates: dict[str, dt.datetime | None]) -> dt.datetime | None:
        if self.snapshot is None:
            return None
        known = sorted({d for d in dates.values() if d is not None})
        if self.snapshot == "latest":
            return known[-1] if known else None
        wanted = pd.Timestamp(self.snapshot).date()
        for d in known:
            if d.date() == wanted:
                return d
        raise BadInputError(str(self.path), None, f"no MetricDate snapshot {wanted.isoformat()}")

    def _attributes(self, src: str, dst: str, row: dict[str, str], attrs: list[str], when: dt.datetime) -> None:
        # Each side's columns describe that side's person: the whole point of this importer.
        for person, prefix in ((src, PRIMARY), (dst, SECONDARY)):
            values = {c[len(prefix):]: row[c].strip() for c in attrs
                      if c.startswith(prefix) and row.get(c, "").strip()}
            if not values:
                continue
            seen = self._attr_date.get(person)
            if seen is not None and when < seen:
                continue  # the latest snapshot's attributes win
            if seen == when:
                old = self._people.get(person, {})
                if any(old.get(k) not in (None, v) for k, v in values.items()):
                    self.note("people with different attributes in one snapshot (last row kept)")
            self._attr_date[person] = when
            self.add_person(person, **values)

    def extras(self) -> dict[str, pd.DataFrame]:
        ties = pd.DataFrame(self._ties)
        if ties.empty:
            ties = pd.DataFrame(columns=["source", "target", "metric_date"])
        snapshots = pd.DataFrame(sorted(self._snapshots.items()), columns=["metric_date", "ties"])
        return {"ties": ties, "snapshots": snapshots}


#: The person-query metrics that measure overload (hours per person and week).
OVERLOAD_METRICS = ("Collaboration_hours", "After_hours_collaboration_hours", "Meeting_hours")
# Person-query columns that are HR attributes even when their values look like numbers.
_HR_COLUMNS = {
    "organization", "functiontype", "leveldesignation", "supervisorindicator", "region", "layer",
    "hiredate", "isactive", "timezone", "domain", "country", "city", "office", "managerid",
    "personid_manager", "fte", "location",
}  # fmt: skip
_HR_RENAMES = {"organization": "department", "leveldesignation": "level"}


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class VivaPersonReader(Reader):
    """Reader of a Viva Insights person query CSV (see :func:`read_viva_person`)."""

    format = "viva_person"
    channel = "collab"
    version = "1"
    #: extras a workspace stores: name -> (key columns, columns holding identities)
    stored_extras = {"person_week": (("person_id", "metric_date"), ("person_id",))}

    def __init__(
        self, path: str | Path, *, on_bad_lines: str = "warn", date_format: str | None = None
    ):
        super().__init__(path, on_bad_lines=on_bad_lines)
        self.date_format = date_format
        self._snapshots: list[dict[str, Any]] = []
        self._metrics: list[dict[str, Any]] = []
        self._metric_columns: list[str] = []
        self._signatures: dict[str, tuple[str, ...]] = {}

    @classmethod
    def detect(cls, path: Path) -> bool:
        path = Path(path)
        if not (path.is_file() and ".csv" in path.name.lower()):
            return False
        cols = _header(path)
        return "PersonId" in cols and "MetricDate" in cols and not _is_p2p(cols)

    def records(self) -> Iterator[Record | Rejected]:
        cols = _header(self.path)
        if "PersonId" not in cols or "MetricDate" not in cols:
            raise BadInputError(str(self.path), "line 1", "no PersonId and MetricDate columns")
        texts: list[str] = []
        numeric = {c: True for c in cols if c not in ("PersonId", "MetricDate")}
        for _, row in _rows(self.path):
            texts.append(row.get("MetricDate", ""))
            for c in numeric:
                value = (row.get(c) or "").strip()
                if value and numeric[c] and not _is_number(value):
                    numeric[c] = False
        dates, how = parse_metric_dates(texts, self.date_format)
        self.note(f"MetricDate read as {how}")
        metrics = [c for c, ok in numeric.items() if ok and c.lower() not in _HR_COLUMNS]
        attributes = [c for c in numeric if c not in metrics]
        self._metric_columns = metrics
        for m in OVERLOAD_METRICS:
            if m not in metrics:
                self.note(f"overload input missing: {m}")
        renamed = {c: _HR_RENAMES.get(c.lower(), c) for c in attributes}
        for line, row in _rows(self.path):
            loc = f"line {line}"
            pid = (row.get("PersonId") or "").strip()
            when = dates.get((row.get("MetricDate") or "").strip())
            if not pid:
                yield Rejected(loc, "missing PersonId")
                continue
            if when is None:
                yield Rejected(loc, "missing or bad MetricDate")
                continue
            key = f"{pid}|{when.date().isoformat()}"
            signature = tuple((row.get(c) or "").strip() for c in cols)
            seen = self._signatures.get(key)
            if seen is not None:
                if seen != signature:
                    yield Rejected(loc, "conflicting rows for one person and week")
                else:
                    yield Record(key, loc, [])  # an identical row: counted as a duplicate
                continue
            self._signatures[key] = signature
            snapshot: dict[str, Any] = {"person_id": pid, "snapshot_date": when}
            for c in attributes:
                value = (row.get(c) or "").strip()
                snapshot[renamed[c]] = value or None
            self._snapshots.append(snapshot)
            weekly: dict[str, Any] = {"person_id": pid, "metric_date": when}
            for c in metrics:
                weekly[c] = _number((row.get(c) or "").strip() or None)
            self._metrics.append(weekly)
            yield Record(key, loc, [])

    def people(self) -> pd.DataFrame:
        from ona.importers.roster import periods_from_snapshots

        if not self._snapshots:
            return super().people()
        frame = pd.DataFrame(self._snapshots)
        frame["snapshot_date"] = pd.to_datetime(frame["snapshot_date"], utc=True)
        self.report.notes["snapshots"] = int(frame["snapshot_date"].nunique())
        return validate_people(periods_from_snapshots(frame))

    def extras(self) -> dict[str, pd.DataFrame]:
        weekly = pd.DataFrame(self._metrics, columns=["person_id", "metric_date",
                                                      *self._metric_columns])
        weekly["person_id"] = weekly["person_id"].astype("string")
        weekly["metric_date"] = pd.to_datetime(weekly["metric_date"], utc=True)
        weekly = weekly.astype({c: "float64" for c in self._metric_columns})
        return {"person_week": weekly.sort_values(["metric_date", "person_id"], ignore_index=True)}


class VivaG2GReader(Reader):
    """Reader of a Viva Insights group-to-group query CSV into ``extras["group_matrix"]``."""

    format = "viva_g2g"
    channel = "collab"
    version = "1"
    #: extras a workspace stores: name -> (key columns, columns holding identities)
    stored_extras = {"group_to_group": (("metric_date", "group", "other", "metric"), ())}

    def __init__(
        self,
        path: str | Path,
        *,
        on_bad_lines: str = "warn",
        metric: str | None = None,
        min_group_size: int = MIN_GROUP_SIZE,
        date_format: str | None = None,
    ):
        super().__init__(path, on_bad_lines=on_bad_lines)
        self.metric, self.min_group_size, self.date_format = metric, min_group_size, date_format
        self._rows: list[dict[str, Any]] = []

    @classmethod
    def detect(cls, path: Path) -> bool:
        path = Path(path)
        if not (path.is_file() and ".csv" in path.name.lower()):
            return False
        cols = _header(path)
        return f"{PRIMARY}GroupSize" in cols and f"{SECONDARY}GroupSize" in cols

    def records(self) -> Iterator[Record | Rejected]:
        cols = _header(self.path)
        groups = [c for c in cols if c.startswith(PRIMARY) and not c.endswith(("GroupSize", "PersonId"))]
        if not groups or f"{SECONDARY}{groups[0][len(PRIMARY):]}" not in cols or "MetricDate" not in cols:
            raise BadInputError(str(self.path), "line 1", "not a group-to-group query (group and MetricDate columns)")
        attr = groups[0][len(PRIMARY):]
        metrics = [c for c in cols if not c.startswith((PRIMARY, SECONDARY)) and c != "MetricDate"]
        metric = self.metric or next(
            (m for m in ("Group_collaboration_time_invested", "Collaboration_hours") if m in metrics),
            metrics[0] if metrics else None,
        )
        if metric is None or metric not in metrics:
            raise BadInputError(str(self.path), "line 1", f"no metric column {metric!r}")
        self._metric, self._attr = metric, attr
        dates, how = parse_metric_dates(
            (row.get("MetricDate", "") for _, row in _rows(self.path)), self.date_format
        )
        self.note(f"MetricDate read as {how}")
        for line, row in _rows(self.path):
            loc = f"line {line}"
            a, b = row.get(PRIMARY + attr, "").strip(), row.get(SECONDARY + attr, "").strip()
            when = dates.get(row.get("MetricDate", "").strip())
            try:
                size_a = int(float(row.get(PRIMARY + "GroupSize", "")))
                size_b = int(float(row.get(SECONDARY + "GroupSize", "")))
                value = float(row.get(metric, ""))
            except ValueError:
                yield Rejected(loc, "bad group size or metric")
                continue
            if not a or not b or when is None:
                yield Rejected(loc, "missing group or MetricDate")
                continue
            if b == "Within Group":
                b = a  # time spent inside one's own group: the diagonal
                self.note("'Within Group' rows put on the diagonal")
            self._rows.append({"metric_date": when.date().isoformat(), "group": a, "size": size_a,
                               "other": b, "other_size": size_b, "value": value})
            yield Record(f"{when.date()}|{a}|{b}", loc, [])

    def extras(self) -> dict[str, pd.DataFrame]:
        rows = pd.DataFrame(self._rows)
        if rows.empty:
            return {"group_matrix": pd.DataFrame(), "group_to_group": pd.DataFrame(
            columns=["metric_date", "group", "other", "value", "metric", "group_attribute"])}
        sizes = pd.concat([rows.set_index("group")["size"], rows.set_index("other")["other_size"]])
        sizes = sizes.groupby(level=0).max()
        blocks, notes = {}, []
        for date, part in rows.groupby("metric_date", sort=True):
            matrix = part.pivot_table(index="group", columns="other", values="value", aggfunc="sum")
            # Square over every group seen on either side (NaN: not measured, e.g. the row of
            # "Unclassified Collaborators", who are never the Primary side).
            every = sorted(set(matrix.index) | set(matrix.columns))
            matrix = matrix.reindex(index=every, columns=every)
            matrix = suppress_small_groups(matrix, sizes, min_size=self.min_group_size, axis="both")
            notes.append(matrix.attrs["privacy"])
            blocks[date] = matrix
        out = pd.concat(blocks, names=["metric_date", "group"])
        out.columns.name = "other"
        out.attrs["metric"] = self._metric
        out.attrs["group_attribute"] = self._attr
        out.attrs["privacy"] = "; ".join(sorted(set(notes)))
        # the same cells as a long table (what a workspace stores): suppressed cells left out
        long = out.stack().dropna().rename("value").reset_index()
        long = long.assign(metric=self._metric, group_attribute=self._attr)
        long = long.astype({"metric_date": "string", "group": "string", "other": "string",
                            "metric": "string", "group_attribute": "string", "value": "float64"})
        return {"group_matrix": out, "group_to_group": long}


@validate_params({
    "on_bad_lines": [ON_BAD_LINES],
    "weight": [Options({"strong", "diverse", "none"}), str],
    "snapshot": [None, str],
    "date_format": [None, str],
    "date": [None, str, dt.date, pd.Timestamp],
})  # fmt: skip
def read_viva_p2p(
    path: str | Path,
    *,
    on_bad_lines: str = "warn",
    weight: str = "strong",
    snapshot: str | None = None,
    date_format: str | None = None,
    date: str | dt.date | None = None,
) -> ReadResult:
    """Read a Viva Insights person-to-person query into ``collab`` interactions and people.

    Parameters
    ----------
    path : str or Path
        The query CSV (``.gz`` etc. are decompressed while streaming).
    on_bad_lines : {'warn', 'error', 'skip'}
        What to do with an unreadable row (it is counted either way).
    weight : {'strong', 'diverse', 'none'} or str, default 'strong'
        The tie score used as weight (``Strong_tie_score``, ``Diverse_tie_score``, 1 for every
        tie, or any numeric column by name).
    snapshot : str, optional
        Keep one MetricDate (``"2023-04-01"`` or ``"latest"``); the other rows are counted as
        excluded. By default every snapshot is kept, apart (timestamp and container), with a
        :class:`VivaSnapshotsWarning` when there are several.
    date_format : str, optional
        ``strptime`` format of MetricDate when the automatic reading is wrong.
    date : str or date, optional
        The date of a file without a ``MetricDate`` column (as Microsoft's ``vivainsights``
        package simulates them). Without it such a file is dated by its modification day, with
        a :class:`VivaSnapshotsWarning` and a note in the report saying so.

    Returns
    -------
    ReadResult
        Interactions (channel and kind ``collab``); People with the HR attributes of each
        person; ``extras["ties"]`` (every score and type) and ``extras["snapshots"]``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "p2p.csv"
    >>> _ = f.write_text("PrimaryCollaborator_PersonId,SecondaryCollaborator_PersonId,MetricDate,"
    ...                  "Strong_tie_score,PrimaryCollaborator_Organization,"
    ...                  "SecondaryCollaborator_Organization\\n"
    ...                  "p1,p2,2023-04-01,0.5,Sales,HR\\n")
    >>> r = read_viva_p2p(f)
    >>> r.interactions[["source", "target", "weight"]].values.tolist()
    [['p1', 'p2', 0.5]]
    >>> r.people.set_index("person_id")["Organization"].to_dict()
    {'p1': 'Sales', 'p2': 'HR'}
    """
    reader = VivaP2PReader(path, on_bad_lines=on_bad_lines, weight=weight, snapshot=snapshot,
                           date_format=date_format, date=date)
    return reader.read()


@validate_params({
    "on_bad_lines": [ON_BAD_LINES],
    "metric": [None, str],
    "min_group_size": [Interval(int, 1)],
    "date_format": [None, str],
})  # fmt: skip
def read_viva_g2g(
    path: str | Path,
    *,
    on_bad_lines: str = "warn",
    metric: str | None = None,
    min_group_size: int = MIN_GROUP_SIZE,
    date_format: str | None = None,
) -> ReadResult:
    """Read a Viva Insights group-to-group query into a group matrix.

    Parameters
    ----------
    path : str or Path
        The query CSV.
    on_bad_lines : {'warn', 'error', 'skip'}
        What to do with an unreadable row (it is counted either way).
    metric : str, optional
        The metric column in the matrix (default ``Group_collaboration_time_invested``, or
        ``Collaboration_hours`` in older queries).
    min_group_size : int, default 5
        Groups with fewer people are suppressed (rows and columns).
    date_format : str, optional
        ``strptime`` format of MetricDate when the automatic reading is wrong.

    Returns
    -------
    ReadResult
        No interactions; ``extras["group_matrix"]``: rows (``metric_date``, ``group``), columns
        the other group, values the metric; ``attrs`` name the metric and what was suppressed.
        ``extras["group_to_group"]`` holds the same cells as a long table (``metric_date``,
        ``group``, ``other``, ``value``, ``metric``, ``group_attribute``; suppressed cells left
        out), the form ``ona import`` stores.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "g2g.csv"
    >>> _ = f.write_text("PrimaryCollaborator_Organization,PrimaryCollaborator_GroupSize,"
    ...                  "SecondaryCollaborator_Organization,SecondaryCollaborator_GroupSize,"
    ...                  "MetricDate,Collaboration_hours\\n"
    ...                  "Sales,12,HR,8,2023-04-01,30\\nSales,12,Within Group,12,2023-04-01,90\\n")
    >>> read_viva_g2g(f).extras["group_matrix"].loc[("2023-04-01", "Sales")].to_dict()
    {'HR': 30.0, 'Sales': 90.0}
    """
    reader = VivaG2GReader(path, on_bad_lines=on_bad_lines, metric=metric,
                           min_group_size=min_group_size, date_format=date_format)
    return reader.read()


@validate_params({"on_bad_lines": [ON_BAD_LINES], "date_format": [None, str]})
def read_viva_person(
    path: str | Path, *, on_bad_lines: str = "warn", date_format: str | None = None
) -> ReadResult:
    """Read a Viva Insights person query (one row per person and week) into dated People and a
    person-week metrics table.

    The query's HR columns (``Organization``, ``FunctionType``, ``LevelDesignation``...) are
    weekly snapshots of each person's attributes: consecutive identical weeks become one
    validity period (``valid_from``/``valid_to``), so a move between organisations is kept
    with its date. ``Organization`` becomes ``department`` and ``LevelDesignation`` ``level``;
    other attributes keep their names. The numeric columns are weekly metrics, never person
    attributes: ``extras["person_week"]`` holds them per ``person_id`` and ``metric_date``,
    among them the inputs of overload (:data:`OVERLOAD_METRICS`: collaboration hours,
    after-hours collaboration hours, meeting hours; missing ones are noted in the report).

    Parameters
    ----------
    path : str or Path
        The query CSV.
    on_bad_lines : {'warn', 'error', 'skip'}
        What to do with an unreadable row (it is counted either way).
    date_format : str, optional
        ``strptime`` format of MetricDate when the automatic reading is wrong.

    Returns
    -------
    ReadResult
        No interactions; ``people`` with validity periods; ``extras["person_week"]``. One
        record per person and week: a repeated identical row is a duplicate, two different
        rows for one person and week are both read and the second is rejected.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "person_query.csv"
    >>> _ = f.write_text("PersonId,MetricDate,Collaboration_hours,Organization\\n"
    ...                  "p1,2024-01-07,20.5,Sales\\np1,2024-01-14,31,Sales\\n"
    ...                  "p1,2024-01-21,12,Finance\\n")
    >>> r = read_viva_person(f)
    >>> r.people[["person_id", "department"]].values.tolist()
    [['p1', 'Sales'], ['p1', 'Finance']]
    >>> r.extras["person_week"]["Collaboration_hours"].tolist()
    [20.5, 31.0, 12.0]
    """
    return VivaPersonReader(path, on_bad_lines=on_bad_lines, date_format=date_format).read()
