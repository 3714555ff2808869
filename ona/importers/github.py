"""GitHub pull-request exports: reviews, review comments, replies, review requests, comments.

:func:`read_github` reads a JSON file, a JSON-lines file (``.gz`` allowed) or a folder of them,
holding what the GitHub REST or GraphQL API returns, or Perceval's ``github`` items (a pull
request or issue in ``data`` with nested ``reviews_data``, ``review_comments_data``,
``requested_reviewers_data``, ``comments_data``, ``reactions_data``). Every JSON object is one
record in the accounting (nested ones too); bodies, titles and diff hunks are never kept.

Interactions (channel ``code``; people are lower-cased GitHub logins; ``thread_id`` is the pull
request or issue, ``container`` its repository):

================  ====================================================================
``review``        reviewer → pull-request author (a submitted review of any state;
                  pending reviews are excluded)
``review_comment`` commenter → pull-request author (an inline comment that starts a thread)
``reply``         commenter → author of the comment replied to (``in_reply_to_id``);
                  an issue or pull-request conversation comment → its author
``review_request`` pull-request author → each requested reviewer (the request is addressed
                  to them)
``reaction``      reacting user → issue author (nested Perceval reactions)
================  ====================================================================

Merging (``merged_by``) is not counted as a review: an approving review is already an edge,
and the merge button is often pressed by whoever is on duty. Review requests to teams are
counted in the notes (their members are not in the export).

Authors are looked up across every file of the input, so a folder holding the pull request and
its reviews and comments as separate API responses links them. An item whose pull request is
not in the input is still imported, with no interactions (counted in the notes). Bots (user
``type`` ``Bot``, ``[bot]`` logins, patterns given in ``bots=``) are excluded and counted;
self-reviews are dropped as self-interactions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ona._validation import validate_params
from ona.importers._base import Reader, ReadResult, Record, Rejected
from ona.importers._io import open_binary

__all__ = ["GitHubReader", "read_github"]

_ITEM_URL = re.compile(
    r"(?:api\.github\.com/repos/|github\.com/)([^/]+)/([^/]+)/(?:pulls|pull|issues)/(\d+)"
)
_SUFFIXES = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz")
_MARKERS = (b'"pull_request_url"', b'"diff_hunk"', b'"requested_reviewers"', b'"issue_url"',
            b'"pullRequest"', b'"backend_name": "GitHub"', b'"backend_name":"GitHub"',
            b'"submitted_at"')  # fmt: skip
_REACTED_TO = "\x00reacted_to"  # a nested reaction's comment (a key no JSON object has)
_NESTED = {
    "reviews_data": "review",
    "review_comments_data": "review_comment",
    "requested_reviewers_data": "requested",
    "comments_data": "issue_comment",
    "reactions_data": "reaction",
}


def _item_key(url: Any) -> tuple[str, str] | None:
    """(``owner/repo#n``, ``owner/repo``) of a pull request or issue URL."""
    m = _ITEM_URL.search(url) if isinstance(url, str) else None
    if not m:
        return None
    repo = f"{m.group(1)}/{m.group(2)}".lower()
    return f"{repo}#{m.group(3)}", repo


def _user(obj: dict) -> dict | None:
    for field in ("user", "user_data", "author", "requestedReviewer"):
        u = obj.get(field)
        if isinstance(u, dict) and u.get("login"):
            return u
    return None


def _classify(obj: dict) -> str:
    if "eventType" in obj:
        return {"PullRequestReview": "review", "IssueComment": "issue_comment"}.get(
            obj["eventType"], "other"
        )
    if "users" in obj and "teams" in obj:
        return "requested_list"
    if "diff_hunk" in obj or "pull_request_review_id" in obj:
        return "review_comment"
    if "head" in obj and "base" in obj:
        return "pull_request"
    if "state" in obj and ("submitted_at" in obj or "pull_request_url" in obj):
        return "review"
    if "issue_url" in obj:
        return "issue_comment"
    if "number" in obj and _user(obj):
        return "issue"
    if "content" in obj and _user(obj):
        return "reaction"
    return "other"


class GitHubReader(Reader):
    """Read GitHub pull-request and issue exports (see :func:`read_github`)."""

    format = "github"
    channel = "code"
    version = "2"  # 2: reactions nested in comments and team review requests are counted

    def __init__(
        self,
        path: str | Path,
        *,
        bots: Iterable[str] = (),
        on_bad_lines: str = "warn",
    ):
        super().__init__(path, on_bad_lines=on_bad_lines)
        self.bot_patterns = [re.compile(p, re.I) for p in bots]

    @classmethod
    def detect(cls, path: Path) -> bool:
        path = Path(path)
        files = cls._files(path) if path.is_dir() else [path]
        for f in files[:5]:
            if not f.is_file() or not f.name.lower().endswith(_SUFFIXES):
                continue
            try:
                with open_binary(f) as fh:
                    head = fh.read(65536)
            except (OSError, EOFError):
                continue
            if head.lstrip()[:1] in (b"{", b"[") and any(m in head for m in _MARKERS):
                return True
            if head.lstrip()[:1] == b"{" and b'"teams"' in head and b'"users"' in head:
                return True  # a requested-reviewers response
        return False

    @staticmethod
    def _files(path: Path) -> list[Path]:
        return sorted(
            p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(_SUFFIXES)
        )

    # -- loading ----------------------------------------------------------------------------
    def _load(self) -> Iterator[tuple[str, Any]]:
        """(location, top-level JSON value) per value; (location, None) for unreadable ones.

        A file may hold one JSON value, JSON lines, or JSON values one after another (as
        Perceval prints its items); after an unreadable value, reading resumes at the next line
        that opens an object or array.
        """
        files = self._files(self.path) if self.path.is_dir() else [self.path]
        decoder = json.JSONDecoder()
        for f in files:
            name = f.name if f is not self.path else self.path.name
            with open_binary(f) as fh:
                text = fh.read().decode("utf-8", "replace")
            values: list[tuple[int, Any]] = []
            pos = 0
            while True:
                while pos < len(text) and text[pos].isspace():
                    pos += 1
                if pos >= len(text):
                    break
                line = text.count("\n", 0, pos) + 1
                try:
                    value, pos = decoder.raw_decode(text, pos)
                except json.JSONDecodeError:
                    value = None
                    found = [
                        i for i in (text.find("\n{", pos + 1), text.find("\n[", pos + 1)) if i >= 0
                    ]
                    pos = min(found) + 1 if found else len(text)
                values.append((line, value))
            for line, value in values:
                yield (f"{name}:line {line}" if len(values) > 1 else name), value

    def _flatten(self) -> Iterator[tuple[str, str, dict | None, tuple[str, str] | None]]:
        """(location, kind, object, key of the enclosing pull request or issue) per JSON item."""
        for location, value in self._load():
            if value is None:
                yield location, "unreadable", None, None
                continue
            if isinstance(value, dict) and "data" in value and isinstance(value["data"], dict):
                data = value["data"]
                timeline = (((data.get("repository") or {}).get("pullRequest") or {})
                            .get("timelineItems") or {}).get("nodes")  # fmt: skip
                if isinstance(timeline, list):  # a GraphQL timeline page
                    value = timeline
                elif "backend_name" in value:  # a Perceval item
                    yield from self._perceval(location, data)
                    continue
            items = value if isinstance(value, list) else [value]
            for i, obj in enumerate(items):
                loc = f"{location}:{i}" if isinstance(value, list) else location
                if not isinstance(obj, dict):
                    yield loc, "unreadable", None, None
                    continue
                kind = _classify(obj)
                if kind == "requested_list":
                    for j, u in enumerate(obj.get("users") or []):
                        yield f"{loc}:users:{j}", "requested", {"requestedReviewer": u}, None
                    for j, team in enumerate(obj.get("teams") or []):
                        yield f"{loc}:teams:{j}", "team_request", team, None
                    continue
                yield loc, kind, obj, None

    def _perceval(self, location: str, data: dict) -> Iterator[tuple[str, str, dict | None, Any]]:
        top = {k: v for k, v in data.items() if k not in _NESTED}
        if data.get("requested_reviewers_data"):
            top.pop("requested_reviewers", None)  # the nested items carry them
        kind = _classify(top)
        key = _item_key(top.get("url") or top.get("html_url"))
        yield location, kind, top, key
        for field, nested_kind in _NESTED.items():
            for j, obj in enumerate(data.get(field) or []):
                where = f"{location}:{field}:{j}"
                if not isinstance(obj, dict):
                    yield where, "unreadable", None, key
                    continue
                if nested_kind == "requested":
                    obj = {"requestedReviewer": obj}
                yield where, nested_kind, obj, key
                # Perceval nests a comment's reactions inside the comment: reactions to it
                for k, reaction in enumerate(obj.get("reactions_data") or []):
                    inner = f"{where}:reactions_data:{k}"
                    if not isinstance(reaction, dict):
                        yield inner, "unreadable", None, key
                    else:
                        yield inner, "reaction", {**reaction, _REACTED_TO: obj}, key

    # -- reading ----------------------------------------------------------------------------
    def _is_bot(self, user: dict) -> bool:
        login = str(user.get("login", ""))
        return (
            user.get("type") == "Bot"
            or login.lower().endswith("[bot]")
            or any(p.search(login) for p in self.bot_patterns)
        )

    def records(self) -> Iterator[Record | Rejected]:
        items = list(self._flatten())
        authors: dict[str, dict] = {}  # pull request / issue key -> its object
        comment_authors: dict[Any, dict] = {}  # review comment id -> author
        for _, kind, obj, _ in items:
            if obj is None:
                continue
            user = _user(obj)
            if kind in ("pull_request", "issue") and user:
                key = _item_key(obj.get("url") or obj.get("html_url"))
                if key:
                    authors[key[0]] = obj
            elif kind == "review_comment" and user and obj.get("id") is not None:
                comment_authors[obj["id"]] = user
        for location, kind, obj, context in items:
            yield self._record(location, kind, obj, context, authors, comment_authors)

    def _record(
        self,
        location: str,
        kind: str,
        obj: dict | None,
        context: tuple[str, str] | None,
        authors: dict[str, dict],
        comment_authors: dict[Any, dict],
    ) -> Record | Rejected:
        if obj is None:
            return Rejected(location, "unreadable JSON")
        if kind == "other":
            return Rejected(location, "not a review or comment item", excluded=True)
        if kind == "team_request":
            return Rejected(location, "review request to a team (members not listed)",
                            excluded=True)  # fmt: skip
        user = _user(obj)
        if user is None:
            if any(f in obj and not obj[f] for f in ("user", "author")):
                return Rejected(location, "deleted user", excluded=True)  # the API's "ghost"
            return Rejected(location, "missing user")
        if self._is_bot(user):
            return Rejected(location, "bot", excluded=True)
        actor = str(user["login"]).lower()
        key = None
        for field in ("pull_request_url", "issue_url", "url", "html_url"):
            key = _item_key(obj.get(field))
            if key:
                break
        if key is None and isinstance(obj.get("pullRequest"), dict):
            key = _item_key(obj["pullRequest"].get("url"))
        key = key or context
        if kind == "review" and (obj.get("state") == "PENDING" or not self._when(obj)):
            return Rejected(location, "pending review", excluded=True)
        parent_item = authors.get(key[0]) if key else None
        when = self._when(obj) or (self._when(parent_item) if parent_item else None)
        record_key = f"{kind}:{obj.get('id') or obj.get('node_id') or obj.get('url') or location}"
        if kind in ("pull_request", "issue"):
            record_key = f"{kind}:{key[0]}" if key else record_key
        if when is None:
            if kind == "requested":
                self.note("requested reviewers without their pull request")
                self.add_person(actor)
                return Record(f"{record_key}:{actor}:{location}", location, [])
            return Rejected(location, "missing date")
        self.add_person(actor)
        targets: list[tuple[str, dict]] = []  # (relation, target user)
        source = actor
        if kind == "pull_request":
            for u in obj.get("requested_reviewers") or []:
                if isinstance(u, dict) and u.get("login"):
                    targets.append(("review_request", u))
            if obj.get("requested_teams"):
                self.note("review requests to teams (members not listed)")
        elif kind == "reaction" and _REACTED_TO in obj:
            comment_author = _user(obj[_REACTED_TO])
            if comment_author is None:
                self.note("reactions to a comment without an author")
            else:
                targets.append(("reaction", comment_author))
        elif parent_item is None or _user(parent_item) is None:
            self.note("items whose pull request or issue is not in the input")
        elif kind == "requested":
            source = str(_user(parent_item)["login"]).lower()  # type: ignore[index]
            targets.append(("review_request", user))
            record_key = f"requested:{key[0]}:{actor}"  # type: ignore[index]
        elif kind == "review_comment" and obj.get("in_reply_to_id") in comment_authors:
            targets.append(("reply", comment_authors[obj["in_reply_to_id"]]))
        else:
            if kind == "review_comment" and obj.get("in_reply_to_id") is not None:
                self.note("replies to a review comment not in the input")
            relation = {"issue_comment": "reply"}.get(
                kind, kind
            )  # review, review_comment, reaction
            targets.append((relation, _user(parent_item)))  # type: ignore[arg-type]
        events = []
        for relation, target in targets:
            if self._is_bot(target):
                self.note("interactions with bots left out")
                continue
            login = str(target["login"]).lower()
            self.add_person(login)
            events.append({
                "timestamp": when, "source": source, "target": login, "kind": relation,
                "thread_id": key[0] if key else None, "container": key[1] if key else None,
                "n_recipients": len(targets),
            })  # fmt: skip
        return Record(record_key, location, events)

    @staticmethod
    def _when(obj: dict) -> str | None:
        for field in ("submitted_at", "created_at", "createdAt"):
            if obj.get(field):
                return obj[field]
        return None


@validate_params(
    {"bots": [list, tuple], "on_bad_lines": [lambda v: v in ("error", "warn", "skip")]}
)
def read_github(
    path: str | Path, *, bots: Iterable[str] = (), on_bad_lines: str = "warn"
) -> ReadResult:
    """Read GitHub pull-request exports into review interactions.

    Parameters
    ----------
    path : str or Path
        A JSON or JSON-lines file (``.gz`` allowed), or a folder of them: REST responses (pull
        requests, reviews, review comments, issue comments, requested reviewers), GraphQL
        timeline pages, or Perceval ``github`` items.
    bots : list of str, optional
        Extra regular expressions over logins that mark bots (``type == "Bot"`` and ``[bot]``
        logins always do).
    on_bad_lines : {'warn', 'error', 'skip'}
        What to do with unreadable JSON (always counted in the report).

    Returns
    -------
    ReadResult
        Interactions of channel ``code`` (kinds ``review``, ``review_comment``, ``reply``,
        ``to``, ``reaction``), people as lower-cased logins, and the accounting per JSON item.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> pr = {"url": "https://api.github.com/repos/o/r/pulls/7", "number": 7, "head": {},
    ...       "base": {}, "user": {"login": "Ann"}, "created_at": "2026-01-05T09:00:00Z",
    ...       "requested_reviewers": []}
    >>> review = {"id": 1, "user": {"login": "bo"}, "state": "APPROVED",
    ...           "submitted_at": "2026-01-06T09:00:00Z",
    ...           "pull_request_url": "https://api.github.com/repos/o/r/pulls/7"}
    >>> _ = (folder / "pr.json").write_text(json.dumps(pr))
    >>> _ = (folder / "reviews.json").write_text(json.dumps([review]))
    >>> r = read_github(folder)
    >>> r.interactions[["source", "target", "kind"]].values.tolist()
    [['bo', 'ann', 'review']]
    """
    return GitHubReader(path, bots=bots, on_bad_lines=on_bad_lines).read()
