"""Importers: one module per source over one reader base (:mod:`ona.importers._base`).

:data:`FORMATS` names every reader; :func:`detect_format` sniffs a path, and :func:`read`
dispatches to the right reader. Table inputs that are not interactions (an HR roster, an outcomes
table) are recognised too, so that ``ona import`` can take a whole delivery folder.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from ona._validation import check_param
from ona.exceptions import BadInputError
from ona.importers._base import Reader, ReadResult

__all__ = ["FORMATS", "TABLE_FORMATS", "detect_format", "read", "reader_class", "table_reader"]

# format name -> "module:ReaderClass", in detection order (specific before generic).
FORMATS: dict[str, str | type[Reader]] = {
    # e-mail and calendars
    "maildir": "ona.importers.maildir:MaildirReader",
    "mbox": "ona.importers.mbox:MboxReader",
    "eml": "ona.importers.eml:EmlReader",
    "outlook_msg": "ona.importers.outlook:OutlookMsgReader",
    "pst": "ona.importers.outlook:PstReader",
    "message_trace": "ona.importers.message_trace:MessageTraceReader",
    "gmail_log": "ona.importers.gmail_log:GmailLogReader",
    "ics": "ona.importers.ics:IcsReader",
    # chat and collaboration
    "slack": "ona.importers.slack:SlackReader",
    "teams": "ona.importers.teams:TeamsReader",
    "mattermost": "ona.importers.mattermost:MattermostReader",
    "discord": "ona.importers.discord:DiscordReader",
    "viva_p2p": "ona.importers.viva:VivaP2PReader",
    "viva_person": "ona.importers.viva:VivaPersonReader",
    "viva_g2g": "ona.importers.viva:VivaG2GReader",
    # code
    "git": "ona.importers.git:GitReader",
    "github": "ona.importers.github:GitHubReader",
    "codeowners": "ona.importers.codeowners:CodeownersReader",
    # surveys: a respondent column and question columns
    "survey": "ona.importers.survey:SurveyReader",
    # generic, last: it claims any CSV with source and target columns
    "interactions_csv": "ona.importers.csv_interactions:InteractionsCsvReader",
    # last of all: a damaged archive or compressed file no reader could look into (an error)
    "damaged": "ona.importers.damaged:DamagedReader",
}

# Inputs that are tables rather than interactions: format name -> module defining
# ``detect(path) -> bool`` and the ``read_<name>(path, *, on_bad_lines)`` function.
TABLE_FORMATS: dict[str, str | type[Reader]] = {
    "roster": "ona.importers.roster",
    "outcomes": "ona.importers.outcomes",
}


def _load(spec: str | type) -> Any:
    if not isinstance(spec, str):  # a class registered at run time (plugins, tests)
        return spec
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)


def table_reader(format: str) -> Any:
    """The ``read_roster``/``read_outcomes`` function for a table format."""
    check_param("table_reader", "format", format, [lambda f: f in TABLE_FORMATS])
    return _load(f"{TABLE_FORMATS[format]}:read_{format}")


def reader_class(format: str) -> type[Reader]:
    """The reader class registered for ``format``."""
    check_param("reader_class", "format", format, [lambda f: f in FORMATS])
    return _load(FORMATS[format])


def detect_format(path: str | Path) -> str | None:
    """Name the format of ``path``, or None if nothing recognises it.

    Parameters
    ----------
    path : str or Path
        A file, or a folder-shaped export (a Maildir, an unpacked Slack export, a repository).

    Returns
    -------
    str or None
        A reader name from :data:`FORMATS`, or ``"roster"``/``"outcomes"`` for tables.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "outcomes.csv"
    >>> _ = p.write_text("team,quarter,delivery\\nT1,2026-Q1,0.8\\n")
    >>> detect_format(p)
    'outcomes'
    """
    path = Path(path)
    detectors = [(n, _load(f"{m}:detect")) for n, m in TABLE_FORMATS.items()]
    detectors += [(n, _load(spec).detect) for n, spec in FORMATS.items()]
    for name, detect in detectors:
        try:
            if detect(path):
                return name
        except Exception:  # noqa: BLE001 - a sniff never raises; a damaged file is "damaged"
            continue
    return None


def read(path: str | Path, format: str = "auto", **options: Any) -> ReadResult:
    """Read one export with the reader for ``format`` (``"auto"``: detected from the path).

    Parameters
    ----------
    path : str or Path
        The export.
    format : str, default "auto"
        A reader name from :data:`FORMATS`.
    **options
        Passed to the reader (e.g. ``on_bad_lines``).

    Returns
    -------
    ReadResult
        ``.interactions``, ``.people``, ``.affiliations`` and ``.report``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "notes.txt"
    >>> _ = p.write_text("hello")
    >>> read(p)
    Traceback (most recent call last):
    ...
    ona.exceptions.BadInputError: ...notes.txt: no interactions reader recognises this input

    Raises
    ------
    BadInputError
        If ``format="auto"`` and no reader recognises the path.
    """
    check_param("read", "format", format, [lambda f: f == "auto" or f in FORMATS])
    if format == "auto":
        detected = detect_format(path)
        if detected is None or detected not in FORMATS:
            raise BadInputError(str(path), None, "no interactions reader recognises this input")
        format = detected
    return reader_class(format)(path, **options).read()
