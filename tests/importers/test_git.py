"""read_git: saved logs (Perceval fixtures, a real open-source history), repositories, bundles.

Every count is checked against a count made here independently (regular expressions over the
raw log, git's own trailer parser, git blame line by line), against git2net's published test
expectations, or against a repository this test builds with known edges.
"""

from __future__ import annotations

import difflib
import gzip
import os
import re
import subprocess
import tarfile
import zipfile
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ona
from ona.exceptions import BadInputError, InvalidParameterError
from ona.importers._git_blame import apply_hunks
from ona.importers._git_log import Mailmap, parse_fuller, parse_z_stream, split_rename
from ona.importers.git import DEFAULT_BOTS, LOG_FORMAT, GitReader, read_git

BROKEN = Path(__file__).resolve().parents[1] / "data" / "broken" / "git"
COMMIT = re.compile(r"^commit ([0-9a-f]{40})", re.M)
AUTHOR = re.compile(r"^Author:\s.*<([^>]*)>", re.M)


def _edges(result, kind=None):
    t = result.interactions
    if kind is not None:
        t = t[t["kind"] == kind]
    return Counter(
        {
            (r.kind, r.source, r.target, r.timestamp.strftime("%m-%d")): r.weight
            for r in t.itertuples()
        }
    )


def _balanced(result):
    f = result.report.files[0]
    assert f.read == f.imported + f.duplicates + sum(f.rejected.values())
    assert result.report.balanced()
    return f


# -- saved logs (Perceval fixtures) -----------------------------------------------------------

LOGS = [
    "perceval_git_log.txt", "perceval_git_bad_cr.txt", "perceval_git_bad_encoding.txt",
    "perceval_git_log_brackets.txt", "perceval_git_log_empty.txt", "perceval_git_log_merge.txt",
    "perceval_git_log_merge_moved.txt", "perceval_git_log_moved.txt",
    "perceval_git_log_moved_special_files.txt", "perceval_git_log_trailers.txt",
]  # fmt: skip


@pytest.mark.parametrize("name", LOGS)
def test_perceval_logs_counts(shared, name):
    path = shared / "fixtures" / "code" / "git" / name
    raw = path.read_bytes().decode("utf-8", "replace")
    result = read_git(path)
    f = _balanced(result)
    assert f.read == len(COMMIT.findall(raw))
    assert f.imported == f.read and not f.rejected
    assert set(result.people["person_id"]) == {e.lower() for e in AUTHOR.findall(raw)}
    assert GitReader.detect(path) == bool(f.read)


def test_perceval_trailers_are_not_coauthors(shared):
    # Signed-off-by, Reported-by and a custom trailer are not co-authorship
    result = read_git(shared / "fixtures" / "code" / "git" / "perceval_git_log_trailers.txt")
    assert (result.interactions["kind"] == "coauthor").sum() == 0
    assert len(result.people) == 1


def test_perceval_incomplete_log_rejects_the_cut_commit(shared):
    path = shared / "fixtures" / "code" / "git" / "perceval_git_log_incompleted.txt"
    with pytest.warns(ona.importers._base.BadLinesWarning):
        result = read_git(path)
    f = _balanced(result)
    assert (f.read, f.imported, dict(f.rejected)) == (2, 1, {"truncated record": 1})
    with pytest.raises(BadInputError, match="truncated record"):
        read_git(path, on_bad_lines="error")


def test_perceval_merge_and_renames_parse(shared):
    git = shared / "fixtures" / "code" / "git"
    merges = list(parse_fuller(open(git / "perceval_git_log_merge.txt", "rb")))
    assert [c.merge for c in merges] == [True, True]
    # the raw lines name every rename exactly: compare with what the numstat side gives
    path = git / "perceval_git_log_moved_special_files.txt"
    raw = path.read_text()
    expected = {
        (m.group(2), m.group(3))
        for m in re.finditer(r"^:\S+ \S+ \S+ \S+ ([RC])\d*\t([^\t\n]+)\t([^\t\n]+)$", raw, re.M)
    }
    (commit,) = parse_fuller(open(path, "rb"))
    got = {(f.old_path, f.path) for f in commit.files if f.old_path is not None}
    assert got == expected
    # "audio/assets/Test => TS.ipynb" is a real file name (status M), not a rename
    assert any(
        f.path == "audio/assets/Test => TS.ipynb" and f.old_path is None for f in commit.files
    )
    (moved,) = parse_fuller(open(git / "perceval_git_log_moved.txt", "rb"))
    assert [(f.old_path, f.path, f.added) for f in moved.files][1] == (
        "perceval/backends/bugzilla.py",
        "perceval/backends/core/bugzilla.py",
        4,
    )


