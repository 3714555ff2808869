"""The sample organisation's ONA survey: the export read back against what the simulator drew,
its response rate, and its planted energisers recovered (and none when none are planted).

Counts are recomputed here from the export file with the csv module and from the simulator's
own responses; the reader's output is checked against them.
"""

from __future__ import annotations

import csv
import warnings

import pandas as pd
import pytest

from ona import build_graph, compare_layers, energy_roles, read_survey
from ona.datasets import SAMPLE_PARAMETERS, load_sample, simulate_organisation
from ona.datasets._survey import survey_csv_bytes
from ona.people import attributes_at


@pytest.fixture(scope="module")
def sample():
    return load_sample()


def read(path, people):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_survey(path, roster=people)


@pytest.fixture(scope="module")
def survey(sample):
    return read(sample.paths["survey"], sample.people)


def test_the_export_is_a_survey_platform_csv_with_about_three_in_four_responding(sample):
    with open(sample.paths["survey"], newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, texts, ids = rows[:3]
    assert header[:2] == ["StartDate", "EndDate"] and "RecipientEmail" in header
    assert ids[header.index("Q1_1")] == '{"ImportId": "QID1_1_TEXT"}'
    assert texts[header.index("Q2_1")].startswith("Who do you go to for help or advice at work?")
    respondents = {r[header.index("RecipientEmail")] for r in rows[3:]}
    start = pd.Timestamp(sample.survey.truth["survey_start"])
    invited = attributes_at(sample.people, start, active_only=True)
    assert respondents <= set(invited.index)
    assert 0.65 <= len(respondents) / len(invited) <= 0.85
    assert any(r[header.index("Finished")] == "False" for r in rows[3:])  # partial responses


def test_reading_the_export_gives_back_the_nominations_the_simulator_drew(sample, survey):
    r = survey.extras["respondents"]
    assert survey.report.balanced()
    drawn = set()
    written = 0
    for resp in sample.survey.responses.drop_duplicates("respondent", keep="last").itertuples():
        for layer in ("info", "advice", "energy"):
            for _name, pid, rating in getattr(resp, layer):
                drawn.add((resp.respondent, layer, pid, 1.0 if rating is None else float(rating)))
                written += 1
    got = set(zip(*(survey.interactions[c] for c in ("source", "kind", "target", "weight")), strict=True))
    assert got <= drawn  # nothing matched to the wrong person or with the wrong rating
    rejected = survey.report.total()["rejected"]
    # every name of a counted response is a tie or an unknown name (first name alone, typo)
    assert len(got) + rejected["unknown name"] == written
    assert rejected["unknown name"] < 0.05 * written
    rates = survey.extras["response_rates"]
    assert rates.respondents == len(set(sample.survey.responses["respondent"]))
    assert rates.partial == int((~sample.survey.responses.drop_duplicates("respondent", keep="last")["finished"]).sum())
    assert len(r) == len(sample.survey.responses)


def test_energy_roles_recover_the_planted_energisers(sample, survey):
    roles = energy_roles(survey.interactions)
    found = set(roles.index[roles["energiser"]])
    planted = set(sample.survey.truth["energisers"])
    assert len(found & planted) >= 0.7 * len(planted)
    assert len(found & planted) >= 0.75 * len(found)
    down, planted_down = set(roles.index[roles["de_energiser"]]), set(sample.survey.truth["de_energisers"])
    assert len(down & planted_down) >= 2 and len(down & planted_down) >= 0.5 * len(down)


@pytest.mark.slow
def test_no_planted_energy_gives_almost_no_energisers(tmp_path):
    sim = simulate_organisation(**SAMPLE_PARAMETERS, survey={"energy_shift": 0.0})
    path = tmp_path / "survey.csv"
    path.write_bytes(survey_csv_bytes(sim.survey))
    roles = energy_roles(read(path, sim.people).interactions)
    assert roles["energiser"].sum() <= 2 and roles["de_energiser"].sum() <= 3


@pytest.mark.slow
def test_answers_follow_the_planted_ties_only_as_far_as_they_were_planted(sample, survey, tmp_path):
    """Survey information ties overlap the passive network beyond chance; with answers drawn
    from perception alone the overlap falls to near what the density gives."""
    passive = sample.interactions[sample.interactions["timestamp"] >= "2025-07-01"]
    G = build_graph(passive)
    planted = compare_layers(build_graph(survey.interactions, kinds=["info"]), G, n_permutations=200)
    sim = simulate_organisation(**SAMPLE_PARAMETERS, survey={"perception_share": 1.0})
    path = tmp_path / "survey.csv"
    path.write_bytes(survey_csv_bytes(sim.survey))
    perceived = read(path, sim.people)
    none = compare_layers(build_graph(perceived.interactions, kinds=["info"]), G, n_permutations=200)
    assert planted.qap_p_value < 0.01 and planted.share_a_in_b > 0.4
    assert none.share_a_in_b < planted.share_a_in_b / 2
