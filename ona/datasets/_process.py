"""The interaction process: who contacts whom, month by month, by e-mail, chat and code.

Each month a propensity matrix ``W[i, j]`` (how likely person ``i`` addresses person ``j``)
is built from the organisation's structure and the planted effects:

* same team ``team``, same department ``department``, otherwise ``cross_department`` times a
  department-pair affinity; the silo pair's affinity is ``silo`` (close to zero);
* cross-team pairs are scaled by ``exp(openness * (o_a + o_b) / 2)`` with ``o`` a latent
  team-level openness (normal), the driver of cross-team ties and, through them, of outcomes;
* brokers' cross-department propensities (both directions) are multiplied by ``broker``;
  everyone addresses the overloaded people ``overload`` times more;
* from the intervention month, cross-department pairs within the community-of-practice teams
  are multiplied by ``community_of_practice``;
* a fixed symmetric log-normal pair affinity (``pair_noise``) gives people favourite contacts.

E-mails, chat messages and commits are then drawn from ``W`` (see ``_mail``, ``_chat`` and
``_code``) as native records (headers, Slack messages, commits); the canonical ground-truth
interactions are derived from those records with the documented edge rules, so the exports and
the truth describe the same events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np

from ona.datasets._org import Org

__all__ = ["DEFAULT_EFFECTS", "Clock", "Propensities", "month_of", "sample_targets"]

DEFAULT_EFFECTS: dict[str, float] = {
    "team": 1.0,
    "department": 0.08,
    "cross_department": 0.012,
    "department_affinity_sigma": 0.35,
    "silo": 0.04,
    "openness": 0.6,
    "broker": 8.0,
    "overload": 8.0,
    "community_of_practice": 8.0,
    "pair_noise": 1.0,
    # outcomes: correlation of the standardised cross-team-tie score with each metric
    "delivery_r": 0.5,
    "quality_r": 0.3,
    # engagement shift (in SDs) per overloaded member of the team
    "engagement_overload": -0.6,
}


class Propensities:
    """The monthly propensity matrices, computed on demand (one month kept at a time).

    ``w[m]`` is the ``n x n`` matrix of month ``m``; ``affinity`` the department-pair affinity.
    Small organisations keep every month (with its row-wise cumulative sums, for drawing); above
    :attr:`KEEP_ALL` people only the last month asked for is kept, so memory stays at a few
    ``n x n`` arrays whatever the length of the period.
    """

    KEEP_ALL = 600

    def __init__(self, rng: np.random.Generator, org: Org, effects: dict[str, float], intervention_month: int):
        self.org, self.effects, self.iv = org, effects, intervention_month
        n, k = org.n, len(org.departments)
        aff = np.exp(rng.normal(0, effects["department_affinity_sigma"], (k, k)))
        aff = np.sqrt(aff * aff.T)
        np.fill_diagonal(aff, 1.0)
        a, b = org.silo
        aff[a, b] = aff[b, a] = effects["silo"]
        self.affinity = aff
        noise = rng.lognormal(0, effects["pair_noise"], (n, n))
        self.noise = np.sqrt(noise * noise.T)
        self.is_broker = np.isin(np.arange(n), org.brokers)
        self._cache: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def __len__(self) -> int:
        return self.org.n_months

    def _entry(self, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if m not in self._cache:
            if self.org.n > self.KEEP_ALL:
                self._cache.clear()
            w = self._month(m)
            self._cache[m] = (w, np.cumsum(w, axis=1), np.count_nonzero(w, axis=1))
        return self._cache[m]

    def __getitem__(self, m: int) -> np.ndarray:
        return self._entry(m)[0]

    def draw(self, rng: np.random.Generator, m: int, person: int, k: int) -> np.ndarray:
        """``k`` distinct people ``person`` addresses in month ``m``, drawn proportionally to the
        propensities one after another (repeats are redrawn, which is the same distribution)."""
        _, cum, nnz = self._entry(m)
        row, out = cum[person], []
        k = min(k, int(nnz[person]))
        while len(out) < k:
            j = min(int(np.searchsorted(row, rng.random() * row[-1], side="right")), len(row) - 1)
            if j not in out:
                out.append(j)
        return np.array(out, dtype=int)

    def _month(self, m: int) -> np.ndarray:
        org, effects, aff, is_broker = self.org, self.effects, self.affinity, self.is_broker
        team = org.team_month[m]
        active = team >= 0
        tt = np.where(active, team, 0)
        dept = org.team_dept[tt]
        same_team = tt[:, None] == tt[None, :]
        same_dept = dept[:, None] == dept[None, :]
        w = np.where(
            same_team,
            effects["team"],
            np.where(same_dept, effects["department"], effects["cross_department"] * aff[dept[:, None], dept[None, :]]),
        )
        o = org.openness[tt]
        w *= np.where(same_team, 1.0, np.exp(effects["openness"] * (o[:, None] + o[None, :]) / 2))
        cross = ~same_dept
        w[is_broker] *= np.where(cross[is_broker], effects["broker"], 1.0)
        w[:, is_broker] *= np.where(cross[:, is_broker], effects["broker"], 1.0)
        w[:, org.overloaded] *= effects["overload"]
        if m >= self.iv:
            cop = active & np.isin(tt, org.cop_teams)
            block = np.ix_(cop, cop)
            w[block] *= np.where(cross[block], effects["community_of_practice"], 1.0)
        w *= self.noise
        w[~active] = 0.0
        w[:, ~active] = 0.0
        np.fill_diagonal(w, 0.0)
        return w


@dataclass
class Clock:
    """Working-hours timestamps: a weekday of the month, 08:00-18:00 in the person's zone."""

    org: Org
    end: datetime = field(init=False)

    def __post_init__(self) -> None:
        self._days = []
        for m in range(self.org.n_months):
            first, last = self.org.months[m], self.org.months[m + 1]
            days = [first + timedelta(d) for d in range((last - first).days)]
            self._days.append(np.array([_epoch(d) for d in days if d.weekday() < 5]))
        self.end = datetime.combine(self.org.months[-1], datetime.min.time(), UTC)
        self.end_epoch = _epoch(self.org.months[-1])
        self.start_epoch = _epoch(self.org.months[0])

    def month_epoch(self, month: int) -> int:
        """Epoch seconds of the first instant of ``month``."""
        return _epoch(self.org.months[month])

    def draw(self, rng: np.random.Generator, month: int, people: np.ndarray) -> np.ndarray:
        """Epoch seconds (UTC) for one event by each of ``people`` in ``month``."""
        days = self._days[month][rng.integers(len(self._days[month]), size=len(people))]
        local = 8 * 3600 + rng.beta(2.2, 2.2, len(people)) * 10 * 3600
        t = days + local.astype(np.int64) - self.org.tz_minutes[people] * 60
        return np.clip(t, self.start_epoch, self.end_epoch - 1)


def _epoch(d: date) -> int:
    return int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp())


def month_of(org: Org, epoch: int) -> int:
    """The simulated month index that contains ``epoch`` (clipped to the period)."""
    d = datetime.fromtimestamp(epoch, UTC).date()
    m = (d.year - org.months[0].year) * 12 + d.month - org.months[0].month
    return min(max(m, 0), org.n_months - 1)


def sample_targets(rng: np.random.Generator, row: np.ndarray, k: int) -> np.ndarray:
    """``k`` distinct people drawn one after another with probability proportional to ``row``."""
    row = row.copy() if k > 1 else row
    out = []
    for _ in range(k):
        cum = np.cumsum(row)
        if cum[-1] <= 0:
            break
        j = min(int(np.searchsorted(cum, rng.random() * cum[-1], side="right")), len(row) - 1)
        out.append(j)
        if k > 1:
            row[j] = 0.0
    return np.array(out, dtype=int)
