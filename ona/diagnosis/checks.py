"""Evidence checks: measured properties of the data that each claim needs (``docs/checks.md``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from ona.analysis.structure import reciprocity
from ona.diagnosis.thresholds import THRESHOLDS
from ona.graph import as_compact

__all__ = ["Check", "coverage_table", "evaluate", "network_checks"]


@dataclass
class Check:
    """One check: the measured value against its threshold (:data:`THRESHOLDS`)."""

    name: str
    value: float | None
    outcome: str  # passed, qualified, withheld
    detail: str = ""

    @property
    def threshold(self):
        return THRESHOLDS[self.name]

    def sentence(self) -> str:
        t = self.threshold
        v = "not measurable" if self.value is None or self.value != self.value else _num(self.value)
        line = t.withhold if self.outcome == "withheld" else t.qualify
        cmp = "below" if t.direction == "min" else "above"
        extra = f" ({self.detail})" if self.detail else ""
        if self.outcome == "passed" or self.outcome != t.outcome(self.value):
            return f"{t.label}: {v}{extra}"  # passed, or qualified for the detail's reason
        return f"{t.label} is {v}, {cmp} {_num(line)}{extra}"

    def to_dict(self) -> dict:
        t = self.threshold
        return {"name": self.name, "label": t.label, "value": _plain(self.value),
                "outcome": self.outcome, "qualify_at": t.qualify, "withhold_at": t.withhold,
                "direction": t.direction, "detail": self.detail, "source": t.source}


def _plain(v):
    if v is None or (isinstance(v, float) and v != v):
        return None
    return float(v) if isinstance(v, (float, np.floating)) else int(v) if isinstance(
        v, (int, np.integer)) else v


def _num(v: float) -> str:
    if v is None:
        return "–"
    if abs(v) >= 100 or float(v).is_integer():
        return f"{v:,.0f}"
    return f"{v:.2f}"


def evaluate(name: str, value: float | None, detail: str = "") -> Check:
    """A :class:`Check` of ``value`` against the threshold called ``name``."""
    return Check(name, _plain(value), THRESHOLDS[name].outcome(value), detail)


def coverage_table(interactions: pd.DataFrame, internal: pd.Index) -> pd.DataFrame:
    """Share of the internal people active in each month and channel (rows: months).

    A person is active in a month and channel when they send or receive at least one
    interaction there; the ``all`` column counts any channel.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"timestamp": pd.to_datetime(["2025-01-03"] * 2, utc=True),
    ...     "source": ["a", "a"], "target": ["b", "c"], "channel": ["email", "chat"]})
    >>> coverage_table(ev, pd.Index(["a", "b", "c", "d"])).to_dict("index")
    {'2025-01': {'chat': 0.5, 'email': 0.5, 'all': 0.75}}
    """
    if interactions.empty or len(internal) == 0:
        return pd.DataFrame()
    month = interactions["timestamp"].dt.strftime("%Y-%m")
    long = pd.concat([
        pd.DataFrame({"month": month, "channel": interactions["channel"], "who": interactions[c]})
        for c in ("source", "target")], ignore_index=True)
    long = long[long["who"].isin(internal).to_numpy(dtype=bool)]
    by = long.groupby(["month", "channel"])["who"].nunique().unstack(fill_value=0)
    by["all"] = long.groupby("month")["who"].nunique()
    by = by.reindex(sorted(month.unique()), fill_value=0)
    by.index.name = "month"
    by.columns.name = None
    return (by / len(internal)).astype(float)


def network_checks(G) -> dict[str, Check]:
    """Size, mean contacts, largest component and reciprocity of a graph."""
    cg = as_compact(G)
    n = len(cg.nodes)
    adj = sp.csr_array(cg.adj)
    und = sp.csr_array(((adj + adj.T) > 0).astype(float))
    contacts = np.asarray(und.sum(axis=1)).ravel()
    if n:
        _, comp = connected_components(und, directed=False)
        largest = np.bincount(comp).max() / n
        ncomp = int(len(np.unique(comp)))
    else:
        largest, ncomp = float("nan"), 0
    out = {
        "network_size": evaluate("network_size", n),
        "mean_degree": evaluate("mean_degree", float(contacts.mean()) if n else None),
        "largest_component": evaluate("largest_component", largest,
                                      f"{ncomp:,} separate groups" if n else ""),
    }
    if cg.directed and adj.nnz:
        r = float(reciprocity(cg))
        acyclic = connected_components(adj, directed=True, connection="strong")[0] == n
        out["reciprocity"] = evaluate("reciprocity", 0.0 if acyclic else r,
                                      "no tie is part of a cycle: a one-way network" if acyclic
                                      else "")
    return out
