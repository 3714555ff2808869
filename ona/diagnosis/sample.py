"""The bundled sample organisation, imported from its raw exports like a client's would be."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["SAMPLE_EXPORTS", "import_sample", "planted_check", "sample_workspace"]

# The sample's exports, in import order: the roster first, so every handle is matched to a person.
SAMPLE_EXPORTS = ("roster", "mbox", "slack", "git", "outcomes")


def import_sample(workspace: Any, *, key: bytes | None = None, progress: Any = None) -> Any:
    """Import the sample organisation's raw exports into ``workspace``; returns the ImportReport.

    Examples
    --------
    >>> import tempfile, ona
    >>> report = import_sample(ona.open_workspace(tempfile.mkdtemp(), create=True))
    >>> report.balanced()
    True
    """
    from ona.datasets import load_sample

    sample = load_sample()
    exports = [sample.paths[name] for name in SAMPLE_EXPORTS]
    return workspace.import_paths(exports, key=key, jobs=os.cpu_count() or 1, progress=progress)


def sample_workspace(folder: str | os.PathLike, *, key: bytes | None = None) -> Any:
    """Import the sample organisation's raw exports into a workspace (again: nothing changes).

    The report (``ona demo``) and the notebooks analyse this imported workspace, not the
    simulator's tables, so that they see what a client's import would give: rejected records,
    external addresses, a mailing list and a bot included.

    Parameters
    ----------
    folder : path
        The workspace folder (created if needed).
    key : bytes, optional
        Pseudonymisation key; None keeps the invented identities as they are.

    Returns
    -------
    Workspace
        ``.import_log()`` holds the import's accounting.

    Examples
    --------
    >>> import tempfile
    >>> ws = sample_workspace(tempfile.mkdtemp())
    >>> ws.info()["by_channel"].keys() == {"email", "chat", "code"}
    True
    """
    from ona.workspace import open_workspace

    ws = open_workspace(Path(folder), create=True)
    import_sample(ws, key=key)
    return ws


def planted_check(diagnosis: Any, truth: Any) -> dict[str, Any]:
    """How the diagnosis's results place what was planted in the sample organisation.

    For checking the method only (the notebooks' last cell): the mean percentile of the planted
    brokers in betweenness and in contacts outside their department, the share of the planted
    overloaded people flagged in demand, whether the weakest pair is the planted silo, and the
    rank correlation of the measured ties to other teams per member with the planted driver.

    Parameters
    ----------
    diagnosis : Diagnosis
        Of the imported sample (identities kept, not pseudonymised).
    truth : ona.datasets.Truth

    Returns
    -------
    dict
    """
    out: dict[str, Any] = {}
    cent = diagnosis.extras.get("centrality")
    if cent is not None:
        brokers = [b for b in truth.brokers if b in cent.index]
        out["brokers"] = len(brokers)
        out["broker_betweenness_percentile_mean"] = float(
            cent["betweenness"].rank(pct=True).loc[brokers].mean())
        r = diagnosis.extras.get("roles")
        if r is not None and "external_contacts" in r:
            out["broker_external_contacts_percentile_mean"] = float(
                r["external_contacts"].rank(pct=True).loc[brokers].mean())
    load = diagnosis.extras.get("overload")
    if load is not None:
        over = [p for p in truth.overloaded if p in load.index]
        out["overloaded"] = len(over)
        out["overloaded_in_demand_share"] = float(load.loc[over, "in_demand"].mean())
    try:
        pairs = diagnosis["silos.pairs"].tables["pairs"]
        lowest = pairs.iloc[0]
        out["lowest_pair_is_planted_silo"] = bool(
            {lowest["group_a"], lowest["group_b"]} == set(truth.silo_departments))
    except (KeyError, IndexError):
        pass
    data = diagnosis.extras.get("team_data")
    if data is not None:
        drivers = truth.team_drivers.groupby("unit")["cross_team_ties"].mean()
        measured = data["external_per_member"]
        out["driver_vs_external_per_member_spearman"] = float(
            measured.corr(drivers.reindex(measured.index), method="spearman"))
    return out
