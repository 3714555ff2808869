"""Code ownership files as person–team affiliations: CODEOWNERS, component owners, MAINTAINERS.

In open-source and engineering settings the ownership files of a repository are the nearest
thing to an org chart. :func:`read_codeowners` turns them into Affiliations rows
``(person, group, group_type)``:

``CODEOWNERS`` (GitHub, GitLab)
    Each rule line ``pattern owner...`` is one record; every ``@user`` or e-mail owner joins the
    group named by the pattern (``group_type`` ``code_owner``). ``@org/team`` owners are teams
    whose members the file does not list: they are counted in the notes, not invented.
component-owner YAML (``component_owners.yml``, OpenTelemetry style)
    ``components:`` mapping a component path to a list of GitHub handles; each component is one
    record and its owners join the group named by the path (``code_owner``).
``MAINTAINERS`` (Linux-kernel style)
    Each section (a title line followed by ``M:``, ``R:``, ``F:``... lines) is one record;
    ``M:`` maintainers join the section as ``code_owner`` and ``R:`` reviewers as
    ``code_reviewer``. Only the e-mail is kept, never the name.

People are lower-cased logins (without ``@``) or lower-cased e-mails. There are no
interactions; the accounting is per rule, component or section.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ona._validation import validate_params
from ona.importers._base import Reader, ReadResult, Record, Rejected
from ona.importers._io import open_binary

__all__ = ["CodeownersReader", "read_codeowners"]

_EMAIL = re.compile(r"<?([^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)>?")
_LOGIN = re.compile(r"^@([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)$")
_TEAM = re.compile(r"^@[A-Za-z0-9][\w.-]*/[\w.-]+$")
_MAINTAINER_LINE = re.compile(r"^([A-Z]):\s*(.*)$")


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if name in ("codeowners", "codeowners.txt"):
        return "codeowners"
    if name.startswith("maintainers"):
        return "maintainers"
    if name.endswith((".yml", ".yaml")) and "owner" in name:
        return "components"
    return None


class CodeownersReader(Reader):
    """Read CODEOWNERS, component-owner YAML and MAINTAINERS files (see :func:`read_codeowners`)."""

    format = "codeowners"
    channel = "code"

    @classmethod
    def detect(cls, path: Path) -> bool:
        path = Path(path)
        return path.is_file() and _kind(path) is not None

    def _files(self) -> list[tuple[Path, str]]:
        if not self.path.is_dir():
            return [(self.path, _kind(self.path) or self._sniff(self.path))]
        found = []
        for p in sorted(self.path.rglob("*")):
            kind = _kind(p) if p.is_file() else None
            if kind and ".git" not in p.relative_to(self.path).parts[:1]:
                found.append((p, kind))
        return found

    @staticmethod
    def _sniff(path: Path) -> str:
        with open_binary(path) as fh:
            head = fh.read(4096)
        return "components" if head.lstrip().startswith(b"components:") else "codeowners"

    def records(self) -> Iterator[Record | Rejected]:
        for path, kind in self._files():
            with open_binary(path) as fh:
                text = fh.read().decode("utf-8", "replace")
            name = str(path.relative_to(self.path)) if self.path.is_dir() else path.name
            parse = {"codeowners": self._codeowners, "components": self._components,
                     "maintainers": self._maintainers}[kind]  # fmt: skip
            yield from parse(text, name)

    def _owner(self, token: str, group: str, group_type: str = "code_owner") -> bool:
        """Affiliate one owner token; False if it is not a person (a team, or unreadable)."""
        login = _LOGIN.match(token)
        if login:
            self._join(login.group(1).lower(), group, group_type)
            return True
        email = _EMAIL.fullmatch(token)
        if email:
            self._join(email.group(1).lower(), group, group_type)
            return True
        if _TEAM.match(token):
            self.note("team owners (members not listed)")
        else:
            self.note("unreadable owner tokens")
        return False

    def _join(self, person: str, group: str, group_type: str) -> None:
        self.add_person(person)
        self.add_affiliation(person, group, group_type)

    def _codeowners(self, text: str, name: str) -> Iterator[Record | Rejected]:
        section = ""
        for n, line in enumerate(text.splitlines(), 1):
            line = line.split(" #", 1)[0].strip()
            if not line or line.startswith("#"):
                continue
            location = f"{name}:{n}"
            if line.startswith(("[", "^[")):  # a GitLab section header
                section = line.split("]", 1)[0].lstrip("^[")
                continue
            pattern, *owners = re.split(r"(?<!\\)\s+", line)
            if pattern.startswith("@") or "@" in pattern and _EMAIL.fullmatch(pattern):
                yield Rejected(location, "rule without a path pattern")
                continue
            group = f"{section}:{pattern}" if section else pattern
            for token in owners:
                self._owner(token, group)
            if not owners:
                self.note("paths without owners")
            yield Record(f"{name}:{n}", location, [])

    def _components(self, text: str, name: str) -> Iterator[Record | Rejected]:
        # the subset of YAML these files use: "components:" mapping a path to a list of handles
        top: str | None = None
        current: tuple[str, int] | None = None  # (component, line)
        owners: list[str] = []
        for n, raw in enumerate(text.splitlines(), 1):
            line = raw.split(" #", 1)[0].rstrip()
            body = line.strip()
            if not body or body.startswith("#"):
                continue
            indent = len(line) - len(line.lstrip())
            if body.startswith("- ") and current is not None:
                owners.append(body[2:].strip().strip("'\""))
                continue
            if current is not None:
                yield self._component(name, current, owners)
                current, owners = None, []
            if indent == 0 and body.endswith(":"):
                top = body[:-1].strip()
            elif indent > 0 and body.endswith(":") and top == "components":
                current = (body[:-1].strip().strip("'\""), n)
            elif top not in (None, "components"):
                continue  # another top-level key: not ownership
            else:
                yield Rejected(f"{name}:{n}", "unreadable YAML line")
        if current is not None:
            yield self._component(name, current, owners)

    def _component(self, name: str, where: tuple[str, int], owners: list[str]) -> Record:
        component, n = where
        if not owners:
            self.note("components without owners")
        for handle in owners:
            self._owner(
                handle if handle.startswith("@") or "@" in handle else f"@{handle}", component
            )
        return Record(f"{name}:{component}", f"{name}:{n}", [])

    def _maintainers(self, text: str, name: str) -> Iterator[Record | Rejected]:
        # a section is a title line directly followed by "X:" tag lines, up to a blank line
        title: tuple[str, int] | None = None
        candidate: tuple[str, int] | None = None
        entries: list[tuple[str, str]] = []
        for n, line in enumerate([*text.splitlines(), ""], 1):
            m = _MAINTAINER_LINE.match(line)
            if m:
                if title is None:
                    if candidate is None:
                        self.note("maintainer lines outside a section")
                        continue
                    title, entries = candidate, []
                entries.append((m.group(1), m.group(2)))
                continue
            if title is not None:
                yield self._section(name, title, entries)
                title = None
            indented = line[:1] in ("\t", " ")
            candidate = (line.strip(), n) if line.strip() and not indented else None

    def _section(self, name: str, where: tuple[str, int], entries: list[tuple[str, str]]) -> Record:
        title, n = where
        for tag, value in entries:
            if tag in ("M", "R"):
                email = _EMAIL.search(value)
                if email:
                    group_type = "code_owner" if tag == "M" else "code_reviewer"
                    self._join(email.group(1).lower(), title, group_type)
                else:
                    self.note("maintainer lines without an e-mail")
        return Record(f"{name}:{title}", f"{name}:{n}", [])


@validate_params({"on_bad_lines": [lambda v: v in ("error", "warn", "skip")]})
def read_codeowners(path: str | Path, *, on_bad_lines: str = "warn") -> ReadResult:
    """Read code-ownership files into person–team affiliations.

    Parameters
    ----------
    path : str or Path
        A ``CODEOWNERS`` file, a component-owner YAML file (``components:`` → path → handles),
        a ``MAINTAINERS`` file, or a folder (a repository) searched for all three.
    on_bad_lines : {'warn', 'error', 'skip'}
        What to do with an unreadable line (always counted in the report).

    Returns
    -------
    ReadResult
        Affiliations ``(person, group, group_type)`` with ``group_type`` ``code_owner`` (or
        ``code_reviewer`` for MAINTAINERS ``R:``), people as logins or e-mails, no
        interactions, and the accounting per rule, component or section.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "CODEOWNERS"
    >>> _ = f.write_text("# owners\\n*.py @Ann @org/core\\n/docs/ bo@example.org\\n")
    >>> r = read_codeowners(f)
    >>> r.affiliations[["person", "group"]].values.tolist()
    [['ann', '*.py'], ['bo@example.org', '/docs/']]
    >>> r.report.files[0].notes["team owners (members not listed)"]
    1
    """
    return CodeownersReader(path, on_bad_lines=on_bad_lines).read()
