"""A seeded sample organisation with planted truth, and the genuine raw exports it produces.

:func:`simulate_organisation` draws a realistic organisation (by default about 300 people in 40
teams in 6 departments over 12 months) whose people e-mail, chat and commit code to each other,
with known structure planted in it:

* a **silo**: two departments (Engineering and Sales by default) that barely interact;
* **brokers**: one person per department with many cross-department ties;
* **overloaded** collaborators whom everyone addresses far more than their peers;
* **team performance** (quarterly ``delivery``, ``quality``, ``engagement``, ``attrition``)
  driven partly by the team's cross-team ties and partly by noise;
* an **intervention**: a cross-team community of practice from month 7 for some teams, which
  raises those teams' cross-department ties;
* people who **move teams** (effective-dated roster rows), join and leave, and who have one
  identity per system (primary address, short and old-domain aliases, Slack user ids, git
  personal and GitHub noreply addresses, a ``.mailmap``).

:func:`write_exports` writes what the organisation's systems would deliver: an mbox, a Slack
export zip, a git bundle, an HR roster CSV, a team outcomes CSV (and ``truth.json``).
:func:`load_sample` returns the bundled small instance (``data/sample``), its tables and truth.

Person ids in the canonical tables are the people's primary e-mail addresses (the roster's
``email``), so e-mail interactions join the roster directly; the roster also carries an
``employee_id`` column.

Examples
--------
>>> from ona.datasets import simulate_organisation
>>> org = simulate_organisation(n_people=60, n_teams=8, n_departments=3, seed=1)
>>> org.people["department"].nunique(), len(org.truth.brokers)
(3, 3)
>>> org.truth.silo_departments
('Engineering', 'Sales')
"""

from __future__ import annotations

import functools
import os
from dataclasses import replace
from datetime import date
from pathlib import Path

from ona._validation import Interval, validate_params
from ona.datasets._simulate import EXPORT_FILES, SimulatedOrganisation, Truth
from ona.datasets._simulate import simulate_organisation as _simulate
from ona.datasets._survey import simulate_survey

__all__ = [
    "EXPORT_FILES",
    "SAMPLE_DIR",
    "SAMPLE_PARAMETERS",
    "SimulatedOrganisation",
    "Truth",
    "load_sample",
    "make_sample_org",
    "simulate_organisation",
    "write_exports",
]

# The bundled instance: the default organisation, at a message volume that keeps it small.
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "data" / "sample"
SAMPLE_PARAMETERS: dict[str, object] = {"seed": 2025, "volume": 0.7}


def _first_of_month(value: object) -> bool:
    return isinstance(value, date) and value.day == 1


_first_of_month.description = "a datetime.date on the first day of a month"  # type: ignore[attr-defined]


@validate_params(
    {
        "n_people": [Interval(int, 30, 5_000)],
        "n_teams": [Interval(int, 2, 2_000)],
        "n_departments": [Interval(int, 2, 200)],
        "months": [Interval(int, 2, 120)],
        "start": [_first_of_month],
        "intervention_month": [Interval(int, 2, 120), None],
        "volume": [Interval(float, 0, 20, closed="right")],
        "effects": [dict, None],
        "survey": [dict, None],
        "seed": [Interval(int, 0, None)],
    }
)
def simulate_organisation(
    *,
    n_people: int = 300,
    n_teams: int = 40,
    n_departments: int = 6,
    months: int = 12,
    start: date = date(2025, 1, 1),
    intervention_month: int | None = None,
    volume: float = 1.0,
    effects: dict[str, float] | None = None,
    survey: dict[str, float] | None = None,
    seed: int = 2025,
) -> SimulatedOrganisation:
    """Simulate an organisation with planted truth (in memory; see :func:`write_exports`).

    Parameters
    ----------
    n_people, n_teams, n_departments : int
        Size. Teams have at least 5 people (``n_people >= 5 * n_teams``) and each department at
        least one team. The process keeps a few dense ``n_people x n_people`` matrices, so memory
        grows with the square of the size (about 0.4 GB for 2,000 people); at most 5,000.
    months : int
        Length of the period, starting on ``start`` (the first day of a month).
    intervention_month : int, optional
        The month (1-based, 2 to ``months``) from which the community of practice runs.
        Default 7 (July for a January start), or the middle month of periods of 7 months or less.
    volume : float
        Scales the number of e-mails, chat messages and commits per person and month.
    effects : dict, optional
        Overrides of the planted effect sizes (keys of ``ona.datasets._process.DEFAULT_EFFECTS``,
        e.g. ``{"silo": 0.5, "community_of_practice": 1.0}`` for no intervention effect).
    survey : dict, optional
        Options of the simulated ONA survey (``ona.datasets._survey.simulate_survey``):
        ``response_rate`` (default 0.75), ``perception_share`` (0.35: how much of the info and
        advice answers comes from reputation rather than actual ties) and ``energy_shift``
        (1.4: how far the planted energisers' and de-energisers' latent energy is moved; 0
        plants none).
    seed : int
        Every random draw comes from :class:`numpy.random.Generator` streams spawned from it.

    Returns
    -------
    SimulatedOrganisation
        ``.interactions``, ``.people``, ``.outcomes`` (canonical tables), ``.truth`` and
        ``.survey`` (the simulated survey's responses and its planted truth).

    Examples
    --------
    >>> org = simulate_organisation(n_people=60, n_teams=8, n_departments=3, months=6, seed=7)
    >>> sorted(org.interactions["channel"].unique())
    ['chat', 'code', 'email']
    >>> org.truth.intervention_start.month  # the middle of a six-month period
    4
    >>> no_silo = simulate_organisation(n_people=60, n_teams=8, n_departments=3, months=6,
    ...                                 effects={"silo": 1.0}, seed=7)
    >>> no_silo.truth.effects["silo"]
    1.0
    """
    from ona.datasets._process import DEFAULT_EFFECTS
    from ona.exceptions import InvalidParameterError

    if n_people < 5 * n_teams or n_teams < n_departments:
        raise InvalidParameterError(
            "simulate_organisation needs n_people >= 5 * n_teams and n_teams >= n_departments. "
            f"Got n_people={n_people}, n_teams={n_teams}, n_departments={n_departments} instead."
        )
    if intervention_month is None:
        intervention_month = 7 if months > 7 else months // 2 + 1
    if intervention_month > months:
        raise InvalidParameterError(
            f"The 'intervention_month' parameter of simulate_organisation must be at most months={months}. "
            f"Got {intervention_month} instead."
        )
    unknown = sorted(set(effects or {}) - set(DEFAULT_EFFECTS))
    if unknown:
        raise InvalidParameterError(
            f"The 'effects' parameter of simulate_organisation must only name known effects "
            f"({', '.join(sorted(DEFAULT_EFFECTS))}). Got {unknown} instead."
        )
    unknown = sorted(set(survey or {}) - {"response_rate", "perception_share", "energy_shift"})
    if unknown:
        raise InvalidParameterError(
            "The 'survey' parameter of simulate_organisation must only name response_rate, "
            f"perception_share and energy_shift. Got {unknown} instead."
        )
    sim = _simulate(n_people=n_people, n_teams=n_teams, n_departments=n_departments, months=months, start=start,
                    intervention_month=intervention_month, volume=float(volume), effects=effects, seed=seed)  # fmt: skip
    # the ONA survey of the last month: its own random stream, so the rest is unchanged by it
    sim.survey = simulate_survey(sim.org, sim.interactions, seed, **(survey or {}))
    return sim


