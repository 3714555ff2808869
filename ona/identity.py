"""Identity resolution: one person across e-mail, chat and code, by exact explainable rules.

A person has many handles: e-mail addresses and aliases, Slack/Teams/Mattermost user ids, git
e-mails. :func:`build_aliases` collects what is *known* to link them (after GrimoireLab
SortingHat's model of one individual with many identities):

* the roster: each person's id, primary e-mail and ``aliases`` (proxy addresses, old domains);
* ``.mailmap`` files: a commit e-mail is the same person as the proper e-mail;
* chat user directories: the People table a chat reader returns (Slack ``users.json`` gives
  ``person_id="U…"`` with ``email``), linking the user id to the address;
* explicit alias files: a CSV of ``alias`` and ``person_id`` (or ``email``) columns.

Matching is **exact** on normalised handles, and every match says which rule made it: case
folding; ``+tag`` removal (``ann+lists@corp.com`` is ``ann@corp.com``; not for GitHub noreply
addresses, where the tag is the login); Gmail dot-folding only when asked. Nothing is merged by
similarity: a handle that only *looks like* someone (the same two-word display name, or the same
mailbox name at another domain) is listed in ``report.suggestions`` for a person to confirm and
then add to an alias file. A handle linked to two people is ambiguous and left unresolved.

:func:`resolve_identities` replaces ``source``/``target`` by person ids and classifies every
identity outside the roster as ``external`` (an address outside the internal domains),
``unmatched_internal`` (an internal-looking address not on the roster), ``unmatched`` (a non-mail
handle with no link) or ``ambiguous``; they are kept, with a ``status`` in the People table, so
analyses can include or exclude them (:func:`filter_by_status`). The :class:`MatchReport`
counts identities per source and status, and its counts add up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ona._aliases import (
    AliasTable,
    build_aliases,
    is_email,
    name_key,
    normalise_handle,
    parse_mailmap,
)
from ona._validation import Options, validate_params
from ona.exceptions import TableError
from ona.tables import validate_people

__all__ = [
    "STATUSES",
    "AliasTable",
    "IdentityResolution",
    "MatchReport",
    "build_aliases",
    "filter_by_status",
    "normalise_handle",
    "parse_mailmap",
    "resolve_identities",
]

# People.status after resolution; identities use "matched" where people use "roster".
STATUSES = ("roster", "external", "unmatched_internal", "unmatched", "ambiguous")
IDENTITY_STATUSES = ("matched", "external", "unmatched_internal", "unmatched", "ambiguous")

# ---------------------------------------------------------------------------------------------
# Resolution


@dataclass
class MatchReport:
    """What identity resolution did, with counts that add up.

    Attributes
    ----------
    identities : DataFrame
        One row per distinct raw handle: ``handle``, ``identity`` (the person id it became),
        ``status`` (one of ``matched``, ``external``, ``unmatched_internal``, ``unmatched``,
        ``ambiguous``), ``rules`` (normalisation applied), ``via`` (the link chain), ``sources``
        (';'-joined channels or origins it appeared in). Contains raw handles: keep it private.
    counts : DataFrame
        Distinct handles per source (rows, plus ``total``) and status (columns, plus ``total``);
        every row's statuses add up to its total.
    external_domains : Series
        External domains -> number of distinct handles.
    suggestions : DataFrame
        ``handle``, ``person_id``, ``reason``: possible matches for a person to confirm; never
        applied. Saved as CSV and pruned to the confirmed rows, it is an alias file
        (``build_aliases(..., alias_files=path)``).
    interactions : dict
        ``read``, ``kept``, ``self_interactions_dropped`` (two handles of one person):
        read = kept + dropped.
    """

    identities: pd.DataFrame
    counts: pd.DataFrame
    external_domains: pd.Series
    suggestions: pd.DataFrame
    interactions: dict[str, int]

    @classmethod
    def merge(cls, reports: Iterable[MatchReport]) -> MatchReport:
        """One report for several resolutions (e.g. the chunks or the inputs of one import).

        A handle seen in several reports is counted once, in every source it appeared in.
        """
        reports = list(reports)
        if not reports:
            raise ValueError("no reports to merge")
        ids = pd.concat([r.identities for r in reports], ignore_index=True)
        sources = ids.assign(src=ids["sources"].str.split(";")).explode("src")
        joined = sources.groupby("handle", sort=False)["src"].agg(
            lambda s: ";".join(sorted(set(s)))
        )
        ids = ids.drop_duplicates("handle", ignore_index=True)
        ids["sources"] = ids["handle"].map(joined).astype("string")
        counts, external_domains = _summarise(ids, reports[0].counts.index.name or "channel")
        suggestions = pd.concat([r.suggestions for r in reports], ignore_index=True)
        totals = {
            k: sum(r.interactions.get(k, 0) for r in reports) for k in reports[0].interactions
        }
        return cls(
            ids, counts, external_domains, suggestions.drop_duplicates(ignore_index=True), totals
        )

    @property
    def unmatched_internal(self) -> pd.DataFrame:
        """Internal-looking addresses not on the roster (raw handles: keep private)."""
        return self.identities[self.identities["status"] == "unmatched_internal"]

    def to_dict(self, *, identities: bool = False) -> dict[str, Any]:
        """Counts only (safe to log or store), unless ``identities=True``."""
        out: dict[str, Any] = {
            "counts": {
                src: {k: int(v) for k, v in row.items()}
                for src, row in self.counts.to_dict("index").items()
            },
            "external_domains": {k: int(v) for k, v in self.external_domains.items()},
            "suggestions": len(self.suggestions),
            "interactions": dict(self.interactions),
        }
        if identities:
            for name in ("identities", "suggestions"):
                frame = getattr(self, name).astype(object)
                out[name] = frame.where(frame.notna(), None).to_dict("records")
        return out

    def summary(self) -> str:
        t = self.counts.loc["total"]
        parts = ", ".join(f"{s} {int(t[s]):,}" for s in IDENTITY_STATUSES if t[s])
        return (
            f"{int(t['total']):,} identities: {parts}; {len(self.suggestions):,} suggestion(s) "
            "to review"
        )


@dataclass
class IdentityResolution:
    """What :func:`resolve_identities` returns.

    Attributes
    ----------
    interactions : DataFrame
        The Interactions table with ``source``/``target`` replaced by person ids (identities
        outside the roster keep their normalised handle).
    people : DataFrame
        The roster plus one row per identity outside it; column ``status`` (see
        :data:`STATUSES`) lets analyses include or exclude them (:func:`filter_by_status`).
    report : MatchReport
    """

    interactions: pd.DataFrame
    people: pd.DataFrame
    report: MatchReport


def _internal(domain: str, internal: set[str]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in internal)


def _suggest(aliases: AliasTable, unresolved: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """Possible matches for unresolved handles, for a person to confirm."""
    if not unresolved:
        return []
    by_name, by_local = aliases.suggestion_index
    out = []
    for handle, key in unresolved:
        name = name_key(aliases.names.get(key))
        for pid in sorted(by_name.get(name, ())) if name else ():
            out.append((handle, pid, "same display name, different address"))
        if is_email(key):
            for pid in sorted(by_local.get(key.rpartition("@")[0], ())):
                out.append((handle, pid, "same mailbox name, different domain"))
    return out


def _summarise(ids: pd.DataFrame, by: str) -> tuple[pd.DataFrame, pd.Series]:
    """Counts per source x status (each handle once per source it appeared in; the ``total``
    row counts each handle once), and external domains."""
    pairs = ids[["handle", "status", "sources"]].assign(src=ids["sources"].str.split(";"))
    pairs = pairs.explode("src")
    counts = pd.crosstab(pairs["src"], pairs["status"]) if len(pairs) else pd.DataFrame()
    counts.loc["total"] = ids["status"].value_counts()
    counts = counts.reindex(columns=list(IDENTITY_STATUSES), fill_value=0).fillna(0).astype(int)
    counts["total"] = counts.sum(axis=1)
    counts.index.name = by
    counts.columns.name = None
    ext = ids.loc[ids["status"] == "external", "identity"].map(lambda a: a.rpartition("@")[2])
    external_domains = ext.value_counts().rename("identities").astype(int)
    external_domains.index.name = "domain"
    return counts, external_domains


@validate_params(
    {
        "aliases": [AliasTable],
        "internal_domains": [None, str, Iterable],
        "by": [Options({"channel", "origin"})],
    }
)
def resolve_identities(
    interactions: pd.DataFrame,
    aliases: AliasTable,
    *,
    internal_domains: Iterable[str] | None = None,
    by: str = "channel",
) -> IdentityResolution:
    """Replace the handles in ``source``/``target`` by roster person ids.

    Parameters
    ----------
    interactions : DataFrame
        A canonical Interactions table with raw handles.
    aliases : AliasTable
        From :func:`build_aliases`.
    internal_domains : iterable of str, optional
        The organisation's e-mail domains (subdomains included). Default: the domains of the
        roster's e-mail addresses and aliases. An address outside them is ``external``.
    by : {'channel', 'origin'}
        What the report's per-source counts are grouped by.

    Returns
    -------
    IdentityResolution
        ``.interactions`` resolved (an interaction between two handles of one person is dropped
        and counted), ``.people`` with ``status``, ``.report`` the :class:`MatchReport`.

    Examples
    --------
    >>> import pandas as pd
    >>> roster = pd.DataFrame({"person_id": ["E1", "E2"], "email": ["ann@corp.com", "bo@corp.com"]})
    >>> slack = pd.DataFrame({"person_id": ["U2"], "email": ["bo@corp.com"]})
    >>> events = pd.DataFrame({
    ...     "event_id": ["1", "2", "3"], "timestamp": ["2026-01-05T09:00Z"] * 3,
    ...     "source": ["Ann@Corp.com", "U2", "ann@corp.com"],
    ...     "target": ["x@partner.org", "ann+x@corp.com", "cy@corp.com"],
    ...     "channel": ["email", "chat", "email"], "kind": ["to", "mention", "to"], "origin": "f"})
    >>> res = resolve_identities(events, build_aliases(roster, directories={"slack": slack}))
    >>> res.interactions[["source", "target"]].values.tolist()
    [['E1', 'x@partner.org'], ['E2', 'E1'], ['E1', 'cy@corp.com']]
    >>> res.report.counts.loc["total"].to_dict()
    {'matched': 4, 'external': 1, 'unmatched_internal': 1, 'unmatched': 0, 'ambiguous': 0, 'total': 6}
    """
    missing = [c for c in ("source", "target", by) if c not in interactions.columns]
    if missing:
        raise TableError("Interactions", [f"required column(s) missing: {', '.join(missing)}"])
    people = aliases.people
    if internal_domains is None:
        internal = aliases.internal_domains
    else:
        if isinstance(internal_domains, str):
            internal_domains = [internal_domains]
        internal = {d.strip().lower().lstrip("@") for d in internal_domains}

    # Work on the distinct handles only (tens of thousands, for millions of interactions).
    n = len(interactions)
    ends = pd.concat(
        [interactions["source"].astype("string"), interactions["target"].astype("string")],
        ignore_index=True,
    )
    if ends.isna().any():
        raise TableError("Interactions", ["columns 'source'/'target' have missing values"])
    codes, uniques = ends.factorize()  # Arrow dictionary encoding: fast on millions of rows
    handles = list(uniques)
    group_codes, group_index = pd.factorize(interactions[by].astype("string").fillna("(unknown)"))
    groups, k = list(group_index), max(len(group_index), 1)
    pairs = pd.unique(codes.astype(np.int64) * k + np.tile(group_codes, 2))
    sources_of: dict[int, list[str]] = defaultdict(list)
    for h, g in zip(*divmod(pairs, k), strict=True):
        sources_of[int(h)].append(groups[g])

    records = []
    for handle in handles:
        key, rules = aliases.key(handle)
        persons, via = aliases.persons_of(key)
        if len(persons) == 1:
            identity, status = next(iter(persons)), "matched"
        else:
            identity = key if is_email(key) else handle
            if len(persons) > 1:
                status = "ambiguous"
            elif is_email(key):
                internal_looking = _internal(key.rpartition("@")[2], internal)
                status = "unmatched_internal" if internal_looking else "external"
            else:
                status = "unmatched"
        records.append((handle, key, identity, status, "; ".join(rules), via))
    ids = pd.DataFrame(
        records, columns=["handle", "key", "identity", "status", "rules", "via"]
    ).astype("string")
    ids["sources"] = pd.array(
        [";".join(sorted(sources_of[i])) for i in range(len(handles))], dtype="string"
    )

    counts, external_domains = _summarise(ids, by)

    unresolved = ids.loc[ids["status"].isin(["external", "unmatched_internal", "unmatched"])]
    suggestions = pd.DataFrame(
        _suggest(aliases, list(zip(unresolved["handle"], unresolved["key"], strict=True))),
        columns=["handle", "person_id", "reason"],
        dtype="string",
    )

    # Resolve by handle code; an interaction between two handles of one person is dropped.
    identity_codes, identities = pd.factorize(ids["identity"].to_numpy(dtype=object))
    new_codes = identity_codes[codes]
    self_loop = new_codes[:n] == new_codes[n:]
    keep = ~self_loop
    out = interactions[keep].reset_index(drop=True)
    names = pa.array(list(identities), type=pa.large_string())
    for col, part in (("source", new_codes[:n][keep]), ("target", new_codes[n:][keep])):
        out[col] = pd.arrays.ArrowStringArray(names.take(pa.array(part)))

    report = MatchReport(
        identities=ids.drop(columns="key"),
        counts=counts,
        external_domains=external_domains,
        suggestions=suggestions,
        interactions={
            "read": len(interactions),
            "kept": len(out),
            "self_interactions_dropped": int(self_loop.sum()),
        },
    )
    # Only source/target changed, to non-missing strings, and self-interactions are gone: the
    # table is still valid.
    return IdentityResolution(out, _people_with_status(people, ids), report)


def _people_with_status(people: pd.DataFrame, ids: pd.DataFrame) -> pd.DataFrame:
    roster = people.assign(status="roster")
    others = ids[ids["status"] != "matched"].drop_duplicates("identity")
    extra = pd.DataFrame(
        {
            "person_id": others["identity"],
            "email": others["identity"].where(others["identity"].map(is_email)),
            "status": others["status"],
        }
    )
    extra = extra[~extra["person_id"].isin(people["person_id"])]
    out = validate_people(pd.concat([roster, extra], ignore_index=True))
    out["status"] = out["status"].astype("string")
    return out


@validate_params({"include": [Iterable]})
def filter_by_status(
    interactions: pd.DataFrame,
    people: pd.DataFrame,
    *,
    include: Iterable[str] = ("roster",),
) -> pd.DataFrame:
    """Keep the interactions whose two ends have a ``status`` in ``include``.

    Parameters
    ----------
    interactions : DataFrame
        Resolved interactions (:attr:`IdentityResolution.interactions`).
    people : DataFrame
        :attr:`IdentityResolution.people` (with ``status``).
    include : iterable of str, default ('roster',)
        Statuses to keep (:data:`STATUSES`); e.g. ``("roster", "external")`` keeps ties with
        partners and clients but leaves out unmatched handles.

    Returns
    -------
    DataFrame
        The kept rows of ``interactions``, re-indexed from 0.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"person_id": ["E1", "E2", "x@p.org"],
    ...                        "status": ["roster", "roster", "external"]})
    >>> events = pd.DataFrame({"source": ["E1", "E1"], "target": ["E2", "x@p.org"]})
    >>> filter_by_status(events, people)[["source", "target"]].values.tolist()
    [['E1', 'E2']]
    """
    include = set(include)
    unknown = include - set(STATUSES)
    if unknown:
        from ona.exceptions import InvalidParameterError

        raise InvalidParameterError(
            f"The 'include' parameter of filter_by_status must hold statuses among {STATUSES}. "
            f"Got {sorted(unknown)} instead."
        )
    if "status" not in people.columns:
        raise TableError("People", ["no 'status' column: use IdentityResolution.people"])
    keep_ids = set(people.loc[people["status"].isin(include), "person_id"])
    mask = interactions["source"].isin(keep_ids) & interactions["target"].isin(keep_ids)
    return interactions[mask.to_numpy(dtype=bool)].reset_index(drop=True)
