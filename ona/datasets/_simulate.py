"""The seeded organisation simulator: structure, interactions, outcomes and the planted truth.

:func:`simulate_organisation` draws an organisation (``_org``), runs the monthly interaction
process (``_process``) through e-mail (``_mail``), chat (``_chat``) and code (``_code``), and
returns the canonical tables with the truth that was planted. Person ids are the people's
**primary e-mail addresses** (lower-case), so e-mail interactions join the roster directly; other
identities (old-domain and short aliases, Slack user ids, git personal and noreply addresses)
are listed in the roster's ``aliases`` column, in Slack's ``users.json`` or in the repository's
``.mailmap``, as they would be in a real delivery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ona.datasets._chat import COP_CHANNEL, Chat, chat_interactions, simulate_chat
from ona.datasets._code import Repo, code_interactions, simulate_code
from ona.datasets._mail import mail_interactions, simulate_mail
from ona.datasets._org import Org, build_org
from ona.datasets._process import DEFAULT_EFFECTS, Clock, Propensities
from ona.tables import validate_interactions, validate_outcomes, validate_people

__all__ = ["EXPORT_FILES", "SimulatedOrganisation", "Truth", "simulate_organisation"]

# export name -> file name, shared by the writers and the truth's ``origin`` column
EXPORT_FILES = {
    "mbox": "mail.mbox",
    "slack": "slack_export.zip",
    "git": "monorepo.bundle",
    "roster": "roster.csv",
    "outcomes": "team_outcomes.csv",
    "survey": "survey_export.csv",
    "truth": "truth.json",
}


@dataclass(frozen=True)
class Truth:
    """What was planted in a simulated organisation (person ids are primary e-mail addresses).

    Attributes
    ----------
    silo_departments : tuple of str
        The two departments whose members barely interact (pair affinity ``effects["silo"]``).
    brokers : tuple of str
        One person per department whose cross-department propensity is ``effects["broker"]``
        times everyone else's, in both directions.
    overloaded : tuple of str
        People everyone addresses ``effects["overload"]`` times more than their peers.
    intervention_teams : tuple of str
        Teams in the community of practice; from ``intervention_start`` their cross-department
        pairs interact ``effects["community_of_practice"]`` times more.
    intervention_start : pandas.Timestamp
        First instant (UTC) of the intervention month.
    effects : dict
        Every multiplier and outcome coefficient used (see ``ona.datasets._process``).
    team_drivers : pandas.DataFrame
        Per team and quarter: ``cross_team_ties`` (distinct outside people each member
        interacted with, per member) and its within-quarter z-score ``driver``, the value the
        outcome metrics were generated from.
    """

    seed: int
    parameters: dict[str, Any]
    silo_departments: tuple[str, str]
    brokers: tuple[str, ...]
    overloaded: tuple[str, ...]
    intervention_teams: tuple[str, ...]
    intervention_start: pd.Timestamp
    intervention_channel: str
    effects: dict[str, float]
    department_affinity: pd.DataFrame
    moves: pd.DataFrame
    noise: dict[str, int]
    team_drivers: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable form (written as ``truth.json`` beside the exports)."""
        return {
            "seed": self.seed,
            "parameters": self.parameters,
            "person_id": "primary e-mail address (roster column email)",
            "silo_departments": list(self.silo_departments),
            "brokers": list(self.brokers),
            "overloaded": list(self.overloaded),
            "intervention": {
                "teams": list(self.intervention_teams),
                "start": self.intervention_start.isoformat(),
                "slack_channel": self.intervention_channel,
            },
            "effects": self.effects,
            "department_affinity": {
                f"{a}|{b}": round(float(self.department_affinity.loc[a, b]), 6)
                for a in self.department_affinity.index
                for b in self.department_affinity.columns
                if a < b
            },
            "moves": self.moves.astype(str).to_dict(orient="records"),
            "noise": self.noise,
        }


@dataclass
class SimulatedOrganisation:
    """A simulated organisation: canonical tables, planted truth, and (once written) its exports.

    Attributes
    ----------
    interactions : pandas.DataFrame
        Canonical Interactions (ground truth: every person-to-person interaction the exports
        carry, with the edge rules of ``ona.datasets._mail``, ``_chat`` and ``_code``).
    people : pandas.DataFrame
        Canonical People, effective-dated (one row per person and team spell).
    outcomes : pandas.DataFrame
        Canonical Outcomes: per team and quarter ``delivery``, ``quality``, ``engagement``,
        ``attrition``.
    truth : Truth
        What was planted.
    paths : dict
        Export name (``mbox``, ``slack``, ``git``, ``roster``, ``outcomes``, ``survey``,
        ``truth``) -> file,
        filled by :func:`ona.datasets.write_exports` or :func:`ona.datasets.load_sample`.
    """

    interactions: pd.DataFrame
    people: pd.DataFrame
    outcomes: pd.DataFrame
    truth: Truth
    paths: dict[str, Path] = field(default_factory=dict)
    org: Org | None = field(default=None, repr=False)
    mail: list[dict[str, Any]] = field(default_factory=list, repr=False)
    chat: Chat | None = field(default=None, repr=False)
    repo: Repo | None = field(default=None, repr=False)
    survey: Any = field(default=None, repr=False)  # ona.datasets._survey.SimulatedSurvey

    def __repr__(self) -> str:
        latest = self.people.drop_duplicates("person_id", keep="last")
        ts = self.interactions["timestamp"]
        span = f"{ts.min():%Y-%m-%d} to {ts.max():%Y-%m-%d}" if len(ts) else "no interactions"
        return (
            f"<SimulatedOrganisation: {len(latest)} people, {latest['team'].nunique()} teams, "
            f"{latest['department'].nunique()} departments, {len(self.interactions):,} interactions "
            f"({span}), seed {self.truth.seed}>"
        )


