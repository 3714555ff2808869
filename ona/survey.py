"""Survey respondents: response rates, non-respondents, and what to do about their missing ties.

A survey network is only as complete as its response. :func:`response_rates` accounts for the
population (the roster at the survey date), respondents (complete and partial), non-respondents
and nominations per respondent, overall and by group; groups below the minimum size are
suppressed and the result says so. Below a response-rate threshold (default 70 %, the lower end
of the 70-80 % the literature asks for) it warns, and every output carries the rate.

Non-respondents have no out-ties. :func:`survey_ties` offers the three usual treatments:

* ``"out_ties"`` (default): keep what respondents reported; non-respondents appear only as
  nominees. Measures on out-ties are biased for non-respondents, in-ties much less so
  (Kossinets 2006; Borgatti, Carley and Krackhardt 2006).
* ``"symmetrise"``: for questions whose tie is mutual by nature (information exchange, working
  together), a tie i -> j reported by respondent i about non-respondent j also stands for
  j -> i: reconstruction from the nominee's side (Stork and Richards 1992; Huisman 2009).
  Wrong for directed questions such as advice or energy.
* ``"respondents_only"``: analyse the network among respondents only (the classic
  listwise treatment; it shrinks the network and loses the ties to non-respondents).

References
----------
Stork, D. and Richards, W. D. (1992). Nonrespondents in communication network studies:
problems and possibilities. Group & Organization Management 17(2), 193-209.
https://doi.org/10.1177/1059601192172006

Kossinets, G. (2006). Effects of missing data in social networks. Social Networks 28(3),
247-268. https://doi.org/10.1016/j.socnet.2005.07.002

Borgatti, S. P., Carley, K. M. and Krackhardt, D. (2006). On the robustness of centrality
measures under conditions of imperfect data. Social Networks 28(2), 124-136.
https://doi.org/10.1016/j.socnet.2005.05.001

Huisman, M. (2009). Imputation of missing network data: some simple procedures. Journal of
Social Structure 10(1). https://doi.org/10.21307/joss-2019-031
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ona._validation import Interval, Options, validate_params
from ona.exceptions import TableError

__all__ = [
    "NON_RESPONDENT_OPTIONS",
    "LowResponseWarning",
    "ResponseRates",
    "respondents_of",
    "response_rates",
    "survey_ties",
]

NON_RESPONDENT_OPTIONS = ("out_ties", "symmetrise", "respondents_only")
RESPONSE_THRESHOLD = 0.7


class LowResponseWarning(UserWarning):
    """A survey's response rate is below the threshold its network analysis needs."""


