"""Knowledge brokers: Burt's structural holes, Gould-Fernandez brokerage roles and bridges.

Burt's measures (effective size, efficiency, constraint, hierarchy) are computed for everyone at
once with sparse matrix products, in row blocks so that memory stays bounded: at 10,000 people
and 300,000 ties they take about a second, where networkx takes minutes (its effective size is
also wrong on weighted or directed graphs in networkx 3.5-3.6 unless ``nodes=`` is passed).

Definitions (Burt 1992; Borgatti 1997; networkx and igraph use the same whole-network form):

* z_ij is the tie weight i→j; the **mutual weight** is z_ij + z_ji, so on directed graphs a
  tie in either direction makes a neighbour (neighbours = predecessors ∪ successors);
* p_ij = mutual weight of i and j / sum of i's mutual weights (i's share of investment in j);
* m_jq = mutual weight of j and q / the largest mutual weight of j;
* effective size ES_i = sum_{j in N(i)} (1 - sum_{q != i, j} p_iq m_jq); on unweighted
  undirected graphs ES_i = n_i - 2 t_i / n_i (n_i contacts, t_i ties among them);
* efficiency = ES_i / n_i;
* constraint C_i = sum_{j in N(i)} c_ij, with c_ij = (p_ij + sum_{q != i, j} p_iq p_qj)^2;
  1 for a pendant; it can exceed 1 in small dense or directed cases (not clipped);
* hierarchy H_i = sum_j r_ij ln r_ij / (N_i ln N_i), r_ij = c_ij / (C_i / N_i): how much of the
  constraint comes from one contact (Coleman-Theil disorder); 0 when all contacts constrain
  equally, NaN with fewer than two contacts.

People without ties get NaN. Zero-weight ties are not ties (igraph counts them as neighbours).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse import csgraph

from ona._validation import Options, validate_params
from ona.analysis.silos import _codes, _group_labels, _is_groups
from ona.exceptions import InvalidParameterError
from ona.graph import CompactGraph, as_compact

__all__ = [
    "ROLES",
    "bridges",
    "brokerage",
    "constraint",
    "effective_size",
    "hierarchy",
    "structural_holes",
]

# Nonzeros allowed in one block of a sparse product (bounds memory to a few hundred MB).
_BLOCK_NNZ = 20_000_000

_REFERENCES = """References
    ----------
    Burt, R. S. (1992). Structural Holes: The Social Structure of Competition. Harvard
    University Press.

    Borgatti, S. P. (1997). Structural holes: unpacking Burt's redundancy measures.
    Connections 20(1), 35-38.

    Burt, R. S. (2004). Structural holes and good ideas. American Journal of Sociology 110(2),
    349-399. https://doi.org/10.1086/421787

    Everett, M. G. and Borgatti, S. P. (2020). Unpacking Burt's constraint measure. Social
    Networks 62, 50-57. https://doi.org/10.1016/j.socnet.2020.02.001
"""


def _doc(func: Any) -> Any:
    """Insert the shared References section into ``func``'s docstring."""
    func.__doc__ = func.__doc__.replace("%(references)s", _REFERENCES.strip() + "\n")
    return func


def _is_weight(value: Any) -> bool:
    return value is None or isinstance(value, str)


_is_weight.description = "None or an edge attribute name"  # type: ignore[attr-defined]