def simulate_organisation(
    *,
    n_people: int = 300,
    n_teams: int = 40,
    n_departments: int = 6,
    months: int = 12,
    start: date = date(2025, 1, 1),
    intervention_month: int = 7,
    volume: float = 1.0,
    effects: dict[str, float] | None = None,
    seed: int = 2025,
) -> SimulatedOrganisation:
    """Core of :func:`ona.datasets.simulate_organisation` (parameters validated there)."""
    eff = {**DEFAULT_EFFECTS, **(effects or {})}
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(6)]
    org = build_org(rngs[0], n_people, n_teams, n_departments, start, months)
    iv = intervention_month - 1
    w = Propensities(rngs[1], org, eff, iv)
    aff = w.affinity
    clock = Clock(org)
    mail = simulate_mail(rngs[2], org, w, clock, 0.9 * volume)
    chat = simulate_chat(rngs[3], org, w, clock, 2.6 * volume, iv)
    repo = simulate_code(rngs[4], org, w, clock, 1.0 * volume)
    parts = [
        mail_interactions(org, mail, EXPORT_FILES["mbox"]),
        chat_interactions(chat, EXPORT_FILES["slack"]),
        code_interactions(org, repo, EXPORT_FILES["git"]),
    ]
    frames = []
    for cols in parts:
        n = len(cols["event_id"])
        frames.append(pd.DataFrame({k: (v if isinstance(v, list) else [v] * n) for k, v in cols.items()}))
    inter = pd.concat(frames, ignore_index=True)
    inter["timestamp"] = pd.to_datetime(inter["timestamp"].astype("int64"), unit="us", utc=True)
    inter = inter.sort_values(["timestamp", "channel", "event_id"], kind="stable", ignore_index=True)
    interactions = validate_interactions(inter)
    people = validate_people(_people(org))
    outcomes, drivers = _outcomes(rngs[5], org, interactions, eff)
    names = org.departments
    truth = Truth(
        seed=seed,
        parameters={"n_people": n_people, "n_teams": n_teams, "n_departments": n_departments,
                    "months": months, "start": start.isoformat(),
                    "intervention_month": intervention_month, "volume": volume},  # fmt: skip
        silo_departments=(names[org.silo[0]], names[org.silo[1]]),
        brokers=tuple(sorted(org.emails[i] for i in org.brokers)),
        overloaded=tuple(sorted(org.emails[i] for i in org.overloaded)),
        intervention_teams=tuple(sorted(org.teams[k] for k in org.cop_teams)),
        intervention_start=pd.Timestamp(org.months[iv]).tz_localize("UTC"),
        intervention_channel=COP_CHANNEL,
        effects=eff,
        department_affinity=pd.DataFrame(aff, index=names, columns=names),
        moves=pd.DataFrame(
            [(org.emails[i], org.teams[a], org.teams[b], org.months[m].isoformat()) for i, m, a, b in org.moves],
            columns=["person_id", "from_team", "to_team", "date"],
        ),
        noise=_noise(mail, chat, repo),
        team_drivers=drivers,
    )
    return SimulatedOrganisation(interactions, people, validate_outcomes(outcomes), truth,
                                 org=org, mail=mail, chat=chat, repo=repo)  # fmt: skip


def _noise(mail: list[dict[str, Any]], chat: Chat, repo: Repo) -> dict[str, int]:
    """Records in the exports that are not person-to-person interactions, by type."""
    out = {
        "email_messages": len(mail),
        "email_automated": sum(m["kind"] in ("notification", "auto_reply") for m in mail),
        "email_list": sum(m["kind"] == "list" for m in mail),
        "email_external_inbound": sum(m["kind"] == "inbound" for m in mail),
        "email_external_recipients": sum(len(m["external_to"]) for m in mail),
        "chat_messages": len(chat.messages),
        "chat_bot_messages": sum(m["subtype"] == "bot_message" for m in chat.messages),
        "chat_channel_joins": sum(m["subtype"] == "channel_join" for m in chat.messages),
        "git_commits": len(repo.commits),
        "git_merges": sum(c["kind"] == "merge" for c in repo.commits),
        "git_bot_commits": sum(c["kind"] == "bot" for c in repo.commits),
    }
    return out


