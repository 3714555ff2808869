"""Slack workspace exports: the zip (or its unzipped folder) an admin downloads.

Reads the classic (2016) and current standard exports, exports with private data
(``groups.json``, ``dms.json``, ``mpims.json``) and Enterprise Grid exports (several folders with
their own ``channels.json``; users merged across them). A single JSON file of messages (a
channel-day file, a thread, a Web API ``conversations.history`` payload, or a slackdump "dump"
file ``{"channel_id", "name", "messages"}``) is read too. slackdump nests each thread's replies
inside the root message (``slackdump_thread_replies``): every nested reply is a record of its
own, read and counted like any message (a reply also shown at top level counts once).

What is taken, per message (never its text): the sender, ``ts`` (the record key is channel id +
``ts``, so a ``thread_broadcast`` shown twice counts once), the thread (``thread_ts`` and
``parent_user_id``, else the root's author; ``reply_users`` is capped at 5 by Slack and not
used), ``<@U…>`` mentions in the text and in rich-text ``blocks`` (only the ids),
``reactions[].users``, and for direct and group messages the members from ``dms.json`` and
``mpims.json``. Channel membership (``channels.json`` ``members`` and posters) becomes
``chat_channel`` affiliations. ``users.json`` gives each person's e-mail, so identity resolution
can join Slack ids to e-mail addresses. Bots (``bot_message``, ``bot_id``, ``is_bot`` users,
USLACKBOT) and system messages (joins, topic changes, ``tombstone`` …) are excluded and counted.
See :mod:`ona.importers._chat_common` for the edge rules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
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
from ona.importers._io import SafeZip

__all__ = ["SlackReader", "read_slack_export"]

INDEX_FILES = ("users.json", "channels.json", "groups.json", "dms.json", "mpims.json")
# Subtypes that record an event in the channel, not a message between people.
SYSTEM_SUBTYPES = frozenset({
    "channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_name",
    "channel_archive", "channel_unarchive", "channel_convert_to_private",
    "channel_convert_to_public", "group_join", "group_leave", "group_topic", "group_purpose",
    "group_name", "group_archive", "group_unarchive", "bot_add", "bot_remove", "bot_enable",
    "bot_disable", "pinned_item", "unpinned_item", "tombstone", "reminder_add", "reminder_delete",
    "message_deleted", "message_changed", "sh_room_created", "joiner_notification",
    "app_conversation_join", "channel_posting_permissions", "ekm_access_denied",
})  # fmt: skip
# slackdump's "dump" files nest each thread's replies inside the root message under this key.
NESTED_REPLIES = "slackdump_thread_replies"
_SLACK_TS = re.compile(r'"ts":"\d+\.\d+"')
_TOP_MESSAGE = re.compile(r'^\{[^{}\[]*"type":"message"')
_DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
_TEXT_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_BROADCAST = re.compile(r"<!(channel|here|everyone|subteam\^[A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass
class _Conversation:
    id: str
    name: str
    kind: str = "channel"  # channel, dm, mpim
    members: list[str] = field(default_factory=list)


class _Source:
    """The files of an export, from a folder or a (checked) zip archive, by posix name."""

    def __init__(self, path: Path):
        self.path = path
        self._zip = SafeZip(path) if path.is_file() else None
        if self._zip is not None:
            self.names = self._zip.names()
        else:
            self.names = sorted(
                p.relative_to(path).as_posix() for p in path.rglob("*.json") if p.is_file()
            )

    def read(self, name: str) -> bytes:
        if self._zip is not None:
            return self._zip.read(name)
        return (self.path / name).read_bytes()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def _ts_time(ts: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(float(ts), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _block_users(node: Any, out: list[str]) -> None:
    """Collect ``{"type": "user", "user_id": ...}`` elements anywhere in rich-text blocks."""
    if isinstance(node, dict):
        if node.get("type") == "user" and isinstance(node.get("user_id"), str):
            out.append(node["user_id"])
        for value in node.values():
            if isinstance(value, (dict, list)):
                _block_users(value, out)
    elif isinstance(node, list):
        for item in node:
            _block_users(item, out)


def _head(path: Path, n: int = 4096) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read(n).decode("utf-8", "replace")
    except OSError:
        return ""


class SlackReader(ChatReader):
    """Reader of Slack exports (zip, folder, or one JSON file of messages)."""

    format = "slack"
    version = "2"  # 2: replies nested in slackdump "dump" files are read

    @classmethod
    def detect(cls, path: Path) -> bool:
        path = Path(path)
        if path.is_dir():
            # The export's own top level only: a delivery folder holding a Slack export among
            # other exports must be walked, not claimed whole.
            return any((path / f).is_file() for f in ("users.json", "channels.json"))
        suffix = path.suffix.lower()
        if suffix == ".zip":
            import zipfile

            try:
                with zipfile.ZipFile(path) as zf:
                    return any(
                        PurePosixPath(n).name in ("users.json", "channels.json")
                        and len(PurePosixPath(n).parts) <= 3
                        for n in zf.namelist()
                    )
            except (zipfile.BadZipFile, OSError):
                return False
        if suffix == ".json":
            head = re.sub(r"\s+", "", _head(path))
            if '"messages":[]' in head and head.startswith("{"):
                return True  # an empty conversations.history page
            if not (_SLACK_TS.search(head) and '"type":"message"' in head):
                return False
            return head.startswith("[{") or bool(_TOP_MESSAGE.match(head)) or '"messages":[{' in head
        return False

    # -- reading -------------------------------------------------------------------------
    def records(self) -> Iterator[Record | Rejected]:
        self._users: dict[str, dict[str, Any]] = {}
        self._threads = ThreadTracker()
        self._roots: dict[str, str] = {}  # channel:ts of a root message -> author
        if self.path.is_file() and self.path.suffix.lower() == ".json":
            yield from self._single_file()
            return
        if not (self.path.is_dir() or self.path.is_file()):
            raise BadInputError(str(self.path), None, "no such file or folder")
        source = _Source(self.path)
        try:
            yield from self._export(source)
        finally:
            source.close()

    def _load_index(self, source: _Source, name: str) -> list[dict[str, Any]]:
        try:
            data = load_json(source.read(name))
        except InvalidJson as exc:
            raise BadInputError(str(self.path), f"{name}: line {exc.line}", exc.reason) from None
        if data is None:
            return []
        if not isinstance(data, list):
            raise BadInputError(str(self.path), name, "expected a JSON list")
        return [d for d in data if isinstance(d, dict)]

    def _export(self, source: _Source) -> Iterator[Record | Rejected]:
        by_dir: dict[str, dict[str, str]] = defaultdict(dict)
        days: dict[tuple[str, str], list[str]] = defaultdict(list)
        for name in source.names:
            p = PurePosixPath(name)
            parent = p.parent.as_posix() if p.parent.as_posix() != "." else ""
            if p.name in INDEX_FILES:
                by_dir[parent][p.name] = name
            elif _DAY_FILE.match(p.name) and parent:
                days[(p.parent.parent.as_posix() if len(p.parts) > 2 else "", p.parent.name)].append(name)
        if not by_dir:
            raise BadInputError(str(self.path), None, "not a Slack export (no users.json or channels.json)")
        for files in by_dir.values():  # every workspace's users, so DMs across them resolve
            if "users.json" in files:
                for user in self._load_index(source, files["users.json"]):
                    self._add_user(user)
        conversations: dict[tuple[str, str], _Conversation] = {}
        for root, files in by_dir.items():
            for index, kind in (("channels.json", "channel"), ("groups.json", "channel"),
                                ("mpims.json", "mpim"), ("dms.json", "dm")):
                if index not in files:
                    continue
                for c in self._load_index(source, files[index]):
                    conv = self._conversation(c, kind)
                    if conv is None:
                        continue
                    folder = conv.id if kind == "dm" else conv.name
                    conversations[(root, folder)] = conv
                    if kind == "channel":
                        for member in conv.members:
                            if not self._is_bot(member):
                                self.add_affiliation(member, conv.name, "chat_channel")
        for (root, folder), names in sorted(days.items()):
            conv = conversations.get((root, folder))
            if conv is None:
                if root and ("", folder) in conversations:
                    conv = conversations[("", folder)]
                else:
                    self.note("channel folders not listed in the index files")
                    conv = _Conversation(folder, folder)
            for name in sorted(names):
                yield from self._day_file(source.read(name), name, conv)

    def _single_file(self) -> Iterator[Record | Rejected]:
        try:
            data = load_json(self.path.read_bytes())
        except InvalidJson as exc:
            yield Rejected(f"line {exc.line}", exc.reason)
            return
        # A channel-day file (``general/2026-01-05.json``) belongs to its folder's channel.
        name = self.path.parent.name if _DAY_FILE.match(self.path.name) else self.path.stem
        conv = _Conversation(name, name)
        if isinstance(data, dict) and isinstance(data.get("messages"), list):
            # a Web API conversations.history payload, or a slackdump "dump" file
            # ({"channel_id", "name", "messages"}), which names its own channel
            cid, cname = data.get("channel_id"), data.get("name")
            if isinstance(cid, str) and cid:
                conv = _Conversation(cid, cname if isinstance(cname, str) and cname else cid)
            data = data["messages"]
        elif isinstance(data, dict) and data.get("type") == "message":
            data = [data]
        elif not isinstance(data, list):
            raise BadInputError(str(self.path), None, "not Slack messages (a list, a message or a history payload)")
        yield from self._messages(data, "", conv)

    def _day_file(self, raw: bytes, name: str, conv: _Conversation) -> Iterator[Record | Rejected]:
        try:
            data = load_json(raw)
        except InvalidJson as exc:
            yield Rejected(f"{name}: line {exc.line}", exc.reason)
            return
        yield from self._messages(data, f"{name}", conv)

    def _messages(self, data: Any, name: str, conv: _Conversation) -> Iterator[Record | Rejected]:
        if not isinstance(data, list):
            yield Rejected(name or "file", "not a list of messages")
            return
        items: list[tuple[str, Any]] = []
        for idx, msg in enumerate(data):
            where = f"{name}#{idx}" if name else f"#{idx}"
            items.append((where, msg))
            nested = msg.get(NESTED_REPLIES) if isinstance(msg, dict) else None
            if nested is None:
                continue
            if not isinstance(nested, list):
                yield Rejected(f"{where}.{NESTED_REPLIES}", "thread replies not a list")
                continue
            # slackdump nests a thread's replies inside its root: each is a message to read
            self.note("thread replies nested in their root message", len(nested))
            items.extend((f"{where}.{NESTED_REPLIES}#{j}", r) for j, r in enumerate(nested))

        def order(item: tuple[str, Any]) -> float:
            m = item[1]
            try:
                return float(m.get("ts")) if isinstance(m, dict) else 0.0
            except (TypeError, ValueError):
                return 0.0
        # Time order, so that a thread's root is read before its replies (a stable sort keeps
        # a root before a nested copy of itself with the same ts).
        for where, msg in sorted(items, key=order):
            yield self._message(msg, where, conv)

    # -- one message ---------------------------------------------------------------------
    def _add_user(self, user: dict[str, Any]) -> None:
        uid = user.get("id")
        if not isinstance(uid, str):
            return
        bot = bool(user.get("is_bot") or user.get("is_app_user")) or uid == "USLACKBOT"
        self._users[uid] = {"bot": bot}
        if bot:
            self.note("bot accounts in users.json")
            return
        profile = user.get("profile") or {}
        email = profile.get("email") if isinstance(profile, dict) else None
        self.add_person(uid, email=email or None)

    def _is_bot(self, uid: str | None) -> bool:
        return uid == "USLACKBOT" or bool(self._users.get(uid or "", {}).get("bot"))

    def _conversation(self, c: dict[str, Any], kind: str) -> _Conversation | None:
        cid = c.get("id")
        if not isinstance(cid, str):
            return None
        members = [m for m in (c.get("members") or []) if isinstance(m, str)]
        if kind == "dm" and not members and isinstance(c.get("user"), str):
            members = [c["user"]]
        return _Conversation(cid, str(c.get("name") or cid), kind, members)

    def _message(self, m: Any, location: str, conv: _Conversation) -> Record | Rejected:
        if not isinstance(m, dict):
            return Rejected(location, "not a message object")
        subtype = m.get("subtype")
        if subtype in SYSTEM_SUBTYPES:
            return Rejected(location, "system message", excluded=True)
        ts = m.get("ts")
        when = _ts_time(ts)
        if when is None:
            return Rejected(location, "missing or bad ts")
        author = m.get("user")
        if not isinstance(author, str) and isinstance(m.get("comment"), dict):
            author = m["comment"].get("user")  # 2016 file_comment messages
        bot = subtype == "bot_message" or self._is_bot(author) or (
            not isinstance(author, str) and bool(m.get("bot_id"))
        )
        if bot:
            if not self.options.include_bots:
                return Rejected(location, "bot", excluded=True)
            author = author if isinstance(author, str) else m.get("bot_id")
        if not isinstance(author, str) or not author:
            return Rejected(location, "no sender")
        team = m.get("user_team") or m.get("source_team")
        if team and m.get("team") and team != m.get("team"):
            self.note("messages from another Slack team (external)")
        key = f"{conv.id}:{ts}"
        thread_ts = m.get("thread_ts")
        msg = ChatMessage(author, when, container=conv.name, automated=bot)
        if isinstance(thread_ts, str) and thread_ts:
            thread = f"{conv.id}:{thread_ts}"
            msg.thread_id = thread
            if thread_ts == ts:
                self._threads.start(thread, author)
            else:
                parent = m.get("parent_user_id") or self._threads.starter(thread)
                if not parent:
                    self.note("thread replies whose root was not found")
                elif self._is_bot(parent):
                    self.note("replies to bots dropped")
                    parent = None
                msg.reply_to = parent
                msg.thread_starter = parent
                msg.earlier_participants = [
                    p for p in self._threads.join(thread, author) if not self._is_bot(p)
                ]
        mentions = _TEXT_MENTION.findall(m.get("text") or "") if isinstance(m.get("text"), str) else []
        _block_users(m.get("blocks"), mentions)
        broadcasts = len(_BROADCAST.findall(m.get("text") or "")) if isinstance(m.get("text"), str) else 0
        if broadcasts:
            self.note("broadcast mentions (@channel, @here, groups): no person edge", broadcasts)
        msg.mentions = [u for u in mentions if not self._is_bot(u)]
        for reaction in m.get("reactions") or []:
            if isinstance(reaction, dict):
                msg.reactions.extend(
                    (u, None) for u in reaction.get("users") or []
                    if isinstance(u, str) and not self._is_bot(u)
                )
        if conv.kind in ("dm", "mpim"):
            msg.members = [u for u in conv.members if not self._is_bot(u)] or [author]
            if author not in msg.members:
                msg.members.append(author)
        elif not bot:
            self.add_affiliation(author, conv.name, "chat_channel")
        return self.message_record(key, location, msg)


@validate_params(CHAT_PARAMS)
def read_slack_export(
    path: str | Path,
    *,
    on_bad_lines: str = "warn",
    reaction_weight: float = DEFAULT_REACTION_WEIGHT,
    thread_mode: str = "starter",
    include_bots: bool = False,
    project_channels: bool = False,
) -> ReadResult:
    """Read a Slack export (zip or folder) into interactions, people and channel memberships.

    Parameters
    ----------
    path : str or Path
        The export zip, its unzipped folder, or one JSON file of messages.
    on_bad_lines : {'warn', 'error', 'skip'}
        What to do with an unreadable message or day file (it is counted either way).
    reaction_weight : float, default 0.25
        Weight of ``reaction`` edges.
    thread_mode : {'starter', 'all', 'none'}
        ``thread`` edges to the thread starter only, also to earlier participants, or none.
    include_bots : bool, default False
        Keep bot messages (flagged ``automated``) instead of excluding them.
    project_channels : bool, default False
        Add the person–person projection of channel membership as
        ``extras["channel_projection"]``.

    Returns
    -------
    ReadResult
        Interactions of channel ``chat`` (kinds ``reply``, ``thread``, ``mention``,
        ``reaction``, ``dm``, ``group_dm``); people with their e-mail; ``chat_channel``
        affiliations; the accounting.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "users.json").write_text(json.dumps([{"id": "U1"}, {"id": "U2"}]))
    >>> _ = (d / "channels.json").write_text(json.dumps([{"id": "C1", "name": "general"}]))
    >>> (d / "general").mkdir()
    >>> _ = (d / "general" / "2026-01-05.json").write_text(json.dumps([
    ...     {"type": "message", "user": "U1", "text": "hi <@U2>", "ts": "1767600000.000100"}]))
    >>> r = read_slack_export(d)
    >>> r.interactions[["source", "target", "kind"]].values.tolist()
    [['U1', 'U2', 'mention']]
    """
    return SlackReader(
        path,
        on_bad_lines=on_bad_lines,
        reaction_weight=reaction_weight,
        thread_mode=thread_mode,
        include_bots=include_bots,
        project_channels=project_channels,
    ).read()
