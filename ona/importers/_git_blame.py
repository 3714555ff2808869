"""Line-level co-editing from a repository: who overwrote whose lines (git2net's network).

For each non-merge commit, the lines it changes or deletes are found from a zero-context diff
against its first parent (one streamed ``git log -p -U0`` for the whole history, read only for
its ``@@`` hunk headers and file names; line content is skipped, never kept), and
``git blame`` of the parent on exactly those lines names the commits that last wrote them. The
author of the commit is the *editor*; the authors of the blamed commits are the *overwritten*
authors. This is the co-editing network of Gote, Scholtes and Schweitzer (git2net, MSR 2019,
doi:10.1109/MSR.2019.00070), reimplemented over the git command line: one blame per changed
file per commit, so it is the slow path (opt-in, with a progress callback and a cap).
"""

from __future__ import annotations

import logging
import re
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["CoEditor", "parse_hunks", "parse_porcelain"]

log = logging.getLogger("ona.importers")

_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_SHA = re.compile(rb"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")

# (sha, first parent or None, [(path in the parent, [(first line, n lines), ...]), ...])
Hunks = tuple[str, str | None, list[tuple[bytes, list[tuple[int, int]]]]]


def _unquote(raw: bytes) -> bytes:
    """Undo git's C-style quoting of a path in a diff header (``"a/t\\303\\251st"``)."""
    if not raw.startswith(b'"'):
        return raw
    body = raw[1:-1] if raw.endswith(b'"') else raw[1:]
    escapes = {b"n": b"\n", b"t": b"\t", b'"': b'"', b"\\": b"\\", b"a": b"\a", b"b": b"\b",
               b"f": b"\f", b"r": b"\r", b"v": b"\v"}  # fmt: skip
    out, i = bytearray(), 0
    while i < len(body):
        c = body[i : i + 1]
        if c == b"\\" and i + 1 < len(body):
            nxt = body[i + 1 : i + 2]
            if nxt.isdigit() and i + 3 < len(body) + 1:
                out.append(int(body[i + 1 : i + 4], 8))
                i += 4
                continue
            out += escapes.get(nxt, nxt)
            i += 2
            continue
        out += c
        i += 1
    return bytes(out)


def parse_hunks(lines: Iterator[bytes]) -> Iterator[Hunks]:
    """Parse ``git log -p -U0 --format=%x1e%H%x1f%P`` output into removed-line ranges.

    Content lines are counted past (using the hunk header's line counts), never stored.
    """
    sha: str | None = None
    parent: str | None = None
    files: list[tuple[bytes, list[tuple[int, int]]]] = []
    old_path: bytes | None = None
    skip = 0  # content lines left in the current hunk
    for line in lines:
        if skip:
            if line[:1] in (b"-", b"+"):
                skip -= 1
                continue
            skip = 0  # a malformed hunk: resynchronise on headers
        if line.startswith(b"\\"):
            continue  # "\ No newline at end of file"
        if line.startswith(b"\x1e"):
            if sha is not None:
                yield sha, parent, [f for f in files if f[1]]
            head = line[1:].rstrip(b"\n").split(b"\x1f")
            sha = head[0].decode("ascii", "replace")
            parents = head[1].split() if len(head) > 1 else []
            parent = parents[0].decode("ascii") if parents else None
            files, old_path = [], None
            continue
        if line.startswith(b"--- "):
            name = _unquote(line[4:].rstrip(b"\n"))
            old_path = name[2:] if name.startswith(b"a/") else None  # /dev/null: a new file
            if old_path is not None:
                files.append((old_path, []))
            continue
        m = _HUNK.match(line)
        if m:
            start = int(m.group(1))
            n_old = 1 if m.group(2) is None else int(m.group(2))
            n_new = 1 if m.group(4) is None else int(m.group(4))
            skip = n_old + n_new
            if old_path is not None and n_old > 0:
                files[-1][1].append((start, n_old))
    if sha is not None:
        yield sha, parent, [f for f in files if f[1]]