@dataclass
class ResponseRates:
    """Who was asked, who answered, and how much: what :func:`response_rates` returns.

    Attributes
    ----------
    population : int
        Roster people at the survey date.
    respondents, complete, partial, non_respondents : int
        ``respondents = complete + partial``; ``population = respondents + non_respondents``
        (respondents not in the population are counted in ``outside_population``).
    response_rate, complete_rate : float
        Respondents (complete responses) over the population.
    threshold : float
        Below it ``low`` is True and a :class:`LowResponseWarning` was issued.
    nominations_per_respondent : dict
        ``mean``, ``median``, ``max`` and ``zero`` (respondents naming no one).
    by_group : DataFrame
        Per group of ``group_column``: ``population``, ``respondents``, ``response_rate``,
        ``suppressed`` (groups below ``min_group_size`` show no counts or rate).
    non_respondent_ids : list of str
        Person ids (pseudonyms in a pseudonymised workspace): keep private.
    notes : list of str
        What the numbers mean and what was suppressed, in words.
    """

    population: int
    respondents: int
    complete: int
    partial: int
    non_respondents: int
    outside_population: int
    response_rate: float
    complete_rate: float
    threshold: float
    nominations_per_respondent: dict[str, float]
    by_group: pd.DataFrame
    group_column: str | None
    min_group_size: int
    non_respondent_ids: list[str] = field(repr=False, default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def low(self) -> bool:
        return bool(self.response_rate < self.threshold)

    def summary(self) -> str:
        rate = f"{self.response_rate:.0%}" if self.population else "n/a"
        text = (
            f"response rate {rate} ({self.respondents:,} of {self.population:,}: "
            f"{self.complete:,} complete, {self.partial:,} partial; "
            f"{self.non_respondents:,} non-respondents)"
        )
        if self.low:
            text += f"; below the {self.threshold:.0%} a survey network needs"
        return text

    def to_dict(self) -> dict[str, Any]:
        """Counts and rates only (no person ids)."""
        groups = self.by_group.astype(object).where(self.by_group.notna(), None)
        return {
            "population": self.population, "respondents": self.respondents,
            "complete": self.complete, "partial": self.partial,
            "non_respondents": self.non_respondents, "outside_population": self.outside_population,
            "response_rate": self.response_rate, "complete_rate": self.complete_rate,
            "threshold": self.threshold, "low": self.low,
            "nominations_per_respondent": self.nominations_per_respondent,
            "group_column": self.group_column, "min_group_size": self.min_group_size,
            "by_group": groups.reset_index().to_dict("records"), "notes": list(self.notes),
        }  # fmt: skip


def _population(roster: pd.DataFrame, at: Any) -> pd.DataFrame:
    from ona.people import attributes_at

    if at is not None:
        return attributes_at(roster, at, active_only=True)
    latest = roster.drop_duplicates("person_id", keep="last").set_index("person_id")
    if "end_date" in latest.columns:
        latest = latest[latest["end_date"].isna()]
    return latest


def _counted(respondents: pd.DataFrame) -> pd.DataFrame:
    """One row per respondent: the response that counts (complete or partial)."""
    needed = {"respondent", "status"}
    if not needed <= set(respondents.columns):
        raise TableError("respondents", [f"columns {sorted(needed)} are needed (read_survey's extras)"])
    rows = respondents[respondents["status"].isin(["complete", "partial"]) & respondents["respondent"].notna()]
    return rows.drop_duplicates("respondent", keep="last").set_index("respondent")


@validate_params(
    {
        "group_column": [None, str],
        "min_group_size": [Interval(int, 1)],
        "threshold": [Interval(float, 0, 1)],
        "warn": [bool],
    }
)
def response_rates(
    respondents: pd.DataFrame,
    roster: pd.DataFrame,
    *,
    at: Any = None,
    group_column: str | None = None,
    min_group_size: int = 5,
    threshold: float = RESPONSE_THRESHOLD,
    warn: bool = True,
) -> ResponseRates:
    """Response rate overall and by group, non-respondents and nominations per respondent.

    Parameters
    ----------
    respondents : DataFrame
        ``read_survey(...).extras["respondents"]``: ``respondent`` (person id), ``status``
        (``complete``, ``partial``, ``superseded``, ``unidentified``) and ``nominations``.
    roster : DataFrame
        The People table; the population is everyone employed at ``at``.
    at : date or str, optional
        The survey date. Default: each person's latest roster row, leavers (an ``end_date``)
        left out.
    group_column : str, optional
        Default ``department``, else ``team``, when the roster has it.
    min_group_size : int, default 5
        Groups with fewer people show no counts or rate (``suppressed``).
    threshold : float, default 0.7
        Warn (:class:`LowResponseWarning`) below this response rate.
    warn : bool, default True

    Returns
    -------
    ResponseRates

    Examples
    --------
    >>> import pandas as pd
    >>> roster = pd.DataFrame({"person_id": list("abcdefg"), "department": ["X"] * 5 + ["Y"] * 2})
    >>> answers = pd.DataFrame({"respondent": list("abcd"), "status": ["complete"] * 3 + ["partial"],
    ...                         "nominations": [2, 0, 3, 1]})
    >>> r = response_rates(answers, roster, warn=False)
    >>> r.summary()
    'response rate 57% (4 of 7: 3 complete, 1 partial; 3 non-respondents); below the 70% a survey network needs'
    >>> r.by_group[["population", "respondents", "suppressed"]].to_dict("index")
    {'X': {'population': 5, 'respondents': 4, 'suppressed': False}, 'Y': {'population': None, 'respondents': None, 'suppressed': True}}
    """
    from ona.tables import validate_people

    roster = validate_people(roster)
    population = _population(roster, at)
    counted = _counted(respondents)
    inside = counted.index.isin(population.index)
    ids = pd.Index(population.index)
    responded = ids.isin(counted.index)
    n_pop, n_resp = len(ids), int(responded.sum())
    complete = int((counted.loc[inside, "status"] == "complete").sum())
    partial = n_resp - complete
    rate = n_resp / n_pop if n_pop else float("nan")
    noms = pd.to_numeric(counted.loc[inside, "nominations"], errors="coerce") if "nominations" in counted else pd.Series(dtype=float)
    per = {
        "mean": float(noms.mean()) if len(noms) else float("nan"),
        "median": float(noms.median()) if len(noms) else float("nan"),
        "max": float(noms.max()) if len(noms) else float("nan"),
        "zero": int((noms == 0).sum()),
    }
    if group_column is None:
        group_column = next((c for c in ("department", "team") if c in population.columns
                             and population[c].notna().any()), None)  # fmt: skip
    notes = [
        "Population: roster people employed at the survey date; respondents: people whose "
        "response counts (complete or partial; a repeated response counts once).",
        "Partial: the survey tool marked the response unfinished or, without such a mark, at "
        "least one question was left blank.",
    ]
    if group_column is not None:
        g = population[group_column].astype("string").fillna("(unknown)")
        table = pd.DataFrame({"population": g.groupby(g).size(),
                              "respondents": pd.Series(responded, index=ids).groupby(g).sum()})
        table.index.name = group_column
        table = table.astype("Int64")
        table["response_rate"] = (table["respondents"] / table["population"]).astype("Float64")
        table["suppressed"] = table["population"] < min_group_size
        small = table["suppressed"].to_numpy(dtype=bool)
        table.loc[small, ["population", "respondents", "response_rate"]] = pd.NA
        if small.any():
            notes.append(f"{int(small.sum())} {group_column} group(s) with fewer than {min_group_size} people "
                         "are suppressed: no counts or rate shown.")
    else:
        table = pd.DataFrame(columns=["population", "respondents", "response_rate", "suppressed"])
    result = ResponseRates(
        population=n_pop, respondents=n_resp, complete=complete, partial=partial,
        non_respondents=n_pop - n_resp, outside_population=int((~inside).sum()),
        response_rate=rate, complete_rate=complete / n_pop if n_pop else float("nan"),
        threshold=threshold, nominations_per_respondent=per, by_group=table,
        group_column=group_column, min_group_size=min_group_size,
        non_respondent_ids=sorted(map(str, ids[~responded])), notes=notes,
    )  # fmt: skip
    if result.low:
        result.notes.append(
            f"The response rate is below {threshold:.0%}: measures built on out-ties are "
            "unreliable (Borgatti, Carley and Krackhardt 2006; Kossinets 2006).")
        if warn:
            warnings.warn(result.summary(), LowResponseWarning, stacklevel=3)
    return result


def respondents_of(interactions: pd.DataFrame, affiliations: pd.DataFrame) -> pd.DataFrame:
    """The ``respondents`` table of surveys stored in a workspace (from its affiliations).

    ``read_survey`` records each counted respondent as an affiliation of ``group_type``
    ``survey_complete`` or ``survey_partial``; nominations are counted from the survey ties.
    """
    aff = affiliations[affiliations["group_type"].isin(["survey_complete", "survey_partial"])]
    status = aff["group_type"].str.removeprefix("survey_")
    table = pd.DataFrame({"respondent": aff["person"].astype("string"), "status": status.astype("string")})
    table = table.drop_duplicates("respondent", keep="last").reset_index(drop=True)
    survey = interactions[interactions["channel"] == "survey"]
    counts = survey.groupby("source").size()
    table["nominations"] = table["respondent"].map(counts).fillna(0).astype(int)
    return table


@validate_params({"non_respondents": [Options(set(NON_RESPONDENT_OPTIONS))], "layers": [None, str, Iterable]})
def survey_ties(
    interactions: pd.DataFrame,
    respondents: Iterable[str] | ResponseRates | pd.DataFrame,
    *,
    non_respondents: str = "out_ties",
    layers: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """The survey ties to analyse, with a chosen treatment of non-respondents.

    Parameters
    ----------
    interactions : DataFrame
        Interactions holding survey ties (``channel="survey"``; other channels are left out).
    respondents : iterable of person ids, or a respondents table
        Who responded (``read_survey(...).extras["respondents"]`` or :func:`respondents_of`).
    non_respondents : {'out_ties', 'symmetrise', 'respondents_only'}
        See the module docstring; ``"symmetrise"`` only for questions whose tie is mutual.
    layers : str or iterable of str, optional
        Survey layers (kinds) to keep; default all.

    Returns
    -------
    DataFrame
        Interactions; symmetrised ties are added with ``time_quality="inferred"`` and a new
        ``event_id``. ``attrs["non_respondents"]`` records the treatment.

    Examples
    --------
    >>> import pandas as pd
    >>> ties = pd.DataFrame({"event_id": ["1", "2"], "timestamp": pd.Timestamp("2026-03-02", tz="UTC"),
    ...     "source": ["a", "b"], "target": ["b", "c"], "channel": "survey", "kind": "info",
    ...     "origin": "s.csv"})
    >>> survey_ties(ties, ["a", "b"], non_respondents="respondents_only")[["source", "target"]].values.tolist()
    [['a', 'b']]
    >>> survey_ties(ties, ["a", "b"], non_respondents="symmetrise")[["source", "target"]].values.tolist()
    [['a', 'b'], ['b', 'c'], ['c', 'b']]
    """
    from ona.tables import make_event_id, validate_interactions

    if isinstance(respondents, ResponseRates):
        raise TableError("survey_ties", ["pass the respondents table, not ResponseRates (it holds no ids)"])
    if isinstance(respondents, pd.DataFrame):
        respondents = _counted(respondents).index
    who = set(map(str, respondents))
    ties = validate_interactions(interactions)
    ties = ties[ties["channel"] == "survey"]
    if layers is not None:
        ties = ties[ties["kind"].isin([layers] if isinstance(layers, str) else list(layers))]
    ties = ties.reset_index(drop=True)
    if non_respondents == "respondents_only":
        ties = ties[ties["source"].isin(who) & ties["target"].isin(who)].reset_index(drop=True)
    elif non_respondents == "symmetrise":
        back = ties[~ties["target"].isin(who)].copy()
        back["source"], back["target"] = ties.loc[back.index, "target"], ties.loc[back.index, "source"]
        back["event_id"] = [make_event_id("survey-symmetrised", e, k, s, t) for e, k, s, t in
                            zip(back["event_id"], back["kind"], back["source"], back["target"], strict=True)]
        back["time_quality"] = "inferred"
        ties = pd.concat([ties, back], ignore_index=True)
    ties.attrs["non_respondents"] = non_respondents
    return ties

