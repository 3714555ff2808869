"""Benchmark read_git on a generated repository against plain ``git log --numstat``.

The repository is written with ``git fast-import`` (seconds for 20,000 commits): 60 authors,
400 text files of 40 lines, each commit rewriting 1-6 lines in 1-3 files, one in ten with a
``Co-authored-by`` trailer, one in fifty by a bot. Three timings in the same run:

* baseline: ``git log --numstat`` of the whole history written to a file;
* ``read_git`` with its default relations (co-author, co-change);
* ``read_git(coedit=True)``: line owners carried forward through one streamed
  ``git log -p -U0``, with ``git blame`` only where a file version came out of a merge.

Run: ``.venv/bin/python benchmarks/bench_git.py [--quick]``.
"""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["make_repository", "run"]

N_FULL, N_QUICK = 20_000, 500


def _env(home: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(HOME=home, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    return env


def make_repository(path: Path, n_commits: int, *, seed: int = 0) -> Path:
    """Write a repository of ``n_commits`` linear commits to ``path`` with git fast-import."""
    rng = random.Random(seed)
    env = _env(str(path.parent))
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], env=env, check=True)
    authors = [(f"Dev {i}", f"dev{i}@example.org") for i in range(60)]
    files = {f"src/m{i // 20}/f{i}.txt": [f"line {j} v0" for j in range(40)] for i in range(400)}
    names = list(files)
    chunks: list[bytes] = []
    t0 = 1_700_000_000
    for n in range(1, n_commits + 1):
        if n % 50 == 0:
            name, email = "ci-bot[bot]", "ci-bot[bot]@users.noreply.github.com"
        else:
            name, email = authors[min(int(rng.paretovariate(1.2)) - 1, 59)]
        when = t0 + n * 600
        message = f"change {n}\n"
        if n % 10 == 0:
            co = authors[rng.randrange(60)]
            message += f"\nCo-authored-by: {co[0]} <{co[1]}>\n"
        touched = names if n == 1 else rng.sample(names, rng.randint(1, 3))
        body = [f"commit refs/heads/main\nmark :{n}\n",
                f"author {name} <{email}> {when} +0000\n",
                f"committer {name} <{email}> {when} +0000\n",
                f"data {len(message.encode())}\n{message}\n"]  # fmt: skip
        if n > 1:
            body.append(f"from :{n - 1}\n")
        for f in touched:
            lines = files[f]
            if n > 1:
                start = rng.randrange(len(lines))
                for k in range(start, min(len(lines), start + rng.randint(1, 6))):
                    lines[k] = f"line {k} v{n}"
            content = ("\n".join(lines) + "\n").encode()
            body.append(f"M 100644 inline {f}\ndata {len(content)}\n")
            chunks.append("".join(body).encode() + content + b"\n")
            body = []
        if body:
            chunks.append("".join(body).encode())
    subprocess.run(["git", "-C", str(path), "fast-import", "--quiet"], input=b"".join(chunks),
                   env=env, check=True)  # fmt: skip
    subprocess.run(["git", "-C", str(path), "reset", "-q", "--hard", "main"], env=env, check=True)
    return path


def _cpu() -> float:
    """CPU seconds of this process and its finished children (git)."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(fn) -> tuple[float, object]:
    """Wall seconds of ``fn()`` and its result; CPU seconds are kept in ``_timed.cpu``."""
    start, cpu = time.perf_counter(), _cpu()
    out = fn()
    _timed.cpu = _cpu() - cpu  # type: ignore[attr-defined]
    return time.perf_counter() - start, out


def run(quick: bool = False) -> list[dict]:
    from ona.importers.git import read_git

    n = N_QUICK if quick else N_FULL
    with tempfile.TemporaryDirectory(prefix="ona-bench-git-") as tmp:
        repo = make_repository(Path(tmp) / "repo", n)
        env = _env(tmp)

        def plain_log() -> None:
            with open(Path(tmp) / "log.txt", "wb") as out:
                subprocess.run(["git", "-C", str(repo), "log", "--numstat", "main"], stdout=out,
                               env=env, check=True)  # fmt: skip

        t_log, _ = _timed(plain_log)
        cpu_log = _timed.cpu  # type: ignore[attr-defined]
        t_read, result = _timed(lambda: read_git(repo))
        cpu_read = _timed.cpu  # type: ignore[attr-defined]
        report = result.report.files[0]
        assert report.read == n and report.balanced()
        t_coedit, coedited = _timed(lambda: read_git(repo, coedit=True))
        cpu_coedit = _timed.cpu  # type: ignore[attr-defined]
        n_edges = int((coedited.interactions["kind"] == "coedit").sum())

    rate_read, rate_log, rate_coedit = n / t_read, n / t_log, n / t_coedit
    return [
        {
            "name": f"read_git default relations, {n:,} commits",
            "seconds": t_read,
            "baseline_name": "git log --numstat > file",
            "baseline_seconds": t_log,
            "ratio": t_log / t_read,
            "target": "ratio >= 0.1 (within 10x of git writing its own log)",
            "passed": t_log / t_read >= 0.1,
            "notes": f"{rate_read:,.0f} commits/s vs git log {rate_log:,.0f} commits/s; "
            f"CPU s (with git) {cpu_read:.1f} vs {cpu_log:.1f}; "
            f"{len(result.interactions):,} interactions",
        },
        {
            "name": f"read_git coedit=True, {n:,} commits",
            "seconds": t_coedit,
            "baseline_name": "git log --numstat > file",
            "baseline_seconds": t_log,
            "ratio": t_log / t_coedit,
            "target": ">= 200 commits/s (git blame per file per commit managed about 30)",
            "passed": rate_coedit >= 200,
            "notes": f"{rate_coedit:,.0f} commits/s; CPU s (with git) {cpu_coedit:.1f}; "
            f"{n_edges:,} co-editing edges",
        },
    ]


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
