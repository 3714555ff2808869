"""Microsoft Teams messages as Microsoft Graph returns them (``chatMessage`` JSON).

Reads a Graph response page (``{"value": [...]}``, as ``/teams/{id}/channels/{id}/messages``
or ``/chats/{id}/messages`` return it, with or without ``$expand=replies``), a JSON list of
messages, one message, or a folder of such files. Per message (never its body): the sender
``from.user.id`` (an Entra object id), ``createdDateTime``, the channel or chat, ``replyToId``
(channel threads; the parent is looked up by id, never from ``webUrl``, whose parent id can
disagree), a chat reply's quoted message (a ``messageReference`` attachment: its id and sender
only), ``mentions[].mentioned.user.id`` and ``reactions[].user.user.id`` with their time.

System messages (``eventDetail``, ``from`` null, ``systemEventMessage``) and messages sent by an
application (bots) are excluded and counted. Graph does not list a chat's members with its
messages, so the members of a one-to-one or group chat are taken to be the people who wrote in it
(noted in the report). See :mod:`ona.importers._chat_common` for the edge rules.
"""

from __future__ import annotations

import re
from collections import defaultdict
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

__all__ = ["TeamsReader", "read_teams"]


def _head(path: Path, n: int = 4096) -> str:
    try:
        with open(path, "rb") as fh:
            return re.sub(r"\s+", "", fh.read(n).decode("utf-8", "replace"))
    except OSError:
        return ""


def _user_id(identity: Any) -> str | None:
    """``{"user": {"id": ...}}`` → the id (None for applications, devices, conversations)."""
    if isinstance(identity, dict) and isinstance(identity.get("user"), dict):
        uid = identity["user"].get("id")
        return uid if isinstance(uid, str) and uid else None
    return None


def _container(m: dict[str, Any]) -> tuple[str | None, bool]:
    """(container id, is a chat) of one message."""
    ident = m.get("channelIdentity")
    if isinstance(ident, dict) and ident.get("channelId"):
        return str(ident["channelId"]), False
    if m.get("chatId"):
        return str(m["chatId"]), True
    return None, False


