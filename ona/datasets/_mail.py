"""Simulated e-mail: conversations drawn from the propensities, plus automated and list mail.

Ground-truth edge rules (one row per person-to-person interaction, person-authored mail only):
the sender to each person in ``To`` (kind ``to``) and ``Cc`` (kind ``cc``); a reply adds one
``reply`` row from the sender to the author of the message it answers (``In-Reply-To``).
``thread_id`` is the Message-ID of the conversation's first message; ``n_recipients`` counts
every address in ``To`` and ``Cc``, outside ones included. Automated mail (notifications,
out-of-office replies), mailing-list mail and mail from and to people outside the organisation
(customers of the sales and marketing departments) are written to the export but are not
person-to-person interactions of the organisation; their counts are in the truth's ``noise``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ona.datasets._names import FIRST_NAMES, LAST_NAMES, ORG_DOMAIN
from ona.datasets._org import Org, ascii_fold
from ona.datasets._process import Clock, Propensities, month_of
from ona.tables import make_event_id

__all__ = ["mail_interactions", "simulate_mail"]

SUBJECTS = (
    "Quarterly planning", "Weekly sync", "Roadmap review", "Budget question", "Hiring plan",
    "Customer escalation", "Launch checklist", "Follow-up from today's call", "Draft for review",
    "Offsite logistics", "Contract renewal", "Incident review", "Access request",
    "Forecast update", "Design feedback", "Vendor proposal", "Onboarding", "Metrics for the board",
    "Café budget", "Status update", "Release notes", "Training schedule",
)  # fmt: skip
REPLY_P = (0.5, 0.35, 0.25, 0.15)
CUSTOMER_DOMAINS = ("acme.example.com", "globex.example.net", "initech.example.org", "umbrella.example.com")


def _mid(rng: np.random.Generator, epoch: int) -> str:
    return f"{int(rng.integers(1 << 62)):016x}.{epoch}@mail.{ORG_DOMAIN}"


def simulate_mail(
    rng: np.random.Generator, org: Org, w: Propensities, clock: Clock, rate: float
) -> list[dict[str, Any]]:
    """Every message of the mail journal, in time order (dicts used by the mbox writer)."""
    msgs: list[dict[str, Any]] = []

    def addr(i: int) -> str:
        alias = org.mail_alias[i]
        return alias if alias is not None and rng.random() < 0.25 else org.emails[i]

    def add(kind: str, t: int, sender: int | None, to: list[int], cc: list[int], subject: str,
            parent: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:  # fmt: skip
        msg = {
            "kind": kind, "time": int(t), "sender": sender, "to": to, "cc": cc,
            "subject": subject, "message_id": _mid(rng, int(t)),
            "from_addr": extra.pop("from_addr", None) or (addr(sender) if sender is not None else None),
            "to_addrs": extra.pop("to_addrs", None) or [addr(i) for i in to],
            "cc_addrs": [addr(i) for i in cc],
            "external_to": extra.pop("external_to", []),
            "in_reply_to": parent["message_id"] if parent else None,
            "references": (parent["references"] + [parent["message_id"]]) if parent else [],
            "thread": parent["thread"] if parent else None,
            "parent_sender": parent["sender"] if parent else None,
            **extra,
        }  # fmt: skip
        if msg["thread"] is None:
            msg["thread"] = msg["message_id"]
        msgs.append(msg)
        return msg

    # outside correspondents of the customer-facing departments (by default Sales, Marketing)
    customers = []
    for j in range(24):
        first = FIRST_NAMES[rng.integers(len(FIRST_NAMES))]
        last = LAST_NAMES[rng.integers(len(LAST_NAMES))]
        address = f"{ascii_fold(first)}.{ascii_fold(last)}@{CUSTOMER_DOMAINS[j % len(CUSTOMER_DOMAINS)]}"
        customers.append((f"{first} {last}", address))
    facing = {d for d, name in enumerate(org.departments) if name in ("Sales", "Marketing")}

    end = clock.end_epoch
    for m in range(org.n_months):
        active = np.flatnonzero(org.team_month[m] >= 0)
        act = org.activity[active]
        senders = rng.choice(active, size=rng.poisson(rate * len(active)), p=act / act.sum())
        times = clock.draw(rng, m, senders)
        for s, t in zip(senders.tolist(), times.tolist(), strict=True):
            k = 1 + min(int(rng.poisson(0.9)), 6)
            recips = w.draw(rng, m, s, k).tolist()
            if not recips:
                continue
            n_to = 1 + int(rng.binomial(len(recips) - 1, 0.5))
            subject = SUBJECTS[rng.integers(len(SUBJECTS))]
            outside = []
            if org.team_dept[org.team_month[m, s]] in facing and rng.random() < 0.15:
                outside = [customers[rng.integers(len(customers))]]
            msg = add("person", t, s, recips[:n_to], recips[n_to:], subject, external_to=outside)
            for depth, p in enumerate(REPLY_P):
                if rng.random() >= p:
                    break
                pool = msg["to"] + msg["cc"]
                weights = np.array([3.0] * len(msg["to"]) + [1.0] * len(msg["cc"]))
                r = int(pool[rng.choice(len(pool), p=weights / weights.sum())])
                rt = msg["time"] + 120 + int(rng.exponential(4 * 3600))
                if rt >= end or org.team_month[month_of(org, rt), r] < 0:
                    break
                others = [x for x in msg["to"] + msg["cc"] if x not in (r, msg["sender"])]
                cc = others if rng.random() < 0.4 else []
                reply_subject = subject if subject.startswith("Re: ") else f"Re: {subject}"
                msg = add("person", rt, r, [msg["sender"]], cc, reply_subject, parent=msg)
                if depth == 0 and rng.random() < 0.02:
                    # an out-of-office auto-reply from the original sender's side
                    add("auto_reply", rt + 5, msg["to"][0], [r], [], f"Automatic reply: {reply_subject}",
                        parent=msg)  # fmt: skip
        # automated notifications to engineers, and mailing-list mail
        eng = active[org.team_dept[org.team_month[m, active]] == 0]
        notified = rng.choice(eng, size=max(1, len(eng) // 10))
        for t, r in zip(clock.draw(rng, m, notified).tolist(), notified.tolist(), strict=True):
            add("notification", t, None, [r], [], "[JIRA] Issue assigned to you",
                from_addr=f"jira@{ORG_DOMAIN}")  # fmt: skip
        staff = active[np.isin(org.team_dept[org.team_month[m, active]], list(facing))]
        inbound = rng.choice(staff, size=rng.poisson(0.03 * len(staff))) if len(staff) else []
        for t, r in zip(clock.draw(rng, m, np.asarray(inbound, dtype=int)).tolist(), list(inbound), strict=True):
            name, address = customers[rng.integers(len(customers))]
            add("inbound", t, None, [int(r)], [], SUBJECTS[rng.integers(len(SUBJECTS))], from_addr=address,
                from_name=name)  # fmt: skip
        ceo = int(org.dept_head[-1])
        add("list", int(clock.draw(rng, m, np.array([ceo]))[0]), ceo, [], [], "Monthly all-hands notes",
            to_addrs=[f"all-staff@lists.{ORG_DOMAIN}"], list_id="all-staff")  # fmt: skip
    msgs.sort(key=lambda x: (x["time"], x["message_id"]))
    return msgs


def mail_interactions(org: Org, msgs: list[dict[str, Any]], origin: str) -> dict[str, list]:
    """Ground-truth rows (column -> list) for the person-authored messages."""
    cols: dict[str, list] = {c: [] for c in ("event_id", "timestamp", "source", "target", "kind",
                                             "thread_id", "record_id", "n_recipients")}  # fmt: skip

    def row(msg: dict[str, Any], target: int, kind: str) -> None:
        key = msg["message_id"]
        src, dst = org.emails[msg["sender"]], org.emails[target]
        cols["event_id"].append(make_event_id("email", key, kind, src, dst))
        cols["timestamp"].append(msg["time"] * 10**6)
        cols["source"].append(src)
        cols["target"].append(dst)
        cols["kind"].append(kind)
        cols["thread_id"].append(msg["thread"])
        cols["record_id"].append(key)
        cols["n_recipients"].append(len(msg["to"]) + len(msg["cc"]) + len(msg["external_to"]))

    for msg in msgs:
        if msg["kind"] != "person":
            continue
        for r in msg["to"]:
            row(msg, r, "to")
        for r in msg["cc"]:
            row(msg, r, "cc")
        if msg["parent_sender"] is not None and msg["parent_sender"] != msg["sender"]:
            row(msg, msg["parent_sender"], "reply")
    return {**cols, "channel": "email", "container": None, "origin": origin}
