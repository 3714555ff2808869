"""Slack export reader: real exports against an independent walk, threads, DMs, safety."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from ona.exceptions import BadInputError, UnsafeArchiveError
from ona.importers.slack import SlackReader, read_slack_export

BROKEN = Path(__file__).resolve().parents[1] / "data" / "broken" / "slack"
# What the test treats as "not a message between people" (written out here, not imported).
SYSTEM = {"channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_name",
          "bot_add", "bot_remove", "pinned_item", "tombstone", "channel_archive"}


def _export_dir(shared: Path, name: str) -> Path:
    return shared / "fixtures" / "chat" / "slack_export" / name


def _independent_counts(folder: Path) -> dict[str, int]:
    """Walk the unzipped export with plain json and count what the edge rules should give."""
    users = json.loads((folder / "users.json").read_text()) if (folder / "users.json").exists() else []
    bots = {u["id"] for u in users if u.get("is_bot") or u.get("is_app_user")} | {"USLACKBOT"}
    counts = dict.fromkeys(("read", "messages", "bot", "system", "reply", "mention", "reaction",
                            "self"), 0)
    for day in sorted(folder.glob("*/*.json")):
        for m in json.loads(day.read_text()):
            counts["read"] += 1
            if m.get("subtype") in SYSTEM:
                counts["system"] += 1
                continue
            author = m.get("user") or (m.get("comment") or {}).get("user")
            if m.get("subtype") == "bot_message" or author in bots or (not author and m.get("bot_id")):
                counts["bot"] += 1
                continue
            counts["messages"] += 1
            targets = []
            if m.get("thread_ts") and m["thread_ts"] != m["ts"] and m.get("parent_user_id"):
                if m["parent_user_id"] not in bots:
                    targets.append(("reply", m["parent_user_id"]))
            mentioned = set(re.findall(r"<@([UW][A-Z0-9]+)", m.get("text") or ""))
            blocks = json.dumps(m.get("blocks"))
            mentioned |= set(re.findall(r'"type": "user", "user_id": "([UW][A-Z0-9]+)"', blocks))
            targets += [("mention", u) for u in mentioned if u not in bots]
            reactors = {u for r in m.get("reactions") or [] for u in r.get("users", [])}
            targets += [("reaction", u) for u in reactors if u not in bots]
            for kind, target in targets:
                if target == author:
                    counts["self"] += 1
                else:
                    counts[kind] += 1
    return counts


@pytest.mark.parametrize("name", ["slack-export-viewer_testarchive_2016",
                                  "slackdump_source_export_2025_scrambled"])
@pytest.mark.parametrize("zipped", [False, True])
def test_real_exports_match_an_independent_count(shared, name, zipped):
    folder = _export_dir(shared, name)
    path = folder.with_suffix(".zip") if zipped else folder
    assert SlackReader.detect(path)
    expected = _independent_counts(folder)
    result = read_slack_export(path)
    report = result.report.files[0]
    kinds = result.interactions["kind"].value_counts()
    assert report.balanced()
    assert report.read == expected["read"]
    assert report.notes["messages"] == expected["messages"]
    assert report.rejected["bot"] == expected["bot"]
    assert report.rejected["system message"] == expected["system"]
    for kind in ("reply", "mention", "reaction"):
        assert kinds.get(kind, 0) == expected[kind], kind
    assert report.notes["self-interactions dropped"] == expected["self"]
    assert not (result.interactions["source"] == result.interactions["target"]).any()
    assert set(result.interactions["channel"]) <= {"chat"}


def test_the_2016_export_has_mentions_and_a_reaction(shared):
    # The fixture is documented with 27 <@U…> mentions and one reactions array: make sure the
    # independent walk is looking at real data, not an empty folder.
    counts = _independent_counts(_export_dir(shared, "slack-export-viewer_testarchive_2016"))
    assert counts["mention"] > 5 and counts["read"] > 100


def test_zip_and_folder_give_the_same_events(shared):
    folder = _export_dir(shared, "slackdump_source_export_2025_scrambled")
    a = read_slack_export(folder).interactions
    b = read_slack_export(folder.with_suffix(".zip")).interactions
    assert sorted(a["event_id"]) == sorted(b["event_id"])


def test_users_json_gives_emails_and_channels_json_memberships(shared):
    result = read_slack_export(_export_dir(shared, "slackdump_export_index_files"))
    users = json.loads((_export_dir(shared, "slackdump_export_index_files") / "users.json").read_text())
    humans = {u["id"]: u["profile"].get("email") for u in users
              if not u.get("is_bot") and u["id"] != "USLACKBOT"}
    people = result.people.set_index("person_id")["email"]
    assert people.to_dict() == humans
    folder = _export_dir(shared, "slack-export-viewer_testarchive_2016")
    channels = json.loads((folder / "channels.json").read_text())
    aff = read_slack_export(folder).affiliations
    expected = {(m, c["name"]) for c in channels for m in c["members"]}
    assert expected <= set(zip(aff["person"], aff["group"], strict=True))
    assert set(aff["group_type"]) == {"chat_channel"}


def test_single_files_thread_bot_and_api_history(shared):
    base = shared / "fixtures" / "chat"
    thread = read_slack_export(base / "slack_export" / "slackdump_thread_1736478630.905399.json")
    assert thread.interactions[["source", "target", "kind"]].values.tolist() == [
        ["U0887G31L03", "UHSD97ZA5", "reply"]]
    assert thread.report.files[0].rejected["self-interaction only"] == 1  # UHSD97ZA5 answers itself
    bot = read_slack_export(base / "slack_export" / "slackdump_bot_message.json")
    assert bot.report.files[0].rejected == {"bot": 1} and bot.interactions.empty
    day = base / "slack_export" / "slackdump_source_export_2025_scrambled" / "B75B4C7" / "2025-01-11.json"
    assert set(read_slack_export(day).interactions["container"]) == {"B75B4C7"}
    history = read_slack_export(base / "slack_api" / "perceval_slack_history.json")
    messages = json.loads((base / "slack_api" / "perceval_slack_history.json").read_text())["messages"]
    assert history.report.files[0].read == len(messages) and history.report.balanced()
    assert not SlackReader.detect(base / "slack_api" / "perceval_slack_info.json")
    assert not SlackReader.detect(base / "slack_api" / "perceval_slack_user_U0001.json")


# -- synthetic exports for the rules ------------------------------------------------------------
def _msg(user, ts, **extra):
    return {"type": "message", "user": user, "text": "x", "ts": ts, **extra}


def _write_export(root: Path, days: dict[str, list[dict]], *, users=None, channels=None, **index):
    root.mkdir(parents=True, exist_ok=True)
    users = users or [{"id": u, "profile": {"email": f"{u.lower()}@example.org"}}
                      for u in ("U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8")]
    (root / "users.json").write_text(json.dumps(users))
    (root / "channels.json").write_text(json.dumps(
        channels if channels is not None else [{"id": "C1", "name": "general", "members": ["U1", "U2"]}]))
    for name, value in index.items():
        (root / f"{name}.json").write_text(json.dumps(value))
    for rel, messages in days.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(json.dumps(messages))
    return root


def _edges_of(t):
    return sorted(zip(t["source"], t["target"], t["kind"], strict=True))


def _edges(result, kind=None):
    t = result.interactions
    if kind:
        t = t[t["kind"] == kind]
    return sorted(zip(t["source"], t["target"], strict=True))


def test_threads_do_not_rely_on_reply_users(tmp_path):
    root = "1767600000.000100"
    replies = [_msg(f"U{i}", f"17676000{i:02d}.000100", thread_ts=root, parent_user_id="U1")
               for i in range(2, 9)]
    # reply_users is capped at five by Slack: seven people replied, only five are listed.
    top = _msg("U1", root, thread_ts=root, reply_count=7,
               reply_users=["U2", "U3", "U4", "U5", "U6"])
    export = _write_export(tmp_path / "e", {"general/2026-01-05.json": [top, *replies]})
    result = read_slack_export(export)
    assert _edges(result, "reply") == [(f"U{i}", "U1") for i in range(2, 9)]


def test_reply_without_parent_user_id_finds_the_root_author(tmp_path):
    root = "1767600000.000100"
    days = {"general/2026-01-05.json": [_msg("U1", root, thread_ts=root)],
            "general/2026-01-06.json": [_msg("U2", "1767700000.000100", thread_ts=root)]}
    result = read_slack_export(_write_export(tmp_path / "e", days))
    assert _edges(result, "reply") == [("U2", "U1")]
    assert result.interactions["thread_id"].notna().all()


def test_thread_broadcast_counts_once_and_tombstone_is_excluded(tmp_path):
    root = "1767600000.000100"
    reply = _msg("U2", "1767600100.000100", thread_ts=root, parent_user_id="U1",
                 subtype="thread_broadcast")
    tomb = {"type": "message", "subtype": "tombstone", "user": "USLACKBOT", "ts": root,
            "thread_ts": root, "text": "This message was deleted."}
    days = {"general/2026-01-05.json": [tomb, reply, dict(reply)]}
    result = read_slack_export(_write_export(tmp_path / "e", days))
    report = result.report.files[0]
    assert _edges(result, "reply") == [("U2", "U1")]
    assert report.duplicates == 1 and report.rejected == {"system message": 1}
    assert report.balanced()


def test_mentions_from_text_and_blocks_ids_only(tmp_path):
    blocks = [{"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
        {"type": "user", "user_id": "U3"}, {"type": "text", "text": "secret words"}]}]}]
    m = _msg("U1", "1767600000.000100", text="hi <@U2|bob> and <@U3> <!channel>", blocks=blocks)
    result = read_slack_export(_write_export(tmp_path / "e", {"general/2026-01-05.json": [m]}))
    assert _edges(result, "mention") == [("U1", "U2"), ("U1", "U3")]
    assert result.report.files[0].notes[
        "broadcast mentions (@channel, @here, groups): no person edge"] == 1
    assert "secret" not in result.interactions.to_csv()


def test_reactions_weight_and_bots(tmp_path):
    users = [{"id": "U1"}, {"id": "U2"}, {"id": "U3"}, {"id": "B1", "is_bot": True}]
    msgs = [_msg("U1", "1767600000.000100",
                 reactions=[{"name": "+1", "users": ["U2", "B1"], "count": 2},
                            {"name": "eyes", "users": ["U2", "U3"], "count": 2}]),
            {"type": "message", "subtype": "bot_message", "bot_id": "B9", "ts": "1767600001.000100"},
            _msg("B1", "1767600002.000100", text="deploy done <@U2>"),
            {"type": "message", "subtype": "channel_join", "user": "U3", "ts": "1767600003.000100"}]
    export = _write_export(tmp_path / "e", {"general/2026-01-05.json": msgs}, users=users)
    result = read_slack_export(export)
    reactions = result.interactions[result.interactions["kind"] == "reaction"]
    assert sorted(reactions["source"]) == ["U2", "U3"]  # U2's two emoji count once; the bot none
    assert set(reactions["weight"]) == {0.25}
    assert result.report.files[0].rejected == {"bot": 2, "system message": 1}
    heavier = read_slack_export(export, reaction_weight=0.5)
    assert set(heavier.interactions["weight"]) == {0.5}
    with_bots = read_slack_export(export, include_bots=True)
    assert with_bots.report.files[0].rejected == {"system message": 1}
    bot_edges = with_bots.interactions[with_bots.interactions["automated"]]
    assert _edges_of(bot_edges) == [("B1", "U2", "mention")]


def test_dms_and_mpims(tmp_path):
    days = {"D1/2026-01-05.json": [_msg("U1", "1767600000.000100")],
            "mpdm-a--b--c-1/2026-01-05.json": [_msg("U1", "1767600000.000200"),
                                               _msg("U2", "1767600000.000300")]}
    export = _write_export(
        tmp_path / "e", days,
        dms=[{"id": "D1", "members": ["U1", "U2"]}, {"id": "D2", "members": ["U3", "U3"]}],
        mpims=[{"id": "G1", "name": "mpdm-a--b--c-1", "members": ["U1", "U2", "U3"]}],
    )
    result = read_slack_export(export)
    t = result.interactions
    assert _edges(result, "dm") == [("U1", "U2")]
    group = t[t["kind"] == "group_dm"]
    assert _edges(result, "group_dm") == [("U1", "U2"), ("U1", "U3"), ("U2", "U1"), ("U2", "U3")]
    assert (group["weight"] == 0.5).all()
    assert group.groupby("source")["weight"].sum().tolist() == [1.0, 1.0]


def test_enterprise_grid_layout(tmp_path):
    # Org-level users and DMs; each workspace its own folder with channels.json.
    org = _write_export(tmp_path / "grid", {"D1/2026-01-05.json": [_msg("U1", "1767600000.000100")]},
                        channels=[], dms=[{"id": "D1", "members": ["U1", "U2"]}])
    _write_export(org / "ws-a", {"eng/2026-01-05.json": [
        _msg("U2", "1767600000.000500", text="<@U1>")]}, channels=[{"id": "C9", "name": "eng",
                                                                     "members": ["U1", "U2"]}])
    result = read_slack_export(org)
    assert _edges(result) == [("U1", "U2"), ("U2", "U1")]
    assert set(result.interactions["container"]) == {"D1", "eng"}
    # A channel shared between two workspaces is exported under both: its messages count once.
    _write_export(org / "ws-b", {"eng/2026-01-05.json": [
        _msg("U2", "1767600000.000500", text="<@U1>")]}, channels=[{"id": "C9", "name": "eng",
                                                                     "members": ["U1", "U2"]}])
    shared_channel = read_slack_export(org)
    assert _edges(shared_channel) == _edges(result)
    assert shared_channel.report.files[0].duplicates == 1


def test_thread_mode_all_and_projection(tmp_path):
    root = "1767600000.000100"
    msgs = [_msg("U1", root, thread_ts=root),
            _msg("U2", "1767600001.000100", thread_ts=root, parent_user_id="U1"),
            _msg("U3", "1767600002.000100", thread_ts=root, parent_user_id="U1"),
            _msg("U4", "1767600003.000100", thread_ts=root, parent_user_id="U1")]
    export = _write_export(tmp_path / "e", {"general/2026-01-05.json": msgs},
                           channels=[{"id": "C1", "name": "general",
                                      "members": ["U1", "U2", "U3", "U4"]}])
    assert _edges(read_slack_export(export), "thread") == []
    result = read_slack_export(export, thread_mode="all", project_channels=True)
    thread = result.interactions[result.interactions["kind"] == "thread"]
    assert sorted(zip(thread["source"], thread["target"], thread["weight"], strict=True)) == [
        ("U3", "U2", 1.0), ("U4", "U2", 0.5), ("U4", "U3", 0.5)]
    projection = result.extras["channel_projection"]
    assert len(projection) == 6 and projection["weight"].round(6).eq(round(1 / 3, 6)).all()


# -- safety and broken inputs -------------------------------------------------------------------
def test_zip_with_traversal_or_bomb_is_refused():
    with pytest.raises(UnsafeArchiveError, match="unsafe entry path"):
        read_slack_export(BROKEN / "traversal.zip")
    with pytest.raises(UnsafeArchiveError, match="zip bomb"):
        read_slack_export(BROKEN / "bomb.zip")


def test_invalid_json_day_file_is_named_with_its_line():
    export = BROKEN / "invalid_day_file"
    with pytest.raises(BadInputError, match=r"general/2026-01-05\.json: line 3"):
        read_slack_export(export, on_bad_lines="error")
    with pytest.warns(UserWarning, match="could not be read"):
        result = read_slack_export(export)
    report = result.report.files[0]
    assert report.balanced() and report.n_rejected == 1 and report.imported == 1


def test_invalid_users_json_names_the_file(tmp_path):
    export = _write_export(tmp_path / "e", {"general/2026-01-05.json": []})
    (export / "users.json").write_text('[{"id": "U1"},\n{"id": ')
    with pytest.raises(BadInputError, match=r"users\.json: line 2"):
        read_slack_export(export)


def test_garbage_is_not_detected(tmp_path):
    garbage = tmp_path / "x.zip"
    garbage.write_bytes(b"PK\x03\x04 not really")
    assert not SlackReader.detect(garbage)
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("notes/readme.txt", "hello")
    assert not SlackReader.detect(other)


def test_simulated_slack_export_matches_the_simulators_truth(tmp_path):
    """The sample organisation's Slack zip (current export format) reads back to its truth."""
    datasets = pytest.importorskip("ona.datasets")
    write = getattr(datasets, "write_exports", None)
    if write is None or not hasattr(datasets, "simulate_organisation"):
        pytest.skip("ona.datasets has no write_exports yet")
    sim = datasets.simulate_organisation(n_people=40, n_teams=6, n_departments=3, months=2, seed=3)
    try:
        write(sim, tmp_path)
    except TypeError:
        pytest.skip("write_exports takes other arguments than (organisation, folder)")
    path = sim.paths.get("slack") or next(tmp_path.rglob("*.zip"), None)
    if path is None:
        pytest.skip("the simulator wrote no Slack export")
    result = read_slack_export(path)
    assert result.report.balanced()
    # users.json gives each Slack id an e-mail, sometimes an old-domain alias: resolve it to the
    # person through the roster's aliases, as identity resolution would.
    person_of = {}
    for pid, aliases in zip(sim.people["person_id"], sim.people["aliases"].fillna(""), strict=True):
        person_of[pid.lower()] = pid
        person_of.update({a.strip().lower(): pid for a in re.split(r"[;,]", aliases) if a.strip()})
    slack_person = result.people.set_index("person_id")["email"].str.lower().map(person_of)
    got = result.interactions.assign(source=lambda t: t["source"].map(slack_person),
                                     target=lambda t: t["target"].map(slack_person))
    truth = sim.interactions[sim.interactions["channel"] == "chat"]
    assert got["source"].notna().all() and got["target"].notna().all()
    assert _edges_of(got) == _edges_of(truth)
    timed = sorted(zip(got["source"], got["target"], got["kind"], got["timestamp"], strict=True))
    assert timed == sorted(zip(truth["source"], truth["target"], truth["kind"], truth["timestamp"],
                               strict=True))