def _blocks(work: np.ndarray) -> list[tuple[int, int]]:
    """Row ranges whose summed ``work`` (nonzeros of a product row) fits one block."""
    n = len(work)
    if n == 0:
        return []
    block = np.cumsum(work) // _BLOCK_NNZ
    starts = np.flatnonzero(np.diff(block)) + 1
    bounds = [0, *starts.tolist(), n]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def _holes(g: CompactGraph, weighted: bool, want: set[str]) -> dict[str, np.ndarray]:
    """All of Burt's measures from one pass over row blocks."""
    n = g.number_of_nodes()
    z = sp.csr_array(g.adj, copy=True)
    if not weighted:
        z.data = np.ones_like(z.data)
    s = sp.csr_array(z + z.T)  # mutual weights
    s.eliminate_zeros()
    s.sort_indices()
    contacts = np.diff(s.indptr).astype(np.float64)
    row_sum = np.asarray(s.sum(axis=1)).ravel()
    isolated = contacts == 0
    safe = np.where(isolated, 1.0, row_sum)
    p = sp.csr_array(sp.diags_array(1.0 / safe) @ s)
    p.sort_indices()
    b = sp.csr_array(s, copy=True)
    b.data = np.ones_like(b.data)
    out: dict[str, np.ndarray] = {}
    need_es = bool({"effective_size", "efficiency"} & want)
    need_c = bool({"constraint", "hierarchy"} & want)
    if need_es:
        row_max = np.where(isolated, 1.0, s.max(axis=1).toarray().ravel())
        m = sp.csr_array(sp.diags_array(1.0 / row_max) @ s)
        redundancy = np.zeros(n)
    if need_c:
        constraint_ = np.zeros(n)
        hierarchy_ = np.full(n, np.nan)
    # work per row of b @ m (or p @ p): sum of the neighbours' contact counts
    work = b @ contacts
    for lo, hi in _blocks(work.astype(np.int64)):
        p_blk = p[lo:hi]
        b_blk = b[lo:hi]
        if need_es:
            # sum_q p_iq sum_{j in N(i)} m_jq, only over q in N(i) (p_iq = 0 elsewhere)
            redundancy[lo:hi] = np.asarray(p_blk.multiply(b_blk @ m).sum(axis=1)).ravel()
        if need_c:
            indirect = sp.csr_array((p_blk @ p).multiply(b_blk))
            local = sp.csr_array(p_blk + indirect)  # pattern of p_blk: only i's contacts
            local.sort_indices()
            local.data **= 2
            c_blk = np.asarray(local.sum(axis=1)).ravel()
            constraint_[lo:hi] = c_blk
            if "hierarchy" in want:
                hierarchy_[lo:hi] = _hierarchy_rows(local, c_blk, contacts[lo:hi])
    if need_es:
        es = contacts - redundancy
        es[isolated] = np.nan
        if "effective_size" in want:
            out["effective_size"] = es
        if "efficiency" in want:
            with np.errstate(invalid="ignore", divide="ignore"):
                out["efficiency"] = es / contacts
    if need_c:
        constraint_[isolated] = np.nan
        if "constraint" in want:
            out["constraint"] = constraint_
        if "hierarchy" in want:
            out["hierarchy"] = hierarchy_
    return out


def _hierarchy_rows(local: sp.csr_array, c: np.ndarray, contacts: np.ndarray) -> np.ndarray:
    """Burt's hierarchy for each row of the local-constraint block."""
    rows = np.repeat(np.arange(local.shape[0]), np.diff(local.indptr))
    mean = np.where(contacts > 0, c / np.where(contacts > 0, contacts, 1.0), 1.0)
    r = local.data / mean[rows]
    total = np.bincount(rows, weights=r * np.log(r), minlength=local.shape[0])
    with np.errstate(invalid="ignore", divide="ignore"):
        h = total / (contacts * np.log(contacts))
    h[contacts < 2] = np.nan
    return h


def _series(g: CompactGraph, values: np.ndarray, name: str) -> pd.Series:
    s = pd.Series(values, index=g.nodes, name=name)
    s.index.name = "person"
    return s