class TeamsReader(ChatReader):
    """Reader of Microsoft Graph ``chatMessage`` JSON (Teams channel and chat messages)."""

    format = "teams"

    @classmethod
    def detect(cls, path: Path) -> bool:
        path = Path(path)
        if path.is_dir():
            # Claimed whole only if every file in it is a Graph page (see DiscordReader.detect).
            top = [f for f in path.iterdir() if f.is_file() and not f.name.startswith(".")]
            return bool(top) and all(f.suffix.lower() == ".json" and cls.detect(f) for f in top)
        if path.suffix.lower() != ".json":
            return False
        head = _head(path)
        return '"messageType":' in head or ('"@odata.context"' in head and "/messages" in head)

    def _files(self) -> list[Path]:
        if self.path.is_dir():
            return sorted(self.path.glob("*.json"))
        if not self.path.is_file():
            raise BadInputError(str(self.path), None, "no such file or folder")
        return [self.path]

    def records(self) -> Iterator[Record | Rejected]:
        for file in self._files():
            yield from self._file(file)

    def _file(self, file: Path) -> Iterator[Record | Rejected]:
        name = file.name if self.path.is_dir() else ""
        try:
            data = load_json(file.read_bytes())
        except InvalidJson as exc:
            yield Rejected(f"{name}: line {exc.line}".lstrip(": "), exc.reason)
            return
        if isinstance(data, dict) and isinstance(data.get("value"), list):
            data = data["value"]
        elif isinstance(data, dict) and "messageType" in data:
            data = [data]
        if not isinstance(data, list):
            raise BadInputError(str(file), None, "not Graph chatMessage JSON")
        # Flatten expanded replies (their parent is the enclosing message), then index them
        # all, so that replies listed before their parent still find it.
        flat: list[tuple[str, Any, str | None]] = []
        for idx, m in enumerate(data):
            loc = f"{name}#{idx}" if name else f"#{idx}"
            flat.append((loc, m, None))
            if isinstance(m, dict):
                for j, r in enumerate(m.get("replies") or []):
                    flat.append((f"{loc}.replies#{j}", r, str(m.get("id"))))
        authors: dict[str, str] = {}
        chat_members: dict[str, dict[str, None]] = defaultdict(dict)
        for _, m, _ in flat:
            if isinstance(m, dict) and (author := _user_id(m.get("from"))):
                authors[str(m.get("id"))] = author
                container, is_chat = _container(m)
                if is_chat:
                    chat_members[container].setdefault(author, None)
        if chat_members:
            self.note("chats whose members were inferred from their senders", len(chat_members))
        flat.sort(key=lambda t: str(t[1].get("createdDateTime") or "") if isinstance(t[1], dict) else "")
        threads = ThreadTracker()
        for loc, m, parent_id in flat:
            yield self._message(m, loc, parent_id, authors, chat_members, threads)

    def _quoted_author(self, m: dict[str, Any], authors: dict[str, str]) -> str | None:
        """Author of the message a chat message quotes (a ``messageReference`` attachment).

        Chats have no ``replyToId``: a reply quotes its parent. Only the ids are read from the
        attachment (its preview text is not kept).
        """
        for att in m.get("attachments") or []:
            if not isinstance(att, dict) or att.get("contentType") != "messageReference":
                continue
            quoted = authors.get(str(att.get("id")))
            if quoted is None and isinstance(att.get("content"), str):
                try:
                    content = load_json(att["content"])
                except InvalidJson:
                    content = None
                if isinstance(content, dict):
                    quoted = _user_id(content.get("messageSender"))
            if quoted is None:
                self.note("quoted messages whose author is unknown")
            return quoted
        return None

    def _message(
        self,
        m: Any,
        location: str,
        parent_id: str | None,
        authors: dict[str, str],
        chat_members: dict[str, dict[str, None]],
        threads: ThreadTracker,
    ) -> Record | Rejected:
        if not isinstance(m, dict) or "id" not in m:
            return Rejected(location, "not a message object")
        sender = m.get("from")
        author = _user_id(sender)
        if author is None:
            if isinstance(sender, dict) and sender.get("application"):
                if not self.options.include_bots:
                    return Rejected(location, "bot", excluded=True)
                author = str((sender["application"] or {}).get("id") or "application")
            else:
                return Rejected(location, "system message", excluded=True)
        if m.get("messageType") not in (None, "message") or m.get("eventDetail"):
            return Rejected(location, "system message", excluded=True)
        when = m.get("createdDateTime")
        if not isinstance(when, str) or not when:
            return Rejected(location, "missing createdDateTime")
        if m.get("deletedDateTime"):
            self.note("deleted messages kept (the interaction happened)")
        identity = (sender.get("user") or {}).get("userIdentityType") if isinstance(sender, dict) else None
        if identity not in (None, "aadUser"):
            self.note("messages from guests or other tenants")
        container, is_chat = _container(m)
        mid = str(m["id"])
        key = f"{container}:{mid}" if container else mid
        parent_id = parent_id or (str(m["replyToId"]) if m.get("replyToId") else None)
        root = parent_id or mid
        thread = f"{container}:{root}"
        msg = ChatMessage(author, when, container=container, thread_id=thread,
                          automated=author is not None and _user_id(sender) is None)
        if parent_id:
            parent = authors.get(parent_id)
            if parent is None:
                self.note("replies whose parent is not in the input")
            msg.reply_to = parent
            msg.thread_starter = parent
            msg.earlier_participants = threads.join(thread, author)
        else:
            threads.start(thread, author)
            msg.reply_to = self._quoted_author(m, authors)
        for mention in m.get("mentions") or []:
            target = _user_id((mention or {}).get("mentioned"))
            if target:
                msg.mentions.append(target)
            else:
                self.note("mentions of a channel, team, tag or app: no person edge")
        for reaction in m.get("reactions") or []:
            if isinstance(reaction, dict) and (reactor := _user_id(reaction.get("user"))):
                msg.reactions.append((reactor, reaction.get("createdDateTime")))
        if is_chat:
            msg.members = list(chat_members.get(container, {})) or [author]
        elif container and not msg.automated:
            self.add_affiliation(author, container, "chat_channel")
        return self.message_record(key, location, msg)


@validate_params(CHAT_PARAMS)
def read_teams(
    path: str | Path,
    *,
    on_bad_lines: str = "warn",
    reaction_weight: float = DEFAULT_REACTION_WEIGHT,
    thread_mode: str = "starter",
    include_bots: bool = False,
    project_channels: bool = False,
) -> ReadResult:
    """Read Microsoft Teams messages (Graph ``chatMessage`` JSON) into interactions.

    Parameters
    ----------
    path : str or Path
        A Graph response page, a list of messages, one message, or a folder of such files.
    on_bad_lines : {'warn', 'error', 'skip'}
        What to do with an unreadable message (it is counted either way).
    reaction_weight, thread_mode, include_bots, project_channels
        The chat edge-rule options (see :func:`ona.read_slack_export`).

    Returns
    -------
    ReadResult
        Interactions of channel ``chat`` keyed by Entra object id; ``chat_channel``
        affiliations of channel posters.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "msgs.json"
    >>> ch = {"channelIdentity": {"teamId": "t", "channelId": "c1"}, "messageType": "message"}
    >>> _ = f.write_text(json.dumps({"value": [
    ...     {**ch, "id": "1", "createdDateTime": "2026-01-05T09:00:00Z", "from": {"user": {"id": "a"}}},
    ...     {**ch, "id": "2", "replyToId": "1", "createdDateTime": "2026-01-05T09:05:00Z",
    ...      "from": {"user": {"id": "b"}}}]}))
    >>> read_teams(f).interactions[["source", "target", "kind"]].values.tolist()
    [['b', 'a', 'reply']]
    """
    return TeamsReader(
        path,
        on_bad_lines=on_bad_lines,
        reaction_weight=reaction_weight,
        thread_mode=thread_mode,
        include_bots=include_bots,
        project_channels=project_channels,
    ).read()