def _dump_of_export(folder: Path, channel: str) -> dict:
    """A slackdump "dump" file of one channel, built with plain json from the export's day files:
    thread replies nested in their root under ``slackdump_thread_replies``, as slackdump writes."""
    messages = [m for day in sorted((folder / channel).glob("*.json"))
                for m in json.loads(day.read_text())]
    roots, replies = [], {}
    for m in messages:
        if m.get("thread_ts") and m["thread_ts"] != m["ts"]:
            replies.setdefault(m["thread_ts"], []).append(m)
            if m.get("subtype") == "thread_broadcast":
                roots.append(m)  # shown in the channel too
        else:
            roots.append(m)
    orphans = [r for ts, rs in replies.items() if ts not in {m["ts"] for m in roots} for r in rs]
    for m in roots:
        if m["ts"] in replies:
            m["slackdump_thread_replies"] = replies[m["ts"]]
    return {"name": channel, "channel_id": "C" + channel, "messages": roots + orphans}


def test_slackdump_dump_file_reads_nested_thread_replies(shared, tmp_path):
    folder = _export_dir(shared, "slackdump_source_export_2025_scrambled")
    channel = "B75B4C7"
    dump = _dump_of_export(folder, channel)
    n_top = len(dump["messages"])
    n_nested = sum(len(m.get("slackdump_thread_replies", [])) for m in dump["messages"])
    top_ts = {m["ts"] for m in dump["messages"]}
    n_shown_twice = sum(r["ts"] in top_ts for m in dump["messages"]
                        for r in m.get("slackdump_thread_replies", []))
    assert n_nested > 0  # the fixture has threads: the case under test is present
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(dump))
    assert SlackReader.detect(path)
    got = read_slack_export(path)
    report = got.report.files[0]
    assert report.read == n_top + n_nested
    assert report.duplicates == n_shown_twice
    assert report.balanced()
    # the same messages read from the export give the same interactions
    export = read_slack_export(folder)
    def edges(frame):
        return sorted(zip(frame["source"], frame["target"], frame["kind"], frame["timestamp"],
                          strict=True))
    assert edges(got.interactions) == edges(export.interactions)
    assert set(got.interactions["container"]) <= {channel}