def test_split_rename_forms():
    assert split_rename("{aaa => bbb}/something") == ("aaa/something", "bbb/something")
    assert split_rename("a/{b => }/c") == ("a/b/c", "a/c")


def test_perceval_repository_tarball_matches_its_log(shared, tmp_path):
    with tarfile.open(shared / "fixtures" / "code" / "git" / "perceval_gittest.tar.gz") as tar:
        tar.extractall(tmp_path, filter="data")
    repo = tmp_path / "gittest"
    keys_repo = {r.key for r in GitReader(repo).records()}
    listed = subprocess.run(["git", "-C", str(repo), "rev-list", "--all"], env=_git_env(tmp_path),
                            capture_output=True, text=True, check=True).stdout.split()  # fmt: skip
    assert keys_repo == set(listed)
    # Perceval's saved log of this repository was taken one commit later
    log = (shared / "fixtures" / "code" / "git" / "perceval_git_log.txt").read_text()
    assert set(COMMIT.findall(log)) - keys_repo == {"49345fe87bd1dfad7e682f6554f7472c5576a8c7"}
    assert GitReader.detect(repo)


def test_empty_log_reads_nothing(shared):
    result = read_git(shared / "fixtures" / "code" / "git" / "perceval_git_log_empty.txt")
    assert result.report.files[0].read == 0 and result.interactions.empty


# -- a real open-source history -----------------------------------------------------------------


def _otel_commits(text):
    """Split the raw log by hand: (author line, message lines) per commit."""
    out = []
    for block in re.split(r"^commit [0-9a-f]{40}.*$", text, flags=re.M)[1:]:
        author = re.search(r"^Author:\s+(.*)$", block, re.M).group(1)
        message = [ln[4:] for ln in block.splitlines() if ln.startswith("    ")]
        out.append((author, message))
    return out


