"""The person table of a large organisation, straight from an edge table.

At 100,000 people and about 3 million ties, building a networkx graph alone takes seconds and
gigabytes (issue 9 measured 16 s and about 2 GB), and networkx's exact path measures would take
hours. Here the weighted edge table (for example :func:`ona.aggregate` with ``freq=None``) goes
straight into a CSR matrix (:class:`ona.graph.CompactGraph`: about a second and tens of MB there)
and every measure runs on it with the compiled kernels :func:`ona.centrality`,
:func:`ona.structural_holes` and :func:`ona.communities` already use: betweenness, closeness
and harmonic centrality estimated from sampled sources, Burt's measures with sparse matrix
products, Louvain communities in scikit-network. Figures are in ``benchmarks/bench_scale.py``
and the README's performance section.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from ona._validation import Interval, Options, validate_params
from ona.analysis.brokers import structural_holes
from ona.analysis.centrality import DEFAULT_SAMPLES, centrality
from ona.analysis.silos import communities
from ona.exceptions import InvalidParameterError
from ona.graph import CompactGraph

__all__ = ["graph_from_edges", "person_table_at_scale"]

logger = logging.getLogger(__name__)


@validate_params({"directed": [bool], "source": [str], "target": [str], "weight": [str, None]})
def graph_from_edges(
    edges: pd.DataFrame,
    *,
    source: str = "source",
    target: str = "target",
    weight: str | None = "weight",
    directed: bool = True,
    nodes: Any = None,
) -> CompactGraph:
    """A :class:`~ona.graph.CompactGraph` from an edge table, without networkx.

    Parameters
    ----------
    edges : DataFrame
        One row per tie (or per tie and period: repeated pairs are summed), with the columns
        named by ``source``, ``target`` and ``weight``, such as the output of
        :func:`ona.aggregate`.
    source, target : str, default "source", "target"
        Columns holding the person ids.
    weight : str or None, default "weight"
        Column holding the tie strength; None counts each row as 1.
    directed : bool, default True
        If False, both directions of a pair are summed into one undirected tie.
    nodes : sequence, optional
        Everyone to include (people without ties become isolates); by default the people
        appearing in ``edges``.

    Returns
    -------
    CompactGraph
        People sorted; self-ties dropped.

    Examples
    --------
    >>> import pandas as pd
    >>> edges = pd.DataFrame({"source": ["b", "a", "a"], "target": ["a", "b", "b"],
    ...                       "weight": [1.0, 2.0, 3.0]})
    >>> g = graph_from_edges(edges)
    >>> list(g.nodes), g.adj.toarray().tolist()
    (['a', 'b'], [[0.0, 5.0], [1.0, 0.0]])
    """
    missing = [c for c in (source, target, weight) if c is not None and c not in edges]
    if missing:
        raise InvalidParameterError(f"the edge table has no column {missing[0]!r}")
    m = len(edges)
    try:
        columns = [pa.array(edges[source]), pa.array(edges[target])]
        if nodes is not None:
            columns.append(pa.array(list(nodes)))
        textual = [pa.types.is_string(c.type) or pa.types.is_large_string(c.type) for c in columns]
        common = pa.large_string() if any(textual) else pa.int64()
        ids = pa.chunked_array([c.cast(common) for c in columns])
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        raise InvalidParameterError("person ids must all be strings or all be integers") from None
    if ids.null_count:
        raise InvalidParameterError("the edge table has missing person ids")
    # hashing in Arrow: one pass over the ids, then only the distinct ids are sorted
    distinct = pc.unique(ids)
    uniques = distinct.take(pc.sort_indices(distinct))
    codes = pc.index_in(ids, value_set=uniques).to_numpy()
    n = len(uniques)
    w = np.ones(m) if weight is None else edges[weight].to_numpy(dtype=np.float64)
    adj = sp.csr_array((w, (codes[:m], codes[m : 2 * m])), shape=(n, n))  # duplicates summed
    if not directed:
        adj = sp.csr_array(adj + adj.T)
    return CompactGraph(pd.Index(uniques.to_pylist()), adj, directed=directed)


@validate_params(
    {
        "betweenness": [Options({"auto", "exact", "sampled"})],
        "k": [None, Interval(int, 2)],
        "seed": [Interval(int, 0)],
        "directed": [bool],
        "with_communities": [bool],
        "resolution": [Interval(float, 0, None, closed="neither")],
    }
)
def person_table_at_scale(
    edges: pd.DataFrame | CompactGraph,
    *,
    betweenness: str = "auto",
    k: int | None = None,
    seed: int = 0,
    directed: bool = True,
    with_communities: bool = True,
    resolution: float = 1.0,
) -> pd.DataFrame:
    """Every person-level measure for a large organisation, from its edge table.

    Centrality (:func:`ona.centrality`: degree, strength, betweenness, closeness, harmonic,
    eigenvector, PageRank), Burt's structural holes (:func:`ona.structural_holes`: effective
    size, efficiency, constraint, hierarchy) and the Louvain community
    (:func:`ona.communities`), computed on a CSR matrix without building a networkx graph.

    Parameters
    ----------
    edges : DataFrame or CompactGraph
        Columns ``source``, ``target``, ``weight`` (tie strength; repeated pairs, such as one
        row per period, are summed), as :func:`ona.aggregate` returns; or a graph already built.
    betweenness : {"auto", "exact", "sampled"}, default "auto"
        Path measures (betweenness, closeness, harmonic) exact or estimated from ``k`` sampled
        sources; "auto" samples above :data:`ona.analysis.centrality.AUTO_EXACT_LIMIT` people.
    k : int, optional
        Sampled sources for the path measures (default 1,024). At that
        default, on a generated 5,000-person organisation, **72-78% of the exact top 1% by
        betweenness are in the sampled top 1%** (Spearman 0.95 over everyone), as measured and
        tested for :func:`ona.centrality`; raise ``k`` for more, in proportion to time.
    seed : int, default 0
        Seed of the sampling and of the community detection.
    directed : bool, default True
        Read an edge table as directed ties (ignored for a graph).
    with_communities : bool, default True
        Add the ``community`` column.
    resolution : float, default 1
        Community resolution (see :func:`ona.communities`).

    Returns
    -------
    DataFrame
        Indexed by person (sorted). ``attrs``: the sampling (``betweenness``, ``k``, ``seed``),
        ``n_communities`` and ``seconds`` (time per step: ``graph``, ``centrality``,
        ``structural_holes``, ``communities``).

    Notes
    -----
    Measured at 100,000 people and 3 million ties (``benchmarks/bench_scale.py``, 2 cores): 391
    seconds and 1.3 GiB at the default k, nearly all of it the sampled path measures (Burt's
    measures 9 s, Louvain 3 s); 160 CPU seconds at k = 256.

    Examples
    --------
    >>> import pandas as pd
    >>> edges = pd.DataFrame({"source": ["a", "b", "b", "c", "c", "d"],
    ...                       "target": ["b", "a", "c", "b", "d", "c"], "weight": 1.0})
    >>> table = person_table_at_scale(edges)
    >>> table.loc["b", ["degree", "constraint"]].round(3).tolist()
    [2.0, 0.5]
    >>> sorted(table.columns)[:4]
    ['betweenness', 'closeness', 'community', 'constraint']
    """
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    g = edges if isinstance(edges, CompactGraph) else graph_from_edges(edges, directed=directed)
    seconds["graph"] = time.perf_counter() - started

    started = time.perf_counter()
    table = centrality(
        g, betweenness=betweenness, k=k if k is not None else DEFAULT_SAMPLES, seed=seed
    )
    seconds["centrality"] = time.perf_counter() - started

    started = time.perf_counter()
    holes = structural_holes(g)
    seconds["structural_holes"] = time.perf_counter() - started
    parts = [table, holes]

    n_communities = None
    if with_communities:
        started = time.perf_counter()
        labels = communities(g, resolution=resolution, seed=seed)
        seconds["communities"] = time.perf_counter() - started
        n_communities = labels.attrs["n_communities"]
        parts.append(labels.to_frame())
    out = pd.concat(parts, axis=1)
    out.index.name = "person"
    out.attrs.update(
        {k_: table.attrs[k_] for k_ in ("betweenness", "k", "seed", "weight", "directed")}
    )
    out.attrs.update(n_communities=n_communities, seconds=seconds)
    logger.info("person table of %d people: %s", len(out), seconds)
    return out