def test_slackdump_dump_file_rejects_unreadable_nested_replies(tmp_path):
    root = {"type": "message", "user": "U1", "ts": "1736478630.905399",
            "thread_ts": "1736478630.905399",
            "slackdump_thread_replies": [
                {"type": "message", "user": "U2", "ts": "1736478631.000100",
                 "thread_ts": "1736478630.905399", "parent_user_id": "U1"},
                "not a message",
                {"type": "message", "user": "U3", "ts": "bad", "thread_ts": "1736478630.905399"},
            ]}
    other = {"type": "message", "user": "U2", "ts": "1736478640.000100",
             "slackdump_thread_replies": {"not": "a list"}}
    path = tmp_path / "C1.json"
    path.write_text(json.dumps({"channel_id": "C1", "name": "general", "messages": [root, other]}))
    with pytest.warns(UserWarning, match="could not be read"):
        got = read_slack_export(path)
    report = got.report.files[0]
    # 2 top-level messages + 3 nested replies + 1 unreadable nested block
    assert report.read == 6 and report.balanced()
    assert report.imported == 3
    assert report.rejected == {"not a message object": 1, "missing or bad ts": 1,
                               "thread replies not a list": 1}
    assert got.interactions[["source", "target", "kind"]].values.tolist() == [["U2", "U1", "reply"]]
    assert set(got.interactions["container"]) == {"general"}
