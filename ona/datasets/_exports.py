"""Writers of genuine raw exports for a simulated organisation.

* ``mail.mbox``: an organisation-wide mail journal in mbox format (``From `` separator lines,
  RFC 5322 headers with local-time ``Date`` offsets, ``Message-ID``, ``In-Reply-To`` and
  ``References`` on replies, RFC 2047 encoded display names and subjects, automated mail with
  ``Auto-Submitted``, list mail with ``List-Id``); bodies are a placeholder line.
* ``slack_export.zip``: a Slack workspace export (``users.json``, ``channels.json``, one folder
  per channel with one ``YYYY-MM-DD.json`` file per day with messages).
* ``monorepo.bundle``: a git repository built with ``git fast-import`` (see ``_git``).
* ``roster.csv``: the effective-dated HR roster; ``team_outcomes.csv``: the outcomes table;
  ``survey_export.csv``: the ONA survey as a survey platform exports it (see ``_survey``);
  ``truth.json``: the planted truth.

Every byte depends only on the simulated organisation: fixed zip timestamps and attributes,
sorted entries, fixed JSON formatting, explicit line endings.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
import zipfile
from datetime import datetime, timedelta, timezone
from email.header import Header
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Any

from ona.datasets._chat import EMOJI, PHRASES, Chat
from ona.datasets._git import write_git_bundle
from ona.datasets._names import ORG_DOMAIN
from ona.datasets._simulate import EXPORT_FILES, SimulatedOrganisation
from ona.datasets._survey import survey_csv_bytes

__all__ = ["write_all"]

ZIP_TIME = (2026, 1, 1, 0, 0, 0)
TZ_NAMES = {"London": "Europe/London", "Berlin": "Europe/Berlin", "Lisbon": "Europe/Lisbon",
            "New York": "America/New_York", "Bengaluru": "Asia/Kolkata"}  # fmt: skip
BODY = "[message body not included in this sample]\n"


def write_all(sim: SimulatedOrganisation, directory: Path) -> dict[str, Path]:
    """Write every export of ``sim`` into ``directory``; return export name -> path."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {name: directory / file for name, file in EXPORT_FILES.items()}
    paths["mbox"].write_bytes(mbox_bytes(sim))
    paths["slack"].write_bytes(slack_zip_bytes(sim.chat))
    write_git_bundle(sim.org, sim.repo, paths["git"])
    paths["roster"].write_bytes(_csv_bytes(sim.people, _roster_format))
    paths["outcomes"].write_bytes(_csv_bytes(sim.outcomes, _outcome_format))
    paths["survey"].write_bytes(survey_csv_bytes(sim.survey))
    truth = sim.truth.to_dict()
    truth["survey"] = sim.survey.truth
    # bytes, not text mode: no platform newline translation
    truth = json.dumps(truth, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    paths["truth"].write_bytes(truth.encode("utf-8"))
    return paths


# ---------------------------------------------------------------------------- mbox


def _display(org: Any, i: int, addr: str, style: int) -> str:
    """A mailbox as clients write it: plain, "Last, First", bare address; RFC 2047 if needed."""
    first, last = org.names[i].split(" ", 1)
    if style % 5 == 0:
        return addr
    name = f"{last}, {first}" if style % 5 == 1 else org.names[i]
    return formataddr((name, addr), charset="utf-8")


def _fold(name: str, items: list[str]) -> str:
    """``Name: a, b, c`` folded before 78 characters as RFC 5322 recommends."""
    line, lines = f"{name}: ", []
    for k, item in enumerate(items):
        piece = item + ("," if k < len(items) - 1 else "")
        if len(line) + len(piece) + 1 > 78 and line.strip() != f"{name}:":
            lines.append(line.rstrip())
            line = " "
        line += piece + " "
    lines.append(line.rstrip())
    return "\n".join(lines)


def _subject(text: str) -> str:
    return text if text.isascii() else Header(text, "utf-8").encode()


def mbox_bytes(sim: SimulatedOrganisation) -> bytes:
    """The mail journal in mbox format (LF line endings, as mbox files on Unix have)."""
    org, out = sim.org, io.StringIO()
    for k, msg in enumerate(sim.mail):
        t, s = msg["time"], msg["sender"]
        tz = int(org.tz_minutes[s]) if s is not None else 0
        local = datetime.fromtimestamp(t, timezone(timedelta(minutes=tz)))
        envelope = msg["from_addr"]
        out.write(f"From {envelope} {time.asctime(time.gmtime(t))}\n")
        headers = []
        if msg["kind"] == "notification":
            headers.append(f"From: Jira <{envelope}>")
        elif msg["kind"] == "inbound":
            headers.append(f"From: {formataddr((msg['from_name'], envelope), charset='utf-8')}")
        else:
            headers.append(f"From: {_display(org, s, envelope, k + s)}")
        to = [_display(org, r, a, k + r + 2) for r, a in zip(msg["to"], msg["to_addrs"], strict=False)]
        to += [formataddr(x, charset="utf-8") for x in msg["external_to"]]
        if msg["kind"] == "list":
            to = [f"All staff <{msg['to_addrs'][0]}>"]
        headers.append(_fold("To", to))
        if msg["cc"]:
            headers.append(_fold("Cc", [_display(org, r, a, k + r + 3) for r, a in zip(msg["cc"], msg["cc_addrs"],
                                                                                      strict=True)]))  # fmt: skip
        headers.append(f"Subject: {_subject(msg['subject'])}")
        headers.append(f"Date: {format_datetime(local)}")
        headers.append(f"Message-ID: <{msg['message_id']}>")
        if msg["in_reply_to"]:
            headers.append(f"In-Reply-To: <{msg['in_reply_to']}>")
            headers.append(_fold("References", [f"<{r}>" for r in msg["references"]]).replace(",", ""))
        headers += ["MIME-Version: 1.0", 'Content-Type: text/plain; charset="utf-8"',
                    "Content-Transfer-Encoding: 7bit"]  # fmt: skip
        if msg["kind"] == "auto_reply":
            headers += ["Auto-Submitted: auto-replied", "X-Auto-Response-Suppress: All"]
        elif msg["kind"] == "notification":
            headers += ["Auto-Submitted: auto-generated", "Precedence: bulk", "X-Mailer: Jira"]
        elif msg["kind"] == "list":
            lid = msg["list_id"]
            headers += [f"Sender: {lid}-bounces@lists.{ORG_DOMAIN}", "Precedence: list",
                        f"List-Id: All staff <{lid}.lists.{ORG_DOMAIN}>",
                        f"List-Unsubscribe: <mailto:{lid}-leave@lists.{ORG_DOMAIN}>",
                        "X-Mailman-Version: 3.3.9"]  # fmt: skip
        out.write("\n".join(headers) + "\n\n" + BODY + "\n")
    return out.getvalue().encode("utf-8")


# ---------------------------------------------------------------------------- Slack


def _uid(*parts: str) -> str:
    h = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _users(chat: Chat, team_id: str) -> list[dict[str, Any]]:
    org, last = chat.org, chat.org.n_months - 1
    users, ceo = [], int(org.dept_head[-1])
    for i in range(org.n):
        first, lastname = org.names[i].split(" ", 1)
        offset = int(org.tz_minutes[i]) * 60
        users.append({
            "id": org.slack_id[i], "team_id": team_id, "name": org.emails[i].split("@")[0],
            "deleted": bool(org.team_month[last, i] < 0), "color": f"{(i * 2654435761) % 0xFFFFFF:06x}",
            "real_name": org.names[i], "tz": TZ_NAMES[org.location[i]], "tz_offset": offset,
            "profile": {
                "title": "", "real_name": org.names[i], "real_name_normalized": org.names[i],
                "display_name": first, "display_name_normalized": first, "first_name": first,
                "last_name": lastname, "email": org.slack_email[i], "team": team_id,
            },
            "is_admin": i == ceo, "is_owner": i == ceo, "is_primary_owner": i == ceo, "is_restricted": False,
            "is_ultra_restricted": False, "is_bot": False, "is_app_user": False, "updated": chat.clock.end_epoch,
        })  # fmt: skip
    for uid, name, bot in (("USLACKBOT", "slackbot", None), ("U0DEPLOYBT1", "deploy-bot", "B0DEPLOYBT1")):
        profile = {"real_name": name, "display_name": "", "team": team_id}
        if bot:
            profile["bot_id"] = bot
        users.append({"id": uid, "team_id": team_id, "name": name, "deleted": False, "real_name": name,
                      "profile": profile, "is_bot": True, "is_app_user": False, "updated": 0})  # fmt: skip
    return sorted(users, key=lambda u: u["id"])


def _message(chat: Chat, msg: dict[str, Any], k: int, team_id: str, thread: list[dict[str, Any]]) -> dict[str, Any]:
    ids = chat.org.slack_id
    if msg["subtype"] == "bot_message":
        return {"type": "message", "subtype": "bot_message", "text": f"Deployed build {msg['build']} to production",
                "ts": msg["ts"], "bot_id": "B0DEPLOYBT1", "username": "deploy-bot"}  # fmt: skip
    uid = ids[msg["user"]]
    if msg["subtype"] == "channel_join":
        return {"type": "message", "subtype": "channel_join", "ts": msg["ts"], "user": uid,
                "text": f"<@{uid}> has joined the channel"}  # fmt: skip
    phrase = PHRASES[k % len(PHRASES)]
    mentions = [ids[u] for u in msg["mentions"]]
    elements = [{"type": "user", "user_id": m} for m in mentions] + [{"type": "text", "text": (" " if mentions else "") + phrase}]
    out: dict[str, Any] = {
        "type": "message",
        "text": "".join(f"<@{m}> " for m in mentions) + phrase,
        "user": uid,
        "ts": msg["ts"],
        "team": team_id,
        "user_team": team_id,
        "source_team": team_id,
    }
    if mentions:
        # rich-text blocks (as modern clients send) only where they carry a user element, to keep
        # the sample small; readers must take mentions from ``text`` or ``blocks``
        out["client_msg_id"] = _uid(chat.channels[msg["channel"]]["id"], msg["ts"])
        out["blocks"] = [{"type": "rich_text", "block_id": _uid(msg["ts"], uid)[:5],
                          "elements": [{"type": "rich_text_section", "elements": elements}]}]  # fmt: skip
    if msg["root"] is not None:
        out["thread_ts"] = msg["root"]["ts"]
        out["parent_user_id"] = ids[msg["root"]["user"]]
    elif thread:
        repliers = list(dict.fromkeys(ids[r["user"]] for r in thread))
        out.update({"thread_ts": msg["ts"], "reply_count": len(thread), "reply_users_count": len(repliers),
                    "latest_reply": thread[-1]["ts"], "reply_users": repliers[:5],
                    "replies": [{"user": ids[r["user"]], "ts": r["ts"]} for r in thread],
                    "is_locked": False, "subscribed": False})  # fmt: skip
    if k % 31 == 0:  # a few messages were edited after posting, as in any real workspace
        out["edited"] = {"user": uid, "ts": f"{int(msg['ts'].split('.')[0]) + 90 + k % 600}.000000"}
    if msg["reactions"]:
        out["reactions"] = [{"name": name, "users": [ids[u] for u in users], "count": len(users)}
                            for name, users in sorted(msg["reactions"].items(), key=lambda x: EMOJI.index(x[0]))]  # fmt: skip
    return out


def slack_zip_bytes(chat: Chat) -> bytes:
    """The Slack export as zip bytes with fixed entry times and attributes."""
    org, last = chat.org, chat.org.n_months - 1
    team_id = "T0KESTREL01"
    threads: dict[int, list[dict[str, Any]]] = {}
    for msg in chat.messages:
        if msg["root"] is not None:
            threads.setdefault(id(msg["root"]), []).append(msg)
    channels = []
    for ch, c in enumerate(chat.channels):
        members = [org.slack_id[p] for p in range(org.n) if chat.is_member(ch, p, last)]
        creator = org.slack_id[c["creator"]]
        channels.append({"id": c["id"], "name": c["name"], "created": c["created"], "creator": creator,
                         "is_archived": False, "is_general": c["name"] == "general", "members": sorted(members),
                         "pins": [], "topic": {"value": "", "creator": "", "last_set": 0},
                         "purpose": {"value": c["purpose"], "creator": creator, "last_set": c["created"]}})  # fmt: skip
    days: dict[str, list[dict[str, Any]]] = {}
    for k, msg in enumerate(chat.messages):
        day = time.strftime("%Y-%m-%d", time.gmtime(int(msg["ts"].split(".")[0])))
        name = chat.channels[msg["channel"]]["name"]
        days.setdefault(f"{name}/{day}.json", []).append(
            _message(chat, msg, k, team_id, threads.get(id(msg), [])))
    entries = {"channels.json": sorted(channels, key=lambda c: c["name"]), "users.json": _users(chat, team_id)}
    for name in sorted(days):
        entries[name] = sorted(days[name], key=lambda m: m["ts"])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in entries.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            data = json.dumps(content, indent=4, ensure_ascii=False).encode("utf-8")
            zf.writestr(info, data, compresslevel=6)
    return buf.getvalue()


# ---------------------------------------------------------------------------- tables


def _date(v: Any) -> str:
    return "" if v is None or v != v else v.strftime("%Y-%m-%d")


ROSTER_COLUMNS = ("person_id", "name", "email", "aliases", "team", "department", "manager_id", "location",
                  "level", "start_date", "end_date", "valid_from", "valid_to", "employee_id")  # fmt: skip


def _roster_format(row: Any) -> list[str]:
    return [_date(row[c]) if c.endswith(("_date", "_from", "_to")) else ("" if row[c] is None or row[c] != row[c]
            else str(row[c])) for c in ROSTER_COLUMNS]  # fmt: skip


_roster_format.columns = ROSTER_COLUMNS  # type: ignore[attr-defined]

OUTCOME_COLUMNS = ("unit", "unit_type", "period", "delivery", "quality", "engagement", "attrition")
_DIGITS = {"delivery": 1, "quality": 2, "engagement": 1, "attrition": 3}


def _outcome_format(row: Any) -> list[str]:
    return [f"{row[c]:.{_DIGITS[c]}f}" if c in _DIGITS else str(row[c]) for c in OUTCOME_COLUMNS]


_outcome_format.columns = OUTCOME_COLUMNS  # type: ignore[attr-defined]


def _csv_bytes(table: Any, fmt: Any) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(fmt.columns)
    for row in table.astype(object).where(table.notna(), None).to_dict(orient="records"):
        writer.writerow(fmt(row))
    return buf.getvalue().encode("utf-8")
