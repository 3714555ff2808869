"""The report's sections: each runs one part of the diagnostic and writes its findings."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ona import plot
from ona.analysis.centrality import centrality
from ona.analysis.roles import overload, roles
from ona.analysis.silos import communities, compare_partitions, ei_index, group_matrix
from ona.analysis.structure import density, reciprocity
from ona.analysis.teams import team_table
from ona.exceptions import TableError
from ona.graph import as_compact, windows
from ona.report._html import Section, Writer
from ona.stats import relate

__all__ = [
    "connect_section",
    "data_section",
    "group_column",
    "network_section",
    "outcome_section",
    "silo_section",
    "time_section",
]

# Team metrics in plain words, for the findings.
_LABELS = {
    "density": "internal density (share of possible ties inside the team)",
    "ei": "E-I index (ties leaving the team against ties inside)",
    "external_range": "external range (1 - the team's constraint)",
    "degree_centralization": "centralisation (ties concentrated on few members)",
    "external_per_member": "ties to other teams per member",
}


def _fig(width: float = 7, height: float = 5) -> tuple[Figure, Any]:
    fig = Figure(figsize=(width, height))
    return fig, fig.add_subplot()


def group_column(people: pd.DataFrame, preferred: tuple[str, ...]) -> str | None:
    """The first of ``preferred`` People columns that holds any value, or None."""
    for col in preferred:
        if col in people.columns and people[col].notna().any():
            return col
    return None


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def data_section(w: Writer, ws: Any, events: pd.DataFrame, people: pd.DataFrame) -> None:
    """Coverage by channel and month, flags left out, rejected inputs."""
    s = w.section("The data")
    if events.empty:
        s.findings.append("The workspace holds no interactions yet: import exports first.")
        return
    months = events["timestamp"].dt.strftime("%Y-%m")
    by = pd.crosstab(months, events["channel"]).sort_index()
    by.index.name = "month"
    rejects = ws.rejects()
    s.findings.append(
        f"{len(events):,} interactions from {by.shape[1]} channel(s) "
        f"({', '.join(f'{c}: {n:,}' for c, n in by.sum().items())}), "
        f"{months.min()} to {months.max()}; {people['person_id'].nunique():,} people on the roster.")
    flags = [f"{int(events[c].sum()):,} {c}" for c in ("automated", "mass")
             if c in events.columns and events[c].any()]
    if flags:
        s.findings.append("Left out of the network: " + " and ".join(flags) + " messages.")
    if len(rejects):
        reasons = rejects["reason"].value_counts().head(5)
        s.findings.append(f"{len(rejects):,} input records were rejected ("
                          + "; ".join(f"{r}: {n}" for r, n in reasons.items()) + ").")
    fig, ax = _fig(7, 3.2)
    by.plot.bar(ax=ax, stacked=True, width=0.8)
    ax.set_ylabel("interactions")
    ax.set_title("Coverage: interactions by month and channel", fontsize=9)
    w.figure(s, fig, "coverage", "Interactions by month and channel: gaps are missing exports.")


def network_section(w: Writer, G: nx.DiGraph, team_col: str | None, min_size: int) -> None:
    """Size, density, reciprocity, and the network picture coloured by team."""
    s = w.section("The network")
    n, m = G.number_of_nodes(), G.number_of_edges()
    isolated = sum(1 for v in G if G.degree(v) == 0)
    s.findings.append(
        f"{n:,} people and {m:,} directed ties; density {density(G):.3f}; "
        f"{_pct(reciprocity(G))} of ties are reciprocated.")
    if isolated:
        s.findings.append(f"{isolated} people on the roster have no recorded interaction in "
                          "the period (absent from these sources, not necessarily isolated).")
    fig, ax = _fig(7.5, 6.5)
    plot.network(G, groups=team_col, ax=ax, min_group_size=min_size)
    w.figure(s, fig, "network", f"The network coloured by {team_col or 'group'}; "
             "above a few hundred people, one node per group.")


def connect_section(w: Writer, G: nx.DiGraph, group_col: str | None, min_size: int) -> None:
    """Brokerage concentration, overload, informal roles, and where the brokers work."""
    s = w.section("Who connects")
    cent = centrality(G, measures=["degree", "betweenness"], seed=0)
    if cent.empty:
        return
    b = cent["betweenness"].sort_values(ascending=False)
    top = max(1, int(np.ceil(0.05 * len(b))))
    share = b.iloc[:top].sum() / b.sum() if b.sum() > 0 else float("nan")
    s.findings.append(
        f"The best-placed 5% of people ({top}) sit on {_pct(share)} of the shortest paths "
        "between colleagues: information flow depends on a few brokers."
        if share >= 0.3 else
        f"Brokerage is spread out: the top 5% of people ({top}) hold {_pct(share)} of it.")
    load = overload(G)
    s.findings.append(
        f"Collaborative load: the most sought-after 5% of people ({load.attrs['top_people']}) "
        f"receive {_pct(load.attrs['top_share'])} of all interactions addressed to someone "
        f"(Gini {load.attrs['gini']:.2f}); "
        + ("as concentrated as the 20-35% Cross, Rebele and Grant (2016) found typical, or "
           "more: the people carrying it are at risk of burnout and become bottlenecks."
           if load.attrs["top_share"] >= 0.2 else
           "less concentrated than the 20-35% Cross, Rebele and Grant (2016) found typical."))
    fig, ax = _fig(6, 4.5)
    plot.role_quadrant(cent, ax=ax)
    w.figure(s, fig, "roles", "Reach (distinct contacts) against brokerage (betweenness); "
             "no person is named.")
    r = roles(G, group_col)
    counts = r["role"][r["role"] != ""].value_counts()
    if len(counts):
        s.findings.append("Informal roles (Cross and Parker; thresholds are quantiles of this "
                          "organisation): " + ", ".join(f"{n} {role}s" for role, n in counts.items())
                          + ".")
    if group_col:
        groups = as_compact(G).node_attrs.get(group_col)
        if groups is not None:
            brokers = b.index[: max(top * 2, 1)]
            sizes = groups.value_counts()
            counts = groups.reindex(brokers).value_counts().reindex(sizes.index, fill_value=0)
            table = pd.DataFrame({"people": sizes, "among top-10% brokers": counts})
            table = table[table["people"] >= min_size]
            table.index.name = group_col
            w.table(s, table.sort_values("among top-10% brokers", ascending=False),
                    f"Where the brokers work (by {group_col}; groups under {min_size} people "
                    "not shown)")


def silo_section(w: Writer, G: nx.DiGraph, group_col: str | None, min_size: int) -> None:
    """Share within groups, E-I by group, communities against the org chart, group matrix."""
    s = w.section("Silos")
    if group_col is None:
        s.findings.append("The roster has no department or team column: silos cannot be read "
                          "against the org chart.")
        return
    m = group_matrix(G, group_col, min_group_size=min_size)
    total = m.to_numpy().sum()
    inside = np.trace(m.to_numpy()) / total if total else float("nan")
    s.findings.append(f"{_pct(inside)} of interactions stay within a {group_col} "
                      f"({m.shape[0]} {group_col}s shown).")
    ei = ei_index(G, group_col, min_group_size=min_size)
    if len(ei):
        inward = ei["ei"].idxmin()
        outward = ei["ei"].idxmax()
        s.findings.append(
            f"Most inward-looking {group_col}: {inward} (E-I {ei.loc[inward, 'ei']:+.2f}); "
            f"most outward-looking: {outward} (E-I {ei.loc[outward, 'ei']:+.2f}). E-I runs "
            "from -1 (all ties inside) to +1 (all ties outside).")
        w.table(s, ei[["size", "internal", "external", "ei"]].sort_values("ei"),
                f"E-I index by {group_col}")
    formal = as_compact(G).node_attrs[group_col].dropna()
    if formal.nunique() > 1:
        agreement = compare_partitions(formal, communities(G, seed=0))
        strength = ("closely" if agreement["nmi"] >= 0.6 else
                    "partly" if agreement["nmi"] >= 0.3 else "hardly")
        s.findings.append(
            f"The {int(agreement['groups_b'])} communities found in the interactions "
            f"{strength} follow the {int(agreement['groups_a'])} {group_col}s (normalised mutual "
            f"information {agreement['nmi']:.2f}, 0 = unrelated, 1 = identical): "
            + ("work is organised along the org chart." if agreement["nmi"] >= 0.6 else
               "much collaboration cuts across the org chart."))
    fig, ax = _fig(7, 6)
    plot.group_heatmap(m, ax=ax, title=f"Interactions between {group_col}s")
    w.figure(s, fig, "group_matrix", f"{group_col} to {group_col} interactions (row: sender).")
    w.note(s, f"Privacy: {m.attrs.get('privacy', '')}.")


def outcome_section(w: Writer, G: nx.DiGraph, team_col: str | None,
                     outcomes: pd.DataFrame | None, min_size: int) -> None:
    """Team metrics against each team's mean outcome, with intervals and honest power."""
    s = w.section("Collaboration and performance")
    if outcomes is None or outcomes.empty:
        s.findings.append("No outcomes were given: pass an outcomes table (ona report "
                          "--outcomes FILE) to relate team networks to performance.")
        return
    if team_col is None:
        s.findings.append("The roster has no team column, so team metrics cannot be joined "
                          "to the outcomes.")
        return
    table = team_table(G, team_col, min_group_size=min_size)
    metrics = table[["size", "density", "ei", "external_range", "degree_centralization"]].assign(
        external_per_member=table["external_ties"] / table["size"])
    metrics.index.name = "unit"
    o = outcomes[outcomes["unit_type"].astype(str) == "team"] if "unit_type" in outcomes else outcomes
    values = [c for c in o.columns if c not in ("unit", "unit_type", "period")
              and pd.api.types.is_numeric_dtype(o[c])]
    if "period" in o.columns and o["period"].nunique() > 1:
        # The network covers the whole period: compare it with each team's mean outcome.
        s.findings.append(f"Outcomes cover {o['period'].nunique()} periods "
                          f"({', '.join(sorted(o['period'].astype(str).unique()))}); each "
                          "team's mean over them is used.")
    per_team = o.groupby(o["unit"].astype(str))[values].mean()
    per_team.index.name = "unit"
    result = relate(metrics.drop(columns="size"), per_team, missing="drop", n_boot=2000,
                    n_perm=2000, seed=0)
    unmatched = result.attrs["unmatched"]
    if unmatched["metrics_only"] or unmatched["outcomes_only"]:
        s.findings.append(
            f"{len(unmatched['metrics_only'])} team(s) have no outcome and "
            f"{len(unmatched['outcomes_only'])} outcome unit(s) match no team of "
            f"{min_size}+ people; they are left out.")
    n = int(result["n"].max()) if len(result) else 0
    s.findings.append(
        f"{n} teams: with this many only correlations of |r| >= "
        f"{result['detectable_r'].min():.2f} can be detected reliably (80% power); published "
        "team-network effects are r = 0.1 to 0.4, so a null result here is not evidence of no "
        "effect.")
    for _, row in result.sort_values("p_value").head(3).iterrows():
        direction = "higher" if row["estimate"] > 0 else "lower"
        if not (row["ci_low"] > 0 or row["ci_high"] < 0):
            certain = "but the interval includes zero: the data cannot tell"
        elif row["p_adjusted"] >= 0.05:
            certain = (f"the interval excludes zero, but after correcting for the {len(result)} "
                       "tests made the evidence is weak: treat it as a lead to check")
        else:
            certain = "the interval excludes zero and it survives the correction for many tests"
        s.findings.append(
            f"Teams with higher {_LABELS.get(row['metric'], row['metric'])} tend to have "
            f"{direction} {row['outcome']} "
            f"(Spearman r = {row['estimate']:+.2f}, 95% interval {row['ci_low']:+.2f} to "
            f"{row['ci_high']:+.2f}, adjusted p = {row['p_adjusted']:.3f}); {certain}.")
    cols = ["metric", "outcome", "n", "estimate", "ci_low", "ci_high", "p_value", "p_adjusted",
            "detectable_r"]
    w.table(s, result[cols], "Team metrics against outcomes (Spearman, BCa intervals over "
            "teams, permutation p-values, Holm-adjusted)", index=False)
    _controlled(w, s, G, team_col, metrics, per_team, result)
    best = result.sort_values("p_value").iloc[0]
    data = metrics.join(per_team, how="inner")
    fig, ax = _fig(6, 4.5)
    plot.metric_outcome(data, best["metric"], best["outcome"], ax=ax, result=best)
    w.figure(s, fig, "metric_outcome", "Each point is a team; the band is the 95% interval of "
             "the fitted line, resampling teams.")