@validate_params({"weight": [_is_weight]})
@_doc
def structural_holes(G: Any, *, weight: str | None = "weight") -> pd.DataFrame:
    """Burt's effective size, efficiency, constraint and hierarchy for everyone, in one pass.

    Parameters
    ----------
    G : networkx graph or CompactGraph
        Directed or undirected.
    weight : str or None, default "weight"
        Edge attribute holding the tie strength; None for 0/1 ties.

    Returns
    -------
    DataFrame
        Indexed by person: ``effective_size``, ``efficiency``, ``constraint``, ``hierarchy``
        (definitions in :mod:`ona.analysis.brokers`; whole-network form, mutual weights).

    %(references)s
    Examples
    --------
    >>> import networkx as nx
    >>> t = structural_holes(nx.star_graph(3), weight=None)
    >>> t.loc[0].round(4).tolist()  # the hub of a star: no redundancy, least constrained
    [3.0, 1.0, 0.3333, 0.0]
    """
    g = as_compact(G, weight=weight)
    want = {"effective_size", "efficiency", "constraint", "hierarchy"}
    cols = _holes(g, weight is not None, want)
    order = ["effective_size", "efficiency", "constraint", "hierarchy"]
    table = pd.DataFrame({c: cols[c] for c in order}, index=g.nodes)
    table.index.name = "person"
    table.attrs.update({"weight": weight, "model": "whole network, mutual weights"})
    return table


@validate_params({"weight": [_is_weight]})
@_doc
def effective_size(G: Any, *, weight: str | None = "weight") -> pd.Series:
    """Burt's effective size: the non-redundant part of each person's contacts.

    Divide by the number of contacts for efficiency (see :func:`structural_holes`).
    See :mod:`ona.analysis.brokers` for the definition; isolates get NaN.

    Parameters
    ----------
    G : networkx graph or CompactGraph
        Directed or undirected.
    weight : str or None, default "weight"
        Edge attribute holding the tie strength; None for 0/1 ties.

    Returns
    -------
    Series
        Indexed by person.

    %(references)s
    Examples
    --------
    >>> import networkx as nx
    >>> effective_size(nx.complete_graph(4), weight=None).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    g = as_compact(G, weight=weight)
    return _series(g, _holes(g, weight is not None, {"effective_size"})["effective_size"],
                   "effective_size")  # fmt: skip


@validate_params({"weight": [_is_weight]})
@_doc
def constraint(G: Any, *, weight: str | None = "weight") -> pd.Series:
    """Burt's constraint: how much each person's contacts are invested in one another.

    Low constraint = many non-redundant contacts (a broker). See :mod:`ona.analysis.brokers`
    for the definition; isolates get NaN.

    Parameters
    ----------
    G : networkx graph or CompactGraph
        Directed or undirected.
    weight : str or None, default "weight"
        Edge attribute holding the tie strength; None for 0/1 ties.

    Returns
    -------
    Series
        Indexed by person.

    %(references)s
    Examples
    --------
    >>> import networkx as nx
    >>> constraint(nx.path_graph(4), weight=None).tolist()  # igraph's unit test
    [1.0, 0.5, 0.5, 1.0]
    """
    g = as_compact(G, weight=weight)
    return _series(g, _holes(g, weight is not None, {"constraint"})["constraint"], "constraint")


@validate_params({"weight": [_is_weight]})
@_doc
def hierarchy(G: Any, *, weight: str | None = "weight") -> pd.Series:
    """Burt's hierarchy: how far a person's constraint is concentrated on one contact.

    0 when every contact constrains equally, rising towards 1 as one contact dominates; NaN
    with fewer than two contacts. See :mod:`ona.analysis.brokers` for the definition.

    Parameters
    ----------
    G : networkx graph or CompactGraph
        Directed or undirected.
    weight : str or None, default "weight"
        Edge attribute holding the tie strength; None for 0/1 ties.

    Returns
    -------
    Series
        Indexed by person.

    %(references)s
    Examples
    --------
    >>> import networkx as nx
    >>> round(float(hierarchy(nx.star_graph(3), weight=None)[0]), 6)
    0.0
    """
    g = as_compact(G, weight=weight)
    return _series(g, _holes(g, weight is not None, {"hierarchy"})["hierarchy"], "hierarchy")


# --------------------------------------------------------------------------- Gould-Fernandez

#: Brokerage roles by the groups of source a, broker b and target c of an open two-path a→b→c.
ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")


def _pair_shares(codes: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Per broker, the share of ordered pairs (a, c) of *other* people falling in each role.

    Shares of the (n-1)(n-2) ordered pairs of distinct people other than the broker, given the
    broker's group size n_b and the other groups' sizes (Gould and Fernandez 1989).
    """
    n = float(sizes.sum())
    nb = sizes[codes].astype(np.float64)
    total_sq = float((sizes * (sizes - 1.0)).sum())
    total_sq2 = float((sizes**2).sum())
    other_pairs_same = total_sq - nb * (nb - 1.0)  # sum over other groups of n_g (n_g - 1)
    other_sq = total_sq2 - nb**2
    rest = n - nb
    counts = np.column_stack(
        [
            (nb - 1.0) * (nb - 2.0),  # coordinator
            other_pairs_same,  # itinerant
            (nb - 1.0) * rest,  # representative
            (nb - 1.0) * rest,  # gatekeeper
            rest**2 - other_sq,  # liaison: ordered pairs from two different other groups
        ]
    )
    return counts / ((n - 1.0) * (n - 2.0))


