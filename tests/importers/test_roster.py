"""HR roster reader: header variants, encodings, effective dates, snapshots, accounting."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ona.exceptions import BadInputError
from ona.importers import detect_format
from ona.importers.roster import detect, read_roster
from ona.people import attach_attributes, attributes_at

BROKEN = Path(__file__).resolve().parents[1] / "data" / "broken" / "roster"


def _utc(s):
    return pd.Timestamp(s, tz="UTC")


def _write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def _balanced(report):
    t = report.total()
    return t["read"] == t["imported"] + t["duplicates"] + sum(t["rejected"].values())


def test_header_variants_bom_semicolon_and_extra_columns(tmp_path):
    p = _write(
        tmp_path,
        "hr.csv",
        "\ufeffEmployeeID;First Name;Last Name;Mail;Function;Team Name;Manager;Office;Grade;"
        "Hire Date;Cost Centre\n"
        "1001;Ann;Lee;Ann.Lee@Corp.example;Sales;EMEA;;Paris;L5;2020-01-15;CC1\n"
        "1002;Bo;Yu;bo@corp.example;Sales;EMEA;ann.lee@corp.example;Paris;L3;2021-03-01;CC1\n",
    )
    people = read_roster(p).people
    assert people["person_id"].tolist() == ["1001", "1002"]
    assert people["name"].tolist() == ["Ann Lee", "Bo Yu"]  # first and last joined
    assert people["email"].tolist() == ["ann.lee@corp.example", "bo@corp.example"]
    assert people["department"].tolist() == ["Sales", "Sales"]  # 'Function'
    assert people["team"].tolist() == ["EMEA", "EMEA"]
    assert people["location"].tolist() == ["Paris", "Paris"]
    assert people["level"].tolist() == ["L5", "L3"]
    # The manager was given by e-mail: it becomes the manager's person id.
    assert people["manager_id"].isna().tolist() == [True, False]
    assert people.loc[1, "manager_id"] == "1001"
    assert people.loc[0, "start_date"] == _utc("2020-01-15")
    assert people["Cost Centre"].tolist() == ["CC1", "CC1"]  # extra columns kept, after canonical


def test_cp1252_tab_delimited_and_proxy_addresses(tmp_path):
    p = _write(
        tmp_path,
        "hr.tsv",
        "employee_id\temail\tdepartment\tproxyAddresses\tname\n"
        "E1\tzoe@corp.example\tR&D\tSMTP:zoe@corp.example;smtp:z.muller@old.example;"
        "X500:/o=Corp/ou=Exchange Group/cn=zoe\tZoë Müller\n",
        encoding="cp1252",
    )
    people = read_roster(p).people
    assert people.loc[0, "name"] == "Zoë Müller"
    assert people.loc[0, "aliases"].split(";") == [
        "zoe@corp.example",
        "z.muller@old.example",
        "x500:/o=corp/ou=exchange group/cn=zoe",
    ]


def test_dayfirst_option(tmp_path):
    p = _write(tmp_path, "r.csv", "person_id,team,valid_from\nE1,A,03/04/2025\n")
    assert read_roster(p).people.loc[0, "valid_from"] == _utc("2025-03-04")
    assert read_roster(p, dayfirst=True).people.loc[0, "valid_from"] == _utc("2025-04-03")


def test_column_overrides(tmp_path):
    p = _write(tmp_path, "r.csv", "Mitarbeiter,Abteilung\nM1,Einkauf\n")
    people = read_roster(p, columns={"Mitarbeiter": "person_id", "Abteilung": "department"}).people
    assert people[["person_id", "department"]].values.tolist() == [["M1", "Einkauf"]]


def test_effective_dated_rows_close_open_periods_and_clip_overlaps(tmp_path):
    p = _write(
        tmp_path,
        "r.csv",
        "person_id,team,manager_id,valid_from,valid_to\n"
        "E1,Sales,M1,2024-01-01,\n"
        "E1,Product,M2,2024-07-01,2025-12-31\n"  # ends before the next row: kept
        "E1,Ops,M3,2026-01-01,\n"
        "E2,Sales,M1,,2024-09-01\n"  # overlaps the next row: clipped to its start
        "E2,Ops,M3,2024-06-01,\n",
    )
    result = read_roster(p)
    people = result.people
    e1 = people[people["person_id"] == "E1"]
    assert e1["team"].tolist() == ["Sales", "Product", "Ops"]
    assert e1["valid_from"].tolist() == [_utc("2024-01-01"), _utc("2024-07-01"), _utc("2026-01-01")]
    assert e1["valid_to"].tolist()[:2] == [_utc("2024-07-01"), _utc("2025-12-31")]
    assert pd.isna(e1["valid_to"].iloc[2])
    e2 = people[people["person_id"] == "E2"]
    assert pd.isna(e2["valid_from"].iloc[0]) and e2["valid_to"].iloc[0] == _utc("2024-06-01")
    assert (
        result.report.files[0].notes["validity periods clipped to the start of the next row"] == 1
    )


def test_snapshots_become_validity_periods(tmp_path):
    # Three monthly snapshots: E1 moves from Sales to Product in March; E2 leaves after
    # February; E3 joins in February; E4 is unchanged throughout.
    rows = [
        ("2025-01-31", "E1", "Sales"), ("2025-01-31", "E2", "Sales"), ("2025-01-31", "E4", "Ops"),
        ("2025-02-28", "E1", "Sales"), ("2025-02-28", "E2", "Sales"), ("2025-02-28", "E3", "Ops"),
        ("2025-02-28", "E4", "Ops"),
        ("2025-03-31", "E1", "Product"), ("2025-03-31", "E3", "Ops"), ("2025-03-31", "E4", "Ops"),
    ]  # fmt: skip
    text = "snapshot_date,employee_id,team\n" + "".join(f"{d},{p},{t}\n" for d, p, t in rows)
    text += "\n".join([",E5,Ops", "2025-02-30,E5,Ops"]) + "\n"  # no date; an impossible one
    result = read_roster(_write(tmp_path, "snap.csv", text), on_bad_lines="skip")
    assert dict(result.report.files[0].rejected) == {
        "no snapshot date": 1,
        "unreadable date in column snapshot_date": 1,
    }
    people = result.people.set_index(["person_id", "team"])
    nat = pd.NaT
    expected = {
        ("E1", "Sales"): (nat, _utc("2025-03-31")),  # first snapshot covers the time before it
        ("E1", "Product"): (_utc("2025-03-31"), nat),
        ("E2", "Sales"): (nat, _utc("2025-03-31")),  # absent from the March snapshot
        ("E3", "Ops"): (_utc("2025-02-28"), nat),
        ("E4", "Ops"): (nat, nat),
    }
    assert len(people) == len(expected)
    for key, (start, end) in expected.items():
        got = people.loc[key]
        assert (pd.isna(start) and pd.isna(got["valid_from"])) or got["valid_from"] == start, key
        assert (pd.isna(end) and pd.isna(got["valid_to"])) or got["valid_to"] == end, key
    assert "snapshot_date" not in result.people.columns
    assert result.report.files[0].imported == len(rows)


def test_attributes_in_force_at_a_date_and_at_each_interaction(tmp_path):
    p = _write(
        tmp_path,
        "r.csv",
        "person_id,team,valid_from\nE1,Sales,2025-01-01\nE1,Product,2025-07-01\nE2,Ops,2025-01-01\n",
    )
    people = read_roster(p).people
    assert attributes_at(people, "2025-06-30 23:59")["team"].to_dict() == {
        "E1": "Sales",
        "E2": "Ops",
    }
    assert attributes_at(people, "2025-07-01")["team"].to_dict() == {"E1": "Product", "E2": "Ops"}
    assert attributes_at(people, "2024-12-31").empty  # nobody's rows were in force yet

    stamps = ["2024-12-01", "2025-03-01", "2025-07-01", "2025-09-01", "2025-03-02"]
    events = pd.DataFrame(
        {
            "source": ["E1", "E1", "E1", "E2", "X9"],
            "target": ["E2", "E2", "E2", "E1", "E1"],
            "timestamp": pd.to_datetime(stamps, utc=True),
        }
    )
    out = attach_attributes(events, people, columns=["team"])
    assert out["source"].tolist() == events["source"].tolist()  # same rows, same order
    assert out["source_team"].tolist()[1:4] == ["Sales", "Product", "Ops"]
    assert out["target_team"].tolist()[1:] == ["Ops", "Ops", "Product", "Sales"]
    assert pd.isna(out["source_team"].iloc[0]) and pd.isna(out["source_team"].iloc[4])


def test_every_row_is_accounted_for():
    path = BROKEN / "bad_rows.csv"
    result = read_roster(path, on_bad_lines="skip")
    f = result.report.files[0]
    # 7 data rows: E1 and E4 kept; an identical repeat of E1; no id; two bad dates (one
    # impossible: 30 February); a conflicting E1 row for the same date.
    assert (f.read, f.imported, f.duplicates) == (7, 2, 1)
    assert dict(f.rejected) == {
        "no person id or e-mail": 1,
        "unreadable date in column valid_from": 2,
        "conflicting rows for one person and date": 1,
    }
    assert f.balanced()
    assert [loc for _, loc, _ in result.report.rejects] == ["line 3", "line 4", "line 5", "line 7"]
    assert result.people["person_id"].tolist() == ["E1", "E4"]
    assert result.people.loc[0, "team"] == "Sales"  # the first row wins over the conflicting one


@pytest.mark.parametrize(
    ("name", "reason", "n"),
    [
        ("reversed_validity.csv", "validity ends before it starts", 1),
        ("no_person_column.csv", "no person id or e-mail column", 1),
        ("unterminated_quote.csv", "no person id or e-mail column", 1),
    ],
)
def test_broken_rosters_are_rejected_with_reasons(name, reason, n):
    result = read_roster(BROKEN / name, on_bad_lines="skip")
    assert result.report.files[0].rejected[reason] == n
    assert _balanced(result.report)


def test_on_bad_lines_error_names_the_row_not_its_content():
    with pytest.raises(BadInputError) as err:
        read_roster(BROKEN / "bad_rows.csv", on_bad_lines="error")
    assert err.value.location == "line 3"
    assert "corp.example" not in str(err.value)


def test_warn_is_the_default():
    with pytest.warns(UserWarning, match="could not be read"):
        read_roster(BROKEN / "bad_rows.csv")


def test_xlsx_roster(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Employee ID", "Work Email", "Department", "Effective Date"])
    sheet.append([1001, "ann@corp.example", "Sales", pd.Timestamp("2025-01-01").to_pydatetime()])
    sheet.append([1001, "ann@corp.example", "Product", pd.Timestamp("2025-06-01").to_pydatetime()])
    path = tmp_path / "roster.xlsx"
    book.save(path)
    assert detect(path)
    people = read_roster(path).people
    assert people["person_id"].tolist() == ["1001", "1001"]
    assert people["department"].tolist() == ["Sales", "Product"]
    assert people.loc[0, "valid_to"] == _utc("2025-06-01")


def test_detect_is_conservative(tmp_path):
    roster = _write(tmp_path, "a.csv", "employee_id,email,team\nE1,a@x.example,T\n")
    no_group = _write(tmp_path, "b.csv", "employee_id,email\nE1,a@x.example\n")
    edges = _write(tmp_path, "c.csv", "source,target,team\na,b,T\n")
    outcomes = _write(tmp_path, "d.csv", "team,quarter,delivery\nT,2025-Q1,0.5\n")
    per_person = _write(tmp_path, "e.csv", "person_id,team,period,engagement\nE1,T,2025,0.7\n")
    assert detect(roster) and detect_format(roster) == "roster"
    assert not detect(no_group)
    assert not detect(edges)
    assert not detect(outcomes)
    assert not detect(per_person) and detect_format(per_person) == "outcomes"
    assert not detect(tmp_path / "missing.csv")


def test_empty_roster(tmp_path):
    result = read_roster(_write(tmp_path, "e.csv", "employee_id,team\n"))
    assert result.people.empty and result.report.total()["read"] == 0


def test_manager_given_by_alias_maps_only_when_unambiguous(tmp_path):
    p = _write(
        tmp_path,
        "r.csv",
        "employee_id,email,aliases,team,manager\n"
        "E1,ann@corp.example,boss@corp.example;shared@corp.example,T,\n"
        "E2,bo@corp.example,shared@corp.example,T,BOSS@corp.example\n"
        "E3,cy@corp.example,,T,shared@corp.example\n"
        "E4,di@corp.example,,T,E2\n",
    )
    result = read_roster(p)
    managers = result.people.set_index("person_id")["manager_id"]
    assert managers["E2"] == "E1"  # an alias, case folded
    assert managers["E3"] == "shared@corp.example"  # two people share it: left as given
    assert managers["E4"] == "E2"
    assert result.report.files[0].notes["managers given by e-mail mapped to person ids"] == 1


SNAPSHOTS = st.lists(
    st.dictionaries(st.sampled_from(["E1", "E2", "E3", "E4"]), st.sampled_from(["A", "B"])),
    min_size=1,
    max_size=5,
)


@settings(max_examples=25, deadline=None)
@given(SNAPSHOTS)
def test_snapshot_periods_reproduce_every_snapshot(tmp_path_factory, snapshots):
    """Whatever the sequence of snapshots, the attributes in force on each snapshot date are
    exactly that snapshot: the same people, in the same teams."""
    snapshots = [s for s in snapshots if s]  # an empty snapshot has no row in a file
    if not snapshots:
        return
    dates = pd.date_range("2025-01-31", periods=len(snapshots), freq="ME", tz="UTC")
    lines = ["snapshot_date,employee_id,team"]
    for day, snap in zip(dates, snapshots, strict=True):
        lines += [f"{day.date()},{pid},{team}" for pid, team in sorted(snap.items())]
    path = tmp_path_factory.mktemp("snap") / "roster.csv"
    path.write_text("\n".join(lines) + "\n")
    people = read_roster(path).people
    for day, snap in zip(dates, snapshots, strict=True):
        assert attributes_at(people, day)["team"].to_dict() == snap


DATED = st.dictionaries(
    st.sampled_from(["E1", "E2", "E3"]),
    st.dictionaries(st.integers(0, 11), st.sampled_from(["A", "B", "C"]), min_size=1, max_size=4),
    min_size=1,
)


@settings(max_examples=25, deadline=None)
@given(DATED, st.randoms(use_true_random=False))
def test_dated_rows_in_any_order_hold_from_their_date_to_the_next(tmp_path_factory, rows, rnd):
    lines = [
        (pid, f"2025-{month + 1:02d}-01", team)
        for pid, changes in rows.items()
        for month, team in changes.items()
    ]
    rnd.shuffle(lines)  # row order in the file must not matter
    path = tmp_path_factory.mktemp("dated") / "roster.csv"
    path.write_text(
        "employee_id,valid_from,team\n" + "".join(f"{p},{d},{t}\n" for p, d, t in lines)
    )
    people = read_roster(path).people
    checks = []  # (person, time, team expected in force or None)
    for pid, changes in rows.items():
        months = sorted(changes)
        checks.append(
            (pid, pd.Timestamp(2025, months[0] + 1, 1, tz="UTC") - pd.Timedelta("1s"), None)
        )
        for k, month in enumerate(months):
            start = pd.Timestamp(2025, month + 1, 1, tz="UTC")
            end = (
                pd.Timestamp(2025, months[k + 1] + 1, 1, tz="UTC") if k + 1 < len(months) else None
            )
            last = (end or start + pd.Timedelta(days=400)) - pd.Timedelta("1s")
            checks += [(pid, start, changes[month]), (pid, last, changes[month])]
    events = pd.DataFrame(checks, columns=["source", "timestamp", "expected"]).assign(target="x")
    out = attach_attributes(events, people, columns=["team"], sides=["source"])
    assert out["source_team"].fillna("-").tolist() == out["expected"].fillna("-").tolist()


def test_manager_given_by_full_name(tmp_path):
    p = _write(
        tmp_path,
        "r.csv",
        "employee_id,name,team,manager\n"
        "E1,Ann Lee,T,\n"
        "E2,Bo Yu,T,ann  LEE\n"  # the one Ann Lee, case and spaces aside
        "E3,Cy Diaz,T,Bo\n"  # one word: never a name match
        "E4,Bo Yu,T,Bo Yu\n",  # two Bo Yus: ambiguous, left as given
    )
    result = read_roster(p)
    managers = result.people.set_index("person_id")["manager_id"]
    assert managers["E2"] == "E1"
    assert managers["E3"] == "Bo" and managers["E4"] == "Bo Yu"
    assert result.report.files[0].notes["managers given by name mapped to person ids"] == 1
