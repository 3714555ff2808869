"""Measures the diagnosis adds on top of :mod:`ona.analysis`: concentration, pairs of groups
against expectation with intervals, community stability, and the month-by-month table.

They used to be computed by hand in the notebooks; each is defined here once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from ona._validation import Interval, validate_params
from ona.analysis.silos import communities, compare_partitions
from ona.analysis.structure import density
from ona.diagnosis.thresholds import TOP_SHARE
from ona.graph import as_compact, windows
from ona.privacy import MIN_GROUP_SIZE, suppress_small_groups

__all__ = ["community_stability", "concentration", "monthly_table", "silo_pairs", "team_panel"]


@validate_params({"top": [Interval(float, 0, 1, closed="right")]})
def concentration(values: Any, *, top: float = TOP_SHARE) -> pd.Series:
    """The share of a total held by the top ``ceil(top * n)`` people.

    The one definition of "the top 5%" used by the report, the notebooks and ``findings.json``
    (and by :func:`ona.overload`).

    Parameters
    ----------
    values : array-like or Series
        Non-negative amounts per person (betweenness, demand), everyone included.
    top : float, default 0.05

    Returns
    -------
    Series
        ``people`` (n), ``top_people`` (ceil(top * n), at least 1), ``top_share`` (NaN when the
        total is 0).

    Examples
    --------
    >>> concentration([5, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).to_dict()
    {'people': 20, 'top_people': 1, 'top_share': 0.5}
    """
    v = np.sort(np.asarray(values, dtype=float))[::-1]
    n = len(v)
    k = max(1, int(np.ceil(top * n - 1e-9))) if n else 0
    total = v.sum()
    share = float(v[:k].sum() / total) if total > 0 else float("nan")
    return pd.Series({"people": n, "top_people": k, "top_share": share}, dtype=object)


def _person_group_volume(G: Any, labels: pd.Series) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """P[p, g]: interactions (tie weights, both directions) between person p and group g."""
    cg = as_compact(G)
    adj = sp.csr_array(cg.adj)
    lab = labels.reindex(cg.nodes)
    known = lab.notna().to_numpy()
    codes, names = pd.factorize(lab)
    coo = adj.tocoo()
    i, j, w = coo.row, coo.col, coo.data
    keep = known[i] & known[j]
    i, j, w = i[keep], j[keep], w[keep]
    k = len(names)
    P = np.zeros((len(cg.nodes), k))
    np.add.at(P, (i, codes[j]), w)
    np.add.at(P, (j, codes[i]), w)
    return P[known], codes[known], pd.Index(names)


@validate_params({"min_group_size": [Interval(int, 1)], "n_resamples": [Interval(int, 0)],
                  "confidence": [Interval(float, 0, 1, closed="neither")]})
def silo_pairs(
    G: Any,
    groups: str | Mapping | pd.Series,
    *,
    min_group_size: int = MIN_GROUP_SIZE,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Each pair of groups: interactions observed against what their activity predicts.

    With S the symmetric group matrix (interactions a→b plus b→a; the diagonal holds twice the
    within-group volume), the expected volume between a and b if partners were chosen in
    proportion to activity is ``E[a, b] = S_a S_b / S`` (row sums over the grand total, as in
    a configuration model of the group graph); the ratio ``S[a, b] / E[a, b]`` is 1 when two
    groups talk as much as their activity predicts, and near 0 for a silo.

    The interval resamples **people** within each group (a stratified cluster bootstrap, so
    the dependence of one person's many messages is kept) and recomputes both the observed
    and the expected volume; percentile interval.

    Parameters
    ----------
    G : networkx graph or CompactGraph
    groups : str, mapping or Series
        Node attribute (``"department"``) or person -> group.
    min_group_size : int, default 5
        Pairs involving a smaller group are suppressed (:func:`ona.privacy.suppress_small_groups`);
        their people still count in the expectation of the others.
    n_resamples : int, default 1000
        Bootstrap resamples (0: no interval).
    confidence : float, default 0.95
    seed : int, default 0

    Returns
    -------
    DataFrame
        One row per unordered pair of shown groups, weakest first: ``group_a``, ``group_b``,
        ``observed``, ``expected``, ``ratio``, ``ci_low``, ``ci_high``. ``attrs``:
        ``privacy``, ``confidence``, ``n_resamples``, ``median_ratio``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.Graph([(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3), (0, 3)])
    >>> g = {0: "A", 1: "A", 2: "A", 3: "B", 4: "B", 5: "B"}
    >>> t = silo_pairs(G, g, min_group_size=1, n_resamples=0)
    >>> t[["group_a", "group_b", "observed", "expected"]].to_dict("records")
    [{'group_a': 'A', 'group_b': 'B', 'observed': 2.0, 'expected': 7.0}]
    """
    cg = as_compact(G)
    labels = (cg.node_attrs[groups] if isinstance(groups, str) else
              pd.Series(groups).reindex(cg.nodes))
    labels = labels.astype("string")
    P, codes, names = _person_group_volume(cg, labels)
    k = len(names)
    onehot = np.zeros((len(codes), k))
    onehot[np.arange(len(codes)), codes] = 1.0

    def ratios(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        R = (onehot * weights[:, None]).T @ P  # R[a, c]: volume of a's (weighted) people with c
        S = (R + R.T) / 2
        rows = S.sum(axis=1)
        total = rows.sum()
        E = np.outer(rows, rows) / total if total > 0 else np.full((k, k), np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            return S, E, S / E

    S, E, ratio = ratios(np.ones(len(codes)))
    low = high = np.full((k, k), np.nan)
    if n_resamples and k > 1:
        rng = np.random.default_rng(seed)
        members = [np.flatnonzero(codes == g) for g in range(k)]
        draws = np.empty((n_resamples, k, k))
        for b in range(n_resamples):
            w = np.zeros(len(codes))
            for idx in members:
                np.add.at(w, rng.choice(idx, size=len(idx), replace=True), 1.0)
            draws[b] = ratios(w)[2]
        alpha = (1 - confidence) / 2
        low, high = np.nanquantile(draws, [alpha, 1 - alpha], axis=0)
    sizes = pd.Series(np.bincount(codes, minlength=k), index=names)
    frame = pd.DataFrame(ratio, index=names, columns=names)
    shown = suppress_small_groups(frame, sizes, min_size=min_group_size, how="drop", axis="both")
    keep = [names.get_loc(g) for g in shown.index]
    rows = []
    for x, a in enumerate(keep):
        for b in keep[x + 1:]:
            rows.append({"group_a": names[a], "group_b": names[b], "observed": float(S[a, b]),
                         "expected": float(E[a, b]), "ratio": float(ratio[a, b]),
                         "ci_low": float(low[a, b]), "ci_high": float(high[a, b])})
    out = pd.DataFrame(rows, columns=["group_a", "group_b", "observed", "expected", "ratio",
                                      "ci_low", "ci_high"])
    if len(out):
        swap = out["group_a"].astype(str) > out["group_b"].astype(str)
        out.loc[swap, ["group_a", "group_b"]] = out.loc[swap, ["group_b", "group_a"]].to_numpy()
        out = out.sort_values(["ratio", "group_a", "group_b"], ignore_index=True)
    out.attrs.update(privacy=shown.attrs["privacy"], confidence=confidence,
                     n_resamples=n_resamples,
                     median_ratio=float(out["ratio"].median()) if len(out) else float("nan"))
    return out


def _consensus(cg: Any, runs: Sequence[pd.Series]) -> pd.Series:
    """People linked by a tie and placed together in at least half the runs share a group."""
    adj = sp.csr_array(cg.adj)
    coo = sp.triu(sp.csr_array(adj + adj.T), k=1).tocoo()
    together = np.zeros(len(coo.row))
    for run in runs:
        lab = run.reindex(cg.nodes).to_numpy()
        together += lab[coo.row] == lab[coo.col]
    keep = together >= len(runs) / 2
    n = len(cg.nodes)
    graph = sp.coo_array((np.ones(keep.sum()), (coo.row[keep], coo.col[keep])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    # number by size, largest first, like ona.communities
    order = pd.Series(labels).value_counts().index
    remap = {old: new for new, old in enumerate(order)}
    return pd.Series([remap[x] for x in labels], index=cg.nodes, name="community")


@validate_params({"n_seeds": [Interval(int, 2)]})
def community_stability(
    G: Any,
    *,
    n_seeds: int = 10,
    neighbours: Mapping[Any, Any] | None = None,
    seed: int = 0,
    **options: Any,
) -> pd.Series:
    """How far the communities found can be trusted: agreement across seeds and windows.

    Runs :func:`ona.communities` with ``n_seeds`` seeds and compares every run with the first
    (adjusted Rand, :func:`ona.compare_partitions`); the consensus partition joins two people
    linked by a tie when at least half the runs put them together (a one-pass form of
    Lancichinetti and Fortunato's consensus clustering). With ``neighbours`` (graphs of
    consecutive windows, e.g. the two halves of the period), the communities of each window
    are compared with the next on the people both contain.

    Parameters
    ----------
    G : networkx graph or CompactGraph
    n_seeds : int, default 10
    neighbours : mapping of label -> graph, optional
        Consecutive windows, in order.
    seed : int, default 0
        The first seed; runs use ``seed, seed + 1, ...``.
    **options
        Passed to :func:`ona.communities` (``method``, ``resolution``).

    Returns
    -------
    Series
        ``communities`` (of the first run), ``consensus_communities``, ``seed_ari_mean``,
        ``seed_ari_min``, ``window_ari_mean`` (NaN without ``neighbours``), ``windows``.
        ``attrs["partition"]``: the first run; ``attrs["consensus"]``: the consensus partition.

    References
    ----------
    Lancichinetti, A. and Fortunato, S. (2012). Consensus clustering in complex networks.
    Scientific Reports 2, 336. https://doi.org/10.1038/srep00336

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.connected_caveman_graph(4, 6)
    >>> s = community_stability(G, n_seeds=3)
    >>> int(s["communities"]), float(s["seed_ari_min"])
    (4, 1.0)
    """
    cg = as_compact(G)
    runs = [communities(cg, seed=seed + i, **options) for i in range(n_seeds)]
    aris = [float(compare_partitions(runs[0], r)["ari"]) for r in runs[1:]]
    window_aris = []
    if neighbours:
        parts = [communities(g, seed=seed, **options) for g in neighbours.values()
                 if as_compact(g).adj.nnz]
        for a, b in zip(parts, parts[1:], strict=False):
            common = a.index.intersection(b.index)
            if len(common) > 1:
                window_aris.append(float(compare_partitions(a[common], b[common])["ari"]))
    consensus = _consensus(cg, runs)
    out = pd.Series({
        "communities": int(runs[0].nunique()),
        "consensus_communities": int(consensus.nunique()),
        "seed_ari_mean": float(np.mean(aris)),
        "seed_ari_min": float(np.min(aris)),
        "window_ari_mean": float(np.mean(window_aris)) if window_aris else float("nan"),
        "windows": len(window_aris) + 1 if window_aris else 0,
    }, dtype=object)
    out.attrs.update(partition=runs[0], consensus=consensus)
    return out


def monthly_table(
    interactions: pd.DataFrame,
    people: pd.DataFrame | None,
    *,
    groups: str | None = None,
    channels: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Month by month: people active, ties, density and the share of ties across groups.

    Parameters
    ----------
    interactions : DataFrame
    people : DataFrame or None
        The internal people's rows: with a roster only ties between them are kept.
    groups : str, optional
        A People column; adds ``cross_share``, the share of ties (arcs) whose two people are in
        different groups, among ties whose both groups are known.
    channels : list of str, optional

    Returns
    -------
    DataFrame
        Indexed by ``month`` ("YYYY-MM"): ``people_active``, ``ties``, ``density``
        (and ``cross_share``).

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"timestamp": pd.to_datetime(["2025-01-03", "2025-02-03"], utc=True),
    ...                    "source": ["a", "a"], "target": ["b", "c"]})
    >>> monthly_table(ev, None)["ties"].to_dict()
    {'2025-01': 1, '2025-02': 1}
    """
    rows = []
    roster = people if people is not None and len(people) else None
    for start, g in windows(interactions, roster, freq="MS", internal_only=roster is not None,
                            isolates=False, compact=True, channels=channels).items():
        row = {"month": start.strftime("%Y-%m"), "people_active": g.number_of_nodes(),
               "ties": g.number_of_edges(),
               "density": density(g) if g.number_of_nodes() > 1 else np.nan}
        if groups is not None:
            share = np.nan
            if g.number_of_edges() and groups in g.node_attrs.columns:
                src, dst = g.adj.nonzero()
                labels = g.node_attrs[groups].to_numpy()
                known = pd.notna(labels[src]) & pd.notna(labels[dst])
                if known.any():
                    share = float(np.mean(labels[src][known] != labels[dst][known]))
            row["cross_share"] = share
        rows.append(row)
    cols = ["month", "people_active", "ties", "density"] + (["cross_share"] if groups else [])
    return pd.DataFrame(rows, columns=cols).set_index("month")


def team_panel(
    interactions: pd.DataFrame,
    people: pd.DataFrame,
    *,
    groups: str = "department",
    teams: str = "team",
    freq: str = "MS",
    min_group_size: int = MIN_GROUP_SIZE,
) -> pd.DataFrame:
    """Each team's share of ties that cross ``groups`` lines, period by period (for ona.did).

    For each window, each person's ties to people of their own group and of other groups
    (:func:`ona.ei_index` at person level) are summed over the members of each team;
    ``cross_share = external / (internal + external)``: of all the ties of the team's members,
    counted from each member's side (a tie between two members counts for both), the share
    that reaches another group. Teams with fewer than
    ``min_group_size`` people in a window are suppressed (:mod:`ona.privacy`).

    Parameters
    ----------
    interactions : DataFrame
    people : DataFrame
        The internal people's rows (with ``teams`` and ``groups`` columns).
    groups, teams : str
    freq : str, default "MS"
    min_group_size : int, default 5

    Returns
    -------
    DataFrame
        Long table: ``team``, ``period`` ("YYYY-MM"), ``internal``, ``external``, ``size``,
        ``cross_share``; ``attrs["privacy"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"person_id": list("abcdef"), "team": list("xxxyyy"),
    ...                        "department": list("DDDEEE")})
    >>> ev = pd.DataFrame({"timestamp": pd.to_datetime(["2025-01-03"] * 3, utc=True),
    ...                    "source": ["a", "a", "d"], "target": ["b", "d", "e"]})
    >>> team_panel(ev, people, min_group_size=1)[["team", "cross_share"]].to_dict("records")
    [{'team': 'x', 'cross_share': 0.3333333333333333}, {'team': 'y', 'cross_share': 0.3333333333333333}]
    """
    from ona.analysis.change import change_tables
    from ona.analysis.silos import ei_index

    def measure(g):
        person = ei_index(g, groups, level="person").join(g.node_attrs[teams])
        t = person.groupby(teams)[["internal", "external"]].sum()
        t["size"] = person.groupby(teams).size()
        return t.assign(cross_share=t["external"] / (t["internal"] + t["external"]))

    panel = change_tables(interactions, people, freq=freq, table="team", measure=measure,
                          internal_only=True).reset_index()
    panel["period"] = pd.to_datetime(panel["period"]).dt.strftime("%Y-%m")
    panel = panel.rename(columns={teams: "team"}) if teams in panel.columns else panel
    sizes = panel.groupby("team")["size"].min()
    kept = suppress_small_groups(panel.set_index("team"), sizes, min_size=min_group_size)
    out = kept.reset_index()
    out.attrs["privacy"] = kept.attrs["privacy"]
    return out
