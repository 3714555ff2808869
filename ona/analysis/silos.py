"""Silos: formal groups against the informal network.

The formal partition (teams, departments, divisions) is the primary lens: how much of each
group's interaction stays inside it (:func:`ei_index`, :func:`silo_scores`), who talks to whom
across groups (:func:`group_matrix`), how strongly ties follow an attribute
(:func:`assortativity`, :func:`segregation`) and how modular the formal partition is
(:func:`modularity`). Detected communities (:func:`communities`) are for discovery and are
compared with the formal groups by :func:`compare_partitions`, over several resolutions by
:func:`resolution_scan`.

Groups are given as the name of a node attribute (``"department"``) or a mapping person →
group. People without a group are left out of group-level counts (their ties count neither as
internal nor as external) and the number left out is recorded in ``attrs``.

Every group-level table applies the minimum group size (default 5, :mod:`ona.privacy`) and
says so in ``result.attrs["privacy"]``; person-level tables carry ``attrs["level"] = "person"``.

References
----------
Krackhardt, D. and Stern, R. N. (1988). Informal networks and organizational crises: an
experimental simulation. Social Psychology Quarterly 51(2), 123-140.
https://doi.org/10.2307/2786835

Newman, M. E. J. (2003). Mixing patterns in networks. Physical Review E 67, 026126.
https://doi.org/10.1103/PhysRevE.67.026126

Newman, M. E. J. and Girvan, M. (2004). Finding and evaluating community structure in
networks. Physical Review E 69, 026113. https://doi.org/10.1103/PhysRevE.69.026113

Blondel, V. D., Guillaume, J.-L., Lambiotte, R. and Lefebvre, E. (2008). Fast unfolding of
communities in large networks. J. Stat. Mech. P10008.
https://doi.org/10.1088/1742-5468/2008/10/P10008

Traag, V. A., Waltman, L. and van Eck, N. J. (2019). From Louvain to Leiden: guaranteeing
well-connected communities. Scientific Reports 9, 5233.
https://doi.org/10.1038/s41598-019-41695-z

Bojanowski, M. and Corten, R. (2014). Measuring segregation in social networks. Social
Networks 39, 14-32. https://doi.org/10.1016/j.socnet.2014.04.001
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ona._validation import Interval, Options, check_param, validate_params
from ona.exceptions import InvalidParameterError
from ona.graph import CompactGraph, as_compact
from ona.privacy import MIN_GROUP_SIZE, suppress_small_groups

__all__ = [
    "assortativity",
    "communities",
    "compare_partitions",
    "ei_index",
    "group_matrix",
    "modularity",
    "resolution_scan",
    "segregation",
    "silo_scores",
]


def _is_groups(value: Any) -> bool:
    return isinstance(value, (str, Mapping, pd.Series))


_is_groups.description = "a node attribute name, a mapping person -> group or a Series"  # type: ignore[attr-defined]


def _is_partition(value: Any) -> bool:
    return _is_groups(value) or (isinstance(value, Iterable) and not isinstance(value, bytes))


_is_partition.description = "a node attribute name, a mapping person -> group or a list of sets"  # type: ignore[attr-defined]


def _is_weight(value: Any) -> bool:
    return value is None or isinstance(value, str)


_is_weight.description = "None or an edge attribute name"  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- shared helpers
# (also used by roles, teams and change: one way of reading graphs and groups everywhere)


def _compact(G: Any, weight: str | None) -> tuple[CompactGraph, sp.csr_array]:
    """The compact graph and its weight matrix (all ones when ``weight`` is None)."""
    cg = as_compact(G, weight=weight)
    adj = cg.adj
    if weight is None:
        adj = adj.copy()
        adj.data[:] = 1.0
    return cg, adj


def _group_labels(cg: CompactGraph, groups: Any) -> pd.Series:
    """Group of each node, indexed like ``cg.nodes`` (missing where unknown)."""
    if isinstance(groups, str):
        if groups not in cg.node_attrs.columns:
            raise InvalidParameterError(f"the graph has no node attribute {groups!r}")
        labels = cg.node_attrs[groups]
    elif isinstance(groups, pd.Series):
        labels = groups.reindex(cg.nodes)
    elif isinstance(groups, Mapping):
        labels = pd.Series(dict(groups), dtype=object).reindex(cg.nodes)
    else:  # an iterable of sets of nodes, as networkx's community functions return
        mapping = {node: k for k, block in enumerate(groups) for node in block}
        labels = pd.Series(mapping, dtype=object).reindex(cg.nodes)
    labels = pd.Series(labels.to_numpy(dtype=object), index=cg.nodes, name="group")
    if len(labels) and not labels.notna().any():
        # almost always ids of another type or source (ints vs str, e-mails vs employee ids)
        raise InvalidParameterError(
            "no person in the graph has a group: the groups must be keyed by the graph's "
            "person ids"
        )
    return labels.where(labels.notna(), None)


def _codes(labels: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer code per node (-1 when the group is unknown) and the group labels."""
    codes, uniques = pd.factorize(labels, sort=True, use_na_sentinel=True)
    return codes.astype(np.int64), pd.Index(uniques, name="group")


