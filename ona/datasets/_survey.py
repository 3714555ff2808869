"""The sample organisation answers an ONA survey, and the export a survey platform gives.

In the organisation's last month everyone employed is invited; about three in four respond
(each department's rate varies a little around ``response_rate``), a few leave the survey
unfinished, and a few submit twice. Three questions are asked (:data:`ona.survey_questions.QUESTIONS`):

* **info** and **advice**: each respondent names people drawn partly from their actual ties
  (how much they interacted with each person in the last six months, all channels: the
  planted structure) and partly from **perception** (a latent reputation, higher for senior
  levels, within the respondent's department more than outside);
* **energy**: each respondent names people they interact with regularly (drawn from their
  ties) and rates each on Cross, Baker and Parker's scale (-2..+2). Everyone has a latent
  energy; the planted **energisers** (about 3 % of people) and **de-energisers** (about 2 %)
  have it shifted by ``+energy_shift`` and ``-energy_shift``.

Respondents type names into numbered text boxes: most write the name as the roster has it,
some in lower case, surname first, a first name only, or with a typo (the last two cannot be
matched and come back as rejected names with suggestions).

:func:`survey_csv_bytes` writes it as a Qualtrics-style export (three header rows, ``Q1_k``
text entries, a side-by-side question ``Q3#1_k`` names / ``Q3#2_k`` energy ratings as choice
labels, ``Finished`` and ``Progress`` for partial responses).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from ona.survey_questions import QUESTIONS

__all__ = ["SimulatedSurvey", "simulate_survey", "survey_csv_bytes"]

MAX_NAMES = {"info": 10, "advice": 8, "energy": 8}
MEAN_NAMES = {"info": 4.0, "advice": 2.5, "energy": 6.0}
ENERGY_LABELS = {-2: "Strongly de-energizing", -1: "Somewhat de-energizing", 0: "Neutral",
                 1: "Somewhat energizing", 2: "Strongly energizing"}  # fmt: skip
LEVEL_REPUTATION = {"IC1": 0.6, "IC2": 0.8, "IC3": 1.0, "IC4": 1.4, "IC5": 1.8, "M1": 1.6, "M2": 2.0, "M3": 2.2}


@dataclass
class SimulatedSurvey:
    """The simulated survey: responses as they were given, and what was planted.

    Attributes
    ----------
    responses : DataFrame
        One row per response: ``response_id``, ``respondent`` (person id), ``start``, ``end``
        (UTC), ``finished``, ``progress``, and one list column per question of ``(written
        name, person id, rating)`` answers (rating None except for energy).
    truth : dict
        ``invited``, ``respondents``, ``response_rate``, ``energisers``, ``de_energisers``,
        ``energy_shift``, ``perception_share``, ``survey_start``.
    """

    responses: pd.DataFrame
    truth: dict[str, Any]


def _written(rng: np.random.Generator, name: str) -> str:
    """How a respondent types a name into a text box."""
    first, last = name.split(" ", 1)
    u = rng.random()
    if u < 0.04:
        return name.lower()
    if u < 0.07:
        return f"{last}, {first}"
    if u < 0.09:
        return first
    if u < 0.10 and len(last) > 3:
        k = int(rng.integers(1, len(last) - 2))
        return f"{first} {last[:k]}{last[k + 1]}{last[k]}{last[k + 2:]}"
    return name


def simulate_survey(
    org: Any,
    interactions: pd.DataFrame,
    seed: int,
    *,
    response_rate: float = 0.75,
    perception_share: float = 0.35,
    energy_shift: float = 1.6,
) -> SimulatedSurvey:
    """Simulate the survey of ``org`` (an ``ona.datasets._org.Org``) from its interactions."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(101,)))
    n, last = org.n, org.n_months - 1
    active = np.flatnonzero(org.team_month[last] >= 0)
    team = org.team_month[last]
    dept = np.where(team >= 0, org.team_dept[np.maximum(team, 0)], -1)
    # ties: interactions in either direction over the last six months
    index = {e: i for i, e in enumerate(org.emails)}
    since = pd.Timestamp(org.months[max(0, org.n_months - 6)]).tz_localize("UTC")
    recent = interactions[interactions["timestamp"] >= since]
    s = np.zeros((n, n))
    np.add.at(s, (recent["source"].map(index).to_numpy(), recent["target"].map(index).to_numpy()), 1.0)
    s = s + s.T
    np.fill_diagonal(s, 0)
    reputation = rng.lognormal(0, 0.5, n) * np.array([LEVEL_REPUTATION.get(lv, 1.0) for lv in org.level])
    alive = np.zeros(n, bool)
    alive[active] = True
    # planted energisers and de-energisers among the people most often named in the energy
    # question (expected raters: each colleague's share of a person's ties, summed)
    share = s[active] / np.maximum(s[active].sum(axis=1, keepdims=True), 1e-12)
    expected = share.sum(axis=0)
    eligible = active[expected[active] >= np.quantile(expected[active], 0.6)]
    picked = rng.choice(eligible, size=round(0.05 * len(active)), replace=False)
    n_up = round(0.03 * len(active))
    energisers, de_energisers = np.sort(picked[:n_up]), np.sort(picked[n_up:])
    energy = rng.normal(0.3, 0.35, n)
    energy[energisers] += energy_shift
    energy[de_energisers] -= energy_shift
    # who responds: department rates vary around the overall rate
    dept_shift = rng.normal(0, 0.35, len(org.departments))
    logit = np.log(response_rate / (1 - response_rate)) + dept_shift[dept[active]]
    responds = active[rng.random(len(active)) < 1 / (1 + np.exp(-logit))]
    start = datetime.combine(org.months[last], datetime.min.time(), UTC) + timedelta(days=1)

    def draw(i: int, question: str) -> list[int]:
        ties = s[i] * alive
        perceived = reputation * alive * np.where(dept == dept[i], 1.0, 0.15)
        ties[i] = perceived[i] = 0.0
        share = 0.9 if question == "energy" else 1 - perception_share  # energy: people one meets
        p = share * ties / max(ties.sum(), 1e-12) + (1 - share) * perceived / perceived.sum()
        k = min(1 + int(rng.poisson(MEAN_NAMES[question] - 1)), MAX_NAMES[question], int((p > 0).sum()))
        return [int(j) for j in rng.choice(n, size=k, replace=False, p=p / p.sum())]

    rows = []
    for number, i in enumerate(rng.permutation(responds)):
        t0 = start + timedelta(days=int(rng.integers(0, 12)), hours=8 + float(rng.random()) * 9)
        answers = {}
        for q in ("info", "advice", "energy"):
            chosen = draw(int(i), q)
            ratings = [int(np.clip(np.rint(energy[j] + rng.normal(0, 0.7)), -2, 2)) for j in chosen]
            answers[q] = [(_written(rng, org.names[j]), org.emails[j], r if q == "energy" else None)
                          for j, r in zip(chosen, ratings, strict=True)]  # fmt: skip
        finished, progress = True, 100
        if rng.random() < 0.06:  # left unfinished after the first question or two
            finished = False
            stop = int(rng.integers(1, 3))
            for q in ("info", "advice", "energy")[stop:]:
                answers[q] = []
            progress = 35 if stop == 1 else 70
        duration = timedelta(seconds=int(120 + rng.gamma(2.0, 150)))
        rows.append({"response_id": f"R_{number + 1:04d}", "respondent": org.emails[int(i)],
                     "start": t0, "end": t0 + duration, "finished": finished, "progress": progress,
                     **answers})  # fmt: skip
        if rng.random() < 0.01:  # submitted twice: the later response replaces the first
            again = dict(rows[-1], response_id=f"R_{number + 1:04d}b", start=t0 + timedelta(days=1),
                         end=t0 + timedelta(days=1) + duration,
                         info=[(org.names[j], org.emails[j], None) for j in draw(int(i), "info")])  # fmt: skip
            rows.append(again)
    responses = pd.DataFrame(rows).sort_values("end", kind="stable", ignore_index=True)
    truth = {
        "file": "survey_export.csv",
        "invited": len(active),
        "respondents": len(responds),
        "response_rate": round(len(responds) / len(active), 6),
        "questions": {q: QUESTIONS[q].text for q in ("info", "advice", "energy")},
        "energisers": sorted(org.emails[j] for j in energisers),
        "de_energisers": sorted(org.emails[j] for j in de_energisers),
        "energy_shift": energy_shift,
        "perception_share": perception_share,
        "survey_start": start.date().isoformat(),
    }
    return SimulatedSurvey(responses, truth)


