"""One diagnostic engine: :func:`diagnose` computes every finding once.

The report (:mod:`ona.report`), the notebooks and ``findings.json`` all render the same
:class:`Diagnosis`. Each :class:`Finding` carries a ``status`` (reported, qualified or
withheld), the ``reason`` for the last two, its numbers with intervals and the evidence checks
it passed (:mod:`ona.diagnosis.checks`, thresholds in :mod:`ona.diagnosis.thresholds`,
explained in ``docs/checks.md``). The people it is about are explicit
(:mod:`ona.diagnosis.population`).
"""

from ona.diagnosis.checks import Check, coverage_table
from ona.diagnosis.engine import diagnose, team_outcome_table
from ona.diagnosis.measures import (
    community_stability,
    concentration,
    monthly_table,
    silo_pairs,
    team_panel,
)
from ona.diagnosis.population import CATEGORIES, Population, classify_identities, population
from ona.diagnosis.result import SECTIONS, STATUSES, Diagnosis, Finding
from ona.diagnosis.sample import SAMPLE_EXPORTS, import_sample, planted_check, sample_workspace
from ona.diagnosis.thresholds import THRESHOLDS, TOP_SHARE, Threshold

__all__ = [
    "CATEGORIES",
    "SAMPLE_EXPORTS",
    "SECTIONS",
    "STATUSES",
    "THRESHOLDS",
    "TOP_SHARE",
    "Check",
    "Diagnosis",
    "Finding",
    "Population",
    "Threshold",
    "classify_identities",
    "community_stability",
    "concentration",
    "coverage_table",
    "diagnose",
    "import_sample",
    "monthly_table",
    "planted_check",
    "population",
    "sample_workspace",
    "silo_pairs",
    "team_outcome_table",
    "team_panel",
]
