"""Line-level co-editing from a repository: who overwrote whose lines (git2net's network).

For each non-merge commit, the lines it changes or deletes are found from a zero-context diff
against its first parent, and the commits that last wrote those lines are the ones
``git blame`` of the parent would name. The author of the commit is the *editor*; the authors
of those commits are the *overwritten* authors. This is the co-editing network of Gote,
Scholtes and Schweitzer (git2net, MSR 2019, doi:10.1109/MSR.2019.00070), reimplemented over the
git command line.

Running ``git blame`` once per changed file per commit walks the history again each time (hours
on a large repository). Instead, one streamed ``git log -p -U0 --full-index`` is read in
parent-before-child order (only its file headers and ``@@`` hunk headers; line content is
skipped, never kept), and the owner of every line is carried forward: the version of a file a
commit produces is keyed by (path, blob id), its lines' owners are those of the parent version
with the changed hunks replaced by the commit. That is what blame computes along a chain of
non-merge commits. Where the parent version is unknown (it came out of a merge, or was evicted
from the bounded cache) one ``git blame --porcelain`` of the whole file seeds it exactly.
"""

from __future__ import annotations

import logging
import re
import subprocess
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

__all__ = ["CoEditor", "FileDiff", "apply_hunks", "parse_diffs", "parse_porcelain"]

log = logging.getLogger("ona.importers")

_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_SHA = re.compile(rb"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")
_NULL_BLOB = re.compile(r"^0+$")
MAX_LINES = 20_000_000  # line owners kept in memory (about 160 MB); older versions re-blamed


class FileDiff(NamedTuple):
    """One file of a commit's diff: paths and blob ids before and after, and its hunks."""

    old_path: bytes | None  # None: the file was added
    new_path: bytes | None  # None: the file was deleted
    old_blob: str | None  # None when the diff does not say (a pure rename keeps the blob)
    new_blob: str | None
    hunks: list[tuple[int, int, int, int]]  # (old start, old count, new start, new count)
    binary: bool


def _unquote(raw: bytes) -> bytes:
    """Undo git's C-style quoting of a path in a diff header (``"t\\303\\251st"``)."""
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
            if nxt.isdigit():
                out.append(int(body[i + 1 : i + 4], 8))
                i += 4
                continue
            out += escapes.get(nxt, nxt)
            i += 2
            continue
        out += c
        i += 1
    return bytes(out)


class _File:
    __slots__ = ("binary", "hunks", "new_blob", "new_path", "old_blob", "old_path")

    def __init__(self) -> None:
        self.old_path: bytes | None = None
        self.new_path: bytes | None = None
        self.old_blob: str | None = None
        self.new_blob: str | None = None
        self.hunks: list[tuple[int, int, int, int]] = []
        self.binary = False

    def freeze(self) -> FileDiff:
        return FileDiff(self.old_path, self.new_path, self.old_blob, self.new_blob, self.hunks,
                        self.binary)  # fmt: skip


def parse_diffs(lines: Iterator[bytes]) -> Iterator[tuple[str, str | None, list[FileDiff]]]:
    """Parse ``git log -p -U0 --full-index --format=%x1e%H%x1f%P`` output, commit by commit.

    Yields (commit, first parent or None, files). Content lines are counted past using the hunk
    headers' line counts, never stored.
    """
    sha: str | None = None
    parent: str | None = None
    files: list[FileDiff] = []
    cur: _File | None = None
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
            if cur is not None:
                files.append(cur.freeze())
            if sha is not None:
                yield sha, parent, files
            head = line[1:].rstrip(b"\n").split(b"\x1f")
            sha = head[0].decode("ascii", "replace")
            parents = head[1].split() if len(head) > 1 else []
            parent = parents[0].decode("ascii") if parents else None
            files, cur = [], None
            continue
        m = _HUNK.match(line)
        if m and cur is not None:
            n_old = 1 if m.group(2) is None else int(m.group(2))
            n_new = 1 if m.group(4) is None else int(m.group(4))
            cur.hunks.append((int(m.group(1)), n_old, int(m.group(3)), n_new))
            skip = n_old + n_new
            continue
        line = line.rstrip(b"\n")
        if line.startswith(b"diff --git "):
            if cur is not None:
                files.append(cur.freeze())
            cur = _File()
        elif cur is None:
            continue
        elif line.startswith(b"index "):
            blobs = line[6:].split(b" ", 1)[0].split(b"..")
            if len(blobs) == 2:
                old, new = (b.decode("ascii", "replace") for b in blobs)
                cur.old_blob = None if _NULL_BLOB.match(old) else old
                cur.new_blob = None if _NULL_BLOB.match(new) else new
        elif line.startswith(b"--- "):
            name = _unquote(line[4:])
            cur.old_path = name[2:] if name.startswith(b"a/") else None
        elif line.startswith(b"+++ "):
            name = _unquote(line[4:])
            cur.new_path = name[2:] if name.startswith(b"b/") else None
        elif line.startswith(b"rename from "):
            cur.old_path = _unquote(line[12:])
        elif line.startswith(b"rename to "):
            cur.new_path = _unquote(line[10:])
        elif line.startswith(b"Binary files ") or line.startswith(b"GIT binary patch"):
            cur.binary = True
    if cur is not None:
        files.append(cur.freeze())
    if sha is not None:
        yield sha, parent, files


