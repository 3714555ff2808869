"""Workspace store: idempotent, atomic imports with accounting that adds up."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time
from pathlib import Path

import pandas as pd
import pytest

import ona
from ona.importers import FORMATS
from ona.importers._base import Reader, Record, Rejected
from ona.workspace import open_workspace


class ToyReader(Reader):
    """Lines of ``id,source,target,iso-time``; ``BAD`` lines are rejected, ``BOT`` excluded."""

    format = "toy"
    channel = "chat"

    @classmethod
    def detect(cls, path: Path) -> bool:
        return path.suffix == ".toy"

    def records(self):
        for n, line in enumerate(self.path.read_text().splitlines(), start=1):
            if line == "BAD":
                yield Rejected(f"line {n}", "unreadable line")
                continue
            if line == "BOT":
                yield Rejected(f"line {n}", "bot", excluded=True)
                continue
            rid, source, targets, when = line.split(",")
            events = [
                {"timestamp": when, "source": source, "target": t, "kind": "mention", "n_recipients": 1}
                for t in targets.split(";")
            ]
            yield Record(rid, f"line {n}", events)


@pytest.fixture
def toy(monkeypatch, tmp_path):
    monkeypatch.setitem(FORMATS, "toy", ToyReader)
    a = tmp_path / "a.toy"
    a.write_text(
        "m1,alice,bob;carol,2026-01-05T09:00:00Z\n"
        "m2,bob,alice,2026-02-01T10:00:00+02:00\n"
        "BAD\n"
        "m1,alice,bob;carol,2026-01-05T09:00:00Z\n"  # repeated record: duplicate
        "BOT\n"
        "m3,carol,carol,2026-02-03T10:00:00Z\n"  # only a self-interaction: excluded
    )
    b = tmp_path / "b.toy"
    b.write_text("m2,bob,alice,2026-02-01T10:00:00+02:00\nm4,dave,alice,2026-03-01T10:00:00Z\n")
    return tmp_path


def test_import_accounts_for_every_record_and_stores_partitions(toy):
    ws = open_workspace(toy / "ws", create=True)
    with pytest.warns(ona.importers._base.BadLinesWarning):
        report = ws.import_paths([toy / "a.toy", toy / "b.toy"])
    a, b = report.files
    assert (a.read, a.imported, a.duplicates, dict(a.rejected)) == (
        6, 2, 1, {"unreadable line": 1, "bot": 1, "self-interaction only": 1})
    assert (b.read, b.imported, b.duplicates) == (2, 1, 1)  # m2 already came from a.toy
    assert report.balanced()
    assert report.total()["events"] == 4
    stored = ws.interactions()
    assert len(stored) == 4 and set(stored["channel"]) == {"chat"}
    months = sorted(p.parent.name for p in ws.interaction_files())
    assert months == ["month=2026-01", "month=2026-02", "month=2026-03"]
    assert stored["timestamp"].min() == pd.Timestamp("2026-01-05T09:00:00Z")
    assert len(ws.rejects()) == 3 and set(ws.rejects()["reason"]) == {
        "unreadable line", "bot", "self-interaction only"}
    log = ws.import_log()
    assert [e["format"] for e in log] == ["toy", "toy"] and all(len(e["sha256"]) == 64 for e in log)


def test_importing_the_same_file_twice_changes_nothing(toy):
    ws = open_workspace(toy / "ws", create=True)
    ws.import_paths([toy / "b.toy"])
    files_before = ws.interaction_files()
    before = ws.interactions()
    again = ws.import_paths([toy / "b.toy"])
    assert again.files[0].imported == 0 and again.files[0].duplicates == 2
    assert again.total()["events"] == 0
    pd.testing.assert_frame_equal(before, ws.interactions())
    assert ws.interaction_files() == files_before


def test_dry_run_writes_nothing(toy):
    ws = open_workspace(toy / "ws", create=True)
    report = ws.import_paths([toy / "b.toy"], dry_run=True)
    assert report.files[0].imported == 2
    assert ws.interaction_files() == [] and ws.import_log() == []
    assert not list((toy / "ws").glob(".staging-*"))


def _slow_import(ws_path: str, src: str) -> None:
    class SlowReader(ToyReader):
        def records(self):
            for item in super().records():
                time.sleep(0.05)
                yield item

    FORMATS["toy"] = SlowReader
    open_workspace(ws_path).import_paths([src])


def test_a_killed_import_leaves_the_previous_state_readable(toy):
    ws = open_workspace(toy / "ws", create=True)
    ws.import_paths([toy / "b.toy"])
    before = ws.interactions()
    big = toy / "big.toy"
    big.write_text("".join(f"x{i},u{i},v{i},2026-04-01T00:00:00Z\n" for i in range(400)))
    ctx = multiprocessing.get_context("fork")
    proc = ctx.Process(target=_slow_import, args=(str(toy / "ws"), str(big)))
    proc.start()
    time.sleep(1.0)  # part-way through reading
    os.kill(proc.pid, signal.SIGKILL)
    proc.join()
    reopened = open_workspace(toy / "ws")
    pd.testing.assert_frame_equal(before, reopened.interactions())
    assert not list((toy / "ws").glob(".staging-*"))
    assert len(reopened.import_log()) == 1


def test_a_journalled_import_is_rolled_forward_on_open(toy):
    ws = open_workspace(toy / "ws", create=True)
    ws.import_paths([toy / "b.toy"])
    # Simulate a kill after the journal was written but before the files were moved.
    staging = toy / "ws" / ".staging-test"
    (staging / "interactions/channel=chat/month=2026-03").mkdir(parents=True)
    src = ws.interaction_files()[-1]
    moved = "interactions/channel=chat/month=2026-03/part-extra.parquet"
    (staging / moved).write_bytes(src.read_bytes())
    (staging / "JOURNAL.json").write_text(json.dumps({"staging": staging.name, "moves": [[moved, moved]]}))
    reopened = open_workspace(toy / "ws")
    assert (toy / "ws" / moved).exists() and not staging.exists()
    assert len(reopened.interaction_files()) == len(ws.interaction_files())


def test_folders_are_walked_and_unknown_files_listed_as_skipped(toy):
    (toy / "notes.txt").write_text("hello")
    ws = open_workspace(toy / "ws2", create=True)
    with pytest.warns(ona.importers._base.BadLinesWarning):
        report = ws.import_paths([toy])
    assert sorted(Path(f.path).name for f in report.files) == ["a.toy", "b.toy"]
    assert [Path(p).name for p, _ in report.skipped] == ["notes.txt", "ws2"]


def test_outcomes_tables_are_detected_and_stored(toy):
    (toy / "outcomes.csv").write_text("team,quarter,delivery\nT1,2026-Q1,0.8\nT2,2026-Q1,0.5\n")
    ws = open_workspace(toy / "ws", create=True)
    report = ws.import_paths([toy / "outcomes.csv"])
    assert report.files[0].format == "outcomes" and report.files[0].imported == 2
    out = ws.outcomes()
    assert out.set_index("unit")["delivery"].to_dict() == {"T1": 0.8, "T2": 0.5}
    ws.import_paths([toy / "outcomes.csv"])
    assert len(ws.outcomes()) == 2


def test_stored_interactions_are_readable_by_duckdb_unchanged(toy):
    duckdb = pytest.importorskip("duckdb")
    ws = open_workspace(toy / "ws", create=True)
    ws.import_paths([toy / "b.toy"])
    pattern = str(ws.interactions_path / "**" / "*.parquet")
    n, channels = duckdb.connect().execute(
        "select count(*), string_agg(distinct channel) from read_parquet(?, hive_partitioning=true)",
        [pattern],
    ).fetchone()
    assert (n, channels) == (2, "chat")


ROSTER = (
    "person_id,email,aliases,team,department\n"
    "E1,alice@corp.com,alice.old@corp-old.com,T1,D1\n"
    "E2,bob@corp.com,,T1,D1\n"
    "E3,carol@corp.com,,T2,D2\n"
)


def test_handles_are_resolved_to_roster_people_imported_in_the_same_call(toy):
    (toy / "roster.csv").write_text(ROSTER)
    (toy / "mail.toy").write_text(
        "r1,Alice@Corp.com,bob@corp.com;dan@partner.org,2026-01-05T09:00:00Z\n"
        "r2,alice.old@corp-old.com,carol+news@corp.com,2026-01-06T09:00:00Z\n"
    )
    ws = open_workspace(toy / "ws", create=True)
    report = ws.import_paths([toy / "mail.toy", toy / "roster.csv"])
    assert [f.format for f in report.files] == ["roster", "toy"]  # rosters first
    stored = ws.interactions()
    pairs = set(zip(stored["source"], stored["target"], strict=True))
    assert pairs == {("E1", "E2"), ("E1", "dan@partner.org"), ("E1", "E3")}
    people = ws.people().set_index("person_id")
    assert people.loc["E1", "status"] == "roster" and people.loc["dan@partner.org", "status"] == "external"
    identity = ws.import_log()[-1]["identity"]
    total = identity["counts"]["total"]
    assert total["matched"] == 4 and total["external"] == 1
    assert sum(v for k, v in total.items() if k != "total") == total["total"]


def test_pseudonymised_workspace_holds_no_raw_identity_and_refuses_mixing(toy):
    (toy / "roster.csv").write_text(ROSTER)
    (toy / "mail.toy").write_text("r1,alice@corp.com,bob@corp.com;dan@partner.org,2026-01-05T09:00:00Z\n")
    key = b"a-test-key-of-enough-length"
    ws = open_workspace(toy / "ws", create=True)
    ws.import_paths([toy / "mail.toy", toy / "roster.csv"], key=key)
    from ona.privacy import pseudonym

    stored = ws.interactions()
    assert set(stored["source"]) == {pseudonym("E1", key)}
    assert set(stored["target"]) == {pseudonym("E2", key), pseudonym("dan@partner.org", key)}
    for f in (toy / "ws").rglob("*"):
        if f.is_file():
            blob = f.read_bytes()
            for raw in (b"alice", b"bob@", b"partner.org", b"E1,", b"mail.toy"):
                assert raw not in blob, f"{raw!r} found in {f.name}"
    assert all(e["path"].startswith("hmac:") for e in ws.import_log())
    with pytest.raises(ona.WorkspaceError, match="pseudonymised"):
        ws.import_paths([toy / "mail.toy"])
    again = ws.import_paths([toy / "mail.toy", toy / "roster.csv"], key=key)
    assert again.files[1].duplicates == 1 and again.total()["events"] == 0
    pd.testing.assert_frame_equal(stored, ws.interactions())
    assert len(ws.people()) == 4  # three roster people and one external identity, not repeated


@pytest.mark.slow
def test_parallel_import_equals_sequential(tmp_path):
    from ona.datasets import load_sample

    paths = load_sample().paths
    exports = [paths["roster"], paths["mbox"], paths["slack"], paths["git"]]
    one = open_workspace(tmp_path / "one", create=True)
    two = open_workspace(tmp_path / "two", create=True)
    r1 = one.import_paths(exports, jobs=1)
    r2 = two.import_paths(exports, jobs=2)
    assert [f.to_dict() for f in r1.files] == [f.to_dict() for f in r2.files]
    assert r1.rejects == r2.rejects and r2.balanced()
    pd.testing.assert_frame_equal(one.interactions(), two.interactions())
    pd.testing.assert_frame_equal(one.people(), two.people())
    assert not list((tmp_path / "two").glob(".staging-*"))


def test_an_input_needing_a_missing_extra_is_skipped_with_the_extra_named(toy, monkeypatch):
    from ona._deps import import_optional

    class NeedsExtra(ToyReader):
        format = "toy"

        def records(self):
            import_optional("ona_no_such_module", extra="outlook", purpose="reading .toy files")
            yield from ()

    monkeypatch.setitem(FORMATS, "toy", NeedsExtra)
    (toy / "outcomes.csv").write_text("team,quarter,delivery\nT1,2026-Q1,0.8\n")
    ws = open_workspace(toy / "ws", create=True)
    report = ws.import_paths([toy / "b.toy", toy / "outcomes.csv"])
    assert [f.format for f in report.files] == ["outcomes"]
    (path, why), = report.skipped
    assert path.endswith("b.toy") and "ona-toolkit[outlook]" in why
    assert len(ws.outcomes()) == 1
