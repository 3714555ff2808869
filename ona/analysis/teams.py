"""The team table: one row per team with the network measures that team studies relate to
performance (measures.md §2.10 and §5).

Internal cohesion (density, mean tie strength: Reagans and Zuckerman 2001; Balkundi and
Harrison 2006), external range (external ties, distinct teams reached, E-I, 1 - team
constraint: Reagans, Zuckerman and McEvily 2004), centralisation (Cummings and Cross 2003) and
the formal leader's place in the team (Balkundi and Harrison 2006).

References
----------
Balkundi, P. and Harrison, D. A. (2006). Ties, leaders, and time in teams. Academy of
Management Journal 49(1), 49-68. https://doi.org/10.5465/amj.2006.20785500

Reagans, R. and Zuckerman, E. W. (2001). Networks, diversity, and productivity. Organization
Science 12(4), 502-517. https://doi.org/10.1287/orsc.12.4.502.10637

Reagans, R., Zuckerman, E. and McEvily, B. (2004). How to make the team: social networks vs.
demography as criteria for designing effective teams. Administrative Science Quarterly 49(1),
101-133.

Cummings, J. N. and Cross, R. (2003). Structural properties of work groups and their
consequences for performance. Social Networks 25(3), 197-210.

Freeman, L. C. (1979). Centrality in social networks: conceptual clarification. Social
Networks 1(3), 215-239. https://doi.org/10.1016/0378-8733(78)90021-7
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ona._validation import Interval, validate_params
from ona.analysis.silos import (
    _codes,
    _compact,
    _group_labels,
    _group_mixing,
    _is_groups,
    _is_weight,
    _privacy,
    _sizes,
    _ties,
)
from ona.exceptions import InvalidParameterError
from ona.graph import CompactGraph
from ona.privacy import MIN_GROUP_SIZE

__all__ = ["team_table"]


def _is_manager(value: Any) -> bool:
    return value is None or isinstance(value, (str, Mapping, pd.Series))


_is_manager.description = (  # type: ignore[attr-defined]
    "None, a node attribute naming each person's manager, or a mapping team -> manager"
)


def _team_managers(
    cg: CompactGraph, labels: pd.Series, names: pd.Index, manager: Any
) -> pd.Series:
    """Manager of each team: given, or the person most members report to."""
    if manager is None:
        return pd.Series(None, index=names, dtype=object)
    if isinstance(manager, str):
        if manager not in cg.node_attrs.columns:
            raise InvalidParameterError(f"the graph has no node attribute {manager!r}")
        reports = pd.DataFrame({"team": labels, "manager": cg.node_attrs[manager]}).dropna()
        if reports.empty:
            return pd.Series(None, index=names, dtype=object)
        # the most common manager among members; ties broken by the smaller id for stability
        counts = reports.groupby(["team", "manager"]).size().rename("n").reset_index()
        counts = counts.sort_values(["team", "n", "manager"], ascending=[True, False, True])
        return counts.drop_duplicates("team").set_index("team")["manager"].reindex(names)
    return pd.Series(dict(manager), dtype=object).reindex(names)


@validate_params(
    {
        "teams": [_is_groups],
        "weight": [_is_weight],
        "manager": [_is_manager],
        "min_group_size": [Interval(int, 1)],
    }
)
def team_table(
    G: Any,
    teams: str | Mapping | pd.Series,
    *,
    weight: str | None = "weight",
    manager: str | Mapping | pd.Series | None = None,
    min_group_size: int = MIN_GROUP_SIZE,
) -> pd.DataFrame:
    """One row per team: cohesion, range, E-I, constraint, centralisation and the manager's place.

    Parameters
    ----------
    G : networkx graph or CompactGraph
    teams : str, mapping or Series
        Node attribute name (``"team"``), or person → team.
    weight : str or None, default "weight"
        Tie strength for ``mean_tie_strength`` and ``team_constraint``; None for 0/1 ties.
    manager : str, mapping, Series or None
        A node attribute naming each person's manager (e.g. the roster's ``"manager_id"``:
        the team's manager is then the person most members report to, who may sit outside the
        team), or a mapping team → manager. None: no manager columns are filled.
    min_group_size : int, default 5
        Teams with fewer people are dropped (:mod:`ona.privacy`), said in
        ``attrs["privacy"]``.

    Returns
    -------
    DataFrame
        Indexed by team:

        * ``size``: people in the team (in the graph);
        * ``internal_ties``, ``density``: ties inside the team over possible ones (arcs over
          s(s-1) on directed graphs, ties over s(s-1)/2 on undirected ones);
        * ``mean_tie_strength``: mean weight of the ties inside;
        * ``external_ties``: ties (arcs) between a member and a member of another team;
          ``external_groups``: distinct other teams reached (range);
        * ``ei``: (external - internal) / (external + internal) ties;
        * ``team_constraint``: Burt's constraint of the team collapsed into one node of the
          team-by-team graph (tie weights summed between teams; variant (b) of measures.md
          §2.2), and ``external_range`` = 1 - team_constraint (Reagans, Zuckerman and
          McEvily 2004); NaN for a team with no external tie;
        * ``degree_centralization``: Freeman's, inside the team (distinct contacts among
          members in either direction; NaN below 3 people);
        * ``manager``, ``manager_reach`` (share of the other members the manager has a tie
          with, either direction) and ``manager_contacts_pct`` (share of everyone in the
          network with no more contacts than the manager).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.connected_caveman_graph(3, 5)
    >>> t = team_table(G, {v: f"t{v // 5}" for v in G}, weight=None)
    >>> t.loc["t0", ["size", "internal_ties", "external_ties", "external_groups"]].tolist()
    [5.0, 9.0, 2.0, 2.0]
    """
    from ona.analysis.brokers import constraint

    cg, adj = _compact(G, weight)
    labels = _group_labels(cg, teams)
    codes, names = _codes(labels)
    k = len(names)
    sizes = _sizes(codes, names)
    s = sizes.to_numpy(dtype=np.float64)
    i, j, w = _ties(cg, adj)
    a, b = codes[i], codes[j]
    inside = (a >= 0) & (a == b)
    outside = (a >= 0) & (b >= 0) & (a != b)

    internal = np.bincount(a[inside], minlength=k).astype(np.float64)
    internal_w = np.bincount(a[inside], weights=w[inside], minlength=k)
    possible = s * (s - 1) if cg.directed else s * (s - 1) / 2
    external = (
        np.bincount(a[outside], minlength=k) + np.bincount(b[outside], minlength=k)
    ).astype(np.float64)
    reached = pd.DataFrame(
        {"g": np.concatenate([a[outside], b[outside]]), "h": np.concatenate([b[outside], a[outside]])}
    ).drop_duplicates()
    ext_groups = np.bincount(reached["g"].to_numpy(), minlength=k).astype(np.float64)

    # Freeman centralisation inside each team, on distinct internal contacts
    bi = sp.coo_array((np.ones(int(inside.sum())), (i[inside], j[inside])), shape=adj.shape)
    both = sp.csr_array(bi + bi.T)
    both.data[:] = 1.0
    k_int = np.asarray(both.sum(axis=1)).ravel()
    member = codes >= 0
    k_max = np.full(k, -np.inf)
    np.maximum.at(k_max, codes[member], k_int[member])
    k_sum = np.bincount(codes[member], weights=k_int[member], minlength=k)

    # team constraint in the team-by-team graph
    m = _group_mixing(codes, k, i, j, w)
    m = m if cg.directed else m + m.T
    team_graph = CompactGraph(pd.RangeIndex(k), sp.csr_array(m), directed=cg.directed)
    team_c = constraint(team_graph, weight="weight").reindex(range(k)).to_numpy(dtype=np.float64)

    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame(
            {
                "size": s,
                "internal_ties": internal,
                "density": internal / possible,
                "mean_tie_strength": internal_w / internal,
                "external_ties": external,
                "external_groups": ext_groups,
                "ei": (external - internal) / (external + internal),
                "team_constraint": team_c,
                "external_range": 1 - team_c,
                "degree_centralization": np.where(
                    s >= 3, (s * k_max - k_sum) / ((s - 1) * (s - 2)), np.nan
                ),
            },
            index=names,
        )
    table.index.name = "team"

    managers = _team_managers(cg, labels, names, manager)
    table["manager"] = managers.to_numpy(dtype=object)
    either = adj.copy()
    either.data[:] = 1.0
    if cg.directed:
        either = sp.csr_array(either + either.T)
        either.data[:] = 1.0
    contacts = np.asarray(either.sum(axis=1)).ravel()
    reach = np.full(k, np.nan)
    pct = np.full(k, np.nan)
    pos = cg.nodes.get_indexer(managers.to_numpy(dtype=object)) if manager is not None else []
    for t, p in enumerate(pos):
        if p < 0:
            continue
        lo, hi = either.indptr[p], either.indptr[p + 1]
        others = s[t] - (codes[p] == t)
        if others > 0:
            reach[t] = float((codes[either.indices[lo:hi]] == t).sum()) / others
        pct[t] = float((contacts <= contacts[p]).mean())
    table["manager_reach"] = reach
    table["manager_contacts_pct"] = pct
    out = _privacy(table, sizes, min_group_size)
    out.attrs.update(
        weight=weight or "ties",
        directed=cg.directed,
        team_constraint="team collapsed to one node of the team-by-team graph (summed weights)",
    )
    return out
