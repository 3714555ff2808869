"""Multiplex layers: do two networks of the same people agree?

A survey's advice layer and the e-mail layer, or the information and the energy layers of one
survey, are two sets of ties on one population. :func:`compare_layers` measures how far they
coincide, on binary ties (a tie is there or not, whatever its weight):

* **Jaccard overlap** ``|A ∩ B| / |A ∪ B|`` (Jaccard 1901), the share of all ties found in
  both layers;
* the **share of each layer's ties found in the other**, ``|A ∩ B| / |A|`` and
  ``|A ∩ B| / |B|``: "how many of the advice ties people report does e-mail see?" and the
  converse;
* the **QAP correlation** of the two binary adjacency matrices with its permutation p-value
  (:func:`ona.qap_correlation`: Krackhardt 1987), which asks whether the overlap exceeds what
  two networks of these densities and structures share by chance.

Ties are compared as directed arcs when both layers are directed, otherwise as unordered pairs
(a directed layer then counts a pair tied in either direction). The node set is the union of
the layers' nodes, or ``nodes`` (e.g. the survey's respondents, whose out-ties are complete):
absent people are isolates.

References
----------
Jaccard, P. (1901). Étude comparative de la distribution florale dans une portion des Alpes et
du Jura. Bulletin de la Société Vaudoise des Sciences Naturelles 37, 547-579.
https://doi.org/10.5169/seals-266450

Krackhardt, D. (1987). QAP partialling as a test of spuriousness. Social Networks 9(2),
171-186. https://doi.org/10.1016/0378-8733(87)90012-8
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ona._validation import Interval, validate_params
from ona.graph import as_compact
from ona.privacy import MIN_GROUP_SIZE

__all__ = ["LayerComparison", "compare_layers"]


@dataclass
class LayerComparison:
    """What :func:`compare_layers` returns.

    Attributes
    ----------
    jaccard : float
        ``n_common / (n_ties_a + n_ties_b - n_common)``; NaN when neither layer has a tie.
    share_a_in_b, share_b_in_a : float
        ``n_common / n_ties_a`` and ``n_common / n_ties_b``.
    qap_correlation, qap_p_value : float
        Correlation of the binary adjacency matrices (off-diagonal cells; one triangle when
        undirected) and its two-sided QAP p-value.
    n_ties_a, n_ties_b, n_common, n_nodes : int
    directed : bool
        Arcs (both layers directed) or unordered pairs.
    n_permutations, seed : int
    only_a, only_b, common : DataFrame
        The ties (``source``, ``target``) in one layer only, and in both: person level, keep
        private; :meth:`by_group` gives the group-level view.
    """

    jaccard: float
    share_a_in_b: float
    share_b_in_a: float
    qap_correlation: float
    qap_p_value: float
    n_ties_a: int
    n_ties_b: int
    n_common: int
    n_nodes: int
    directed: bool
    n_permutations: int
    seed: int
    only_a: pd.DataFrame = field(repr=False)
    only_b: pd.DataFrame = field(repr=False)
    common: pd.DataFrame = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The figures only (no person ids)."""
        keys = ("jaccard", "share_a_in_b", "share_b_in_a", "qap_correlation", "qap_p_value",
                "n_ties_a", "n_ties_b", "n_common", "n_nodes", "directed", "n_permutations", "seed")  # fmt: skip
        return {k: getattr(self, k) for k in keys}

    def by_group(self, groups: Mapping[Any, Any] | pd.Series, *, min_group_size: int = MIN_GROUP_SIZE) -> pd.DataFrame:
        """Where the layers agree and disagree, by pair of groups (e.g. departments).

        Parameters
        ----------
        groups : mapping or Series
            Person -> group.
        min_group_size : int, default 5
            Ties touching a group with fewer people (among the compared nodes) are left out;
            ``attrs["privacy"]`` says how many groups.

        Returns
        -------
        DataFrame
            Indexed by (``group_a``, ``group_b``) (unordered pairs, ``group_a <= group_b``,
            when undirected): ``ties_a``, ``ties_b``, ``common``, ``only_a``, ``only_b``,
            ``jaccard``.
        """
        labels = pd.Series(groups if isinstance(groups, pd.Series) else dict(groups), dtype=object)
        nodes = self._nodes
        sizes = labels.reindex(nodes).value_counts()
        small = set(sizes[sizes < min_group_size].index)
        frames = []
        for name, ties in (("common", self.common), ("only_a", self.only_a), ("only_b", self.only_b)):
            ga, gb = ties["source"].map(labels), ties["target"].map(labels)
            if not self.directed:
                ga, gb = ga.where(ga.astype(str) <= gb.astype(str), gb), gb.where(ga.astype(str) <= gb.astype(str), ga)
            frames.append(pd.DataFrame({"group_a": ga, "group_b": gb, "what": name}))
        pairs = pd.concat(frames, ignore_index=True).dropna(subset=["group_a", "group_b"])
        keep = ~pairs["group_a"].isin(small) & ~pairs["group_b"].isin(small)
        table = pd.crosstab([pairs.loc[keep, "group_a"], pairs.loc[keep, "group_b"]], pairs.loc[keep, "what"])
        table = table.reindex(columns=["common", "only_a", "only_b"], fill_value=0).astype(int)
        table["ties_a"] = table["common"] + table["only_a"]
        table["ties_b"] = table["common"] + table["only_b"]
        union = table["ties_a"] + table["ties_b"] - table["common"]
        table["jaccard"] = (table["common"] / union).where(union > 0)
        table = table[["ties_a", "ties_b", "common", "only_a", "only_b", "jaccard"]]
        table.columns.name = None
        table.attrs["privacy"] = (
            f"{len(small)} group(s) with fewer than {min_group_size} people left out" if small
            else f"no group below {min_group_size} people"
        )
        return table

    _nodes: pd.Index = field(default_factory=lambda: pd.Index([]), repr=False)