def test_otel_history_counts(shared):
    path = shared / "fixtures" / "code" / "otel_python_contrib" / "git-log-numstat-fuller.txt.gz"
    text = gzip.open(path, "rt", encoding="utf-8", errors="replace").read()
    commits = _otel_commits(text)
    # the strong bot signals present in this history: GitHub Apps and Copilot
    bot = re.compile(r"\[bot\]|\+Copilot@")
    result = read_git(path)
    f = _balanced(result)
    assert f.read == len(commits) == 3114
    n_apps = sum("[bot]" in a for a, _ in commits)
    n_copilot = sum("+Copilot@" in a for a, _ in commits)
    n_bots = n_apps + n_copilot
    assert f.rejected == {"bot: [bot] account": n_apps, "bot: service address": n_copilot}
    bots = result.extras["bots"]
    assert bots.groupby("reason")["commits"].sum().to_dict() == {
        "bot: [bot] account": n_apps, "bot: service address": n_copilot}
    assert set(bots["address"]) == {
        re.search(r"<(.*)>", a).group(1).lower() for a, _ in commits if bot.search(a)}
    # a machine account without a strong signal is a person until named in bots=
    machine = r"<107717825\+opentelemetrybot@users\.noreply\.github\.com>"
    n_machine = sum("+opentelemetrybot@" in a for a, _ in commits)
    assert n_machine > 0 and "107717825+opentelemetrybot@users.noreply.github.com" in set(
        result.people["person_id"])
    named = read_git(path, bots=[*DEFAULT_BOTS, machine], cochange=False)
    assert named.report.files[0].rejected["bot: bots= pattern"] == n_machine
    assert f.imported == 3114 - n_bots
    # co-authors: Co-authored-by lines of the last paragraph, bots and the author left out
    pairs = Counter()
    people = set()
    for author, message in commits:
        if bot.search(author):
            continue
        a = re.search(r"<([^>]*)>", author).group(1).lower()
        people.add(a)
        paragraphs = "\n".join(message).strip().split("\n\n")
        last = paragraphs[-1] if len(paragraphs) > 1 else ""
        co = {
            m.lower()
            for line, m in re.findall(r"(?im)^(co-authored-by:.*<([^>]+)>)\s*$", last)
            if not bot.search(line)
        } - {a}
        people |= co
        for c in co:
            pairs[tuple(sorted((a, c)))] += 1
    got = result.interactions[result.interactions["kind"] == "coauthor"]
    got_pairs = Counter(tuple(sorted(p)) for p in zip(got["source"], got["target"], strict=False))
    assert {k: v // 2 for k, v in got_pairs.items()} == dict(pairs)  # both directions
    assert sum(pairs.values()) > 300
    assert set(result.people["person_id"]) == people
    assert result.interactions["channel"].eq("code").all()


# -- a repository built here, with every edge known ------------------------------------------


def _git_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(HOME=str(home), GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=str(home / "gitconfig"))
    return env


class Repo:
    def __init__(self, path: Path):
        self.path = path
        self.env = _git_env(path.parent)
        path.mkdir()
        self.git("init", "-q", "-b", "main")

    def git(self, *args, who="Ann <ann@corp.com>", day="2026-01-01", committer=None):
        name, email = re.match(r"(.*) <(.*)>", who).groups()
        cname, cemail = re.match(r"(.*) <(.*)>", committer or who).groups()
        date = f"{day}T10:00:00Z"
        env = {**self.env, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
               "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_NAME": cname,
               "GIT_COMMITTER_EMAIL": cemail, "GIT_COMMITTER_DATE": date}  # fmt: skip
        return subprocess.run(["git", "-C", str(self.path), *args], env=env, check=True,
                              capture_output=True).stdout  # fmt: skip

    def write(self, name, lines):
        (self.path / name).write_text("".join(f"{x}\n" for x in lines))

    def commit(self, message, **who):
        self.git("add", "-A", **who)
        self.git("commit", "-q", "-m", message, **who)


ANN, BOB, DAN, EVE, FAY = (
    f"{n} <{n.lower()}@corp.com>" for n in ("Ann", "Bob", "Dan", "Eve", "Fay")
)
BOT = "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("built")
    r = Repo(root / "repo")
    r.write(".mailmap", ["<ann@corp.com> <ann@old.com>", "Cy <cy@corp.com> <cy@home.net>"])
    r.write("a.txt", ["a1", "a2", "a3", "a4", "a5"])
    r.write("b.txt", ["b1", "b2", "b3", "b4", "b5", "b6"])
    r.commit("c1 start", who=ANN, day="2026-01-01")
    r.write("a.txt", ["a1", "B2", "B3", "a4", "a5"])
    r.commit(
        "c2\n\nCo-authored-by: Cy <cy@home.net>\nCo-authored-by: dependabot[bot] "
        "<49699333+dependabot[bot]@users.noreply.github.com>",
        who=BOB,
        day="2026-01-02",
    )
    r.write("a.txt", ["a1", "B2", "a4"])
    r.write("b.txt", ["A1", "b2", "b3", "b4", "b5", "b6"])
    r.commit("c3", who="Ann Old <ann@old.com>", day="2026-01-03")
    r.write("b.txt", ["A1", "b2", "X3", "b4", "b5", "b6"])
    r.commit("c4 bot", who=BOT, day="2026-01-04")
    r.write("b.txt", ["A1", "D2", "D3", "b4", "b5", "b6"])
    r.commit(
        "c5\n\nCo-authored-by: Bob <BOB@corp.com>\nCo-authored-by: Eve <eve@corp.com>",
        who=DAN,
        day="2026-01-05",
        committer="GitHub <noreply@github.com>",
    )
    r.git("checkout", "-q", "-b", "feature")
    r.write("a.txt", ["E1", "B2", "a4"])
    r.commit("c6", who=EVE, day="2026-01-06")
    r.git("checkout", "-q", "main")
    r.write("c.txt", ["c1"])
    (r.path / "img.bin").write_bytes(bytes(range(256)))
    r.commit("c7", who=ANN, day="2026-01-07")
    r.git("merge", "-q", "--no-ff", "-m", "c8 merge", "feature", who=ANN, day="2026-01-08")
    r.git("mv", "b.txt", "b2.txt", who=FAY, day="2026-01-10")
    r.write("b2.txt", ["F1", "D2", "D3", "b4", "b5", "b6"])
    r.commit("c9 rename", who=FAY, day="2026-01-10")
    r.write("a.txt", ["B1", "B2", "a4"])
    r.commit("c10", who=BOB, day="2026-03-20")
    return r


ann, bob, cy, dan, eve, fay = (f"{n}@corp.com" for n in ("ann", "bob", "cy", "dan", "eve", "fay"))
EXPECTED = {
    ("coauthor", bob, cy, "01-02"): 1.0, ("coauthor", cy, bob, "01-02"): 1.0,
    ("coauthor", dan, bob, "01-05"): 0.5, ("coauthor", bob, dan, "01-05"): 0.5,
    ("coauthor", dan, eve, "01-05"): 0.5, ("coauthor", eve, dan, "01-05"): 0.5,
    ("cochange", bob, ann, "01-02"): 1.0, ("cochange", ann, bob, "01-03"): 1.0,
    ("cochange", dan, ann, "01-05"): 1.0,
    ("cochange", eve, ann, "01-06"): 0.5, ("cochange", eve, bob, "01-06"): 0.5,
    ("cochange", fay, ann, "01-10"): 0.5, ("cochange", fay, dan, "01-10"): 0.5,
}  # fmt: skip
EXPECTED_COEDIT = {
    ("coedit", bob, ann, "01-02"): 2.0, ("coedit", ann, bob, "01-03"): 1.0,
    ("coedit", dan, ann, "01-05"): 1.0, ("coedit", eve, ann, "01-06"): 1.0,
    ("coedit", fay, ann, "01-10"): 1.0, ("coedit", bob, eve, "03-20"): 1.0,
}  # fmt: skip


def test_built_repository_every_edge(built):
    result = read_git(built.path)
    assert _edges(result) == EXPECTED
    f = _balanced(result)
    assert (f.read, f.imported, dict(f.rejected)) == (10, 9, {"bot: [bot] account": 1})
    assert set(result.people["person_id"]) == {ann, bob, cy, dan, eve, fay}
    assert result.people[["name", "email"]].isna().all().all()  # no names kept
    assert f.notes["bot co-authors left out"] == 1
    assert f.notes["merge commits (no co-change or co-editing)"] == 1
    assert f.notes["binary file changes"] == 1
    assert (result.interactions["container"] == "repo").all()


def test_built_repository_coedit(built):
    seen = []
    result = read_git(
        built.path, coedit=True, progress=lambda done, total: seen.append((done, total))
    )
    assert _edges(result, "coedit") == EXPECTED_COEDIT
    assert _edges(result) == {**EXPECTED, **EXPECTED_COEDIT}
    assert result.report.files[0].notes["co-editing: lines of a bot left out"] == 1
    assert seen[-1] == (9, 9)  # 10 commits, one merge
    # 8 commits to analyse (not the merge, not the bot's); the first two give one edge
    capped = read_git(built.path, coedit=True, coedit_limit=2)
    assert _edges(capped, "coedit") == {("coedit", bob, ann, "01-02"): 2.0}
    assert capped.report.files[0].notes["commits left out of co-editing (limit reached)"] == 6


def _independent_coedit(repo: Path, env) -> Counter:
    """Blame each removed line separately, from ``git diff`` rather than ``git log -p``."""
    run = lambda *a: subprocess.run(["git", "-C", str(repo), *a], env=env, check=True,  # noqa: E731
                                    capture_output=True, text=True).stdout  # fmt: skip
    out: Counter = Counter()
    for line in run("rev-list", "--no-merges", "--all", "--format=%H %P %ae").splitlines():
        if line.startswith("commit "):
            continue
        sha, *rest = line.split()
        if len(rest) < 2:
            continue  # root commit
        parent, author = rest[0], rest[-1]
        old = None
        for diff_line in run("diff", "-M", "-U0", parent, sha).splitlines():
            if diff_line.startswith("--- "):
                old = diff_line[6:] if diff_line.startswith("--- a/") else None
            m = re.match(r"@@ -(\d+)(?:,(\d+))? ", diff_line)
            if m and old:
                start, n = int(m.group(1)), int(m.group(2) or 1)
                for k in range(start, start + n):
                    blame = run("blame", "-e", "-L", f"{k},{k}", parent, "--", old)
                    who = re.search(r"<([^>]+)>", blame).group(1).lower()
                    out[(author, who)] += 1
    return out


def test_coedit_matches_line_by_line_blame(built):
    raw = _independent_coedit(built.path, built.env)
    mailmap = Mailmap((built.path / ".mailmap").read_text())
    expected = Counter()
    for (editor, owner), n in raw.items():
        editor, owner = mailmap.email("", editor), mailmap.email("", owner)
        if editor != owner and "[bot]" not in owner and "[bot]" not in editor:
            expected[(editor, owner)] += n
    result = read_git(built.path, coedit=True, cochange=False)
    got = result.interactions[result.interactions["kind"] == "coedit"]
    assert Counter(dict(got.groupby(["source", "target"])["weight"].sum())) == expected


def test_bundle_round_trip(built, tmp_path):
    bundle = tmp_path / "history.bundle"
    built.git("bundle", "create", str(bundle), "--all")
    assert GitReader.detect(bundle)
    from_bundle = read_git(bundle, coedit=True)
    from_repo = read_git(built.path, coedit=True)
    cols = ["event_id", "timestamp", "source", "target", "kind", "weight"]
    pd.testing.assert_frame_equal(
        from_bundle.interactions[cols].sort_values("event_id", ignore_index=True),
        from_repo.interactions[cols].sort_values("event_id", ignore_index=True),
    )
    assert from_bundle.report.files[0].rejected == {"bot: [bot] account": 1}
    damaged = tmp_path / "damaged.bundle"
    damaged.write_bytes(bundle.read_bytes()[:200])
    with pytest.raises(BadInputError):
        read_git(damaged)


def test_saved_machine_log_reads_like_the_repository(built, tmp_path):
    log = built.git("log", "--use-mailmap", "--numstat", "-z", "-M", f"--format={LOG_FORMAT}",
                    "--branches")  # fmt: skip
    path = tmp_path / "history.log"
    path.write_bytes(log)
    result = read_git(path, mailmap=built.path / ".mailmap")
    # from a log, co-author trailers are mapped with the mailmap given (here the repository's)
    assert _edges(result) == EXPECTED
    assert GitReader.detect(path)


def test_saved_fuller_log_and_mailmap_option(built, tmp_path):
    path = tmp_path / "fuller.log"
    path.write_bytes(built.git("log", "--no-use-mailmap", "--numstat", "--raw", "-M",
                               "--pretty=fuller", "--branches"))  # fmt: skip
    without = read_git(path)
    assert "ann@old.com" in set(without.people["person_id"])
    with_map = read_git(path, mailmap=built.path / ".mailmap")
    assert _edges(with_map) == EXPECTED


def test_period_and_branches(built):
    result = read_git(built.path, since="2026-01-03", until="2026-01-06")
    f = _balanced(result)
    assert f.rejected == {"bot: [bot] account": 1, "outside the period": 7}
    # co-change looks only at commits inside the period: c3 no longer meets bob's c2
    assert set(_edges(result)) == {
        ("coauthor", dan, bob, "01-05"), ("coauthor", bob, dan, "01-05"),
        ("coauthor", dan, eve, "01-05"), ("coauthor", eve, dan, "01-05"),
        ("cochange", dan, ann, "01-05"),
    }  # fmt: skip
    feature = read_git(built.path, branches="feature")
    assert feature.report.files[0].read == 6  # c1..c6


def test_bots_option(built):
    everyone = read_git(built.path, bots=[])
    assert everyone.report.files[0].rejected == {}
    assert "49699333+dependabot[bot]@users.noreply.github.com" in set(everyone.people["person_id"])
    strict = read_git(built.path, bots=[r"<fay@"])
    assert strict.report.files[0].rejected == {"bot: bots= pattern": 1}


def test_git2net_test_repository(shared, tmp_path):
    with zipfile.ZipFile(shared / "fixtures" / "code" / "git" / "git2net_test_repo_1.zip") as z:
        z.extractall(tmp_path)
    repo = tmp_path / "test_repo_1"
    env = _git_env(tmp_path)
    n_commits = subprocess.run(["git", "-C", str(repo), "rev-list", "--count", "--all"], env=env,
                               capture_output=True, text=True, check=True).stdout  # fmt: skip
    result = read_git(repo, coedit=True, since="2019-02-12T10:00:00Z", until="2019-02-12T10:15:00Z")
    f = _balanced(result)
    assert f.read == int(n_commits)
    # git2net's own test (tests/test_functions.py, test_get_coediting_network) lists the
    # co-editing edges of 11:00-11:15 (+01:00) as (editor, edited, unix time); ours leave out
    # merge commits, so they must be exactly git2net's edges at non-merge commits.
    a, b, c = "a@test.com", "b@test.com", "c@test.com"
    git2net = {(b, a, 1549965657), (a, b, 1549966134), (b, a, 1549966184), (c, b, 1549966309),
               (c, a, 1549966309), (b, a, 1549966356), (b, a, 1549965738), (c, a, 1549966451)}  # fmt: skip
    merges = {1549965738, 1549966356, 1549966451}
    coedit = result.interactions[result.interactions["kind"] == "coedit"]
    got = {
        (s, t, int(ts.timestamp()))
        for s, t, ts in zip(coedit.source, coedit.target, coedit.timestamp, strict=False)
    }
    assert got == {e for e in git2net if e[2] not in merges}
    # the line counts (weights) over the whole history equal a line-by-line blame
    whole = read_git(repo, coedit=True, cochange=False).interactions
    got_lines = Counter(dict(whole.groupby(["source", "target"])["weight"].sum()))
    expected = Counter({k: n for k, n in _independent_coedit(repo, env).items() if k[0] != k[1]})
    assert got_lines == expected


# -- broken inputs and parameters -----------------------------------------------------------------


def test_broken_inputs():
    cut = read_git(BROKEN / "cut_machine_log.log", on_bad_lines="skip")
    f = _balanced(cut)
    assert (f.imported, dict(f.rejected)) == (1, {"truncated record": 1})
    mid = read_git(BROKEN / "starts_mid_record.txt", on_bad_lines="skip")
    assert (mid.report.files[0].imported, dict(mid.report.files[0].rejected)) == (
        1, {"truncated record": 1})  # fmt: skip
    bad_date = read_git(BROKEN / "bad_date.txt", on_bad_lines="skip")
    assert dict(bad_date.report.files[0].rejected) == {"unreadable date": 1}
    assert not GitReader.detect(BROKEN / "not_a_log.txt")
    with pytest.raises(BadInputError, match="not a git log"):
        read_git(BROKEN / "not_a_log.txt", on_bad_lines="error")


def test_z_stream_chunk_boundaries(built):
    raw = built.git("log", "--numstat", "-z", "-M", f"--format={LOG_FORMAT}", "--branches")
    whole = [(c.sha, len(c.files)) for c in parse_z_stream([raw])]
    bytewise = [
        (c.sha, len(c.files)) for c in parse_z_stream(raw[i : i + 7] for i in range(0, len(raw), 7))
    ]
    assert whole == bytewise and len(whole) == 10


def test_parameters_are_validated(built):
    with pytest.raises(InvalidParameterError):
        read_git(built.path, coedit="yes")
    with pytest.raises(InvalidParameterError):
        read_git(built.path, on_bad_lines="ignore")
    with pytest.raises(BadInputError, match="unknown revision"):
        read_git(built.path, branches="no-such-branch")


def test_bundle_of_one_branch_applies_the_mailmap(built, tmp_path):
    # a bundle without HEAD (as a simulator may write): .mailmap is still read from its branch
    bundle = tmp_path / "main.bundle"
    built.git("bundle", "create", str(bundle), "main")
    result = read_git(bundle)
    assert "ann@old.com" not in set(result.people["person_id"])
    assert ("coauthor", bob, cy, "01-02") in _edges(result)
    assert _edges(result) == EXPECTED  # main holds all ten commits (feature was merged)


def test_coedit_with_an_evicted_cache_falls_back_to_blame(built, monkeypatch):
    import ona.importers._git_blame as blame

    monkeypatch.setattr(blame, "MAX_LINES", 1)  # keep almost nothing: git blame every time
    result = read_git(built.path, coedit=True)
    assert _edges(result, "coedit") == EXPECTED_COEDIT
    assert result.report.files[0].notes["co-editing: files blamed with git blame"] >= 5


@given(
    old=st.lists(st.sampled_from("abcd"), max_size=12),
    new=st.lists(st.sampled_from("abcde"), max_size=12),
)
def test_apply_hunks_follows_a_diff(old, new):
    """Owners after a zero-context diff: kept for equal lines, the editor's for the rest."""
    owners = [f"o{i}" for i in range(len(old))]
    hunks, expected, removed = [], [], Counter()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            expected += owners[i1:i2]
            continue
        n_old, n_new = i2 - i1, j2 - j1
        # git's zero-context hunk header: a count of 0 names the line before the change
        hunks.append((i1 + 1 if n_old else i1, n_old, j1 + 1 if n_new else j1, n_new))
        expected += ["me"] * n_new
        removed.update(owners[i1:i2])
    seen = Counter()
    assert apply_hunks(owners, hunks, "me", seen) == expected
    assert seen == removed


def test_log_saved_with_windows_line_ends(shared, tmp_path):
    src = shared / "fixtures" / "code" / "git" / "perceval_git_log.txt"
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(src.read_bytes().replace(b"\n", b"\r\n"))
    assert list(parse_fuller(open(crlf, "rb"))) == list(parse_fuller(open(src, "rb")))
    a, b = read_git(src), read_git(crlf)
    assert a.report.files[0].to_dict()["read"] == b.report.files[0].to_dict()["read"] == 10
    assert _edges(a) == _edges(b)


def test_local_dates_are_flagged(built, tmp_path):
    path = tmp_path / "local.log"
    path.write_bytes(built.git("log", "--numstat", "--date=local", "--pretty=fuller", "--branches"))
    result = read_git(path, mailmap=built.path / ".mailmap")
    assert set(result.interactions["time_quality"]) == {"no_timezone"}
    assert _balanced(result).imported == 9
    assert set(read_git(built.path).interactions["time_quality"]) == {"exact"}


# -- co-change: only earlier changes, whatever the reading order ---------------------------------


def _fast_import_history(path: Path, n: int, seed: int) -> None:
    """A linear history whose author dates are shuffled against the commit order (as rebases
    and cherry-picks leave them): 7 authors, 9 files, 1-3 files per commit, no renames."""
    import random

    rng = random.Random(seed)
    env = _git_env(path.parent)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], env=env, check=True)
    authors = [f"P{i} <p{i}@corp.com>" for i in range(7)]
    t0 = 1_767_225_600  # 2026-01-01
    chunks = []
    for k in range(1, n + 1):
        when = t0 + rng.randrange(0, 40 * 86400, 3600)  # author date: anywhere in 40 days
        who = "ci[bot] <1+ci[bot]@users.noreply.github.com>" if k % 25 == 0 else rng.choice(authors)
        body = (f"commit refs/heads/main\nmark :{k}\nauthor {who} {when} +0000\n"
                f"committer {who} {t0 + k * 3600 * 24} +0000\ndata 2\nc\n")  # fmt: skip
        if k > 1:
            body += f"from :{k - 1}\n"
        for f in rng.sample(range(9), rng.randint(1, 3)):
            content = f"{k}\n".encode()
            body += f"M 100644 inline f{f}.txt\ndata {len(content)}\n{content.decode()}\n"
        chunks.append(body)
    subprocess.run(["git", "-C", str(path), "fast-import", "--quiet"],
                   input="".join(chunks).encode(), env=env, check=True)  # fmt: skip


