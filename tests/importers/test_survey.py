"""Survey exports in each style, written here the way the tools write them, read back exactly.

The expected nominations are the ones each test writes into its file (a set of
(respondent, layer, nominee, rating) tuples), never the reader's own output.
"""

from __future__ import annotations

import csv
import json
import warnings

import pandas as pd
import pytest

from ona.exceptions import BadInputError
from ona.importers import detect_format
from ona.importers.survey import read_survey
from ona.survey import LowResponseWarning

ROSTER = pd.DataFrame({
    "person_id": ["E1", "E2", "E3", "E4", "E5", "E6", "E7"],
    "name": ["Ada Núñez", "Bo Yu", "Cy Ng", "Dee Park", "Eve Stone", "Eve Stone", "Finn Holt"],
    "email": ["ada@corp.example", "bo@corp.example", "cy@corp.example", "dee@corp.example",
              "eve.stone@corp.example", "eve.s@corp.example", "finn@corp.example"],
    "aliases": ["ada.nunez@old.example", None, None, None, None, None, None],
    "department": ["Sales"] * 5 + ["Ops"] * 2,
})  # fmt: skip

INFO = "Who do you turn to for information that is important to your work?"
ADVICE = "Who do you go to for help or advice at work?"


def ties(result) -> set[tuple]:
    i = result.interactions
    return set(zip(i["source"], i["kind"], i["target"], i["weight"], strict=True))


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


def write_xlsx(path, rows):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


# --------------------------------------------------------------------------- the three styles

MULTISELECT = [
    ["Timestamp", "Email Address", INFO, ADVICE],
    ["2026/03/02 10:15:00", "ada@corp.example", "Bo Yu, Cy Ng", "Dee Park"],
    ["2026/03/02 11:00:00", "bo@corp.example", "Ada Núñez;Finn Holt", ""],
    ["2026/03/03 09:30:00", "DEE@corp.example", "", "ada nunez"],
]
MULTISELECT_TIES = {
    ("E1", "info", "E2", 1.0), ("E1", "info", "E3", 1.0), ("E1", "advice", "E4", 1.0),
    ("E2", "info", "E1", 1.0), ("E2", "info", "E7", 1.0), ("E4", "advice", "E1", 1.0),
}  # fmt: skip


@pytest.mark.parametrize("writer", [write_csv, write_xlsx], ids=["csv", "xlsx"])
def test_multiselect_form_export_reads_back_exactly(tmp_path, writer):
    path = writer(tmp_path / f"form.{'csv' if writer is write_csv else 'xlsx'}", MULTISELECT)
    assert detect_format(path) == "survey"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LowResponseWarning)
        r = read_survey(path, roster=ROSTER)
    assert ties(r) == MULTISELECT_TIES
    assert set(r.interactions["channel"]) == {"survey"}
    assert r.report.balanced() and r.report.total()["read"] == 6
    assert r.interactions["timestamp"].min() == pd.Timestamp("2026-03-02 10:15", tz="UTC")
    names = r.extras["names"].set_index("name")
    assert names.loc["ada nunez", "rule"] == "full name, accents folded"
    assert names.loc["Ada Núñez", "rule"] == "full name"


LONG = [
    ["respondent", "question", "nominee", "rating", "submitted_at"],
    ["ada@corp.example", "energy", "bo@corp.example", "2", "2026-03-02T10:00:00Z"],
    ["ada@corp.example", "energy", "Cy Ng", "-1", "2026-03-02T10:00:00Z"],
    ["ada@corp.example", "advice", "Dee Park", "", "2026-03-02T10:00:00Z"],
    ["bo@corp.example", "energy", "ada.nunez@old.example", "0", "2026-03-02T11:00:00Z"],
    ["cy@corp.example", "advice", "", "", "2026-03-02T12:00:00Z"],  # named no one
]


@pytest.mark.parametrize("writer", [write_csv, write_xlsx], ids=["csv", "xlsx"])
def test_long_export_with_signed_ratings_reads_back_exactly(tmp_path, writer):
    path = writer(tmp_path / f"long.{'csv' if writer is write_csv else 'xlsx'}", LONG)
    assert detect_format(path) == "survey"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LowResponseWarning)
        r = read_survey(path, roster=ROSTER)
    assert ties(r) == {("E1", "energy", "E2", 2.0), ("E1", "energy", "E3", -1.0),
                       ("E1", "advice", "E4", 1.0), ("E2", "energy", "E1", 0.0)}
    t = r.report.total()
    assert t["read"] == 5 and t["imported"] == 5 and r.report.balanced()  # a row naming no one is a record
    resp = r.extras["respondents"].set_index("respondent")
    assert resp.loc["E3", "nominations"] == 0 and resp.loc["E3", "status"] == "complete"


