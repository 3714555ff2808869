"""Simulated Slack workspace: public channels, messages, threads, mentions and reactions.

Each chat interaction drawn from the propensities (sender ``s`` towards ``t``) becomes a native
Slack element in a channel both belong to: a message by ``s`` mentioning ``<@t>``, a thread
reply by ``s`` under a message by ``t``, or an emoji reaction by ``s`` on a message by ``t``.
Plain posts, ``channel_join`` system messages and a deploy bot's messages are added as the noise
a real export carries.

Ground-truth edge rules (person-authored messages only): the author to each mentioned person
(``mention``), a thread reply's author to the thread's root author (``reply``, Slack's
``parent_user_id``), each reactor to the message's author (``reaction``, timed at the message
since Slack records no reaction time). Self-interactions are not rows.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ona.datasets._org import Org, ascii_fold, unique_ids
from ona.datasets._process import Clock, Propensities
from ona.tables import make_event_id

__all__ = ["Chat", "chat_interactions", "simulate_chat", "slug"]

PHRASES = (
    "can you take a look?", "thanks!", "see the doc when you have a minute",
    "quick question about the rollout", "any update on this?", "sounds good",
    "let's discuss tomorrow", "shared the numbers in the sheet", "I can pair on it",
    "does this block you?", "nice work", "moving this to next sprint",
)  # fmt: skip
EMOJI = ("+1", "white_check_mark", "eyes", "tada", "raised_hands", "pray")
COP_CHANNEL = "cop-ways-of-working"


def slug(text: str) -> str:
    """A Slack-style channel name fragment (``"FP&A"`` -> ``"fp-a"``)."""
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]", "-", text.lower())).strip("-") or ascii_fold(text)


class Chat:
    """Channels, users and messages of the simulated workspace."""

    def __init__(self, rng: np.random.Generator, org: Org, intervention_month: int, clock: Clock):
        self.org, self.rng, self.iv, self.clock = org, rng, intervention_month, clock
        self.channels: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []
        ids = iter(_ids(rng, 8 + len(org.teams) + 2 * len(org.departments), "C0"))
        before = clock.start_epoch - 86400 * 400

        def channel(name: str, rule: str, key: int, creator: int, purpose: str, created: int) -> None:
            self.channels.append({"id": next(ids), "name": name, "rule": rule, "key": key,
                                  "creator": creator, "purpose": purpose, "created": created})  # fmt: skip

        ceo = int(org.dept_head[-1])
        channel("general", "all", -1, ceo, "Company-wide announcements and work-based matters", before)
        channel("random", "all", -1, ceo, "Non-work banter and water cooler conversation", before)
        for d, name in enumerate(org.departments):
            head = int(org.dept_head[d])
            channel(f"dept-{slug(name)}", "dept", d, head, f"{name} department", before)
            channel(f"ask-{slug(name)}", "all", -1, head, f"Questions for {name}", before)
        for k, name in enumerate(org.teams):
            channel(f"team-{slug(name)}", "team", k, int(org.team_lead[k]), f"{name} team", before)
        channel("deploys", "dept", 0, int(org.dept_head[0]), "Deployment notifications", before)
        first_cop = np.flatnonzero(np.isin(org.team_month[intervention_month], org.cop_teams))
        created = clock.month_epoch(intervention_month) + 60
        channel(COP_CHANNEL, "cop", -1, int(first_cop[0]) if len(first_cop) else ceo,
                "Community of practice across teams", created)  # fmt: skip
        self.by_name = {c["name"]: i for i, c in enumerate(self.channels)}
        self.team_ch = [self.by_name[f"team-{slug(t)}"] for t in org.teams]
        self.dept_ch = [self.by_name[f"dept-{slug(d)}"] for d in org.departments]
        self.ask_ch = [self.by_name[f"ask-{slug(d)}"] for d in org.departments]
        self.user_ids = org.slack_id
        self.cop_set = {int(k) for k in org.cop_teams}

    def is_member(self, ch: int, p: int, m: int) -> bool:
        c, team = self.channels[ch], self.org.team_month[m, p]
        if team < 0:
            return False
        if c["rule"] == "all":
            return True
        if c["rule"] == "team":
            return bool(team == c["key"])
        if c["rule"] == "dept":
            return bool(self.org.team_dept[team] == c["key"])
        return bool(m >= self.iv and team in self.cop_set)

    def pick_channel(self, s: int, t: int, m: int) -> int:
        org, u = self.org, self.rng.random()
        ts, tt = org.team_month[m, s], org.team_month[m, t]
        if ts == tt:
            return self.team_ch[ts] if u < 0.8 else self.dept_ch[org.team_dept[ts]]
        if org.team_dept[ts] == org.team_dept[tt] and u < 0.85:
            return self.dept_ch[org.team_dept[ts]]
        cop = self.by_name[COP_CHANNEL]
        if u < 0.7 and self.is_member(cop, s, m) and self.is_member(cop, t, m):
            return cop
        if u < 0.75:
            return self.ask_ch[org.team_dept[tt]]
        return self.by_name["general"]

    def post(self, ch: int, t: float, user: int | None, **fields: Any) -> dict[str, Any]:
        msg = {"channel": ch, "time": float(t), "user": user, "mentions": [], "root": None,
               "reactions": {}, "subtype": None, **fields}  # fmt: skip
        self.messages.append(msg)
        return msg


def _ids(rng: np.random.Generator, n: int, prefix: str) -> list[str]:
    return unique_ids(rng, n, prefix, 9)


def simulate_chat(
    rng: np.random.Generator, org: Org, w: Propensities, clock: Clock, rate: float, intervention_month: int
) -> Chat:
    """Draw the workspace's messages month by month."""
    chat = Chat(rng, org, intervention_month, clock)
    end = clock.end_epoch - 1
    for m in range(org.n_months):
        active = np.flatnonzero(org.team_month[m] >= 0)
        act = org.activity[active]
        senders = rng.choice(active, size=rng.poisson(rate * len(active)), p=act / act.sum())
        times = clock.draw(rng, m, senders) + rng.random(len(senders))
        for s, tau in zip(senders.tolist(), times.tolist(), strict=True):
            targets = w.draw(rng, m, s, 1)
            if not len(targets):
                continue
            t = int(targets[0])
            ch = chat.pick_channel(s, t, m)
            form = rng.random()
            if form < 0.35:
                msg = chat.post(ch, tau, s, mentions=[t])
                extra = w.draw(rng, m, s, 1)
                if rng.random() < 0.1 and len(extra) and chat.is_member(ch, int(extra[0]), m):
                    if int(extra[0]) not in (s, t):
                        msg["mentions"].append(int(extra[0]))
            elif form < 0.8:
                reply_t = tau + 60 + rng.exponential(1.5 * 3600)
                if reply_t >= end:
                    continue
                root = chat.post(ch, tau, t)
                chat.post(ch, reply_t, s, root=root)
                if rng.random() < 0.3:  # the root author answers in their own thread
                    chat.post(ch, min(reply_t + 60 + rng.exponential(3600), end), t, root=root)
                third = w.draw(rng, m, t, 1)
                if rng.random() < 0.25 and len(third) and chat.is_member(ch, int(third[0]), m):
                    chat.post(ch, min(reply_t + 30 + rng.exponential(3600), end), int(third[0]), root=root)
            else:
                msg = chat.post(ch, tau, t)
                msg["reactions"][EMOJI[rng.integers(len(EMOJI))]] = [s]
                other = w.draw(rng, m, t, 1)
                if rng.random() < 0.3 and len(other) and chat.is_member(ch, int(other[0]), m):
                    if int(other[0]) != s:
                        msg["reactions"].setdefault(EMOJI[rng.integers(len(EMOJI))], []).append(int(other[0]))
        # plain posts in team channels: the bulk of real chat carries no directed interaction
        posters = rng.choice(active, size=rng.poisson(0.25 * rate * len(active)), p=act / act.sum())
        for p, tau in zip(posters.tolist(), (clock.draw(rng, m, posters) + rng.random(len(posters))).tolist(),
                          strict=True):  # fmt: skip
            chat.post(chat.team_ch[org.team_month[m, p]], tau, p)
    _system_messages(chat)
    chat.messages.sort(key=lambda x: (x["channel"], x["time"]))
    _assign_ts(chat)
    return chat


