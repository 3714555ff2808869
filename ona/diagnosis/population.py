"""Who the diagnosis is about: the internal people, and everyone else counted apart.

Internal people are the roster's members in force in the window (a People row with status
``roster`` whose validity and employment overlap ``[start, end)``). Every other identity in the
interactions is put in exactly one outside category, counted, and kept out of people counts,
roles, overload and the network picture:

* ``external``: an address outside the organisation's domains (identity resolution's status,
  or a domain none of the roster's addresses has);
* ``list``: a mailing list or distribution address (its name says so, or it never sends and
  is a recipient of at least half the mass messages);
* ``shared_mailbox``: a functional mailbox such as ``support@`` or ``hr@``;
* ``bot``: a system account (``noreply``, ``jira``, ...) or an identity whose sent messages are
  almost all flagged automated;
* ``unknown``: an internal-looking or unmatched handle that is on no roster (or a roster
  member not employed during the window who still appears in it).

With no roster the fallback rule is stated in :attr:`Population.rule`: the people are the
identities in at least one interaction that is not a mass or automated message (when there is
none, as in a mailing-list archive, the identities that send a message), other than lists,
shared mailboxes and bots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["CATEGORIES", "Population", "classify_identities", "population"]

CATEGORIES = ("internal", "external", "list", "shared_mailbox", "bot", "unknown")

_BOT = re.compile(
    r"(^|[._+-])(no-?reply|do-?not-?reply|bot|robot|daemon|mailer-daemon|postmaster|jira|"
    r"jenkins|confluence|github|gitlab|notifications?|alerts?|monitoring|ci|build|automation)"
    r"([._+-]|$)", re.IGNORECASE)
_LIST = re.compile(r"(^|[._+-])(all|everyone|staff|announce|announcements|list|lists|discuss|"
                   r"digest|l)([._+-]|$)|^lists?\.|(^|\.)lists?\.", re.IGNORECASE)
_SHARED = re.compile(r"^(info|support|help|helpdesk|sales|admin|office|hr|contact|team|service|"
                     r"it|billing|accounts|finance|reception|careers|jobs|press|security)$",
                     re.IGNORECASE)
# An identity whose sent messages are at least this share automated is a bot; one that never
# sends anything but mass messages and receives them is a list.
_AUTOMATED_SENDER = 0.9


@dataclass
class Population:
    """The people of a diagnosis and the identities kept apart.

    Attributes
    ----------
    people : DataFrame
        The People rows of the internal people only (all their effective-dated rows).
    internal : Index
        Internal person ids.
    categories : Series
        Identity -> one of :data:`CATEGORIES`, for every identity seen in the interactions or
        the People table.
    counts : dict
        Number of identities per category (``internal`` included); they add up to
        ``len(categories)``.
    events : dict
        Interactions touching each outside category (an event between two outside identities
        counts for its sender's category).
    has_roster : bool
    roster_people : int
        Distinct people on the roster, in the window or not.
    rule : str
        How internal people were chosen, in plain words.
    """

    people: pd.DataFrame
    internal: pd.Index
    categories: pd.Series
    counts: dict[str, int]
    events: dict[str, int]
    has_roster: bool
    roster_people: int
    rule: str
    outside_rows: pd.Series = field(repr=False, default_factory=lambda: pd.Series(dtype=bool))

    def to_dict(self) -> dict:
        return {"internal_people": len(self.internal), "counts": dict(self.counts),
                "events_by_category": dict(self.events), "has_roster": self.has_roster,
                "roster_people": self.roster_people, "rule": self.rule}


def _local_and_domain(handle: str) -> tuple[str, str]:
    local, _, domain = handle.partition("@")
    return local, domain


def classify_identities(interactions: pd.DataFrame, people: pd.DataFrame | None = None) -> pd.Series:
    """Put every identity that is not on the roster into one outside category.

    Parameters
    ----------
    interactions : DataFrame
        An Interactions table (``source``, ``target``; ``mass`` and ``automated`` if present).
    people : DataFrame, optional
        A People table; rows with ``status == "roster"`` are ``internal``, rows with
        ``status == "external"`` are ``external`` unless their name says list or bot.

    Returns
    -------
    Series
        Identity -> category (one of :data:`CATEGORIES`), sorted by identity.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"source": ["ann@x.org", "noreply@x.org", "ann@x.org"],
    ...                    "target": ["all-staff@lists.x.org", "ann@x.org", "support@x.org"],
    ...                    "mass": [True, False, False], "automated": [False, True, False]})
    >>> classify_identities(ev).to_dict()
    {'all-staff@lists.x.org': 'list', 'ann@x.org': 'unknown', 'noreply@x.org': 'bot', 'support@x.org': 'shared_mailbox'}
    """
    src = interactions["source"].astype(str).to_numpy()
    tgt = interactions["target"].astype(str).to_numpy()
    n = len(interactions)
    mass = interactions["mass"].to_numpy(dtype=bool) if "mass" in interactions else np.zeros(n, bool)
    auto = (interactions["automated"].to_numpy(dtype=bool) if "automated" in interactions
            else np.zeros(n, bool))
    sent = pd.DataFrame({"id": src, "auto": auto, "mass": mass}).groupby("id").agg(
        n=("auto", "size"), auto=("auto", "mean"), mass=("mass", "mean"))
    # A list address is named in at least half the mass records (the list's own copies);
    # someone merely copied on a few of them is not a list.
    records = (interactions["record_id"].astype(str).to_numpy() if "record_id" in interactions
               else np.arange(n).astype(str))
    mass_pairs = pd.DataFrame({"t": tgt[mass], "r": records[mass]}).drop_duplicates()
    n_mass_records = mass_pairs["r"].nunique()
    list_like = set(mass_pairs["t"].value_counts().loc[
        lambda c: c >= max(2, 0.5 * n_mass_records)].index)
    status = pd.Series(dtype=object)
    if people is not None and len(people) and "status" in people.columns:
        status = people.drop_duplicates("person_id", keep="last").set_index("person_id")["status"]
    elif people is not None and len(people):
        status = pd.Series("roster", index=people["person_id"].drop_duplicates())
    ids = pd.Index(np.unique(np.concatenate([src, tgt, status.index.astype(str).to_numpy()])))
    # The roster's own e-mail domains: an address elsewhere is external even when identity
    # resolution did not mark it (e.g. an import made without resolution).
    handles = [str(x) for x in status.index[status == "roster"]]
    if people is not None and "email" in people.columns:
        handles += [str(x) for x in people["email"].dropna()]
    own = {h.partition("@")[2].lower() for h in handles if "@" in h}
    out = {}
    for ident in ids:
        st = status.get(ident)
        if st == "roster":
            out[ident] = "internal"
            continue
        local, domain = _local_and_domain(ident)
        stats = sent.loc[ident] if ident in sent.index else None
        if _BOT.search(local) or (stats is not None and stats["auto"] >= _AUTOMATED_SENDER):
            out[ident] = "bot"
        elif _LIST.search(local) or _LIST.search(domain) or (stats is None and ident in list_like):
            out[ident] = "list"
        elif _SHARED.match(local) and domain:
            out[ident] = "shared_mailbox"
        elif st == "external" or (own and domain and domain.lower() not in own):
            out[ident] = "external"
        else:
            out[ident] = "unknown"
    return pd.Series(out, dtype=object).sort_index()


def _in_window(people: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp | None) -> np.ndarray:
    """Rows whose validity and employment overlap ``[start, end)``."""
    ok = np.ones(len(people), dtype=bool)
    for lo_col, hi_col in (("valid_from", "valid_to"), ("start_date", "end_date")):
        if end is not None and lo_col in people:
            lo = pd.to_datetime(people[lo_col], utc=True)
            ok &= (lo.isna() | (lo < end)).to_numpy(dtype=bool)
        if start is not None and hi_col in people:
            hi = pd.to_datetime(people[hi_col], utc=True)
            ok &= (hi.isna() | (hi > start)).to_numpy(dtype=bool)
    return ok


def population(
    interactions: pd.DataFrame,
    people: pd.DataFrame | None,
    *,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    has_roster: bool | None = None,
) -> Population:
    """The internal people of the window and the outside identities, counted by category.

    Parameters
    ----------
    interactions : DataFrame
        The Interactions of the window.
    people : DataFrame or None
        The workspace's People table (rows with ``status`` ``roster``, ``external``, ...).
    start, end : Timestamp, optional
        The window ``[start, end)`` (UTC); a roster row counts when it overlaps it.
    has_roster : bool, optional
        Whether a roster was imported (:func:`ona.diagnose` reads it from the import log:
        People rows that sources such as git or chat directories bring are not a roster).
        Default: People rows with ``status == "roster"``, or any People rows without a
        ``status`` column.

    Returns
    -------
    Population

    Examples
    --------
    >>> import pandas as pd
    >>> roster = pd.DataFrame({"person_id": ["a@x.org", "b@x.org", "c@x.org"],
    ...     "status": ["roster"] * 3,
    ...     "end_date": pd.to_datetime([None, None, "2024-01-01"], utc=True)})
    >>> ev = pd.DataFrame({"source": ["a@x.org", "a@x.org"], "target": ["b@x.org", "z@y.com"]})
    >>> pop = population(ev, roster, start=pd.Timestamp("2025-01-01", tz="UTC"))
    >>> list(pop.internal), pop.counts["external"]
    (['a@x.org', 'b@x.org'], 1)
    """
    if has_roster is None:
        has_roster = people is not None and len(people) > 0 and (
            "status" not in people.columns or bool((people["status"] == "roster").any()))
    if has_roster and people is not None and len(people):
        roster = people if "status" not in people.columns else people[
            (people["status"] == "roster").to_numpy(dtype=bool)]
        roster_people = int(roster["person_id"].nunique())
        rows = roster[_in_window(roster, start, end)]
        internal = pd.Index(sorted(rows["person_id"].astype(str).unique()))
        rule = (f"internal people are the {len(internal):,} roster members employed during the "
                f"period (of {roster_people:,} on the roster)")
        categories = classify_identities(interactions, people)
        seen = pd.Index(pd.unique(np.concatenate([interactions["source"].astype(str).to_numpy(),
                                                   interactions["target"].astype(str).to_numpy()])))
        categories = categories[categories.index.isin(seen) | categories.index.isin(internal)]
        left = categories.index[(categories == "internal").to_numpy() & ~categories.index.isin(internal)]
        categories.loc[left] = "unknown"  # on the roster, not employed in the window, yet active
    else:
        roster_people = 0
        categories = classify_identities(interactions, None)
        n = len(interactions)
        flagged = np.zeros(n, dtype=bool)
        for col in ("mass", "automated"):
            if col in interactions.columns:
                flagged |= interactions[col].to_numpy(dtype=bool)
        plain = interactions.loc[~flagged]
        seen = pd.Index(pd.unique(np.concatenate([plain["source"].astype(str).to_numpy(),
                                                  plain["target"].astype(str).to_numpy()])))
        person_like = categories.index[categories.isin(["unknown", "external"]).to_numpy()]
        internal = person_like.intersection(seen).sort_values()
        what = "in at least one interaction that is not a mass or automated message"
        if len(internal) == 0:  # e.g. a mailing-list archive: every message is mass mail
            senders = pd.Index(interactions["source"].astype(str).unique())
            internal = person_like.intersection(senders).sort_values()
            what = "who send at least one message (every message here is mass or automated)"
        categories.loc[internal] = "internal"
        rows = pd.DataFrame({"person_id": pd.Series(internal, dtype="string")})
        rule = (f"no roster was imported: the people are the identities {what}, other than "
                "mailing lists, shared mailboxes and bots; staff and outsiders cannot be told "
                "apart, and groups, roles by department and silos need a roster")
    counts = {c: int((categories == c).sum()) for c in CATEGORIES}
    src_cat = interactions["source"].astype(str).map(categories)
    tgt_cat = interactions["target"].astype(str).map(categories)
    outside = ((src_cat != "internal") | (tgt_cat != "internal")).to_numpy(dtype=bool)
    touch = np.where(src_cat.to_numpy() != "internal", src_cat.to_numpy(), tgt_cat.to_numpy())
    events = {c: int(((touch == c) & outside).sum()) for c in CATEGORIES if c != "internal"}
    return Population(people=rows.reset_index(drop=True), internal=internal,
                      categories=categories, counts=counts, events=events,
                      has_roster=bool(has_roster), roster_people=roster_people, rule=rule,
                      outside_rows=pd.Series(outside, index=interactions.index))
