"""Git history: co-authorship, co-change and co-editing between commit authors.

:func:`read_git` reads a repository folder (work tree or bare), a ``git bundle`` file, or a
saved ``git log`` text file (``.gz`` allowed) through the git command line, streamed
(``git log --use-mailmap --numstat -z``; no git library). One record per commit (key: the
commit hash). People are identified by their lower-cased author e-mail, mapped through
``.mailmap``; names are read only to recognise bots and never kept. GitHub ``noreply``
addresses are kept as they are.

Interactions (channel ``code``), each timed at the commit's **author date** (when the change
was written; the committer date, which a rebase or a merge queue resets, is not used anywhere):

``coauthor``
    The author and each ``Co-authored-by`` co-author, **both directions**, each with weight
    ``1/(n-1)`` for a commit of ``n`` people, so the author's edges of one commit sum to 1.
    git does not map trailers through ``.mailmap``; ona does (``git check-mailmap``).
``cochange`` (on by default, cheap)
    The author of a commit at author date ``t`` → each other author who changed one of the
    same files at an author date ``t'`` with ``t - cochange_window <= t' < t`` (directed like
    co-editing: the later change points at the earlier one; a later change of the file is
    never an edge of this commit, and changes of the same second are not before one another).
    Each shared file contributes ``1/k`` where ``k`` is the number of other authors of that
    file in the window, so a file everyone touches (a changelog) does not make everyone
    strongly tied. The history is compared in author-date order, so the edges do not depend on
    the order in which git lists the commits (a rebase, ``--date-order``, a log saved newest
    first). Merges are left out. Commits changing more than :data:`MASS_FILES` files are
    flagged ``mass``.
``coedit`` (opt-in, slow)
    The author of a commit → the authors of the lines it changes or deletes, from ``git blame``
    of the first parent on the changed hunks (Gote, Scholtes and Schweitzer, git2net, MSR 2019,
    doi:10.1109/MSR.2019.00070); weight = number of lines. Merges are left out; self-edits
    dropped. Needs a repository (a log file has no line history).

Bots are recognised on strong signals only (:data:`BOT_SIGNALS`): ``[bot]`` accounts, known
service addresses (``noreply@github.com``, ``actions@github.com``, Copilot, Dependabot,
Renovate), and service no-reply senders (``noreply@…``, ``do-not-reply@…``; a person's own
``users.noreply.github.com`` address is not one); never a word of the name, since people are
called Jenkins or Travis. ``bots=`` replaces or extends the patterns (a machine account such as
``OpenTelemetry Bot <…+opentelemetrybot@users.noreply.github.com>`` is added there) and
``humans=`` lists addresses never treated as bots. Each excluded commit is rejected with
``excluded=True`` and a reason naming the signal (``"bot: [bot] account"``,
``"bot: service address"``, ``"bot: no-reply address"``, ``"bot: bots= pattern"``), and
``extras["bots"]`` lists each excluded address with its reason and number of commits, so an
exclusion can be checked and overridden. Bot co-authors and blamed bot lines are dropped and
counted in the notes.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ona._validation import validate_params
from ona.exceptions import BadInputError
from ona.importers._base import Reader, ReadResult, Record, Rejected
from ona.importers._git_blame import CoEditor
from ona.importers._git_log import (
    LOG_FORMAT,
    Commit,
    Mailmap,
    parse_contact,
    parse_fuller,
    parse_z_stream,
)
from ona.importers._io import open_binary

__all__ = ["BOT_SIGNALS", "DEFAULT_BOTS", "LOG_FORMAT", "MASS_FILES", "GitReader", "read_git"]

log = logging.getLogger("ona.importers")

#: The strong signals that mark a bot, by name (the reason given when a commit is excluded):
#: patterns (case-insensitive ``re.search``) over ``"name <e-mail>"``. A word in a person's
#: name is never one: people are called Jenkins, Travis or Abbot.
BOT_SIGNALS: dict[str, str] = {
    "[bot] account": r"\[bot\]",  # GitHub Apps: dependabot[bot], github-actions[bot]
    "service address": (
        r"<(?:noreply@github\.com|actions?@github\.com|support@dependabot\.com"
        r"|bot@renovateapp\.com|noreply@gitlab\.com|\d+\+copilot@users\.noreply\.github\.com)>"
    ),
    # a service's no-reply sender; a person's own GitHub or GitLab noreply address
    # (<id>+<login>@users.noreply.github.com) is not one
    "no-reply address": r"<(?:no[-_.]?reply|do[-_.]?not[-_.]?reply)@",
}

#: The default ``bots=`` patterns: :data:`BOT_SIGNALS`.
DEFAULT_BOTS: tuple[str, ...] = tuple(BOT_SIGNALS.values())

#: Commits that change more files than this are flagged ``mass`` (bulk reformatting, vendoring).
MASS_FILES = 100

_BUNDLE = (b"# v2 git bundle", b"# v3 git bundle")
_FULLER = re.compile(rb"^commit [0-9a-f]{40}")
_Z = re.compile(rb"^\x1e[0-9a-f]{40}")


def _utc(value: Any) -> pd.Timestamp | None:
    if value is None:
        return None
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _git_base(git_dir: Path, mailmap: Path | None) -> list[str]:
    cmd = ["git", "-C", str(git_dir), "-c", "core.quotePath=false", "-c", "log.showSignature=false"]
    if mailmap is not None:
        cmd += ["-c", f"mailmap.file={mailmap}"]
    return cmd


class GitReader(Reader):
    """Read commits of a repository, a ``git bundle`` or a saved ``git log`` (see :func:`read_git`)."""

    format = "git"
    channel = "code"
    version = "2"  # 2: co-change only to earlier changes, order-independent; strong bot signals

    def __init__(
        self,
        path: str | Path,
        *,
        since: Any = None,
        until: Any = None,
        branches: str | Sequence[str] | None = None,
        coedit: bool = False,
        cochange: bool = True,
        cochange_window: str | pd.Timedelta = "30D",
        bots: Iterable[str] | None = None,
        humans: Iterable[str] = (),
        mailmap: str | Path | None = None,
        coedit_limit: int | None = None,
        progress: bool | Callable[[int, int | None], Any] | None = None,
        on_bad_lines: str = "warn",
    ):
        super().__init__(path, on_bad_lines=on_bad_lines)
        self.since, self.until = _utc(since), _utc(until)
        if isinstance(branches, str):
            branches = [branches]
        self.branches = list(branches) if branches is not None else None
        self.coedit, self.cochange = coedit, cochange
        self.window = pd.Timedelta(cochange_window).total_seconds()
        patterns = list(DEFAULT_BOTS if bots is None else bots)
        # one alternation, a named group per pattern: the group that matched names the reason
        signal_of = {p: name for name, p in BOT_SIGNALS.items()}
        self._bot_reasons = [f"bot: {signal_of.get(p, 'bots= pattern')}" for p in patterns]
        self.bots = re.compile(
            "|".join(f"(?P<b{i}>{p})" for i, p in enumerate(patterns)) or r"(?!)", re.I
        )
        self.humans = {h.strip().lower() for h in humans}
        self._excluded_bots: Counter = Counter()  # (address, reason) -> commits
        self.mailmap = Path(mailmap) if mailmap is not None else None
        self.coedit_limit = coedit_limit
        self.progress = progress
        resolved = self.path.resolve()
        name = resolved.parent.name if resolved.name == ".git" else resolved.name
        for suffix in (".gz", ".bz2", ".xz", ".bundle", ".txt", ".log", ".git"):
            name = name.removesuffix(suffix)
        self.container = name or "repository"
        self._authors: dict[str, str | None] = {}  # sha -> handle (None: a bot)
        self._coauthor_map: dict[str, str] = {}
        self._file_mailmap = Mailmap()
        self._cochange_plan: dict[str, Counter] = {}  # sha -> {earlier author: weight}

    # -- detection ---------------------------------------------------------------------------
    @classmethod
    def detect(cls, path: Path) -> bool:
        path = Path(path)
        if path.is_dir():
            return (path / ".git").exists() or (
                (path / "HEAD").is_file() and (path / "objects").is_dir()
            )
        if not path.is_file():
            return False
        try:
            with open_binary(path) as fh:
                head = fh.read(64)
        except (OSError, EOFError, BadInputError):
            return False
        return head.startswith(_BUNDLE) or bool(_FULLER.match(head) or _Z.match(head))

    def extras(self) -> dict[str, pd.DataFrame]:
        rows = [(a, why, n) for (a, why), n in sorted(self._excluded_bots.items())]
        bots = pd.DataFrame(rows, columns=["address", "reason", "commits"])
        return {"bots": bots.astype({"address": "string", "reason": "string", "commits": "int64"})}

    # -- identities ----------------------------------------------------------------------------
    def bot_reason(self, name: str, email: str) -> str | None:
        """Why ``name <email>`` is a bot (``"bot: [bot] account"``...), or None for a person."""
        if email.lower() in self.humans:
            return None
        m = self.bots.search(f"{name} <{email}>")
        return None if m is None else self._bot_reasons[int(m.lastgroup[1:])]  # type: ignore[index]

    def is_bot(self, name: str, email: str) -> bool:
        return self.bot_reason(name, email) is not None

    def _resolve_blamed(self, sha: str, name: str, email: str) -> str | None:
        if sha in self._authors:
            return self._authors[sha]
        if not email or self.is_bot(name, email):
            return None
        self.add_person(email)
        return email

    # -- reading ----------------------------------------------------------------------------
    def records(self) -> Iterator[Record | Rejected]:
        tmp: tempfile.TemporaryDirectory | None = None
        coeditor: CoEditor | None = None
        try:
            if self.path.is_dir():
                commits = self._repo_commits(self.path)
                git_dir: Path | None = self.path
            else:
                with open_binary(self.path) as fh:
                    head = fh.read(64)
                if head.startswith(_BUNDLE):
                    tmp = tempfile.TemporaryDirectory(prefix="ona-git-")
                    git_dir = self._unbundle(Path(tmp.name) / "repo.git")
                    commits = self._repo_commits(git_dir)
                else:
                    git_dir = None
                    commits = self._file_commits()
            if self.coedit and git_dir is None:
                self.note("co-editing needs a repository, not a log file: skipped")
                log.warning("%s: co-editing needs a repository; none computed", self.path)
            elif self.coedit:
                coeditor = CoEditor(
                    _git_base(git_dir, self.mailmap), self._revs(git_dir), self._resolve_blamed,
                    limit=self.coedit_limit, progress=self._progress_callback(), note=self.note,
                )  # fmt: skip
            if self.cochange:
                # co-change compares each commit with those before it in time: it needs the
                # whole history first, so that the result does not depend on reading order
                commits = list(commits)
                self._cochange_plan = self._plan_cochange(commits)
            for commit in commits:
                yield self._record(commit, coeditor)
        finally:
            if coeditor is not None:
                coeditor.close()
            if tmp is not None:
                tmp.cleanup()

    def _progress_callback(self) -> Callable[[int, int | None], Any] | None:
        if callable(self.progress):
            return self.progress
        if not self.progress:
            return None
        try:
            from tqdm.auto import tqdm
        except ImportError:  # no bar: log every 500 commits instead

            def report(done: int, total: int | None) -> None:
                if done % 500 == 0 or done == total:
                    log.info("co-editing: %d of %s commits", done, total if total else "?")

            return report
        bar = tqdm(desc="co-editing", unit="commit")

        def update(done: int, total: int | None) -> None:
            if bar.total is None and total:
                bar.total = total
            bar.update(done - bar.n)
            if done == total:
                bar.close()

        return update

    def _require_git(self) -> None:
        if shutil.which("git") is None:
            raise BadInputError(str(self.path), None, "the git command line is not installed")

    def _unbundle(self, target: Path) -> Path:
        self._require_git()
        bundle = str(self.path.resolve())
        heads = subprocess.run(
            ["git", "bundle", "list-heads", bundle], capture_output=True, check=False
        )
        if heads.returncode != 0:
            raise BadInputError(str(self.path), None, "not a readable git bundle")
        subprocess.run(
            ["git", "init", "-q", "--bare", str(target)], capture_output=True, check=True
        )
        refs = [line.split(b" ", 1) for line in heads.stdout.splitlines() if b" " in line]
        names = [r.decode("utf-8", "surrogateescape") for _, r in refs]
        specs = [f"+{n}:{n}" for n in names if n.startswith("refs/")]
        if "HEAD" in names and not specs:
            specs = ["+HEAD:refs/heads/bundle-head"]
        fetch = subprocess.run(
            ["git", "-C", str(target), "fetch", "-q", bundle, *specs],
            capture_output=True,
            check=False,
        )
        if fetch.returncode != 0:
            raise BadInputError(
                str(self.path), None, "git could not fetch the bundle (incomplete or damaged)"
            )
        # a bare repository reads .mailmap from HEAD: point it where the bundle's HEAD was, or
        # at its first branch
        heads = dict((r, sha.decode()) for sha, r in refs)
        branch = next((n for n in names if n.startswith("refs/heads/")), None)
        if b"HEAD" in heads:
            head_cmd = ["update-ref", "--no-deref", "HEAD", heads[b"HEAD"]]
        elif branch is not None:
            head_cmd = ["symbolic-ref", "HEAD", branch]
        else:
            return target
        subprocess.run(["git", "-C", str(target), *head_cmd], capture_output=True, check=False)
        return target

    def _revs(self, git_dir: Path) -> list[str]:
        if self.branches is not None:
            return ["--end-of-options", *self.branches]
        revs = ["--branches", "--remotes", "--tags"]  # not --all: that includes stashes
        head = subprocess.run(
            ["git", "-C", str(git_dir), "rev-parse", "-q", "--verify", "HEAD^{commit}"],
            capture_output=True, check=False,
        )  # fmt: skip
        return revs + (["HEAD"] if head.returncode == 0 else [])

    def _repo_commits(self, git_dir: Path) -> Iterator[Commit]:
        self._require_git()
        base = _git_base(git_dir, self.mailmap)
        check = subprocess.run([*base, "rev-parse", "--git-dir"], capture_output=True, check=False)
        if check.returncode != 0:
            raise BadInputError(str(self.path), None, "not a git repository")
        revs = self._revs(git_dir)
        self._map_coauthors(base, revs)
        cmd = [*base, "log", "--reverse", "--date-order", "--use-mailmap", "--no-color", "-M",
               "--numstat", "-z", "--no-ext-diff", "--no-textconv", f"--format={LOG_FORMAT}",
               *revs]  # fmt: skip
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err)
            try:
                chunks = iter(lambda: proc.stdout.read(1 << 20), b"")  # type: ignore[union-attr]
                yield from parse_z_stream(chunks)
            finally:
                proc.stdout.close()  # type: ignore[union-attr]
                if proc.poll() is None:
                    proc.kill()
                code = proc.wait()
            if code not in (0, -9):
                err.seek(0)
                first = err.read(300).decode("utf-8", "replace").splitlines()
                why = first[0] if first and first[0].startswith("fatal:") else "git log failed"
                raise BadInputError(str(self.path), None, why)

    def _map_coauthors(self, base: list[str], revs: list[str]) -> None:
        """Map every co-author trailer through the mailmap in one ``git check-mailmap`` call."""
        out = subprocess.run(
            [*base, "log", "--no-color", "--format=%(trailers:key=Co-authored-by,valueonly,unfold,"
             "separator=%x1d)", *revs], capture_output=True, check=False,
        ).stdout  # fmt: skip
        contacts = sorted({
            c.strip() for c in out.decode("utf-8", "replace").replace("\n", "\x1d").split("\x1d")
            if parse_contact(c.strip()) and "\n" not in c
        })  # fmt: skip
        if not contacts:
            return
        mapped = subprocess.run(
            [*base, "check-mailmap", "--stdin"], input="\n".join(contacts).encode() + b"\n",
            capture_output=True, check=False,
        )  # fmt: skip
        lines = mapped.stdout.decode("utf-8", "replace").splitlines()
        if mapped.returncode != 0 or len(lines) != len(contacts):
            self.note("co-author mailmap could not be applied")
            return
        for raw, out_line in zip(contacts, lines, strict=False):
            contact = parse_contact(out_line)
            if contact:
                self._coauthor_map[raw] = contact[1]

    def _file_commits(self) -> Iterator[Commit]:
        if self.mailmap is not None:
            self._file_mailmap = Mailmap(self.mailmap.read_text(encoding="utf-8", errors="replace"))
        with open_binary(self.path) as fh:
            head = fh.read(1)
            fh.seek(0)
            if head == b"\x1e":
                commits = list(parse_z_stream(iter(lambda: fh.read(1 << 20), b"")))
            else:
                commits = list(parse_fuller(fh))
        # a saved log is usually newest first; co-change needs history in time order
        times = [c.time for c in commits if c.time is not None and c.problem is None]
        if len(times) > 1 and times[0] > times[-1]:
            commits.reverse()
        for c in commits:
            if self._file_mailmap:
                c.author_email = self._file_mailmap.email(c.author_name, c.author_email)
        return iter(commits)

    # -- one commit ----------------------------------------------------------------------------
    def _coauthor_handle(self, raw: str) -> tuple[str, str] | None:
        contact = parse_contact(raw)
        if contact is None:
            return None
        name, email = contact
        email = self._coauthor_map.get(raw.strip(), email)
        if self._file_mailmap:
            email = self._file_mailmap.email(name, email)
        return name, email

    def _record(self, c: Commit, coeditor: CoEditor | None) -> Record | Rejected:
        if c.problem is not None:
            return Rejected(c.location, c.problem)
        author = c.author_email
        bot = self.bot_reason(c.author_name, author)
        if bot is not None:
            self._authors[c.sha] = None
            self._excluded_bots[(author, bot)] += 1
            if coeditor is not None and not c.merge:
                coeditor.skip(c.sha)
            return Rejected(c.location, bot, excluded=True)
        self._authors[c.sha] = author
        when = pd.Timestamp(c.time)
        if (self.since is not None and when < self.since) or (
            self.until is not None and when >= self.until
        ):
            if coeditor is not None and not c.merge:
                coeditor.skip(c.sha)
            return Rejected(c.location, "outside the period", excluded=True)
        self.add_person(author)
        base = {"timestamp": c.time, "channel": "code", "container": self.container,
                "time_quality": c.time_quality}  # fmt: skip
        events: list[dict[str, Any]] = []

        coauthors: list[str] = []
        for raw in c.coauthors:
            contact = self._coauthor_handle(raw)
            if contact is None:
                self.note("co-author trailers without an e-mail")
            elif self.is_bot(*contact):
                self.note("bot co-authors left out")
            elif contact[1] != author and contact[1] not in coauthors:
                coauthors.append(contact[1])
        for other in coauthors:
            self.add_person(other)
            w = 1.0 / len(coauthors)
            n = len(coauthors)
            events.append({**base, "source": author, "target": other, "kind": "coauthor",
                           "weight": w, "n_recipients": n})  # fmt: skip
            events.append({**base, "source": other, "target": author, "kind": "coauthor",
                           "weight": w, "n_recipients": 1})  # fmt: skip

        if self.cochange and not c.merge:
            partners = self._cochange_plan.pop(c.sha, None) or {}
            mass = len(c.files) > MASS_FILES
            events += [
                {**base, "source": author, "target": other, "kind": "cochange", "weight": w,
                 "n_recipients": len(partners), "mass": mass}
                for other, w in sorted(partners.items())
            ]  # fmt: skip
        if coeditor is not None and not c.merge:
            overwritten = coeditor.edits(c.sha)
            overwritten.pop(author, None)
            for target, lines in sorted(overwritten.items()):
                self.add_person(target)
                events.append({**base, "source": author, "target": target, "kind": "coedit",
                               "weight": float(lines), "n_recipients": len(overwritten)})  # fmt: skip
        if c.merge:
            self.note("merge commits (no co-change or co-editing)")
        if any(f.added is None for f in c.files):
            self.note("binary file changes")
        return Record(c.sha, c.location, events)

    def _cochange_author(self, c: Commit) -> str | None:
        """The author whose change of files counts for co-change (None: the commit gives none)."""
        if c.problem is not None or c.merge or c.time is None:
            return None
        if self.is_bot(c.author_name, c.author_email):
            return None
        when = pd.Timestamp(c.time)
        if (self.since is not None and when < self.since) or (
            self.until is not None and when >= self.until
        ):
            return None
        return c.author_email

    def _plan_cochange(self, commits: list[Commit]) -> dict[str, Counter]:
        """Each commit's co-change partners: the other authors who changed one of its files
        within the window *before* it (author dates; strictly earlier, at most the window).

        The history is swept in (author date, hash) order, so the result is the same whatever
        order the commits were read in. Each shared file adds ``1/k`` for its ``k`` partners.
        A rename carries the file's history of changers to the new path.
        """
        timed = {c.sha: c for c in commits if c.problem is None and c.time is not None}
        ordered = sorted(timed.values(), key=lambda c: (c.time, c.sha))
        times = [c.time.timestamp() for c in ordered]  # type: ignore[union-attr]
        window = self.window
        recent: dict[str, dict[str, float]] = defaultdict(dict)  # path -> {author: last time}
        plan: dict[str, Counter] = {}
        i = 0
        while i < len(ordered):
            # commits of the same second are not before one another: all of them look at the
            # history first, then all of them join it
            t = times[i]
            j = i + 1
            while j < len(ordered) and times[j] == t:
                j += 1
            joined: list[tuple[str, Commit]] = []
            for c in ordered[i:j]:
                for f in c.files:
                    if f.old_path is not None and f.old_path in recent:
                        recent[f.path].update(recent.pop(f.old_path))
                author = self._cochange_author(c)
                if author is None:
                    continue
                partners: Counter = Counter()
                for f in c.files:
                    changers = recent.get(f.path)
                    if not changers:
                        continue
                    others = [a for a, ta in changers.items() if a != author and t - ta <= window]
                    for other in others:
                        partners[other] += 1.0 / len(others)
                plan[c.sha] = partners
                joined.append((author, c))
            for author, c in joined:
                for f in c.files:
                    changers = recent[f.path]
                    changers[author] = t
                    if len(changers) > 64:  # keep hot files small: forget changers out of reach
                        for a in [a for a, ta in changers.items() if t - ta > window]:
                            del changers[a]
            i = j
        return plan


@validate_params(
    {
        "since": [None, str, datetime, pd.Timestamp],
        "until": [None, str, datetime, pd.Timestamp],
        "branches": [None, str, list, tuple],
        "coedit": [bool],
        "cochange": [bool],
        "cochange_window": [str, pd.Timedelta],
        "bots": [None, list, tuple],
        "humans": [list, tuple, set, frozenset],
        "mailmap": [None, str, Path],
        "coedit_limit": [None, int],
        "progress": [None, bool, callable],
        "on_bad_lines": [lambda v: v in ("error", "warn", "skip")],
    }
)
def read_git(
    repo: str | Path,
    *,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    branches: str | Sequence[str] | None = None,
    coedit: bool = False,
    cochange: bool = True,
    cochange_window: str | pd.Timedelta = "30D",
    bots: Sequence[str] | None = None,
    humans: Iterable[str] = (),
    mailmap: str | Path | None = None,
    coedit_limit: int | None = None,
    progress: bool | Callable[[int, int | None], Any] | None = None,
    on_bad_lines: str = "warn",
) -> ReadResult:
    """Read a git history into code-collaboration interactions.

    Parameters
    ----------
    repo : str or Path
        A repository folder (work tree or bare), a ``git bundle`` file, or a saved ``git log``
        file: ``--pretty=fuller``/``medium`` with ``--numstat`` (and optionally ``--raw``,
        ``--parents``, any ``--date``), or the machine layout
        ``git log --numstat -z -M --format=<ona.importers.git.LOG_FORMAT>``; ``.gz`` allowed.
    since, until : str or datetime, optional
        Keep commits whose author date is in ``[since, until)``; the others are counted as
        excluded ("outside the period"), and co-change looks only at commits inside the period.
    branches : str or list of str, optional
        Revisions to read (e.g. ``"main"``); default: every branch, remote branch and tag, and
        HEAD.
    coedit : bool, default False
        Compute line-level co-editing from ``git blame`` (slow; repositories only).
    cochange : bool, default True
        Compute file-level co-change edges.
    cochange_window : str or Timedelta, default "30D"
        How long before a commit (author dates) an earlier change of one of its files links
        the two authors.
    bots : list of str, optional
        Regular expressions over ``"name <e-mail>"`` that mark bots (default
        :data:`DEFAULT_BOTS`, the strong signals of :data:`BOT_SIGNALS`; extend it with
        ``[*DEFAULT_BOTS, r"<deploy@corp\\.com>"]``, or pass ``[]`` to keep every author).
    humans : list of str, optional
        E-mail addresses never treated as bots, whatever pattern they match.
    mailmap : str or Path, optional
        A ``.mailmap`` file to apply, besides the repository's own (for a log file, the only one).
    coedit_limit : int, optional
        Blame at most this many commits (the rest are counted in the report notes).
    progress : bool or callable, optional
        Co-editing progress: ``True`` for a tqdm bar (a log line every 500 commits without
        tqdm), or ``callback(done, total)``.
    on_bad_lines : {'warn', 'error', 'skip'}
        What to do with an unreadable commit record (always counted in the report).

    Returns
    -------
    ReadResult
        Interactions of channel ``code`` (kinds ``coauthor``, ``cochange``, ``coedit``), one
        person per lower-cased e-mail (no names), the accounting per commit, and
        ``extras["bots"]``: each address excluded as a bot (``address``, ``reason``,
        ``commits``).

    Examples
    --------
    >>> import subprocess, tempfile, pathlib
    >>> repo = pathlib.Path(tempfile.mkdtemp())
    >>> env = {"GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@x.org", "GIT_COMMITTER_NAME": "A",
    ...        "GIT_COMMITTER_EMAIL": "a@x.org", "GIT_AUTHOR_DATE": "2026-01-05T10:00:00Z",
    ...        "GIT_COMMITTER_DATE": "2026-01-05T10:00:00Z", "HOME": str(repo)}
    >>> git = lambda *a: subprocess.run(["git", "-C", str(repo), *a], env=env, check=True,
    ...                                 capture_output=True)
    >>> _ = git("init", "-q")
    >>> _ = (repo / "f.txt").write_text("hello\\n")
    >>> _ = git("add", "f.txt")
    >>> _ = git("commit", "-q", "-m", "Add f\\n\\nCo-authored-by: B <b@x.org>")
    >>> r = read_git(repo)
    >>> r.interactions[["source", "target", "kind", "weight"]].values.tolist()
    [['a@x.org', 'b@x.org', 'coauthor', 1.0], ['b@x.org', 'a@x.org', 'coauthor', 1.0]]
    >>> r.report.files[0].imported
    1
    """
    return GitReader(
        repo, since=since, until=until, branches=branches, coedit=coedit, cochange=cochange,
        cochange_window=cochange_window, bots=bots, humans=humans, mailmap=mailmap,
        coedit_limit=coedit_limit, progress=progress, on_bad_lines=on_bad_lines,
    ).read()  # fmt: skip
