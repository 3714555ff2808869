"""Names written in survey answers, matched to roster people by exact rules only.

A survey answer names a person as a form tool's choice list or a respondent typed it: an
e-mail address, an employee id, a full name ("Ada Núñez", "Núñez, Ada", "ada nunez"). Each is
matched by the first exact rule that applies, and the rule is kept:

1. ``e-mail`` / ``person id`` / ``roster alias``: the handle rules of :mod:`ona.identity`
   (:func:`ona.identity.build_aliases`: case folding, ``+tag`` removal);
2. ``full name``: the roster name, case and spacing aside (two words or more: a first name
   alone never matches);
3. ``full name, surname first``: ``Last, First`` read as ``First Last``;
4. ``full name, accents folded``: ``Nunez`` for ``Núñez`` (only when the folded name is
   still unique on the roster).

A name that two roster people share is **ambiguous**; a name no rule matches is **unknown**.
Both are rejected, with suggestions (same first name, a similar full name, a similar mailbox
name) for a person to confirm; a suggestion is never applied.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ona.identity import build_aliases

__all__ = ["NameMatch", "NameMatcher", "fold_accents"]

# Answers that name no one (a form's "None" option, a dash typed into a text box).
NO_ONE = frozenset({"none", "no one", "nobody", "noone", "n/a", "na", "-", "--", "nil"})


def fold_accents(text: str) -> str:
    """``Núñez`` -> ``Nunez``: NFKD decomposition without the combining marks.

    Examples
    --------
    >>> fold_accents("Zoë Ångström")
    'Zoe Angstrom'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _name_key(text: Any) -> str | None:
    if not isinstance(text, str):
        return None
    words = unicodedata.normalize("NFKC", text).casefold().split()
    return " ".join(words) if len(words) >= 2 else None


@dataclass(frozen=True)
class NameMatch:
    """How one written name was read: ``status`` is ``matched``, ``ambiguous``, ``unknown``,
    ``handle`` (an e-mail address kept for identity resolution, without a roster) or
    ``no_roster`` (a name, but no roster to match it against)."""

    status: str
    person_id: str | None = None
    rule: str = ""
    candidates: tuple[str, ...] = ()
    suggestions: tuple[tuple[str, str], ...] = field(default=())  # (person_id, reason)


class NameMatcher:
    """Matches written names to roster people (see the module docstring).

    Parameters
    ----------
    roster : DataFrame or None
        A People table (``person_id``, ``name``, ``email``, ``aliases``); effective-dated rows
        of one person are one person. None: only e-mail addresses are kept, as handles.
    """

    def __init__(self, roster: pd.DataFrame | None):
        self.has_roster = roster is not None and len(roster) > 0
        self._memo: dict[str, NameMatch] = {}
        if not self.has_roster:
            return
        people = roster.drop_duplicates("person_id", keep="last")
        self.aliases = build_aliases(people)
        self.by_name: dict[str, set[str]] = defaultdict(set)
        self.by_folded: dict[str, set[str]] = defaultdict(set)
        self.by_first: dict[str, set[str]] = defaultdict(set)
        self.by_local: dict[str, set[str]] = defaultdict(set)
        self.primary: dict[str, str] = {}
        names = people["name"] if "name" in people.columns else pd.Series(None, index=people.index)
        emails = people["email"] if "email" in people.columns else pd.Series(None, index=people.index)
        for pid, name, email in zip(people["person_id"], names, emails, strict=True):
            pid = str(pid)
            self.primary[self.aliases.key(pid)[0]] = "person id"
            if isinstance(email, str):
                self.primary.setdefault(self.aliases.key(email)[0], "e-mail")
                self.by_local[email.casefold().partition("@")[0]].add(pid)
            key = _name_key(name)
            if key is not None:
                self.by_name[key].add(pid)
                self.by_folded[fold_accents(key)].add(pid)
                self.by_first[fold_accents(key.split()[0])].add(pid)

    def match(self, text: str) -> NameMatch:
        """Match one written name (memoised)."""
        if text not in self._memo:
            self._memo[text] = self._match(text.strip())
        return self._memo[text]

    def _match(self, text: str) -> NameMatch:
        if not self.has_roster:
            if "@" in text and " " not in text:
                return NameMatch("handle", text.casefold(), "e-mail, resolved later")
            return NameMatch("no_roster")
        key, _ = self.aliases.key(text)
        persons, _ = self.aliases.persons_of(key)
        if len(persons) == 1:
            return NameMatch("matched", next(iter(persons)), self.primary.get(key, "roster alias"))
        if len(persons) > 1:
            return self._ambiguous(persons, "one handle, several people")
        name = _name_key(text)
        if name is not None:
            tried = [(name, self.by_name, "full name")]
            if name.count(",") == 1:
                last, first = (p.strip() for p in name.split(","))
                tried.append((_name_key(f"{first} {last}"), self.by_name, "full name, surname first"))
            tried += [(fold_accents(k), self.by_folded, f"{rule}, accents folded")
                      for k, _, rule in list(tried) if k is not None]  # fmt: skip
            for k, index, rule in tried:
                found = index.get(k or "", set())
                if len(found) == 1:
                    return NameMatch("matched", next(iter(found)), rule)
                if len(found) > 1:
                    return self._ambiguous(found, "same full name")
        return NameMatch("unknown", suggestions=self._suggest(text))

    def _ambiguous(self, persons: set[str] | frozenset[str], reason: str) -> NameMatch:
        ordered = tuple(sorted(persons))
        return NameMatch("ambiguous", candidates=ordered, suggestions=tuple((p, reason) for p in ordered))

    def _suggest(self, text: str) -> tuple[tuple[str, str], ...]:
        """Possible people for an unknown name: a person confirms one, nothing is applied."""
        out: dict[str, str] = {}
        words = fold_accents(unicodedata.normalize("NFKC", text).casefold().replace(",", " ")).split()
        if not words:
            return ()
        whole = " ".join(words)
        for k in difflib.get_close_matches(whole, list(self.by_folded), n=3, cutoff=0.8):
            for pid in sorted(self.by_folded[k]):
                out.setdefault(pid, "similar full name")
        if len(words) == 1:
            for pid in sorted(self.by_first.get(words[0], ()))[:10]:
                out.setdefault(pid, "same first name")
        local = whole.partition("@")[0] if "@" in whole else None
        if local:
            for k in difflib.get_close_matches(local, list(self.by_local), n=3, cutoff=0.85):
                for pid in sorted(self.by_local[k]):
                    out.setdefault(pid, "similar mailbox name")
        return tuple(out.items())