def parse_porcelain(out: bytes) -> tuple[Counter, dict[str, tuple[str, str]]]:
    """Count blamed lines per commit in ``git blame --porcelain`` output.

    Returns (lines per commit sha, {sha: (author name, author e-mail)}).
    """
    counts: Counter = Counter()
    who: dict[str, list[str]] = {}
    current = ""
    for line in out.split(b"\n"):
        if line.startswith(b"\t"):
            counts[current] += 1
        elif line.startswith(b"author "):
            who.setdefault(current, ["", ""])[0] = line[7:].decode("utf-8", "replace")
        elif line.startswith(b"author-mail "):
            mail = line[12:].strip().strip(b"<>").decode("utf-8", "replace").lower()
            who.setdefault(current, ["", ""])[1] = mail
        else:
            head = line.split(b" ", 1)[0]
            if _SHA.match(head):
                current = head.decode("ascii")
    return counts, {k: (v[0], v[1]) for k, v in who.items()}


class CoEditor:
    """Streams the hunks of a history and blames them, one commit at a time, in log order.

    Parameters
    ----------
    git : list of str
        The git command prefix (``git -C repo -c ...``).
    revs : list of str
        The same revision arguments as the main log, so both streams list commits in one order.
    resolve : callable
        ``resolve(sha, name, email) -> handle or None`` (None: a bot, left out).
    limit : int or None
        At most this many commits are blamed; the rest are counted in the notes.
    progress : callable or None
        ``progress(done, total)`` after each commit.
    note : callable
        The reader's ``note`` (data-quality counts).
    """

    def __init__(
        self,
        git: list[str],
        revs: list[str],
        resolve: Callable[[str, str, str], str | None],
        *,
        limit: int | None,
        progress: Callable[[int, int | None], Any] | None,
        note: Callable[..., None],
    ):
        self.git, self.revs, self.resolve = git, revs, resolve
        self.limit, self.progress, self.note = limit, progress, note
        self.done = 0  # commits passed (analysed or skipped), for progress
        self.analysed = 0
        self.total: int | None = None
        self._proc: subprocess.Popen | None = None
        self._stream: Iterator[Hunks] | None = None
        self._peek: Hunks | None = None

    def _start(self) -> None:
        count = subprocess.run(
            [*self.git, "rev-list", "--count", "--no-merges", *self.revs],
            capture_output=True, check=False,
        )  # fmt: skip
        self.total = int(count.stdout) if count.returncode == 0 and count.stdout.strip() else None
        cmd = [*self.git, "log", "--reverse", "--date-order", "--no-merges", "-M", "-p", "-U0",
               "--no-color", "--no-ext-diff", "--no-textconv", "--format=%x1e%H%x1f%P",
               *self.revs]  # fmt: skip
        self._proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._stream = parse_hunks(iter(self._proc.stdout))  # type: ignore[arg-type]

    def close(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc.stdout.close()  # type: ignore[union-attr]
            self._proc = None

    def _hunks_of(self, sha: str) -> Hunks | None:
        if self._stream is None:
            self._start()
        while True:
            if self._peek is None:
                self._peek = next(self._stream, None)  # type: ignore[arg-type]
                if self._peek is None:
                    return None
            item, self._peek = self._peek, None
            if item[0] == sha:
                return item

    def skip(self) -> None:
        """Count a non-merge commit the reader left out (a bot's, outside the period)."""
        if self._stream is None:
            self._start()
        self._advance()

    def _advance(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)

    def edits(self, sha: str) -> Counter:
        """Lines of each earlier author that commit ``sha`` changed or deleted."""
        if self.limit is not None and self.analysed >= self.limit:
            self.note("commits left out of co-editing (limit reached)")
            self._advance()
            return Counter()
        hunks = self._hunks_of(sha)
        self.analysed += 1
        self._advance()
        overwritten: Counter = Counter()
        if hunks is None or hunks[1] is None:
            return overwritten
        _, parent, files = hunks
        for path, ranges in files:
            args = [a for start, n in ranges for a in ("-L", f"{start},+{n}")]
            run = subprocess.run(
                [*self.git, "blame", "--porcelain", *args, parent, "--", path],  # type: ignore[list-item]
                capture_output=True, check=False,
            )  # fmt: skip
            if run.returncode != 0:
                self.note("co-editing: blame failed for a file")
                continue
            counts, who = parse_porcelain(run.stdout)
            for blamed, n in counts.items():
                name, email = who.get(blamed, ("", ""))
                handle = self.resolve(blamed, name, email)
                if handle is None:
                    self.note("co-editing: lines of a bot left out", n)
                    continue
                overwritten[handle] += n
        return overwritten