def _controlled(w: Writer, s: Section, G: Any, team_col: str, metrics: pd.DataFrame,
                per_team: pd.DataFrame, result: pd.DataFrame) -> None:
    """The three strongest pairs again, net of team size (and department when known)."""
    controls = ["size"]
    attrs = as_compact(G).node_attrs
    if "department" in attrs.columns and team_col != "department":
        dept = attrs.dropna(subset=[team_col]).groupby(team_col)["department"].agg(
            lambda d: d.mode().iloc[0] if d.notna().any() else None)
        metrics = metrics.assign(department=dept.reindex(metrics.index))
        if metrics["department"].nunique() > 1:
            controls.append("department")
    top = result.sort_values("p_value").head(3)
    rows = []
    for _, row in top.iterrows():
        try:
            r = relate(metrics[[row["metric"], *controls]], per_team[[row["outcome"]]],
                       controls=controls, missing="drop", n_boot=1000, n_perm=1000, seed=0)
        except TableError:  # too few teams for the controls: nothing to show
            return
        rows.append(r.iloc[0])
    table = pd.DataFrame(rows)[["metric", "outcome", "n", "estimate", "ci_low", "ci_high",
                                "p_value", "p_value_hc3"]]
    w.table(s, table, f"The strongest pairs net of {' and '.join(controls)} (standardised beta, "
            "bootstrap interval, Freedman-Lane permutation p and HC3 robust p)", index=False)


