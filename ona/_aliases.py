"""Alias tables: what is known to link a person's handles, and the exact rules that match them.

Used by :mod:`ona.identity` (which re-exports the public names); see its docstring.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parseaddr
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from ona._validation import validate_params
from ona.exceptions import BadInputError
from ona.tables import validate_people

__all__ = [
    "AliasTable",
    "build_aliases",
    "is_email",
    "normalise_handle",
    "parse_mailmap",
    "split_handles",
]

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>.]+$")
_PREFIX = re.compile(r"^(mailto|smtp|sip|x500):", re.IGNORECASE)
_GMAIL = {"gmail.com", "googlemail.com"}
_NO_TAG_DOMAINS = {"users.noreply.github.com"}  # <id>+<login>@...: the tag is the identity
_MAILMAP_PAIR = re.compile(r"([^<>]*)<([^<>]*)>")


def is_email(handle: str) -> bool:
    """Strict: ``local@domain.tld``, one ``@``, no spaces."""
    return bool(_EMAIL.match(handle))


def normalise_handle(
    handle: str, *, plus_tags: bool = True, gmail_dots: bool = False
) -> tuple[str, tuple[str, ...]]:
    """The matching key of a handle, and the rules that changed it.

    Parameters
    ----------
    handle : str
        An e-mail address (bare, ``<...>``, ``mailto:`` or ``Name <addr>``) or another handle
        (chat user id, username).
    plus_tags : bool, default True
        Drop ``+tag`` from the local part of an address.
    gmail_dots : bool, default False
        Drop dots from the local part of Gmail addresses (Gmail ignores them).

    Returns
    -------
    (key, rules)
        ``rules`` names each rule applied, among ``"address extracted"``, ``"case folded"``,
        ``"+tag removed"``, ``"gmail dots removed"``; empty for an exact match.

    Examples
    --------
    >>> normalise_handle("Ann Lee <Ann+News@Corp.com>")
    ('ann@corp.com', ('address extracted', 'case folded', '+tag removed'))
    >>> normalise_handle("a.n.n@gmail.com", gmail_dots=True)
    ('ann@gmail.com', ('gmail dots removed',))
    >>> normalise_handle("U024BE7LH")
    ('u024be7lh', ('case folded',))
    """
    rules: list[str] = []
    text = handle.strip()
    if "<" in text and "@" in text:
        address = parseaddr(text)[1]
        if address and address != text:
            text = address
            rules.append("address extracted")
    stripped = _PREFIX.sub("", text.strip("<> "))
    if stripped != text and "address extracted" not in rules:
        rules.append("address extracted")
    folded = stripped.casefold()
    if folded != stripped:
        rules.append("case folded")
    if not is_email(folded):
        return folded, tuple(rules)
    local, _, domain = folded.rpartition("@")
    if plus_tags and "+" in local and domain not in _NO_TAG_DOMAINS:
        local = local.split("+", 1)[0] or local
        rules.append("+tag removed")
    if gmail_dots and domain in _GMAIL:
        undotted = local.replace(".", "")
        domain = "gmail.com"
        if undotted != local:
            rules.append("gmail dots removed")
        local = undotted
    return f"{local}@{domain}", tuple(rules)


def parse_mailmap(text: str) -> list[tuple[str, str, str]]:
    """The e-mail links of a ``.mailmap``: ``(commit_email, proper_email, proper_name)``.

    Lines naming only a proper name for an address (``Name <addr>``) link nothing.

    Examples
    --------
    >>> parse_mailmap("Ann Lee <ann@corp.com> <ann@laptop.local>\\n# comment\\nBo <bo@corp.com>")
    [('ann@laptop.local', 'ann@corp.com', 'Ann Lee')]
    """
    links = []
    for line in text.splitlines():
        line = line.split("#", 1)[0] if line.lstrip().startswith("#") else line
        pairs = _MAILMAP_PAIR.findall(line)
        if len(pairs) < 2:
            continue
        (proper_name, proper_email), (_, commit_email) = pairs[0], pairs[1]
        proper_email, commit_email = proper_email.strip(), commit_email.strip()
        if proper_email and commit_email and proper_email.lower() != commit_email.lower():
            links.append((commit_email, proper_email, proper_name.strip()))
    return links


@dataclass
class AliasTable:
    """What is known to link handles to roster people (built by :func:`build_aliases`).

    Attributes
    ----------
    links : DataFrame
        ``handle`` (a normalised key), ``target`` (a roster person id, or another key),
        ``to_person`` (bool), ``source`` (where the link comes from: ``roster``, ``mailmap``,
        ``directory:<name>``, ``alias file``).
    people : DataFrame
        The roster (canonical People table), possibly empty.
    names : dict
        Normalised key -> display name seen for it (for suggestions only).
    """

    links: pd.DataFrame
    people: pd.DataFrame
    names: dict[str, str] = field(default_factory=dict)
    plus_tags: bool = True
    gmail_dots: bool = False

    def __post_init__(self) -> None:
        self._out: dict[str, list[tuple[str, bool, str]]] = defaultdict(list)
        for h, t, p, s in self.links[["handle", "target", "to_person", "source"]].itertuples(
            index=False
        ):
            self._out[h].append((t, bool(p), s))
        self._memo: dict[str, tuple[frozenset[str], str]] = {}

    @cached_property
    def internal_domains(self) -> frozenset[str]:
        """The domains of the roster's e-mail addresses and aliases."""
        out = set()
        for value in pd.concat([self.people["email"], self.people["aliases"]]).dropna():
            for handle in split_handles(value):
                k = self.key(handle)[0]
                if is_email(k):
                    out.add(k.rpartition("@")[2])
        return frozenset(out)

    @cached_property
    def suggestion_index(self) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """Roster people by full display name, and by mailbox name of two or more parts."""
        by_name: dict[str, set[str]] = defaultdict(set)
        by_local: dict[str, set[str]] = defaultdict(set)
        for pid, name, email in self.people[["person_id", "name", "email"]].itertuples(index=False):
            if (k := name_key(name)) is not None:
                by_name[k].add(pid)
            if isinstance(email, str) and is_email(email.casefold()):
                local = email.casefold().rpartition("@")[0]
                if len(re.split(r"[._-]", local)) >= 2:  # "ann.lee", never "info" or "ann"
                    by_local[local].add(pid)
        return by_name, by_local

    def key(self, handle: str) -> tuple[str, tuple[str, ...]]:
        """:func:`normalise_handle` with this table's rules."""
        return normalise_handle(handle, plus_tags=self.plus_tags, gmail_dots=self.gmail_dots)

    def persons_of(self, key: str) -> tuple[frozenset[str], str]:
        """The roster people a normalised key leads to, and the chain of sources that did it."""
        if key in self._memo:
            return self._memo[key]
        found: dict[str, str] = {}
        seen = {key}
        frontier = [(key, "")]
        while frontier:  # breadth first: the shortest explanation is kept
            nxt = []
            for h, how in frontier:
                for target, to_person, source in self._out.get(h, ()):
                    chain = f"{how} > {source}" if how else source
                    if to_person:
                        found.setdefault(target, chain)
                    elif target not in seen:
                        seen.add(target)
                        nxt.append((target, chain))
            frontier = nxt
        result = (frozenset(found), "; ".join(found[p] for p in sorted(found)))
        self._memo[key] = result
        return result


