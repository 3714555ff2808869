"""The simulated organisation's structure: departments, teams, people, identities, planted roles.

Everything is drawn from one :class:`numpy.random.Generator`, so the same seed gives the same
organisation. The interaction process that runs on this structure is in ``_simulate``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from ona.datasets._names import (
    DEPARTMENTS,
    FIRST_NAMES,
    LAST_NAMES,
    LOCATIONS,
    OLD_DOMAIN,
    ORG_DOMAIN,
    PERSONAL_DOMAINS,
    TEAM_WORDS,
)

__all__ = ["Org", "ascii_fold", "build_org", "month_starts", "unique_ids"]

_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "đ": "d", "'": ""})
_ID_CHARS = np.array(list("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"))


def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters of ``text`` (``"Łukasz Núñez"`` -> ``"lukasznunez"``)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


def month_starts(start: date, months: int) -> list[date]:
    """The first day of each simulated month, plus the day after the last month."""
    out = []
    y, m = start.year, start.month
    for _ in range(months + 1):
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@dataclass
class Org:
    """Arrays describing the organisation; person ``i`` is row ``i`` everywhere."""

    months: list[date]  # month starts, len = n_months + 1
    departments: list[str]
    teams: list[str]
    team_dept: np.ndarray  # team -> department index
    team_lead: np.ndarray  # team -> person index
    dept_head: np.ndarray  # department -> person index
    names: list[str]
    emails: list[str]  # primary address = person_id
    employee_ids: list[str]
    location: list[str]
    tz_minutes: np.ndarray
    level: list[str]
    start_date: list[date]
    end_date: list[date | None]
    team_month: np.ndarray  # (n_months, n) team index, -1 when not employed that month
    activity: np.ndarray
    openness: np.ndarray  # per team: the latent drive towards cross-team ties
    brokers: np.ndarray
    overloaded: np.ndarray
    silo: tuple[int, int]
    cop_teams: np.ndarray
    moves: list[tuple[int, int, int, int]]  # (person, month index, from team, to team)
    aliases: list[list[str]] = field(default_factory=list)  # listed in the roster
    mail_alias: list[str | None] = field(default_factory=list)  # other address used in mail
    slack_id: list[str] = field(default_factory=list)
    slack_email: list[str] = field(default_factory=list)
    git_name: list[str] = field(default_factory=list)
    git_email: list[str] = field(default_factory=list)
    mailmap: list[str] = field(default_factory=list)  # .mailmap lines

    @property
    def n(self) -> int:
        return len(self.emails)

    @property
    def n_months(self) -> int:
        return len(self.months) - 1

    def manager(self, person: int, month: int) -> int | None:
        """The person's manager in a month: team lead, department head, or the CEO."""
        team = self.team_month[month, person]
        if team < 0:
            team = self.team_month[self.team_month[:, person] >= 0, person][0]
        lead = int(self.team_lead[team])
        head = int(self.dept_head[self.team_dept[team]])
        ceo = int(self.dept_head[-1])
        if person == ceo:
            return None
        if person == head:
            return ceo
        if person == lead:
            return head
        return lead


def _largest_remainder(total: int, shares: np.ndarray, minimum: int) -> np.ndarray:
    counts = np.full(len(shares), minimum)
    rest = total - counts.sum()
    raw = shares / shares.sum() * rest
    counts += np.floor(raw).astype(int)
    left = total - counts.sum()
    order = np.argsort(-(raw - np.floor(raw)), kind="stable")
    counts[order[:left]] += 1
    return counts


def unique_ids(rng: np.random.Generator, n: int, prefix: str, length: int) -> list[str]:
    seen: set[str] = set()
    out = []
    while len(out) < n:
        cand = prefix + "".join(rng.choice(_ID_CHARS, size=length))
        if cand not in seen:
            seen.add(cand)
            out.append(cand)
    return out