def _plumbing_cochange(repo: Path, window: float, *, both_ways: bool = False) -> Counter:
    """Co-change edges by brute force over ``git log --name-only`` (the documented rule)."""
    out = subprocess.run(["git", "-C", str(repo), "log", "--no-renames", "--name-only",
                          "--format=%x1e%ae%x1f%at%x1f%P"], capture_output=True, check=True,
                         text=True).stdout  # fmt: skip
    commits = []
    for block in out.split("\x1e")[1:]:
        head, _, files = block.partition("\n")
        author, at, parents = head.split("\x1f")
        if "[bot]" in author or len(parents.split()) > 1:
            continue
        commits.append((author.lower(), int(at), {f for f in files.split("\n") if f}))
    edges: Counter = Counter()
    for a, t, files in commits:
        for f in files:
            others = {b for b, u, fs in commits if b != a and f in fs
                      and (0 < t - u <= window or (both_ways and 0 < u - t <= window))}
            for b in others:
                edges[(a, b, t)] += 1.0 / len(others)
    return edges


def _cochange_edges(result) -> Counter:
    t = result.interactions
    t = t[t["kind"] == "cochange"]
    edges: Counter = Counter()
    for r in t.itertuples():
        edges[(r.source, r.target, int(r.timestamp.timestamp()))] += r.weight
    return edges


