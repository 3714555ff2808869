"""People attributes over time: attributes_at and the as-of join onto interactions."""

from __future__ import annotations

import pandas as pd
import pytest

from ona.exceptions import InvalidParameterError
from ona.people import attach_attributes, attributes_at

PEOPLE = pd.DataFrame(
    {
        "person_id": ["E1", "E1", "E1", "E2", "E3"],
        "team": ["Sales", "Product", "Ops", "Sales", "Eng"],
        "manager_id": ["M1", "M2", "M2", "M1", "M3"],
        "valid_from": [None, "2025-04-01", "2025-10-01", None, "2025-02-01"],
        "valid_to": ["2025-04-01", "2025-08-01", None, None, None],  # E1: gap Aug-Oct
        "start_date": [None, None, None, None, "2025-03-01"],
        "end_date": [None, None, None, "2025-06-01", None],
    }
)


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("2025-01-01", {"E1": "Sales", "E2": "Sales"}),
        ("2025-04-01", {"E1": "Product", "E2": "Sales", "E3": "Eng"}),  # from is inclusive
        ("2025-09-01", {"E2": "Sales", "E3": "Eng"}),  # E1 in the gap: no row in force
        ("2025-10-01T00:00:00+02:00", {"E2": "Sales", "E3": "Eng"}),  # 30 Sep 22:00 UTC: gap
        ("2025-10-01T00:00:00-02:00", {"E1": "Ops", "E2": "Sales", "E3": "Eng"}),
    ],
)
def test_attributes_at(when, expected):
    out = attributes_at(PEOPLE, when)
    assert out["team"].to_dict() == expected


def test_attributes_at_active_only_uses_employment_dates():
    assert set(attributes_at(PEOPLE, "2025-02-15", active_only=True).index) == {"E1", "E2"}
    assert set(attributes_at(PEOPLE, "2025-07-01", active_only=True).index) == {"E1", "E3"}
    with pytest.raises(InvalidParameterError):
        attributes_at(PEOPLE, "2025-07-01", active_only="yes")


def test_attach_attributes_is_an_as_of_join_per_person():
    events = pd.DataFrame(
        {
            "source": ["E1", "E1", "E1", "E1", "E2", "X"],
            "target": ["E2", "E3", "E2", "E2", "E1", "E1"],
            "timestamp": pd.to_datetime(
                [
                    "2025-03-31T23:59:59Z",
                    "2025-04-01",
                    "2025-09-01",
                    "2025-12-01",
                    "2025-05-01",
                    "2025-01-01",
                ],
                utc=True,
                format="ISO8601",
            ),
        },
        index=[10, 11, 12, 13, 14, 15],  # not a range: the result keeps it
    )
    out = attach_attributes(events, PEOPLE)
    assert list(out.index) == [10, 11, 12, 13, 14, 15]
    # Worked out by hand from PEOPLE ("-" where no row is in force).
    assert out["source_team"].fillna("-").tolist() == ["Sales", "Product", "-", "Ops", "Sales", "-"]
    assert out["source_manager_id"].tolist()[:2] == ["M1", "M2"]
    assert out["target_team"].tolist() == ["Sales", "Eng", "Sales", "Sales", "Product", "Sales"]
    assert {c for c in out.columns if c.startswith("target_")} == {
        "target_team",
        "target_manager_id",
    }


def test_attach_attributes_options():
    events = pd.DataFrame(
        {"source": ["E2"], "target": ["E1"], "timestamp": pd.to_datetime(["2025-01-02"], utc=True)}
    )
    out = attach_attributes(events, PEOPLE, columns=["team", "not_a_column"], sides=["target"])
    assert list(out.columns) == ["source", "target", "timestamp", "target_team"]
    assert out.loc[0, "target_team"] == "Sales"
