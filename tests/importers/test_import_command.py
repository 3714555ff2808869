"""``ona import`` with the readers' own options and tables: a generic CSV mapped with
``--columns``, and Viva Insights queries whose metrics and group matrix are stored."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from ona.cli import ExitCode, main
from ona.workspace import open_workspace

ROWS = [("ann@corp.com", "bob@corp.com", "2026-01-05 09:00:00"),
        ("bob@corp.com", "cy@corp.com", "2026-01-06 10:30:00"),
        ("cy@corp.com", "", "2026-01-07 11:00:00")]  # fmt: skip


def _events_csv(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    path.write_text("Sender;Recipient;EventDate\n" + "".join(";".join(r) + "\n" for r in ROWS))
    return path


def test_columns_option_maps_a_generic_csv(tmp_path, capsys):
    path = _events_csv(tmp_path)
    ws = tmp_path / "ws"
    base = ["import", str(path), "-w", str(ws), "--no-pseudonymise"]
    assert main(base) == ExitCode.DATA
    assert "--columns source=Sender,target=Recipient,timestamp=COLUMN" in capsys.readouterr().err
    assert main([*base, "--columns", "timestamp=EventDate", "--json",
                 "--on-bad-lines", "skip"]) == ExitCode.OK
    report = json.loads(capsys.readouterr().out)["files"][0]
    with open(path, newline="") as fh:
        truth = list(csv.DictReader(fh, delimiter=";"))
    assert report["format"] == "interactions_csv"
    assert report["read"] == len(truth) and report["rejected"] == {"missing source or target": 1}
    stored = open_workspace(ws).interactions()
    assert sorted(zip(stored["source"], stored["target"], strict=True)) == sorted(
        (t["Sender"], t["Recipient"]) for t in truth if t["Recipient"])
    for bad in (["--columns", "time=EventDate"], ["--columns", "EventDate"],
                ["--columns", "timestamp=EventDate", "--format", "mbox"]):
        assert main([*base, *bad]) == ExitCode.USAGE
        assert "--columns" in capsys.readouterr().err


@pytest.fixture
def viva_delivery(shared, tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("_viva_tests", Path(__file__).with_name("test_viva.py"))
    viva_tests = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(viva_tests)
    folder = tmp_path / "delivery"
    folder.mkdir()
    person, _ = viva_tests._person_query(folder)
    g2g = shared / "fixtures" / "viva" / "vivainsights_g2g_data.csv"
    (folder / g2g.name).write_bytes(g2g.read_bytes())
    return folder, person, folder / g2g.name


@pytest.mark.parametrize("pseudonymise", [False, True])
def test_viva_person_query_and_group_matrix_are_stored(viva_delivery, tmp_path, pseudonymise):
    from ona.importers.viva import read_viva_g2g, read_viva_person

    folder, person, g2g = viva_delivery
    ws = tmp_path / "ws"
    args = ["import", str(folder), "-w", str(ws), "--on-bad-lines", "skip", "-q"]
    if pseudonymise:
        key = tmp_path / "key"
        key.write_bytes(os.urandom(32))
        args += ["--key-file", str(key)]
    else:
        args += ["--no-pseudonymise"]
    assert main(args) == ExitCode.OK
    workspace = open_workspace(ws)
    weekly, people = workspace.table("person_week"), workspace.people()
    expected = read_viva_person(person, on_bad_lines="skip").extras["person_week"]
    assert len(weekly) == len(expected) == 35 * 6
    assert set(weekly["person_id"]) == set(people["person_id"])  # one key for both tables
    assert (set(weekly["person_id"]) == set(expected["person_id"])) is not pseudonymise
    assert weekly["Meeting_hours"].sum() == pytest.approx(expected["Meeting_hours"].sum())
    assert set(people["department"].dropna()) == {"Finance", "HR", "Product", "Sales"}
    matrix = workspace.table("group_to_group")
    expected_g2g = read_viva_g2g(g2g).extras["group_to_group"]
    assert len(matrix) == len(expected_g2g) > 0
    assert matrix["value"].sum() == pytest.approx(expected_g2g["value"].sum())
    assert workspace.info()["tables"] == {"group_to_group": len(matrix), "person_week": 210}
    # importing again changes nothing
    assert main(args) == ExitCode.OK
    again = open_workspace(ws)
    assert len(again.table("person_week")) == 210 and len(again.table("group_to_group")) == len(matrix)
    pd.testing.assert_frame_equal(again.people(), people)