def write_exports(org: SimulatedOrganisation, directory: str | os.PathLike[str]) -> dict[str, Path]:
    """Write the organisation's raw exports into ``directory`` and record them in ``org.paths``.

    Files: ``mail.mbox``, ``slack_export.zip``, ``monorepo.bundle`` (needs the ``git``
    command), ``roster.csv``, ``team_outcomes.csv``, ``survey_export.csv`` and ``truth.json`` (see
    :data:`EXPORT_FILES`). The same organisation always gives the same bytes.

    Returns
    -------
    dict
        Export name -> path.

    Examples
    --------
    >>> import mailbox, tempfile
    >>> org = simulate_organisation(n_people=40, n_teams=6, n_departments=3, months=3, seed=1)
    >>> paths = write_exports(org, tempfile.mkdtemp())
    >>> len(mailbox.mbox(paths["mbox"])) == org.truth.noise["email_messages"]
    True
    """
    from ona.datasets._exports import write_all

    if not isinstance(org, SimulatedOrganisation) or org.org is None:
        from ona.exceptions import InvalidParameterError

        raise InvalidParameterError(
            f"The 'org' parameter of write_exports must be a SimulatedOrganisation. Got {type(org).__name__} instead."
        )
    org.paths = write_all(org, Path(directory))
    return dict(org.paths)


def make_sample_org() -> SimulatedOrganisation:
    """The bundled sample organisation, simulated in memory (no files read or written).

    It is :func:`simulate_organisation` with :data:`SAMPLE_PARAMETERS`: the default size at
    70% of the default message volume, which keeps ``data/sample`` under 5 MB.

    Examples
    --------
    >>> make_sample_org().truth.parameters["n_people"]
    300
    """
    return simulate_organisation(**SAMPLE_PARAMETERS)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=1)
def _sample() -> SimulatedOrganisation:
    return make_sample_org()


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ona" / "sample"


def load_sample() -> SimulatedOrganisation:
    """The bundled sample organisation: tables, planted truth and the paths of its raw exports.

    The tables come from the simulator's own ground truth (not from importing the exports).
    ``.paths`` point into ``data/sample`` of the source checkout; where that folder is absent
    (an installed wheel) the exports are written once into ``~/.cache/ona/sample``.

    Returns
    -------
    SimulatedOrganisation
        ``.interactions``, ``.people``, ``.outcomes``, ``.truth`` and ``.paths``; the tables
        are copies, so changing them does not affect later calls.

    Examples
    --------
    >>> from ona.datasets import load_sample
    >>> sample = load_sample()
    >>> sorted(sample.paths)
    ['git', 'mbox', 'outcomes', 'roster', 'slack', 'survey', 'truth']
    >>> sample.truth.silo_departments
    ('Engineering', 'Sales')
    """
    sim = _sample()
    directory = SAMPLE_DIR
    if not all((directory / f).is_file() for f in EXPORT_FILES.values()):
        directory = _cache_dir()
        if not all((directory / f).is_file() for f in EXPORT_FILES.values()):
            write_exports(sim, directory)
    return replace(
        sim,
        interactions=sim.interactions.copy(),
        people=sim.people.copy(),
        outcomes=sim.outcomes.copy(),
        paths={name: directory / f for name, f in EXPORT_FILES.items()},
    )
