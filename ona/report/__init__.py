"""The diagnostic report: one self-contained HTML file with the findings in plain words.

:func:`write_report` reads a workspace, builds the network, runs the diagnostic (coverage, who
connects, silos, team metrics against outcomes, change over time) and writes ``report.html``
(every figure embedded as a base64 PNG: it opens offline, can be e-mailed) with the PNGs beside
it. Group-level results apply the minimum group size (:mod:`ona.privacy`), and the report says so;
no person is named or ranked.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ona._validation import Interval, validate_params
from ona.graph import build_graph
from ona.privacy import MIN_GROUP_SIZE
from ona.report._html import Writer
from ona.report._sections import (
    connect_section,
    data_section,
    group_column,
    network_section,
    outcome_section,
    silo_section,
    time_section,
)

__all__ = ["DiagnosticInputs", "load_inputs", "write_report"]

logger = logging.getLogger(__name__)


@dataclass
class DiagnosticInputs:
    """The tables a diagnostic runs on (see :func:`load_inputs`)."""

    interactions: pd.DataFrame
    people: pd.DataFrame
    outcomes: pd.DataFrame
    truth: Any = None  # the planted truth, for the sample organisation only
    source: str = ""


def load_inputs(
    workspace: Any = None,
    *,
    outcomes: str | os.PathLike | pd.DataFrame | None = None,
    start: Any = None,
    end: Any = None,
) -> DiagnosticInputs:
    """The Interactions, People and Outcomes tables of a workspace, or of the sample organisation.

    The notebooks start here, so the same notebook runs on a client's workspace and, with
    ``workspace=None``, on the bundled sample organisation (:func:`ona.datasets.load_sample`).

    Parameters
    ----------
    workspace : Workspace, path or None
        None: the sample organisation (its planted truth comes along in ``.truth``).
    outcomes : path or DataFrame, optional
        An outcomes file (read with :func:`ona.read_outcomes`) or table replacing the stored one.
    start, end : date or str, optional
        Keep interactions in ``[start, end)``.

    Returns
    -------
    DiagnosticInputs
        ``.interactions``, ``.people``, ``.outcomes``, ``.truth``, ``.source``.

    Examples
    --------
    >>> import tempfile, ona
    >>> ws = ona.open_workspace(tempfile.mkdtemp(), create=True)
    >>> len(load_inputs(ws).interactions)
    0
    """
    from ona.workspace import Workspace, open_workspace

    truth = None
    if workspace is None:
        from ona.datasets import load_sample

        sample = load_sample()
        events, people, stored, truth = (sample.interactions, sample.people, sample.outcomes,
                                         sample.truth)
        source = "the bundled sample organisation"
        if start is not None or end is not None:
            ts = events["timestamp"]
            keep = np.ones(len(events), dtype=bool)
            if start is not None:
                keep &= (ts >= pd.Timestamp(start, tz="UTC")).to_numpy(dtype=bool)
            if end is not None:
                keep &= (ts < pd.Timestamp(end, tz="UTC")).to_numpy(dtype=bool)
            events = events[keep].reset_index(drop=True)
    else:
        ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace)
        events = ws.interactions(start=start, end=end)
        people, stored = ws.people(), ws.outcomes()
        source = f"workspace {ws.path.name}"
    if isinstance(outcomes, pd.DataFrame):
        stored = outcomes
    elif outcomes is not None:
        from ona.importers.outcomes import read_outcomes

        stored = read_outcomes(outcomes, on_bad_lines="error").extras["outcomes"]
    return DiagnosticInputs(events, people, stored, truth, source)


@validate_params({"min_group_size": [Interval(int, 1)], "title": [None, str]})
def write_report(
    workspace: Any,
    out_dir: str | os.PathLike,
    *,
    outcomes: pd.DataFrame | None = None,
    min_group_size: int = MIN_GROUP_SIZE,
    title: str | None = None,
) -> Path:
    """Run the diagnostic on a workspace and write one self-contained ``report.html``.

    Parameters
    ----------
    workspace : Workspace or path
        An :class:`ona.Workspace` or its folder.
    out_dir : path
        Created if needed; receives ``report.html`` and the figures as PNG files.
    outcomes : DataFrame, optional
        An Outcomes table (:func:`ona.validate_outcomes`); default: the workspace's own.
    min_group_size : int, default 5
        Groups (teams, departments) with fewer people are merged or left out of every
        group-level table and figure; the report states it.
    title : str, optional

    Returns
    -------
    Path
        The ``report.html`` written.

    Examples
    --------
    >>> import tempfile, ona
    >>> ws = ona.open_workspace(tempfile.mkdtemp(), create=True)
    >>> path = write_report(ws, tempfile.mkdtemp())
    >>> path.name, "no interactions" in path.read_text()
    ('report.html', True)
    """
    from ona.workspace import Workspace, open_workspace

    ws = workspace if isinstance(workspace, Workspace) else open_workspace(workspace)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    events = ws.interactions()
    people = ws.people()
    if outcomes is None:
        stored = ws.outcomes()
        outcomes = stored if len(stored) else None
    team_col = group_column(people, ("team", "department"))
    group_col = group_column(people, ("department", "team"))
    w = Writer(out)
    data_section(w, ws, events, people)
    if not events.empty:
        roster = people if len(people) else None
        G = build_graph(events, roster, internal_only=roster is not None)
        network_section(w, G, team_col, min_group_size)
        connect_section(w, G, group_col, min_group_size)
        silo_section(w, G, group_col, min_group_size)
        outcome_section(w, G, team_col, outcomes, min_group_size)
        time_section(w, events, people, group_col)
        meta = w.section("Method and privacy")
        meta.findings.append(
            f"Groups with fewer than {min_group_size} people are merged or left out of every "
            "group-level table and figure; no individual is named or ranked.")
        meta.findings.append(
            "Network: " + "; ".join(f"{k} = {v}" for k, v in G.graph.items() if v is not None)
            + ". Only metadata is used (who, when, which channel), never content.")
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = w.render(title or "Organisational network diagnostic",
                    f"Generated by ona on {now} from {ws.path.name}.")
    path = out / "report.html"
    path.write_text(text, encoding="utf-8")
    logger.info("report written with %d figure(s)", len(w.figures))
    return path
