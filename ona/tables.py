"""The canonical tables: the single definition of ona's data formats.

Every importer produces an **Interactions** table (one row per directed person-to-person
interaction) and optionally a **People** roster and an **Affiliations** table (person–group
memberships such as chat channels or code owners); outcomes come in an **Outcomes** table.
``validate_*`` coerce a frame to the canonical dtypes and raise one :class:`~ona.TableError`
that lists every bad column and row (by position, never by value: values may be personal data).

Interactions columns
--------------------
event_id : str
    Stable id derived from the record's identity (system, native id, relation, target), so that
    importing the same record again is recognised as a duplicate. See :func:`make_event_id`.
timestamp : datetime64[us, UTC]
    When it happened, timezone-aware UTC.
source, target : str
    Who acted and towards whom (raw handles until identity resolution, then person ids or
    pseudonyms). Self-interactions are not allowed.
channel : str
    One of :data:`CHANNELS`.
kind : str
    The relation, one of :data:`KINDS` (e.g. ``to``, ``reply``, ``mention``, ``coedit``); on
    ``channel="survey"`` the layer name of a survey question (a lower-case slug such as
    ``advice`` or ``energy``, :data:`SURVEY_KIND`).
weight : float
    Non-negative; 1 unless the source carries a strength (meeting hours, Viva tie scores, 1/(n-1)
    for group messages). Survey ratings may be signed (an energy question on a -2..+2 scale).
thread_id, container : str or missing
    The conversation, and where it happened (mail folder, chat channel, repository, pull request).
origin : str
    The source file or system.
record_id : str
    The input record this row came from (one e-mail gives one row per recipient).
n_recipients : Int32 or missing
    How many targets the record had, so broadcasts can be dropped or down-weighted later.
time_quality : str
    How good the timestamp is, one of :data:`TIME_QUALITIES`.
automated, mass : bool
    Bounces, auto-replies, bots' output; mailing-list or large-broadcast messages.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ona.exceptions import TableError

__all__ = [
    "AFFILIATION_COLUMNS",
    "CHANNELS",
    "INTERACTION_COLUMNS",
    "KINDS",
    "OUTCOME_KEY_COLUMNS",
    "PEOPLE_COLUMNS",
    "SURVEY_KIND",
    "TIME_QUALITIES",
    "empty_affiliations",
    "empty_interactions",
    "empty_people",
    "make_event_id",
    "validate_affiliations",
    "validate_interactions",
    "validate_outcomes",
    "validate_people",
]

CHANNELS = ("email", "chat", "code", "meeting", "collab", "survey", "other")

# A survey layer's kind: the question's short name (see ona.importers.survey).
SURVEY_KIND = re.compile(r"^[a-z][a-z0-9_]{0,47}$")

KINDS = (
    # e-mail
    "to", "cc", "bcc", "reply",
    # chat
    "mention", "reaction", "thread", "dm", "group_dm",
    # code
    "coauthor", "coedit", "cochange", "review", "review_comment", "review_request",
    # calendars
    "meeting",
    # pre-aggregated collaboration (Viva Insights person-to-person)
    "collab",
    # generic CSV without a relation
    "other",
)  # fmt: skip

TIME_QUALITIES = ("exact", "no_timezone", "received_header", "from_line", "date_only", "inferred")

DATETIME = "datetime64[us, UTC]"
STRING = "string"

INTERACTION_COLUMNS: dict[str, str] = {
    "event_id": STRING,
    "timestamp": DATETIME,
    "source": STRING,
    "target": STRING,
    "channel": STRING,
    "kind": STRING,
    "weight": "float64",
    "thread_id": STRING,
    "container": STRING,
    "origin": STRING,
    "record_id": STRING,
    "n_recipients": "Int32",
    "time_quality": STRING,
    "automated": "bool",
    "mass": "bool",
}
_INTERACTION_REQUIRED = ("event_id", "timestamp", "source", "target", "channel", "kind", "origin")
_INTERACTION_DEFAULTS = {"weight": 1.0, "time_quality": "exact", "automated": False, "mass": False}

PEOPLE_COLUMNS: dict[str, str] = {
    "person_id": STRING,
    "name": STRING,
    "email": STRING,
    "aliases": STRING,  # ';'-separated other handles of the same person
    "team": STRING,
    "department": STRING,
    "manager_id": STRING,
    "location": STRING,
    "level": STRING,
    "start_date": DATETIME,  # employment start and end
    "end_date": DATETIME,
    "valid_from": DATETIME,  # effective dating: this row's attributes are in force from..to
    "valid_to": DATETIME,
}

AFFILIATION_COLUMNS: dict[str, str] = {
    "person": STRING,
    "group": STRING,
    "group_type": STRING,  # chat_channel, code_owner, mailing_list, ...
    "origin": STRING,
}

OUTCOME_KEY_COLUMNS: dict[str, str] = {"unit": STRING, "unit_type": STRING, "period": STRING}


def make_event_id(system: str, record_key: str, kind: str, source: str, target: str) -> str:
    """Return a stable 24-character id for one interaction.

    Examples
    --------
    >>> make_event_id("email", "<a@b>", "to", "x@y", "z@y") == make_event_id(
    ...     "email", "<a@b>", "to", "x@y", "z@y")
    True
    >>> len(make_event_id("email", "<a@b>", "to", "x@y", "z@y"))
    24
    """
    text = "\x1f".join((system, record_key, kind, source, target))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def _empty(columns: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})


def empty_interactions() -> pd.DataFrame:
    """An Interactions table with no rows and the canonical dtypes."""
    return _empty(INTERACTION_COLUMNS)


def empty_people() -> pd.DataFrame:
    """A People table with no rows and the canonical dtypes."""
    return _empty(PEOPLE_COLUMNS)


def empty_affiliations() -> pd.DataFrame:
    """An Affiliations table with no rows and the canonical dtypes."""
    return _empty(AFFILIATION_COLUMNS)


def _rows(mask: np.ndarray, limit: int = 5) -> str:
    idx = np.flatnonzero(mask)
    shown = ", ".join(str(i) for i in idx[:limit])
    more = f" and {len(idx) - limit} more" if len(idx) > limit else ""
    return f"{len(idx)} row(s) (rows {shown}{more})"


def _coerce(df: pd.DataFrame, name: str, dtype: str, problems: list[str]) -> pd.Series | None:
    col = df[name]
    try:
        if dtype == DATETIME:
            if isinstance(col.dtype, pd.DatetimeTZDtype):
                out = col.dt.tz_convert("UTC")
            elif pd.api.types.is_datetime64_dtype(col.dtype):
                problems.append(f"column {name!r} has no timezone; localise it to UTC first")
                return None
            else:
                out = pd.to_datetime(col, utc=True, errors="coerce", format="mixed")
                bad = out.isna().to_numpy() & col.notna().to_numpy()
                if bad.any():
                    problems.append(f"column {name!r}: {_rows(bad)} are not dates")
            return out.astype(DATETIME)
        if dtype == "bool":
            if col.isna().any():
                problems.append(f"column {name!r}: {_rows(col.isna().to_numpy())} are missing")
                return None
            if col.dtype != bool and not set(pd.unique(col)) <= {True, False}:  # 0 and 1 compare equal to these
                problems.append(f"column {name!r} must hold True/False")
                return None
            return col.astype(bool)
        if dtype in ("float64", "Int32"):
            out = pd.to_numeric(col, errors="coerce")
            bad = out.isna().to_numpy() & col.notna().to_numpy()
            if bad.any():
                problems.append(f"column {name!r}: {_rows(bad)} are not numbers")
            return out.astype(dtype) if dtype == "float64" else out.round().astype("Int32")
        return col.astype(STRING)
    except (TypeError, ValueError, OverflowError) as exc:
        problems.append(f"column {name!r} cannot be read as {dtype} ({type(exc).__name__})")
        return None


def _validate(
    df: pd.DataFrame,
    table: str,
    columns: dict[str, str],
    required: Iterable[str],
    defaults: dict[str, object] | None = None,
    keep_extra: bool = False,
) -> tuple[pd.DataFrame, list[str]]:
    if not isinstance(df, pd.DataFrame):
        raise TableError(table, [f"expected a pandas DataFrame, got {type(df).__name__}"])
    problems: list[str] = []
    df = df.reset_index(drop=True)
    missing = [c for c in required if c not in df.columns]
    if missing:
        problems.append(f"required column(s) missing: {', '.join(missing)}")
    out: dict[str, pd.Series] = {}
    for name, dtype in columns.items():
        if name in df.columns:
            column = df[name]
            if defaults and name in defaults and column.isna().any():
                df = df.assign(**{name: column.astype(object).where(column.notna(), defaults[name])})
            series = _coerce(df, name, dtype, problems)
            if series is not None:
                out[name] = series
        elif name not in missing:
            fill = (defaults or {}).get(name, pd.NA)
            out[name] = pd.Series([fill] * len(df), dtype=dtype if fill is not pd.NA else dtype)
    for name in required:
        if name in out and out[name].isna().any():
            problems.append(f"column {name!r}: {_rows(out[name].isna().to_numpy())} are missing")
    extra = [c for c in df.columns if c not in columns]
    result = pd.DataFrame(out, index=df.index)
    if keep_extra:
        for c in extra:
            result[c] = df[c]
    return result, problems


def validate_interactions(df: pd.DataFrame) -> pd.DataFrame:
    """Check an Interactions table and return it with canonical column order and dtypes.

    Missing optional columns are added with their defaults (``weight`` 1, flags False).

    Parameters
    ----------
    df : DataFrame
        At least the required columns ``event_id``, ``timestamp``, ``source``, ``target``,
        ``channel``, ``kind`` and ``origin``.

    Returns
    -------
    DataFrame
        The canonical Interactions table (columns of :data:`INTERACTION_COLUMNS`, in order).

    Raises
    ------
    TableError
        Listing every missing column, unparseable value, unknown channel or kind, negative
        weight and self-interaction, each with the rows it affects.

    Examples
    --------
    >>> import pandas as pd
    >>> t = validate_interactions(pd.DataFrame({
    ...     "event_id": ["e1"], "timestamp": ["2026-01-05T09:00:00Z"], "source": ["a"],
    ...     "target": ["b"], "channel": ["email"], "kind": ["to"], "origin": ["x.mbox"]}))
    >>> t.loc[0, "weight"], str(t["timestamp"].dtype)
    (np.float64(1.0), 'datetime64[us, UTC]')
    """
    out, problems = _validate(
        df, "Interactions", INTERACTION_COLUMNS, _INTERACTION_REQUIRED, _INTERACTION_DEFAULTS
    )
    if "channel" in out:
        bad = ~out["channel"].isin(CHANNELS).to_numpy(dtype=bool) & out["channel"].notna().to_numpy()
        if bad.any():
            problems.append(f"column 'channel': {_rows(bad)} not one of {', '.join(CHANNELS)}")
    survey = np.zeros(len(out), dtype=bool)
    if "channel" in out:
        survey = (out["channel"] == "survey").fillna(False).to_numpy(dtype=bool)
    if "kind" in out:
        bad = ~out["kind"].isin(KINDS).to_numpy(dtype=bool) & out["kind"].notna().to_numpy()
        if survey.any():
            layer = out["kind"].map(lambda k: isinstance(k, str) and bool(SURVEY_KIND.match(k)))
            bad &= ~(survey & layer.to_numpy(dtype=bool))
        if bad.any():
            problems.append(f"column 'kind': {_rows(bad)} not a known kind (see ona.tables.KINDS)")
    if "time_quality" in out:
        tq = out["time_quality"]
        bad = ~tq.isin(TIME_QUALITIES).to_numpy(dtype=bool) & tq.notna().to_numpy()
        if bad.any():
            problems.append(f"column 'time_quality': {_rows(bad)} not one of {TIME_QUALITIES}")
    if "weight" in out:
        w = out["weight"].to_numpy()
        bad = ~np.isfinite(w) | ((w < 0) & ~survey)  # survey ratings may be signed
        if bad.any():
            problems.append(f"column 'weight': {_rows(bad)} negative, missing or infinite")
    if "n_recipients" in out:
        n = out["n_recipients"]
        bad = (n.notna() & (n < 1)).to_numpy(dtype=bool)
        if bad.any():
            problems.append(f"column 'n_recipients': {_rows(bad)} below 1")
    if "source" in out and "target" in out:
        bad = (out["source"] == out["target"]).fillna(False).to_numpy(dtype=bool)
        if bad.any():
            problems.append(f"{_rows(bad)} are self-interactions (source equals target)")
    if problems:
        raise TableError("Interactions", problems)
    return out


def validate_people(df: pd.DataFrame) -> pd.DataFrame:
    """Check a People table; extra attribute columns are kept after the canonical ones.

    ``person_id`` may repeat only with non-overlapping ``valid_from``/``valid_to`` periods
    (effective-dated attributes: people move teams).

    Parameters
    ----------
    df : DataFrame
        At least ``person_id``; any columns of :data:`PEOPLE_COLUMNS` and extra attributes.

    Returns
    -------
    DataFrame
        The canonical People table.

    Raises
    ------
    TableError
        Listing every problem with the rows it affects.

    Examples
    --------
    >>> import pandas as pd
    >>> validate_people(pd.DataFrame({"person_id": ["p1"], "team": ["T1"], "grade": [3]})).columns[-1]
    'grade'
    """
    out, problems = _validate(df, "People", PEOPLE_COLUMNS, ("person_id",), keep_extra=True)
    if "person_id" in out and not problems:
        # Rows of one person, earliest first (an open start sorts first); each must start
        # after the previous one ended.
        ordered = out.sort_values(["person_id", "valid_from"], na_position="first")
        same = ordered["person_id"].eq(ordered["person_id"].shift())
        prev_end = ordered["valid_to"].shift()
        start = ordered["valid_from"]
        overlap = (same & (prev_end.isna() | start.isna() | (start < prev_end))).fillna(False)
        if overlap.any():
            rows = np.zeros(len(out), dtype=bool)
            rows[ordered.index[overlap.to_numpy(dtype=bool)]] = True
            problems.append(f"column 'person_id': {_rows(rows)} repeat a person with overlapping validity")
    if problems:
        raise TableError("People", problems)
    return out


def validate_affiliations(df: pd.DataFrame) -> pd.DataFrame:
    """Check an Affiliations table (person, group, group_type, origin).

    Parameters
    ----------
    df : DataFrame
        The columns of :data:`AFFILIATION_COLUMNS`.

    Returns
    -------
    DataFrame
        The canonical Affiliations table, without repeated rows.

    Examples
    --------
    >>> import pandas as pd
    >>> len(validate_affiliations(pd.DataFrame({"person": ["a", "a"], "group": ["#dev"] * 2,
    ...     "group_type": ["chat_channel"] * 2, "origin": ["slack.zip"] * 2})))
    1
    """
    out, problems = _validate(df, "Affiliations", AFFILIATION_COLUMNS, tuple(AFFILIATION_COLUMNS))
    if problems:
        raise TableError("Affiliations", problems)
    return out.drop_duplicates(ignore_index=True)


def validate_outcomes(df: pd.DataFrame) -> pd.DataFrame:
    """Check an Outcomes table: ``unit``, ``unit_type`` (team or person), ``period``, metrics.

    Every other column is a numeric metric (delivery, quality, engagement, attrition, ...).
    ``period`` is kept as text (``2026``, ``2026-Q1``, ``2026-03``); a (unit, period) pair must
    be unique.

    Parameters
    ----------
    df : DataFrame
        ``unit``, ``period``, optional ``unit_type`` (default ``team``) and metric columns.

    Returns
    -------
    DataFrame
        The canonical Outcomes table with float metrics.

    Raises
    ------
    TableError
        Listing every problem with the rows it affects.

    Examples
    --------
    >>> import pandas as pd
    >>> validate_outcomes(pd.DataFrame({"unit": ["T1"], "unit_type": ["team"],
    ...     "period": ["2026-Q1"], "delivery": [0.8]})).dtypes["delivery"]
    dtype('float64')
    """
    if isinstance(df, pd.DataFrame) and "unit_type" not in df.columns:
        df = df.assign(unit_type="team")
    out, problems = _validate(df, "Outcomes", OUTCOME_KEY_COLUMNS, tuple(OUTCOME_KEY_COLUMNS))
    metrics = [c for c in df.columns if c not in OUTCOME_KEY_COLUMNS]
    if not metrics:
        problems.append("no metric columns (e.g. delivery, quality, engagement)")
    for name in metrics:
        values = pd.to_numeric(df[name], errors="coerce")
        bad = values.isna().to_numpy() & df[name].notna().to_numpy()
        if bad.any():
            problems.append(f"column {name!r}: {_rows(bad)} are not numbers")
        out[name] = values.astype("float64")
    if "unit_type" in out:
        bad = ~out["unit_type"].isin(["team", "person"]).to_numpy(dtype=bool)
        if bad.any():
            problems.append(f"column 'unit_type': {_rows(bad)} not 'team' or 'person'")
    if not problems:
        dup = out.duplicated(["unit", "period"], keep=False).to_numpy()
        if dup.any():
            problems.append(f"{_rows(dup)} repeat the same unit and period")
    if problems:
        raise TableError("Outcomes", problems)
    return out
