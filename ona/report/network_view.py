"""The report's interactive network: one self-contained HTML fragment (canvas, no library, no
request leaving the file) with pan, zoom, hover, filters and highlights.

:func:`view_data` computes what is shown, from the same :func:`ona.export.network_tables` that
``ona export`` writes: groups (default) or people, their ties per channel and period, and a
layout computed here with a seed so the picture is the same every time. :func:`network_view`
wraps it in HTML with the renderer (``assets/network_view.js``) inlined.

What it shows
-------------
* **Group view** (default): one node per group (``groups``, e.g. team), sized by its people and
  coloured by ``color_by`` (e.g. department); ties weighted by interactions. Groups under the
  minimum size are merged or left out as in every group-level output.
* **Person view** (``level="person"``): only for a pseudonymised workspace, or with
  ``names=True`` for one of raw identities; people sit around their group's position. Above
  :data:`PERSON_EDGE_BUDGET` ties, only the strongest are drawn until a person is hovered or
  selected (level of detail).

Filters: colour group (department), group (team), channel (layer) and period. Highlights:
groups holding brokers, and the groups of the silo pairs the diagnosis names. The root element
carries ``data-ona-network``, ``data-nodes`` and ``data-edges`` so tests and tools can find it.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from ona._validation import Interval, Options, validate_params
from ona.export import network_tables
from ona.privacy import MIN_GROUP_SIZE, SMALL_GROUPS_LABEL

__all__ = ["PERSON_EDGE_BUDGET", "ViewData", "group_layout", "network_view", "view_data"]

#: Ties drawn at once in the person view before level of detail applies.
PERSON_EDGE_BUDGET = 20_000
#: At most this many (tie x channel x period) entries are embedded; above it, periods are
#: merged from months to quarters, then to the whole window.
ENTRY_BUDGET = 150_000
_PALETTE = (  # Tableau 10 then its light variants: distinguishable, colour-blind aware
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac", "#a0cbe8", "#ffbe7d", "#ff9d9a", "#86bcb6", "#8cd17d", "#f1ce63",
    "#d4a6c8", "#fabfd2", "#d7b5a6", "#79706e",
)


def palette(names: list[str]) -> dict[str, str]:
    """One colour per group name (sorted names take the palette in order; it repeats after
    20, which the legend then disambiguates by name)."""
    return {name: _PALETTE[i % len(_PALETTE)] for i, name in enumerate(sorted(map(str, names)))}


@dataclass
class ViewData:
    """What the interactive view shows (JSON-ready): see :func:`view_data`."""

    payload: dict[str, Any]

    @property
    def n_nodes(self) -> int:
        return len(self.payload["nodes"])

    @property
    def n_edges(self) -> int:
        """Distinct directed ties (whatever the channel or period)."""
        edges = self.payload["edges"]
        return len({(e[0], e[1]) for e in edges})

    def to_json(self) -> str:
        return json.dumps(self.payload, separators=(",", ":"), allow_nan=False)


def group_layout(nodes: pd.DataFrame, edges: pd.DataFrame, *, by: str | None = None,
                 seed: int = 0) -> pd.DataFrame:
    """Seeded force-directed positions of the nodes in [-1, 1]^2.

    Ties pull by log(1 + interactions), so a few very heavy ties do not collapse the picture;
    with ``by`` (a node column such as department), nodes of one value start together, which
    keeps departments apart in the result.

    Returns
    -------
    DataFrame
        ``x`` and ``y`` indexed like ``nodes``.
    """
    graph = nx.Graph()
    graph.add_nodes_from(nodes.index)
    for row in edges.itertuples(index=False):
        if graph.has_edge(row.source, row.target):
            graph[row.source][row.target]["weight"] += float(row.weight)
        else:
            graph.add_edge(row.source, row.target, weight=float(row.weight))
    for _, _, d in graph.edges(data=True):
        d["weight"] = float(np.log1p(d["weight"]))
    rng = np.random.default_rng(seed)
    start = None
    if by is not None and by in nodes.columns and len(nodes):
        values = sorted(nodes[by].astype(str).unique())
        angle = {v: 2 * np.pi * i / len(values) for i, v in enumerate(values)}
        start = {
            n: np.array([np.cos(angle[str(v)]), np.sin(angle[str(v)])]) + rng.normal(0, 0.15, 2)
            for n, v in nodes[by].astype(str).items()
        }
    pos = nx.spring_layout(graph, pos=start, seed=seed, weight="weight",
                           k=2.0 / np.sqrt(max(len(graph), 1)), iterations=100)
    xy = np.array([pos[n] for n in nodes.index]) if len(nodes) else np.zeros((0, 2))
    if len(xy):
        xy = xy - xy.mean(axis=0)
        xy /= max(np.abs(xy).max(), 1e-9)
    return pd.DataFrame(xy, index=nodes.index, columns=["x", "y"])


def _around(centres: pd.DataFrame, members: pd.Series, radius: float) -> pd.DataFrame:
    """People placed on a sunflower spiral around their group's centre (deterministic)."""
    out = []
    golden = np.pi * (3 - np.sqrt(5))
    for group, ids in members.groupby(members, sort=True):
        ids = sorted(ids.index)
        k = np.arange(len(ids))
        r = radius * np.sqrt((k + 0.5) / len(ids))
        cx, cy = centres.loc[group, ["x", "y"]]
        out.append(pd.DataFrame({"x": cx + r * np.cos(k * golden),
                                 "y": cy + r * np.sin(k * golden)}, index=ids))
    return pd.concat(out) if out else pd.DataFrame(columns=["x", "y"])