def _people(org: Org) -> pd.DataFrame:
    """Effective-dated roster rows: one per person and spell in a team."""
    rows = []
    for i in range(org.n):
        present = np.flatnonzero(org.team_month[:, i] >= 0)
        spells = [int(present[0])] + [int(m) for m in present[1:] if org.team_month[m, i] != org.team_month[m - 1, i]]
        for j, m in enumerate(spells):
            team = int(org.team_month[m, i])
            manager = org.manager(i, m)
            rows.append({
                "person_id": org.emails[i], "name": org.names[i], "email": org.emails[i],
                "aliases": ";".join(org.aliases[i]) or None, "team": org.teams[team],
                "department": org.departments[org.team_dept[team]],
                "manager_id": org.emails[manager] if manager is not None else None,
                "location": org.location[i], "level": org.level[i],
                "start_date": org.start_date[i].isoformat(),
                "end_date": org.end_date[i].isoformat() if org.end_date[i] else None,
                "valid_from": (org.start_date[i] if j == 0 else org.months[m]).isoformat(),
                "valid_to": org.months[spells[j + 1]].isoformat() if j + 1 < len(spells) else None,
                "employee_id": org.employee_ids[i],
            })  # fmt: skip
    return pd.DataFrame(rows).sort_values(["person_id", "valid_from"], ignore_index=True)


def _quarter(d: date) -> str:
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def _outcomes(
    rng: np.random.Generator, org: Org, inter: pd.DataFrame, eff: dict[str, float]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Team outcomes per quarter: partly the team's cross-team ties, partly noise."""
    index = {e: i for i, e in enumerate(org.emails)}
    src = inter["source"].map(index).to_numpy()
    dst = inter["target"].map(index).to_numpy()
    stamps = inter["timestamp"]
    month = ((stamps.dt.year - org.months[0].year) * 12 + stamps.dt.month - org.months[0].month).to_numpy()
    month = np.clip(month, 0, org.n_months - 1)
    ts, td = org.team_month[month, src], org.team_month[month, dst]
    keep = (ts >= 0) & (td >= 0) & (ts != td)
    quarter_of = np.array([_quarter(d) for d in org.months[:-1]])
    q = quarter_of[month[keep]]
    pairs = pd.DataFrame({
        "period": np.concatenate([q, q]),
        "team": np.concatenate([ts[keep], td[keep]]),
        "member": np.concatenate([src[keep], dst[keep]]),
        "other": np.concatenate([dst[keep], src[keep]]),
    }).drop_duplicates()  # fmt: skip
    ties = pairs.groupby(["period", "team"]).size()
    rows = []
    for period in dict.fromkeys(quarter_of):
        ms = np.flatnonzero(quarter_of == period)
        for k in range(len(org.teams)):
            members = org.team_month[ms] == k
            headcount = members.sum(axis=1).mean()
            if headcount == 0:
                continue
            leavers = sum(1 for i in np.flatnonzero(members.any(axis=0))
                          if org.end_date[i] is not None and _quarter(org.end_date[i]) == period)  # fmt: skip
            overloaded = members[:, org.overloaded].any(axis=0).sum()
            rows.append((period, org.teams[k], headcount, ties.get((period, k), 0) / headcount, leavers, overloaded))
    drivers = pd.DataFrame(rows, columns=["period", "unit", "headcount", "cross_team_ties", "leavers", "n_overloaded"])
    x = np.log1p(drivers["cross_team_ties"])
    drivers["driver"] = (x - x.groupby(drivers["period"]).transform("mean")) / x.groupby(drivers["period"]).transform("std", ddof=0)
    z = drivers["driver"].to_numpy()
    e = rng.standard_normal((len(drivers), 3))
    rd, rq = eff["delivery_r"], eff["quality_r"]
    out = pd.DataFrame({
        "unit": drivers["unit"],
        "unit_type": "team",
        "period": drivers["period"],
        "delivery": np.clip(70 + 10 * (rd * z + np.sqrt(1 - rd**2) * e[:, 0]), 0, 100).round(1),
        "quality": np.clip(3.6 + 0.45 * (rq * z + np.sqrt(1 - rq**2) * e[:, 1]), 1, 5).round(2),
        "engagement": np.clip(72 + 8 * (e[:, 2] + eff["engagement_overload"] * drivers["n_overloaded"]), 0, 100).round(1),
        "attrition": (drivers["leavers"] / drivers["headcount"]).round(3),
    })  # fmt: skip
    drivers = drivers[["unit", "period", "headcount", "cross_team_ties", "driver"]]
    return out, drivers
