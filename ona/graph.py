"""From an Interactions table to a weighted graph of people.

Two graph types are accepted everywhere in :mod:`ona.analysis`:

* a networkx ``DiGraph``/``Graph`` (what :func:`build_graph` returns by default): the type users
  know, can draw and can hand to other tools;
* a :class:`CompactGraph`: a CSR weight matrix with the sorted person ids beside it, built
  straight from the edge table without creating a Python object per tie. At 100,000 people and
  3 million ties a networkx graph takes about 16 s and gigabytes to build, a CSR matrix a tenth
  of a second, so large organisations should use ``build_graph(..., compact=True)``.

Measures call :func:`as_compact` once at their boundary. To run several measures on a networkx
graph without converting it each time, convert it once yourself with :func:`as_compact`.

Tie-strength rules
------------------
Interaction weights are **strengths** (more interaction = a stronger tie), never distances.

* ``weight="count"``: every interaction event adds 1 to the tie source→target.
* ``weight="recipient_share"``: an event with ``n_recipients = n`` adds ``1/n`` to each
  source→recipient tie, so one e-mail to 50 people weighs as much as one e-mail to one person
  (Newman 2001's collaboration weighting). A missing ``n_recipients`` counts as 1.
* ``weight=<column>``: the column's values are summed (e.g. ``"weight"``, which importers fill
  with meeting hours, Viva tie scores or 1/(n-1) for group messages).
* The weights of all events from i to j in the window are summed into one tie weight ``w_ij``.
* ``directed=False``: the undirected tie weight is the sum of both directions,
  ``w_ij + w_ji``.
* ``reciprocal_only=True`` keeps a pair only if both i→j and j→i occur in the window (Kossinets
  and Watts 2006: one-way broadcasts are not relationships).
* Ties with a total weight of zero are dropped (they would count as neighbours in constraint and
  degree although nothing was exchanged); ties below ``min_weight`` are dropped afterwards.
* Self-interactions never make ties.

References
----------
Granovetter, M. S. (1973). The strength of weak ties. American Journal of Sociology 78(6),
1360-1380. https://doi.org/10.1086/225469

Newman, M. E. J. (2001). Scientific collaboration networks. II. Physical Review E 64, 016132.
https://doi.org/10.1103/PhysRevE.64.016132

Kossinets, G. and Watts, D. J. (2006). Empirical analysis of an evolving social network.
Science 311(5757), 88-90. https://doi.org/10.1126/science.1116869
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from ona._validation import Interval, Options, validate_params
from ona.exceptions import InvalidParameterError

__all__ = ["CompactGraph", "as_compact", "build_graph", "windows"]

# People columns that describe a row's validity, not the person: never node attributes.
_VALIDITY_COLUMNS = ("person_id", "valid_from", "valid_to")


class CompactGraph:
    """A weighted graph of people as a CSR matrix with the person ids beside it.

    Parameters
    ----------
    nodes : sequence
        Person ids, unique; stored sorted (the rows and columns of ``adj`` follow this order).
    adj : scipy sparse array or matrix, shape (n, n)
        ``adj[i, j]`` = summed weight of the tie i→j, in the order of ``nodes`` as given.
        Non-negative; the diagonal (self-ties) is dropped, and so are explicit zeros.
    directed : bool
        If False, ``adj`` must be symmetric.
    node_attrs : DataFrame, optional
        Node attributes indexed by person id (missing people get missing values).
    graph : dict, optional
        Metadata (how the graph was built), like networkx's ``G.graph``.

    Attributes
    ----------
    nodes : pandas.Index
        Sorted person ids.
    adj : scipy.sparse.csr_array
        Float64 weights, rows and columns in the order of ``nodes``.
    directed : bool
    node_attrs : pandas.DataFrame
        Indexed like ``nodes``.
    graph : dict

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> g = CompactGraph(["b", "a"], sp.csr_array([[0, 2.0], [1.0, 0]]), directed=True)
    >>> list(g.nodes), g.adj.toarray().tolist()
    (['a', 'b'], [[0.0, 1.0], [2.0, 0.0]])
    >>> g.number_of_edges()
    2
    >>> sorted(g.to_networkx().edges(data="weight"))
    [('a', 'b', 1.0), ('b', 'a', 2.0)]
    """

    def __init__(
        self,
        nodes: Iterable[Any],
        adj: Any,
        *,
        directed: bool = True,
        node_attrs: pd.DataFrame | None = None,
        graph: Mapping[str, Any] | None = None,
    ):
        nodes = pd.Index(list(nodes) if not isinstance(nodes, pd.Index) else nodes)
        if not nodes.is_unique:
            raise InvalidParameterError("CompactGraph nodes must be unique")
        adj = sp.csr_array(adj, dtype=np.float64)
        n = len(nodes)
        if adj.shape != (n, n):
            raise InvalidParameterError(
                f"CompactGraph adj must be {n} x {n} to match the nodes, got {adj.shape}"
            )
        if adj.nnz and (adj.data < 0).any() or not np.isfinite(adj.data).all():
            raise InvalidParameterError("CompactGraph weights must be finite and non-negative")
        order = _sort_order(nodes)
        if order is not None:
            nodes = nodes[order]
            adj = adj[order][:, order]
        adj = sp.csr_array(adj)
        adj.setdiag(0)
        adj.eliminate_zeros()
        adj.sum_duplicates()
        adj.sort_indices()
        if not directed and adj.nnz and abs(adj - adj.T).max() > 1e-12 * max(adj.max(), 1.0):
            raise InvalidParameterError("an undirected CompactGraph needs a symmetric adj")
        self.nodes = nodes
        self.adj = adj
        self.directed = bool(directed)
        attrs = node_attrs if node_attrs is not None else pd.DataFrame(index=nodes)
        self.node_attrs = attrs.reindex(nodes)
        self.graph = dict(graph or {})
        # kernel objects (rustworkx/networkit graphs) built from this graph: it is treated as
        # immutable, so each conversion is done once per graph, not once per measure.
        self._cache: dict[Any, Any] = {}

    def __len__(self) -> int:
        return len(self.nodes)

    def __repr__(self) -> str:
        kind = "directed" if self.directed else "undirected"
        return (
            f"<CompactGraph {kind}: {self.number_of_nodes()} people, {self.number_of_edges()} ties>"
        )

    def number_of_nodes(self) -> int:
        """Number of people."""
        return len(self.nodes)

    def number_of_edges(self) -> int:
        """Number of ties (an undirected tie counts once)."""
        if self.directed:
            return int(self.adj.nnz)
        return int(sp.triu(self.adj, k=0).nnz)

    def edges(self) -> pd.DataFrame:
        """The ties as a table with columns ``source``, ``target``, ``weight``.

        Undirected ties appear once, with ``source`` before ``target`` in node order.
        """
        m = self.adj if self.directed else sp.triu(self.adj, k=1)
        coo = sp.coo_array(m)
        return pd.DataFrame(
            {
                "source": self.nodes[coo.row],
                "target": self.nodes[coo.col],
                "weight": coo.data.astype(np.float64),
            }
        )

    def to_networkx(self) -> nx.Graph:
        """A networkx ``DiGraph`` (or ``Graph``) with the same ties, weights and attributes."""
        g: nx.Graph = nx.DiGraph() if self.directed else nx.Graph()
        g.graph.update(self.graph)
        attrs = self.node_attrs
        if attrs.shape[1]:
            records = attrs.to_dict(orient="records")
            g.add_nodes_from(
                (node, {k: v for k, v in rec.items() if not _is_missing(v)})
                for node, rec in zip(self.nodes, records, strict=True)
            )
        else:
            g.add_nodes_from(self.nodes)
        e = self.edges()
        g.add_weighted_edges_from(
            zip(e["source"].tolist(), e["target"].tolist(), e["weight"].tolist(), strict=True)
        )
        return g


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists, arrays: present
        return False


def _sort_order(nodes: pd.Index) -> np.ndarray | None:
    """Positions that sort ``nodes``, or None when they already are (or cannot be) sorted."""
    if nodes.is_monotonic_increasing:
        return None
    try:
        return np.asarray(nodes.argsort(), dtype=np.intp)
    except TypeError:  # mixed, unorderable labels: sort by type name then text
        keys = [(type(x).__name__, str(x)) for x in nodes]
        return np.array(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.intp)


def as_compact(G: Any, weight: str | None = "weight") -> CompactGraph:
    """Return ``G`` as a :class:`CompactGraph` (a CompactGraph is returned as is).

    Parameters
    ----------
    G : networkx.Graph, networkx.DiGraph or CompactGraph
        Parallel edges of a multigraph are summed; self-loops are dropped.
    weight : str or None, default "weight"
        Edge attribute holding the tie strength (edges without it weigh 1); None for unweighted.

    Examples
    --------
    >>> import networkx as nx
    >>> g = as_compact(nx.path_graph(3))
    >>> g.adj.toarray().tolist(), g.directed
    ([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]], False)
    >>> as_compact(g) is g
    True
    """
    if isinstance(G, CompactGraph):
        return G
    if not isinstance(G, nx.Graph):
        raise InvalidParameterError(
            f"expected a networkx graph or a CompactGraph, got {type(G).__name__}"
        )
    nodes = pd.Index(list(G.nodes))
    order = _sort_order(nodes)
    if order is not None:
        nodes = nodes[order]
    nodelist = list(nodes)
    if G.number_of_edges():
        adj = nx.to_scipy_sparse_array(G, nodelist=nodelist, weight=weight, format="csr")
    else:
        adj = sp.csr_array((len(nodelist), len(nodelist)), dtype=np.float64)
    data = dict(G.nodes(data=True))
    attrs = pd.DataFrame.from_dict(data, orient="index") if any(data.values()) else None
    return CompactGraph(nodes, adj, directed=G.is_directed(), node_attrs=attrs, graph=dict(G.graph))


# --------------------------------------------------------------------------- building


def _timestamp(value: Any) -> pd.Timestamp | None:
    if value is None:
        return None
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _as_list(value: str | Iterable[str] | None) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)


def _is_str_or_strings(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return isinstance(value, (list, tuple, set, frozenset)) and all(
        isinstance(v, str) for v in value
    )


_is_str_or_strings.description = "a str or a list of str"  # type: ignore[attr-defined]


def _is_time(value: Any) -> bool:
    if isinstance(value, (str, _dt.date, np.datetime64)):
        try:
            pd.Timestamp(value)
        except (ValueError, TypeError):
            return False
        return True
    return False


_is_time.description = "a date, datetime or ISO date string"  # type: ignore[attr-defined]

_BUILD_CONSTRAINTS: dict[str, list[Any]] = {
    "start": [None, _is_time],
    "end": [None, _is_time],
    "channels": [None, _is_str_or_strings],
    "kinds": [None, _is_str_or_strings],
    "weight": [Options({"count", "recipient_share"}), str],
    "min_weight": [Interval(float, 0)],
    "reciprocal_only": [bool],
    "drop_automated": [bool],
    "drop_mass": [bool],
    "directed": [bool],
    "compact": [bool],
    "isolates": [bool],
    "internal_only": [bool],
}


def _select(
    interactions: pd.DataFrame,
    channels: list[str] | None,
    kinds: list[str] | None,
    drop_automated: bool,
    drop_mass: bool,
) -> pd.DataFrame:
    """Rows kept by the channel/kind/automated/mass filters (no time filter)."""
    if not isinstance(interactions, pd.DataFrame):
        raise InvalidParameterError(
            f"interactions must be a pandas DataFrame, got {type(interactions).__name__}"
        )
    missing = [c for c in ("source", "target") if c not in interactions.columns]
    if missing:
        raise InvalidParameterError(f"interactions lack column(s): {', '.join(missing)}")
    keep = np.ones(len(interactions), dtype=bool)
    for column, allowed in (("channel", channels), ("kind", kinds)):
        if allowed is not None:
            if column not in interactions.columns:
                raise InvalidParameterError(f"interactions lack the {column!r} column to filter on")
            keep &= interactions[column].isin(allowed).to_numpy(dtype=bool, na_value=False)
    for column, drop in (("automated", drop_automated), ("mass", drop_mass)):
        if drop and column in interactions.columns:
            keep &= ~interactions[column].fillna(False).to_numpy(dtype=bool)
    return interactions.loc[keep] if not keep.all() else interactions


def _timestamps(frame: pd.DataFrame) -> pd.Series:
    if "timestamp" not in frame.columns:
        raise InvalidParameterError("interactions lack the 'timestamp' column needed for windows")
    ts = frame["timestamp"]
    if not isinstance(ts.dtype, pd.DatetimeTZDtype):
        ts = pd.to_datetime(ts, utc=True, format="mixed")
    return ts


def _event_weights(frame: pd.DataFrame, weight: str) -> np.ndarray:
    if weight == "count":
        return np.ones(len(frame), dtype=np.float64)
    if weight == "recipient_share":
        if "n_recipients" not in frame.columns:
            raise InvalidParameterError(
                "weight='recipient_share' needs the 'n_recipients' column in interactions"
            )
        n = pd.to_numeric(frame["n_recipients"], errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        n = np.where(np.isfinite(n) & (n >= 1), n, 1.0)
        return 1.0 / n
    if weight not in frame.columns:
        raise InvalidParameterError(
            f"weight must be 'count', 'recipient_share' or a column of interactions; "
            f"{weight!r} is not a column"
        )
    w = pd.to_numeric(frame[weight], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    if not np.isfinite(w).all() or (w < 0).any():
        raise InvalidParameterError(
            f"column {weight!r} must hold finite, non-negative numbers to be used as weight"
        )
    return w


def _people_at(people: pd.DataFrame, when: pd.Timestamp | None) -> pd.DataFrame:
    """One row per person: the attributes in force at ``when`` (latest row if ``when`` is None).

    A row is in force at t when ``valid_from <= t < valid_to`` (missing bounds are open).
    """
    if not isinstance(people, pd.DataFrame) or "person_id" not in people.columns:
        raise InvalidParameterError("people must be a DataFrame with a 'person_id' column")
    p = people.reset_index(drop=True)
    lo = hi = None
    if "valid_from" in p.columns:
        lo = pd.to_datetime(p["valid_from"], utc=True)
    if "valid_to" in p.columns:
        hi = pd.to_datetime(p["valid_to"], utc=True)
    if when is not None:
        ok = np.ones(len(p), dtype=bool)
        if lo is not None:
            ok &= (lo.isna() | (lo <= when)).to_numpy(dtype=bool)
        if hi is not None:
            ok &= (hi.isna() | (when < hi)).to_numpy(dtype=bool)
        p = p.loc[ok]
        lo = lo.loc[ok] if lo is not None else None
    if lo is not None:
        # without a reference time, or if validity overlaps anyway, the latest row wins
        p = p.assign(_from=lo).sort_values("_from", kind="stable", na_position="first")
        p = p.drop(columns="_from")
    p = p.drop_duplicates("person_id", keep="last")
    attrs = p.set_index("person_id").drop(
        columns=[c for c in _VALIDITY_COLUMNS if c in p.columns and c != "person_id"]
    )
    attrs.index.name = None
    return attrs


def _aggregate(
    frame: pd.DataFrame,
    weight: str,
    extra_nodes: pd.Index | None,
    *,
    min_weight: float,
    reciprocal_only: bool,
    directed: bool,
) -> tuple[pd.Index, sp.csr_array]:
    """Sum event weights per ordered pair and apply the tie rules; nodes sorted."""
    w = _event_weights(frame, weight)
    m = len(frame)
    # one shared vocabulary for both columns, factorised in C without Python objects
    both = pd.concat([frame["source"], frame["target"]], ignore_index=True)
    codes, labels = pd.factorize(both, use_na_sentinel=True)
    labels = pd.Index(labels)
    i, j = codes[:m], codes[m:]
    keep = (i != j) & (i >= 0) & (j >= 0)
    i, j, w = i[keep], j[keep], w[keep]
    if extra_nodes is not None:
        extra = extra_nodes.difference(labels)
        labels = labels.append(extra) if len(extra) else labels
    order = _sort_order(labels)
    if order is not None:
        rank = np.empty(len(labels), dtype=np.int64)
        rank[order] = np.arange(len(labels))
        i, j = rank[i], rank[j]
        nodes = labels[order]
    else:
        nodes = labels
    n = len(nodes)
    adj = sp.csr_array(sp.coo_array((w, (i, j)), shape=(n, n)))  # sums repeated pairs
    adj.sum_duplicates()
    adj.eliminate_zeros()
    if reciprocal_only:
        back = (adj.T > 0).astype(np.float64)
        adj = sp.csr_array(adj.multiply(back))
    if not directed:
        adj = sp.csr_array(adj + adj.T)
    if min_weight > 0:
        adj.data[adj.data < min_weight] = 0.0
    adj.eliminate_zeros()
    return nodes, adj


def _build(
    frame: pd.DataFrame,
    people: pd.DataFrame | None,
    when: pd.Timestamp | None,
    meta: dict[str, Any],
    *,
    weight: str,
    min_weight: float,
    reciprocal_only: bool,
    directed: bool,
    compact: bool,
    isolates: bool,
    internal_only: bool,
) -> nx.Graph | CompactGraph:
    attrs = _people_at(people, when) if people is not None else None
    if attrs is not None and internal_only:
        inside = pd.Index(attrs.index)
        frame = frame.loc[
            frame["source"].isin(inside).to_numpy(dtype=bool)
            & frame["target"].isin(inside).to_numpy(dtype=bool)
        ]
    extra = pd.Index(attrs.index) if attrs is not None and isolates else None
    nodes, adj = _aggregate(
        frame,
        weight,
        extra,
        min_weight=min_weight,
        reciprocal_only=reciprocal_only,
        directed=directed,
    )
    node_attrs = attrs.reindex(nodes) if attrs is not None else None
    g = CompactGraph(nodes, adj, directed=directed, node_attrs=node_attrs, graph=meta)
    return g if compact else g.to_networkx()


@validate_params(_BUILD_CONSTRAINTS)
def build_graph(
    interactions: pd.DataFrame,
    people: pd.DataFrame | None = None,
    *,
    start: Any = None,
    end: Any = None,
    channels: str | Iterable[str] | None = None,
    kinds: str | Iterable[str] | None = None,
    weight: str = "count",
    min_weight: float = 0,
    reciprocal_only: bool = False,
    drop_automated: bool = True,
    drop_mass: bool = True,
    directed: bool = True,
    compact: bool = False,
    isolates: bool = True,
    internal_only: bool = False,
) -> nx.Graph | CompactGraph:
    """Build the weighted graph of who interacts with whom.

    Parameters
    ----------
    interactions : DataFrame
        An Interactions table (:mod:`ona.tables`); ``source`` and ``target`` are required, the
        other columns only when an option needs them.
    people : DataFrame, optional
        A People roster. Each node gets the attributes of **its own** ``person_id`` row (joined
        by id, never by position) that is in force at the window's end: a row with
        ``valid_from <= t < valid_to``, where t is the last instant before ``end``, or the last
        interaction's time when ``end`` is not given. ``valid_from``/``valid_to`` are not copied.
    start, end : date, datetime or str, optional
        The window ``[start, end)`` on ``timestamp`` (naive times are read as UTC).
    channels, kinds : str or list of str, optional
        Keep only these channels (``"email"``, ``"chat"``, ...) or kinds (``"to"``, ``"cc"``,
        ...). The default combines every channel; pass one channel for a per-channel graph.
    weight : {"count", "recipient_share"} or str, default "count"
        Tie strength: events counted, each event weighted 1/``n_recipients``, or the sum of
        the named column. See the module's tie-strength rules.
    min_weight : float, default 0
        Drop ties whose weight (after symmetrising, when undirected) is below this.
    reciprocal_only : bool, default False
        Keep only pairs that interacted in both directions within the window.
    drop_automated, drop_mass : bool, default True
        Leave out automated events (bounces, bots) and mass messages (lists, broadcasts).
    directed : bool, default True
        Directed ties source→target, or undirected ties weighing both directions summed.
    compact : bool, default False
        Return a :class:`CompactGraph` instead of a networkx graph (much faster and smaller for
        large organisations; every measure accepts both).
    isolates : bool, default True
        With ``people``, also add the people in force at the window's end who have no tie.
    internal_only : bool, default False
        With ``people``, keep only ties between people in force at the window's end (drops
        external addresses).

    Returns
    -------
    networkx.DiGraph, networkx.Graph or CompactGraph
        Edge attribute ``weight``; node attributes from ``people``; ``graph`` metadata records
        the choices made (window, channels, kinds, weight rule, filters).

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.DataFrame({
    ...     "timestamp": pd.to_datetime(["2026-01-05", "2026-01-06", "2026-01-07"], utc=True),
    ...     "source": ["ann", "ann", "bob"], "target": ["bob", "cat", "ann"],
    ...     "n_recipients": [2, 2, 1]})
    >>> G = build_graph(events, weight="recipient_share")
    >>> sorted(G.edges(data="weight"))
    [('ann', 'bob', 0.5), ('ann', 'cat', 0.5), ('bob', 'ann', 1.0)]
    >>> sorted(build_graph(events, reciprocal_only=True, directed=False).edges(data="weight"))
    [('ann', 'bob', 2.0)]
    """
    start_ts, end_ts = _timestamp(start), _timestamp(end)
    frame = _select(interactions, _as_list(channels), _as_list(kinds), drop_automated, drop_mass)
    when = None
    if start_ts is not None or end_ts is not None or people is not None:
        if "timestamp" in frame.columns:
            ts = _timestamps(frame)
            keep = np.ones(len(frame), dtype=bool)
            if start_ts is not None:
                keep &= (ts >= start_ts).to_numpy(dtype=bool, na_value=False)
            if end_ts is not None:
                keep &= (ts < end_ts).to_numpy(dtype=bool, na_value=False)
            frame = frame.loc[keep]
            if end_ts is None and keep.any():
                when = ts.loc[keep].max()
        elif start_ts is not None or end_ts is not None:
            _timestamps(frame)  # raises: a window needs timestamps
    if end_ts is not None:
        when = end_ts - pd.Timedelta(1, "us")
    meta = _metadata(
        start_ts,
        end_ts,
        channels,
        kinds,
        weight,
        min_weight,
        reciprocal_only,
        drop_automated,
        drop_mass,
        directed,
    )
    return _build(
        frame,
        people,
        when,
        meta,
        weight=weight,
        min_weight=min_weight,
        reciprocal_only=reciprocal_only,
        directed=directed,
        compact=compact,
        isolates=isolates,
        internal_only=internal_only,
    )


def _metadata(start, end, channels, kinds, weight, min_weight, reciprocal_only,
              drop_automated, drop_mass, directed) -> dict[str, Any]:  # fmt: skip
    return {
        "start": None if start is None else start.isoformat(),
        "end": None if end is None else end.isoformat(),
        "channels": _as_list(channels) or "all",
        "kinds": _as_list(kinds) or "all",
        "weight": weight,
        "min_weight": min_weight,
        "reciprocal_only": reciprocal_only,
        "drop_automated": drop_automated,
        "drop_mass": drop_mass,
        "directed": directed,
    }


@validate_params({"freq": [str], **_BUILD_CONSTRAINTS})
def windows(
    interactions: pd.DataFrame,
    people: pd.DataFrame | None = None,
    *,
    freq: str = "MS",
    start: Any = None,
    end: Any = None,
    channels: str | Iterable[str] | None = None,
    kinds: str | Iterable[str] | None = None,
    weight: str = "count",
    min_weight: float = 0,
    reciprocal_only: bool = False,
    drop_automated: bool = True,
    drop_mass: bool = True,
    directed: bool = True,
    compact: bool = False,
    isolates: bool = True,
    internal_only: bool = False,
) -> dict[pd.Timestamp, nx.Graph | CompactGraph]:
    """One graph per calendar period, e.g. per month.

    Periods are consecutive, non-overlapping ``[t_k, t_k+1)`` windows on the pandas frequency
    ``freq`` (``"MS"`` month starts, ``"W-MON"`` weeks, ``"QS"`` quarters), from the period
    holding the first interaction (or ``start``) to the one holding the last (or before
    ``end``). Periods without interactions give graphs with no ties (and the roster's people as
    isolates), so a time series has no gaps. Every other option is as in :func:`build_graph`,
    applied per window; people's attributes are those in force at each window's end.

    Parameters
    ----------
    interactions : DataFrame
        An Interactions table, as for :func:`build_graph`.
    people : DataFrame, optional
        A People roster; each window's nodes get the attributes in force at its end.
    freq : str, default "MS"
        A pandas frequency for the period starts.
    start, end : date, datetime or str, optional
        Limit the periods to ``[start, end)``.
    channels, kinds, weight, min_weight, reciprocal_only, drop_automated, drop_mass : optional
        As in :func:`build_graph`.
    directed, compact, isolates, internal_only : bool, optional
        As in :func:`build_graph`.

    Returns
    -------
    dict
        Period start (UTC ``Timestamp``) → graph, in time order.

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.DataFrame({
    ...     "timestamp": pd.to_datetime(["2026-01-05", "2026-03-06"], utc=True),
    ...     "source": ["ann", "bob"], "target": ["bob", "ann"]})
    >>> gs = windows(events, freq="MS")
    >>> [(str(t.date()), g.number_of_edges()) for t, g in gs.items()]
    [('2026-01-01', 1), ('2026-02-01', 0), ('2026-03-01', 1)]
    """
    frame = _select(interactions, _as_list(channels), _as_list(kinds), drop_automated, drop_mass)
    ts = _timestamps(frame)
    start_ts, end_ts = _timestamp(start), _timestamp(end)
    valid = ts.notna().to_numpy(dtype=bool).copy()
    if start_ts is not None:
        valid &= (ts >= start_ts).to_numpy(dtype=bool, na_value=False)
    if end_ts is not None:
        valid &= (ts < end_ts).to_numpy(dtype=bool, na_value=False)
    frame, ts = frame.loc[valid], ts.loc[valid]
    first = start_ts if start_ts is not None else (ts.min() if len(ts) else None)
    last = end_ts if end_ts is not None else (ts.max() if len(ts) else None)
    if first is None or last is None:
        return {}
    try:
        offset = pd.tseries.frequencies.to_offset(freq)
    except ValueError as exc:
        raise InvalidParameterError(
            f"The 'freq' parameter of windows must be a pandas frequency. Got {freq!r} instead."
        ) from exc
    # the period holding `first`: calendar offsets roll back to their anchor at or before the
    # first day; fixed ones (hours, days) floor to their multiple
    if isinstance(offset, pd.offsets.Tick):
        origin = first.floor(offset)
    else:
        origin = offset.rollback(first.normalize())
    bounds = [b for b in pd.date_range(origin, last, freq=offset) if end_ts is None or b < end_ts]
    if not bounds:  # start at or after end
        return {}
    bounds.append(bounds[-1] + offset)
    order = np.argsort(ts.to_numpy(), kind="stable")
    frame = frame.iloc[order]
    sorted_ts = ts.iloc[order]
    cuts = sorted_ts.searchsorted(bounds)
    out: dict[pd.Timestamp, nx.Graph | CompactGraph] = {}
    for k in range(len(bounds) - 1):
        lo, hi = bounds[k], bounds[k + 1]
        window = frame.iloc[cuts[k] : cuts[k + 1]]
        w_end = min(hi, end_ts) if end_ts is not None else hi
        meta = _metadata(lo, w_end, channels, kinds, weight, min_weight, reciprocal_only,
                         drop_automated, drop_mass, directed)  # fmt: skip
        out[lo] = _build(
            window,
            people,
            w_end - pd.Timedelta(1, "us"),
            meta,
            weight=weight,
            min_weight=min_weight,
            reciprocal_only=reciprocal_only,
            directed=directed,
            compact=compact,
            isolates=isolates,
            internal_only=internal_only,
        )
    return out
