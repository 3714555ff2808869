"""The diagnostic engine: :func:`diagnose` computes every finding once, gated by the checks."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import numpy as np
import pandas as pd

from ona._validation import Interval, validate_params
from ona.analysis.centrality import centrality
from ona.analysis.roles import overload, roles
from ona.analysis.silos import compare_partitions, ei_index
from ona.analysis.structure import density, reciprocity
from ona.analysis.teams import team_table
from ona.diagnosis.checks import Check, coverage_table, evaluate, network_checks
from ona.diagnosis.measures import community_stability, concentration, monthly_table, silo_pairs
from ona.diagnosis.population import population
from ona.diagnosis.result import Diagnosis, Finding
from ona.diagnosis.thresholds import TOP_SHARE
from ona.exceptions import TableError
from ona.graph import as_compact, build_graph
from ona.privacy import MIN_GROUP_SIZE, suppress_small_groups
from ona.stats import relate

__all__ = ["ROSTER_FORMATS", "diagnose", "status_of", "team_outcome_table"]

# Import formats whose People rows are a roster (other sources' People rows, such as git
# authors or chat directories, are identities, not staff).
ROSTER_FORMATS = frozenset({"roster", "viva_person"})

_ORDER = {"passed": 0, "qualified": 1, "withheld": 2}
_STATUS = {0: "reported", 1: "qualified", 2: "withheld"}


def status_of(checks: list[Check]) -> tuple[str, str | None]:
    """The status a finding gets from its checks, and the reason (the failed checks)."""
    worst = max((_ORDER[c.outcome] for c in checks), default=0)
    failed = [c for c in checks if _ORDER[c.outcome] > 0]
    failed.sort(key=lambda c: -_ORDER[c.outcome])
    reason = "; ".join(c.sentence() for c in failed) or None
    return _STATUS[worst], reason


def _first_reason(f: Finding) -> str:
    """The main reason a finding was withheld, for a headline."""
    failed = sorted((c for c in f.checks if c.outcome != "passed"),
                    key=lambda c: -_ORDER[c.outcome])
    return failed[0].sentence() if failed else (f.reason or "").split("; ")[0]


def pct(x: float) -> str:
    """A share as a whole percentage (the report's format)."""
    return "–" if x is None or x != x else f"{100 * x:.0f}%"


def _group_column(people: pd.DataFrame, preferred: tuple[str, ...]) -> str | None:
    for col in preferred:
        if col in people.columns and people[col].notna().any():
            return col
    return None


def _window(events: pd.DataFrame, start: Any, end: Any) -> tuple[pd.Timestamp | None, ...]:
    def ts(v):
        if v is None:
            return None
        t = pd.Timestamp(v)
        return t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")

    lo, hi = ts(start), ts(end)
    if len(events):
        lo = lo if lo is not None else events["timestamp"].min()
        hi = hi if hi is not None else events["timestamp"].max() + pd.Timedelta(1, "us")
    return lo, hi


def _read_outcomes(outcomes: Any, stored: pd.DataFrame) -> pd.DataFrame | None:
    if outcomes is None:
        return stored if len(stored) else None
    if isinstance(outcomes, pd.DataFrame):
        return outcomes
    from ona.importers.outcomes import read_outcomes

    return read_outcomes(outcomes, on_bad_lines="error").extras["outcomes"]


@validate_params({"min_group_size": [Interval(int, 1)], "seed": [Interval(int, 0)]})
def diagnose(
    workspace: Any,
    *,
    outcomes: str | os.PathLike | pd.DataFrame | None = None,
    start: Any = None,
    end: Any = None,
    min_group_size: int = MIN_GROUP_SIZE,
    seed: int = 0,
) -> Diagnosis:
    """Run the whole diagnostic on a workspace once: population, checks and every finding.

    Each finding is **reported** when the data pass its checks (``docs/checks.md``,
    :data:`ona.diagnosis.THRESHOLDS`), **qualified** with the reason when they pass them only
    in part, and **withheld** with the reason when they fail: a broker, overload or silo claim
    is never stated on data that cannot carry it.

    Parameters
    ----------
    workspace : Workspace or path
    outcomes : path or DataFrame, optional
        A team outcomes table replacing the workspace's own.
    start, end : date or str, optional
        The window ``[start, end)``; default: all the interactions.
    min_group_size : int, default 5
        Every group-level output goes through :mod:`ona.privacy` with this size.
    seed : int, default 0
        Seeds every random step (sampling, community detection, resampling).

    Returns
    -------
    Diagnosis
        ``to_dict()`` gives ``findings.json``; :func:`ona.report.write_report` renders it.

    Examples
    --------
    >>> import tempfile, ona
    >>> ws = ona.open_workspace(tempfile.mkdtemp(), create=True)
    >>> d = ona.diagnose(ws)
    >>> d["data.coverage"].status, d["brokerage.concentration"].status
    ('reported', 'withheld')
    """
    from ona.workspace import Workspace, open_workspace

    ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace)
    events = ws.interactions(start=start, end=end)
    people = ws.people()
    lo, hi = _window(events, start, end)
    rostered = any(e.get("format") in ROSTER_FORMATS for e in ws.import_log()) or (
        "status" in people.columns and bool((people["status"] == "roster").any()))
    pop = population(events, people, start=lo, end=hi, has_roster=rostered)
    table = _read_outcomes(outcomes, ws.outcomes())
    meta = {"source": ws.path.name, "start": lo, "end": hi, "seed": seed,
            "min_group_size": min_group_size,
            "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}
    G = None
    if len(events):
        G = build_graph(events, pop.people, internal_only=True, compact=True)
        meta["graph"] = {k: v for k, v in G.graph.items() if v is not None}
    checks = _checks(events, pop, G)
    d = Diagnosis(meta=meta, population=pop, checks=checks, graph=G)
    ctx = _Context(d, events, ws, table, min_group_size, seed)
    for step in (_data, _network, _brokerage, _overload, _silos, _outcomes, _change):
        step(ctx)
    return d


class _Context:
    def __init__(self, d: Diagnosis, events, ws, outcomes, min_group_size: int, seed: int):
        self.d, self.events, self.ws, self.outcomes = d, events, ws, outcomes
        self.min_size, self.seed = min_group_size, seed
        self.G = d.graph
        attrs = d.population.people
        self.group = _group_column(attrs, ("department", "team"))
        self.team = _group_column(attrs, ("team", "department"))
        self.empty = self.G is None or self.G.number_of_edges() == 0

    def check(self, *names: str) -> list[Check]:
        return [self.d.checks[n] for n in names if n in self.d.checks]

    def no_ties(self, checks: list[Check]) -> str:
        """Why there is nothing to measure: the failed checks, then the empty network."""
        failed = status_of(checks)[1]
        return (failed + "; " if failed else "") + "no ties between the people of the period"

    def add(self, id_: str, title: str, checks: list[Check], statement: str, *,
            withheld: str | None = None, status: str | None = None, reason: str | None = None,
            **kw) -> Finding:
        st, why = status_of(checks)
        if status is not None:
            st, why = status, reason
        if st == "withheld" and withheld is not None:
            statement = withheld
        return self.d.add(Finding(id_, title, st, statement, why, checks=checks, **kw))


def _checks(events: pd.DataFrame, pop, G) -> dict[str, Check]:
    checks: dict[str, Check] = {}
    n = len(events)
    flagged = 0
    if n:
        flagged = int((events["mass"].to_numpy(bool) | events["automated"].to_numpy(bool)).sum())
    checks["mass_share"] = evaluate("mass_share", flagged / n if n else None,
                                    f"{flagged:,} of {n:,} events")
    internal = pop.internal
    months = events["timestamp"].dt.strftime("%Y-%m") if n else pd.Series(dtype=str)
    checks["months"] = evaluate("months", int(months.nunique()))
    if G is None or len(internal) == 0:
        checks["coverage"] = evaluate("coverage", None, "no internal people or no interactions")
        return checks
    cg = as_compact(G)
    deg = np.asarray(((cg.adj + cg.adj.T) > 0).sum(axis=1)).ravel()
    active = int((deg > 0).sum())
    if pop.has_roster:
        checks["coverage"] = evaluate("coverage", active / len(internal),
                                      f"{active:,} of {len(internal):,} people")
    else:
        c = evaluate("coverage", active / len(internal), "no roster: the share of the "
                     "organisation these sources cover is unknown")
        c.outcome = "qualified" if c.outcome == "passed" else c.outcome
        checks["coverage"] = c
    cov = coverage_table(events, internal)
    if len(cov) > 1:
        typical = cov["all"].median()
        ok = float((cov["all"] >= 0.5 * typical).mean())
        gaps = [m for m, v in cov["all"].items() if v < 0.5 * typical]
        checks["month_coverage"] = evaluate("month_coverage", ok,
                                            ("gaps: " + ", ".join(gaps)) if gaps else "")
    kept = events[~(events["mass"].to_numpy(bool) | events["automated"].to_numpy(bool))]
    inside = kept["source"].isin(internal).to_numpy(bool) & kept["target"].isin(internal).to_numpy(bool)
    kept = kept[inside]
    per = pd.concat([kept["source"], kept["target"]]).value_counts()
    n_months = max(1, int(months.nunique()))
    checks["activity"] = evaluate("activity", float(per.median() / n_months) if len(per) else None)
    checks.update(network_checks(G))
    return checks


def _data(c: _Context) -> None:
    d, ev, pop = c.d, c.events, c.d.population
    counts = pop.counts
    labels = {"external": ("external address", "external addresses"),
              "list": ("mailing list", "mailing lists"),
              "shared_mailbox": ("shared mailbox", "shared mailboxes"), "bot": ("bot", "bots"),
              "unknown": ("unknown identity", "unknown identities")}
    outside = ", ".join(f"{counts[k]:,} {one if counts[k] == 1 else many}"
                        for k, (one, many) in labels.items() if counts[k])
    n_out = sum(v for k, v in pop.events.items())
    statement = f"{len(pop.internal):,} people: {pop.rule}."
    if outside:
        statement += (f" Counted apart and kept out of people counts, roles, overload and the "
                      f"pictures: {outside} ({n_out:,} interactions touch them).")
    else:
        statement += " No outside identities (external, lists, shared mailboxes, bots) were found."
    status = "reported" if pop.has_roster else "qualified"
    c.add("data.population", "Who is counted", [], statement, status=status,
          reason=None if pop.has_roster else "no roster: " + pop.rule,
          numbers={"internal_people": len(pop.internal), **{f"identities_{k}": v
                   for k, v in counts.items() if k != "internal"},
                   "roster_people": pop.roster_people})
    checks = c.check("coverage", "month_coverage", "activity", "mass_share")
    if ev.empty:
        c.add("data.coverage", "Coverage", checks,
              "The workspace holds no interactions in this period: import exports first.",
              status="reported")
        return
    months = ev["timestamp"].dt.strftime("%Y-%m")
    by_channel = ev["channel"].value_counts()
    cov = coverage_table(ev, pop.internal)
    rejects = c.ws.rejects()
    flags = {k: int(ev[k].sum()) for k in ("mass", "automated")}
    act = d.checks.get("coverage")
    statement = (f"{len(ev):,} interactions from {len(by_channel)} source(s) "
                 f"({', '.join(f'{k}: {v:,}' for k, v in by_channel.items())}), "
                 f"{months.min()} to {months.max()}")
    if act is not None and act.value is not None and pop.has_roster:
        statement += f"; {pct(act.value)} of the {len(pop.internal):,} people appear in them"
    statement += "."
    if flags["mass"] or flags["automated"]:
        statement += (f" {flags['mass']:,} mass and {flags['automated']:,} automated messages "
                      "are left out of the network.")
    if len(rejects):
        statement += f" {len(rejects):,} input records were rejected with a reason."
    c.add("data.coverage", "Coverage", checks, statement, status="reported",
          numbers={"interactions": len(ev), "by_channel": by_channel.to_dict(),
                   "first_month": months.min(), "last_month": months.max(),
                   "months": int(months.nunique()), "mass": flags["mass"],
                   "automated": flags["automated"], "rejected": len(rejects),
                   "active_share": None if act is None else act.value},
          tables={"coverage": cov.rename_axis("month")})


def _network(c: _Context) -> None:
    G = c.G
    checks = c.check("network_size", "mean_degree", "largest_component", "reciprocity")
    if G is None or G.number_of_nodes() == 0:
        c.add("network.structure", "The network", checks, "There is no network to describe.",
              status="withheld", reason="no interactions between the people of the period")
        return
    n, m = G.number_of_nodes(), G.number_of_edges()
    if m == 0:
        c.add("network.structure", "The network", checks, "There is no network to describe.",
              status="withheld", reason=c.no_ties(c.check("mass_share")))
        return
    cg = as_compact(G)
    deg = np.asarray(((cg.adj + cg.adj.T) > 0).sum(axis=1)).ravel()
    isolated = int((deg == 0).sum())
    rec = float(reciprocity(G)) if m else float("nan")
    comp = c.d.checks["largest_component"]
    statement = (f"{n:,} people and {m:,} directed ties; density {density(G):.3f} "
                 f"(share of possible ties present); {pct(rec)} of ties are reciprocated; "
                 f"{pct(comp.value)} of people are in the largest connected group.")
    if isolated:
        statement += (f" {isolated:,} people have no recorded interaction in the period "
                      "(absent from these sources, not necessarily isolated).")
    c.add("network.structure", "The network", checks, statement, status="reported",
          numbers={"people": n, "ties": m, "density": float(density(G)), "reciprocity": rec,
                   "mean_contacts": c.d.checks["mean_degree"].value, "isolated": isolated,
                   "largest_component_share": comp.value})


def _by_group(c: _Context, people: pd.Index, column: str) -> pd.DataFrame | None:
    """How many of ``people`` are in each group, small groups through ona.privacy."""
    if c.group is None:
        return None
    groups = as_compact(c.G).node_attrs[c.group]
    sizes = groups.value_counts()
    counts = groups.reindex(people).value_counts().reindex(sizes.index, fill_value=0)
    table = pd.DataFrame({"people": sizes, column: counts})
    table = suppress_small_groups(table, sizes, min_size=c.min_size, how="merge")
    table.index.name = c.group
    return table.sort_values(column, ascending=False)


def _brokerage(c: _Context) -> None:
    checks = c.check("mass_share", "coverage", "network_size", "mean_degree",
                     "largest_component", "reciprocity")
    if c.empty:
        c.add("brokerage.concentration", "How concentrated brokerage is", checks, "",
              status="withheld", reason=c.no_ties(checks),
              withheld="Brokerage cannot be assessed: there are no ties between people.",
              headline="Brokerage was not assessed: " + c.no_ties(checks).split("; ")[0] + ".")
        return
    cent = centrality(c.G, measures=["degree", "betweenness"], seed=c.seed)
    conc = concentration(cent["betweenness"], top=TOP_SHARE)
    share, k = conc["top_share"], conc["top_people"]
    strong = share == share and share >= 0.3
    statement = (f"The best-placed {pct(TOP_SHARE)} of people ({k:,}) lie on {pct(share)} of "
                 "the shortest paths between colleagues" + (
                     ": information flow depends on a few brokers." if strong else
                     ": brokerage is spread out."))
    top = cent["betweenness"].sort_values(ascending=False).index[: 2 * k]
    tables = {}
    where = _by_group(c, top, "among the top 10% brokers")
    if where is not None:
        tables["by_group"] = where
    f = c.add("brokerage.concentration", "How concentrated brokerage is", checks, statement,
              numbers={"top": TOP_SHARE, "top_people": k, "top_share": share,
                       "people": conc["people"]}, tables=tables,
              withheld="Brokerage is not assessed: the network is too thin or fragmented for "
                       "shortest paths to mean anything.")
    if f.status != "withheld":
        f.headline = (f"{'Brokerage is concentrated' if strong else 'Brokerage is spread out'}: "
                      f"the best-placed {pct(TOP_SHARE)} of people ({k:,}) lie on {pct(share)} "
                      "of the shortest paths between colleagues.")
    else:
        f.headline = "Brokerage was not assessed: " + _first_reason(f) + "."
    c.d.extras["centrality"] = cent
    r = roles(c.G, c.group, seed=c.seed)
    c.d.extras["roles"] = r
    counts = r["role"][r["role"] != ""].value_counts()
    c.add("brokerage.roles", "Informal roles", checks,
          "Informal roles (Cross and Parker; thresholds are quantiles of this organisation): "
          + (", ".join(f"{n:,} {role}s" for role, n in counts.items()) or "none") + ".",
          numbers={"counts": counts.to_dict(), "rules": r.attrs.get("rules")},
          withheld="Informal roles are not assigned: the network cannot carry them.")


def _overload(c: _Context) -> None:
    checks = c.check("mass_share", "coverage", "network_size", "mean_degree", "activity",
                     "reciprocity")
    if c.empty:
        c.add("overload.concentration", "Who carries the load", checks, "", status="withheld",
              reason=c.no_ties(checks),
              withheld="Overload cannot be assessed: there are no ties between people.")
        return
    load = overload(c.G)
    a = load.attrs
    in_demand = load.index[load["in_demand"].to_numpy(bool)]
    where = _by_group(c, in_demand, "in demand")
    statement = (f"The most sought-after {pct(a['top'])} of people ({a['top_people']:,}) "
                 f"receive {pct(a['top_share'])} of all interactions addressed to someone "
                 f"(Gini {a['gini']:.2f}); {a['n_in_demand']:,} people are in demand (at or "
                 "above the 95th percentile). Cross, Rebele and Grant (2016) found 20-35% "
                 "typical.")
    groups_text = ""
    if where is not None:
        shown = where[where["in demand"] > 0]
        groups_text = ", ".join(f"{int(n):,} in {g}" for g, n in shown["in demand"].items())
    f = c.add("overload.concentration", "Who carries the load", checks, statement,
              numbers={"top": a["top"], "top_people": a["top_people"],
                       "top_share": a["top_share"], "gini": a["gini"],
                       "in_demand": a["n_in_demand"], "threshold": a["threshold"]},
              tables={"by_group": where} if where is not None else {},
              withheld="Overload is not assessed: the events do not measure demand on people.")
    if f.status != "withheld":
        typical = ("less concentrated than" if a["top_share"] < 0.2 else
                   "within" if a["top_share"] <= 0.35 else "more concentrated than")
        f.headline = (f"Collaborative load: {a['n_in_demand']:,} people are in demand"
                      + (f" ({groups_text})" if groups_text else "")
                      + f"; the most sought-after {pct(a['top'])} receive "
                      f"{pct(a['top_share'])} of all requests, {typical} the 20-35% found "
                      "typical.")
    c.d.extras["overload"] = load


def _silos(c: _Context) -> None:
    base = c.check("coverage")
    if c.group is None:
        reason = ("no roster was imported" if not c.d.population.has_roster else
                  "the roster has no department or team column")
        for fid, title in (("silos.pairs", "Which groups barely work together"),
                           ("silos.communities", "Communities against the org chart")):
            c.add(fid, title, base, "", status="withheld", reason=reason,
                  withheld=f"Silos cannot be read against the org chart: {reason}.",
                  headline=(f"Silos were not assessed: {reason}." if fid == "silos.pairs"
                            else None))
        return
    if c.empty:
        c.add("silos.pairs", "Which groups barely work together", base, "", status="withheld",
              reason=c.no_ties(base + c.check("mass_share")),
              withheld="Silos cannot be assessed: there are no ties between people.")
        return
    pairs = silo_pairs(c.G, c.group, min_group_size=c.min_size, seed=c.seed)
    sizes = as_compact(c.G).node_attrs[c.group].value_counts()
    n_groups = int((sizes >= c.min_size).sum())
    between = float(pairs["observed"].sum()) if len(pairs) else 0.0
    checks = base + [evaluate("groups", n_groups),
                     evaluate("between_group_volume", between)]
    g = c.group
    weakest = pairs.head(3)
    median = pairs.attrs["median_ratio"]
    if len(weakest):
        w = weakest.iloc[0]
        statement = (f"{w['group_a']} and {w['group_b']} interact {w['ratio']:.2f} times as "
                     f"much as their activity predicts (95% interval {w['ci_low']:.2f} to "
                     f"{w['ci_high']:.2f}; {w['observed']:,.0f} interactions against "
                     f"{w['expected']:,.0f} expected); the typical pair of {g}s: {median:.2f}.")
    else:
        statement = f"Fewer than two {g}s of {c.min_size}+ people: no pair to compare."
    if len(weakest) > 1 and median > 0:
        checks.append(evaluate("pair_contrast", weakest.iloc[0]["ci_high"] / median))
    st, why = status_of(checks)
    f = c.d.add(Finding("silos.pairs", "Which groups barely work together", st, statement, why,
                        numbers={"pairs": weakest, "median_ratio": median, "groups": n_groups,
                                 "between_group_interactions": between},
                        checks=checks, tables={"pairs": pairs}))
    if st == "withheld":
        f.statement = f"Silos between {g}s are not assessed."
        f.headline = f"Silos were not assessed: {_first_reason(f)}."
    elif len(weakest):
        names = "; ".join(f"{r.group_a} and {r.group_b} at {r.ratio:.2f} ({r.ci_low:.2f} to "
                          f"{r.ci_high:.2f})" for r in weakest.head(2).itertuples())
        f.headline = (f"Weakest links between {g}s: {names} times the interaction their "
                      f"activity predicts (95% intervals; a typical pair: {median:.2f}).")
    ei = ei_index(c.G, g, min_group_size=c.min_size)
    c.add("silos.ei", f"Inward-looking {g}s", checks[:2],
          (f"Most inward-looking {g}: {ei['ei'].idxmin()} (E-I {ei['ei'].min():+.2f}); most "
           f"outward-looking: {ei['ei'].idxmax()} (E-I {ei['ei'].max():+.2f}); E-I runs from "
           "-1 (all ties inside) to +1 (all ties outside).") if len(ei) else
          f"No {g} has {c.min_size}+ people.",
          numbers={"privacy": ei.attrs.get("privacy", "")},
          tables={"ei": ei[["size", "internal", "external", "ei"]].sort_values("ei")})
    _communities(c)


def _communities(c: _Context) -> None:
    d = c.d
    lo, hi = d.meta["start"], d.meta["end"]
    mid = lo + (hi - lo) / 2
    halves = {str(s): build_graph(c.events, d.population.people, start=s, end=e,
                                  internal_only=True, compact=True, isolates=False)
              for s, e in ((lo, mid), (mid, hi))}
    stab = community_stability(c.G, neighbours=halves, seed=c.seed)
    checks = c.check("network_size", "largest_component") + [
        evaluate("seed_stability", stab["seed_ari_min"]),
        evaluate("window_stability", stab["window_ari_mean"] if stab["windows"] else None,
                 "the two halves of the period")]
    formal = as_compact(c.G).node_attrs[c.group].dropna()
    agree = compare_partitions(formal, stab.attrs["consensus"])
    strength = ("closely" if agree["nmi"] >= 0.6 else "partly" if agree["nmi"] >= 0.3
                else "hardly")
    statement = (f"{int(stab['consensus_communities'])} communities found in the interactions "
                 f"{strength} follow the {int(agree['groups_a'])} {c.group}s (normalised mutual "
                 f"information {agree['nmi']:.2f}; 0 = unrelated, 1 = identical). Across "
                 f"{10} seeds they agree at adjusted Rand {stab['seed_ari_min']:.2f} or more; "
                 f"between the two halves of the period at {stab['window_ari_mean']:.2f}.")
    c.add("silos.communities", "Communities against the org chart", checks, statement,
          numbers={"communities": stab["communities"],
                   "consensus_communities": stab["consensus_communities"],
                   "nmi": agree["nmi"], "ari": agree["ari"],
                   "seed_ari_mean": stab["seed_ari_mean"], "seed_ari_min": stab["seed_ari_min"],
                   "window_ari_mean": stab["window_ari_mean"]},
          withheld="Communities are not reported: they change between runs or windows.")


_LABELS = {
    "density": "internal density",
    "ei": "E-I index (ties leaving the team against ties inside)",
    "external_range": "external range",
    "degree_centralization": "centralisation",
    "external_per_member": "ties to other teams per member",
}


def team_outcome_table(G: Any, teams: str, outcomes: pd.DataFrame, *,
                       min_group_size: int = MIN_GROUP_SIZE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Team network metrics and each team's mean outcome, one row per team.

    Parameters
    ----------
    G : graph
    teams : str
        Node attribute naming the team.
    outcomes : DataFrame
        An Outcomes table; rows with ``unit_type == "team"`` (when given) are averaged over
        their periods.
    min_group_size : int, default 5

    Returns
    -------
    (metrics, per_team) : DataFrames indexed by team
        ``metrics``: ``size``, ``density``, ``ei``, ``external_range``,
        ``degree_centralization``, ``external_per_member``; ``per_team``: the numeric
        outcome columns.
    """
    table = team_table(G, teams, min_group_size=min_group_size)
    metrics = table[["size", "density", "ei", "external_range", "degree_centralization"]].assign(
        external_per_member=table["external_ties"] / table["size"])
    metrics.index.name = "unit"
    o = outcomes
    if "unit_type" in o.columns:
        o = o[o["unit_type"].astype(str) == "team"]
    values = [col for col in o.columns if col not in ("unit", "unit_type", "period")
              and pd.api.types.is_numeric_dtype(o[col])]
    per_team = o.groupby(o["unit"].astype(str))[values].mean()
    per_team.index.name = "unit"
    return metrics, per_team


def _outcomes(c: _Context) -> None:
    title = "What goes with team outcomes"
    if c.outcomes is None or c.outcomes.empty:
        c.add("outcomes.teams", title, [], "", status="withheld",
              reason="no outcomes table was given",
              withheld="No outcomes were given: pass an outcomes table (ona report --outcomes "
                       "FILE) to relate team networks to performance.")
        return
    if c.team is None or c.empty:
        c.add("outcomes.teams", title, [], "", status="withheld",
              reason="no team column in the roster" if c.team is None else "no ties",
              withheld="Team metrics cannot be joined to the outcomes.")
        return
    metrics, per_team = team_outcome_table(c.G, c.team, c.outcomes, min_group_size=c.min_size)
    both = metrics.index.intersection(per_team.index)
    checks = [evaluate("teams", len(both))]
    if len(both) < 4:
        c.add("outcomes.teams", title, checks, "", withheld="Too few teams match the outcomes.",
              status="withheld", reason=checks[0].sentence())
        return
    result = relate(metrics.drop(columns="size"), per_team, missing="drop", n_boot=2000,
                    n_perm=2000, seed=c.seed)
    result = result.sort_values("p_value", kind="stable", ignore_index=True)
    best = result.iloc[0]
    direction = "higher" if best["estimate"] > 0 else "lower"
    solid = best["p_adjusted"] < 0.05 and (best["ci_low"] > 0 or best["ci_high"] < 0)
    statement = (f"Across {int(best['n'])} teams, those with higher "
                 f"{_LABELS.get(best['metric'], best['metric'])} tend to have {direction} "
                 f"{best['outcome']} (Spearman r = {best['estimate']:+.2f}, 95% interval "
                 f"{best['ci_low']:+.2f} to {best['ci_high']:+.2f}, adjusted p = "
                 f"{best['p_adjusted']:.3f}). This is an association, not causal. With "
                 f"{int(best['n'])} teams only |r| >= {best['detectable_r']:.2f} can be "
                 "detected reliably.")
    tables = {"relate": result.drop(columns=[x for x in ("note", "method")
                                             if x in result.columns])}
    controlled = _controlled(c, metrics, per_team, result)
    if controlled is not None:
        tables["controlled"] = controlled
    f = c.add("outcomes.teams", title, checks, statement,
              numbers={"teams": int(best["n"]), "strongest": best.to_dict(),
                       "significant": int(((result["p_adjusted"] < 0.05)).sum())},
              tables=tables,
              withheld="Team metrics are not related to outcomes: too few teams.")
    if f.status != "withheld":
        f.headline = (f"Teams with higher {_LABELS.get(best['metric'], best['metric'])} tend to "
                      f"have {direction} {best['outcome']} (r = {best['estimate']:+.2f}, 95% "
                      f"interval {best['ci_low']:+.2f} to {best['ci_high']:+.2f}"
                      + ("" if solid else "; weak evidence after correcting for many tests")
                      + "): an association across teams, not causal.")
    c.d.extras["team_data"] = metrics.join(per_team, how="inner")


def _controlled(c: _Context, metrics: pd.DataFrame, per_team: pd.DataFrame,
                result: pd.DataFrame) -> pd.DataFrame | None:
    """The three strongest pairs again, net of team size (and department when known)."""
    controls = ["size"]
    attrs = as_compact(c.G).node_attrs
    if "department" in attrs.columns and c.team != "department":
        dept = attrs.dropna(subset=[c.team]).groupby(c.team)["department"].agg(
            lambda d: d.mode().iloc[0] if d.notna().any() else None)
        metrics = metrics.assign(department=dept.reindex(metrics.index))
        if metrics["department"].nunique() > 1:
            controls.append("department")
    rows = []
    for _, row in result.head(3).iterrows():
        try:
            r = relate(metrics[[row["metric"], *controls]], per_team[[row["outcome"]]],
                       controls=controls, missing="drop", n_boot=1000, n_perm=1000,
                       seed=c.seed)
        except (TableError, ValueError):  # too few teams for the controls
            return None
        rows.append(r.iloc[0])
    cols = ["metric", "outcome", "n", "estimate", "ci_low", "ci_high", "p_value", "p_value_hc3"]
    table = pd.DataFrame(rows)[cols].reset_index(drop=True)
    table.attrs["controls"] = controls
    return table


def _change(c: _Context) -> None:
    checks = c.check("months", "month_coverage")
    if c.empty:
        c.add("change.cross_share", "Change over time", checks, "", status="withheld",
              reason=c.no_ties(checks), withheld="Change over time cannot be read.")
        return
    table = monthly_table(c.events, c.d.population.people, groups=c.group)
    statement = "Month by month: people active, ties and density."
    numbers: dict[str, Any] = {}
    if c.group and table["cross_share"].notna().sum() >= 2:
        s = table["cross_share"].dropna()
        statement = (f"The share of ties crossing {c.group}s went from {pct(s.iloc[0])} in "
                     f"{s.index[0]} to {pct(s.iloc[-1])} in {s.index[-1]} (monthly range "
                     f"{pct(s.min())} to {pct(s.max())}).")
        numbers = {"first": float(s.iloc[0]), "last": float(s.iloc[-1]),
                   "min": float(s.min()), "max": float(s.max())}
    c.add("change.cross_share", "Change over time", checks, statement, numbers=numbers,
          tables={"monthly": table},
          withheld="Change over time is not read: too few months or gaps in the export.")
