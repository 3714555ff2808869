"""Plots: structure (artists, labels, privacy notes), not pixels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ona import plot  # noqa: E402
from ona.privacy import SMALL_GROUPS_LABEL  # noqa: E402


def _ax():
    return Figure().add_subplot()


def _org(n_groups: int, size: int, extra_small: int = 0, seed: int = 0) -> nx.Graph:
    sizes = [size] * n_groups + ([extra_small] if extra_small else [])
    G = nx.random_partition_graph(sizes, 0.2, 0.01, seed=seed)
    for _v, data in G.nodes(data=True):
        data["team"] = f"team{data['block']}"
    return G


def test_network_people_level_colours_by_team_and_merges_small_teams():
    G = _org(4, 12, extra_small=3)
    ax = plot.network(G, ax=_ax())
    scatters = [c for c in ax.collections if not isinstance(c, LineCollection)]
    labels = sorted(t.get_text() for t in ax.get_legend().get_texts())
    assert len(scatters) == 5  # four teams + the merged small one
    assert labels[0].startswith(SMALL_GROUPS_LABEL) and "(3)" in labels[0]
    assert sum(len(s.get_offsets()) for s in scatters) == G.number_of_nodes()
    edges = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(edges) == 1 and len(edges[0].get_segments()) == G.number_of_edges()
    assert "1 group(s) with fewer than 5 people merged" in ax.get_title()


def test_network_aggregates_to_groups_above_max_nodes():
    G = _org(6, 60, extra_small=2)  # 362 people: group level; the tiny team cannot be shown
    ax = plot.network(G, ax=_ax(), max_nodes=300)
    scatters = [c for c in ax.collections if not isinstance(c, LineCollection)]
    assert len(scatters) == 6  # one node per team; the 2-person team dropped (merged too small)
    assert all(len(s.get_offsets()) == 1 for s in scatters)
    assert ax.get_legend() is None  # group names are written on the nodes
    assert "one node per group" in ax.get_title()
    assert {t.get_text() for t in ax.texts} == {f"team{i}" for i in range(6)}


def test_network_accepts_a_compact_graph_and_a_mapping():
    from ona.graph import as_compact

    G = _org(2, 8)
    ax = plot.network(as_compact(G), groups={v: "x" if v < 8 else "y" for v in G}, ax=_ax())
    assert sorted(t.get_text() for t in ax.get_legend().get_texts()) == ["x (8)", "y (8)"]


def test_group_heatmap_labels_and_privacy_note():
    m = pd.DataFrame(np.arange(9.0).reshape(3, 3), index=list("ABC"), columns=list("ABC"))
    m.attrs["privacy"] = "all groups have at least 5 people; none suppressed"
    ax = plot.group_heatmap(m, ax=_ax())
    assert len(ax.images) == 1
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "B", "C"]
    assert len(ax.texts) == 9 and "none suppressed" in ax.get_title()
    assert len(plot.group_heatmap(m, ax=_ax(), annotate=False).texts) == 0


def test_role_quadrant_splits_at_medians_and_labels_nobody():
    t = pd.DataFrame({"degree": np.arange(10.0), "betweenness": np.arange(10.0)[::-1]},
                     index=[f"p{i}" for i in range(10)])
    ax = plot.role_quadrant(t, ax=_ax())
    assert ax.lines[0].get_xdata()[0] == pytest.approx(4.5)
    assert ax.lines[1].get_ydata()[0] == pytest.approx(4.5)
    assert not {t.get_text() for t in ax.texts} & set(t.index)  # no person named
    assert ax.get_xlabel() == "reach (degree)"


def test_metric_outcome_band_brackets_the_fitted_line():
    rng = np.random.default_rng(0)
    d = pd.DataFrame({"m": rng.normal(size=20)})
    d["o"] = d["m"] + rng.normal(size=20)
    row = {"estimate": 0.6, "ci_low": 0.2, "ci_high": 0.8, "detectable_r": 0.59}
    ax = plot.metric_outcome(d, "m", "o", ax=_ax(), result=row, n_boot=500)
    band = next(c for c in ax.collections if isinstance(c, PolyCollection))
    verts = band.get_paths()[0].vertices
    line_x, line_y = ax.lines[0].get_data()
    mid = len(line_x) // 2
    ys = verts[np.isclose(verts[:, 0], line_x[mid]), 1]
    assert ys.min() < line_y[mid] < ys.max()
    assert "r = 0.60 [0.20, 0.80]" in ax.get_title() and "0.59" in ax.get_title()


def test_before_after_draws_one_line_per_unit_and_group_means():
    p = pd.DataFrame({"unit": np.repeat(list("ABCDE"), 4),
                      "period": ["2026-01", "2026-02", "2026-03", "2026-04"] * 5,
                      "v": np.arange(20.0)})
    ax = plot.before_after(p, value="v", start="2026-03", treated=["A", "B"], ax=_ax())
    assert len(ax.lines) == 5 + 2
    a_line = ax.lines[0].get_ydata()
    assert list(a_line) == pytest.approx([0.5, 2.5])  # A: mean of periods 1-2, then 3-4
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "intervention (mean of 2)", "others (mean of 3)"]


def test_options_are_validated_with_the_uniform_message():
    from ona.exceptions import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="The 'log' parameter of role_quadrant"):
        plot.role_quadrant(pd.DataFrame({"degree": [1.0], "betweenness": [0.0]}), log="yes")
    with pytest.raises(InvalidParameterError, match="The 'max_nodes' parameter of network"):
        plot.network(nx.path_graph(3), max_nodes=0)
