"""Discord (DiscordChatExporter JSON) reader: fixtures against an independent walk, threads,
cross-file replies, DMs, broken files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ona.exceptions import BadInputError
from ona.importers.discord import DiscordReader, read_discord

BROKEN = Path(__file__).resolve().parents[1] / "data" / "broken" / "discord"


def _independent(files: list[Path]) -> dict[str, int]:
    """Plain walk: posts by people, replies to known parents, mentions, attributable reactions."""
    docs = [json.loads(f.read_text()) for f in files]
    author = {}
    for d in docs:
        for m in d["messages"]:
            author.setdefault(m["id"], m["author"]["id"])
    counts = dict.fromkeys(("read", "messages", "system", "bot", "duplicates", "reply", "mention",
                            "reaction", "unattributed"), 0)
    seen = set()
    for d in docs:
        for m in d["messages"]:
            counts["read"] += 1
            if m["type"] not in ("Default", "Reply"):
                counts["system"] += 1
                continue
            if m["author"].get("isBot"):
                counts["bot"] += 1
                continue
            if m["id"] in seen:
                counts["duplicates"] += 1
                continue
            seen.add(m["id"])
            counts["messages"] += 1
            me = m["author"]["id"]
            parent = (m.get("reference") or {}).get("messageId")
            if parent in author and author[parent] != me:
                counts["reply"] += 1
            counts["mention"] += len({u["id"] for u in m.get("mentions", []) if u["id"] != me})
            for r in m.get("reactions", []):
                if "users" in r:
                    counts["reaction"] += len({u["id"] for u in r["users"]} - {me})
                else:
                    counts["unattributed"] += r.get("count", 1)
    return counts


def _fixtures(shared: Path) -> list[Path]:
    return sorted((shared / "fixtures" / "chat" / "discord").glob("*.json"))


def test_every_fixture_file_matches_an_independent_count(shared):
    for path in _fixtures(shared):
        assert DiscordReader.detect(path), path.name
        expected = _independent([path])
        result = read_discord(path)
        report = result.report.files[0]
        kinds = result.interactions["kind"].value_counts()
        assert report.balanced() and report.read == expected["read"], path.name
        # The reader counts person messages as it reads them, before duplicates are set aside.
        assert report.notes["messages"] == expected["messages"] + expected["duplicates"], path.name
        assert report.rejected.get("system message", 0) == expected["system"], path.name
        assert report.rejected.get("bot", 0) == expected["bot"], path.name
        assert report.duplicates == expected["duplicates"], path.name
        for kind in ("reply", "mention", "reaction"):
            assert kinds.get(kind, 0) == expected[kind], (path.name, kind)
        assert report.notes.get("reactions without users (older exporter): no edge", 0) == (
            expected["unattributed"])


def test_folder_resolves_threads_and_replies_across_files(shared):
    folder = shared / "fixtures" / "chat" / "discord"
    assert DiscordReader.detect(folder)
    result = read_discord(folder)
    t = result.interactions
    thread = json.loads((folder / "dcef_example_guild_thread_thomas.json").read_text())
    general = json.loads((folder / "dcef_example_guild_general.json").read_text())
    created = [m for m in general["messages"] if m["type"] == "ThreadCreated"
               and m["reference"]["channelId"] == thread["channel"]["id"]]
    starter = created[0]["author"]["id"]
    in_thread = t[t["thread_id"].notna() & (t["container"] == "general")]
    # Thread edges go to the author of the ThreadCreated message in the parent channel.
    assert set(in_thread.loc[in_thread["kind"] == "thread", "target"]) == {starter}
    posters = {m["author"]["id"] for m in thread["messages"]}
    assert (in_thread.loc[in_thread["kind"] == "thread", "source"].isin(posters - {starter})).all()
    assert result.report.balanced()


def test_cross_file_reply(tmp_path):
    def export(cid, name, messages):
        return {"guild": {"id": "g", "name": "G"},
                "channel": {"id": cid, "type": "GuildTextChat", "name": name}, "messages": messages}

    a = export("c1", "one", [{"id": "1", "type": "Default", "timestamp": "2026-01-05T09:00:00+00:00",
                              "author": {"id": "ann"}}])
    b = export("c2", "two", [{"id": "2", "type": "Reply", "timestamp": "2026-01-05T09:01:00+01:00",
                              "author": {"id": "bob"},
                              "reference": {"messageId": "1", "channelId": "c1"}}])
    (tmp_path / "a.json").write_text(json.dumps(a))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.json").write_text(json.dumps(b))
    both = read_discord(tmp_path).interactions
    assert both[["source", "target", "kind"]].values.tolist() == [["bob", "ann", "reply"]]
    assert str(both["timestamp"].iloc[0]) == "2026-01-05 08:01:00+00:00"
    alone = read_discord(tmp_path / "sub" / "b.json")
    assert alone.interactions.empty
    assert alone.report.files[0].notes["replies whose parent is in no file read"] == 1


def test_group_dm_members_and_weights(shared):
    path = shared / "fixtures" / "chat" / "discord" / "chat-analytics_GC_3A_5M.json"
    doc = json.loads(path.read_text())
    people = {m["author"]["id"] for m in doc["messages"] if m["type"] in ("Default", "Reply")}
    t = read_discord(path).interactions
    group = t[t["kind"] == "group_dm"]
    assert len(group) == (len(people) - 1) * sum(
        1 for m in doc["messages"] if m["type"] in ("Default", "Reply"))
    assert (group["weight"] == 1 / (len(people) - 1)).all()


def test_broken_files():
    with pytest.raises(BadInputError, match=r"truncated\.json: line \d+: invalid JSON"):
        read_discord(BROKEN / "truncated.json", on_bad_lines="error")
    with pytest.warns(UserWarning):
        result = read_discord(BROKEN / "not_an_export.json")
    assert result.report.files[0].rejected == {"not a DiscordChatExporter JSON export": 1}
    with pytest.warns(UserWarning):
        result = read_discord(BROKEN / "bad_messages.json")
    report = result.report.files[0]
    assert dict(report.rejected) == {"no sender": 1, "missing timestamp": 1,
                                     "not a message object": 2}
    assert report.imported == 2 and report.balanced()
    assert result.interactions[["source", "target"]].values.tolist() == [["b", "a"]]