def numbered_rows():
    header = ["StartDate", "EndDate", "Progress", "Finished", "ResponseId", "RecipientEmail",
              "Q1_1", "Q1_2", "Q1_3", "Q3#1_1", "Q3#1_2", "Q3#2_1", "Q3#2_2"]
    texts = ["Start Date", "End Date", "Progress", "Finished", "Response ID", "Recipient Email",
             f"{INFO} - Person 1", f"{INFO} - Person 2", f"{INFO} - Person 3",
             "Who do you interact with regularly at work? - Name - Person 1",
             "Who do you interact with regularly at work? - Name - Person 2",
             "Who do you interact with regularly at work? - Energy - Person 1",
             "Who do you interact with regularly at work? - Energy - Person 2"]
    ids = ['{"ImportId":"startDate"}'] * 6 + [json.dumps({"ImportId": f"QID1_{k}_TEXT"}) for k in (1, 2, 3)] + \
        [json.dumps({"ImportId": f"QID3#{s}_{k}"}) for s in (1, 2) for k in (1, 2)]
    return [
        header, texts, ids,
        ["2026-03-02 09:00:00", "2026-03-02 09:10:00", "100", "1", "R_1", "ada@corp.example",
         "Bo Yu", "finn holt", "", "Cy Ng", "Bo Yu", "2", "-2"],
        ["2026-03-02 09:00:00", "2026-03-02 09:20:00", "40", "0", "R_2", "cy@corp.example",
         "Núñez, Ada", "", "", "", "", "", ""],
    ]  # fmt: skip


@pytest.mark.parametrize("writer", [write_csv, write_xlsx], ids=["csv", "xlsx"])
def test_numbered_export_with_side_by_side_ratings_reads_back_exactly(tmp_path, writer):
    path = writer(tmp_path / f"qualtrics.{'csv' if writer is write_csv else 'xlsx'}", numbered_rows())
    assert detect_format(path) == "survey"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LowResponseWarning)
        r = read_survey(path, roster=ROSTER)
    assert ties(r) == {("E1", "info", "E2", 1.0), ("E1", "info", "E7", 1.0), ("E1", "energy", "E3", 2.0),
                       ("E1", "energy", "E2", -2.0), ("E3", "info", "E1", 1.0)}  # fmt: skip
    status = r.extras["respondents"].set_index("respondent")["status"].to_dict()
    assert status == {"E1": "complete", "E3": "partial"}  # Finished = 0
    assert (r.interactions["time_quality"] == "no_timezone").all()
    assert r.extras["names"].set_index("name").loc["Núñez, Ada", "rule"] == "full name, surname first"


def test_mapping_names_layers_and_pairs_rating_columns(tmp_path):
    rows = [["RecipientEmail", "EndDate", "Q7_1", "Q7_2", "Q8_1", "Q8_2", "Q9_1"],
            ["Email", "End", "Who energises you? - 1", "Who energises you? - 2", "Energy - 1", "Energy - 2", "Team"],
            ["ada@corp.example", "2026-03-02", "Bo Yu", "Cy Ng", "Very energizing", "Neutral", "Sales"]]  # fmt: skip
    path = write_csv(tmp_path / "q.csv", rows)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"questions": {"Q7": {"layer": "energy", "rating": "Q8"}}}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LowResponseWarning)
        r = read_survey(path, roster=ROSTER, questions=mapping)
    assert ties(r) == {("E1", "energy", "E2", 2.0), ("E1", "energy", "E3", 0.0)}
    assert r.report.files[0].notes["columns not in the mapping, ignored"] >= 1


# --------------------------------------------------------------------------- rejections