def name_key(name: object) -> str | None:
    """A display name for exact comparison (case and spacing aside); None for one word."""
    if not isinstance(name, str):
        return None
    words = name.casefold().split()
    return " ".join(words) if len(words) >= 2 else None  # single tokens never match (strict)


def _as_people(roster: Any) -> pd.DataFrame:
    if roster is None:
        return validate_people(pd.DataFrame({"person_id": pd.Series(dtype="string")}))
    if hasattr(roster, "people"):  # a ReadResult
        roster = roster.people
    if isinstance(roster, (str, Path)):
        from ona.importers.roster import read_roster

        roster = read_roster(roster).people
    return validate_people(roster)


def split_handles(value: object) -> list[str]:
    if not isinstance(value, str):
        return []
    return [p.strip() for p in re.split(r"[;,|]", value) if p.strip()]


def _named(items: Any, default: str) -> list[tuple[str, Any]]:
    if items is None:
        return []
    if isinstance(items, Mapping):
        return [(str(k), v) for k, v in items.items()]
    if isinstance(items, (str, Path, pd.DataFrame)) or hasattr(items, "people"):
        items = [items]
    return [(f"{default} {i}" if len(items) > 1 else default, v) for i, v in enumerate(items, 1)]


def _alias_frame(value: Any) -> pd.DataFrame:
    if isinstance(value, pd.DataFrame):
        return value
    from ona.importers._tabular import iter_rows

    return pd.DataFrame([row for _, row in iter_rows(value)], dtype="string")


_ALIAS_COLUMNS = ("alias", "handle", "identity", "username", "user_id", "login", "address")
_TARGET_COLUMNS = ("person_id", "employee_id", "email", "primary_email")


