"""A simulated organisation for benchmarks: teams, departments, brokers and overloaded people.

Shared by the benchmarks (analysis and scale). Everything is vectorised numpy and seeded, so a
100,000-person organisation is generated in seconds and the same seed gives the same graph.

Structure (defaults follow issue 7's benchmark: teams of about 8, departments of about 100,
about 30 directed ties per person):

* people are numbered ``p000000``... and sorted by department, then team; every team has a
  manager (its first member), whose manager is the department head (the first team's manager);
* each person's out-ties: most teammates, ~55% of the rest inside the department, the others
  across departments, drawn with a heavy-tailed popularity so some people are in demand;
* ``brokers`` (0.5% of people) get extra ties spread over many departments (planted brokers);
* ``overloaded`` (the 4% most popular people) receive a large share of ties;
* tie weights (interaction counts) are geometric: strongest in teams, weakest across
  departments; about 70% of ties are reciprocated.

Examples
--------
>>> org = generate_org(200, seed=1)
>>> g = org_graph(org)
>>> g.number_of_nodes(), 20 < g.number_of_edges() / g.number_of_nodes() < 40
(200, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ona.graph import CompactGraph

__all__ = ["Org", "generate_org", "org_events", "org_graph"]


@dataclass
class Org:
    """A generated organisation: roster, weighted directed ties and the planted truth."""

    people: pd.DataFrame  # person_id, team, department, manager_id
    edges: pd.DataFrame  # source, target, weight (directed, summed counts)
    brokers: list[str] = field(default_factory=list)
    overloaded: list[str] = field(default_factory=list)


def _person_ids(n: int) -> np.ndarray:
    width = max(6, len(str(n - 1)))
    return np.array([f"p{i:0{width}d}" for i in range(n)], dtype=object)


def generate_org(
    n: int = 10_000,
    *,
    team_size: int = 8,
    department_size: int = 100,
    ties_per_person: int = 30,
    broker_share: float = 0.005,
    overload_share: float = 0.04,
    seed: int = 0,
) -> Org:
    """Generate an organisation of ``n`` people (see the module docstring)."""
    rng = np.random.default_rng(seed)
    ids = _person_ids(n)
    team = np.arange(n) // team_size
    teams_per_dept = max(1, round(department_size / team_size))
    dept = team // teams_per_dept
    team_start = np.searchsorted(team, team)  # first member of each person's team
    dept_start = np.searchsorted(dept, dept)
    dept_end = np.searchsorted(dept, dept, side="right")
    team_end = np.searchsorted(team, team, side="right")

    # heavy-tailed popularity: the in-demand people, plus managers attract ties
    popularity = rng.lognormal(0.0, 1.0, n)
    is_manager = np.arange(n) == team_start
    popularity[is_manager] *= 3.0
    n_over = max(1, int(round(overload_share * n)))
    overloaded = np.argsort(-popularity)[:n_over]
    popularity[overloaded] *= 3.0
    p_pop = popularity / popularity.sum()

    src_parts, tgt_parts, w_parts = [], [], []

    def add(src: np.ndarray, tgt: np.ndarray, mean_weight: float) -> None:
        keep = src != tgt
        src, tgt = src[keep], tgt[keep]
        src_parts.append(src)
        tgt_parts.append(tgt)
        w_parts.append(rng.geometric(1.0 / mean_weight, len(src)).astype(np.float64))

    # teammates: each ordered pair present with probability 0.85
    sizes = team_end - team_start
    reps = sizes - 1
    src = np.repeat(np.arange(n), reps)
    offs = np.concatenate([np.arange(r) for r in np.bincount(team)[team] - 1]) if n else src
    tgt = team_start[src] + offs
    tgt = np.where(tgt >= src, tgt + 1, tgt)  # skip self
    pick = rng.random(len(src)) < 0.85
    add(src[pick], tgt[pick], 8.0)

    # reciprocation below adds ~45% more distinct ties: aim the one-way draws below the target
    base = ties_per_person / 1.45
    remaining = max(0, int(round(base - 0.85 * (team_size - 1))))
    n_dept = int(round(0.55 * remaining))
    n_cross = remaining - n_dept
    # department colleagues, uniform inside the department
    src = np.repeat(np.arange(n), n_dept)
    span = (dept_end - dept_start)[src]
    tgt = dept_start[src] + (rng.random(len(src)) * span).astype(np.int64)
    add(src, tgt, 3.0)
    # across the organisation, by popularity
    src = np.repeat(np.arange(n), n_cross)
    tgt = rng.choice(n, size=len(src), p=p_pop)
    add(src, tgt, 1.5)
    # planted brokers: extra ties to random people in many departments, both directions
    n_brok = max(1, int(round(broker_share * n)))
    brokers = rng.choice(np.flatnonzero(~is_manager), size=n_brok, replace=False)
    src = np.repeat(brokers, 30)
    tgt = rng.integers(0, n, len(src))
    add(src, tgt, 2.0)
    add(tgt, src, 2.0)

    src = np.concatenate(src_parts)
    tgt = np.concatenate(tgt_parts)
    w = np.concatenate(w_parts)
    # reciprocity: the reverse tie exists for ~70% of ties, with its own weight
    back = rng.random(len(src)) < 0.7
    src, tgt = np.concatenate([src, tgt[back]]), np.concatenate([tgt, src[back]])
    w = np.concatenate([w, rng.geometric(0.5, int(back.sum())).astype(np.float64)])
    adj = sp.coo_array((w, (src, tgt)), shape=(n, n)).tocsr()
    adj.sum_duplicates()
    coo = adj.tocoo()
    edges = pd.DataFrame({"source": ids[coo.row], "target": ids[coo.col], "weight": coo.data})
    manager = ids[team_start]
    dept_head = ids[dept_start]
    manager_id = np.where(is_manager, dept_head, manager)
    manager_id = np.where(ids == dept_head, None, manager_id)
    people = pd.DataFrame(
        {
            "person_id": ids,
            "team": [f"T{t:05d}" for t in team],
            "department": [f"D{d:04d}" for d in dept],
            "manager_id": manager_id,
        }
    )
    return Org(
        people=people,
        edges=edges,
        brokers=sorted(ids[brokers].tolist()),
        overloaded=sorted(ids[overloaded].tolist()),
    )


def org_graph(org: Org, *, directed: bool = True) -> CompactGraph:
    """The organisation's weighted graph (undirected: both directions summed)."""
    nodes = pd.Index(org.people["person_id"])
    i = nodes.get_indexer(org.edges["source"])
    j = nodes.get_indexer(org.edges["target"])
    n = len(nodes)
    adj = sp.csr_array((org.edges["weight"].to_numpy(), (i, j)), shape=(n, n))
    if not directed:
        adj = adj + adj.T
    attrs = org.people.set_index("person_id")
    return CompactGraph(nodes, adj, directed=directed, node_attrs=attrs)