def _entries(index: dict[str, int], channels: list[str], interactions: pd.DataFrame,
             who: pd.Series | None) -> tuple[list, list[str], str]:
    """(source, target, channel, period, weight) entries, periods merged to fit the budget."""
    events = interactions[["source", "target"]].astype(str)
    if who is not None:
        events = events.assign(source=events["source"].map(who), target=events["target"].map(who))
    events["channel"] = interactions["channel"].astype(str) if "channel" in interactions else "other"
    t = pd.to_datetime(interactions["timestamp"], utc=True).dt.tz_localize(None)
    events = events[events["source"].isin(index.keys()) & events["target"].isin(index.keys())]
    events = events[(events["source"] != events["target"]) & events["channel"].isin(channels)]
    t = t.loc[events.index]
    for unit in ("M", "Q", None):
        events["period"] = t.dt.to_period(unit).astype(str) if unit else "all"
        counted = events.groupby(["source", "target", "channel", "period"]).size()
        if len(counted) <= ENTRY_BUDGET or unit is None:
            break
    periods = sorted(counted.index.get_level_values("period").unique())
    p_index = {p: i for i, p in enumerate(periods)}
    c_index = {c: i for i, c in enumerate(channels)}
    entries = [[index[s], index[g], c_index[c], p_index[p], int(w)]
               for (s, g, c, p), w in counted.items()]
    return entries, periods, {"M": "month", "Q": "quarter", None: "whole window"}[unit]