def _system_messages(chat: Chat) -> None:
    """channel_join messages (hires, moves, the new community channel) and the deploy bot."""
    org, clock, rng = chat.org, chat.clock, chat.rng
    for i in range(org.n):
        present = np.flatnonzero(org.team_month[:, i] >= 0)
        if org.start_date[i] >= org.months[0]:
            t = clock.month_epoch(int(present[0])) + 60
            for ch in range(len(chat.channels)):
                if chat.channels[ch]["rule"] != "cop" and chat.is_member(ch, i, int(present[0])):
                    chat.post(ch, t + ch + rng.random(), i, subtype="channel_join")
    for i, m, _old, _new in org.moves:
        t = clock.month_epoch(m) + 120
        for ch in range(len(chat.channels)):
            if chat.channels[ch]["rule"] in ("team", "dept", "cop") and chat.is_member(ch, i, m) and not (
                    chat.is_member(ch, i, m - 1)):  # fmt: skip
                chat.post(ch, t + ch + rng.random(), i, subtype="channel_join")
    cop = chat.by_name[COP_CHANNEL]
    created = chat.channels[cop]["created"]
    for k, i in enumerate(np.flatnonzero([chat.is_member(cop, p, chat.iv) for p in range(org.n)])):
        chat.post(cop, created + 1 + 37 * k + rng.random(), int(i), subtype="channel_join")
    deploys = chat.by_name["deploys"]
    t, build = clock.start_epoch + 3 * 86400 + 14 * 3600, 1000
    while t < clock.end_epoch:
        chat.post(deploys, t + rng.random(), None, subtype="bot_message", build=build)
        t, build = t + 7 * 86400, build + int(rng.integers(3, 40))


