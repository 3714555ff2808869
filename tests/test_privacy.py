"""Privacy: keyed pseudonyms, the key's handling, and the minimum group size everywhere."""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import inspect
import logging
import os
import pkgutil
import subprocess
import sys

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from ona.exceptions import BadInputError, InvalidParameterError
from ona.privacy import (
    KEY_ENV,
    MIN_GROUP_SIZE,
    SMALL_GROUPS_LABEL,
    load_key,
    new_key,
    pseudonym,
    pseudonymise,
    pseudonymise_tables,
    suppress_small_groups,
    write_key_file,
)
from ona.tables import validate_affiliations, validate_interactions, validate_people

KEY = b"test-key-0123456789abcdef"
OTHER = b"another-key-0123456789abc"


def _reference(key: bytes, value: str) -> str:
    """The documented construction, written out independently of ona."""
    mac = hmac.new(key, value.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii")[:22]


# -- pseudonyms -------------------------------------------------------------------------------


def test_pseudonym_is_base64url_hmac_sha256_cut_to_22():
    for value in ["E1001", "ann@corp.example", "Zoë", ""]:
        assert pseudonym(value, KEY) == _reference(KEY, value)
    assert len(pseudonym("E1", KEY)) == 22  # 132 bits


def test_pseudonyms_are_stable_across_runs():
    code = (
        "from ona.privacy import pseudonym; "
        f"print(pseudonym('E1001', {KEY!r}), pseudonym('ann@corp.example', {KEY!r}))"
    )
    # A fresh interpreter with another hash seed gives what this one gives (and the reference).
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    here = f"{pseudonym('E1001', KEY)} {pseudonym('ann@corp.example', KEY)}"
    assert run.stdout.strip() == here
    assert here == f"{_reference(KEY, 'E1001')} {_reference(KEY, 'ann@corp.example')}"


def test_pseudonyms_differ_across_keys_and_do_not_collide():
    ids = [f"E{i:05d}" for i in range(5000)]
    a = pseudonymise(ids, KEY)
    b = pseudonymise(ids, OTHER)
    assert a.nunique() == len(ids) and b.nunique() == len(ids)
    assert not set(a) & set(b)


def test_pseudonymise_values_and_domains():
    out = pseudonymise(["Ann@Corp.example", "E1", None], KEY, keep_domain=True)
    assert out[0] == _reference(KEY, "Ann@Corp.example") + "@corp.example"
    assert out[1] == _reference(KEY, "E1")
    assert pd.isna(out[2])
    assert pseudonymise("E1", KEY) == _reference(KEY, "E1")


def test_a_short_or_missing_key_is_refused_without_showing_it():
    with pytest.raises(InvalidParameterError) as err:
        pseudonym("E1", b"short")
    assert "short" not in str(err.value)
    with pytest.raises(InvalidParameterError):
        pseudonymise_tables(None, None, None, None)


# -- the key ----------------------------------------------------------------------------------


def test_load_key_from_env_and_file(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    assert load_key() is None
    monkeypatch.setenv(KEY_ENV, "  from-the-environment-123  ")
    assert load_key() == b"from-the-environment-123"
    key_file = tmp_path / "ona.key"
    key_file.write_text("from-a-file-0123456789\n")
    key_file.chmod(0o600)
    assert load_key(key_file) == b"from-a-file-0123456789"  # the file wins over the environment
    monkeypatch.setenv(KEY_ENV, "too-short")
    with pytest.raises(InvalidParameterError) as err:
        load_key()
    assert "too-short" not in str(err.value)


def test_key_file_errors(tmp_path, caplog):
    with pytest.raises(BadInputError):
        load_key(tmp_path / "missing.key")
    workspace = tmp_path / "ws"
    (workspace / "sub").mkdir(parents=True)
    inside = workspace / "sub" / "ona.key"
    inside.write_text(new_key())
    with pytest.raises(InvalidParameterError, match="outside the workspace"):
        load_key(inside, workspace=workspace)
    open_file = tmp_path / "open.key"
    open_file.write_text(new_key())
    open_file.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="ona.privacy"):
        assert len(load_key(open_file, workspace=workspace)) == 43
    if os.name == "posix":
        assert "readable by other users" in caplog.text


def test_write_key_file_is_private_and_never_overwrites(tmp_path):
    path = write_key_file(tmp_path / "ona.key")
    key = load_key(path)
    assert len(key) == 43 and key != load_key(write_key_file(tmp_path / "second.key"))
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(FileExistsError):
        write_key_file(path)
    assert load_key(path) == key


# -- the three tables -------------------------------------------------------------------------


@pytest.fixture
def tables():
    interactions = validate_interactions(
        pd.DataFrame(
            {
                "event_id": ["e1", "e2"],
                "timestamp": ["2026-01-05T09:00Z", "2026-01-06T09:00Z"],
                "source": ["E1", "E2"],
                "target": ["partner@client.example", "E1"],
                "channel": ["email", "chat"],
                "kind": ["to", "dm"],
                "origin": ["mail.mbox", "slack.zip"],
                "thread_id": ["t1", None],
                "container": ["INBOX", "mpdm-ann--bo-1"],
            }
        )
    )
    people = validate_people(
        pd.DataFrame(
            {
                "person_id": ["E1", "E2", "partner@client.example"],
                "name": ["Ann Lee", "Bo Yu", None],
                "email": ["Ann.Lee@corp.example", "bo.yu@corp.example", "partner@client.example"],
                "aliases": ["ann@corp.example; ann.lee@old.example", None, None],
                "manager_id": [None, "E1", None],
                "team": ["Sales", "Sales", None],
                "phone": ["+33 1", None, None],
                "Employee_ID": ["1001", "1002", None],
                "grade_band": ["B", "C", None],
                "status": ["roster", "roster", "external"],
            }
        )
    )
    affiliations = validate_affiliations(
        pd.DataFrame(
            {
                "person": ["E1", "E2"],
                "group": ["general", "E1"],
                "group_type": ["chat_channel", "chat_channel"],
                "origin": ["slack.zip", "slack.zip"],
            }
        )
    )
    return interactions, people, affiliations


def test_every_identity_column_is_pseudonymised_consistently(tables):
    interactions, people, affiliations = tables
    before = [t.copy() for t in tables]
    i, p, a = pseudonymise_tables(interactions, people, affiliations, KEY)
    for old, new in zip(before, tables, strict=True):
        pd.testing.assert_frame_equal(old, new)  # inputs untouched
    ref = {v: _reference(KEY, v) for v in ["E1", "E2", "partner@client.example"]}
    assert i["source"].tolist() == [ref["E1"], ref["E2"]]
    assert i["target"].tolist() == [ref["partner@client.example"], ref["E1"]]
    assert p["person_id"].tolist() == list(ref.values())
    assert p.loc[1, "manager_id"] == ref["E1"] and pd.isna(p.loc[0, "manager_id"])
    assert a["person"].tolist() == [ref["E1"], ref["E2"]]
    # Addresses are pseudonymised as addresses (lower-cased), so a raw handle imported later
    # can be matched with the key.
    assert p.loc[0, "email"] == _reference(KEY, "ann.lee@corp.example")
    assert p.loc[0, "aliases"].split(";") == [
        _reference(KEY, "ann@corp.example"),
        _reference(KEY, "ann.lee@old.example"),
    ]
    # Names and other personal columns dropped; group attributes kept.
    assert p["name"].isna().all() if "name" in p.columns else True
    assert "phone" not in p.columns
    assert p["Employee_ID"].tolist()[:2] == [_reference(KEY, "1001"), _reference(KEY, "1002")]
    assert p["team"].tolist()[:2] == ["Sales", "Sales"] and p["grade_band"].tolist()[:2] == [
        "B",
        "C",
    ]
    # Containers and groups hashed, with a separate namespace: a group named "E1" does not get
    # E1's pseudonym.
    assert i.loc[1, "container"] not in ("mpdm-ann--bo-1", ref["E1"])
    assert a.loc[1, "group"] != ref["E1"] and len(a.loc[1, "group"]) == 22
    assert i.loc[0, "thread_id"] != "t1" and pd.isna(i.loc[1, "thread_id"])
    assert i["origin"].str.len().tolist() == [22, 22]  # a file name may name a person
    # The tables are still canonical.
    validate_interactions(i), validate_people(p), validate_affiliations(a)
    # No raw identity remains anywhere.
    raw = {"E1", "E2", "1001", "1002", "Ann Lee", "Bo Yu", "+33 1", "INBOX", "mpdm-ann--bo-1"}
    raw |= {"general", "t1", "mail.mbox", "slack.zip"}
    text = " ".join(str(v) for t in (i, p, a) for v in t.astype(str).to_numpy().ravel().tolist())
    assert not any(r in text.split() for r in raw)
    assert "corp.example" not in text and "client.example" not in text


def test_keep_domain_and_keep_containers(tables):
    i, p, a = pseudonymise_tables(*tables, KEY, keep_domain=True, hash_containers=False)
    ref = _reference(KEY, "partner@client.example")
    assert i.loc[0, "target"] == ref + "@client.example"  # an address keeps its domain
    assert i.loc[0, "source"] == _reference(KEY, "E1")  # a roster id has none; its e-mail has
    assert p.loc[0, "email"] == _reference(KEY, "ann.lee@corp.example") + "@corp.example"
    assert p.loc[2, "person_id"] == ref + "@client.example"
    assert i["container"].tolist() == ["INBOX", "mpdm-ann--bo-1"]
    assert a["group"].tolist() == ["general", "E1"]
    # Pseudonymised in separate calls (as a workspace does per input), the tables still join.
    alone = pseudonymise_tables(tables[0], None, None, KEY, keep_domain=True)[0]
    pd.testing.assert_frame_equal(alone, pseudonymise_tables(*tables, KEY, keep_domain=True)[0])
    assert set(alone["source"]) | set(alone["target"]) <= set(p["person_id"])


def test_same_result_for_separate_imports(tables):
    """Monthly imports pseudonymised separately join up."""
    interactions, people, affiliations = tables
    whole = pseudonymise_tables(interactions, None, None, KEY)[0]
    parts = pd.concat(
        [pseudonymise_tables(interactions.iloc[[k]], None, None, KEY)[0] for k in range(2)]
    )
    assert whole["source"].tolist() == parts["source"].tolist()
    assert pseudonymise_tables(None, people, None, KEY)[1]["person_id"].tolist()[:2] == (
        whole["source"].tolist()
    )
    other = pseudonymise_tables(interactions, None, None, OTHER)[0]
    assert not set(other["source"]) & set(whole["source"])


# -- minimum group size -----------------------------------------------------------------------

SIZES = {"A": 12, "B": 2, "C": 3, "D": 5}


def test_suppress_drop_series():
    t = pd.Series({"A": 1.0, "B": 2.0, "C": 3.0, "D": 4.0})
    out = suppress_small_groups(t, SIZES)
    assert out.to_dict() == {"A": 1.0, "D": 4.0}  # size exactly 5 is shown
    assert out.attrs["suppressed_groups"] == 2
    assert out.attrs["privacy"] == "2 group(s) with fewer than 5 people suppressed"
    assert t.to_dict() == {"A": 1.0, "B": 2.0, "C": 3.0, "D": 4.0}  # input untouched


def test_suppress_merge_series():
    t = pd.Series({"A": 1.0, "B": 2.0, "C": 3.0, "D": 4.0})
    out = suppress_small_groups(t, SIZES, how="merge")
    assert out.to_dict() == {"A": 1.0, "D": 4.0, SMALL_GROUPS_LABEL: 5.0}  # B + C: 5 people
    assert out.attrs["privacy"] == (
        "2 group(s) with fewer than 5 people merged into '(small groups)'"
    )


def test_merge_still_too_small_is_dropped():
    t = pd.Series({"A": 1.0, "B": 2.0})
    out = suppress_small_groups(t, SIZES, how="merge")
    assert out.to_dict() == {"A": 1.0}
    assert out.attrs["privacy"] == "1 group(s) with fewer than 5 people suppressed"


def test_suppress_matrix_both_axes():
    groups = list(SIZES)
    m = pd.DataFrame(np.arange(16.0).reshape(4, 4), index=groups, columns=groups)
    dropped = suppress_small_groups(m, SIZES, axis="both")
    assert dropped.index.tolist() == ["A", "D"] and dropped.columns.tolist() == ["A", "D"]
    assert dropped.to_numpy().tolist() == [[0.0, 3.0], [12.0, 15.0]]
    merged = suppress_small_groups(m, SIZES, axis="both", how="merge")
    label = SMALL_GROUPS_LABEL
    assert merged.index.tolist() == ["A", "D", label] == merged.columns.tolist()
    # Rows B (4..7) and C (8..11) summed, then columns B and C summed.
    assert merged.loc[label, label] == 5 + 6 + 9 + 10
    assert merged.loc["A", label] == 1 + 2 and merged.loc[label, "A"] == 4 + 8
    assert merged.to_numpy().sum() == m.to_numpy().sum()  # counts are preserved
    index_only = suppress_small_groups(m, SIZES)
    assert index_only.columns.tolist() == groups  # columns are not groups unless axis="both"


def test_unknown_groups_count_as_empty_and_min_size_is_configurable():
    t = pd.Series({"A": 1.0, "Z": 9.0})
    assert suppress_small_groups(t, SIZES).index.tolist() == ["A"]
    assert suppress_small_groups(pd.Series({"C": 1.0}), SIZES, min_size=3).index.tolist() == ["C"]
    none = suppress_small_groups(pd.Series({"A": 1.0}), pd.Series(SIZES))
    assert none.attrs["privacy"] == "all groups have at least 5 people; none suppressed"
    assert MIN_GROUP_SIZE == 5


@pytest.mark.parametrize(
    "kwargs", [{"min_size": 0}, {"min_size": 2.5}, {"how": "hide"}, {"axis": "columns"}]
)
def test_suppress_validates_options(kwargs):
    with pytest.raises(InvalidParameterError):
        suppress_small_groups(pd.Series({"A": 1.0}), SIZES, **kwargs)


# -- every group-level function applies it ----------------------------------------------------

# 16 people: A (6), B (5) are shown; C (2) and D (3) are below 5 (together 5: mergeable).
GROUP_OF = {i: g for i, g in enumerate("A" * 6 + "B" * 5 + "C" * 2 + "D" * 3)}
SMALL = {"C", "D"}


@pytest.fixture(scope="module")
def org():
    rng = np.random.default_rng(7)
    G = nx.DiGraph()
    G.add_nodes_from((n, {"team": g}) for n, g in GROUP_OF.items())
    for u in GROUP_OF:
        for v in GROUP_OF:
            if u != v and rng.random() < (0.6 if GROUP_OF[u] == GROUP_OF[v] else 0.2):
                G.add_edge(u, v, weight=float(rng.integers(1, 4)))
    stamps = pd.date_range("2026-01-01", periods=G.number_of_edges(), freq="3h", tz="UTC")
    interactions = pd.DataFrame(
        {
            "event_id": [f"e{k}" for k in range(G.number_of_edges())],
            "timestamp": stamps,
            "source": [str(u) for u, _ in G.edges()],
            "target": [str(v) for _, v in G.edges()],
            "channel": "email",
            "kind": "to",
            "origin": "test",
        }
    )
    people = pd.DataFrame(
        {"person_id": [str(n) for n in GROUP_OF], "team": list(GROUP_OF.values())}
    )
    return G, interactions, people


def _labels(obj) -> set:
    """Every index and column label, and the values of group-naming columns, of a result."""
    if isinstance(obj, pd.Series):
        return set(map(str, obj.index))
    labels = set(map(str, obj.index)) | set(map(str, obj.columns))
    for col in ("group", "team", "group_a", "group_b", "unit"):
        if col in obj.columns:
            labels |= set(map(str, obj[col]))
    if isinstance(obj.index, pd.MultiIndex):
        for level in obj.index.levels:
            labels |= set(map(str, level))
    return labels


def _check(result, name):
    assert not (_labels(result) & SMALL), f"{name} shows a group below the minimum size"
    note = result.attrs.get("privacy", "")
    assert "fewer than 5 people" in note, f"{name} does not say what it suppressed: {note!r}"


def _call(module, name):
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:  # the module, or one it needs, is not written yet
        pytest.skip(f"{module} cannot be imported yet ({exc})")
    if not hasattr(mod, name):
        pytest.skip(f"{module}.{name} does not exist yet")
    return getattr(mod, name)


def _run(func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except ModuleNotFoundError as exc:  # a module of ona it needs is not written yet
        if not (exc.name or "").startswith("ona."):
            raise
        pytest.skip(f"{func.__name__} needs {exc.name}, not written yet")


GROUPS_FIRST = [  # (module, function): called as f(G, groups, min_group_size=5)
    ("ona.analysis.silos", "ei_index"),
    ("ona.analysis.silos", "group_matrix"),
    ("ona.analysis.silos", "segregation"),
    ("ona.analysis.silos", "silo_scores"),
    ("ona.analysis.teams", "team_table"),
]


@pytest.mark.parametrize(("module", "name"), GROUPS_FIRST)
def test_group_level_measures_suppress_small_groups(org, module, name):
    func = _call(module, name)
    G, _, _ = org
    _check(_run(func, G, GROUP_OF, min_group_size=5), name)


def test_cross_group_share_suppresses_small_groups(org):
    func = _call("ona.analysis.change", "cross_group_share")
    _, interactions, people = org
    groups = dict(zip(people["person_id"], people["team"], strict=True))
    at = interactions["timestamp"].iloc[len(interactions) // 2]  # both periods have ties
    out = _run(func, interactions, groups, at=at, by_group=True, min_group_size=5)
    _check(out, "cross_group_share")


def test_team_change_tables_suppress_small_groups(org):
    func = _call("ona.analysis.change", "change_tables")
    _, interactions, people = org
    out = _run(func, interactions, people, table="team", groups="team", freq="MS", min_group_size=5)
    assert not (_labels(out) & SMALL), "change_tables shows a group below the minimum size"


def test_network_plot_merges_small_groups(org):
    func = _call("ona.plot", "network")
    from matplotlib.figure import Figure

    G, _, _ = org
    ax = _run(func, G, groups=GROUP_OF, ax=Figure().add_subplot(), min_group_size=5)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert not any(t.split(" (")[0] in SMALL for t in legend)
    assert "fewer than 5 people" in ax.get_title()


COVERED = {n for _, n in GROUPS_FIRST} | {"cross_group_share", "change_tables", "network"}


def test_every_group_level_function_is_checked(org):
    """Every analysis or plot function with a ``min_group_size`` option suppresses small groups:
    those above are checked there; any other taking ``(G, groups)`` is checked here, the same
    way; one with another signature must be added above."""
    import ona.analysis

    modules = [m.name for m in pkgutil.iter_modules(ona.analysis.__path__, "ona.analysis.")]
    unchecked = []
    for name in [*modules, "ona.plot"]:
        try:
            mod = importlib.import_module(name)
        except ImportError:
            continue
        for attr in getattr(mod, "__all__", []):
            obj = getattr(mod, attr, None)
            if not callable(obj) or attr in COVERED:
                continue
            params = list(inspect.signature(obj).parameters)
            if "min_group_size" not in params:
                continue
            if params[:2] in (["G", "groups"], ["G", "teams"]):
                _check(_run(obj, org[0], GROUP_OF, min_group_size=5), attr)
            else:
                unchecked.append(f"{name}.{attr}")
    assert not unchecked, f"add a suppression check for {unchecked}"
