"""Informal roles (Cross and Parker) and collaborative overload (Cross, Rebele and Grant).

Both are person-level: the tables are marked ``attrs["level"] = "person"`` and are for the
analyst, not for ranking people in public (measures.md §6: never rank individuals publicly).

Roles are concepts, not formulas (Cross and Parker 2004 describe them from survey networks), so
:func:`roles` states the rule and threshold used for each one and lets every threshold be
changed; thresholds are percentiles within the organisation.

References
----------
Cross, R. and Parker, A. (2004). The Hidden Power of Social Networks. Harvard Business School
Press.

Cross, R. and Prusak, L. (2002). The people who make organizations go — or stop. Harvard
Business Review 80(6), 104-112.

Cross, R., Rebele, R. and Grant, A. (2016). Collaborative overload. Harvard Business Review
94(1), 74-79.

Burt, R. S. (1992). Structural Holes: The Social Structure of Competition. Harvard University
Press.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ona._validation import Interval, Options, validate_params
from ona.analysis.silos import _codes, _compact, _group_labels, _is_weight
from ona.graph import CompactGraph

__all__ = ["gini", "overload", "roles"]


def _is_groups_or_none(value: Any) -> bool:
    return value is None or isinstance(value, (str, Mapping, pd.Series))


_is_groups_or_none.description = "None, a node attribute name or a mapping person -> group"  # type: ignore[attr-defined]

_QUANTILE = Interval(float, 0, 1)


def _contacts(cg: CompactGraph, adj: sp.csr_array) -> tuple[np.ndarray, np.ndarray]:
    """Distinct contacts in either direction, and distinct people who reach out to each person."""
    b = adj.copy()
    b.data[:] = 1.0
    either = sp.csr_array(b + b.T) if cg.directed else b
    either.data[:] = 1.0
    contacts = np.asarray(either.sum(axis=1)).ravel()
    incoming = np.asarray(b.sum(axis=0)).ravel()
    return contacts, incoming


@validate_params(
    {
        "groups": [_is_groups_or_none],
        "weight": [_is_weight],
        "connector_quantile": [_QUANTILE],
        "spanner_quantile": [_QUANTILE],
        "spanner_min_groups": [Interval(int, 1)],
        "broker_quantile": [_QUANTILE],
        "broker_min_contacts": [Interval(int, 2)],
        "peripheral_quantile": [_QUANTILE],
        "broker_measure": [Options({"constraint", "betweenness"})],
        "seed": [Interval(int, 0)],
    }
)
def roles(
    G: Any,
    groups: str | Mapping | pd.Series | None = None,
    *,
    weight: str | None = None,
    connector_quantile: float = 0.9,
    spanner_quantile: float = 0.9,
    spanner_min_groups: int = 2,
    broker_quantile: float = 0.1,
    broker_min_contacts: int = 3,
    peripheral_quantile: float = 0.1,
    broker_measure: str = "constraint",
    seed: int = 0,
) -> pd.DataFrame:
    """Cross and Parker's informal roles, by stated and tunable rules.

    * **central connector** (many people come to them): people who receive ties from
      distinct others (``in_contacts``; on undirected graphs, contacts) at or above the
      ``connector_quantile`` of the organisation (default: the top 10 %) and above the median.
    * **boundary spanner** (links the group to other groups; needs ``groups``): distinct
      contacts in other groups (``external_contacts``) at or above ``spanner_quantile``, and
      ties into at least ``spanner_min_groups`` other groups.
    * **information broker** (holds otherwise separate people together): with
      ``broker_measure="constraint"``, Burt's constraint (:func:`ona.constraint`, on 0/1 ties
      unless ``weight`` is given) at or below its ``broker_quantile`` among people with at
      least ``broker_min_contacts`` contacts (default: the least constrained 10 %); with
      ``"betweenness"``, betweenness (:func:`ona.centrality`, over hops, or tie lengths 1/w
      when ``weight`` is given; sampled above 3,000 people) at or above its
      ``1 - broker_quantile`` quantile among the same people.
    * **peripheral** (few ties; may be a specialist, new, or under-used — never read as low
      value): contacts at or below the ``peripheral_quantile`` (default: the bottom 10 %,
      people with no tie included) and below the median.

    A person can hold several roles; ``role`` gives the first that applies in the order
    above, or ``""``.

    Parameters
    ----------
    G : networkx graph or CompactGraph
    groups : str, mapping, Series or None
        Formal group of each person (for boundary spanners).
    weight : str or None, default None
        Tie strength for the broker measure (constraint weighted by it, or betweenness over
        tie lengths 1/w); None reads ties as 0/1. Brokerage is about who bridges, whatever
        the volume: on the bundled sample organisation the six planted brokers all fall in
        the least constrained 10 % on 0/1 ties (ranks 1-9 of 300), while weighted constraint
        ranks one of them 62nd, because a broker's few weak ties into other departments
        weigh little against the heavy ties inside their own team.
    connector_quantile, spanner_quantile, broker_quantile, peripheral_quantile : float
        Thresholds as quantiles of the organisation's distribution (numpy's default linear
        interpolation), recorded in ``attrs["thresholds"]`` as the values they gave.
    spanner_min_groups : int, default 2
    broker_min_contacts : int, default 3
    broker_measure : {"constraint", "betweenness"}, default "constraint"
        Constraint is local and fast (sparse products); betweenness counts shortest paths
        through the person across the whole network, slower on large organisations.
    seed : int, default 0
        For sampled betweenness.

    Returns
    -------
    DataFrame
        Indexed by person: ``contacts``, ``in_contacts``, ``external_contacts`` and
        ``external_groups`` (NaN without groups), ``constraint`` or ``betweenness``, the
        booleans ``central_connector``, ``boundary_spanner``, ``information_broker``,
        ``peripheral``, and ``role``. ``attrs``: ``level="person"``, ``rules`` (each rule in words) and
        ``thresholds``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.barbell_graph(5, 1)
    >>> r = roles(G, {v: ("left" if v < 5 else "right") for v in G}, broker_min_contacts=2)
    >>> r.loc[5, "role"], bool(r.loc[0, "peripheral"])
    ('information broker', False)
    """
    cg, adj = _compact(G, weight)
    n = len(cg.nodes)
    contacts, incoming = _contacts(cg, adj)
    if not cg.directed:
        incoming = contacts
    table = pd.DataFrame({"contacts": contacts, "in_contacts": incoming}, index=cg.nodes)

    if groups is not None:
        codes, names = _codes(_group_labels(cg, groups))
        b = adj.copy()
        b.data[:] = 1.0
        either = sp.coo_array(b + b.T if cg.directed else b)
        pairs = pd.DataFrame({"i": either.row, "j": either.col}).drop_duplicates()
        gi, gj = codes[pairs["i"].to_numpy()], codes[pairs["j"].to_numpy()]
        ext = (gi >= 0) & (gj >= 0) & (gi != gj)
        external = np.bincount(pairs["i"].to_numpy()[ext], minlength=n).astype(np.float64)
        reach = pd.DataFrame({"i": pairs["i"].to_numpy()[ext], "g": gj[ext]}).drop_duplicates()
        ext_groups = np.bincount(reach["i"].to_numpy(), minlength=n).astype(np.float64)
        unknown = codes < 0
        external[unknown] = np.nan
        ext_groups[unknown] = np.nan
    else:
        external = ext_groups = np.full(n, np.nan)
    table["external_contacts"] = external
    table["external_groups"] = ext_groups

    graph = cg if weight is not None else CompactGraph(
        cg.nodes, adj, directed=cg.directed, node_attrs=cg.node_attrs
    )
    if broker_measure == "constraint":
        from ona.analysis.brokers import constraint

        broker = constraint(graph, weight=weight)
    else:
        from ona.analysis.centrality import centrality

        distance = "hops" if weight is None else "1/weight"
        broker = centrality(graph, weight=weight, measures="betweenness", seed=seed,
                            distance=distance)["betweenness"]
    table[broker_measure] = broker.reindex(cg.nodes).to_numpy()

    def cut(values: pd.Series, q: float) -> float:
        v = values.dropna()
        return float(np.quantile(v, q)) if len(v) else float("nan")

    t_conn = cut(table["in_contacts"], connector_quantile)
    t_span = cut(table["external_contacts"], spanner_quantile)
    eligible = table["contacts"] >= broker_min_contacts
    low_is_broker = broker_measure == "constraint"
    t_brok = cut(
        table.loc[eligible, broker_measure],
        broker_quantile if low_is_broker else 1 - broker_quantile,
    )
    t_peri = cut(table["contacts"], peripheral_quantile)
    # above / below the median as well: on flat distributions a quantile alone would flag
    # most people (in a ring everyone is at the 10th and the 90th percentile)
    mid_in, mid = table["in_contacts"].median(), table["contacts"].median()
    table["central_connector"] = (table["in_contacts"] >= t_conn) & (table["in_contacts"] > mid_in)
    table["boundary_spanner"] = (
        (table["external_contacts"] >= t_span)
        & (table["external_contacts"] > 0)
        & (table["external_groups"] >= spanner_min_groups)
    )
    table["information_broker"] = eligible & (
        table[broker_measure] <= t_brok if low_is_broker else table[broker_measure] >= t_brok
    )
    table["peripheral"] = (table["contacts"] <= t_peri) & (table["contacts"] < mid)
    order = ["central_connector", "boundary_spanner", "information_broker", "peripheral"]
    labels = np.array([o.replace("_", " ") for o in order] + [""])
    first = np.argmax(np.column_stack([table[o].to_numpy() for o in order] + [np.ones(n, bool)]), axis=1)
    table["role"] = labels[first]
    table.attrs.update(
        level="person",
        rules={
            "central_connector": f"in_contacts >= {connector_quantile:g} quantile and > median",
            "boundary_spanner": (
                f"external_contacts >= {spanner_quantile:g} quantile and external_groups >= "
                f"{spanner_min_groups}"
            ),
            "information_broker": (
                f"constraint <= {broker_quantile:g} quantile"
                if low_is_broker
                else f"betweenness >= {1 - broker_quantile:g} quantile"
            )
            + f" among people with >= {broker_min_contacts} contacts",
            "peripheral": f"contacts <= {peripheral_quantile:g} quantile and < median",
        },
        thresholds={
            "in_contacts": t_conn,
            "external_contacts": t_span,
            broker_measure: t_brok,
            "contacts": t_peri,
        },
        weight=weight or "ties",
    )
    return table


# --------------------------------------------------------------------------- overload


def gini(values: Any) -> float:
    """Gini coefficient of non-negative values: mean absolute difference over twice the mean.

    ``G = sum_i sum_j |x_i - x_j| / (2 n^2 mean)``: 0 when everyone carries the same load,
    (n-1)/n when one person carries all of it.

    Parameters
    ----------
    values : array-like of float
        One value per person, people with none included as 0.

    Returns
    -------
    float
        NaN when there are no values or they sum to 0.

    Examples
    --------
    >>> gini([1, 1, 1, 1]), gini([0, 0, 0, 1])
    (0.0, 0.75)
    """
    x = np.sort(np.asarray(values, dtype=np.float64))
    n = len(x)
    total = x.sum()
    if n == 0 or total == 0:
        return float("nan")
    ranks = np.arange(1, n + 1)
    return float(((2 * ranks - n - 1) * x).sum() / (n * total))


@validate_params(
    {
        "demand": [Options({"in_strength", "strength", "in_contacts"})],
        "weight": [_is_weight],
        "top": [Interval(float, 0, 1, closed="right")],
        "in_demand_quantile": [_QUANTILE],
        "threshold": [None, Interval(float, 0)],
    }
)
def overload(
    G: Any,
    *,
    demand: str = "in_strength",
    weight: str | None = "weight",
    top: float = 0.05,
    in_demand_quantile: float = 0.95,
    threshold: float | None = None,
) -> pd.DataFrame:
    """Collaborative overload: how concentrated the demand on people is, and who carries it.

    Cross, Rebele and Grant (2016) found that in most of 300+ organisations 3-5 % of people
    provided 20-35 % of the value-adding collaborations. This measures the same concentration
    from interaction metadata.

    Parameters
    ----------
    G : networkx graph or CompactGraph
    demand : {"in_strength", "strength", "in_contacts"}, default "in_strength"
        What counts as demand on a person: the interactions they receive (summed tie weights
        towards them; requests), everything they send and receive, or the distinct people who
        reach out to them. On undirected graphs the first two are the same.
    weight : str or None, default "weight"
    top : float, default 0.05
        The fraction of people whose share of all demand is reported (``top_share``): the
        ``ceil(top * n)`` people with the most demand.
    in_demand_quantile : float, default 0.95
        People at or above this quantile of demand are flagged ``in_demand``...
    threshold : float, optional
        ...unless an absolute demand threshold is given.

    Returns
    -------
    DataFrame
        Indexed by person, sorted by demand (highest first): ``demand``, ``share`` (of all
        demand), ``cumulative_share``, ``in_demand``. ``attrs``: ``level="person"``,
        ``top``, ``top_people``, ``top_share``, ``gini`` (:func:`gini` of demand over everyone,
        people with none included), ``threshold``, ``n_in_demand``, ``demand``.

    References
    ----------
    Cross, R., Rebele, R. and Grant, A. (2016). Collaborative overload. Harvard Business
    Review 94(1), 74-79.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.star_graph(19)
    >>> o = overload(G, weight=None)
    >>> int(o.index[0]), o.attrs["top_people"], o.attrs["top_share"]
    (0, 1, 0.5)
    """
    cg, adj = _compact(G, weight)
    if demand == "in_contacts":
        values = _contacts(cg, adj)[1 if cg.directed else 0]
    elif demand == "strength" and cg.directed:
        values = np.asarray(adj.sum(axis=0)).ravel() + np.asarray(adj.sum(axis=1)).ravel()
    else:
        values = np.asarray(adj.sum(axis=0)).ravel()
    n = len(values)
    total = float(values.sum())
    table = pd.DataFrame({"demand": values}, index=cg.nodes)
    table = table.sort_values("demand", ascending=False, kind="stable")
    table["share"] = table["demand"] / total if total else np.nan
    table["cumulative_share"] = table["share"].cumsum()
    cut = float(np.quantile(values, in_demand_quantile)) if threshold is None and n else threshold
    table["in_demand"] = (table["demand"] >= cut) & (table["demand"] > 0)
    k = int(np.ceil(top * n)) if n else 0
    table.attrs.update(
        level="person",
        demand=demand,
        weight=weight or "ties",
        top=top,
        top_people=k,
        top_share=float(table["share"].iloc[:k].sum()) if k and total else float("nan"),
        gini=gini(values),
        threshold=cut,
        n_in_demand=int(table["in_demand"].sum()),
    )
    return table