def _bernoulli_moments(
    codes: np.ndarray, sizes: np.ndarray, density: float
) -> tuple[np.ndarray, np.ndarray]:
    """Expectation and variance of each role count in a Bernoulli graph of equal density.

    Moments of Gould and Fernandez (1989) as implemented in R's ``sna::brokerage``: each
    ordered pair is brokered with probability d^2 (1-d); pairs sharing an end are correlated.
    """
    n = float(sizes.sum())
    d = density
    q = d * d * (1.0 - d)
    cov = 2.0 * d**3 * (1.0 - d) ** 3
    nb = sizes[codes].astype(np.float64)
    rest = n - nb
    s3 = float((sizes * (sizes - 1.0) * (sizes - 2.0)).sum()) - nb * (nb - 1.0) * (nb - 2.0)
    pairs = _pair_shares(codes, sizes) * (n - 1.0) * (n - 2.0)
    expected = pairs * q
    var = expected * (1.0 - q)
    var[:, 0] += cov * (nb - 1.0) * (nb - 2.0) * (nb - 3.0)
    var[:, 1] += cov * s3
    rep = cov * ((nb - 1.0) * rest * (rest - 1.0) / 2.0 + rest * (nb - 1.0) * (nb - 2.0) / 2.0)
    var[:, 2] += rep
    var[:, 3] += rep
    # liaison: for each other group g, n_g * C(n - n_g - n_b, 2), counted twice over
    liaison = np.zeros(len(codes))
    for gsize in sizes:
        k = n - gsize - nb
        liaison += gsize * k * (k - 1.0) / 2.0
    own = nb * (n - 2.0 * nb) * (n - 2.0 * nb - 1.0) / 2.0  # remove the broker's own group
    var[:, 4] += 2.0 * cov * (liaison - own)
    return expected, var