def _qualtrics_time(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def survey_csv_bytes(survey: SimulatedSurvey) -> bytes:
    """The Qualtrics-style CSV export of the responses (see the module docstring)."""
    meta = ["StartDate", "EndDate", "Status", "Progress", "Duration (in seconds)", "Finished",
            "RecordedDate", "ResponseId", "RecipientEmail"]  # fmt: skip
    meta_text = ["Start Date", "End Date", "Response Type", "Progress", "Duration (in seconds)",
                 "Finished", "Recorded Date", "Response ID", "Recipient Email"]  # fmt: skip
    info, advice, energy = (QUESTIONS[q] for q in ("info", "advice", "energy"))
    names, texts, ids = list(meta), list(meta_text), [json.dumps({"ImportId": m[0].lower() + m[1:]}) for m in meta]
    for qid, q in (("Q1", info), ("Q2", advice)):
        for k in range(1, MAX_NAMES[q.name] + 1):
            names.append(f"{qid}_{k}")
            texts.append(f"{q.text} - Person {k}")
            ids.append(json.dumps({"ImportId": f"QID{qid[1:]}_{k}_TEXT"}))
    for column_set, label in ((1, "Name"), (2, "Energy")):
        for k in range(1, MAX_NAMES["energy"] + 1):
            names.append(f"Q3#{column_set}_{k}")
            texts.append(f"{energy.text} - {label} - Person {k}")
            ids.append(json.dumps({"ImportId": f"QID3#{column_set}_{k}"}))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")  # as Qualtrics writes it
    writer.writerows([names, texts, ids])
    for r in survey.responses.itertuples(index=False):
        row = [_qualtrics_time(r.start), _qualtrics_time(r.end), "IP Address", str(r.progress),
               str(int((r.end - r.start).total_seconds())), "True" if r.finished else "False",
               _qualtrics_time(r.end), r.response_id, r.respondent]  # fmt: skip
        for q in ("info", "advice"):
            given = [w for w, _, _ in getattr(r, q)]
            row += given + [""] * (MAX_NAMES[q] - len(given))
        given = r.energy
        pad = [""] * (MAX_NAMES["energy"] - len(given))
        row += [w for w, _, _ in given] + pad + [ENERGY_LABELS[x] for _, _, x in given] + pad
        writer.writerow(row)
    return buf.getvalue().encode("utf-8")
