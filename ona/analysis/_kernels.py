"""Compiled shortest-path kernels behind the measures, chosen by measurement.

Measured in ``benchmarks/bench_analysis.py`` on generated organisations (directed, weighted,
tie lengths 1/w):

* exact betweenness, closeness and harmonic centrality: one fused pass of Brandes' algorithm
  (:mod:`ona.analysis._brandes`, compiled with numba, threads over sources) gives all three in
  about the time networkit's ``Betweenness`` (the fastest permissively licensed weighted
  kernel: rustworkx's and scikit-network's betweenness ignore weights) needs for betweenness
  alone; networkit's ``Closeness`` and ``HarmonicCloseness`` would add two more all-pairs
  sweeps. Path lengths within a relative 1e-10 count as equal, as in igraph: networkx and
  networkit compare them exactly and miss ties between paths of equal rational length on
  integer-weighted graphs (tested against exact rational arithmetic);
* sampled betweenness: the same compiled pass from sampled sources with linear scaling
  (Geisberger, Sanders and Schultes 2008), better than plain source sampling at the same
  budget (issue 9's measurements), valid on weighted graphs (networkit's KADABRA reads hop
  counts only), unbiased on directed graphs (half the searches run backward from sampled
  targets) and with its own standard error (the spread over the sampled searches);
* sampled closeness and harmonic centrality: scipy's Dijkstra
  (:func:`scipy.sparse.csgraph.dijkstra`) from sampled pivots, a block of pivots at a time.

Results are cached on the :class:`~ona.graph.CompactGraph`, so a chain of measures on the same
compact graph converts it once and runs each all-pairs pass once.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

from ona.graph import CompactGraph

__all__ = [
    "distance_matrix",
    "exact_paths",
    "sampled_betweenness",
    "sampled_closeness_harmonic",
]

# Sources per scipy Dijkstra call: bounds the dense (chunk x n) distance block in memory.
_CHUNK = 128


def distance_matrix(g: CompactGraph, weighted: bool, reverse: bool = False) -> sp.csr_array:
    """Tie lengths: 1/w when weighted (strengths become distances), else 1 per tie."""
    key = ("distance", weighted, reverse)
    if key not in g._cache:
        d = sp.csr_array(g.adj.T if reverse and g.directed else g.adj, copy=True)
        d.data = 1.0 / d.data if weighted else np.ones_like(d.data)
        g._cache[key] = d
    return g._cache[key]


def exact_paths(
    g: CompactGraph, weighted: bool, direction: str = "out"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact raw betweenness, Wasserman-Faust closeness and raw harmonic sum, in one pass.

    Betweenness counts ordered pairs on digraphs and unordered pairs on undirected graphs.
    Closeness and harmonic use distances from each person (``"out"``) or to each person
    (``"in"``: the same pass on the reversed graph, whose betweenness is the same).
    """
    key = ("exact_paths", weighted, direction if g.directed else "out")
    if key in g._cache:
        return g._cache[key]
    n = g.number_of_nodes()
    if n < 2 or g.adj.nnz == 0:
        result = (np.zeros(n), np.zeros(n), np.zeros(n))
    else:
        from ona.analysis._brandes import brandes  # compiles on first use

        lengths = distance_matrix(g, weighted, reverse=(direction == "in"))
        bc, _, dist_sum, inv_sum, reached = brandes(lengths, weighted)
        if not g.directed:
            bc = bc / 2.0
        with np.errstate(invalid="ignore", divide="ignore"):
            closeness = np.where(reached > 0, (reached / (n - 1)) * reached / dist_sum, 0.0)
        result = (bc, closeness, inv_sum)
    g._cache[key] = result
    return result


def sampled_betweenness(
    g: CompactGraph, weighted: bool, k: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Betweenness estimated from ``k`` sampled searches, and the estimate's standard error.

    Sources are drawn uniformly without replacement and each pair's dependency is scaled
    linearly by d(s, v)/d(s, t) (Geisberger, Sanders and Schultes 2008). On undirected graphs
    the pair (t, s) carries the complement d(t, v)/d(t, s), so n/k times the sum over sampled
    sources is unbiased. On directed graphs the complement d(v, t)/d(s, t) comes from a
    search from the target on the reversed graph: half the budget searches forward from
    sampled sources and half backward from sampled targets (networkit's
    ``EstimateBetweenness`` doubles the forward half instead, which is biased on directed
    graphs). The standard error is the spread of the per-search estimates over sqrt(k), with
    the finite-population correction of sampling without replacement.
    """
    n = g.number_of_nodes()
    if n < 3 or g.adj.nnz == 0:
        return np.zeros(n), np.zeros(n)
    if k >= n:
        return exact_paths(g, weighted)[0], np.zeros(n)
    from ona.analysis._brandes import brandes  # compiles on first use

    rng = np.random.default_rng(seed)
    directions = [False, True] if g.directed else [False]
    budgets = [k - k // 2, k // 2] if g.directed else [k]
    estimate = np.zeros(n)
    variance = np.zeros(n)
    for reverse, budget in zip(directions, budgets, strict=True):
        sources = np.sort(rng.choice(n, size=budget, replace=False))
        total, squares = brandes(distance_matrix(g, weighted, reverse), weighted, sources,
                                 scaled=True)[:2]  # fmt: skip
        mean = total / budget
        spread = np.maximum(squares / budget - mean**2, 0.0) * budget / max(budget - 1, 1)
        estimate += n * mean
        variance += n * n * spread / budget * (1.0 - budget / n)
    return estimate, np.sqrt(variance)


def sampled_closeness_harmonic(
    g: CompactGraph, weighted: bool, direction: str, k: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Closeness and harmonic centrality estimated from ``k`` uniformly sampled pivots.

    For every person v, the distances between v and the pivots s (v→s for ``"out"``) stand in
    for the distances to everyone (Eppstein and Wang 2004): the reachable share f and the mean
    distance m over reachable pivots give closeness f/m (the Wasserman-Faust form), and the
    mean of 1/d over pivots times (n-1) gives the harmonic sum. Pivots exclude v itself.
    """
    n = g.number_of_nodes()
    if k >= n:
        return exact_paths(g, weighted, direction)[1:]
    rng = np.random.default_rng(seed)
    pivots = np.sort(rng.choice(n, size=k, replace=False))
    # distances v->s for all v are distances s->v on the reversed graph
    d_mat = distance_matrix(g, weighted, reverse=(direction == "out"))
    reach = np.zeros(n)
    dist_sum = np.zeros(n)
    inv_sum = np.zeros(n)
    for lo in range(0, k, _CHUNK):
        src = pivots[lo : lo + _CHUNK]
        d = csgraph.dijkstra(d_mat, directed=g.directed, indices=src)
        d[np.arange(len(src)), src] = np.inf  # a pivot is not its own sample
        ok = np.isfinite(d)
        reach += ok.sum(axis=0)
        dist_sum += np.where(ok, d, 0.0).sum(axis=0)
        with np.errstate(divide="ignore"):
            inv_sum += np.where(ok, 1.0 / d, 0.0).sum(axis=0)
    samples = np.full(n, float(k))
    samples[pivots] -= 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        closeness = np.where(dist_sum > 0, (reach / samples) / (dist_sum / reach), 0.0)
    harmonic = inv_sum / samples * (n - 1)
    return closeness, harmonic
