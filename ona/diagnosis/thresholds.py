"""Every threshold the diagnosis uses, defined once (``docs/checks.md`` explains each).

A check compares one measured value with its threshold. ``qualify`` is the line below which (or,
for ``direction="max"``, above which) a claim is stated only with its caveat; ``withhold`` is the
line past which the claim is not stated at all. The report, the notebooks and ``findings.json``
read these values from here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["THRESHOLDS", "TOP_SHARE", "Threshold"]

# "Top 5%": the ceil(0.05 * n) people with the most of something (brokerage, demand). The one
# definition, shared with ona.overload(top=0.05).
TOP_SHARE = 0.05


@dataclass(frozen=True)
class Threshold:
    """One check's lines: ``qualify`` and ``withhold`` (None: that outcome never happens)."""

    name: str
    label: str  # what is measured, in plain words
    qualify: float | None
    withhold: float | None
    direction: str = "min"  # "min": the value must reach the line; "max": must not exceed it
    source: str = ""  # where the line comes from

    def outcome(self, value: float | None) -> str:
        """``"passed"``, ``"qualified"`` or ``"withheld"`` for a measured value (None: withheld)."""
        if value is None or value != value:
            return "withheld"
        worse = (lambda v, line: v < line) if self.direction == "min" else (lambda v, line: v > line)
        if self.withhold is not None and worse(value, self.withhold):
            return "withheld"
        if self.qualify is not None and worse(value, self.qualify):
            return "qualified"
        return "passed"


_T = [
    Threshold("coverage", "share of internal people with at least one recorded interaction",
              qualify=0.7, withhold=0.3,
              source="Kossinets 2006; Smith and Moody 2013: centrality and structure degrade "
                     "quickly once 20-30% of people are missing"),
    Threshold("month_coverage", "share of months whose active people reach half the median month",
              qualify=1.0, withhold=0.5,
              source="a month far below the others is a gap in the export, not a quiet month"),
    Threshold("activity", "median interactions per active person per month",
              qualify=4.0, withhold=1.0,
              source="project rule: below one a month, a person's ties are noise"),
    Threshold("network_size", "people in the network", qualify=50, withhold=20,
              source="the top 5% must be more than one or two people to be a pattern"),
    Threshold("mean_degree", "mean distinct contacts per person", qualify=3.0, withhold=1.5,
              source="Borgatti, Carley and Krackhardt 2006: centrality on sparse, "
                     "fragmented graphs is unreliable"),
    Threshold("largest_component", "share of people in the largest connected group",
              qualify=0.8, withhold=0.5,
              source="betweenness only compares people who can reach each other"),
    Threshold("mass_share", "share of events that are mass or automated messages",
              qualify=0.2, withhold=0.5, direction="max",
              source="mailing lists and bots are not person-to-person demand"),
    Threshold("reciprocity", "share of ties answered in the other direction",
              qualify=0.2, withhold=0.05,
              source="one-way networks (broadcasts, acyclic reply chains) have no brokerage "
                     "in Burt's or Freeman's sense"),
    Threshold("teams", "teams with both network metrics and outcomes", qualify=20, withhold=8,
              source="with n teams only |r| >= detectable_r(n) is found with 80% power"),
    Threshold("groups", "groups of at least the minimum size", qualify=3, withhold=2,
              source="silos need at least two groups to compare"),
    Threshold("between_group_volume", "interactions between groups", qualify=200, withhold=30,
              source="observed/expected ratios on a few dozen events have very wide intervals"),
    Threshold("pair_contrast", "upper 95% bound of the weakest pair's ratio over the typical "
              "pair's", qualify=0.75, withhold=None, direction="max",
              source="the lowest of many similar pairs is low by chance: a silo must stand out "
                     "from the typical pair, interval included"),
    Threshold("seed_stability", "agreement of communities across seeds (adjusted Rand)",
              qualify=0.8, withhold=0.3,
              source="Good, de Montjoye and Clauset 2010: many near-optimal partitions exist"),
    Threshold("window_stability", "agreement of communities across neighbouring windows "
              "(adjusted Rand)", qualify=0.5, withhold=0.2,
              source="clusters that change from one half-year to the next are not structure"),
    Threshold("months", "months of data", qualify=6, withhold=3,
              source="a trend needs several points on each side"),
]

THRESHOLDS: dict[str, Threshold] = {t.name: t for t in _T}