def time_section(w: Writer, events: pd.DataFrame, people: pd.DataFrame,
                  group_col: str | None) -> None:
    """Month by month: people active, ties, density, share of ties across groups."""
    s = w.section("Change over time")
    if events.empty:
        return
    if events["timestamp"].dt.strftime("%Y-%m").nunique() < 2:
        s.findings.append("One month of data: change over time cannot be read.")
        return
    rows = []
    roster = people if len(people) else None
    for start, g in windows(events, roster, freq="MS", internal_only=roster is not None,
                            isolates=False, compact=True).items():
        row = {"month": start.strftime("%Y-%m"), "people active": g.number_of_nodes(),
               "ties": g.number_of_edges(),
               "density": density(g) if g.number_of_nodes() > 1 else np.nan}
        if group_col and g.number_of_edges() and group_col in g.node_attrs.columns:
            src, dst = g.adj.nonzero()
            labels = g.node_attrs[group_col].to_numpy()
            known = pd.notna(labels[src]) & pd.notna(labels[dst])
            row[f"ties across {group_col}s"] = float(np.mean(labels[src][known]
                                                             != labels[dst][known]))
        rows.append(row)
    table = pd.DataFrame(rows).set_index("month")
    w.table(s, table, "Month by month")
    col = f"ties across {group_col}s"
    if col in table.columns and table[col].notna().sum() >= 2:
        first, last = table[col].iloc[0], table[col].iloc[-1]
        s.findings.append(f"The share of ties crossing {group_col}s went from {_pct(first)} in "
                          f"{table.index[0]} to {_pct(last)} in {table.index[-1]}.")
        fig, ax = _fig(6.5, 3.2)
        ax.plot(table.index, table[col], marker="o")
        ax.set_ylabel(col)
        ax.tick_params(axis="x", rotation=45)
        ax.set_title(f"Share of ties across {group_col}s, by month", fontsize=9)
        w.figure(s, fig, "over_time", f"Monthly share of ties between different {group_col}s.")
