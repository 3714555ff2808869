"""Mattermost bulk exports (JSONL, ``mmctl export``) and REST API post pages.

The bulk export is streamed line by line (exports run to gigabytes), so an invalid line is
reported with its line number and the rest is read. ``user`` lines give each username's e-mail
and channel memberships (``chat_channel`` affiliations); ``post`` lines give channel messages
with their nested ``replies`` (reply → root author) and ``reactions`` (with their time);
``direct_post`` lines give direct and group messages with their ``channel_members``. Keys are
usernames; ``@username`` mentions are taken from the text (only the handle, and only handles
that name a known user once ``user`` lines have been seen). System posts ("… joined the
channel.") are excluded and counted.

A REST API ``/posts`` page (``{"order": [...], "posts": {...}}``) is read too: replies from
``root_id``; ids are user ids, not usernames.
"""

from __future__ import annotations

import datetime as dt
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
    at_mentions,
    load_json,
)
from ona.importers._io import open_binary

__all__ = ["MattermostReader", "read_mattermost"]

# The text Mattermost writes for membership events when they are exported as posts.
_SYSTEM_TEXT = re.compile(
    r"^\S+ (?:joined|left) the (?:channel|team)\.$|"
    r"^\S+ (?:added to|removed from) the (?:channel|team) by \S+\.$|"
    r"^\S+ updated the channel (?:header|purpose|display name)"
)


