"""Matplotlib figures for a diagnostic: each function takes an ``ax`` (or makes one) and returns it.

* :func:`network` — the network coloured by team, aggregated to groups above ``max_nodes`` people;
* :func:`group_heatmap` — a group-to-group matrix (:func:`ona.group_matrix`) as a heatmap;
* :func:`role_quadrant` — reach against brokerage, split at the organisation's medians;
* :func:`metric_outcome` — a team metric against an outcome, with the fitted line's interval band;
* :func:`before_after` — per-unit slopes from before to after an intervention.

Group-level figures apply the minimum group size (:mod:`ona.privacy`) and say so in the title.
Individual-level figures never label people.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection

from ona._validation import Interval, validate_params
from ona.graph import as_compact
from ona.privacy import MIN_GROUP_SIZE, SMALL_GROUPS_LABEL, privacy_note

__all__ = ["before_after", "group_heatmap", "metric_outcome", "network", "role_quadrant"]

_MISSING_GROUP = "(no group)"


def _axes(ax: Axes | None, size: tuple[float, float] = (7, 6)) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt  # only when the caller gives no Axes (pyplot state)

    _, ax = plt.subplots(figsize=size)
    return ax


def _labels(cg, groups: str | Mapping | pd.Series | None) -> pd.Series:
    if groups is None:
        return pd.Series(_MISSING_GROUP, index=cg.nodes)
    if isinstance(groups, str):
        col = cg.node_attrs[groups] if groups in cg.node_attrs.columns else None
        if col is None:
            return pd.Series(_MISSING_GROUP, index=cg.nodes)
        return col.astype("string").fillna(_MISSING_GROUP).astype(str)
    s = pd.Series(groups) if not isinstance(groups, pd.Series) else groups
    return s.reindex(cg.nodes).astype("string").fillna(_MISSING_GROUP).astype(str)


def _palette(names: Iterable[str]) -> dict[str, Any]:
    import matplotlib as mpl

    cmap = mpl.colormaps["tab20"]
    return {g: cmap(i % 20) for i, g in enumerate(sorted(names))}


@validate_params(
    {"max_nodes": [Interval(int, 1)], "min_group_size": [Interval(int, 1)],
     "seed": [Interval(int, 0)]}
)
def network(
    G: Any,
    *,
    groups: str | Mapping | pd.Series | None = "team",
    ax: Axes | None = None,
    max_nodes: int = 300,
    min_group_size: int = MIN_GROUP_SIZE,
    seed: int = 0,
) -> Axes:
    """Draw the network with people coloured by group, or the group graph when it is large.

    Parameters
    ----------
    G : networkx graph or CompactGraph
    groups : str, mapping or Series, default "team"
        Node attribute name, or person → group.
    ax : Axes, optional
    max_nodes : int, default 300
        Above this many people, draw one node per group (size = members, edge width =
        interactions between groups), so that the picture stays readable.
    min_group_size : int, default 5
        In the group graph, smaller groups are merged into ``"(small groups)"`` (and dropped if
        still too small); in the people graph, their members are coloured as that merged group.
    seed : int
        Seeds the spring layout.

    Returns
    -------
    Axes
        ``ax.collections`` holds the edges (a LineCollection) and one scatter per group.

    Examples
    --------
    >>> import networkx as nx
    >>> from matplotlib.figure import Figure
    >>> G = nx.karate_club_graph()
    >>> ax = network(G, groups="club", ax=Figure().add_subplot())
    >>> len(ax.collections)   # edges + two clubs
    3
    """
    ax = _axes(ax)
    cg = as_compact(G)
    labels = _labels(cg, groups)
    sizes = labels.value_counts()
    small = set(sizes.index[sizes < min_group_size])
    labels = labels.where(~labels.isin(small), SMALL_GROUPS_LABEL)
    merged_size = int(labels.eq(SMALL_GROUPS_LABEL).sum())
    note = privacy_note(len(small), min_group_size, merged=bool(small))
    sym = cg.adj + cg.adj.T if cg.directed else cg.adj
    if len(cg.nodes) > max_nodes:
        if 0 < merged_size < min_group_size:
            keep = ~labels.eq(SMALL_GROUPS_LABEL).to_numpy()
            labels, sym = labels[keep], sp.csr_array(sym[keep][:, keep])
        codes, names = pd.factorize(labels)
        member = sp.csr_array((np.ones(len(codes)), (codes, np.arange(len(codes)))),
                              shape=(len(names), len(codes)))
        between = (member @ sym @ member.T).toarray()
        counts = np.bincount(codes, minlength=len(names))
        graph = nx.Graph()
        graph.add_nodes_from(range(len(names)))
        for i, j in zip(*np.nonzero(np.triu(between, 1)), strict=True):
            graph.add_edge(int(i), int(j), weight=float(between[i, j]))
        pos = nx.spring_layout(graph, seed=seed, weight="weight")
        xy = np.array([pos[i] for i in range(len(names))])
        if graph.number_of_edges():
            w = np.array([d["weight"] for *_, d in graph.edges(data=True)])
            segs = [[xy[i], xy[j]] for i, j in graph.edges()]
            ax.add_collection(LineCollection(segs, linewidths=0.5 + 6 * w / w.max(),
                                             colors="0.6", alpha=0.6, zorder=1))
        colours = _palette(names)
        for k, name in enumerate(names):
            ax.scatter(*xy[k], s=80 + 1500 * counts[k] / counts.max(), color=colours[name],
                       label=f"{name} ({counts[k]})", zorder=2, edgecolors="white")
            ax.annotate(str(name), xy[k], ha="center", va="center", fontsize=8, zorder=3)
        ax.set_title(f"Groups ({len(cg.nodes)} people; one node per group, sized by "
                     f"members)\n{note}", fontsize=9)
    else:
        graph = nx.from_scipy_sparse_array(sp.csr_array(sym))
        pos = nx.spring_layout(graph, seed=seed, weight="weight")
        xy = np.array([pos[i] for i in range(len(cg.nodes))]) if len(cg.nodes) else np.zeros((0, 2))
        rows, cols = sp.triu(sym, 1).nonzero()
        if len(rows):
            ax.add_collection(LineCollection(np.stack([xy[rows], xy[cols]], axis=1),
                                             linewidths=0.4, colors="0.7", alpha=0.5, zorder=1))
        colours = _palette(labels.unique())
        for name in sorted(labels.unique()):
            mask = labels.eq(name).to_numpy()
            ax.scatter(xy[mask, 0], xy[mask, 1], s=25, color=colours[name],
                       label=f"{name} ({mask.sum()})", zorder=2, edgecolors="white",
                       linewidths=0.3)
        ax.set_title(f"Who interacts with whom ({len(cg.nodes)} people)\n{note}", fontsize=9)
        # Many groups: the legend goes beside the plot rather than over the people.
        outside = len(colours) > 8
        ax.legend(fontsize=7, markerscale=1, frameon=False, ncol=1 + len(colours) // 30,
                  loc="upper left" if outside else "best",
                  bbox_to_anchor=(1.0, 1.0) if outside else None)
    ax.set_axis_off()
    ax.autoscale_view()
    return ax


@validate_params({"annotate": [None, bool], "cmap": [str], "title": [None, str]})
def group_heatmap(
    matrix: pd.DataFrame, *, ax: Axes | None = None, annotate: bool | None = None,
    cmap: str = "Blues", title: str | None = None,
) -> Axes:
    """Show a group-to-group matrix (rows: from, columns: to) as a heatmap.

    Parameters
    ----------
    matrix : DataFrame
        E.g. :func:`ona.group_matrix`; its ``attrs["privacy"]`` note goes in the title.
    ax : Axes, optional
    annotate : bool, optional
        Write the values in the cells (default: when there are at most 12 groups).
    cmap : str
        Matplotlib colour map.
    title : str, optional

    Returns
    -------
    Axes
        One image (``ax.images``) with a tick label per group.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> m = pd.DataFrame([[10, 2], [3, 8]], index=["A", "B"], columns=["A", "B"])
    >>> ax = group_heatmap(m, ax=Figure().add_subplot())
    >>> [t.get_text() for t in ax.get_xticklabels()], len(ax.texts)
    (['A', 'B'], 4)
    """
    ax = _axes(ax)
    values = matrix.to_numpy(dtype=float)
    image = ax.imshow(values, cmap=cmap, aspect="auto")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ax.set_xticks(range(matrix.shape[1]), [str(c) for c in matrix.columns], rotation=45,
                  ha="right", fontsize=8)
    ax.set_yticks(range(matrix.shape[0]), [str(r) for r in matrix.index], fontsize=8)
    ax.set_xlabel("to")
    ax.set_ylabel("from")
    if annotate is None:
        annotate = max(matrix.shape) <= 12
    if annotate and values.size:
        top = np.nanmax(values) if np.isfinite(values).any() else 0
        for (i, j), v in np.ndenumerate(values):
            ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=7,
                    color="white" if top and v > 0.6 * top else "black")
    note = matrix.attrs.get("privacy")
    heading = title or "Interactions between groups"
    ax.set_title(heading + (f"\n{note}" if note else ""), fontsize=9)
    return ax


@validate_params({"x": [str], "y": [str], "log": [bool]})
def role_quadrant(
    table: pd.DataFrame, *, x: str = "degree", y: str = "betweenness", ax: Axes | None = None,
    log: bool = False,
) -> Axes:
    """Reach (x) against brokerage (y) for every person, split at the medians, unlabelled.

    Parameters
    ----------
    table : DataFrame
        Indexed by person, with columns ``x`` and ``y`` (e.g. from :func:`ona.centrality`).
    x, y : str
        Reach and brokerage measures.
    ax : Axes, optional
    log : bool
        Log-scale y (symlog, as betweenness is often 0).

    Returns
    -------
    Axes
        One scatter, two median lines and four quadrant captions.

    Examples
    --------
    >>> import networkx as nx, pandas as pd
    >>> from matplotlib.figure import Figure
    >>> G = nx.karate_club_graph()
    >>> t = pd.DataFrame({"degree": nx.degree_centrality(G),
    ...                   "betweenness": nx.betweenness_centrality(G)})
    >>> ax = role_quadrant(t, ax=Figure().add_subplot())
    >>> len(ax.collections), len(ax.lines), len(ax.texts)
    (1, 2, 4)
    """
    ax = _axes(ax)
    data = table[[x, y]].astype(float).dropna()
    ax.scatter(data[x], data[y], s=18, alpha=0.7, color="tab:blue", edgecolors="none")
    mx, my = data[x].median(), data[y].median()
    ax.axvline(mx, color="0.5", lw=0.8, ls="--")
    ax.axhline(my, color="0.5", lw=0.8, ls="--")
    if log:
        ax.set_yscale("symlog", linthresh=max(1e-6, float(data[y][data[y] > 0].min(initial=1e-3))))
    captions = [(0.98, 0.98, "broad reach, brokers\n(bottleneck risk)", "right", "top"),
                (0.02, 0.98, "brokers with few ties\n(boundary spanners)", "left", "top"),
                (0.98, 0.02, "well connected\nwithin their circle", "right", "bottom"),
                (0.02, 0.02, "peripheral", "left", "bottom")]
    for cx, cy, text, ha, va in captions:
        ax.text(cx, cy, text, transform=ax.transAxes, ha=ha, va=va, fontsize=7, color="0.35")
    ax.set_xlabel(f"reach ({x})")
    ax.set_ylabel(f"brokerage ({y})")
    ax.set_title(f"Roles: {len(data)} people, split at the medians", fontsize=9)
    return ax


@validate_params({"n_boot": [Interval(int, 10)], "seed": [Interval(int, 0)],
                  "alpha": [Interval(float, 0, 0.5, closed="neither")]})
def metric_outcome(
    data: pd.DataFrame,
    metric: str,
    outcome: str,
    *,
    ax: Axes | None = None,
    result: pd.Series | Mapping | None = None,
    n_boot: int = 2000,
    alpha: float = 0.05,
    seed: int = 0,
) -> Axes:
    """One point per unit (team), the least-squares line and its bootstrap interval band.

    Parameters
    ----------
    data : DataFrame
        One row per unit with columns ``metric`` and ``outcome``.
    metric, outcome : str
    ax : Axes, optional
    result : Series or mapping, optional
        A row of :func:`ona.relate` for this pair: its estimate and interval go in the title.
    n_boot : int
        Resamples of units for the band.
    alpha : float
        The band is the pointwise (1 - alpha) percentile interval of the fitted line.
    seed : int

    Returns
    -------
    Axes
        A scatter, the fitted line and the band (a PolyCollection).

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> d = pd.DataFrame({"density": [.2, .3, .4, .5, .6, .7], "delivery": [1, 2, 2, 3, 4, 4]})
    >>> ax = metric_outcome(d, "density", "delivery", ax=Figure().add_subplot(), n_boot=200)
    >>> len(ax.collections), len(ax.lines)
    (2, 1)
    """
    ax = _axes(ax, (6, 4.5))
    d = data[[metric, outcome]].apply(pd.to_numeric, errors="coerce").dropna()
    x, y = d[metric].to_numpy(), d[outcome].to_numpy()
    ax.scatter(x, y, s=30, color="tab:blue", zorder=3)
    if len(x) >= 3 and np.ptp(x) > 0:
        grid = np.linspace(x.min(), x.max(), 50)
        slope, icpt = np.polyfit(x, y, 1)
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, len(x), (n_boot, len(x)))
        xs, ys = x[idx], y[idx]
        xc = xs - xs.mean(1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            b = (xc * (ys - ys.mean(1, keepdims=True))).sum(1) / (xc * xc).sum(1)
        a = ys.mean(1) - b * xs.mean(1)
        ok = np.isfinite(b)
        lines = a[ok, None] + b[ok, None] * grid[None, :]
        lo, hi = np.percentile(lines, [100 * alpha / 2, 100 * (1 - alpha / 2)], axis=0)
        ax.fill_between(grid, lo, hi, color="tab:blue", alpha=0.15, lw=0,
                        label=f"{100 * (1 - alpha):.0f}% interval (teams resampled)")
        ax.plot(grid, icpt + slope * grid, color="tab:blue", lw=1.5)
    ax.set_xlabel(metric)
    ax.set_ylabel(outcome)
    title = f"{outcome} against {metric} ({len(x)} units)"
    if result is not None:
        r = dict(result)
        title += (f"\nr = {r['estimate']:.2f} [{r['ci_low']:.2f}, {r['ci_high']:.2f}], "
                  f"detectable |r| >= {r['detectable_r']:.2f}")
    ax.set_title(title, fontsize=9)
    return ax


@validate_params({"value": [str], "start": [str], "unit": [str], "period": [str]})
def before_after(
    panel: pd.DataFrame,
    *,
    value: str,
    start: str,
    treated: Iterable[str] | str,
    unit: str = "unit",
    period: str = "period",
    ax: Axes | None = None,
) -> Axes:
    """Each unit's mean before and after ``start`` joined by a line; treated units highlighted.

    Parameters
    ----------
    panel : DataFrame
        Long table: ``unit``, ``period``, ``value`` (as for :func:`ona.did`).
    value : str
    start : str
        First period of the intervention.
    treated : iterable of str, or str
        Units in the intervention, or a boolean column of ``panel``.
    unit, period : str
    ax : Axes, optional

    Returns
    -------
    Axes
        One thin line per unit and one thick line per group mean.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> p = pd.DataFrame({"unit": list("AABBCC"), "period": ["1", "2"] * 3,
    ...                   "ties": [1, 3, 1, 1, 2, 2]})
    >>> ax = before_after(p, value="ties", start="2", treated=["A"], ax=Figure().add_subplot())
    >>> len(ax.lines)   # 3 units + 2 group means
    5
    """
    ax = _axes(ax, (5, 4.5))
    d = panel[[unit, period, value]].dropna().copy()
    d[unit] = d[unit].astype(str)
    if isinstance(treated, str):
        flags = panel.loc[d.index, treated].astype(bool)
        treated_units = set(d.loc[flags.to_numpy(), unit])
    else:
        treated_units = {str(u) for u in treated}
    d["phase"] = np.where(d[period].astype(str) >= str(start), "after", "before")
    means = d.pivot_table(index=unit, columns="phase", values=value, aggfunc="mean")
    means = means.reindex(columns=["before", "after"]).dropna()
    is_t = means.index.isin(sorted(treated_units))
    for u, row in means.iterrows():
        t = u in treated_units
        ax.plot([0, 1], row.to_numpy(), color="tab:orange" if t else "0.6",
                lw=0.8, alpha=0.7, marker="o", ms=3)
    for mask, label, colour in [(is_t, "intervention", "tab:orange"), (~is_t, "others", "0.2")]:
        if mask.any():
            ax.plot([0, 1], means[mask].mean().to_numpy(), color=colour, lw=3,
                    label=f"{label} (mean of {int(mask.sum())})")
    ax.set_xticks([0, 1], [f"before {start}", f"from {start}"])
    ax.set_xlim(-0.2, 1.2)
    ax.set_ylabel(value)
    ax.legend(fontsize=8, frameon=False)
    ax.set_title(f"{value}: before and after", fontsize=9)
    return ax
