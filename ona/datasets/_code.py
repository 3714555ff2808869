"""Simulated monorepo history: commits, co-authors, pull-request merges, a dependency bot.

Engineers commit mostly to their own team's service, sometimes to shared libraries, the docs or
another team's service (chosen through the propensities), so co-editing crosses teams the way
the other channels do. About a third of the changes arrive through a pull request: a commit on a
topic branch and a merge commit authored by the person who merged it and committed by
``GitHub <noreply@github.com>``, as GitHub's web merge does.

Commit ids are computed here exactly as git computes them (SHA-1 of the blob, tree and commit
objects), so the ground truth can carry them as ``record_id`` before git is ever run; the
exporter's test checks that ``git fast-import`` arrives at the same ids.

Ground-truth edge rules (human, non-merge commits only): the author and each
``Co-authored-by`` person, both directions (``coauthor``, weight ``1/(n-1)`` for a commit of
``n`` people), and the author to every other person who authored a commit touching one of the
same files in the previous 30 days (``cochange``, file level, one row per earlier author; the
line-level ``coedit`` relation needs ``git blame`` and is not part of the truth).
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from ona.datasets._chat import slug
from ona.datasets._org import Org
from ona.datasets._process import Clock, Propensities, sample_targets
from ona.tables import make_event_id

__all__ = ["BOT", "REPO", "code_interactions", "simulate_code", "tz_text"]

REPO = "kestrel-monorepo"
BOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")
GITHUB = ("GitHub", "noreply@github.com")
COCHANGE_WINDOW = 30 * 86400
VERBS = ("Fix", "Add", "Refactor", "Update", "Remove", "Document", "Speed up", "Test")
NOUNS = ("retry logic", "config loading", "error handling", "pagination", "metrics", "caching",
         "input validation", "the API client", "logging", "feature flag", "timeouts")  # fmt: skip
SERVICE_FILES = ("__init__.py", "api.py", "models.py", "handlers.py", "README.md", "tests/test_api.py")
SHARED = ("libs/common/config.py", "libs/common/http.py", "libs/common/retry.py", "libs/common/logging.py")
DOCS = ("docs/architecture.md", "docs/onboarding.md", "docs/runbook.md", "ci/pipeline.yml", "README.md")


def tz_text(minutes: int) -> str:
    """A git/RFC 5322 offset: ``330`` -> ``"+0530"``."""
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _obj(kind: str, data: bytes) -> str:
    return hashlib.sha1(f"{kind} {len(data)}\0".encode() + data, usedforsecurity=False).hexdigest()


class _Trees:
    """Git tree ids of a growing set of regular files, recomputing only the changed directories."""

    def __init__(self) -> None:
        self.files: dict[str, dict[str, str]] = {"": {}}  # dir -> {name: blob id}
        self.subdirs: dict[str, set[str]] = {"": set()}
        self.ids: dict[str, str] = {}

    def update(self, blobs: dict[str, str]) -> str:
        dirty = {""}
        for path, sha in blobs.items():
            parent, _, name = path.rpartition("/")
            self.files.setdefault(parent, {})[name] = sha
            while parent:
                dirty.add(parent)
                up, _, sub = parent.rpartition("/")
                self.files.setdefault(up, {})
                self.subdirs.setdefault(up, set()).add(sub)
                self.subdirs.setdefault(parent, set())
                parent = up
        for d in sorted(dirty, key=lambda x: -x.count("/") - (x != "")):
            entries = [(n, b"100644 " + n.encode() + b"\0" + bytes.fromhex(v)) for n, v in self.files[d].items()]
            for sub in self.subdirs[d]:
                full = f"{d}/{sub}" if d else sub
                entries.append((sub + "/", b"40000 " + sub.encode() + b"\0" + bytes.fromhex(self.ids[full])))
            self.ids[d] = _obj("tree", b"".join(e for _, e in sorted(entries)))
        return self.ids[""]


class Repo:
    """The repository state while commits are drawn: files, tips and the commit list."""

    def __init__(self) -> None:
        self.files: dict[str, list[str]] = {}
        self.blobs: dict[str, str] = {}
        self.commits: list[dict[str, Any]] = []
        self.main: str | None = None
        self.trees = _Trees()

    def edit(self, rng: np.random.Generator, path: str) -> bytes:
        lines = self.files.setdefault(path, [f"# {path}"])
        value = int(rng.integers(10_000))
        text = f"- note {value}" if path.endswith(".md") else f"setting_{len(lines)} = {value}"
        if len(lines) > 1 and (rng.random() < 0.5 or len(lines) > 40):
            lines[int(rng.integers(1, len(lines)))] = text
        else:
            lines.append(text)
        return self.content(path)

    def content(self, path: str) -> bytes:
        return ("\n".join(self.files[path]) + "\n").encode()

    def commit(self, ref: str, parents: list[str], author: tuple[str, str, int, int],
               committer: tuple[str, str, int, int], message: str, changed: dict[str, bytes],
               **meta: Any) -> str:  # fmt: skip
        blobs = {path: _obj("blob", data) for path, data in changed.items()}
        self.blobs.update(blobs)
        lines = [f"tree {self.trees.update(blobs)}"] + [f"parent {p}" for p in parents]
        for role, (name, email, t, tz) in (("author", author), ("committer", committer)):
            lines.append(f"{role} {name} <{email}> {t} {tz_text(tz)}")
        sha = _obj("commit", ("\n".join(lines) + "\n\n" + message).encode())
        self.commits.append({"sha": sha, "ref": ref, "parents": parents, "author": author,
                             "committer": committer, "message": message, "changed": changed, **meta})  # fmt: skip
        return sha


def simulate_code(rng: np.random.Generator, org: Org, w: Propensities, clock: Clock, rate: float) -> Repo:
    """Draw the monorepo's history month by month (dept 0 is the engineering department)."""
    repo = Repo()
    eng_teams = np.flatnonzero(org.team_dept == 0)
    service = {int(k): f"services/{slug(org.teams[k])}" for k in eng_teams}
    head = int(org.dept_head[0])
    init = {p: repo.edit(rng, p) for p in (*DOCS, *SHARED, "requirements.txt")}
    for k in eng_teams:
        init.update({f"{service[int(k)]}/{f}": repo.edit(rng, f"{service[int(k)]}/{f}") for f in SERVICE_FILES})
    repo.files[".mailmap"] = org.mailmap
    init[".mailmap"] = repo.content(".mailmap")
    t0 = clock.start_epoch - 30 * 86400 + 10 * 3600
    ident = (org.git_name[head], org.git_email[head], t0, int(org.tz_minutes[head]))
    repo.main = repo.commit("main", [], ident, ident, "Initial import of the monorepo\n", init,
                            person=head, coauthors=[], kind="initial")  # fmt: skip
    pr = 0
    for m in range(org.n_months):
        team = org.team_month[m]
        is_eng = (team >= 0) & (org.team_dept[np.where(team >= 0, team, 0)] == 0)
        eng = np.flatnonzero(is_eng)
        act = org.activity[eng]
        authors = rng.choice(eng, size=rng.poisson(rate * len(eng)), p=act / act.sum())
        times = clock.draw(rng, m, authors)
        order = np.argsort(times, kind="stable")
        events = [(int(times[j]), int(authors[j])) for j in order]
        bot_t = int(clock.month_epoch(m) + 3 * 86400 + 6 * 3600)
        events.append((bot_t, -1))
        events.sort()
        for idx, (t, a) in enumerate(events):
            nxt = events[idx + 1][0] if idx + 1 < len(events) else clock.end_epoch
            if a < 0:
                changed = {"requirements.txt": repo.edit(rng, "requirements.txt")}
                who, coauthors, message = (*BOT, t, 0), [], "Bump dependencies\n"
                person = None
            else:
                u = rng.random()
                if u < 0.65:
                    area = [f"{service[int(team[a])]}/{f}" for f in SERVICE_FILES]
                elif u < 0.77:
                    area = list(SHARED)
                elif u < 0.82:
                    area = list(DOCS)
                else:
                    other = sample_targets(rng, np.where(is_eng, w[m][a], 0.0), 1)
                    k = int(team[other[0]]) if len(other) else int(team[a])
                    area = [f"{service[k]}/{f}" for f in SERVICE_FILES]
                picked = rng.choice(len(area), size=min(len(area), 1 + min(int(rng.poisson(0.7)), 3)), replace=False)
                changed = {area[j]: repo.edit(rng, area[j]) for j in sorted(picked.tolist())}
                coauthors = []
                if rng.random() < 0.12:
                    c = sample_targets(rng, np.where(is_eng, w[m][a], 0.0), 1)
                    coauthors = [int(c[0])] if len(c) else []
                subject = f"{VERBS[rng.integers(len(VERBS))]} {NOUNS[rng.integers(len(NOUNS))]}"
                trailers = "".join(f"\nCo-authored-by: {org.names[c]} <{org.git_email[c]}>" for c in coauthors)
                message = f"{subject}\n" + (f"\n{trailers.lstrip(chr(10))}\n" if trailers else "")
                who, person = (org.git_name[a], org.git_email[a], t, int(org.tz_minutes[a])), a
            via_pr = a < 0 or rng.random() < 0.35
            if not via_pr:
                repo.main = repo.commit("main", [repo.main], who, who, message, changed,
                                        person=person, coauthors=coauthors, kind="human")  # fmt: skip
                continue
            pr += 1
            tip = repo.commit("topic", [repo.main], who, who, message, changed, person=person,
                              coauthors=coauthors, kind="human" if person is not None else "bot")  # fmt: skip
            lead = int(org.team_lead[team[a]]) if a >= 0 else head
            merger = lead if lead != a else head
            mt = min(t + 600 + int(rng.exponential(4 * 3600)), max(nxt - 1, t + 1), clock.end_epoch - 1)
            branch = f"{org.git_name[person].split(' ')[0].lower()}/change-{pr}" if person is not None else (
                f"dependabot/pip/bump-{pr}")  # fmt: skip
            merge_msg = f"Merge pull request #{pr} from kestrel/{branch}\n\n{message.splitlines()[0]}\n"
            mwho = (org.git_name[merger], org.git_email[merger], mt, int(org.tz_minutes[merger]))
            repo.main = repo.commit("main", [repo.main, tip], mwho, (*GITHUB, mt, 0), merge_msg, changed,
                                    person=merger, coauthors=[], kind="merge", merge=True)  # fmt: skip
    return repo


