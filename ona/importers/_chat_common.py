"""Edge rules shared by every chat importer (Slack, Teams, Mattermost, Discord).

Each chat reader turns one message into a :class:`ChatMessage` (who wrote it, where, what it
answers, whom it mentions, who reacted, who else was in the conversation) and
:func:`chat_events` turns that into interactions, the same way for every system. Each relation
is its own ``kind``, so a graph can be built from any subset of them:

============ ========================================================== =====================
kind         definition                                                 weight
============ ========================================================== =====================
``reply``    replier → author of the message answered (Slack            1
             ``parent_user_id``, Teams ``replyToId``, Discord
             ``reference``, Mattermost root post)
``thread``   thread participant → thread starter, when the starter is   1 to the starter;
             not already the reply target; with ``thread_mode="all"``   1/k to each of the k
             also → every earlier participant of the thread             earlier participants
``mention``  sender → each person mentioned (``@channel``/``@here`` are 1
             broadcasts, counted in the notes, never person edges)
``reaction`` reactor → message author (a person's several emoji on one  ``reaction_weight``,
             message count once)                                        default 0.25
``dm``       sender → the other member of a direct message              1
``group_dm`` sender → each of the n−1 other members of a group DM      1/(n−1) each
============ ========================================================== =====================

Channel membership is not an interaction: readers record it as a person–channel affiliation
(``group_type="chat_channel"``), and :func:`project_memberships` projects it to person–person
ties only when asked. Bots and system messages are excluded by the readers and counted
(``Rejected(..., excluded=True)``); self-interactions are dropped and counted by the reader base.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import pandas as pd

from ona._validation import Interval, Options, check_param
from ona.importers._base import Reader, Record

__all__ = [
    "CHAT_PARAMS",
    "DEFAULT_REACTION_WEIGHT",
    "ChatMessage",
    "ChatOptions",
    "ChatReader",
    "InvalidJson",
    "ThreadTracker",
    "chat_events",
    "load_json",
    "project_memberships",
]

DEFAULT_REACTION_WEIGHT = 0.25
THREAD_MODES = Options({"starter", "all", "none"})


@dataclass(frozen=True)
class ChatOptions:
    """The edge-rule options every chat reader takes.

    Parameters
    ----------
    reaction_weight : float, default 0.25
        Weight of a reaction edge: a reaction is a much weaker signal than a reply.
    thread_mode : {'starter', 'all', 'none'}, default 'starter'
        ``thread`` edges from a thread participant to the thread starter; ``'all'`` adds edges
        to every earlier participant (1/k each); ``'none'`` makes no ``thread`` edges.
    include_bots : bool, default False
        Keep bot messages (flagged ``automated``) instead of excluding them.
    project_channels : bool, default False
        Also return the person–person projection of channel membership in
        ``extras["channel_projection"]`` (see :func:`project_memberships`).
    """

    reaction_weight: float = DEFAULT_REACTION_WEIGHT
    thread_mode: str = "starter"
    include_bots: bool = False
    project_channels: bool = False

    def check(self, func: str) -> ChatOptions:
        for name, allowed in CHAT_PARAMS.items():
            if name == "on_bad_lines":
                continue
            check_param(func, name, getattr(self, name), allowed)
        return self


# The constraints of the edge-rule options, for ``@validate_params`` on every ``read_*``.
CHAT_PARAMS: dict[str, list[Any]] = {
    "on_bad_lines": [Options({"error", "warn", "skip"})],
    "reaction_weight": [Interval(float, 0)],
    "thread_mode": [THREAD_MODES],
    "include_bots": [bool],
    "project_channels": [bool],
}


@dataclass
class ChatMessage:
    """One chat message, reduced to the metadata the edge rules need (never its text).

    ``members`` is set only for direct and group messages: every member of the conversation,
    the author included.
    """

    author: str
    timestamp: Any
    container: str | None = None
    thread_id: str | None = None
    reply_to: str | None = None  # author of the message answered
    thread_starter: str | None = None
    earlier_participants: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    reactions: list[tuple[str, Any]] = field(default_factory=list)  # (reactor, time or None)
    members: list[str] | None = None
    automated: bool = False


def _unique(values: Iterable[str], exclude: Iterable[str | None] = ()) -> list[str]:
    skip = set(exclude)
    seen: dict[str, None] = {}
    for v in values:
        if v and v not in skip:
            seen.setdefault(v, None)
    return list(seen)


def chat_events(msg: ChatMessage, options: ChatOptions) -> list[dict[str, Any]]:
    """The interactions one message gives under the edge rules (see the module docstring).

    Examples
    --------
    >>> m = ChatMessage("ann", "2026-01-05T09:00:00Z", members=["ann", "bob", "cy"],
    ...                 reactions=[("bob", None)])
    >>> [(e["kind"], e["target"], e["weight"]) for e in chat_events(m, ChatOptions())]
    [('group_dm', 'bob', 0.5), ('group_dm', 'cy', 0.5), ('reaction', 'ann', 0.25)]
    """
    author = msg.author
    base = {
        "timestamp": msg.timestamp,
        "container": msg.container,
        "thread_id": msg.thread_id,
        "channel": "chat",
        "automated": msg.automated,
    }
    events: list[dict[str, Any]] = []

    def add(kind: str, source: str, target: str, weight: float, **extra: Any) -> None:
        events.append({**base, "kind": kind, "source": source, "target": target,
                       "weight": weight, **extra})

    if msg.members is not None:
        others = _unique(msg.members, exclude=[author])
        if len(others) <= 1:
            # A self-DM gives a self-interaction, which the reader base drops and counts.
            add("dm", author, others[0] if others else author, 1.0, n_recipients=1)
        else:
            for other in others:
                add("group_dm", author, other, 1.0 / len(others), n_recipients=len(others))
    # Replies, mentions and reactions to oneself are kept here so that the reader base counts
    # them as self-interactions; a starter posting in their own thread is simply no edge.
    if msg.reply_to:
        add("reply", author, msg.reply_to, 1.0)
    if options.thread_mode != "none":
        starter = msg.thread_starter
        if starter and starter not in (author, msg.reply_to):
            add("thread", author, starter, 1.0)
        if options.thread_mode == "all":
            earlier = _unique(msg.earlier_participants, exclude=[author, starter, msg.reply_to])
            for p in earlier:
                add("thread", author, p, 1.0 / len(earlier))
    for person in _unique(msg.mentions):
        add("mention", author, person, 1.0)
    reacted: dict[str, Any] = {}
    for reactor, when in msg.reactions:
        if reactor and reactor not in reacted:
            reacted[reactor] = when
    for reactor, when in reacted.items():
        add("reaction", reactor, author, options.reaction_weight,
            timestamp=when if when is not None else msg.timestamp)
    return events


class ThreadTracker:
    """Who started each thread and who took part so far, in reading order."""

    def __init__(self) -> None:
        self._starter: dict[str, str] = {}
        self._participants: dict[str, dict[str, None]] = {}

    def start(self, thread: str, author: str) -> None:
        self._starter.setdefault(thread, author)
        self._participants.setdefault(thread, {}).setdefault(author, None)

    def starter(self, thread: str) -> str | None:
        return self._starter.get(thread)

    def join(self, thread: str, author: str) -> list[str]:
        """Record ``author`` in ``thread``; return the participants before them."""
        seen = self._participants.setdefault(thread, {})
        before = list(seen)
        seen.setdefault(author, None)
        return before


class InvalidJson(Exception):
    """A JSON document that does not parse; carries the line so the error can name it."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