@validate_params(
    {
        "groups": [_is_groups],
        "null": [Options({"assignment", "bernoulli"}), None],
    }
)
def brokerage(G: Any, groups: Any, *, null: str | None = "assignment") -> pd.DataFrame:
    """Gould-Fernandez brokerage roles: how often each person brokers between which groups.

    Person b brokers the ordered pair (a, c) when a→b and b→c but not a→c (a ≠ c). With
    G(x) the group of x, the role of that two-path is

    ==================  =========================  ======================================
    role                groups                     meaning
    ==================  =========================  ======================================
    ``coordinator``     G(a) = G(b) = G(c)         within the broker's own group (w_I)
    ``itinerant``       G(a) = G(c) ≠ G(b)         an outsider mediating inside one group
                                                   ("consultant", w_O)
    ``representative``  G(a) = G(b) ≠ G(c)         carries own group's flow out (b_IO)
    ``gatekeeper``      G(a) ≠ G(b) = G(c)         lets outside flow into own group (b_OI)
    ``liaison``         all three differ           between two other groups (b_O)
    ==================  =========================  ======================================

    Counts are over **ordered** pairs on directed graphs, as in R's ``sna::brokerage`` and
    UCINET. On an undirected graph every pair would be counted twice and a representative
    would always also be a gatekeeper, so there each unordered pair counts once and those two
    roles are reported together as ``representative_gatekeeper``.

    Parameters
    ----------
    G : networkx graph or CompactGraph
        Ties as given (weights are ignored: brokerage is about who can reach whom).
    groups : str, mapping or Series
        A node attribute name, or person → group. People without a group are left out as
        brokers and as ends of brokered pairs.
    null : {"assignment", "bernoulli"} or None, default "assignment"
        Adds ``<role>_expected`` columns (and ``<role>_z`` for "bernoulli"):

        * "assignment": expected counts if the other people's group labels were shuffled
          (group sizes kept): the person's own open two-paths split in proportion to the
          ordered pairs of each role, so a ratio above 1 means more brokering of that kind
          than the person's position alone implies;
        * "bernoulli": expected counts and z-scores in a random graph of the same density
          (Gould and Fernandez 1989; ``sna::brokerage``'s ``exp.nli`` and ``z.nli``); directed
          graphs only.

    Returns
    -------
    DataFrame
        Indexed by person: the role counts, ``total``, and the expected columns.

    References
    ----------
    Gould, R. V. and Fernandez, R. M. (1989). Structures of mediation: a formal approach to
    brokerage in transaction networks. Sociological Methodology 19, 89-126.
    https://doi.org/10.2307/270949

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("a1", "b1"), ("b1", "b2")])
    >>> t = brokerage(G, {"a1": "A", "b1": "B", "b2": "B"}, null=None)
    >>> t.loc["b1"].tolist()  # b1 lets a1 reach its own group: a gatekeeper
    [0, 0, 0, 1, 0, 1]
    """
    g = as_compact(G, weight=None)
    codes, labels = _codes(_group_labels(g, groups))
    n = g.number_of_nodes()
    a = sp.csr_array(g.adj, copy=True)
    a.data = np.ones_like(a.data)
    known = codes >= 0
    if not known.all():  # people without a group take no part
        keep = sp.diags_array(known.astype(np.float64))
        a = sp.csr_array(keep @ a @ keep)
        a.eliminate_zeros()
    k = len(labels)
    onehot = sp.csr_array(
        (np.ones(known.sum()), (np.flatnonzero(known), codes[known])), shape=(n, max(k, 1))
    )
    own = np.where(known, codes, 0)
    # group counts of each broker's in- and out-neighbours, and of reciprocated ones (a = c),
    # kept sparse: people x groups would be dense gigabytes for large organisations
    in_g = sp.csr_array(a.T @ onehot)
    out_g = sp.csr_array(a @ onehot)
    rec_g = sp.csr_array(sp.csr_array(a.multiply(a.T)) @ onehot)
    rows = np.arange(n)

    def own_group(m: sp.csr_array) -> np.ndarray:
        return np.asarray(m[rows, own]).ravel().astype(np.float64)

    def row_sum(m: Any) -> np.ndarray:
        return np.asarray(m.sum(axis=1)).ravel().astype(np.float64)

    in_own, out_own, rec_own = own_group(in_g), own_group(out_g), own_group(rec_g)
    in_all, out_all = row_sum(in_g), row_sum(out_g)
    match = row_sum(in_g.multiply(out_g)) - in_own * out_own  # a, c in the same other group
    rec_other = row_sum(rec_g) - rec_own
    paths = np.column_stack(
        [
            in_own * out_own - rec_own,
            match - rec_other,
            in_own * (out_all - out_own),
            (in_all - in_own) * out_own,
            (in_all - in_own) * (out_all - out_own) - match,
        ]
    )
    paths -= _closed(a, codes)
    paths[~known] = 0
    cols = dict(zip(ROLES, paths.T, strict=True))
    directed = g.directed
    if not directed:
        cols = {
            "coordinator": cols["coordinator"] / 2,
            "itinerant": cols["itinerant"] / 2,
            "representative_gatekeeper": cols["representative"],
            "liaison": cols["liaison"] / 2,
        }
    names = list(cols)
    table = pd.DataFrame({c: np.rint(cols[c]).astype(np.int64) for c in names}, index=g.nodes)
    table["total"] = table[names].sum(axis=1)
    table.index.name = "person"
    if null is not None and k > 0 and known.sum() >= 3:
        sizes = np.bincount(codes[known], minlength=k).astype(np.float64)
        _add_expected(table, a, codes, known, sizes, null, directed, names)
    table.attrs.update({"null": null, "pairs": "ordered" if directed else "unordered"})
    return table