def test_cochange_only_points_at_earlier_changes(tmp_path):
    repo = tmp_path / "shuffled"
    _fast_import_history(repo, 160, seed=7)
    window = 3 * 86400
    truth = _plumbing_cochange(repo, window)
    got = _cochange_edges(read_git(repo, cochange_window="3D"))
    assert set(got) == set(truth)
    for key, w in truth.items():
        assert got[key] == pytest.approx(w, rel=1e-12)
    # the case under test is present: the |t - t'| rule would add edges to later changes
    both = _plumbing_cochange(repo, window, both_ways=True)
    assert len(set(both) - set(truth)) > 20


def test_cochange_does_not_depend_on_reading_order(tmp_path):
    import random

    repo = tmp_path / "shuffled"
    _fast_import_history(repo, 120, seed=11)
    log = subprocess.run(["git", "-C", str(repo), "log", "--numstat", "-z", "-M",
                          f"--format={LOG_FORMAT}", "main"], capture_output=True,
                         check=True).stdout  # fmt: skip
    records = [b"\x1e" + r for r in log.split(b"\x1e")[1:]]
    expected = _cochange_edges(read_git(repo, cochange_window="5D"))
    assert expected
    for seed in range(3):
        random.Random(seed).shuffle(records)
        path = tmp_path / f"log{seed}.z"
        path.write_bytes(b"".join(records))
        got = _cochange_edges(read_git(path, cochange_window="5D"))
        assert set(got) == set(expected)
        assert all(got[k] == pytest.approx(w, rel=1e-12) for k, w in expected.items())


