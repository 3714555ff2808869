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
from ona.importers._base import ReadResult, Reader

__all__ = ["FORMATS", "TABLE_FORMATS", "detect_format", "read", "reader_class"]

# format name -> "module:ReaderClass", in detection order (specific before generic).
FORMATS: dict[str, str] = {
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
    # code
    "git": "ona.importers.git:GitReader",
    "github": "ona.importers.github:GitHubReader",
    # generic, last: it claims any CSV with source and target columns
    "interactions_csv": "ona.importers.csv_interactions:InteractionsCsvReader",
}

# Inputs that are tables rather than interactions: format name -> "module:detect_function".
TABLE_FORMATS: dict[str, str] = {
    "roster": "ona.importers.roster:detect",
    "outcomes": "ona.importers.outcomes:detect",
}


def _load(spec: str) -> Any:
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)


def reader_class(format: str) -> type[Reader]:
    """The reader class registered for ``format``."""
    check_param("reader_class", "format", format, [lambda f: f in FORMATS])
    return _load(FORMATS[format])


def detect_format(path: str | Path) -> str | None:
    """Name the format of ``path`` (a reader in :data:`FORMATS` or a table in
    :data:`TABLE_FORMATS`), or None if nothing recognises it."""
    path = Path(path)
    for name, spec in TABLE_FORMATS.items():
        if _load(spec)(path):
            return name
    for name, spec in FORMATS.items():
        if _load(spec).detect(path):
            return name
    return None


def read(path: str | Path, format: str = "auto", **options: Any) -> ReadResult:
    """Read one export with the reader for ``format`` (``"auto"``: detected from the path).

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