def _closed(a: sp.csr_array, codes: np.ndarray) -> np.ndarray:
    """Per broker b and role, the two-paths a→b→c closed by a direct tie a→c."""
    n = a.shape[0]
    out = np.zeros((n, 5))
    if a.nnz == 0:
        return out
    # `same` marks arcs whose ends share a group
    coo = sp.coo_array(a)
    same_mask = (codes[coo.row] == codes[coo.col]) & (codes[coo.row] >= 0)
    a_same = sp.csr_array((np.ones(same_mask.sum()), (coo.row[same_mask], coo.col[same_mask])),
                          shape=a.shape)  # fmt: skip
    at = sp.csr_array(a.T)
    at_same = sp.csr_array(a_same.T)
    contacts = np.diff(at.indptr).astype(np.float64)
    work = (a @ np.diff(a.indptr).astype(np.float64)) + contacts
    for lo, hi in _blocks(work.astype(np.int64)):
        mask = sp.csr_array(a[lo:hi])  # arcs b→c of these brokers
        mask.sort_indices()
        # for each arc b→c: sources a with a→b and a→c, split by a's group
        k_all = sp.csr_array((at[lo:hi] @ a).multiply(mask))
        k_b = sp.csr_array((at_same[lo:hi] @ a).multiply(mask))  # G(a) = G(b)
        k_c = sp.csr_array((at[lo:hi] @ a_same).multiply(mask))  # G(a) = G(c)
        b_idx = lo + np.repeat(np.arange(hi - lo), np.diff(mask.indptr))
        c_idx = mask.indices
        same_bc = codes[b_idx] == codes[c_idx]
        total = _at(k_all, mask)
        kb = _at(k_b, mask)
        kc = _at(k_c, mask)
        for role, vals in (
            (0, np.where(same_bc, kb, 0.0)),  # coordinator
            (3, np.where(same_bc, total - kb, 0.0)),  # gatekeeper
            (2, np.where(same_bc, 0.0, kb)),  # representative
            (1, np.where(same_bc, 0.0, kc)),  # itinerant
            (4, np.where(same_bc, 0.0, total - kb - kc)),  # liaison
        ):
            out[:, role] += np.bincount(b_idx, weights=vals, minlength=n)
    return out


def _at(values: sp.csr_array, pattern: sp.csr_array) -> np.ndarray:
    """Entries of ``values`` (nonzero only inside ``pattern``) at ``pattern``'s nonzeros.

    ``pattern`` holds ones with sorted indices; adding it makes every position nonzero, so the
    sum has exactly ``pattern``'s structure and its data, minus one, lines up with it.
    """
    aligned = sp.csr_array(values + pattern)
    aligned.sort_indices()
    return aligned.data - 1.0