def apply_hunks(
    owners: list[str], hunks: list[tuple[int, int, int, int]], me: str, overwritten: Counter
) -> list[str] | None:
    """The line owners after a commit's zero-context hunks; count the owners it overwrote.

    Returns None if the hunks do not fit ``owners`` (a state that cannot be the parent's).

    Examples
    --------
    >>> seen = Counter()
    >>> apply_hunks(["a", "a", "b", "b"], [(2, 2, 2, 1), (4, 0, 4, 2)], "c", seen)
    ['a', 'c', 'b', 'c', 'c']
    >>> dict(seen)
    {'a': 1, 'b': 1}
    """
    out: list[str] = []
    pos = 0
    for old_start, n_old, new_start, n_new in hunks:
        start = old_start - 1 if n_old else old_start
        if start < pos or start + n_old > len(owners):
            return None
        out.extend(owners[pos:start])
        if len(out) != (new_start - 1 if n_new else new_start):
            return None
        for owner in owners[start : start + n_old]:
            overwritten[owner] += 1
        out.extend([me] * n_new)
        pos = start + n_old
    out.extend(owners[pos:])
    return out


def parse_porcelain(out: bytes) -> tuple[list[str], dict[str, tuple[str, str]]]:
    """Read ``git blame --porcelain``: the commit of each line, and {commit: (name, e-mail)}."""
    lines: list[str] = []
    who: dict[str, list[str]] = {}
    current = ""
    for line in out.split(b"\n"):
        if line.startswith(b"\t"):
            lines.append(current)
        elif line.startswith(b"author "):
            who.setdefault(current, ["", ""])[0] = line[7:].decode("utf-8", "replace")
        elif line.startswith(b"author-mail "):
            mail = line[12:].strip().strip(b"<>").decode("utf-8", "replace").lower()
            who.setdefault(current, ["", ""])[1] = mail
        else:
            head = line.split(b" ", 1)[0]
            if _SHA.match(head):
                current = head.decode("ascii")
    return lines, {k: (v[0], v[1]) for k, v in who.items()}