# -- bots: strong signals only, each exclusion reported and overridable ------------------------


def test_bots_are_strong_signals_never_name_words(tmp_path):
    r = Repo(tmp_path / "repo")
    people = ["Travis Jenkins <travis@corp.com>", "Jenkins <jenkins@smallco.org>",
              "Abbot Talbot <abbot@corp.com>", "Robot Framework Fan <rf@corp.com>",
              "Ann Lee <123+annlee@users.noreply.github.com>"]  # fmt: skip
    bots = {"renovate[bot] <29139614+renovate[bot]@users.noreply.github.com>": "[bot] account",
            "GitHub <noreply@github.com>": "service address",
            "github-actions <actions@github.com>": "service address",
            "Copilot <198982749+Copilot@users.noreply.github.com>": "service address",
            "Deploy <no-reply@corp.com>": "no-reply address",
            "Mailer <donotreply@corp.com>": "no-reply address"}  # fmt: skip
    for i, who in enumerate([*people, *bots]):
        r.write("f.txt", [str(i)])
        r.commit(f"c{i}", who=who, day=f"2026-01-{i + 1:02d}")
    result = read_git(r.path)
    f = _balanced(result)
    expected = Counter(f"bot: {why}" for why in bots.values())
    assert f.rejected == expected
    assert set(result.people["person_id"]) == {re.search(r"<(.*)>", p).group(1).lower()
                                               for p in people}
    table = result.extras["bots"]
    assert sorted(zip(table["address"], table["reason"], strict=True)) == sorted(
        (re.search(r"<(.*)>", b).group(1).lower(), f"bot: {why}") for b, why in bots.items())
    assert (table["commits"] == 1).all()
    # overridable both ways: an address kept as a person, a pattern added
    kept = read_git(r.path, humans=["no-reply@corp.com"],
                    bots=[*DEFAULT_BOTS, r"<travis@corp\.com>"])  # fmt: skip
    g = _balanced(kept)
    assert g.rejected == expected - Counter({"bot: no-reply address": 1}) + Counter(
        {"bot: bots= pattern": 1})
    assert "no-reply@corp.com" in set(kept.people["person_id"])