def _add_expected(
    table: pd.DataFrame,
    a: sp.csr_array,
    codes: np.ndarray,
    known: np.ndarray,
    sizes: np.ndarray,
    null: str,
    directed: bool,
    names: list[str],
) -> None:
    kc = np.where(known, codes, 0)
    if null == "assignment":
        shares = _pair_shares(kc, sizes)
        if not directed:
            # unordered pairs: one end in the broker's group and one outside, either way round
            shares = np.column_stack([shares[:, 0], shares[:, 1], 2 * shares[:, 2], shares[:, 4]])
        expected = shares * table["total"].to_numpy(dtype=np.float64)[:, None]
        var = None
    else:
        if not directed:
            raise InvalidParameterError(
                "null='bernoulli' needs a directed graph (its moments count ordered pairs)"
            )
        m = float(known.sum())
        density = a.nnz / (m * (m - 1.0))
        expected, var = _bernoulli_moments(kc, sizes, density)
    expected[~known] = np.nan
    for j, role in enumerate(names):
        table[f"{role}_expected"] = expected[:, j]
        if var is not None:
            with np.errstate(invalid="ignore", divide="ignore"):
                table[f"{role}_z"] = (table[role] - expected[:, j]) / np.sqrt(var[:, j])


# --------------------------------------------------------------------------- bridges


def _cut_edges(indptr: np.ndarray, indices: np.ndarray, n: int) -> set[tuple[int, int]]:
    """Bridges (cut edges) of a simple undirected graph in CSR form: iterative Tarjan DFS."""
    disc = np.full(n, -1, dtype=np.int64)
    low = np.zeros(n, dtype=np.int64)
    found: set[tuple[int, int]] = set()
    clock = 0
    for root in range(n):
        if disc[root] >= 0:
            continue
        disc[root] = low[root] = clock
        clock += 1
        stack = [(root, -1, int(indptr[root]))]
        while stack:
            v, parent, pos = stack[-1]
            if pos < indptr[v + 1]:
                stack[-1] = (v, parent, pos + 1)
                w = int(indices[pos])
                if w == parent:
                    continue
                if disc[w] < 0:
                    disc[w] = low[w] = clock
                    clock += 1
                    stack.append((w, v, int(indptr[w])))
                else:
                    low[v] = min(low[v], disc[w])
            else:
                stack.pop()
                if parent >= 0:
                    low[parent] = min(low[parent], low[v])
                    if low[v] > disc[parent]:
                        found.add((min(parent, v), max(parent, v)))
    return found


