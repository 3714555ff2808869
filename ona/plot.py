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

__all__ = [
    "before_after",
    "coverage",
    "group_colours",
    "group_heatmap",
    "group_layout",
    "group_network",
    "group_trend",
    "load_curve",
    "metric_outcome",
    "monthly_share",
    "network",
    "pair_ratios",
    "role_quadrant",
]

# The most nodes a static picture shows; larger networks are drawn one node per group.
MAX_STATIC_NODES = 50
NEUTRAL = "0.55"  # grey for missing groups, single units and reference lines
TREATED, OTHERS = "tab:orange", "0.2"  # intervention and comparison units, in every figure

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


def group_colours(names: Iterable[str]) -> dict[str, Any]:
    """One colour per group, the same in every figure of a report (sorted names, tab20, then
    tab20b/tab20c: 60 distinct colours before any repeats; the merged small groups are grey).

    Examples
    --------
    >>> c = group_colours(["Sales", "Engineering"])
    >>> c["Engineering"] != c["Sales"]
    True
    """
    import matplotlib as mpl

    maps = [mpl.colormaps[m] for m in ("tab20", "tab20b", "tab20c")]
    real = sorted(str(n) for n in names if str(n) not in (SMALL_GROUPS_LABEL, _MISSING_GROUP))
    out: dict[str, Any] = {g: maps[(i // 20) % 3](i % 20) for i, g in enumerate(real)}
    for special in (SMALL_GROUPS_LABEL, _MISSING_GROUP):
        out[special] = NEUTRAL
    return out


_palette = group_colours


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
        ax.plot([0, 1], row.to_numpy(), color=TREATED if t else NEUTRAL,
                lw=0.8, alpha=0.7, marker="o", ms=3)
    for mask, label, colour in [(is_t, "intervention", TREATED), (~is_t, "others", OTHERS)]:
        if mask.any():
            ax.plot([0, 1], means[mask].mean().to_numpy(), color=colour, lw=3,
                    label=f"{label} (mean of {int(mask.sum())})")
    ax.set_xticks([0, 1], [f"before {start}", f"from {start}"])
    ax.set_xlim(-0.2, 1.2)
    ax.set_ylabel(value)
    ax.legend(fontsize=8, frameon=False)
    ax.set_title(f"{value}: before and after", fontsize=9)
    return ax


@validate_params({"seed": [Interval(int, 0)]})
def group_layout(matrix: pd.DataFrame, *, seed: int = 0) -> pd.DataFrame:
    """Positions of the groups of a group matrix, computed once with a seed.

    A spring layout of the group graph (edge weights: interactions both ways), so the static
    picture and an interactive view can place groups identically.

    Parameters
    ----------
    matrix : DataFrame
        A square group matrix (:func:`ona.group_matrix`).
    seed : int, default 0

    Returns
    -------
    DataFrame
        Indexed by group: ``x``, ``y`` in [-1, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame([[5, 1], [1, 5]], index=["A", "B"], columns=["A", "B"])
    >>> group_layout(m).shape
    (2, 2)
    """
    sym = matrix.to_numpy(dtype=float)
    sym = sym + sym.T
    graph = nx.Graph()
    graph.add_nodes_from(range(len(matrix)))
    for i, j in zip(*np.nonzero(np.triu(sym, 1)), strict=True):
        graph.add_edge(int(i), int(j), weight=float(sym[i, j]))
    pos = nx.spring_layout(graph, seed=seed, weight="weight") if len(matrix) else {}
    xy = np.array([pos[i] for i in range(len(matrix))]) if len(matrix) else np.zeros((0, 2))
    return pd.DataFrame(xy, index=matrix.index, columns=["x", "y"])


def group_network(
    matrix: pd.DataFrame,
    sizes: pd.Series,
    *,
    ax: Axes | None = None,
    layout: pd.DataFrame | None = None,
    colours: Mapping[str, Any] | None = None,
    seed: int = 0,
    title: str | None = None,
) -> Axes:
    """The group-level network: one node per group sized by people, edges by interactions.

    Never more than :data:`MAX_STATIC_NODES` nodes: further groups (the smallest) are left out
    and the title says how many.

    Parameters
    ----------
    matrix : DataFrame
        Group matrix (privacy already applied, :func:`ona.group_matrix`).
    sizes : Series
        People per group.
    ax : Axes, optional
    layout : DataFrame, optional
        :func:`group_layout` (computed here with ``seed`` if not given).
    colours : mapping, optional
        :func:`group_colours` of the report.
    seed : int, default 0
    title : str, optional

    Returns
    -------
    Axes
        Edges in a LineCollection, one scatter per group (in the legend).

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> m = pd.DataFrame([[5, 1], [1, 5]], index=["A", "B"], columns=["A", "B"])
    >>> ax = group_network(m, pd.Series({"A": 6, "B": 8}), ax=Figure().add_subplot())
    >>> len(ax.collections)
    3
    """
    ax = _axes(ax)
    names = list(matrix.index)
    left_out = 0
    if len(names) > MAX_STATIC_NODES:
        keep = sizes.reindex(names).fillna(0).sort_values(ascending=False).index[:MAX_STATIC_NODES]
        left_out = len(names) - len(keep)
        matrix = matrix.loc[keep, keep]
        names = list(keep)
    layout = group_layout(matrix, seed=seed) if layout is None else layout.reindex(names)
    colours = colours or group_colours(names)
    xy = layout[["x", "y"]].to_numpy()
    sym = matrix.to_numpy(dtype=float) + matrix.to_numpy(dtype=float).T
    i, j = np.nonzero(np.triu(sym, 1))
    if len(i):
        w = sym[i, j]
        ax.add_collection(LineCollection(np.stack([xy[i], xy[j]], axis=1),
                                         linewidths=0.3 + 8 * w / w.max(), colors="0.6",
                                         alpha=0.5, zorder=1))
    n = sizes.reindex(names).fillna(0).to_numpy(dtype=float)
    big = n.max() if len(n) and n.max() > 0 else 1.0
    for k, name in enumerate(names):
        ax.scatter(*xy[k], s=60 + 1400 * n[k] / big, color=colours.get(str(name), NEUTRAL),
                   label=f"{name} ({int(n[k]):,})", zorder=2, edgecolors="white", linewidths=1)
    ax.legend(title="group (people)", fontsize=7, title_fontsize=8, frameon=False,
              loc="upper left", bbox_to_anchor=(1.0, 1.0), markerscale=0.35,
              ncol=1 + len(names) // 26)
    ax.set_axis_off()
    ax.margins(0.15)
    ax.autoscale_view()
    heading = title or "Who works with whom, by group"
    heading += "\nnode size: people; line width: interactions between the groups"
    if left_out:
        heading += f"; the {left_out} smallest groups are not drawn"
    ax.set_title(heading, fontsize=9)
    return ax


def coverage(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Share of the people active each month, per source: gaps show as dips.

    Parameters
    ----------
    table : DataFrame
        :func:`ona.diagnosis.coverage_table` (months by source, shares in [0, 1]).
    ax : Axes, optional

    Returns
    -------
    Axes
        One line per source; y from 0% to 100%.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> t = pd.DataFrame({"email": [0.8, 0.9], "all": [0.9, 0.95]}, index=["2025-01", "2025-02"])
    >>> len(coverage(t, ax=Figure().add_subplot()).lines)
    2
    """
    ax = _axes(ax, (7, 3.2))
    x = np.arange(len(table))
    for col in table.columns:
        style = {"color": "0.2", "lw": 2.2} if col == "all" else {"lw": 1.3}
        ax.plot(x, 100 * table[col].to_numpy(dtype=float), marker="o", ms=3,
                label="any source" if col == "all" else str(col), **style)
    ax.set_ylim(0, 105)
    step = max(1, len(table) // 12)
    ax.set_xticks(x[::step], [str(m) for m in table.index[::step]], rotation=45, ha="right",
                  fontsize=8)
    ax.set_xlabel("month")
    ax.set_ylabel("people active (% of all people)")
    ax.legend(title="source", fontsize=8, title_fontsize=8, frameon=False, loc="lower left")
    ax.set_title("Coverage: share of people seen in each source, by month", fontsize=9)
    return ax


def pair_ratios(pairs: pd.DataFrame, *, ax: Axes | None = None, title: str | None = None) -> Axes:
    """Observed / expected interaction between groups, on a diverging scale centred on 1.

    Parameters
    ----------
    pairs : DataFrame
        :func:`ona.diagnosis.silo_pairs` (``group_a``, ``group_b``, ``ratio``).
    ax : Axes, optional
    title : str, optional

    Returns
    -------
    Axes
        One image: red below 1 (less than expected), blue above, white at 1 (log scale).

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> p = pd.DataFrame({"group_a": ["A"], "group_b": ["B"], "ratio": [0.5]})
    >>> len(pair_ratios(p, ax=Figure().add_subplot()).images)
    1
    """
    from matplotlib.colors import LogNorm

    ax = _axes(ax)
    names = sorted(set(pairs["group_a"]) | set(pairs["group_b"]))
    m = pd.DataFrame(np.nan, index=names, columns=names)
    for r in pairs.itertuples():
        m.loc[r.group_a, r.group_b] = m.loc[r.group_b, r.group_a] = r.ratio
    values = m.to_numpy(dtype=float)
    finite = values[np.isfinite(values) & (values > 0)]
    spread = max(2.0, float(np.max(np.abs(np.log10(finite)))) if finite.size else 1.0)
    span = 10 ** min(spread, 2.0)
    image = ax.imshow(np.clip(values, 1 / span, span), cmap="RdBu",
                      norm=LogNorm(vmin=1 / span, vmax=span), aspect="auto")
    bar = ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    bar.set_label("observed / expected (1 = as activity predicts)")
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.set_xlabel("group")
    ax.set_ylabel("group")
    if len(names) <= 12:
        for (i, j), v in np.ndenumerate(values):
            if np.isfinite(v):
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7)
    ax.set_title(title or "Interaction between groups against what their activity predicts",
                 fontsize=9)
    return ax


def load_curve(load: pd.DataFrame, *, ax: Axes | None = None, top: float = 0.05) -> Axes:
    """Cumulative share of demand against the share of people, most sought-after first.

    Parameters
    ----------
    load : DataFrame
        :func:`ona.overload` (sorted, with ``cumulative_share``).
    ax : Axes, optional
    top : float, default 0.05
        The top share marked on the curve.

    Returns
    -------
    Axes
        The curve, the line of an even spread and the top-share marker (in the legend).

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> d = pd.DataFrame({"cumulative_share": [0.5, 0.8, 1.0]})
    >>> len(load_curve(d, ax=Figure().add_subplot()).lines)
    3
    """
    ax = _axes(ax, (5.5, 4))
    n = len(load)
    x = 100 * np.arange(0, n + 1) / max(n, 1)
    y = 100 * np.concatenate([[0.0], load["cumulative_share"].to_numpy(dtype=float)])
    ax.plot(x, y, color="tab:red", lw=2, label="this organisation")
    ax.plot([0, 100], [0, 100], color=NEUTRAL, ls="--", lw=1, label="everyone equally sought")
    k = max(1, int(np.ceil(top * n - 1e-9))) if n else 0
    if k:
        ax.plot([100 * k / n], [y[k]], "o", color="0.1",
                label=f"top {100 * top:.0f}%: {y[k]:.0f}% of demand")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_xlabel("people, most sought-after first (%)")
    ax.set_ylabel("share of all demand (%)")
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    ax.set_title("How concentrated the demand on people is", fontsize=9)
    return ax


def monthly_share(table: pd.DataFrame, column: str, *, ax: Axes | None = None,
                  label: str | None = None, title: str | None = None) -> Axes:
    """A monthly share on an axis from 0% to 100%, so noise does not look like change.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> t = pd.DataFrame({"cross_share": [0.25, 0.3]}, index=["2025-01", "2025-02"])
    >>> tuple(float(v) for v in monthly_share(t, "cross_share", ax=Figure().add_subplot()).get_ylim())
    (0.0, 100.0)
    """
    ax = _axes(ax, (7, 3.2))
    x = np.arange(len(table))
    ax.plot(x, 100 * table[column].to_numpy(dtype=float), marker="o", color="tab:blue",
            label=label or column)
    ax.set_ylim(0, 100)
    step = max(1, len(table) // 12)
    ax.set_xticks(x[::step], [str(m) for m in table.index[::step]], rotation=45, ha="right",
                  fontsize=8)
    ax.set_xlabel("month")
    ax.set_ylabel((label or column) + " (%)")
    ax.legend(fontsize=8, frameon=False, loc="upper right")
    ax.set_title(title or f"{label or column}, by month (full 0-100% scale)", fontsize=9)
    return ax


def group_trend(panel: pd.DataFrame, *, value: str, treated: Iterable[str], start: str,
                unit: str = "unit", period: str = "period", ax: Axes | None = None,
                label: str | None = None) -> Axes:
    """Mean of ``value`` per period for the intervention units and the others, same colours as
    :func:`before_after`, on a 0-100% axis when the value is a share.

    Examples
    --------
    >>> import pandas as pd
    >>> from matplotlib.figure import Figure
    >>> p = pd.DataFrame({"unit": list("AABB"), "period": ["1", "2"] * 2, "v": [.1, .3, .1, .1]})
    >>> len(group_trend(p, value="v", treated=["A"], start="2", ax=Figure().add_subplot()).lines)
    3
    """
    ax = _axes(ax, (6, 4))
    d = panel[[unit, period, value]].dropna()
    is_t = d[unit].astype(str).isin({str(u) for u in treated})
    periods = sorted(d[period].astype(str).unique())
    share = bool(d[value].between(0, 1).all())
    scale = 100 if share else 1
    for mask, name, colour in [(is_t, "intervention", TREATED), (~is_t, "others", OTHERS)]:
        if mask.any():
            means = d[mask].groupby(d[period].astype(str))[value].mean().reindex(periods)
            ax.plot(range(len(periods)), scale * means.to_numpy(), marker="o", color=colour,
                    label=f"{name} ({d.loc[mask, unit].nunique()} units)")
    if str(start) in periods:
        ax.axvline(periods.index(str(start)) - 0.5, color=NEUTRAL, ls="--", lw=1,
                   label=f"intervention starts ({start})")
    if share:
        ax.set_ylim(0, 100)
    step = max(1, len(periods) // 12)
    ax.set_xticks(range(0, len(periods), step), periods[::step], rotation=45, ha="right",
                  fontsize=8)
    ax.set_xlabel(period)
    ax.set_ylabel((label or value) + (" (%)" if share else ""))
    ax.legend(fontsize=8, frameon=False)
    ax.set_title(f"{label or value}: intervention units against the others", fontsize=9)
    return ax
