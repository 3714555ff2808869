"""Change over time: the same tables per window, what changed between two periods.

* :func:`change_tables`: the person table (or the team table) for every window of
  :func:`ona.windows`, stacked with the period as the first index level;
* :func:`deltas`: before, after and change of every numeric column between two tables;
* :func:`tie_changes` and :func:`people_changes`: ties and active people gained, lost and kept;
* :func:`window_stability`: how much consecutive windows agree (ties, people, rank of contacts);
* :func:`cross_group_share`: the share of interaction that crosses group lines before and
  after a date (Yang et al. 2022 measured siloing after firm-wide remote work this way).

Windows of different length are not comparable in raw counts; compare equal windows (the
default calendar periods) or rates (measures.md §1).

References
----------
Yang, L. et al. (2022). The effects of remote work on collaboration among information workers.
Nature Human Behaviour 6, 43-54. https://doi.org/10.1038/s41562-021-01196-4

Kossinets, G. and Watts, D. J. (2006). Empirical analysis of an evolving social network.
Science 311(5757), 88-90. https://doi.org/10.1126/science.1116869
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ona._validation import Interval, Options, check_param, validate_params
from ona.analysis.silos import _compact, _is_groups, ei_index
from ona.exceptions import InvalidParameterError
from ona.graph import CompactGraph, as_compact, build_graph, windows
from ona.privacy import MIN_GROUP_SIZE

__all__ = [
    "change_tables",
    "cross_group_share",
    "deltas",
    "people_changes",
    "tie_changes",
    "window_stability",
]


def _is_groups_or_none(value: Any) -> bool:
    return value is None or _is_groups(value)


_is_groups_or_none.description = "None, a node attribute name or a mapping person -> group"  # type: ignore[attr-defined]


def _is_callable_or_none(value: Any) -> bool:
    return value is None or callable(value)


_is_callable_or_none.description = "None or a function graph -> DataFrame"  # type: ignore[attr-defined]


@validate_params(
    {
        "freq": [str],
        "table": [Options({"person", "team"})],
        "groups": [_is_groups_or_none],
        "measure": [_is_callable_or_none],
        "min_group_size": [Interval(int, 1)],
    }
)
def change_tables(
    interactions: pd.DataFrame,
    people: pd.DataFrame | None = None,
    *,
    freq: str = "QS",
    table: str = "person",
    groups: str | Mapping | pd.Series | None = None,
    measure: Callable[[Any], pd.DataFrame] | None = None,
    min_group_size: int = MIN_GROUP_SIZE,
    **graph_options: Any,
) -> pd.DataFrame:
    """The person or team table for every calendar window, stacked.

    Parameters
    ----------
    interactions : DataFrame
        An Interactions table.
    people : DataFrame, optional
        A People roster; each window's graph carries the attributes in force at its end, so
        ``groups="team"`` follows people who move teams.
    freq : str, default "QS"
        pandas frequency of the windows (``"MS"`` months, ``"QS"`` quarters, ``"W-MON"``).
    table : {"person", "team"}, default "person"
        ``"person"``: :func:`ona.centrality` per person, with the person E-I columns
        (``internal``, ``external``, ``ei``) when ``groups`` is given. ``"team"``:
        :func:`ona.team_table` (needs ``groups``).
    groups : str, mapping or Series, optional
    measure : callable, optional
        Your own table instead: a function graph → DataFrame.
    min_group_size : int, default 5
        For the team table (:mod:`ona.privacy`).
    **graph_options
        Passed to :func:`ona.windows` (``weight``, ``channels``, ``directed``, ``start``...).
        Graphs are built compact.

    Returns
    -------
    DataFrame
        Index (``period``, person or team); ``attrs["level"]`` as the table's.

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.DataFrame({
    ...     "timestamp": pd.to_datetime(["2026-01-05", "2026-01-09", "2026-04-02"], utc=True),
    ...     "source": ["ann", "bob", "ann"], "target": ["bob", "cat", "cat"]})
    >>> def sent(g):
    ...     return pd.DataFrame({"sent": g.adj.sum(axis=1)}, index=g.nodes)
    >>> t = change_tables(events, measure=sent)
    >>> t["sent"].to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {(Timestamp('2026-01-01 00:00:00+0000', tz='UTC'), 'ann'): 1.0,
     (Timestamp('2026-01-01 00:00:00+0000', tz='UTC'), 'bob'): 1.0,
     (Timestamp('2026-01-01 00:00:00+0000', tz='UTC'), 'cat'): 0.0,
     (Timestamp('2026-04-01 00:00:00+0000', tz='UTC'), 'ann'): 1.0,
     (Timestamp('2026-04-01 00:00:00+0000', tz='UTC'), 'cat'): 0.0}
    """
    if table == "team" and groups is None and measure is None:
        raise InvalidParameterError("table='team' needs groups (a team attribute or mapping)")
    graphs = windows(interactions, people, freq=freq, compact=True, **graph_options)
    if measure is None:
        if table == "team":
            from ona.analysis.teams import team_table

            def measure(g: Any) -> pd.DataFrame:
                return team_table(g, groups, min_group_size=min_group_size)
        else:
            from ona.analysis.centrality import centrality

            def measure(g: Any) -> pd.DataFrame:
                out = centrality(g)
                if groups is not None:
                    ei = ei_index(g, groups, level="person")
                    out = out.join(ei[["internal", "external", "ei"]])
                return out

    frames, level = {}, None
    for period, g in graphs.items():
        if g.number_of_nodes() == 0:
            continue
        frame = measure(g)
        level = level or frame.attrs.get("level")
        frames[period] = frame
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, names=["period", "team" if table == "team" else "person"])
    out.attrs.update(level=level or table, freq=freq)
    return out


def deltas(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Before, after and change of every numeric column shared by two tables.

    Parameters
    ----------
    before, after : DataFrame
        Tables indexed alike (people or teams), e.g. two periods of :func:`change_tables`
        (``tables.loc["2026-01-01"]``).

    Returns
    -------
    DataFrame
        Indexed by the union of both indexes: ``<column>_before``, ``<column>_after``,
        ``<column>_change`` (after - before) for each shared numeric column, and ``status``:
        ``"both"``, ``"new"`` (only after) or ``"gone"`` (only before).

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"ties": [2, 3]}, index=["ann", "bob"])
    >>> b = pd.DataFrame({"ties": [5, 1]}, index=["ann", "cat"])
    >>> d = deltas(a, b)
    >>> d["ties_change"].tolist(), d["status"].tolist()
    ([3.0, nan, nan], ['both', 'gone', 'new'])
    """
    check_param("deltas", "before", before, [pd.DataFrame])
    check_param("deltas", "after", after, [pd.DataFrame])
    cols = [
        c
        for c in before.columns
        if c in after.columns
        and pd.api.types.is_numeric_dtype(before[c])
        and pd.api.types.is_numeric_dtype(after[c])
        and not pd.api.types.is_bool_dtype(before[c])
    ]
    index = before.index.union(after.index, sort=False)
    out = pd.DataFrame(index=index)
    b = before.reindex(index)
    a = after.reindex(index)
    for c in cols:
        out[f"{c}_before"] = b[c].astype("float64")
        out[f"{c}_after"] = a[c].astype("float64")
        out[f"{c}_change"] = out[f"{c}_after"] - out[f"{c}_before"]
    in_b, in_a = index.isin(before.index), index.isin(after.index)
    out["status"] = np.where(in_b & in_a, "both", np.where(in_a, "new", "gone"))
    level = before.attrs.get("level") or after.attrs.get("level")
    if level:
        out.attrs["level"] = level
    for key in ("privacy",):
        if key in after.attrs:
            out.attrs[key] = after.attrs[key]
    return out


