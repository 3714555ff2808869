"""Build the simulated monorepo with ``git fast-import`` and store it as a ``git bundle``.

A repository cannot be committed inside another one, so the sample carries a bundle (the file
``git clone`` and ``git fetch`` read). Everything git sees is fixed: author and committer names,
addresses and dates come from the simulation, the configuration is isolated from the user's
(``GIT_CONFIG_NOSYSTEM``, an empty ``HOME``), and packing runs on one thread, so the same
history gives the same commit ids and, with the same git version, the same bundle bytes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ona.datasets._code import Repo, tz_text
from ona.datasets._org import Org
from ona.datasets._process import month_of

__all__ = ["fast_import_stream", "git_env", "write_git_bundle"]


def git_env(home: Path) -> dict[str, str]:
    """An environment in which git ignores the user's and the system's configuration."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"HOME": str(home), "XDG_CONFIG_HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_CONFIG_GLOBAL": os.devnull, "LC_ALL": "C", "TZ": "UTC"})  # fmt: skip
    return env


def _data(payload: bytes) -> bytes:
    return b"data %d\n" % len(payload) + payload + b"\n"


def fast_import_stream(org: Org, repo: Repo) -> bytes:
    """The ``git fast-import`` input that rebuilds ``repo``'s history exactly."""
    marks: dict[str, int] = {}
    out = []
    last_main: dict[str, int] = {}
    for k, c in enumerate(repo.commits, start=1):
        marks[c["sha"]] = k
        lines = [f"commit refs/heads/{c['ref']}", f"mark :{k}"]
        for role in ("author", "committer"):
            name, email, t, tz = c[role]
            lines.append(f"{role} {name} <{email}> {t} {tz_text(tz)}")
        chunk = "\n".join(lines).encode() + b"\n" + _data(c["message"].encode())
        if c["parents"]:
            chunk += f"from :{marks[c['parents'][0]]}\n".encode()
            chunk += b"".join(f"merge :{marks[p]}\n".encode() for p in c["parents"][1:])
        for path, content in c["changed"].items():
            chunk += f"M 100644 inline {path}\n".encode() + _data(content)
        out.append(chunk + b"\n")
        if c["ref"] == "main":
            quarter = f"v{org.months[0].year}.{(month_of(org, c['author'][2]) // 3) + 1}"
            last_main[quarter] = k
    for tag, k in sorted(last_main.items()):
        out.append(f"reset refs/tags/{tag}\nfrom :{k}\n\n".encode())
    return b"".join(out)


def write_git_bundle(org: Org, repo: Repo, path: Path) -> Path:
    """Run ``git fast-import`` in a scratch repository and write ``git bundle create --all``."""
    git = shutil.which("git")
    if git is None:
        raise RuntimeError("writing the sample's git bundle needs the git command")
    with tempfile.TemporaryDirectory(prefix="ona-git-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        env = git_env(home)
        gitdir = Path(tmp) / "repo.git"

        def run(*args: str, stdin: bytes | None = None) -> bytes:
            return subprocess.run([git, *args], input=stdin, env=env, check=True, capture_output=True).stdout

        run("init", "--quiet", "--bare", "--initial-branch=main", str(gitdir))
        run(f"--git-dir={gitdir}", "fast-import", "--quiet", "--done", stdin=fast_import_stream(org, repo) + b"done\n")
        run(f"--git-dir={gitdir}", "update-ref", "-d", "refs/heads/topic")
        bundle = Path(tmp) / "out.bundle"
        run(f"--git-dir={gitdir}", "-c", "pack.threads=1", "bundle", "create", "--quiet", str(bundle), "--all")
        shutil.copyfile(bundle, path)
    return path