def load_json(data: bytes | str) -> Any:
    """Parse one JSON document, raising :class:`InvalidJson` with the line of the error."""
    try:
        if isinstance(data, bytes):
            data = data.decode("utf-8-sig")
        return json.loads(data)
    except UnicodeDecodeError:
        raise InvalidJson(1, "not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InvalidJson(exc.lineno, f"invalid JSON ({exc.msg})") from None


_AT_USERNAME = re.compile(r"(?<![\w@.])@([A-Za-z0-9][A-Za-z0-9._-]*)")
BROADCASTS = frozenset({"channel", "here", "all", "everyone"})


def at_mentions(text: str | None) -> tuple[list[str], int]:
    """``@username`` handles in a message text, and how many were broadcasts (``@here``...)."""
    if not text:
        return [], 0
    names = [m.rstrip("._-") for m in _AT_USERNAME.findall(text)]
    broadcast = sum(1 for n in names if n.lower() in BROADCASTS)
    return [n for n in names if n.lower() not in BROADCASTS], broadcast


def project_memberships(
    affiliations: pd.DataFrame,
    *,
    group_type: str = "chat_channel",
    max_group_size: int | None = None,
) -> pd.DataFrame:
    """Project person–group memberships to undirected person–person ties.

    Each group of n members adds 1/(n−1) to the tie of every pair in it, so a person's ties from
    one group sum to 1 whatever its size (large channels do not swamp small ones).

    Parameters
    ----------
    affiliations : DataFrame
        An Affiliations table (person, group, group_type, origin).
    group_type : str, default 'chat_channel'
        Which memberships to project.
    max_group_size : int, optional
        Leave out groups larger than this (all-company channels say little about ties).

    Returns
    -------
    DataFrame
        ``source``, ``target`` (``source < target``), ``weight``, ``groups`` (shared groups).

    Examples
    --------
    >>> aff = pd.DataFrame({"person": ["a", "b", "c", "a", "b"], "group": ["x", "x", "x", "y", "y"],
    ...                     "group_type": "chat_channel", "origin": "o"})
    >>> project_memberships(aff).to_dict("records")[0]
    {'source': 'a', 'target': 'b', 'weight': 1.5, 'groups': 2}
    """
    check_param("project_memberships", "max_group_size", max_group_size, [None, Interval(int, 2)])
    aff = affiliations.loc[affiliations["group_type"] == group_type, ["person", "group"]]
    members: dict[str, set[str]] = {}
    for person, group in zip(aff["person"], aff["group"], strict=True):
        members.setdefault(group, set()).add(person)
    ties: dict[tuple[str, str], list[float]] = {}
    for people in members.values():
        n = len(people)
        if n < 2 or (max_group_size is not None and n > max_group_size):
            continue
        for pair in combinations(sorted(people), 2):
            tie = ties.setdefault(pair, [0.0, 0])
            tie[0] += 1.0 / (n - 1)
            tie[1] += 1
    rows = sorted((a, b, w, k) for (a, b), (w, k) in ties.items())
    out = pd.DataFrame(rows, columns=["source", "target", "weight", "groups"])
    return out.astype({"source": "string", "target": "string", "weight": "float64",
                       "groups": "int64"})


class ChatReader(Reader):
    """A reader with the chat edge-rule options (see :class:`ChatOptions`)."""

    channel = "chat"

    def __init__(
        self,
        path: Any,
        *,
        on_bad_lines: str = "warn",
        reaction_weight: float = DEFAULT_REACTION_WEIGHT,
        thread_mode: str = "starter",
        include_bots: bool = False,
        project_channels: bool = False,
    ):
        super().__init__(path, on_bad_lines=on_bad_lines)
        self.options = ChatOptions(
            reaction_weight, thread_mode, include_bots, project_channels
        ).check(type(self).__name__)

    def message_record(self, key: str, location: str, msg: ChatMessage) -> Record:
        """The record of one message, with the interactions the edge rules give."""
        self.note("messages")
        return Record(key, location, chat_events(msg, self.options))

    def extras(self) -> dict[str, pd.DataFrame]:
        if not self.options.project_channels:
            return {}
        return {"channel_projection": project_memberships(self.affiliations())}