def test_unknown_and_ambiguous_names_are_rejected_with_suggestions_never_applied(tmp_path):
    rows = [["Timestamp", "Email Address", INFO],
            ["2026-03-02 10:00", "ada@corp.example", "Eve Stone, Bo Yu, Bo, Cy Nh, ada@corp.example"],
            ["2026-03-02 11:00", "zed@corp.example", "Bo Yu"],
            ["2026-03-02 12:00", "bo@corp.example", "Ada Núñez, Ada Núñez"]]  # fmt: skip
    path = write_csv(tmp_path / "form.csv", rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = read_survey(path, roster=ROSTER)
    assert ties(r) == {("E1", "info", "E2", 1.0), ("E2", "info", "E1", 1.0)}
    rejected = r.report.total()["rejected"]
    assert rejected == {"ambiguous name": 1, "unknown name": 2, "self-nomination": 1,
                        "respondent not on the roster": 1, "duplicate nomination": 1}
    assert r.report.balanced() and r.report.total()["read"] == 8
    s = r.extras["suggestions"]
    got = set(zip(s["name"], s["person_id"], s["reason"], strict=True))
    assert ("Eve Stone", "E5", "same full name") in got and ("Eve Stone", "E6", "same full name") in got
    assert ("Bo", "E2", "same first name") in got
    assert ("Cy Nh", "E3", "similar full name") in got
    # suggestions are never applied: no tie to Cy Ng, none from the unknown respondent
    assert "E3" not in set(r.interactions["target"])
    names = r.extras["names"]
    assert names["nominations"].sum() == 8  # every name written, once per occurrence
    assert set(names["status"]) == {"matched", "ambiguous", "unknown"}


def test_on_bad_lines_error_names_file_and_location(tmp_path):
    path = write_csv(tmp_path / "form.csv", [["Timestamp", "Email Address", INFO],
                                             ["2026-03-02 10:00", "ada@corp.example", "Nobody Known"]])
    with pytest.raises(BadInputError, match=r"form\.csv.*line 2, column .*unknown name"):
        read_survey(path, roster=ROSTER, on_bad_lines="error")


def test_a_later_response_supersedes_an_earlier_one(tmp_path):
    rows = [["Timestamp", "Email Address", INFO],
            ["2026-03-02 10:00", "ada@corp.example", "Bo Yu"],
            ["2026-03-03 10:00", "ada@corp.example", "Cy Ng"]]  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = read_survey(write_csv(tmp_path / "f.csv", rows), roster=ROSTER)
    assert ties(r) == {("E1", "info", "E3", 1.0)}
    assert r.report.total()["rejected"] == {"superseded by a later response of the same respondent": 1}


def test_without_a_roster_addresses_are_kept_and_names_rejected(tmp_path):
    rows = [["Timestamp", "Email Address", INFO],
            ["2026-03-02 10:00", "Ada@corp.example", "bo@corp.example; Cy Ng"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = read_survey(write_csv(tmp_path / "f.csv", rows))
    assert ties(r) == {("ada@corp.example", "info", "bo@corp.example", 1.0)}
    assert r.report.total()["rejected"] == {"a name, but no roster to match it against": 1}


def test_not_a_survey_is_a_clear_error(tmp_path):
    path = write_csv(tmp_path / "x.csv", [["a", "b"], ["1", "2"]])
    assert detect_format(path) != "survey"
    with pytest.raises(BadInputError, match="not a survey export"):
        read_survey(path)


def test_unreadable_rating_and_missing_time(tmp_path):
    rows = [["respondent", "question", "nominee", "rating"],
            ["ada@corp.example", "energy", "Bo Yu", "lots"],
            ["ada@corp.example", "energy", "Cy Ng", "1"]]  # fmt: skip
    path = write_csv(tmp_path / "l.csv", rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = read_survey(path, roster=ROSTER)
        assert r.report.total()["rejected"] == {"unreadable rating": 1, "no response time (give survey_date)": 1}
        r = read_survey(path, roster=ROSTER, survey_date="2026-03-01")
    assert ties(r) == {("E1", "energy", "E3", 1.0)}
    assert r.interactions["time_quality"].tolist() == ["date_only"]


# --------------------------------------------------------------------------- response rates


def test_response_rates_overall_and_by_group_with_suppression(tmp_path):
    with pytest.warns(LowResponseWarning, match="response rate 43%"):
        r = read_survey(write_csv(tmp_path / "form.csv", MULTISELECT), roster=ROSTER)
    rates = r.extras["response_rates"]
    # 3 of 7 roster people responded (ada, bo, dee), all in Sales (5 people); Ops has 2 people
    assert (rates.population, rates.respondents, rates.non_respondents) == (7, 3, 4)
    assert rates.response_rate == pytest.approx(3 / 7)
    assert rates.by_group.loc["Sales", "respondents"] == 3
    assert rates.by_group.loc["Sales", "response_rate"] == pytest.approx(3 / 5)
    assert bool(rates.by_group.loc["Ops", "suppressed"]) and pd.isna(rates.by_group.loc["Ops", "population"])
    assert any("suppressed" in n for n in rates.notes)
    assert rates.nominations_per_respondent == {"mean": 2.0, "median": 2.0, "max": 3.0, "zero": 0}
    assert sorted(rates.non_respondent_ids) == ["E3", "E5", "E6", "E7"]


# --------------------------------------------------------------------------- into a workspace


@pytest.mark.parametrize("key", [None, b"0123456789abcdef0123456789abcdef"], ids=["raw", "pseudonymised"])
def test_workspace_import_matches_names_with_the_roster_and_keeps_respondents(tmp_path, key):
    from ona.privacy import pseudonym
    from ona.survey import respondents_of
    from ona.workspace import open_workspace

    roster = tmp_path / "roster.csv"
    ROSTER.drop(columns="aliases").to_csv(roster, index=False)
    form = write_csv(tmp_path / "form.csv", MULTISELECT)
    ws = open_workspace(tmp_path / "ws", create=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = ws.import_paths([roster, form], key=key)
    assert [f.format for f in report.files] == ["roster", "survey"]
    events = ws.interactions(channels=["survey"])
    expected = {(s, k, t) for s, k, t, _ in MULTISELECT_TIES}
    if key is not None:
        expected = {(pseudonym(s, key), k, pseudonym(t, key)) for s, k, t in expected}
    assert set(zip(events["source"], events["kind"], events["target"], strict=True)) == expected
    table = respondents_of(ws.interactions(), ws.affiliations())
    assert len(table) == 3 and set(table["status"]) == {"complete", "partial"}  # bo left advice blank
    assert table["nominations"].sum() == len(expected)
