"""Discord channels exported with DiscordChatExporter (JSON), one file per channel or thread.

Reads one export file or a folder of them (searched recursively). All files are indexed first,
so a reply (``reference.messageId``) finds its parent in another file and a thread file (its
own channel, ``GuildPublicThread`` …, whose ``category`` is the parent channel) finds its
starter (the author of the ``ThreadCreated`` message in the parent channel, else the thread's
first author). Per message (never its content): ``author.id``, ``timestamp``, the reply
parent, ``mentions[].id`` and ``reactions[].users[].id`` (older exporter versions give only a
reaction count: counted in the notes, no edge). Direct chats (``DirectTextChat``) and group
chats (``DirectGroupTextChat``) give ``dm``/``group_dm`` edges to their members, taken to be the
people who wrote in them. Bots (``isBot``) and system messages (joins, pins, calls, thread
creation, renames) are excluded and counted. See :mod:`ona.importers._chat_common`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ona._validation import validate_params
from ona.exceptions import BadInputError
from ona.importers._base import ReadResult, Record, Rejected
from ona.importers._chat_common import (
    CHAT_PARAMS,
    DEFAULT_REACTION_WEIGHT,
    ChatMessage,
    ChatReader,
    InvalidJson,
    ThreadTracker,
    load_json,
)

__all__ = ["DiscordReader", "read_discord"]

POST_TYPES = frozenset({"Default", "Reply"})
DIRECT_TYPES = frozenset({"DirectTextChat", "DirectGroupTextChat"})


def _head(path: Path, n: int = 2048) -> str:
    try:
        with open(path, "rb") as fh:
            return re.sub(r"\s+", "", fh.read(n).decode("utf-8", "replace"))
    except OSError:
        return ""


def _is_export(path: Path) -> bool:
    head = _head(path)
    return head.startswith('{"guild":{') and '"channel":{' in head


def _author(m: Any) -> tuple[str | None, bool]:
    a = m.get("author") if isinstance(m, dict) else None
    if not isinstance(a, dict) or not a.get("id"):
        return None, False
    return str(a["id"]), bool(a.get("isBot"))


class DiscordReader(ChatReader):
    """Reader of DiscordChatExporter JSON files (one file or a folder of them)."""

    format = "discord"

    @classmethod
    def detect(cls, path: Path) -> bool:
        path = Path(path)
        if path.is_dir():
            # Claimed whole only if every file at its top level is an export (media and thread
            # subfolders are fine): a delivery folder with other exports beside is walked.
            top = [f for f in path.iterdir() if f.is_file() and not f.name.startswith(".")]
            return bool(top) and all(f.suffix.lower() == ".json" and _is_export(f) for f in top)
        return path.suffix.lower() == ".json" and _is_export(path)

    def _files(self) -> list[Path]:
        if self.path.is_dir():
            return sorted(self.path.rglob("*.json"))
        if not self.path.is_file():
            raise BadInputError(str(self.path), None, "no such file or folder")
        return [self.path]

    def _load(self, file: Path) -> dict[str, Any] | Rejected:
        where = file.relative_to(self.path).as_posix() if self.path.is_dir() else ""
        try:
            data = load_json(file.read_bytes())
        except InvalidJson as exc:
            return Rejected(f"{where}: line {exc.line}" if where else f"line {exc.line}", exc.reason)
        if not (isinstance(data, dict) and isinstance(data.get("channel"), dict)
                and isinstance(data.get("messages"), list)):
            return Rejected(where or "file", "not a DiscordChatExporter JSON export")
        return data

    def records(self) -> Iterator[Record | Rejected]:
        files = self._files()
        # Pass 1: who wrote each message, who started each thread, who wrote in each DM.
        authors: dict[str, str] = {}
        starters: dict[str, str] = {}
        for file in files:
            data = self._load(file)
            if isinstance(data, Rejected):
                continue
            for m in data["messages"]:
                author, _ = _author(m)
                if author is None:
                    continue
                authors.setdefault(str(m.get("id")), author)
                ref = m.get("reference")
                if m.get("type") == "ThreadCreated" and isinstance(ref, dict) and ref.get("channelId"):
                    starters.setdefault(str(ref["channelId"]), author)
        for file in files:
            data = self._load(file)
            if isinstance(data, Rejected):
                yield data
                continue
            yield from self._channel(file, data, authors, starters)

    def _channel(
        self, file: Path, data: dict[str, Any], authors: dict[str, str], starters: dict[str, str]
    ) -> Iterator[Record | Rejected]:
        channel = data["channel"]
        ctype = str(channel.get("type") or "")
        cid = str(channel.get("id") or file.stem)
        is_thread = ctype.endswith("Thread")
        container = str((channel.get("category") if is_thread else channel.get("name")) or cid)
        where = file.relative_to(self.path).as_posix() + "#" if self.path.is_dir() else "#"
        members: list[str] | None = None
        if ctype in DIRECT_TYPES:
            seen: dict[str, None] = {}
            for m in data["messages"]:
                author, bot = _author(m)
                if author and not bot and m.get("type") in POST_TYPES:
                    seen.setdefault(author, None)
            members = list(seen)
            self.note("direct chats whose members were inferred from their senders")
        threads = ThreadTracker()
        starter = starters.get(cid) if is_thread else None
        for idx, m in enumerate(data["messages"]):
            loc = f"{where}{idx}"
            if not isinstance(m, dict) or not m.get("id"):
                yield Rejected(loc, "not a message object")
                continue
            author, bot = _author(m)
            if m.get("type", "Default") not in POST_TYPES:
                yield Rejected(loc, "system message", excluded=True)
                continue
            if author is None:
                yield Rejected(loc, "no sender")
                continue
            if bot and not self.options.include_bots:
                yield Rejected(loc, "bot", excluded=True)
                continue
            when = m.get("timestamp")
            if not isinstance(when, str) or not when:
                yield Rejected(loc, "missing timestamp")
                continue
            if is_thread and starter is None:
                starter = author  # no ThreadCreated message found: the first poster started it
            msg = ChatMessage(author, when, container=container,
                              thread_id=cid if is_thread else None, automated=bot)
            msg.thread_starter = starter
            ref = m.get("reference")
            if isinstance(ref, dict) and ref.get("messageId"):
                parent = authors.get(str(ref["messageId"]))
                if parent is None:
                    self.note("replies whose parent is in no file read")
                msg.reply_to = parent
            if is_thread:
                msg.earlier_participants = threads.join(cid, author)
            msg.mentions = [str(u["id"]) for u in m.get("mentions") or []
                            if isinstance(u, dict) and u.get("id") and not u.get("isBot")]
            for reaction in m.get("reactions") or []:
                if not isinstance(reaction, dict):
                    continue
                if "users" not in reaction:
                    self.note("reactions without users (older exporter): no edge",
                              int(reaction.get("count") or 1))
                    continue
                msg.reactions.extend((str(u["id"]), None) for u in reaction["users"] or []
                                     if isinstance(u, dict) and u.get("id") and not u.get("isBot"))
            if members is not None:
                if len(members) < 2:
                    self.note("direct chats with a single known member: no dm edge")
                else:
                    msg.members = members
            elif not bot:
                self.add_affiliation(author, container, "chat_channel")
            yield self.message_record(str(m["id"]), loc, msg)


@validate_params(CHAT_PARAMS)
def read_discord(
    path: str | Path,
    *,
    on_bad_lines: str = "warn",
    reaction_weight: float = DEFAULT_REACTION_WEIGHT,
    thread_mode: str = "starter",
    include_bots: bool = False,
    project_channels: bool = False,
) -> ReadResult:
    """Read DiscordChatExporter JSON exports (a file or a folder) into interactions.

    Parameters
    ----------
    path : str or Path
        One exported channel or thread, or a folder of them (replies across files resolve).
    on_bad_lines : {'warn', 'error', 'skip'}
        What to do with an unreadable message or file (it is counted either way).
    reaction_weight, thread_mode, include_bots, project_channels
        The chat edge-rule options (see :func:`ona.read_slack_export`).

    Returns
    -------
    ReadResult
        Interactions of channel ``chat`` keyed by Discord user id (snowflake);
        ``chat_channel`` affiliations of posters (threads count for their parent channel).

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "general.json"
    >>> msg = lambda i, a, **k: {"id": i, "type": "Default", "author": {"id": a},
    ...                          "timestamp": "2026-01-05T09:00:00+00:00", **k}
    >>> _ = f.write_text(json.dumps({"guild": {"id": "g"}, "channel": {"id": "c", "name": "general",
    ...     "type": "GuildTextChat"}, "messages": [msg("1", "a"),
    ...     msg("2", "b", reference={"messageId": "1"}, mentions=[{"id": "c"}])]}))
    >>> read_discord(f).interactions[["source", "target", "kind"]].values.tolist()
    [['b', 'a', 'reply'], ['b', 'c', 'mention']]
    """
    return DiscordReader(
        path,
        on_bad_lines=on_bad_lines,
        reaction_weight=reaction_weight,
        thread_mode=thread_mode,
        include_bots=include_bots,
        project_channels=project_channels,
    ).read()