def _ties(
    cg: CompactGraph, adj: sp.csr_array, symmetrise: bool = False, binary: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ties as arrays (i, j, w): arcs for directed graphs, each undirected tie once.

    With ``symmetrise=True`` a directed graph is read as undirected: one tie per pair linked
    in either direction, weighing the sum of both directions (1 if ``binary``).
    """
    if cg.directed and not symmetrise:
        coo = sp.coo_array(adj)
    else:
        m = adj + adj.T if cg.directed else adj
        coo = sp.coo_array(sp.triu(m, k=1))
        if binary:
            coo.data = np.ones_like(coo.data)
    return coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(np.float64)


def _sizes(codes: np.ndarray, groups: pd.Index) -> pd.Series:
    counts = np.bincount(codes[codes >= 0], minlength=len(groups))
    return pd.Series(counts, index=groups, name="size")


def _group_mixing(
    codes: np.ndarray, k: int, i: np.ndarray, j: np.ndarray, w: np.ndarray
) -> np.ndarray:
    """k x k sums of ``w`` over ties from group a to group b (ties with unknown ends dropped)."""
    a, b = codes[i], codes[j]
    ok = (a >= 0) & (b >= 0)
    return sp.coo_array((w[ok], (a[ok], b[ok])), shape=(k, k)).toarray()


def _privacy(table: pd.DataFrame | pd.Series, sizes: pd.Series, min_group_size: int, **kw: Any):
    out = suppress_small_groups(table, sizes, min_size=min_group_size, **kw)
    out.attrs["level"] = "group"
    return out


# --------------------------------------------------------------------------- E-I index


@validate_params(
    {
        "groups": [_is_groups],
        "level": [Options({"network", "group", "person"})],
        "weight": [_is_weight],
        "symmetrise": [bool],
        "min_group_size": [Interval(int, 1)],
        "n_permutations": [Interval(int, 0)],
        "seed": [Interval(int, 0)],
    }
)
def ei_index(
    G: Any,
    groups: str | Mapping | pd.Series,
    *,
    level: str = "group",
    weight: str | None = None,
    symmetrise: bool = False,
    min_group_size: int = MIN_GROUP_SIZE,
    n_permutations: int = 0,
    seed: int = 0,
) -> pd.Series | pd.DataFrame:
    """Krackhardt and Stern's E-I index: external minus internal ties over all ties.

    ``E-I = (EL - IL) / (EL + IL)``: -1 when every tie stays inside the group, +1 when every
    tie leaves it. EL counts ties between people of different groups, IL ties within a group.

    Parameters
    ----------
    G : networkx graph or CompactGraph
    groups : str, mapping or Series
        Node attribute name, or person → group.
    level : {"group", "network", "person"}, default "group"
        ``"group"``: for each group g, IL = ties with both ends in g, EL = ties with exactly one
        end in g. ``"network"``: EL and IL over all ties, with the rescaled E-I and its
        expectation. ``"person"``: each person's ties to their own group and to others.
    weight : str or None, default None
        None counts ties (as UCINET does); an edge attribute sums tie weights instead.
    symmetrise : bool, default False
        On a directed graph, count arcs (False) or one tie per pair linked in either direction
        (True). Undirected graphs count each tie once.
    min_group_size : int, default 5
        Groups with fewer people are dropped from the group level (:mod:`ona.privacy`).
    n_permutations : int, default 0
        At the network level, also test the E-I against random relabelling (UCINET's
        permutation test): people's groups are shuffled ``n_permutations`` times (group sizes
        kept), giving ``permuted_ei`` (the mean) and ``p_value``, the share of shuffles at
        least as internal as observed, (b + 1) / (n + 1).
    seed : int, default 0
        Seed of the shuffles.

    Returns
    -------
    Series or DataFrame
        ``level="network"``: a Series with ``internal``, ``external``, ``ties``, ``ei``,
        ``expected_ei`` (under random assignment of people to groups of the observed sizes),
        ``ei_min``, ``ei_max`` (the extremes reachable with this many ties and these group
        sizes) and ``rescaled_ei`` (E-I mapped linearly from [ei_min, ei_max] to [-1, 1], as
        UCINET rescales; NaN when weighted). ``level="group"``: a DataFrame indexed by group
        with ``size``, ``internal``, ``external``, ``ei``; ``attrs["overall"]`` holds the
        network E-I. ``level="person"``: indexed by person, with ``group``.

    Notes
    -----
    Ties with an end whose group is unknown are left out (``attrs["unassigned_people"]``).
    The rescaled index: with S_g group sizes and L ties, E* = sum over pairs of groups of
    S_g S_h and I* = sum of S_g (S_g - 1) / 2 possible external and internal ties (doubled for
    arcs); ei_max = (2 E* - L) / L if E* <= L else 1, ei_min = (L - 2 I*) / L if I* <= L else -1;
    expected_ei = (E* - I*) / (E* + I*).

    References
    ----------
    Krackhardt, D. and Stern, R. N. (1988). Social Psychology Quarterly 51(2), 123-140.
    https://doi.org/10.2307/2786835

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("c", "d")])
    >>> teams = {"a": "x", "b": "x", "c": "y", "d": "y"}
    >>> float(ei_index(G, teams, level="network")["ei"])
    -0.3333333333333333
    >>> ei_index(G, teams, min_group_size=1)["ei"].tolist()
    [0.0, 0.0]
    """
    cg, adj = _compact(G, weight)
    labels = _group_labels(cg, groups)
    codes, names = _codes(labels)
    k = len(names)
    i, j, w = _ties(cg, adj, symmetrise, binary=weight is None)
    arcs = cg.directed and not symmetrise
    unassigned = int((codes < 0).sum())
    a, b = codes[i], codes[j]
    known = (a >= 0) & (b >= 0)
    inside = known & (a == b)
    outside = known & (a != b)
    IL, EL = float(w[inside].sum()), float(w[outside].sum())
    overall = (EL - IL) / (EL + IL) if EL + IL else np.nan

    if level == "network":
        sizes = _sizes(codes, names).to_numpy(dtype=np.float64)
        factor = 2.0 if arcs else 1.0
        e_star = factor * (sizes.sum() ** 2 - (sizes**2).sum()) / 2.0
        i_star = factor * (sizes * (sizes - 1)).sum() / 2.0
        L = EL + IL
        if weight is None and L:
            ei_max = (2 * e_star - L) / L if e_star <= L else 1.0
            ei_min = (L - 2 * i_star) / L if i_star <= L else -1.0
            span = ei_max - ei_min
            rescaled = 2 * (overall - ei_min) / span - 1 if span > 0 else np.nan
        else:
            ei_max = ei_min = rescaled = np.nan
        expected = (e_star - i_star) / (e_star + i_star) if e_star + i_star else np.nan
        values = {
            "internal": IL,
            "external": EL,
            "ties": L,
            "ei": overall,
            "expected_ei": expected,
            "ei_min": ei_min,
            "ei_max": ei_max,
            "rescaled_ei": rescaled,
        }
        if n_permutations:
            values.update(_permuted_ei(codes, i, j, w, overall, n_permutations, seed))
        out = pd.Series(values, name="ei_index")
        out.attrs.update(
            level="network", unassigned_people=unassigned, arcs=arcs, n_permutations=n_permutations
        )
        return out

    if level == "person":
        n = len(cg.nodes)
        ends = np.concatenate([i[known], j[known]])
        ext = np.concatenate([outside[known], outside[known]])
        ww = np.concatenate([w[known], w[known]])
        internal = np.bincount(ends, weights=ww * ~ext, minlength=n)
        external = np.bincount(ends, weights=ww * ext, minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            ei = (external - internal) / (external + internal)
        out = pd.DataFrame(
            {"group": labels, "internal": internal, "external": external, "ei": ei},
            index=cg.nodes,
        )
        out.attrs.update(level="person", overall=overall, arcs=arcs)
        return out

    internal = np.bincount(a[inside], weights=w[inside], minlength=k)
    external = np.bincount(a[outside], weights=w[outside], minlength=k) + np.bincount(
        b[outside], weights=w[outside], minlength=k
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        ei = (external - internal) / (external + internal)
    sizes = _sizes(codes, names)
    table = pd.DataFrame(
        {"size": sizes, "internal": internal, "external": external, "ei": ei}, index=names
    )
    out = _privacy(table, sizes, min_group_size)
    out.attrs.update(overall=overall, unassigned_people=unassigned, arcs=arcs)
    return out


def _permuted_ei(
    codes: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    w: np.ndarray,
    observed: float,
    n_permutations: int,
    seed: int,
) -> dict[str, float]:
    """E-I under random relabelling of the people whose group is known."""
    rng = np.random.default_rng(seed)
    known = np.flatnonzero(codes >= 0)
    shuffled = codes.copy()
    ei = np.empty(n_permutations)
    for r in range(n_permutations):
        shuffled[known] = rng.permutation(codes[known])
        a, b = shuffled[i], shuffled[j]
        ok = (a >= 0) & (b >= 0)
        inside = float(w[ok & (a == b)].sum())
        total = float(w[ok].sum())
        ei[r] = (total - 2 * inside) / total if total else np.nan
    return {
        "permuted_ei": float(np.nanmean(ei)),
        "p_value": float((np.sum(ei <= observed + 1e-12) + 1) / (n_permutations + 1)),
    }


# --------------------------------------------------------------------------- group matrix


@validate_params(
    {
        "groups": [_is_groups],
        "weight": [_is_weight],
        "value": [Options({"count", "share", "row_share"})],
        "min_group_size": [Interval(int, 1)],
        "how": [Options({"merge", "drop"})],
    }
)
def group_matrix(
    G: Any,
    groups: str | Mapping | pd.Series,
    *,
    weight: str | None = "weight",
    value: str = "count",
    min_group_size: int = MIN_GROUP_SIZE,
    how: str = "merge",
) -> pd.DataFrame:
    """Group-to-group interaction matrix: summed tie weights (or tie counts) between groups.

    Parameters
    ----------
    G : networkx graph or CompactGraph
    groups : str, mapping or Series
        Node attribute name, or person → group.
    weight : str or None, default "weight"
        Sum this edge attribute (interactions, for graphs from :func:`ona.build_graph`); None
        counts ties.
    value : {"count", "share", "row_share"}, default "count"
        Sums; shares of the grand total; or shares of each row (where a group's interaction
        goes).
    min_group_size : int, default 5
        Smaller groups are merged into one ``"(small groups)"`` row and column (``how="merge"``)
        or dropped (:mod:`ona.privacy`).
    how : {"merge", "drop"}, default "merge"

    Returns
    -------
    DataFrame
        Rows: from-group, columns: to-group. Directed graphs give arcs from row to column. For
        undirected graphs the matrix is symmetric, each tie between g and h appears in both
        [g, h] and [h, g], and a tie inside g once on the diagonal.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("a", "b"), ("a", "c"), ("c", "a")])
    >>> group_matrix(G, {"a": "x", "b": "x", "c": "y"}, min_group_size=1).to_numpy().tolist()
    [[1.0, 1.0], [1.0, 0.0]]
    """
    cg, adj = _compact(G, weight)
    codes, names = _codes(_group_labels(cg, groups))
    k = len(names)
    i, j, w = _ties(cg, adj)
    m = _group_mixing(codes, k, i, j, w)
    if not cg.directed:
        m = m + m.T - np.diag(np.diag(m))
    sizes = _sizes(codes, names)
    table = pd.DataFrame(m, index=names, columns=pd.Index(names, name="to_group"))
    table.index.name = "from_group"
    out = _privacy(table, sizes, min_group_size, how=how, axis="both")
    notes = dict(out.attrs)
    if value == "share":
        total = float(np.triu(out.to_numpy()).sum() if not cg.directed else out.to_numpy().sum())
        out = out / total if total else out * np.nan
    elif value == "row_share":
        out = out.div(out.sum(axis=1).replace(0, np.nan), axis=0)
    out.attrs.update(
        notes,
        level="group",
        value=value,
        weight=weight or "ties",
        directed=cg.directed,
    )
    return out


# --------------------------------------------------------------------------- modularity


def _partition_codes(cg: CompactGraph, partition: Any) -> np.ndarray:
    """Community code per node; people outside every group become singletons."""
    codes, names = _codes(_group_labels(cg, partition))
    missing = codes < 0
    codes[missing] = len(names) + np.arange(int(missing.sum()))
    return codes


def _modularity(adj: sp.csr_array, codes: np.ndarray, resolution: float) -> float:
    """Q = sum_c [w_c / W - gamma * out_c * in_c / W^2] over communities c.

    W is the total weight of adj (2m for a symmetric matrix, m for arcs); w_c the weight of
    entries inside c; out_c and in_c the row and column sums of c. This is Newman's Q for a
    symmetric matrix and Leicht and Newman's directed Q for arcs.
    """
    total = float(adj.sum())
    if total == 0:
        return float("nan")
    k = int(codes.max()) + 1 if len(codes) else 0
    coo = sp.coo_array(adj)
    same = codes[coo.row] == codes[coo.col]
    inside = float(coo.data[same].sum())
    out_c = np.bincount(codes, weights=np.asarray(adj.sum(axis=1)).ravel(), minlength=k)
    in_c = np.bincount(codes, weights=np.asarray(adj.sum(axis=0)).ravel(), minlength=k)
    return inside / total - resolution * float((out_c * in_c).sum()) / total**2


@validate_params(
    {
        "partition": [_is_partition],
        "weight": [_is_weight],
        "resolution": [Interval(float, 0, None, closed="neither")],
    }
)
def modularity(
    G: Any,
    partition: str | Mapping | pd.Series | Iterable,
    *,
    weight: str | None = "weight",
    resolution: float = 1.0,
) -> float:
    """Modularity Q of a partition (formal groups or detected communities).

    ``Q = (1/2m) sum_ij [A_ij - gamma k_i k_j / 2m] delta(c_i, c_j)`` on undirected graphs
    (Newman and Girvan 2004; weighted with strengths, Newman 2004), and
    ``Q = (1/m) sum_ij [A_ij - gamma k_i^out k_j^in / m] delta(c_i, c_j)`` on directed graphs
    (Leicht and Newman 2008); gamma is the resolution (Reichardt and Bornholdt 2006).

    Parameters
    ----------
    G : networkx graph or CompactGraph
    partition : str, mapping, Series or iterable of sets
        Node attribute name, person → group, or blocks of people. People in no group count
        as communities of their own.
    weight : str or None, default "weight"
        Tie strengths; None for the unweighted Q (the published karate-club values).
    resolution : float, default 1

    Returns
    -------
    float

    References
    ----------
    Newman, M. E. J. and Girvan, M. (2004). Physical Review E 69, 026113.
    https://doi.org/10.1103/PhysRevE.69.026113

    Leicht, E. A. and Newman, M. E. J. (2008). Community structure in directed networks.
    Physical Review Letters 100, 118703. https://doi.org/10.1103/PhysRevLett.100.118703

    Reichardt, J. and Bornholdt, S. (2006). Statistical mechanics of community detection.
    Physical Review E 74, 016110. https://doi.org/10.1103/PhysRevE.74.016110

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.barbell_graph(3, 0)
    >>> round(modularity(G, [{0, 1, 2}, {3, 4, 5}]), 4)
    0.3571
    """
    cg, adj = _compact(G, weight)
    return _modularity(adj, _partition_codes(cg, partition), resolution)


# --------------------------------------------------------------------------- communities


@validate_params(
    {
        "method": [Options({"louvain", "leiden"})],
        "resolution": [Interval(float, 0, None, closed="neither")],
        "weight": [_is_weight],
        "seed": [Interval(int, 0)],
        "backend": [Options({"sknetwork", "networkx"})],
    }
)
def communities(
    G: Any,
    *,
    method: str = "louvain",
    resolution: float = 1.0,
    weight: str | None = "weight",
    seed: int = 0,
    backend: str = "sknetwork",
) -> pd.Series:
    """Detect communities by modularity optimisation (Louvain or Leiden), seeded.

    Parameters
    ----------
    G : networkx graph or CompactGraph
        Directed graphs are read as undirected, each pair weighing the sum of both directions.
    method : {"louvain", "leiden"}, default "louvain"
        Leiden (Traag et al. 2019) guarantees connected communities; Louvain (Blondel et al.
        2008) does not.
    resolution : float, default 1
        gamma in the modularity. **Raise it to find smaller communities**: modularity has a
        resolution limit (Fortunato and Barthélemy 2007), so at gamma = 1 a simulated
        organisation with 1,047 planted departments came out as about 200 communities in
        every library tried for issue 7. On ``benchmarks/_orggen.py``'s 100,000-person
        organisation (1,042 departments, 3 million ties) this function found 671 communities
        at gamma = 1 (adjusted Rand 0.73 against the departments) and exactly the 1,042
        departments at gamma = 2, 4 and 8. Compare the result with the formal groups over a
        few resolutions (:func:`resolution_scan`) before reading it.
    weight : str or None, default "weight"
    seed : int, default 0
        The node order is shuffled with this seed; rerun with other seeds to see how stable
        the partition is (many near-optimal partitions exist, Good et al. 2010).
    backend : {"sknetwork", "networkx"}, default "sknetwork"
        scikit-network (BSD; compiled, the fastest measured here, deterministic for a seed) or
        networkx's pure-Python Louvain (the reference; no Leiden).

    Returns
    -------
    Series
        Community number per person (0 = largest). ``attrs``: ``level="person"``, ``method``,
        ``resolution``, ``seed``, ``backend``, ``modularity`` (Q of the result at this
        resolution on the undirected graph), ``n_communities``.

    References
    ----------
    Blondel, V. D. et al. (2008). J. Stat. Mech. P10008.
    https://doi.org/10.1088/1742-5468/2008/10/P10008

    Traag, V. A., Waltman, L. and van Eck, N. J. (2019). Scientific Reports 9, 5233.
    https://doi.org/10.1038/s41598-019-41695-z

    Fortunato, S. and Barthélemy, M. (2007). Resolution limit in community detection.
    PNAS 104(1), 36-41. https://doi.org/10.1073/pnas.0605965104

    Good, B. H., de Montjoye, Y.-A. and Clauset, A. (2010). Performance of modularity
    maximization in practical contexts. Physical Review E 81, 046106.
    https://doi.org/10.1103/PhysRevE.81.046106

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.barbell_graph(5, 0)
    >>> c = communities(G, seed=1)
    >>> c.attrs["n_communities"], bool(c[0] == c[4] != c[5])
    (2, True)
    """
    cg, adj = _compact(G, weight)
    sym = sp.csr_array(adj + adj.T) if cg.directed else adj
    n = sym.shape[0]
    if backend == "networkx":
        if method == "leiden":
            raise InvalidParameterError(
                "networkx has no Leiden implementation of its own; use backend='sknetwork'"
            )
        import networkx as nx

        gx = nx.from_scipy_sparse_array(sym)
        blocks = nx.community.louvain_communities(
            gx, weight="weight", resolution=resolution, seed=seed
        )
        labels = np.empty(n, dtype=np.int64)
        for k, block in enumerate(sorted(blocks, key=len, reverse=True)):
            labels[list(block)] = k
    elif sym.nnz == 0:  # nothing to cluster: everyone is a community of their own
        labels = np.arange(n, dtype=np.int64)
    else:
        from sknetwork.clustering import Leiden, Louvain

        algo = Louvain if method == "louvain" else Leiden
        model = algo(
            resolution=resolution,
            modularity="newman",
            shuffle_nodes=True,
            random_state=seed,
            sort_clusters=True,
            return_probs=False,
            return_aggregate=False,
        )
        labels = np.asarray(model.fit_predict(sp.csr_matrix(sym)), dtype=np.int64)
    out = pd.Series(labels, index=cg.nodes, name="community")
    out.attrs.update(
        level="person",
        method=method,
        resolution=resolution,
        seed=seed,
        backend=backend,
        weight=weight or "ties",
        modularity=_modularity(sym, labels, resolution),
        n_communities=int(len(np.unique(labels))),
    )
    return out


def _is_resolutions(value: Any) -> bool:
    try:
        values = list(value)
    except TypeError:
        return False
    return bool(values) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in values
    )


_is_resolutions.description = "a non-empty list of positive numbers"  # type: ignore[attr-defined]


@validate_params(
    {
        "resolutions": [_is_resolutions],
        "groups": [None, _is_groups],
        "method": [Options({"louvain", "leiden"})],
        "weight": [_is_weight],
        "seed": [Interval(int, 0)],
        "n_seeds": [Interval(int, 1)],
    }
)
def resolution_scan(
    G: Any,
    resolutions: Iterable[float] = (0.5, 1, 2, 4, 8, 16),
    *,
    groups: str | Mapping | pd.Series | None = None,
    method: str = "louvain",
    weight: str | None = "weight",
    seed: int = 0,
    n_seeds: int = 1,
) -> pd.DataFrame:
    """Communities found at several resolutions, and how well each matches the formal groups.

    The way to choose :func:`communities`' ``resolution``: at gamma = 1 modularity merges
    small groups (the resolution limit), so look for the range where the number of
    communities and the agreement with the formal groups settle.

    Parameters
    ----------
    G : networkx graph or CompactGraph
    resolutions : list of float, default (0.5, 1, 2, 4, 8, 16)
    groups : str, mapping or Series, optional
        Formal groups to compare with (:func:`compare_partitions`).
    method, weight, seed
        As in :func:`communities`.
    n_seeds : int, default 1
        With more than one, also run seeds ``seed + 1``... and report how stable the partition
        is across them (measures.md §2.5: many near-optimal partitions exist).

    Returns
    -------
    DataFrame
        Indexed by resolution: ``communities``, ``modularity`` (at that resolution) and
        ``modularity_at_1`` (standard Q, comparable across rows); with ``groups``, ``nmi``,
        ``ari`` and ``groups``; with ``n_seeds > 1``, ``seed_ari``: the mean adjusted Rand
        index between the partitions of the different seeds (1 = the same every time).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.ring_of_cliques(30, 4)
    >>> scan = resolution_scan(G, [1, 8], groups={v: v // 4 for v in G})
    >>> bool(scan.loc[1.0, "communities"] < 30), int(scan.loc[8.0, "communities"])
    (True, 30)
    >>> float(scan.loc[8.0, "ari"])
    1.0
    """
    cg, adj = _compact(G, weight)
    sym = sp.csr_array(adj + adj.T) if cg.directed else adj
    rows = {}
    for gamma in resolutions:
        found = communities(cg, method=method, resolution=float(gamma), weight=weight, seed=seed)
        row = {
            "communities": found.attrs["n_communities"],
            "modularity": found.attrs["modularity"],
            "modularity_at_1": _modularity(sym, found.to_numpy(), 1.0),
        }
        if n_seeds > 1:
            runs = [found] + [
                communities(cg, method=method, resolution=float(gamma), weight=weight, seed=s)
                for s in range(seed + 1, seed + n_seeds)
            ]
            aris = [
                compare_partitions(runs[a], runs[b])["ari"]
                for a in range(n_seeds)
                for b in range(a + 1, n_seeds)
            ]
            row["seed_ari"] = float(np.mean(aris))
        if groups is not None:
            labels = _group_labels(cg, groups).dropna()
            agreement = compare_partitions(labels, found)
            row.update(nmi=agreement["nmi"], ari=agreement["ari"], groups=agreement["groups_a"])
        rows[float(gamma)] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "resolution"
    out.attrs.update(
        method=method, seed=seed, n_seeds=n_seeds, weight=weight or "ties", level="network"
    )
    return out


# --------------------------------------------------------------------------- comparison


def _entropy(counts: np.ndarray) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def compare_partitions(a: Mapping | pd.Series, b: Mapping | pd.Series) -> pd.Series:
    """Agreement of two partitions of people: normalised mutual information and adjusted Rand.

    Only people with a label in both are compared.

    Parameters
    ----------
    a, b : mapping or Series
        Person → group (e.g. the formal departments and :func:`communities`).

    Returns
    -------
    Series
        ``nmi``: 2 I(a; b) / (H(a) + H(b)) (arithmetic-mean normalisation, Danon et al. 2005;
        1 when both partitions are a single group); ``ari``: the adjusted Rand index (Hubert
        and Arabie 1985), 0 for chance agreement, 1 for identical partitions (also when it is
        undefined, both partitions being all singletons);
        ``people``, ``groups_a``, ``groups_b``.

    References
    ----------
    Danon, L., Díaz-Guilera, A., Duch, J. and Arenas, A. (2005). Comparing community structure
    identification. J. Stat. Mech. P09008. https://doi.org/10.1088/1742-5468/2005/09/P09008

    Hubert, L. and Arabie, P. (1985). Comparing partitions. Journal of Classification 2,
    193-218. https://doi.org/10.1007/BF01908075

    Examples
    --------
    >>> compare_partitions({1: "x", 2: "x", 3: "y", 4: "y"}, {1: 0, 2: 0, 3: 1, 4: 1})["ari"]
    np.float64(1.0)
    """
    check_param("compare_partitions", "a", a, [Mapping, pd.Series])
    check_param("compare_partitions", "b", b, [Mapping, pd.Series])
    sa = pd.Series(a, dtype=object) if not isinstance(a, pd.Series) else a
    sb = pd.Series(b, dtype=object) if not isinstance(b, pd.Series) else b
    both = pd.concat([sa.rename("a"), sb.rename("b")], axis=1, join="inner").dropna()
    ca, _ = pd.factorize(both["a"])
    cb, _ = pd.factorize(both["b"])
    n = len(both)
    if n == 0:
        raise InvalidParameterError("the two partitions share no labelled people")
    table = sp.coo_array((np.ones(n), (ca, cb))).toarray()
    ra, rb = table.sum(axis=1), table.sum(axis=0)
    ha, hb = _entropy(ra), _entropy(rb)
    nz = table > 0
    mi = float((table[nz] / n * np.log(table[nz] * n / np.outer(ra, rb)[nz])).sum())
    nmi = 1.0 if ha + hb == 0 else 2 * mi / (ha + hb)

    def pairs(x: np.ndarray) -> float:
        return float((x * (x - 1) / 2).sum())

    index, sum_a, sum_b = pairs(table), pairs(ra), pairs(rb)
    expected = sum_a * sum_b / (n * (n - 1) / 2) if n > 1 else 0.0
    top = (sum_a + sum_b) / 2
    ari = 1.0 if top == expected else (index - expected) / (top - expected)
    return pd.Series(
        {"nmi": nmi, "ari": ari, "people": n, "groups_a": len(ra), "groups_b": len(rb)},
        name="agreement",
    )


# --------------------------------------------------------------------------- assortativity


@validate_params(
    {
        "attribute": [_is_groups],
        "weight": [_is_weight],
        "kind": [Options({"auto", "categorical", "numeric"})],
    }
)
def assortativity(
    G: Any,
    attribute: str | Mapping | pd.Series,
    *,
    weight: str | None = None,
    kind: str = "auto",
) -> float:
    """Newman's assortativity coefficient r of ties by a person attribute.

    Categorical: ``r = (sum_g e_gg - sum_g a_g b_g) / (1 - sum_g a_g b_g)``, with e the mixing
    matrix normalised to sum 1 (rows: the tie's source, columns: its target; each undirected
    tie counted in both directions) and a, b its row and column sums (Newman 2003). Numeric:
    the Pearson correlation of the attribute at the two ends of each tie (Newman 2002).

    Parameters
    ----------
    G : networkx graph or CompactGraph
    attribute : str, mapping or Series
        Node attribute name, or person → value. Ties with a missing end are left out.
    weight : str or None, default None
        None counts ties; an edge attribute weighs each tie.
    kind : {"auto", "categorical", "numeric"}, default "auto"
        "auto" is numeric for numbers, categorical otherwise.

    Returns
    -------
    float
        -1 (disassortative) ... 0 (random mixing) ... 1 (ties only within categories).

    References
    ----------
    Newman, M. E. J. (2003). Physical Review E 67, 026126.
    https://doi.org/10.1103/PhysRevE.67.026126

    Newman, M. E. J. (2002). Assortative mixing in networks. Physical Review Letters 89,
    208701. https://doi.org/10.1103/PhysRevLett.89.208701

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([(0, 1), (2, 3), (1, 2)])
    >>> round(assortativity(G, {0: "x", 1: "x", 2: "y", 3: "y"}), 4)
    0.3333
    """
    cg, adj = _compact(G, weight)
    labels = _group_labels(cg, attribute)
    i, j, w = _ties(cg, adj)
    if not cg.directed:
        i, j, w = np.concatenate([i, j]), np.concatenate([j, i]), np.concatenate([w, w])
    numeric = kind == "numeric" or (
        kind == "auto" and pd.api.types.is_numeric_dtype(pd.Series(labels.dropna().tolist()))
        and labels.notna().any()
    )
    if numeric:
        x = pd.to_numeric(labels, errors="coerce").to_numpy(dtype=np.float64)
        ok = np.isfinite(x[i]) & np.isfinite(x[j])
        xi, xj, ww = x[i][ok], x[j][ok], w[ok]
        if ww.sum() == 0:
            return float("nan")
        mi, mj = np.average(xi, weights=ww), np.average(xj, weights=ww)
        cov = np.average((xi - mi) * (xj - mj), weights=ww)
        sd = np.sqrt(np.average((xi - mi) ** 2, weights=ww) * np.average((xj - mj) ** 2, weights=ww))
        return float(cov / sd) if sd > 0 else float("nan")
    codes, names = _codes(labels)
    e = _group_mixing(codes, len(names), i, j, w)
    total = e.sum()
    if total == 0:
        return float("nan")
    e = e / total
    ab = float(e.sum(axis=1) @ e.sum(axis=0))
    return float((np.trace(e) - ab) / (1 - ab)) if ab < 1 else float("nan")


@validate_params({"groups": [_is_groups], "min_group_size": [Interval(int, 1)]})
def segregation(
    G: Any, groups: str | Mapping | pd.Series, *, min_group_size: int = MIN_GROUP_SIZE
) -> pd.DataFrame:
    """Segregation indices: Coleman's homophily index per group and the within-group odds ratio.

    Ties are counted unweighted; an undirected tie counts as two arcs.

    * **Coleman's index** for group g: with s the share of g's ties (arcs sent) that stay in g
      and e = (n_g - 1) / (n - 1) the share expected if people chose among everyone at random,
      ``C = (s - e) / (1 - e)`` when s >= e, else ``(s - e) / e`` (Coleman 1958): 1 when all
      ties stay in the group, 0 at chance, -1 when none do.
    * **orwg** (``attrs["orwg"]``): odds of a tie between two people of the same group over the
      odds between two people of different groups (Bojanowski and Corten 2014).

    Parameters
    ----------
    G : networkx graph or CompactGraph
    groups : str, mapping or Series
    min_group_size : int, default 5
        Smaller groups are dropped from the table (:mod:`ona.privacy`); orwg uses everyone.

    Returns
    -------
    DataFrame
        Indexed by group: ``size``, ``ties``, ``within``, ``coleman``.

    References
    ----------
    Bojanowski, M. and Corten, R. (2014). Social Networks 39, 14-32.
    https://doi.org/10.1016/j.socnet.2014.04.001

    Coleman, J. S. (1958). Relational analysis: the study of social organizations with survey
    methods. Human Organization 17(4), 28-36.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([(0, 1), (1, 2), (3, 4), (2, 3)])
    >>> seg = segregation(G, {0: "x", 1: "x", 2: "x", 3: "y", 4: "y"}, min_group_size=1)
    >>> seg["coleman"].round(4).tolist(), round(seg.attrs["orwg"], 4)
    ([0.6, 0.5556], 15.0)
    """
    cg, adj = _compact(G, None)
    codes, names = _codes(_group_labels(cg, groups))
    k = len(names)
    i, j, w = _ties(cg, adj)
    if not cg.directed:
        i, j, w = np.concatenate([i, j]), np.concatenate([j, i]), np.concatenate([w, w])
    m = _group_mixing(codes, k, i, j, w)
    sizes = _sizes(codes, names)
    n_g = sizes.to_numpy(dtype=np.float64)
    n = n_g.sum()
    sent, within = m.sum(axis=1), np.diag(m)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = within / sent
        e = (n_g - 1) / (n - 1)
        coleman = np.where(s >= e, (s - e) / (1 - e), (s - e) / e)
    within_pairs = float((n_g * (n_g - 1)).sum())
    between_pairs = n * (n - 1) - within_pairs
    w_ties, b_ties = np.float64(np.trace(m)), np.float64(m.sum() - np.trace(m))
    with np.errstate(invalid="ignore", divide="ignore"):
        orwg = (w_ties / (within_pairs - w_ties)) / (b_ties / (between_pairs - b_ties))
    table = pd.DataFrame(
        {"size": sizes, "ties": sent, "within": within, "coleman": coleman}, index=names
    )
    out = _privacy(table, sizes, min_group_size)
    out.attrs["orwg"] = float(orwg)
    return out


# --------------------------------------------------------------------------- silo scores


def _stubs(cg: CompactGraph, adj: sp.csr_array) -> tuple[np.ndarray, np.ndarray]:
    """Tie ends to rewire: (tail, head) stub lists of the binary graph.

    Arcs keep each person's out- and in-degree; undirected ties keep each person's degree.
    """
    i, j, _ = _ties(cg, adj)
    if cg.directed:
        return i, j
    ends = np.concatenate([i, j])
    return ends, ends


@validate_params(
    {
        "groups": [_is_groups],
        "n_null": [Interval(int, 1)],
        "seed": [Interval(int, 0)],
        "min_group_size": [Interval(int, 1)],
    }
)
def silo_scores(
    G: Any,
    groups: str | Mapping | pd.Series,
    *,
    n_null: int = 200,
    seed: int = 0,
    min_group_size: int = MIN_GROUP_SIZE,
) -> pd.DataFrame:
    """How much more each group keeps to itself than a degree-preserving random network would.

    For group g, the **internal share** is the share of its members' tie ends whose other end
    is also in g (ties counted unweighted; arcs in either direction on directed graphs). The
    null model rewires all ties at random keeping every person's degree (out- and in-degree
    for arcs): the configuration model, the null model of modularity, drawn ``n_null`` times
    by shuffling tie ends with ``seed`` (multi-ties and self-ties allowed, as in that model).

    Parameters
    ----------
    G : networkx graph or CompactGraph
    groups : str, mapping or Series
    n_null : int, default 200
        Number of random networks.
    seed : int, default 0
    min_group_size : int, default 5
        Smaller groups are dropped (:mod:`ona.privacy`).

    Returns
    -------
    DataFrame
        Indexed by group: ``size``, ``tie_ends``, ``internal_share``, ``expected_share`` and
        ``null_sd`` (mean and standard deviation under the null), ``z``, ``p_value``
        (one-sided, (b + 1) / (n_null + 1) with b the null draws at least as internal,
        Phipson and Smyth 2010) and ``silo_score`` = (internal - expected) / (1 - expected):
        0 as random given the degrees, 1 when every tie stays inside.

    References
    ----------
    Newman, M. E. J. (2006). Modularity and community structure in networks. PNAS 103(23),
    8577-8582. https://doi.org/10.1073/pnas.0601602103

    Phipson, B. and Smyth, G. K. (2010). Permutation p-values should never be zero. Stat. Appl.
    Genet. Mol. Biol. 9(1), 39. https://doi.org/10.2202/1544-6115.1585

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.connected_caveman_graph(4, 5)
    >>> teams = {v: v // 5 for v in G}
    >>> s = silo_scores(G, teams, n_null=50, seed=1)
    >>> bool((s["silo_score"] > 0.5).all()), float(s["p_value"].max()) < 0.05
    (True, True)
    """
    cg, adj = _compact(G, None)
    codes, names = _codes(_group_labels(cg, groups))
    k = len(names)
    tail, head = _stubs(cg, adj)
    # tie ends of each group: both endpoints of every tie (arc tails and heads)
    end_codes = codes[np.concatenate([tail, head])] if cg.directed else codes[tail]
    ends = np.bincount(end_codes[end_codes >= 0], minlength=k).astype(np.float64)

    def internal(t: np.ndarray, h: np.ndarray) -> np.ndarray:
        a, b = codes[t], codes[h]
        same = (a >= 0) & (a == b)
        return 2.0 * np.bincount(a[same], minlength=k)

    if cg.directed:
        observed = internal(tail, head)
    else:  # each undirected tie listed once in the first half of the stub list
        half = len(tail) // 2
        observed = internal(tail[:half], head[half:])
    rng = np.random.default_rng(seed)
    null = np.empty((n_null, k))
    for r in range(n_null):
        if cg.directed:
            null[r] = internal(tail, rng.permutation(head))
        else:
            stubs = rng.permutation(tail)
            null[r] = internal(stubs[0::2], stubs[1::2])
    with np.errstate(invalid="ignore", divide="ignore"):
        share = observed / ends
        null_share = null / ends
        expected = null_share.mean(axis=0)
        sd = null_share.std(axis=0, ddof=1) if n_null > 1 else np.full(k, np.nan)
        z = (share - expected) / sd
        score = (share - expected) / (1 - expected)
    p = ((null >= observed).sum(axis=0) + 1) / (n_null + 1)
    sizes = _sizes(codes, names)
    table = pd.DataFrame(
        {
            "size": sizes,
            "tie_ends": ends,
            "internal_share": share,
            "expected_share": expected,
            "null_sd": sd,
            "z": z,
            "p_value": p,
            "silo_score": score,
        },
        index=names,
    )
    out = _privacy(table, sizes, min_group_size)
    out.attrs.update(
        null_model="configuration model (degree-preserving rewiring of unweighted ties)",
        n_null=n_null,
        seed=seed,
    )
    return out
