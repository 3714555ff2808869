"""Privacy controls: a minimum group size for every group-level output.

Group-level results (group matrices, team tables, E-I indices, plots, the report) must not
single out small groups: a group with fewer than ``min_group_size`` members (default 5) is
suppressed, or for additive tables merged into one ``SMALL_GROUPS_LABEL`` group, and the result
says so in ``result.attrs["privacy"]``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ona._validation import Interval, Options, validate_params

__all__ = ["MIN_GROUP_SIZE", "SMALL_GROUPS_LABEL", "privacy_note", "suppress_small_groups"]

MIN_GROUP_SIZE = 5
SMALL_GROUPS_LABEL = "(small groups)"


def privacy_note(n_suppressed: int, min_size: int, merged: bool) -> str:
    """The sentence every group-level output carries about suppressed groups."""
    if n_suppressed == 0:
        return f"all groups have at least {min_size} people; none suppressed"
    how = f"merged into {SMALL_GROUPS_LABEL!r}" if merged else "suppressed"
    return f"{n_suppressed} group(s) with fewer than {min_size} people {how}"


@validate_params(
    {
        "min_size": [Interval(int, 1)],
        "how": [Options({"drop", "merge"})],
        "axis": [Options({"index", "both"})],
    }
)
def suppress_small_groups(
    table: pd.DataFrame | pd.Series,
    sizes: Mapping[str, int] | pd.Series,
    *,
    min_size: int = MIN_GROUP_SIZE,
    how: str = "drop",
    axis: str = "index",
) -> pd.DataFrame | pd.Series:
    """Suppress the groups of ``table`` that have fewer than ``min_size`` people.

    Parameters
    ----------
    table : DataFrame or Series
        Indexed by group (and, with ``axis="both"``, with groups as columns too: a group matrix).
    sizes : mapping or Series
        Number of people in each group. Groups missing from ``sizes`` count as size 0.
    min_size : int, default 5
        Smallest group that may be shown.
    how : {'drop', 'merge'}
        Drop small groups, or sum them into one ``"(small groups)"`` row (and column): only for
        additive tables such as counts. A merged group still below ``min_size`` is dropped too.
    axis : {'index', 'both'}
        Apply to the index only, or to index and columns (square group matrices).

    Returns
    -------
    DataFrame or Series
        A copy; ``result.attrs["privacy"]`` says what was suppressed and
        ``result.attrs["suppressed_groups"]`` counts the groups.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.Series({"A": 10.0, "B": 3.0, "C": 4.0})
    >>> out = suppress_small_groups(t, {"A": 12, "B": 2, "C": 3}, how="merge")
    >>> out.to_dict()
    {'A': 10.0, '(small groups)': 7.0}
    >>> out.attrs["privacy"]
    "2 group(s) with fewer than 5 people merged into '(small groups)'"
    """
    sizes = pd.Series(sizes, dtype="float64")
    groups = list(table.index)
    small = [g for g in groups if sizes.get(g, 0) < min_size]
    keep = [g for g in groups if g not in small]
    merged_size = float(sum(sizes.get(g, 0) for g in small))
    merge = how == "merge" and small and merged_size >= min_size
    if merge:
        # Relabel small groups to one label and sum, on the index (and the columns).
        label = {g: (g if g in keep else SMALL_GROUPS_LABEL) for g in groups}
        order = keep + [SMALL_GROUPS_LABEL]
        out = table.groupby(table.index.map(label), sort=False).sum().reindex(order)
        if axis == "both":
            out = out.T.groupby(out.columns.map(label), sort=False).sum().T.reindex(columns=order)
    else:
        out = table.loc[keep]
        if axis == "both":
            out = out.loc[:, [c for c in out.columns if c in keep]]
    out = out.copy()
    out.attrs["privacy"] = privacy_note(len(small), min_size, bool(merge))
    out.attrs["suppressed_groups"] = len(small)
    return out
