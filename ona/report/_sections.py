"""Rendering a :class:`~ona.diagnosis.Diagnosis` into report sections: the one place where
sections are drawn. Each finding is written as its status, statement, reason and checks; a
finding id may also have a figure renderer in :data:`FIGURES` (a new section adds its own)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from ona import plot
from ona.analysis.silos import group_matrix
from ona.diagnosis import SECTIONS, Diagnosis, Finding
from ona.diagnosis.thresholds import THRESHOLDS
from ona.graph import as_compact
from ona.report._html import Section, Writer

__all__ = ["FIGURES", "TABLES", "limits", "render_diagnosis"]

# Finding tables shown in the report: (finding id, table name) -> caption.
TABLES: dict[tuple[str, str], str] = {
    ("silos.pairs", "pairs"): "Pairs of groups, weakest first (observed / expected: 1 means "
                              "as much as the groups' activity predicts)",
    ("silos.ei", "ei"): "E-I index by group (-1: all ties inside, +1: all ties outside)",
    ("brokerage.concentration", "by_group"): "Where the top 10% brokers work",
    ("overload.concentration", "by_group"): "Where the people in demand work",
    ("outcomes.teams", "relate"): "Team measures against outcomes (Spearman correlation, BCa "
                                  "intervals over teams, permutation p, Holm-adjusted)",
    ("outcomes.teams", "controlled"): "The strongest pairs net of team size and department "
                                      "(standardised beta, bootstrap interval, Freedman-Lane "
                                      "permutation p and HC3 robust p)",
    ("change.cross_share", "monthly"): "Month by month",
}


def _fig(width: float = 7, height: float = 5) -> tuple[Figure, Any]:
    fig = Figure(figsize=(width, height))
    return fig, fig.add_subplot()


def _coverage(w: Writer, s: Section, d: Diagnosis, f: Finding) -> None:
    table = f.tables.get("coverage")
    if table is None or table.empty:
        return
    fig, ax = _fig(7, 3.4)
    plot.coverage(table, ax=ax)
    w.figure(s, fig, "coverage", "Share of the people seen each month in each source; a dip "
             "is a gap in the export, not a quiet month.")


def _network(w: Writer, s: Section, d: Diagnosis, f: Finding) -> None:
    G, group = d.graph, d.extras.get("group")
    if G is None or G.number_of_edges() == 0:
        return
    fig, ax = _fig(8, 6)
    n = G.number_of_nodes()
    if group is not None and n > plot.MAX_STATIC_NODES:
        m = group_matrix(G, group, min_group_size=d.meta["min_group_size"])
        sizes = as_compact(G).node_attrs[group].value_counts()
        small = sizes[sizes < d.meta["min_group_size"]].sum()
        if small:
            sizes = sizes[sizes >= d.meta["min_group_size"]]
            sizes[plot.SMALL_GROUPS_LABEL] = small
        layout = plot.group_layout(m, seed=d.meta["seed"])
        d.extras["group_layout"] = layout
        plot.group_network(m, sizes, ax=ax, layout=layout, colours=d.extras["colours"],
                           title=f"Who works with whom, by {group} ({n:,} people)")
        caption = (f"One node per {group} ({m.attrs.get('privacy', '')}); people are not drawn "
                   f"individually above {plot.MAX_STATIC_NODES} people.")
    elif n <= plot.MAX_STATIC_NODES:
        plot.network(G, groups=group, ax=ax, min_group_size=d.meta["min_group_size"],
                     seed=d.meta["seed"])
        caption = "Each point is a person (unnamed), coloured by group."
    else:
        return  # no groups and too many people for a readable static picture
    w.figure(s, fig, "network", caption)


def _roles(w: Writer, s: Section, d: Diagnosis, f: Finding) -> None:
    cent = d.extras.get("centrality")
    if cent is None or f.status == "withheld":
        return
    fig, ax = _fig(6, 4.5)
    plot.role_quadrant(cent, ax=ax)
    w.figure(s, fig, "roles", "Reach (distinct contacts) against brokerage (betweenness), "
             "split at the medians; no person is named.")


def _load(w: Writer, s: Section, d: Diagnosis, f: Finding) -> None:
    load = d.extras.get("overload")
    if load is None or f.status == "withheld":
        return
    fig, ax = _fig(5.5, 4)
    plot.load_curve(load, ax=ax, top=f.numbers["top"])
    w.figure(s, fig, "overload", "Demand (interactions received) accumulated from the most "
             "sought-after people down; the diagonal is an even spread.")


def _pairs(w: Writer, s: Section, d: Diagnosis, f: Finding) -> None:
    pairs = f.tables.get("pairs")
    if pairs is None or pairs.empty or f.status == "withheld":
        return
    fig, ax = _fig(7, 6)
    plot.pair_ratios(pairs, ax=ax, title=f"Interaction between {d.extras['group']}s against "
                     "what their activity predicts")
    w.figure(s, fig, "group_matrix", "Red: less interaction than the two groups' activity "
             f"predicts; blue: more; white: as predicted. {pairs.attrs.get('privacy', '')}.")


def _outcome(w: Writer, s: Section, d: Diagnosis, f: Finding) -> None:
    data = d.extras.get("team_data")
    if data is None or f.status == "withheld":
        return
    best = f.numbers["strongest"]
    fig, ax = _fig(6, 4.5)
    plot.metric_outcome(data, best["metric"], best["outcome"], ax=ax, result=best)
    w.figure(s, fig, "metric_outcome", "Each point is a team; the band is the 95% interval "
             "of the fitted line, resampling teams. An association, not causal.")


def _change(w: Writer, s: Section, d: Diagnosis, f: Finding) -> None:
    table = f.tables.get("monthly")
    if table is None or "cross_share" not in table or table["cross_share"].notna().sum() < 2:
        return
    fig, ax = _fig(7, 3.4)
    group = d.extras.get("group")
    plot.monthly_share(table, "cross_share", ax=ax, label=f"ties across {group}s",
                       title=f"Share of ties across {group}s, by month (0-100% scale)")
    w.figure(s, fig, "over_time", "Monthly share of ties between people of different "
             f"{group}s, on the full scale so that noise does not look like change.")


# Finding id -> figure renderer.
FIGURES: dict[str, Callable[[Writer, Section, Diagnosis, Finding], None]] = {
    "data.coverage": _coverage,
    "network.structure": _network,
    "brokerage.concentration": _roles,
    "overload.concentration": _load,
    "silos.pairs": _pairs,
    "outcomes.teams": _outcome,
    "change.cross_share": _change,
}


def limits(d: Diagnosis) -> tuple[list[str], list[str]]:
    """What this data can and cannot say, as two lists of plain sentences."""
    can, cannot = [], []
    cov = next((f for f in d.findings if f.id == "data.coverage"), None)
    if cov is not None and cov.numbers:
        n = cov.numbers
        can.append(f"Sources: {', '.join(f'{k} ({v:,} interactions)' for k, v in n['by_channel'].items())}"
                   f", {n['first_month']} to {n['last_month']}.")
        if n.get("active_share") is not None and d.population.has_roster:
            can.append(f"Coverage: {n['active_share']:.0%} of the {len(d.population.internal):,} "
                       "people appear in these sources.")
    can.append("Who: " + d.population.rule + ".")
    stated = [f.title for f in d.findings if f.status == "reported"]
    if stated:
        can.append("Stated with every check passed: " + "; ".join(stated) + ".")
    channels = set(cov.numbers.get("by_channel", {})) if cov is not None and cov.numbers else set()
    absent = [c for c in ("email", "chat", "meeting", "code") if c not in channels]
    if absent:
        cannot.append("Absent sources: " + ", ".join(absent) + " (collaboration there is not "
                      "seen, so people who work mainly there look less connected).")
    if not d.population.has_roster:
        cannot.append("No roster: staff cannot be told from outsiders, and nothing can be said "
                      "by department or team.")
    for f in d.findings:
        if f.status != "reported" and f.reason:
            word = "Not stated" if f.status == "withheld" else "Stated with a caveat"
            cannot.append(f"{word}: {f.title.lower()} ({f.reason}).")
    cannot.append("Only metadata is used (who, when, which channel), never content: message "
                  "volume is not the quality or value of collaboration, and informal talk, "
                  "phone calls and meetings without invitations are not seen.")
    cannot.append("Associations with outcomes are not causal.")
    return can, cannot


def _thresholds_table() -> pd.DataFrame:
    def line(t, value):
        if value is None:
            return "never"
        return ("above " if t.direction == "max" else "below ") + f"{value:g}"

    rows = [{"check": t.label, "qualified when": line(t, t.qualify),
             "withheld when": line(t, t.withhold), "why": t.source}
            for t in THRESHOLDS.values()]
    return pd.DataFrame(rows).set_index("check")


def render_diagnosis(w: Writer, d: Diagnosis) -> None:
    """Write every section of ``d`` into ``w``, in :data:`ona.diagnosis.SECTIONS` order."""
    order = list(SECTIONS) + [f.section for f in d.findings if f.section not in SECTIONS]
    for name in dict.fromkeys(order):
        findings = d.section(name)
        if not findings:
            continue
        s = w.section(SECTIONS.get(name, name.capitalize()))
        for f in findings:
            w.finding(s, f.title, f.status, f.statement, f.reason, f.checks_passed)
            if f.status != "withheld":
                for key, frame in f.tables.items():
                    caption = TABLES.get((f.id, key))
                    if caption and isinstance(frame, pd.DataFrame) and len(frame):
                        w.table(s, frame, caption, index=not isinstance(frame.index,
                                                                         pd.RangeIndex))
            renderer = FIGURES.get(f.id)
            if renderer is not None:
                renderer(w, s, d, f)
    s = w.section("Method, thresholds and privacy")
    w.note(s, f"Groups with fewer than {d.meta['min_group_size']} people are merged or left "
           "out of every group-level table and figure; no individual is named or ranked.")
    w.table(s, _thresholds_table(), "Every check and its thresholds (defined once, in "
            "ona.diagnosis.thresholds; see docs/checks.md)")