def _edge_table(G: Any, weight: str | None) -> pd.DataFrame:
    cg, adj = _compact(G, weight)
    e = CompactGraph(cg.nodes, adj, directed=cg.directed).edges()
    return e.set_index(["source", "target"])["weight"]


@validate_params({"weight": [None, str]})
def tie_changes(before: Any, after: Any, *, weight: str | None = "weight") -> pd.DataFrame:
    """Ties gained, lost and kept between two graphs (e.g. two windows).

    Parameters
    ----------
    before, after : networkx graph or CompactGraph
        Both directed or both undirected.
    weight : str or None, default "weight"

    Returns
    -------
    DataFrame
        Indexed by (``source``, ``target``) (undirected ties once): ``weight_before``,
        ``weight_after`` (0 when absent), ``change``, ``status`` (``"gained"``, ``"lost"``,
        ``"kept"``). ``attrs``: ``level="tie"``, ``gained``, ``lost``, ``kept`` and
        ``jaccard`` (kept / all ties in either graph).

    Examples
    --------
    >>> import networkx as nx
    >>> t = tie_changes(nx.Graph([(1, 2), (2, 3)]), nx.Graph([(2, 3), (3, 4)]))
    >>> t["status"].tolist(), t.attrs["jaccard"]
    (['lost', 'kept', 'gained'], 0.3333333333333333)
    """
    b_dir, a_dir = as_compact(before).directed, as_compact(after).directed
    if b_dir != a_dir:
        raise InvalidParameterError("before and after must be both directed or both undirected")
    b, a = _edge_table(before, weight), _edge_table(after, weight)
    index = b.index.union(a.index, sort=False)
    out = pd.DataFrame(
        {"weight_before": b.reindex(index, fill_value=0.0), "weight_after": a.reindex(index, fill_value=0.0)}
    )
    out["change"] = out["weight_after"] - out["weight_before"]
    in_b, in_a = index.isin(b.index), index.isin(a.index)
    out["status"] = np.where(in_b & in_a, "kept", np.where(in_a, "gained", "lost"))
    kept = int((in_b & in_a).sum())
    out.attrs.update(
        level="tie",
        gained=int((in_a & ~in_b).sum()),
        lost=int((in_b & ~in_a).sum()),
        kept=kept,
        jaccard=kept / len(index) if len(index) else float("nan"),
    )
    return out


