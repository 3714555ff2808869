"""Roles that only a survey can show: energisers and de-energisers, and overload from requests.

Cross, Baker and Parker (2003) asked respondents to rate how interacting with each person
affects their energy (1 = strongly de-energizing to 5 = strongly energizing; ona recodes it
-2..+2). :func:`energy_roles` states its rule: an **energiser** is rated by at least
``min_raters`` people with a mean rating of at least ``energiser_mean`` (default +1.5, between "somewhat" and
"strongly energizing" on average); a **de-energiser** by at least ``min_raters`` people with a
mean rating of at most ``de_energiser_mean`` (default -1, "somewhat de-energizing" or worse).
Means of few ratings are noisy: on the simulated sample organisation (``ona.datasets``), where
most people's latent energy is mildly positive, these defaults find the planted energisers with
few false ones, while +1 / -0.5 flag several times as many people as were planted. The counts of energising and
de-energising ratings (the in-degrees of Cross's energy network) are reported beside it.

:func:`layer_overload` measures collaborative overload (Cross, Rebele and Grant 2016) on a
survey layer with :func:`ona.overload`: demand on a person is the number of distinct people
who go to them (information, advice) or whom they name as making requests of them (a
``requests`` question, whose ties point the other way).

Both tables are person-level (``attrs["level"] = "person"``): for the analyst, never for a
public ranking; group-level summaries apply the minimum group size.

References
----------
Cross, R., Baker, W. and Parker, A. (2003). What creates energy in organizations? MIT Sloan
Management Review 44(4), 51-56.

Cross, R., Rebele, R. and Grant, A. (2016). Collaborative overload. Harvard Business Review
94(1), 74-79.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ona._validation import Interval, validate_params

__all__ = ["energy_roles", "layer_overload"]


def _layer(interactions: pd.DataFrame, layer: str) -> pd.DataFrame:
    ties = interactions[(interactions["channel"] == "survey") & (interactions["kind"] == layer)]
    return ties.reset_index(drop=True)


@validate_params(
    {
        "layer": [str],
        "min_raters": [Interval(int, 1)],
        "energiser_mean": [Interval(float, -2, 2)],
        "de_energiser_mean": [Interval(float, -2, 2)],
    }
)
def energy_roles(
    interactions: pd.DataFrame,
    *,
    layer: str = "energy",
    min_raters: int = 3,
    energiser_mean: float = 1.5,
    de_energiser_mean: float = -1.0,
) -> pd.DataFrame:
    """Energisers and de-energisers from a signed energy question (rule in the module docstring).

    Parameters
    ----------
    interactions : DataFrame
        Interactions with survey ties (``channel="survey"``, ``kind=layer``, ``weight`` the
        rating on -2..+2).
    layer : str, default "energy"
    min_raters : int, default 3
    energiser_mean, de_energiser_mean : float
        Thresholds on the mean rating a person receives.

    Returns
    -------
    DataFrame
        Indexed by person rated at least once: ``raters``, ``energising`` (ratings > 0),
        ``neutral``, ``de_energising`` (ratings < 0), ``mean_energy``, ``energiser``,
        ``de_energiser``. ``attrs``: ``level="person"``, ``rules``.

    Examples
    --------
    >>> import pandas as pd
    >>> ties = pd.DataFrame({"source": ["a", "b", "c", "a", "b", "c"],
    ...                      "target": ["x", "x", "x", "y", "y", "y"], "channel": "survey",
    ...                      "kind": "energy", "weight": [2, 1, 2, -1, -2, 0]})
    >>> r = energy_roles(ties)
    >>> r[["mean_energy", "energiser", "de_energiser"]].to_dict("index")
    {'x': {'mean_energy': 1.6666666666666667, 'energiser': True, 'de_energiser': False}, 'y': {'mean_energy': -1.0, 'energiser': False, 'de_energiser': True}}
    """
    ties = _layer(interactions, layer)
    w = pd.to_numeric(ties["weight"], errors="coerce")
    g = w.groupby(ties["target"].to_numpy())
    table = pd.DataFrame({
        "raters": g.size(),
        "energising": g.agg(lambda s: int((s > 0).sum())),
        "neutral": g.agg(lambda s: int((s == 0).sum())),
        "de_energising": g.agg(lambda s: int((s < 0).sum())),
        "mean_energy": g.mean(),
    })  # fmt: skip
    table.index.name = "person"
    enough = table["raters"] >= min_raters
    table["energiser"] = enough & (table["mean_energy"] >= energiser_mean)
    table["de_energiser"] = enough & (table["mean_energy"] <= de_energiser_mean)
    table.attrs.update(
        level="person",
        layer=layer,
        rules={
            "energiser": f"rated by >= {min_raters} people, mean rating >= {energiser_mean:+g}",
            "de_energiser": f"rated by >= {min_raters} people, mean rating <= {de_energiser_mean:+g}",
        },
    )
    return table


@validate_params({"layer": [str], "reverse": [None, bool]})
def layer_overload(
    interactions: pd.DataFrame,
    *,
    layer: str = "info",
    reverse: bool | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Collaborative overload on one survey layer: :func:`ona.overload` of its ties.

    Parameters
    ----------
    interactions : DataFrame
        Interactions with survey ties.
    layer : str, default "info"
    reverse : bool, optional
        Read ties nominee -> respondent. Default: True for a question whose nominee makes the
        requests (``requests``, :data:`ona.survey_questions.QUESTIONS`), else False.
    **options
        Passed to :func:`ona.overload` (``top``, ``in_demand_quantile``, ``threshold``); demand
        is ``in_contacts`` (distinct people) on binary ties.

    Returns
    -------
    DataFrame
        :func:`ona.overload`'s table; ``attrs["layer"]`` and ``attrs["reversed"]`` added.

    Examples
    --------
    >>> import pandas as pd
    >>> ties = pd.DataFrame({"event_id": list("123"), "timestamp": pd.Timestamp("2026-03-02", tz="UTC"),
    ...     "source": ["a", "b", "c"], "target": ["x", "x", "a"], "channel": "survey", "kind": "info",
    ...     "origin": "s"})
    >>> layer_overload(ties)["demand"].to_dict()
    {'x': 2.0, 'a': 1.0, 'b': 0.0, 'c': 0.0}
    """
    from ona.analysis.roles import overload
    from ona.graph import build_graph
    from ona.survey_questions import QUESTIONS

    if reverse is None:
        reverse = layer in QUESTIONS and QUESTIONS[layer].direction.startswith("nominee")
    ties = _layer(interactions, layer)
    if reverse:
        ties = ties.assign(source=ties["target"].to_numpy(), target=ties["source"].to_numpy())
    G = build_graph(ties, weight="count")
    table = overload(G, demand="in_contacts", weight=None, **options)
    table.attrs.update(layer=layer, reversed=bool(reverse))
    return table