def build_org(
    rng: np.random.Generator, n_people: int, n_teams: int, n_departments: int, start: date, n_months: int
) -> Org:
    """Draw an organisation: structure first, then people, identities and planted roles."""
    dept_names = [d for d, _ in DEPARTMENTS][:n_departments]
    dept_names += [f"Division {k + 1}" for k in range(len(dept_names), n_departments)]
    shares = np.array([s for _, s in DEPARTMENTS][:n_departments] + [0.1] * (n_departments - len(DEPARTMENTS)))
    teams_per_dept = _largest_remainder(n_teams, shares, 1)
    team_dept = np.repeat(np.arange(n_departments), teams_per_dept)
    teams: list[str] = []
    for d, k in enumerate(teams_per_dept):
        words = TEAM_WORDS.get(dept_names[d], [])
        words = words + [w for w in TEAM_WORDS["_generic"] if w not in words]
        for j in range(k):
            word = words[j % len(words)] + ("" if j < len(words) else f" {j // len(words) + 1}")
            teams.append(word if word not in teams else f"{dept_names[d]} {word}")
    # team sizes: at least 5, the rest spread by department share and team-level noise
    weight = shares[team_dept] / teams_per_dept[team_dept] * rng.lognormal(0, 0.3, n_teams)
    sizes = 5 + rng.multinomial(n_people - 5 * n_teams, weight / weight.sum())
    home_team = np.repeat(np.arange(n_teams), sizes)
    n = n_people

    # names and primary addresses (some people's primary is the short form, first.last an alias)
    names, emails, aliases = [], [], []
    taken: set[str] = set()
    for _ in range(n):
        while True:
            first = FIRST_NAMES[rng.integers(len(FIRST_NAMES))]
            last = LAST_NAMES[rng.integers(len(LAST_NAMES))]
            if f"{first} {last}" not in names:
                break
        f, la = ascii_fold(first), ascii_fold(last)
        long_form, short_form = f"{f}.{la}", f"{f[0]}{la}"
        use_short = rng.random() < 0.1 and short_form not in taken
        local = short_form if use_short else long_form
        k = 2
        while local in taken:
            local = f"{long_form}{k}"
            k += 1
        taken.add(local)
        names.append(f"{first} {last}")
        emails.append(f"{local}@{ORG_DOMAIN}")
        aliases.append([f"{long_form}@{ORG_DOMAIN}"] if use_short and long_form not in taken else [])
        if use_short:
            taken.add(long_form)
    employee_ids = [f"E{10000 + x:05d}" for x in rng.choice(89_999, size=n, replace=False)]

    # leads: the first member of each team; the first team's lead heads the department
    first_member = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    team_lead = first_member.copy()
    dept_head = np.array([team_lead[np.flatnonzero(team_dept == d)[0]] for d in range(n_departments)])
    is_lead = np.zeros(n, bool)
    is_lead[team_lead] = True
    level = []
    ic_levels = np.array(["IC1", "IC2", "IC3", "IC4", "IC5"])
    ic_probs = np.array([0.15, 0.3, 0.3, 0.17, 0.08])
    for i in range(n):
        if i == dept_head[-1]:
            level.append("M3")
        elif i in dept_head:
            level.append("M2")
        elif is_lead[i]:
            level.append("M1")
        else:
            level.append(str(rng.choice(ic_levels, p=ic_probs)))

    # locations: most of a team sits in its home city
    loc_names = [x[0] for x in LOCATIONS]
    loc_tz = {x[0]: x[1] for x in LOCATIONS}
    loc_p = np.array([x[2] for x in LOCATIONS])
    team_city = rng.choice(len(loc_names), size=n_teams, p=loc_p)
    location = [
        loc_names[team_city[home_team[i]]] if rng.random() < 0.8 else loc_names[rng.choice(len(loc_names), p=loc_p)]
        for i in range(n)
    ]
    tz_minutes = np.array([loc_tz[c] for c in location])

    # employment: most joined before the period; a few join or leave during it
    months = month_starts(start, n_months)
    team_month = np.tile(home_team, (n_months, 1))
    special = is_lead.copy()
    end_date: list[date | None] = [None] * n
    span = (start - date(2013, 1, 1)).days
    start_date = [date(2013, 1, 1) + timedelta(days=int(rng.integers(span))) for _ in range(n)]
    ics = np.flatnonzero(~special)
    churn = rng.choice(ics, size=max(2, round(0.08 * n)), replace=False)
    hires, leavers = churn[: len(churn) // 2], churn[len(churn) // 2 :]
    for i in hires:
        m = int(rng.integers(1, max(2, n_months - 1)))
        start_date[i] = months[m]
        team_month[:m, i] = -1
    low = min(2, n_months - 2)
    for i in leavers:
        m = int(rng.integers(low, max(low + 1, n_months - 1)))
        end_date[i] = months[m + 1] - timedelta(days=1)
        team_month[m + 1 :, i] = -1
    special[churn] = True

    # planted roles, drawn from settled individual contributors
    def pick(pool: np.ndarray, k: int) -> np.ndarray:
        chosen = rng.choice(pool, size=min(k, len(pool)), replace=False)
        special[chosen] = True
        return np.sort(chosen)

    senior = np.array([lv in ("IC3", "IC4", "IC5") for lv in level])
    person_dept = team_dept[home_team]
    brokers = np.concatenate(
        [pick(np.flatnonzero(~special & senior & (person_dept == d)), 1) for d in range(n_departments)]
    )
    brokers = np.sort(brokers)
    overloaded = pick(np.flatnonzero(~special & senior & np.isin(person_dept, [0, 1, n_departments - 1])), 5)

    # moves: a few people change team once (mostly within their department)
    moves = []
    for i in pick(np.flatnonzero(~special), max(2, round(0.06 * n))):
        m = int(rng.integers(min(2, n_months - 1), max(min(2, n_months - 1) + 1, n_months - 1)))
        old = int(home_team[i])
        same = np.flatnonzero((team_dept == team_dept[old]) & (np.arange(n_teams) != old))
        pool = same if (rng.random() < 0.7 and len(same)) else np.flatnonzero(np.arange(n_teams) != old)
        new = int(rng.choice(pool))
        team_month[m:, i] = new
        moves.append((int(i), m, old, new))

    # the community of practice: about a fifth of the teams, at least one per department
    k_cop = max(n_departments, round(0.2 * n_teams))
    cop = [int(rng.choice(np.flatnonzero(team_dept == d))) for d in range(n_departments)]
    rest = np.setdiff1d(np.arange(n_teams), cop)
    cop += list(rng.choice(rest, size=min(k_cop - len(cop), len(rest)), replace=False))
    activity = rng.lognormal(0, 0.45, n)
    activity[brokers] *= 1.5
    activity[overloaded] *= 1.3
    activity[is_lead] *= 1.2

    org = Org(
        months=months, departments=dept_names, teams=teams, team_dept=team_dept,
        team_lead=team_lead, dept_head=dept_head, names=names, emails=emails,
        employee_ids=employee_ids, location=location, tz_minutes=tz_minutes, level=level,
        start_date=start_date, end_date=end_date, team_month=team_month, activity=activity,
        openness=rng.normal(0, 1, n_teams), brokers=brokers, overloaded=overloaded,
        silo=(0, min(2, n_departments - 1)), cop_teams=np.sort(np.array(cop, dtype=int)),
        moves=moves, aliases=aliases,
    )  # fmt: skip
    _identities(rng, org)
    return org


def _identities(rng: np.random.Generator, org: Org) -> None:
    """One identity per system: mail aliases, Slack ids and e-mails, git author addresses."""
    slack_ids = unique_ids(rng, org.n, "U0", 9)
    gh_ids = 1_000_000 + rng.choice(98_999_999, size=org.n, replace=False)
    old_cutoff = date(2022, 1, 1)
    for i in range(org.n):
        local = org.emails[i].split("@")[0]
        first, last = org.names[i].split(" ", 1)
        alias = None
        if org.start_date[i] < old_cutoff and rng.random() < 0.2:
            alias = f"{local}@{OLD_DOMAIN}"
            org.aliases[i].append(alias)
        org.mail_alias.append(alias)
        org.slack_id.append(slack_ids[i])
        org.slack_email.append(alias if alias is not None and rng.random() < 0.35 else org.emails[i])
        u = rng.random()
        if u < 0.15:
            personal = f"{ascii_fold(first)}.{ascii_fold(last)}{i % 89}@{PERSONAL_DOMAINS[i % 2]}"
            org.git_email.append(personal)
            org.git_name.append(org.names[i])
            org.mailmap.append(f"{org.names[i]} <{org.emails[i]}> <{personal}>")
        elif u < 0.3:
            login = f"{ascii_fold(first)[:1]}{ascii_fold(last)}-{int(gh_ids[i]) % 97}"
            noreply = f"{int(gh_ids[i])}+{login}@users.noreply.github.com"
            org.aliases[i].append(noreply)
            org.git_email.append(noreply)
            org.git_name.append(login)
        else:
            org.git_email.append(org.emails[i])
            org.git_name.append(org.names[i])
    org.mailmap.sort(key=str.lower)