def org_events(
    org: Org,
    *,
    start: str = "2026-01-01",
    months: int = 12,
    seed: int = 0,
) -> pd.DataFrame:
    """Expand the ties into timestamped e-mail events (one per unit of weight).

    Timestamps are uniform over ``months`` months from ``start``; ``n_recipients`` is 1. The
    result has the Interactions columns ``timestamp``, ``source``, ``target``, ``channel``,
    ``kind``, ``weight``, ``n_recipients``, ``automated``, ``mass``.
    """
    rng = np.random.default_rng(seed)
    counts = org.edges["weight"].to_numpy().astype(np.int64)
    src = np.repeat(org.edges["source"].to_numpy(dtype=object), counts)
    tgt = np.repeat(org.edges["target"].to_numpy(dtype=object), counts)
    t0 = pd.Timestamp(start, tz="UTC")
    span = (t0 + pd.DateOffset(months=months) - t0).total_seconds()
    ts = t0 + pd.to_timedelta(np.sort(rng.random(len(src))) * span, unit="s")
    n = len(src)
    return pd.DataFrame(
        {
            "timestamp": ts,
            "source": src,
            "target": tgt,
            "channel": "email",
            "kind": "to",
            "weight": np.ones(n),
            "n_recipients": np.ones(n, dtype=np.int32),
            "automated": np.zeros(n, dtype=bool),
            "mass": np.zeros(n, dtype=bool),
        }
    )
