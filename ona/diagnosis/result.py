"""The result objects: one :class:`Finding` per claim, collected in a :class:`Diagnosis`."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ona.diagnosis.checks import Check

__all__ = ["SECTIONS", "STATUSES", "Diagnosis", "Finding"]

STATUSES = ("reported", "qualified", "withheld")
# Section id -> title, in the report's order. A new section (e.g. a survey) adds itself here.
SECTIONS: dict[str, str] = {
    "data": "The data",
    "network": "The network",
    "brokerage": "Who connects",
    "overload": "Collaborative overload",
    "silos": "Silos",
    "outcomes": "Collaboration and team outcomes",
    "change": "Change over time",
}

# Which sections' headlines come first (the others follow in report order).
HEADLINE_ORDER = ["silos", "brokerage", "overload", "outcomes"]


def _jsonable(value: Any) -> Any:
    if isinstance(value, pd.DataFrame):
        frame = value.reset_index() if value.index.name or not isinstance(
            value.index, pd.RangeIndex) else value
        return [{str(k): _jsonable(v) for k, v in row.items()}
                for row in frame.to_dict("records")]
    if isinstance(value, pd.Series):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if value is pd.NA or value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


@dataclass
class Finding:
    """One claim of the diagnosis and the evidence it stands on.

    Attributes
    ----------
    id : str
        Stable identifier (``"silos.pairs"``); the section is the part before the dot.
    title : str
    status : {"reported", "qualified", "withheld"}
        Reported: every check passed. Qualified: stated with ``reason`` as its caveat.
        Withheld: not stated; ``reason`` says why.
    statement : str
        The claim in plain words (for a withheld finding: what could not be said).
    reason : str or None
        Why the finding is qualified or withheld.
    numbers : dict
        The numbers behind the statement (with ``ci_low``/``ci_high`` where an interval exists).
    checks : list of Check
        Every check applied, passed or not.
    tables : dict of DataFrame
        Supporting tables (group-level, privacy applied).
    headline : str or None
        A one-sentence version for the report's opening, when the finding deserves one.
    """

    id: str
    title: str
    status: str
    statement: str
    reason: str | None = None
    numbers: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    headline: str | None = None

    @property
    def section(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def checks_passed(self) -> list[str]:
        return [c.name for c in self.checks if c.outcome == "passed"]

    def _repr_markdown_(self) -> str:  # how a notebook shows a finding
        text = f"**{self.title}** ({self.status}): {self.statement}"
        if self.reason:
            text += f"\n\n*{'Withheld' if self.status == 'withheld' else 'Caveat'}: {self.reason}.*"
        if self.checks_passed:
            text += f"\n\nChecks passed: {', '.join(self.checks_passed)}."
        return text

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "status": self.status,
                "statement": self.statement, "reason": self.reason,
                "numbers": _jsonable(self.numbers), "checks_passed": self.checks_passed,
                "checks": [c.to_dict() for c in self.checks],
                "tables": {k: _jsonable(v) for k, v in self.tables.items()},
                "headline": self.headline}


@dataclass
class Diagnosis:
    """Everything the diagnostic found, computed once (:func:`ona.diagnose`).

    The report, the notebooks and ``findings.json`` (:meth:`to_dict`) all read this object.

    Attributes
    ----------
    meta : dict
        Source, window, seed, minimum group size, the graph's construction rules.
    population : Population
    checks : dict of Check
        Every evidence check measured on the data, by name.
    findings : list of Finding
        In report order; extend with :meth:`add`.
    graph : CompactGraph or None
        The internal network (not serialised).
    """

    meta: dict[str, Any]
    population: Any
    checks: dict[str, Check]
    findings: list[Finding] = field(default_factory=list)
    graph: Any = None
    extras: dict[str, Any] = field(default_factory=dict, repr=False)  # figures' inputs

    def add(self, finding: Finding) -> Finding:
        """Append a finding (a later section, such as a survey, adds itself this way)."""
        if finding.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {finding.status!r}")
        if any(f.id == finding.id for f in self.findings):
            raise ValueError(f"a finding {finding.id!r} is already present")
        self.findings.append(finding)
        return finding

    def __getitem__(self, finding_id: str) -> Finding:
        for f in self.findings:
            if f.id == finding_id:
                return f
        raise KeyError(finding_id)

    def section(self, name: str) -> list[Finding]:
        """The findings of one section, in order."""
        return [f for f in self.findings if f.section == name]

    @property
    def headlines(self) -> list[str]:
        """3 to 5 plain-word headlines: the stated findings first, then what was withheld."""
        rank = {name: i for i, name in enumerate(HEADLINE_ORDER)}
        ordered = sorted(self.findings, key=lambda f: rank.get(f.section, len(rank)))
        stated = [f.headline for f in ordered if f.headline and f.status != "withheld"]
        held = [f.headline for f in ordered if f.headline and f.status == "withheld"]
        return (stated + held)[:5]

    def to_dict(self) -> dict[str, Any]:
        """The whole diagnosis as plain JSON types (``findings.json``)."""
        return {"meta": _jsonable(self.meta), "population": _jsonable(self.population.to_dict()),
                "checks": {k: c.to_dict() for k, c in self.checks.items()},
                "headlines": self.headlines,
                "findings": [f.to_dict() for f in self.findings]}

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), indent=kwargs.pop("indent", 2), ensure_ascii=False,
                          **kwargs)
