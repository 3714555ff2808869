import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ona.exceptions import TableError
from ona.tables import (
    CHANNELS,
    INTERACTION_COLUMNS,
    KINDS,
    make_event_id,
    validate_interactions,
    validate_outcomes,
    validate_people,
)


def _row(**kw):
    base = {
        "event_id": "e1",
        "timestamp": "2026-01-05T09:00:00+01:00",
        "source": "a",
        "target": "b",
        "channel": "email",
        "kind": "to",
        "origin": "x.mbox",
    }
    base.update(kw)
    return base


def test_valid_table_gets_canonical_columns_dtypes_and_defaults():
    t = validate_interactions(pd.DataFrame([_row(), _row(event_id="e2", weight=0.5)]))
    assert list(t.columns) == list(INTERACTION_COLUMNS)
    assert str(t["timestamp"].dtype) == "datetime64[us, UTC]"
    assert t["timestamp"][0] == pd.Timestamp("2026-01-05T08:00:00Z")  # converted to UTC
    assert t["weight"].tolist() == [1.0, 0.5]
    assert not t["automated"].any() and not t["mass"].any()


def test_every_problem_is_listed_in_one_error_without_values():
    df = pd.DataFrame(
        [
            _row(channel="fax", weight=-1),
            _row(event_id="e2", kind="poke", target="a"),
            _row(event_id="e3", timestamp="not a date"),
        ]
    ).drop(columns=["origin"])
    with pytest.raises(TableError) as err:
        validate_interactions(df)
    problems = err.value.problems
    text = str(err.value)
    assert any("origin" in p and "missing" in p for p in problems)
    assert any("'channel'" in p and "rows 0" in p for p in problems)
    assert any("'kind'" in p and "rows 1" in p for p in problems)
    assert any("'weight'" in p for p in problems)
    assert any("self-interactions" in p for p in problems)
    assert any("'timestamp'" in p and "rows 2" in p for p in problems)
    assert "not a date" not in text and "poke" not in text  # values are never echoed


def test_naive_timestamps_are_refused():
    df = pd.DataFrame([_row()])
    df["timestamp"] = pd.to_datetime(df["timestamp"].str[:19])
    with pytest.raises(TableError, match="no timezone"):
        validate_interactions(df)


def test_people_overlapping_validity_is_refused_and_sequential_is_fine():
    ok = pd.DataFrame(
        {
            "person_id": ["p1", "p1"],
            "team": ["A", "B"],
            "valid_from": ["2026-01-01", "2026-04-01"],
            "valid_to": ["2026-04-01", None],
        }
    )
    assert len(validate_people(ok)) == 2
    bad = ok.assign(valid_to=[None, None])
    with pytest.raises(TableError, match="overlapping"):
        validate_people(bad)


def test_outcomes_need_metrics_and_unique_unit_periods():
    with pytest.raises(TableError, match="no metric"):
        validate_outcomes(pd.DataFrame({"unit": ["T1"], "period": ["2026"]}))
    with pytest.raises(TableError, match="repeat"):
        validate_outcomes(pd.DataFrame({"unit": ["T1", "T1"], "period": ["2026"] * 2, "q": [1, 2]}))


def test_event_id_depends_on_every_part():
    parts = ("email", "<m@x>", "to", "a", "b")
    base = make_event_id(*parts)
    for i in range(len(parts)):
        changed = list(parts)
        changed[i] += "!"
        assert make_event_id(*changed) != base


names = st.text(alphabet="abcdefgh@.", min_size=1, max_size=6)
rows = st.fixed_dictionaries(
    {
        "source": names,
        "target": names,
        "channel": st.sampled_from(CHANNELS + ("bogus",)),
        "kind": st.sampled_from(KINDS + ("bogus",)),
        "weight": st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-3, 3)),
        "timestamp": st.datetimes(timezones=st.just(__import__("datetime").UTC)),
    }
)


@settings(max_examples=150, deadline=None)
@given(st.lists(rows, max_size=12))
def test_validation_either_accepts_a_clean_table_or_names_each_bad_row(rs):
    df = pd.DataFrame(rs, columns=["source", "target", "channel", "kind", "weight", "timestamp"])
    df["event_id"] = [f"e{i}" for i in range(len(df))]
    df["origin"] = "prop"
    expected_bad = {
        i
        for i, r in enumerate(rs)
        if r["source"] == r["target"]
        or r["channel"] == "bogus"
        # a survey layer may have any slug as its kind (the question's short name)
        or (r["kind"] == "bogus" and r["channel"] != "survey")
        # a missing (NaN) weight takes the default 1; infinite ones are errors, and negative
        # ones except for survey ratings (a signed energy question)
        or (r["weight"] == r["weight"] and (abs(r["weight"]) == float("inf")
                                            or (r["weight"] < 0 and r["channel"] != "survey")))
    }
    if not expected_bad:
        out = validate_interactions(df)
        assert len(out) == len(df)
        assert (out["weight"][out["channel"] != "survey"] >= 0).all()
        assert out["weight"].tolist() == [1.0 if r["weight"] != r["weight"] else r["weight"] for r in rs]
    else:
        with pytest.raises(TableError) as err:
            validate_interactions(df)
        named = set()
        for p in err.value.problems:
            if "(rows " in p:
                inside = p.split("(rows ")[1].split(")")[0].split(" and ")[0]
                named |= {int(x) for x in inside.split(", ")}
        assert min(expected_bad) in named