@validate_params({"plus_tags": [bool], "gmail_dots": [bool]})
def build_aliases(
    roster: Any = None,
    *,
    mailmaps: Any = None,
    directories: Any = None,
    alias_files: Any = None,
    plus_tags: bool = True,
    gmail_dots: bool = False,
) -> AliasTable:
    """Collect every known link between handles and roster people into an :class:`AliasTable`.

    Parameters
    ----------
    roster : DataFrame, ReadResult, path or None
        The People table (:func:`ona.read_roster`); its ``person_id``, ``email`` and ``aliases``
        (';'-separated) identify each person.
    mailmaps : path, str of .mailmap text, or a list or {name: ...} of them, optional
        ``.mailmap`` files (a Path, or a str without ``<``) or their text.
    directories : DataFrame, ReadResult, or a list or {name: ...} of them, optional
        People tables of chat or code readers: ``person_id`` is the native handle (a Slack
        user id), ``email`` and ``aliases`` link it, ``name`` feeds suggestions only.
    alias_files : path, DataFrame, or a list or {name: ...} of them, optional
        Explicit links: an ``alias`` (or ``handle``/``username``/``login``) column and a
        ``person_id`` (or ``email``) column.
    plus_tags, gmail_dots : bool
        Normalisation rules (see :func:`normalise_handle`), used for every handle.

    Returns
    -------
    AliasTable

    Examples
    --------
    >>> import pandas as pd
    >>> roster = pd.DataFrame({"person_id": ["E1"], "email": ["ann@corp.com"],
    ...                        "aliases": ["ann.lee@old-corp.com"]})
    >>> slack = pd.DataFrame({"person_id": ["U1"], "email": ["Ann@corp.com"]})
    >>> table = build_aliases(roster, directories={"slack": slack})
    >>> table.persons_of("u1")
    (frozenset({'E1'}), 'directory:slack > roster')
    """
    people = _as_people(roster)
    names: dict[str, str] = {}
    rows: list[tuple[str, str, bool, str]] = []

    def key(handle: str) -> str:
        return normalise_handle(handle, plus_tags=plus_tags, gmail_dots=gmail_dots)[0]

    for pid, email, aliases, name in people[["person_id", "email", "aliases", "name"]].itertuples(
        index=False
    ):
        for handle in [pid, email, *split_handles(aliases)]:
            if isinstance(handle, str) and handle.strip():
                rows.append((key(handle), pid, True, "roster"))
        if isinstance(name, str) and isinstance(email, str):
            names.setdefault(key(email), name)

    for label, value in _named(mailmaps, "mailmap"):
        text = value
        if isinstance(value, Path) or (isinstance(value, str) and "<" not in value):
            text = Path(value).read_text(encoding="utf-8", errors="replace")
        for commit, proper, proper_name in parse_mailmap(text):
            rows.append((key(commit), key(proper), False, label))
            if proper_name:
                names.setdefault(key(commit), proper_name)

    for label, value in _named(directories, "directory"):
        frame = value.people if hasattr(value, "people") else value
        for row in frame.to_dict("records"):
            handle = row.get("person_id")
            if not isinstance(handle, str):
                continue
            hkey = key(handle)
            for other in [row.get("email"), *split_handles(row.get("aliases"))]:
                if isinstance(other, str) and other.strip() and key(other) != hkey:
                    rows.append((hkey, key(other), False, f"directory:{label}"))
            if isinstance(row.get("name"), str):
                names.setdefault(hkey, row["name"])

    roster_ids = set(people["person_id"])
    for label, value in _named(alias_files, "alias file"):
        frame = _alias_frame(value)
        lower = {c.lower(): c for c in frame.columns}
        alias_col = next((lower[c] for c in _ALIAS_COLUMNS if c in lower), None)
        target_col = next((lower[c] for c in _TARGET_COLUMNS if c in lower), None)
        if alias_col is None or target_col is None:
            raise BadInputError(label, None, "an alias file needs an alias and a person_id column")
        for alias, target in frame[[alias_col, target_col]].itertuples(index=False):
            if not (isinstance(alias, str) and isinstance(target, str) and alias and target):
                continue
            if target in roster_ids:
                rows.append((key(alias), target, True, label))
            else:
                rows.append((key(alias), key(target), False, label))

    links = pd.DataFrame(rows, columns=["handle", "target", "to_person", "source"])
    links = links.drop_duplicates(ignore_index=True)
    return AliasTable(links, people, names, plus_tags=plus_tags, gmail_dots=gmail_dots)