def _time(ms: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromtimestamp(int(ms) / 1000, tz=dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


class MattermostReader(ChatReader):
    """Reader of Mattermost bulk exports (JSONL, optionally compressed) and API post pages."""

    format = "mattermost"

    @classmethod
    def detect(cls, path: Path) -> bool:
        path = Path(path)
        if not path.is_file():
            return False
        name = path.name.lower()
        try:
            with open_binary(path) as fh:
                head = fh.read(512).decode("utf-8", "replace")
        except Exception:  # noqa: BLE001 - a sniff never fails, it just says no
            return False
        compact = re.sub(r"\s+", "", head)
        if ".jsonl" in name or name.endswith(".json"):
            if compact.startswith('{"type":"version"'):
                return True
            return name.endswith(".json") and compact.startswith('{"order":[')
        return False

    def records(self) -> Iterator[Record | Rejected]:
        if not self.path.is_file():
            raise BadInputError(str(self.path), None, "no such file")
        self._users: set[str] = set()
        self._threads = ThreadTracker()
        with open_binary(self.path) as fh:
            first = fh.read(64)
        if re.sub(rb"\s+", b"", first).startswith(b'{"order"'):
            yield from self._api_page()
        else:
            yield from self._bulk()

    # -- bulk export -----------------------------------------------------------------------
    def _bulk(self) -> Iterator[Record | Rejected]:
        with open_binary(self.path) as fh:
            for lineno, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                loc = f"line {lineno}"
                try:
                    line = load_json(raw)
                except InvalidJson as exc:
                    yield Rejected(loc, exc.reason)
                    continue
                if not isinstance(line, dict):
                    yield Rejected(loc, "not a JSON object")
                    continue
                kind = line.get("type")
                if kind == "user":
                    self._user(line.get("user") or {})
                elif kind in ("post", "direct_post"):
                    post = line.get(kind)
                    if not isinstance(post, dict):
                        yield Rejected(loc, "post without content")
                        continue
                    yield from self._post(post, loc, direct=kind == "direct_post")

    def _user(self, user: dict[str, Any]) -> None:
        name = user.get("username")
        if not isinstance(name, str) or not name:
            return
        self._users.add(name)
        self.add_person(name, email=user.get("email") or None)
        for team in user.get("teams") or []:
            for channel in (team or {}).get("channels") or []:
                if isinstance(channel, dict) and channel.get("name"):
                    self.add_affiliation(name, str(channel["name"]), "chat_channel")

    def _mentions(self, text: Any) -> list[str]:
        handles, broadcast = at_mentions(text if isinstance(text, str) else None)
        if broadcast:
            self.note("broadcast mentions (@channel, @here, @all): no person edge", broadcast)
        if not self._users:
            return handles
        known = [h for h in handles if h in self._users]
        if len(known) < len(handles):
            self.note("@handles that are not users ignored", len(handles) - len(known))
        return known

    def _post(self, post: dict[str, Any], loc: str, *, direct: bool) -> Iterator[Record | Rejected]:
        members = post.get("channel_members") if direct else None
        if direct and not (isinstance(members, list) and members):
            yield Rejected(loc, "direct post without members")
            return
        container = (
            "direct:" + ",".join(sorted(map(str, members))) if direct else str(post.get("channel") or "")
        )
        root = self._one(post, loc, container, members, root_key=None, root_author=None)
        yield root
        author = post.get("user") if isinstance(post.get("user"), str) else None
        root_key = root.key if isinstance(root, Record) else f"{container}:{author}:{post.get('create_at')}"
        if isinstance(root, Rejected) and post.get("replies"):
            author = None  # replies under a system post answer no one in particular
            self.note("replies under a system or unreadable post")
        for j, reply in enumerate(post.get("replies") or []):
            if not isinstance(reply, dict):
                yield Rejected(f"{loc} reply {j}", "not a reply object")
                continue
            yield self._one(reply, f"{loc} reply {j}", container, members,
                            root_key=root_key, root_author=author)

    def _one(
        self,
        post: dict[str, Any],
        loc: str,
        container: str,
        members: list[str] | None,
        *,
        root_key: str | None,
        root_author: str | None,
    ) -> Record | Rejected:
        text = post.get("message")
        if str(post.get("type") or "").startswith("system_") or (
            isinstance(text, str) and _SYSTEM_TEXT.match(text.strip())
        ):
            return Rejected(loc, "system message", excluded=True)
        author = post.get("user")
        if not isinstance(author, str) or not author:
            return Rejected(loc, "no sender")
        when = _time(post.get("create_at"))
        if when is None:
            return Rejected(loc, "missing or bad create_at")
        key = f"{container}:{author}:{post.get('create_at')}"
        thread = root_key or key
        msg = ChatMessage(author, when, container=container, thread_id=thread)
        if root_key is None:
            self._threads.start(thread, author)
        else:
            msg.reply_to = root_author
            msg.thread_starter = root_author
            msg.earlier_participants = self._threads.join(thread, author)
        msg.mentions = self._mentions(text)
        for reaction in post.get("reactions") or []:
            if isinstance(reaction, dict) and isinstance(reaction.get("user"), str):
                msg.reactions.append((reaction["user"], _time(reaction.get("create_at"))))
        if members is not None:
            msg.members = [str(m) for m in members]
        else:
            self.add_affiliation(author, container, "chat_channel")
        return self.message_record(key, loc, msg)

    # -- REST API page ------------------------------------------------------------------------
    def _api_page(self) -> Iterator[Record | Rejected]:
        with open_binary(self.path) as fh:
            raw = fh.read()
        try:
            data = load_json(raw)
        except InvalidJson as exc:
            yield Rejected(f"line {exc.line}", exc.reason)
            return
        posts = data.get("posts") if isinstance(data, dict) else None
        if not isinstance(posts, dict):
            raise BadInputError(str(self.path), None, "not a Mattermost posts page")
        self.note("API page: mentions are usernames and cannot be joined to user ids here")
        ordered = sorted(posts.items(), key=lambda kv: (kv[1] or {}).get("create_at") or 0)
        for pid, p in ordered:
            loc = f"post {pid}"
            if not isinstance(p, dict):
                yield Rejected(loc, "not a post object")
                continue
            if str(p.get("type") or "").startswith("system_"):
                yield Rejected(loc, "system message", excluded=True)
                continue
            author, when = p.get("user_id"), _time(p.get("create_at"))
            if not isinstance(author, str) or when is None:
                yield Rejected(loc, "no sender or time")
                continue
            container = str(p.get("channel_id") or "")
            root = p.get("root_id") or None
            msg = ChatMessage(author, when, container=container, thread_id=root or pid)
            if root:
                parent = (posts.get(root) or {}).get("user_id")
                if parent is None:
                    self.note("replies whose root is not in the input")
                msg.reply_to = msg.thread_starter = parent
                msg.earlier_participants = self._threads.join(root, author)
            else:
                self._threads.start(pid, author)
            self.add_affiliation(author, container, "chat_channel")
            yield self.message_record(str(pid), loc, msg)


@validate_params(CHAT_PARAMS)
def read_mattermost(
    path: str | Path,
    *,
    on_bad_lines: str = "warn",
    reaction_weight: float = DEFAULT_REACTION_WEIGHT,
    thread_mode: str = "starter",
    include_bots: bool = False,
    project_channels: bool = False,
) -> ReadResult:
    """Read a Mattermost bulk export (JSONL, streamed) into interactions, people, memberships.

    Parameters
    ----------
    path : str or Path
        The ``.jsonl`` export (``.gz``/``.bz2``/``.xz`` are decompressed while streaming), or a
        REST API ``/posts`` page.
    on_bad_lines : {'warn', 'error', 'skip'}
        What to do with an unreadable line (it is counted either way).
    reaction_weight, thread_mode, include_bots, project_channels
        The chat edge-rule options (see :func:`ona.read_slack_export`). Bulk exports carry no
        bot posts, so ``include_bots`` changes nothing here.

    Returns
    -------
    ReadResult
        Interactions of channel ``chat`` keyed by username; people with e-mail;
        ``chat_channel`` affiliations.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "export.jsonl"
    >>> lines = [{"type": "version", "version": 1},
    ...          {"type": "direct_post", "direct_post": {"channel_members": ["ann", "bob", "cy"],
    ...           "user": "ann", "message": "hi", "create_at": 1767600000000}}]
    >>> _ = f.write_text("\\n".join(json.dumps(x) for x in lines))
    >>> read_mattermost(f).interactions[["target", "kind", "weight"]].values.tolist()
    [['bob', 'group_dm', 0.5], ['cy', 'group_dm', 0.5]]
    """
    return MattermostReader(
        path,
        on_bad_lines=on_bad_lines,
        reaction_weight=reaction_weight,
        thread_mode=thread_mode,
        include_bots=include_bots,
        project_channels=project_channels,
    ).read()
