"""People attributes over time: who was in which team when.

A People table may hold several rows per person, each in force from ``valid_from`` (inclusive;
missing = since always) to ``valid_to`` (exclusive; missing = still). :func:`attributes_at` gives
everyone's attributes at one date; :func:`attach_attributes` gives each interaction the
attributes its two people had **at the interaction's time** (an as-of join), so that a message
sent before a re-organisation counts for the old teams.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ona._validation import validate_params
from ona.tables import validate_people

__all__ = ["DEFAULT_ATTRIBUTES", "attach_attributes", "attributes_at"]

DEFAULT_ATTRIBUTES = ("team", "department", "manager_id", "location", "level")
_TIMING = ("valid_from", "valid_to")


def _utc(value: object) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


@validate_params({"active_only": [bool]})
def attributes_at(people: pd.DataFrame, when: object, *, active_only: bool = False) -> pd.DataFrame:
    """Every person's attributes in force at ``when``, indexed by ``person_id``.

    Parameters
    ----------
    people : DataFrame
        A People table (:func:`ona.read_roster`), effective-dated or not.
    when : date, datetime or str
        The moment (naive times are read as UTC).
    active_only : bool, default False
        Also leave out people not employed at ``when`` (``start_date``/``end_date``).

    Returns
    -------
    DataFrame
        One row per person with a row in force at ``when`` (people with none are absent).

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"person_id": ["E1", "E1", "E2"],
    ...     "team": ["Sales", "Product", "Sales"],
    ...     "valid_from": [None, "2025-07-01", None], "valid_to": ["2025-07-01", None, None]})
    >>> attributes_at(people, "2025-03-01")["team"].to_dict()
    {'E1': 'Sales', 'E2': 'Sales'}
    >>> attributes_at(people, "2025-07-01")["team"].to_dict()
    {'E1': 'Product', 'E2': 'Sales'}
    """
    people = validate_people(people)
    t = _utc(when)
    mask = people["valid_from"].isna() | (people["valid_from"] <= t)
    mask &= people["valid_to"].isna() | (t < people["valid_to"])
    if active_only:
        mask &= people["start_date"].isna() | (people["start_date"] <= t)
        mask &= people["end_date"].isna() | (t < people["end_date"])
    out = people[mask.to_numpy(dtype=bool)]
    return out.drop_duplicates("person_id", keep="last").set_index("person_id")


@validate_params({"columns": [Iterable], "sides": [Iterable]})
def attach_attributes(
    interactions: pd.DataFrame,
    people: pd.DataFrame,
    *,
    columns: Iterable[str] = DEFAULT_ATTRIBUTES,
    sides: Iterable[str] = ("source", "target"),
) -> pd.DataFrame:
    """Add to each interaction the attributes of its people at the interaction's time.

    Parameters
    ----------
    interactions : DataFrame
        With ``timestamp`` and the ``sides`` columns (person ids).
    people : DataFrame
        An effective-dated People table.
    columns : iterable of str
        Attributes to attach (those absent from ``people`` are skipped).
    sides : iterable of str, default ('source', 'target')
        Which person columns to look up; new columns are named ``<side>_<attribute>``
        (``source_team``, ``target_team``).

    Returns
    -------
    DataFrame
        A copy of ``interactions`` (same rows, same order) with the new columns; missing where
        the person has no row in force at that time (or is not in ``people``).

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"person_id": ["E1", "E1", "E2"],
    ...     "team": ["Sales", "Product", "Sales"],
    ...     "valid_from": [None, "2025-07-01", None], "valid_to": ["2025-07-01", None, None]})
    >>> events = pd.DataFrame({"source": ["E1", "E1"], "target": ["E2", "E2"],
    ...     "timestamp": pd.to_datetime(["2025-06-30", "2025-07-02"], utc=True)})
    >>> attach_attributes(events, people, columns=["team"])["source_team"].tolist()
    ['Sales', 'Product']
    """
    given = set(people.columns)  # validation adds every canonical column, empty or not
    people = validate_people(people)
    cols = [c for c in columns if c in given and c not in ("person_id", *_TIMING)]
    right = people[["person_id", *_TIMING, *cols]].copy()
    # merge_asof needs a non-missing key: "since always" becomes the earliest representable time.
    earliest = pd.Timestamp("1677-09-22", tz="UTC")
    right["_from"] = right["valid_from"].fillna(earliest)
    right["person_id"] = right["person_id"].astype("string")
    right = right.sort_values("_from", kind="stable")
    out = interactions.copy()
    stamps = pd.to_datetime(out["timestamp"], utc=True).astype("datetime64[us, UTC]")
    right["_from"] = right["_from"].astype("datetime64[us, UTC]")
    for side in sides:
        left = pd.DataFrame(
            {
                "_pos": np.arange(len(out)),
                "_who": out[side].astype("string").array,
                "_t": stamps.array,
            }
        ).sort_values("_t", kind="stable")
        known = left["_who"].notna()
        joined = pd.merge_asof(
            left[known],
            right,
            left_on="_t",
            right_on="_from",
            left_by="_who",
            right_by="person_id",
            direction="backward",
        )
        joined = joined.set_index("_pos").sort_index()
        expired = joined["valid_to"].notna() & (joined["_t"] >= joined["valid_to"])
        for c in cols:
            values = joined[c].where(~expired)
            out[f"{side}_{c}"] = values.reindex(range(len(out))).to_numpy()
            out[f"{side}_{c}"] = out[f"{side}_{c}"].astype(people[c].dtype)
    return out