def _assign_ts(chat: Chat) -> None:
    """Slack's ``ts``: epoch seconds with six decimals, unique within a channel."""
    seen: set[tuple[int, str]] = set()
    for msg in chat.messages:
        micros = round(msg["time"] * 1e6)
        while (msg["channel"], f"{micros // 10**6}.{micros % 10**6:06d}") in seen:
            micros += 1
        msg["ts"] = f"{micros // 10**6}.{micros % 10**6:06d}"
        seen.add((msg["channel"], msg["ts"]))


def chat_interactions(chat: Chat, origin: str) -> dict[str, list]:
    """Ground-truth rows (column -> list) from the person-authored messages."""
    org = chat.org
    cols: dict[str, list] = {c: [] for c in ("event_id", "timestamp", "source", "target", "kind",
                                             "thread_id", "record_id", "n_recipients", "container")}  # fmt: skip
    threaded = {id(m["root"]) for m in chat.messages if m["root"] is not None}

    def row(msg: dict[str, Any], src: int, dst: int, kind: str, n: int) -> None:
        if src == dst:
            return
        c = chat.channels[msg["channel"]]
        key = f"{c['id']}:{msg['ts']}"
        root = msg["root"] if msg["root"] is not None else (msg if id(msg) in threaded else None)
        s, t = org.emails[src], org.emails[dst]
        cols["event_id"].append(make_event_id("chat", key, kind, s, t))
        sec, frac = msg["ts"].split(".")
        cols["timestamp"].append(int(sec) * 10**6 + int(frac))
        cols["source"].append(s)
        cols["target"].append(t)
        cols["kind"].append(kind)
        cols["thread_id"].append(f"{c['id']}:{root['ts']}" if root is not None else None)
        cols["record_id"].append(key)
        cols["n_recipients"].append(n)
        cols["container"].append(c["name"])

    for msg in chat.messages:
        if msg["subtype"] is not None or msg["user"] is None:
            continue
        for u in msg["mentions"]:
            row(msg, msg["user"], u, "mention", len(msg["mentions"]))
        if msg["root"] is not None:
            row(msg, msg["user"], msg["root"]["user"], "reply", 1)
        for users in msg["reactions"].values():
            for u in users:
                row(msg, u, msg["user"], "reaction", 1)
    return {**cols, "channel": "chat", "origin": origin}
