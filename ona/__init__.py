"""ona: organisational network analysis from the metadata of everyday work.

exports → ``ona.read_*`` importers → canonical Interactions and People tables (:mod:`ona.tables`)
→ identity resolution and pseudonymisation → :func:`build_graph` → measures (centrality,
brokers, silos, roles, team metrics, change over time) → :func:`relate` to outcomes → report.

Public names are imported lazily, so ``import ona`` and the ``ona`` command start fast.

Examples
--------
>>> import ona
>>> callable(ona.validate_interactions)
True
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

__version__ = "0.1.0"

logging.getLogger("ona").addHandler(logging.NullHandler())

# public name -> module that defines it. Each area keeps its own block.
_EXPORTS: dict[str, str] = {
    # errors and canonical tables
    "OnaError": "ona.exceptions",
    "BadInputError": "ona.exceptions",
    "InvalidParameterError": "ona.exceptions",
    "MissingDependencyError": "ona.exceptions",
    "TableError": "ona.exceptions",
    "WorkspaceError": "ona.exceptions",
    "validate_interactions": "ona.tables",
    "validate_people": "ona.tables",
    "validate_outcomes": "ona.tables",
    "validate_affiliations": "ona.tables",
    # reading and storing
    "ReadResult": "ona.importers._base",
    "ImportReport": "ona.importers._base",
    "read": "ona.importers",
    "detect_format": "ona.importers",
    "open_workspace": "ona.workspace",
    "Workspace": "ona.workspace",
    "read_outcomes": "ona.importers.outcomes",
    # e-mail and calendar importers
    "read_mbox": "ona.importers.mbox",
    "read_maildir": "ona.importers.maildir",
    "read_eml": "ona.importers.eml",
    "read_outlook_msg": "ona.importers.outlook",
    "read_pst": "ona.importers.outlook",
    "read_message_trace": "ona.importers.message_trace",
    "read_gmail_log": "ona.importers.gmail_log",
    "read_ics": "ona.importers.ics",
    # chat and collaboration importers
    "read_slack_export": "ona.importers.slack",
    "read_teams": "ona.importers.teams",
    "read_mattermost": "ona.importers.mattermost",
    "read_discord": "ona.importers.discord",
    "read_viva_p2p": "ona.importers.viva",
    "read_viva_g2g": "ona.importers.viva",
    "read_viva_person": "ona.importers.viva",
    "read_interactions_csv": "ona.importers.csv_interactions",
    # code importers
    "read_git": "ona.importers.git",
    "read_github": "ona.importers.github",
    "read_codeowners": "ona.importers.codeowners",
    # surveys
    "read_survey": "ona.importers.survey",
    "response_rates": "ona.survey",
    "survey_ties": "ona.survey",
    # identity, roster and privacy
    "read_roster": "ona.importers.roster",
    "load_key": "ona.privacy",
    "pseudonymise": "ona.privacy",
    "pseudonymise_tables": "ona.privacy",
    "build_aliases": "ona.identity",
    "resolve_identities": "ona.identity",
    "filter_by_status": "ona.identity",
    "attributes_at": "ona.people",
    "attach_attributes": "ona.people",
    # graphs and measures
    "build_graph": "ona.graph",
    "windows": "ona.graph",
    "centrality": "ona.analysis.centrality",
    "effective_size": "ona.analysis.brokers",
    "constraint": "ona.analysis.brokers",
    "brokerage": "ona.analysis.brokers",
    "hierarchy": "ona.analysis.brokers",
    "structural_holes": "ona.analysis.brokers",
    "bridges": "ona.analysis.brokers",
    "ei_index": "ona.analysis.silos",
    "communities": "ona.analysis.silos",
    "group_matrix": "ona.analysis.silos",
    "modularity": "ona.analysis.silos",
    "compare_partitions": "ona.analysis.silos",
    "assortativity": "ona.analysis.silos",
    "segregation": "ona.analysis.silos",
    "silo_scores": "ona.analysis.silos",
    "resolution_scan": "ona.analysis.silos",
    "roles": "ona.analysis.roles",
    "overload": "ona.analysis.roles",
    "gini": "ona.analysis.roles",
    "compare_layers": "ona.analysis.layers",
    "energy_roles": "ona.analysis.survey_roles",
    "layer_overload": "ona.analysis.survey_roles",
    "structure": "ona.analysis.structure",
    "density": "ona.analysis.structure",
    "reciprocity": "ona.analysis.structure",
    "transitivity": "ona.analysis.structure",
    "degree_centralization": "ona.analysis.structure",
    "centralization": "ona.analysis.structure",
    "core_periphery": "ona.analysis.structure",
    "team_table": "ona.analysis.teams",
    "change_tables": "ona.analysis.change",
    "deltas": "ona.analysis.change",
    "tie_changes": "ona.analysis.change",
    "people_changes": "ona.analysis.change",
    "cross_group_share": "ona.analysis.change",
    "window_stability": "ona.analysis.change",
    # relating to outcomes
    "relate": "ona.stats",
    "did": "ona.stats",
    "qap_correlation": "ona.stats",
    "mrqap": "ona.stats",
    # exchange formats
    "network_tables": "ona.export",
    "export_network": "ona.export",
    "to_gexf": "ona.export",
    "to_graphml": "ona.export",
    # the diagnosis
    "diagnose": "ona.diagnosis",
    "Diagnosis": "ona.diagnosis",
    "Finding": "ona.diagnosis",
    # scale
    "aggregate": "ona.aggregation",
    "graph_from_edges": "ona.scale",
    "person_table_at_scale": "ona.scale",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ona' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