def _binary(G: Any, nodes: pd.Index) -> tuple[sp.csr_array, bool]:
    cg = as_compact(G, weight=None)
    adj = sp.coo_array(cg.adj)
    pos = nodes.get_indexer(cg.nodes)
    i, j = pos[adj.row], pos[adj.col]
    keep = (i >= 0) & (j >= 0) & (i != j)
    n = len(nodes)
    m = sp.csr_array((np.ones(int(keep.sum())), (i[keep], j[keep])), shape=(n, n))
    m.data[:] = 1.0
    return m, cg.directed


def _pairs(m: sp.csr_array, nodes: pd.Index) -> pd.DataFrame:
    coo = sp.coo_array(m)
    order = np.lexsort((coo.col, coo.row))
    return pd.DataFrame({"source": nodes[coo.row[order]], "target": nodes[coo.col[order]]})


@validate_params({"seed": [Interval(int, 0)], "n_permutations": [Interval(int, 1)], "nodes": [None, Iterable]})
def compare_layers(
    A: Any,
    B: Any,
    *,
    seed: int = 0,
    n_permutations: int = 1000,
    nodes: Iterable[Any] | None = None,
) -> LayerComparison:
    """How far two networks of the same people coincide: Jaccard, shares, QAP correlation.

    Parameters
    ----------
    A, B : networkx graph or CompactGraph
        Two layers, e.g. ``build_graph(events, channels=["survey"], kinds=["advice"])`` and
        ``build_graph(events, channels=["email"])``. Weights are ignored: a tie is there or not.
    seed : int, default 0
        Seeds the QAP permutations.
    n_permutations : int, default 1000
        QAP permutations.
    nodes : iterable, optional
        The people to compare on (default: everyone in either layer); ties to others are left
        out and people without ties count as isolates.

    Returns
    -------
    LayerComparison

    Examples
    --------
    >>> import networkx as nx
    >>> A = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a")])
    >>> B = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c")])
    >>> c = compare_layers(A, B, n_permutations=99)
    >>> c.jaccard, c.share_a_in_b, c.n_common
    (0.5, 0.6666666666666666, 2)
    """
    from ona.stats import qap_correlation

    if nodes is None:
        names = set(as_compact(A, weight=None).nodes) | set(as_compact(B, weight=None).nodes)
        index = pd.Index(sorted(names, key=str))
    else:
        index = pd.Index(list(dict.fromkeys(nodes)))
    a, directed_a = _binary(A, index)
    b, directed_b = _binary(B, index)
    directed = directed_a and directed_b
    if not directed:
        a = sp.csr_array(((a + a.T) > 0).astype(np.float64))
        b = sp.csr_array(((b + b.T) > 0).astype(np.float64))
    both = a.multiply(b)
    tri = (lambda m: sp.triu(m, k=1, format="csr")) if not directed else (lambda m: sp.csr_array(m))
    na, nb, nc = int(tri(a).nnz), int(tri(b).nnz), int(tri(both).nnz)
    union = na + nb - nc
    qap = qap_correlation(a.toarray(), b.toarray(), n_perm=n_permutations, seed=seed)
    only_a = sp.csr_array(a - both)
    only_b = sp.csr_array(b - both)
    for m in (only_a, only_b):
        m.eliminate_zeros()
    return LayerComparison(
        jaccard=nc / union if union else float("nan"),
        share_a_in_b=nc / na if na else float("nan"),
        share_b_in_a=nc / nb if nb else float("nan"),
        qap_correlation=float(qap["estimate"]),
        qap_p_value=float(qap["p_value"]),
        n_ties_a=na, n_ties_b=nb, n_common=nc, n_nodes=len(index), directed=directed,
        n_permutations=n_permutations, seed=seed,
        only_a=_pairs(tri(only_a), index), only_b=_pairs(tri(only_b), index),
        common=_pairs(tri(both), index), _nodes=index,
    )  # fmt: skip