@validate_params(
    {
        "level": [Options({"person", "group"})],
        "min_group_size": [Interval(int, 1)],
        "seed": [Interval(int, 0)],
    }
)
def view_data(
    interactions: pd.DataFrame,
    people: pd.DataFrame,
    *,
    level: str = "group",
    groups: str = "team",
    color_by: str = "department",
    start: Any = None,
    end: Any = None,
    min_group_size: int = MIN_GROUP_SIZE,
    pseudonymised: bool = True,
    names: bool = False,
    brokers: pd.Series | None = None,
    silo_pairs: list[tuple[str, str]] | None = None,
    seed: int = 0,
) -> ViewData:
    """The data behind the interactive view (see the module's notes).

    Parameters
    ----------
    interactions, people : DataFrame
        The Interactions and People tables (internal population: roster members).
    level : {'group', 'person'}, default 'group'
    groups : str, default 'team'
        The group nodes (group view) and the clusters people sit in (person view).
    color_by : str, default 'department'
        The People column that colours nodes and the department filter uses.
    start, end : optional
        The window.
    min_group_size : int, default 5
    pseudonymised, names : bool
        The person view needs ``pseudonymised=True`` or ``names=True``.
    brokers : Series of bool, optional
        Person → whether the diagnosis counts them as a broker; shown per group as a count.
    silo_pairs : list of (str, str), optional
        Pairs of ``color_by`` values the diagnosis names as silos (highlighted together).
    seed : int, default 0
        Seeds the layout.

    Returns
    -------
    ViewData
    """
    if level == "person" and not (pseudonymised or names):
        raise ValueError(
            "the person-level view shows people: it needs a pseudonymised workspace, or "
            "names=True (--names) to show the raw identities of this one")
    group_net = network_tables(interactions, people, level="group", groups=groups, start=start,
                               end=end, min_group_size=min_group_size, measures=False)
    person_net = network_tables(interactions, people, level="person", start=start, end=end,
                                min_group_size=1, pseudonymised=True, measures=False)
    # each person's group node: their own group, the merged small groups, or none (left out)
    who = person_net.nodes[groups].astype(object).where(person_net.nodes[groups].notna(),
                                                         "(no group)")
    merged = SMALL_GROUPS_LABEL if SMALL_GROUPS_LABEL in group_net.nodes.index else None
    who = who.where(who.isin(group_net.nodes.index), merged).dropna()
    colour_of_group = (group_net.nodes["department"] if color_by == "department"
                       and "department" in group_net.nodes else group_net.nodes["label"])
    colour_of_group = colour_of_group.astype(object).where(colour_of_group.notna(), "(none)")
    colours = palette(sorted(colour_of_group.astype(str).unique()))
    centres = group_layout(group_net.nodes.assign(_colour=colour_of_group), group_net.edges,
                           by="_colour", seed=seed)
    is_broker = (brokers.reindex(who.index).fillna(False).astype(bool) if brokers is not None
                 else pd.Series(False, index=who.index))
    broker_count = is_broker.groupby(who).sum()
    channels = (sorted(interactions["channel"].astype(str).unique())
                if "channel" in interactions else ["other"])
    if level == "group":
        ids = list(group_net.nodes.index)
        nodes = [
            {"id": str(g), "label": str(g), "colour": str(colour_of_group[g]),
             "size": int(row.people),
             "x": round(float(centres.loc[g, "x"]), 4), "y": round(float(centres.loc[g, "y"]), 4),
             "brokers": int(broker_count.get(g, 0)), "internal": float(row.internal_volume)}
            for g, row in group_net.nodes.iterrows()
        ]
        entries, periods, unit = _entries({g: i for i, g in enumerate(ids)}, channels,
                                          interactions, who)
    else:
        pos = _around(centres, who, 0.6 / np.sqrt(max(len(group_net.nodes), 1)))
        ids = list(pos.index)
        nodes = [
            {"id": str(i), "label": str(i), "team": str(who[i]),
             "colour": str(colour_of_group[who[i]]), "size": 1,
             "x": round(float(pos.loc[i, "x"]), 5), "y": round(float(pos.loc[i, "y"]), 5),
             "brokers": int(is_broker[i])}
            for i in ids
        ]
        entries, periods, unit = _entries({p: k for k, p in enumerate(ids)}, channels,
                                          interactions, None)
    payload = {
        "level": level, "groups": groups, "colour_by": color_by,
        "nodes": nodes, "edges": entries, "channels": channels, "periods": periods,
        "period_unit": unit, "colours": colours,
        "silo_pairs": [list(map(str, p)) for p in (silo_pairs or [])],
        "privacy": group_net.privacy if level == "group" else (
            "person ids are the workspace's keyed pseudonyms" if pseudonymised else
            "RAW IDENTITIES shown on request (--names)"),
        "edge_budget": PERSON_EDGE_BUDGET,
        "min_group_size": min_group_size,
    }
    return ViewData(payload)


def network_view(data: ViewData, *, title: str = "Who works with whom", height: int = 620) -> str:
    """The HTML fragment of the interactive view (renderer and data inlined).

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"person_id": list("abcdefghij"),
    ...     "team": ["T1"] * 5 + ["T2"] * 5, "department": ["D1"] * 5 + ["D2"] * 5})
    >>> events = pd.DataFrame({"timestamp": pd.to_datetime(["2026-01-05"] * 3, utc=True),
    ...     "source": ["a", "b", "f"], "target": ["f", "c", "a"], "channel": "email"})
    >>> fragment = network_view(view_data(events, people))
    >>> 'data-ona-network="group"' in fragment and 'data-nodes="2"' in fragment
    True
    """
    script = resources.files("ona.report").joinpath("assets/network_view.js").read_text("utf-8")
    # </script> inside JSON would end the script element early: escape the slash.
    payload = data.to_json().replace("</", "<\\/")
    level = data.payload["level"]
    return (
        f'<div class="ona-network" data-ona-network="{html.escape(level)}" '
        f'data-nodes="{data.n_nodes}" data-edges="{data.n_edges}" style="--h:{height}px">'
        f'<div class="onv-bar"></div><div class="onv-stage"><canvas></canvas>'
        f'<div class="onv-tip" hidden></div></div><div class="onv-legend"></div>'
        f'<p class="onv-note">{html.escape(title)}: drag to pan, scroll to zoom, hover a node '
        f"for its ties, click to keep it selected. {html.escape(data.payload['privacy'])}</p>"
        f'<script type="application/json" class="onv-data">{payload}</script>'
        f"<script>{script}</script></div>"
    )