@validate_params({"groups": [None, _is_groups], "weight": [_is_weight], "span": [bool]})
def bridges(
    G: Any, groups: Any = None, *, weight: str | None = "weight", span: bool = False
) -> pd.DataFrame:
    """Every tie with its bridging properties: local bridges, bridges and cross-group ties.

    Ties are read as undirected (a pair tied in either direction is one tie, weighing both
    directions summed).

    * A **local bridge** joins two people with no contact in common (Granovetter 1973): the
      tie is the shortest way between two otherwise separate circles. Its **span** is the
      distance between the two ends without the tie (at least 3; infinite for a bridge).
    * A **bridge** is a tie whose removal disconnects its ends (a cut edge).
    * A **cross-group** tie joins people of different formal groups (``groups``); the table's
      ``attrs["cross_group"]`` gives their count, share of ties and share of weight (Yang et
      al. 2022 measured siloing as the loss of exactly these ties).

    Parameters
    ----------
    G : networkx graph or CompactGraph
    groups : str, mapping or Series, optional
        A node attribute name, or person → group.
    weight : str or None, default "weight"
        Edge attribute holding the tie strength (reported, and used for the weight share).
    span : bool, default False
        Also compute each local bridge's span (one shortest-path search per local bridge:
        slow on large graphs with many local bridges).

    Returns
    -------
    DataFrame
        One row per tie: ``source``, ``target`` (source before target in person order),
        ``weight``, ``common_contacts``, ``local_bridge``, ``bridge``, ``span`` (when asked;
        NaN for ties that are not local bridges) and, with groups, ``source_group``,
        ``target_group``, ``cross_group``.

    References
    ----------
    Granovetter, M. S. (1973). The strength of weak ties. American Journal of Sociology 78(6),
    1360-1380. https://doi.org/10.1086/225469

    Yang, L. et al. (2022). The effects of remote work on collaboration among information
    workers. Nature Human Behaviour 6, 43-54. https://doi.org/10.1038/s41562-021-01196-4

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.barbell_graph(3, 0)  # two triangles joined by the tie 2-3
    >>> t = bridges(G, weight=None, span=True)
    >>> t.loc[t["local_bridge"], ["source", "target", "bridge", "span"]].values.tolist()
    [[2, 3, True, inf]]
    """
    g = as_compact(G, weight=weight)
    n = g.number_of_nodes()
    w = sp.csr_array(g.adj + g.adj.T if g.directed else g.adj)
    if weight is None:
        w.data = np.ones_like(w.data)
        if g.directed:  # a pair tied both ways is still one 0/1 tie
            w.data = np.minimum(w.data, 1.0)
    w.sort_indices()
    b = sp.csr_array(w, copy=True)
    b.data = np.ones_like(b.data)
    upper = sp.csr_array(sp.triu(b, k=1))
    upper.sort_indices()
    common = np.zeros(upper.nnz)
    rows_all = np.repeat(np.arange(n), np.diff(upper.indptr))
    work = (b @ np.diff(b.indptr).astype(np.float64)).astype(np.int64)
    for lo, hi in _blocks(work):
        mask = sp.csr_array(upper[lo:hi])
        mask.sort_indices()
        counts = sp.csr_array((b[lo:hi] @ b).multiply(mask))
        sel = slice(upper.indptr[lo], upper.indptr[hi])
        common[sel] = _at(counts, mask)
    cols_all = upper.indices
    weights = np.asarray(w[rows_all, cols_all]).ravel()
    local = common == 0
    cut = _cut_edges(b.indptr, b.indices, n)
    is_bridge = np.array([(int(i), int(j)) in cut for i, j in zip(rows_all, cols_all, strict=True)],
                         dtype=bool)  # fmt: skip
    table = pd.DataFrame(
        {
            "source": g.nodes[rows_all],
            "target": g.nodes[cols_all],
            "weight": weights,
            "common_contacts": common.astype(np.int64),
            "local_bridge": local,
            "bridge": is_bridge,
        }
    )
    if span:
        spans = np.full(len(table), np.nan)
        spans[is_bridge] = np.inf
        lengths = sp.csr_array(b, copy=True)
        for t in np.flatnonzero(local & ~is_bridge):
            i, j = int(rows_all[t]), int(cols_all[t])
            # lengthen the tie beyond any real path instead of copying the matrix to drop it
            pos_ij = lengths.indptr[i] + np.searchsorted(
                lengths.indices[lengths.indptr[i] : lengths.indptr[i + 1]], j
            )
            pos_ji = lengths.indptr[j] + np.searchsorted(
                lengths.indices[lengths.indptr[j] : lengths.indptr[j + 1]], i
            )
            lengths.data[[pos_ij, pos_ji]] = n + 1.0
            spans[t] = csgraph.dijkstra(lengths, directed=True, indices=i, limit=n)[j]
            lengths.data[[pos_ij, pos_ji]] = 1.0
        table["span"] = spans
    if groups is not None:
        labels = _group_labels(g, groups)
        src_g = labels.to_numpy()[rows_all]
        tgt_g = labels.to_numpy()[cols_all]
        known = pd.notna(src_g) & pd.notna(tgt_g)
        table["source_group"] = src_g
        table["target_group"] = tgt_g
        table["cross_group"] = known & (src_g != tgt_g)
        n_known = int(known.sum())
        cross = table["cross_group"].to_numpy()
        w_known = float(weights[known].sum())
        table.attrs["cross_group"] = {
            "ties": int(cross.sum()),
            "share": float(cross.sum() / n_known) if n_known else float("nan"),
            "weight_share": float(weights[cross].sum() / w_known) if w_known else float("nan"),
        }
    table.attrs.update(
        {
            "local_bridges": int(local.sum()),
            "bridges": int(is_bridge.sum()),
            "ties": len(table),
        }
    )
    return table