def code_interactions(org: Org, repo: Repo, origin: str) -> dict[str, list]:
    """Ground-truth rows (column -> list): co-authorship and file-level co-change."""
    cols: dict[str, list] = {c: [] for c in ("event_id", "timestamp", "source", "target", "kind",
                                             "record_id", "n_recipients", "weight")}  # fmt: skip
    history: dict[str, list[tuple[int, int]]] = {}  # path -> [(time, author)]

    def row(c: dict[str, Any], src: int, dst: int, kind: str, n: int, weight: float = 1.0) -> None:
        s, d = org.emails[src], org.emails[dst]
        cols["event_id"].append(make_event_id("code", c["sha"], kind, s, d))
        cols["timestamp"].append(c["author"][2] * 10**6)
        cols["source"].append(s)
        cols["target"].append(d)
        cols["kind"].append(kind)
        cols["record_id"].append(c["sha"])
        cols["n_recipients"].append(n)
        cols["weight"].append(weight)

    for c in repo.commits:
        if c["kind"] != "human":
            continue
        a, t = c["person"], c["author"][2]
        earlier: set[int] = set()
        for path in c["changed"]:
            earlier |= {p for (tp, p) in history.get(path, []) if t - COCHANGE_WINDOW <= tp < t and p != a}
            history.setdefault(path, []).append((t, a))
        for b in sorted(earlier):
            row(c, a, b, "cochange", len(earlier))
        people = [a] + [co for co in c["coauthors"] if co != a]
        for x in people:
            for y in people:
                if x != y:
                    row(c, x, y, "coauthor", len(people) - 1, 1.0 / (len(people) - 1))
    return {**cols, "channel": "code", "thread_id": None, "container": REPO, "origin": origin}