def _active(G: Any) -> pd.Series:
    """Distinct contacts (either direction) of each person with at least one tie."""
    cg, adj = _compact(G, None)
    either = adj + adj.T if cg.directed else adj
    either = either.tocsr()
    either.data[:] = 1.0
    contacts = pd.Series(np.asarray(either.sum(axis=1)).ravel(), index=cg.nodes)
    return contacts[contacts > 0]


def people_changes(before: Any, after: Any) -> pd.DataFrame:
    """Active people (with at least one tie) who joined, left or stayed between two graphs.

    Parameters
    ----------
    before, after : networkx graph or CompactGraph

    Returns
    -------
    DataFrame
        Indexed by person: ``contacts_before``, ``contacts_after`` (distinct contacts, 0 when
        inactive), ``status`` (``"joined"``, ``"left"``, ``"stayed"``); ``attrs``:
        ``level="person"``, ``joined``, ``left``, ``stayed``.

    Examples
    --------
    >>> import networkx as nx
    >>> p = people_changes(nx.Graph([(1, 2)]), nx.Graph([(2, 3)]))
    >>> p["status"].to_dict()
    {1: 'left', 2: 'stayed', 3: 'joined'}
    """
    b, a = _active(before), _active(after)
    index = b.index.union(a.index)
    out = pd.DataFrame(
        {"contacts_before": b.reindex(index, fill_value=0.0), "contacts_after": a.reindex(index, fill_value=0.0)}
    )
    in_b, in_a = index.isin(b.index), index.isin(a.index)
    out["status"] = np.where(in_b & in_a, "stayed", np.where(in_a, "joined", "left"))
    out.attrs.update(
        level="person",
        joined=int((in_a & ~in_b).sum()),
        left=int((in_b & ~in_a).sum()),
        stayed=int((in_a & in_b).sum()),
    )
    return out


