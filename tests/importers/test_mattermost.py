"""Mattermost reader: bulk-export fixtures against an independent walk, streaming, API pages."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from ona.exceptions import BadInputError
from ona.importers.mattermost import MattermostReader, read_mattermost

BROKEN = Path(__file__).resolve().parents[1] / "data" / "broken" / "mattermost"
SYSTEM_TEXT = re.compile(r"(joined|left) the (channel|team)\.$|added to the channel by")


def _independent(path: Path) -> dict[str, int]:
    counts = dict.fromkeys(("read", "messages", "system", "reply", "mention", "reaction",
                            "dm", "group_dm", "self"), 0)
    users = set()
    lines = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
    for line in lines:
        if line["type"] == "user":
            users.add(line["user"]["username"])
    for line in lines:
        if line["type"] not in ("post", "direct_post"):
            continue
        post = line[line["type"]]
        root_ok = True
        for i, p in enumerate([post, *(post.get("replies") or [])]):
            counts["read"] += 1
            if SYSTEM_TEXT.search(p["message"]):
                counts["system"] += 1
                root_ok = root_ok and i > 0
                continue
            counts["messages"] += 1
            author, targets = p["user"], []
            if i > 0 and root_ok:
                targets.append(("reply", post["user"]))
            targets += [("mention", u) for u in set(re.findall(r"@(\w+)", p["message"])) & users]
            targets += [("reaction", u) for u in {r["user"] for r in p.get("reactions") or []}]
            members = post.get("channel_members")
            if members:
                others = [m for m in members if m != author]
                targets += [("dm" if len(others) == 1 else "group_dm", m) for m in others]
            for kind, target in targets:
                counts["self" if target == author else kind] += 1
    return counts


@pytest.mark.parametrize("name", ["zulip_fixture_mattermost_bulk_export.jsonl",
                                  "zulip_fixture_mattermost_bulk_export_direct_channel.jsonl"])
def test_bulk_exports_match_an_independent_count(shared, name):
    path = shared / "fixtures" / "chat" / "mattermost" / name
    assert MattermostReader.detect(path)
    expected = _independent(path)
    result = read_mattermost(path)
    report = result.report.files[0]
    kinds = result.interactions["kind"].value_counts()
    assert report.balanced() and report.read == expected["read"]
    assert report.notes["messages"] == expected["messages"]
    assert report.rejected.get("system message", 0) == expected["system"]
    for kind in ("reply", "mention", "reaction", "dm", "group_dm"):
        assert kinds.get(kind, 0) == expected[kind], kind
    assert report.notes.get("self-interactions dropped", 0) == expected["self"]


def test_users_give_emails_and_channel_memberships(shared):
    path = shared / "fixtures" / "chat" / "mattermost" / "zulip_fixture_mattermost_bulk_export.jsonl"
    result = read_mattermost(path)
    lines = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
    users = [x["user"] for x in lines if x["type"] == "user"]
    assert users
    assert result.people.set_index("person_id")["email"].to_dict() == {
        u["username"]: u["email"] for u in users}
    memberships = {(u["username"], c["name"]) for u in users for t in u["teams"] or []
                   for c in t["channels"]}
    aff = result.affiliations
    assert memberships <= set(zip(aff["person"], aff["group"], strict=True))


def test_group_dm_weights_and_reply_edges(shared):
    path = (shared / "fixtures" / "chat" / "mattermost"
            / "zulip_fixture_mattermost_bulk_export_direct_channel.jsonl")
    t = read_mattermost(path).interactions
    group = t[t["kind"] == "group_dm"]
    assert (group["weight"] == 0.5).all()
    assert group.groupby("record_id")["weight"].sum().eq(1.0).all()


def test_api_posts_page(shared):
    base = shared / "fixtures" / "chat" / "mattermost"
    page = json.loads((base / "perceval_api_mattermost_posts.json").read_text())
    result = read_mattermost(base / "perceval_api_mattermost_posts.json")
    replies = [p for p in page["posts"].values() if p["root_id"]]
    expected = sum(1 for p in replies if page["posts"][p["root_id"]]["user_id"] != p["user_id"])
    assert (result.interactions["kind"] == "reply").sum() == expected
    assert result.report.files[0].read == len(page["posts"]) and result.report.balanced()
    assert read_mattermost(base / "perceval_api_mattermost_posts_empty.json").interactions.empty
    assert not MattermostReader.detect(base / "perceval_api_mattermost_user_sduenas.json")


def test_compressed_export_is_streamed(tmp_path):
    lines = [{"type": "version", "version": 1}]
    for i in range(2000):
        lines.append({"type": "direct_post", "direct_post": {
            "channel_members": ["ann", "bob"], "user": "ann" if i % 2 else "bob",
            "message": "x", "create_at": 1767600000000 + i}})
    f = tmp_path / "export.jsonl.gz"
    with gzip.open(f, "wt") as fh:
        fh.write("\n".join(json.dumps(x) for x in lines))
    assert MattermostReader.detect(f)
    result = read_mattermost(f)
    assert len(result.interactions) == 2000 and result.report.balanced()
    assert (result.interactions["kind"] == "dm").all()


def test_invalid_line_is_named_and_the_rest_is_read():
    with pytest.raises(BadInputError, match=r"bad_line\.jsonl: line 5: invalid JSON"):
        read_mattermost(BROKEN / "bad_line.jsonl", on_bad_lines="error")
    with pytest.warns(UserWarning):
        result = read_mattermost(BROKEN / "bad_line.jsonl")
    t = result.interactions
    assert sorted(zip(t["source"], t["target"], t["kind"], strict=True)) == [
        ("ann", "bob", "mention"), ("bob", "ann", "mention")]
    assert [r[1:] for r in result.report.rejects] == [("line 5", "invalid JSON (Expecting value)")]


def test_broken_posts_are_each_counted():
    with pytest.warns(UserWarning):
        result = read_mattermost(BROKEN / "bad_posts.jsonl")
    report = result.report.files[0]
    assert dict(report.rejected) == {
        "direct post without members": 1, "missing or bad create_at": 1, "no sender": 1,
        "post without content": 1, "not a JSON object": 1, "not a reply object": 1}
    assert report.imported == 1 and report.balanced()