class CoEditor:
    """Follows line ownership through a history, one commit at a time, in log order.

    Parameters
    ----------
    git : list of str
        The git command prefix (``git -C repo -c ...``).
    revs : list of str
        The same revision arguments as the main log, so both streams list commits in one order.
    resolve : callable
        ``resolve(sha, name, email) -> handle or None`` (None: a bot, left out).
    limit : int or None
        At most this many commits are analysed; the rest are counted in the notes.
    progress : callable or None
        ``progress(done, total)`` after each commit.
    note : callable
        The reader's ``note`` (data-quality counts).
    max_lines : int, optional
        Line owners kept in memory (default :data:`MAX_LINES`); older file versions are evicted
        and re-blamed if needed.
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
        max_lines: int | None = None,
    ):
        self.git, self.revs, self.resolve = git, revs, resolve
        self.limit, self.progress, self.note = limit, progress, note
        self.max_lines = MAX_LINES if max_lines is None else max_lines
        self.done = 0  # commits passed (analysed or skipped), for progress
        self.analysed = 0
        self.total: int | None = None
        self._proc: subprocess.Popen | None = None
        self._stream: Iterator[tuple[str, str | None, list[FileDiff]]] | None = None
        self._owners: OrderedDict[tuple[bytes, str], list[str]] = OrderedDict()
        self._n_lines = 0
        self._renamed: dict[bytes, bytes] = {}  # new path -> old path of a pure rename
        self._who: dict[str, tuple[str, str]] = {}  # commit -> (name, e-mail) from blame

    def _start(self) -> None:
        count = subprocess.run(
            [*self.git, "rev-list", "--count", "--no-merges", *self.revs],
            capture_output=True, check=False,
        )  # fmt: skip
        self.total = int(count.stdout) if count.returncode == 0 and count.stdout.strip() else None
        cmd = [*self.git, "log", "--reverse", "--date-order", "--no-merges", "-M", "-p", "-U0",
               "--full-index", "--no-color", "--no-ext-diff", "--no-textconv",
               "--format=%x1e%H%x1f%P", *self.revs]  # fmt: skip
        self._proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._stream = parse_diffs(iter(self._proc.stdout))  # type: ignore[arg-type]

    def close(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc.stdout.close()  # type: ignore[union-attr]
            self._proc = None
        self._owners.clear()

    def _next(self, sha: str) -> tuple[str, str | None, list[FileDiff]] | None:
        """Apply every commit of the stream up to ``sha``; return ``sha``'s diff."""
        if self._stream is None:
            self._start()
        for item in self._stream:  # type: ignore[union-attr]
            if item[0] == sha:
                return item
            self._track(item, Counter())  # a commit the main log did not ask about
        return None

    def _advance(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)

    def skip(self, sha: str) -> None:
        """Follow a commit the reader leaves out (a bot's, outside the period): its lines still
        change owners, but it makes no edges."""
        if self.limit is None or self.analysed < self.limit:
            item = self._next(sha)
            if item is not None:
                self._track(item, Counter())
        self._advance()

    def edits(self, sha: str) -> Counter:
        """Lines of each earlier author that commit ``sha`` changed or deleted."""
        overwritten: Counter = Counter()
        if self.limit is not None and self.analysed >= self.limit:
            self.note("commits left out of co-editing (limit reached)")
            self._advance()
            return overwritten
        item = self._next(sha)
        self.analysed += 1
        self._advance()
        if item is None:
            return overwritten
        blamed: Counter = Counter()
        self._track(item, blamed)
        for commit, n in blamed.items():
            name, email = self._who.get(commit, ("", ""))
            handle = self.resolve(commit, name, email)
            if handle is None:
                self.note("co-editing: lines of a bot left out", n)
            else:
                overwritten[handle] += n
        return overwritten

    # -- line ownership ------------------------------------------------------------------------
    def _track(self, item: tuple[str, str | None, list[FileDiff]], blamed: Counter) -> None:
        sha, parent, files = item
        for f in files:
            if f.binary:
                continue
            if f.old_blob is None and f.new_blob is None and f.old_path and f.new_path:
                if not f.hunks:  # a pure rename: same lines, same owners
                    self._renamed[f.new_path] = self._renamed.get(f.old_path, f.old_path)
                continue
            if f.old_path is None:
                owners: list[str] | None = []
            else:
                owners = self._lookup(f.old_path, f.old_blob)
                if owners is None and parent is not None:
                    owners = self._blame(parent, f.old_path)
                if owners is None:
                    self.note("co-editing: file versions that could not be blamed")
                    continue
            new = apply_hunks(owners, f.hunks, sha, blamed)  # type: ignore[arg-type]
            if new is None:
                self.note("co-editing: diffs that did not fit the file")
                continue
            if f.new_path is not None and f.new_blob is not None:
                self._store((f.new_path, f.new_blob), new)

    def _lookup(self, path: bytes, blob: str | None) -> list[str] | None:
        if blob is None:
            return None
        for p in (path, self._renamed.get(path)):
            if p is not None and (p, blob) in self._owners:
                self._owners.move_to_end((p, blob))
                return self._owners[(p, blob)]
        return None

    def _store(self, key: tuple[bytes, str], owners: list[str]) -> None:
        old = self._owners.pop(key, None)
        self._n_lines += len(owners) - (len(old) if old is not None else 0)
        self._owners[key] = owners
        while self._n_lines > self.max_lines and len(self._owners) > 1:
            _, evicted = self._owners.popitem(last=False)
            self._n_lines -= len(evicted)

    def _blame(self, parent: str, path: bytes) -> list[str] | None:
        run = subprocess.run(
            [*self.git, "blame", "--porcelain", parent, "--", path],  # type: ignore[list-item]
            capture_output=True, check=False,
        )  # fmt: skip
        if run.returncode != 0:
            return None
        self.note("co-editing: files blamed with git blame")
        owners, who = parse_porcelain(run.stdout)
        self._who.update(who)
        return owners