@validate_params(
    {
        "groups": [_is_groups],
        "by_group": [bool],
        "min_group_size": [Interval(int, 1)],
    }
)
def cross_group_share(
    interactions: pd.DataFrame,
    groups: str | Mapping | pd.Series,
    *,
    at: Any,
    people: pd.DataFrame | None = None,
    by_group: bool = False,
    min_group_size: int = MIN_GROUP_SIZE,
    **graph_options: Any,
) -> pd.DataFrame:
    """Share of interaction that crosses group lines before and after a date.

    The interactions before ``at`` and from ``at`` on are each built into a graph with
    :func:`ona.build_graph` (``graph_options``: ``weight``, ``channels``, ``start``, ``end``
    ...); the share is the summed weight of ties between people of different groups over
    the summed weight of ties between people whose groups are known.

    Parameters
    ----------
    interactions : DataFrame
    groups : str, mapping or Series
        A People column (needs ``people``; the value in force at each period's end) or
        person → group.
    at : date, datetime or str
        The split: before is ``[start, at)``, after is ``[at, end)``.
    people : DataFrame, optional
    by_group : bool, default False
        One row per group (its ties crossing out of it), small groups dropped.
    min_group_size : int, default 5

    Returns
    -------
    DataFrame
        ``by_group=False``: rows ``before`` and ``after``, columns ``within``, ``cross_group``,
        ``share``; ``attrs["change"]`` = after - before. ``by_group=True``: indexed by group,
        ``share_before``, ``share_after``, ``change``, with ``attrs["privacy"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.DataFrame({
    ...     "timestamp": pd.to_datetime(["2026-01-05", "2026-01-06", "2026-03-01"], utc=True),
    ...     "source": ["ann", "ann", "ann"], "target": ["bob", "cat", "bob"]})
    >>> teams = {"ann": "x", "bob": "x", "cat": "y"}
    >>> cross_group_share(events, teams, at="2026-02-01")["share"].tolist()
    [0.5, 0.0]
    """
    built = {
        "before": build_graph(interactions, people, end=at, compact=True, **graph_options),
        "after": build_graph(interactions, people, start=at, compact=True, **graph_options),
    }
    if by_group:
        shares = {}
        for name, g in built.items():
            t = ei_index(g, groups, weight="weight", min_group_size=min_group_size)
            shares[name] = t["external"] / (t["external"] + t["internal"])
        out = pd.concat(shares, axis=1, join="inner").add_prefix("share_")
        out["change"] = out["share_after"] - out["share_before"]
        out.attrs.update(level="group", privacy=t.attrs["privacy"], at=str(pd.Timestamp(at)))
        return out
    rows = {}
    for name, g in built.items():
        net = ei_index(g, groups, level="network", weight="weight")
        total = net["internal"] + net["external"]
        rows[name] = {
            "within": net["internal"],
            "cross_group": net["external"],
            "share": net["external"] / total if total else np.nan,
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.attrs.update(
        level="network",
        at=str(pd.Timestamp(at)),
        change=float(out.loc["after", "share"] - out.loc["before", "share"]),
    )
    return out


def _is_graph_dict(value: Any) -> bool:
    return isinstance(value, Mapping) and len(value) >= 2


_is_graph_dict.description = "a mapping period -> graph with at least two periods"  # type: ignore[attr-defined]


@validate_params({"graphs": [_is_graph_dict]})
def window_stability(graphs: Mapping[Any, Any]) -> pd.DataFrame:
    """How much each window agrees with the one before: ties, people and rank of contacts.

    Window length changes what a network looks like (measures.md §1); before reading change
    as real, check that consecutive windows of the chosen length agree reasonably.

    Parameters
    ----------
    graphs : mapping
        Period → graph in time order, e.g. :func:`ona.windows`.

    Returns
    -------
    DataFrame
        One row per window after the first: ``tie_jaccard`` (ties kept over ties in either
        window), ``people_jaccard`` (the same for active people), ``contacts_spearman``
        (Spearman rank correlation of people's distinct contacts over the people active in
        both windows).

    Examples
    --------
    >>> import networkx as nx
    >>> s = window_stability({1: nx.path_graph(4), 2: nx.path_graph(4), 3: nx.star_graph(3)})
    >>> s["tie_jaccard"].tolist()
    [1.0, 0.2]
    """
    from scipy.stats import spearmanr

    periods = list(graphs)
    rows = {}
    for before, after in zip(periods[:-1], periods[1:], strict=True):
        ties = tie_changes(graphs[before], graphs[after], weight=None)
        people = people_changes(graphs[before], graphs[after])
        both = people[people["status"] == "stayed"]
        rho = (
            spearmanr(both["contacts_before"], both["contacts_after"]).statistic
            if len(both) > 2
            else np.nan
        )
        rows[after] = {
            "tie_jaccard": ties.attrs["jaccard"],
            "people_jaccard": people.attrs["stayed"] / len(people) if len(people) else np.nan,
            "contacts_spearman": float(rho),
        }
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "period"
    out.attrs["level"] = "network"
    return out
