"""The diagnostic report: one self-contained HTML file rendering one :class:`~ona.Diagnosis`.

:func:`write_report` runs :func:`ona.diagnose` (or takes a Diagnosis already computed) and
writes ``report.html`` (every figure embedded as a base64 PNG: it opens offline, can be
e-mailed), the PNGs beside it, and ``findings.json`` (:meth:`Diagnosis.to_dict`, the same
numbers). Group-level results apply the minimum group size (:mod:`ona.privacy`), and the report
says so; no person is named or ranked.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ona._validation import Interval, validate_params
from ona.diagnosis import Diagnosis, diagnose
from ona.privacy import MIN_GROUP_SIZE
from ona.report._html import Writer, format_number, format_table
from ona.report._sections import FIGURES, limits, render_diagnosis

__all__ = ["FIGURES", "DiagnosticInputs", "load_inputs", "format_number", "format_table", "limits", "render_diagnosis",
           "write_report"]

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




def _prepare(d: Diagnosis) -> None:
    """Figure inputs shared by every figure: the group column and one colour per group."""
    from ona import plot
    from ona.graph import as_compact

    group = None
    for col in ("department", "team"):
        if col in d.population.people.columns and d.population.people[col].notna().any():
            group = col
            break
    d.extras.setdefault("group", group)
    names = []
    if group is not None and d.graph is not None:
        names = as_compact(d.graph).node_attrs[group].dropna().astype(str).unique()
    d.extras.setdefault("colours", plot.group_colours(names))


@validate_params({"min_group_size": [Interval(int, 1)], "title": [None, str],
                  "seed": [Interval(int, 0)]})
def write_report(
    workspace: Any,
    out_dir: str | os.PathLike,
    *,
    outcomes: Any = None,
    min_group_size: int = MIN_GROUP_SIZE,
    title: str | None = None,
    seed: int = 0,
    diagnosis: Diagnosis | None = None,
) -> Path:
    """Run the diagnostic on a workspace and write ``report.html`` and ``findings.json``.

    Parameters
    ----------
    workspace : Workspace or path
        An :class:`ona.Workspace` or its folder (ignored when ``diagnosis`` is given).
    out_dir : path
        Created if needed; receives ``report.html``, ``findings.json`` and the PNG figures.
    outcomes : path or DataFrame, optional
        An Outcomes table; default: the workspace's own.
    min_group_size : int, default 5
    title : str, optional
    seed : int, default 0
    diagnosis : Diagnosis, optional
        Render this one instead of computing it.

    Returns
    -------
    Path
        The ``report.html`` written (``findings.json`` is beside it).

    Examples
    --------
    >>> import tempfile, ona
    >>> ws = ona.open_workspace(tempfile.mkdtemp(), create=True)
    >>> path = write_report(ws, tempfile.mkdtemp())
    >>> path.name, (path.parent / "findings.json").exists()
    ('report.html', True)
    """
    d = diagnosis if diagnosis is not None else diagnose(
        workspace, outcomes=outcomes, min_group_size=min_group_size, seed=seed)
    _prepare(d)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    w = Writer(out)
    render_diagnosis(w, d)
    can, cannot = limits(d)
    subtitle = (f"Generated by ona on {d.meta['generated']} from {d.meta['source']}"
                + (f", {d.meta['start']:%Y-%m-%d} to {d.meta['end']:%Y-%m-%d}"
                   if d.meta.get("start") is not None else "") + ".")
    text = w.render(title or "Organisational network diagnostic", subtitle, d.headlines,
                    can, cannot)
    path = out / "report.html"
    path.write_text(text, encoding="utf-8")
    (out / "findings.json").write_text(d.to_json(), encoding="utf-8")
    logger.info("report written with %d figure(s)", len(w.figures))
    return path
