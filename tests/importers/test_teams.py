"""Teams (Graph chatMessage) reader: the Graph documentation samples, chats, bots, broken files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ona.exceptions import BadInputError
from ona.importers.teams import TeamsReader, read_teams

BROKEN = Path(__file__).resolve().parents[1] / "data" / "broken" / "teams"


def _independent(path: Path) -> dict[str, int]:
    """Count with a plain walk: messages from a user, system messages, replies, mentions."""
    counts = dict.fromkeys(("read", "messages", "system", "reply", "mention", "reaction", "self"), 0)
    data = json.loads(path.read_text())["value"]
    flat = [m for top in data for m in [top, *top.get("replies", [])]]
    author = {m["id"]: (m.get("from") or {}).get("user", {}) and m["from"]["user"]["id"]
              for m in flat}
    for m in flat:
        counts["read"] += 1
        sender = author[m["id"]]
        if not sender or m.get("eventDetail"):
            counts["system"] += 1
            continue
        counts["messages"] += 1
        targets = []
        if m.get("replyToId") or m in (r for top in data for r in top.get("replies", [])):
            parent = m.get("replyToId")
            targets.append(("reply", author.get(parent)))
        targets += [("mention", x["mentioned"]["user"]["id"]) for x in m.get("mentions", [])
                    if (x.get("mentioned") or {}).get("user")]
        targets += [("reaction", r["user"]["user"]["id"]) for r in m.get("reactions", [])]
        for kind, target in targets:
            counts["self" if target == sender else kind] += 1
    return counts


@pytest.mark.parametrize("name", ["msgraph_docs_channel_list_messages_ex1_mention.json",
                                  "msgraph_docs_channel_list_messages_ex3_expand_replies.json"])
def test_graph_samples_match_an_independent_count(shared, name):
    path = shared / "fixtures" / "chat" / "teams" / name
    assert TeamsReader.detect(path)
    expected = _independent(path)
    result = read_teams(path)
    report = result.report.files[0]
    kinds = result.interactions["kind"].value_counts()
    assert report.balanced() and report.read == expected["read"]
    assert report.notes["messages"] == expected["messages"]
    assert report.rejected.get("system message", 0) == expected["system"]
    for kind in ("reply", "mention", "reaction"):
        assert kinds.get(kind, 0) == expected[kind], kind
    assert report.notes.get("self-interactions dropped", 0) == expected["self"]


def test_mention_sample_edges(shared):
    path = shared / "fixtures" / "chat" / "teams" / "msgraph_docs_channel_list_messages_ex1_mention.json"
    t = read_teams(path).interactions
    assert t[["source", "target", "kind"]].values.tolist() == [
        ["8ea0e38b-efb3-4757-924a-5f94061cf8c2", "ef1c916a-3135-4417-ba27-8eb7bd084193", "mention"]]
    assert t["container"].tolist() == ["19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2"]
    assert "Jane" not in t.to_csv()


def _message(mid, sender, when, **extra):
    return {"id": mid, "messageType": "message", "createdDateTime": when,
            "from": {"user": {"id": sender, "userIdentityType": "aadUser"}}, **extra}


def test_chats_bots_reactions_and_replies_listed_before_parents(tmp_path):
    chat = {"chatId": "19:chat"}
    channel = {"channelIdentity": {"teamId": "t", "channelId": "c1"}}
    value = [
        _message("12", "b", "2026-01-05T09:05:00Z", replyToId="11", **channel),  # before parent
        _message("11", "a", "2026-01-05T09:00:00Z", **channel,
                 reactions=[{"reactionType": "like", "createdDateTime": "2026-01-05T10:00:00Z",
                             "user": {"user": {"id": "c"}}}]),
        _message("21", "a", "2026-01-05T11:00:00Z", **chat),
        _message("22", "b", "2026-01-05T11:01:00Z", **chat),
        _message("23", "c", "2026-01-05T11:02:00Z", **chat),
        {"id": "24", "messageType": "message", "createdDateTime": "2026-01-05T11:03:00Z",
         "from": {"application": {"id": "bot-app", "displayName": "Bot"}}, **chat},
        {"id": "25", "messageType": "systemEventMessage", "createdDateTime": "2026-01-05T11:04:00Z",
         "from": None, "eventDetail": {"@odata.type": "#microsoft.graph.membersAddedEventMessageDetail"},
         **chat},
    ]
    f = tmp_path / "export.json"
    f.write_text(json.dumps({"value": value}))
    result = read_teams(f)
    t = result.interactions
    assert sorted(zip(t["source"], t["target"], t["kind"], strict=True)) == [
        ("a", "b", "group_dm"), ("a", "c", "group_dm"), ("b", "a", "group_dm"),
        ("b", "a", "reply"), ("b", "c", "group_dm"), ("c", "a", "group_dm"),
        ("c", "a", "reaction"), ("c", "b", "group_dm")]
    assert (t.loc[t["kind"] == "group_dm", "weight"] == 0.5).all()
    reaction = t[t["kind"] == "reaction"].iloc[0]
    assert reaction["weight"] == 0.25 and str(reaction["timestamp"]) == "2026-01-05 10:00:00+00:00"
    assert result.report.files[0].rejected == {"bot": 1, "system message": 1}
    assert result.report.balanced()


def test_folder_of_pages(tmp_path):
    ch = {"channelIdentity": {"teamId": "t", "channelId": "c1"}}
    (tmp_path / "p1.json").write_text(json.dumps({"value": [_message("1", "a", "2026-01-05T09:00:00Z", **ch)]}))
    (tmp_path / "p2.json").write_text(json.dumps({"value": [
        _message("2", "b", "2026-01-05T09:01:00Z", **ch,
                 mentions=[{"id": 0, "mentioned": {"user": {"id": "a"}}},
                           {"id": 1, "mentioned": {"conversation": {"id": "c1"}}}])]}))
    assert TeamsReader.detect(tmp_path)
    result = read_teams(tmp_path)
    assert result.interactions[["source", "target", "kind"]].values.tolist() == [["b", "a", "mention"]]
    assert result.report.files[0].notes["mentions of a channel, team, tag or app: no person edge"] == 1


def test_broken_files():
    with pytest.raises(BadInputError, match=r"truncated\.json: line 4: invalid JSON"):
        read_teams(BROKEN / "truncated.json", on_bad_lines="error")
    with pytest.warns(UserWarning):
        report = read_teams(BROKEN / "truncated.json").report
    assert report.files[0].rejected == {"invalid JSON (Expecting ',' delimiter)": 1}
    assert report.balanced()
    with pytest.raises(BadInputError, match="not Graph chatMessage JSON"):
        read_teams(BROKEN / "not_messages.json")
    with pytest.warns(UserWarning):
        result = read_teams(BROKEN / "bad_messages.json")
    assert result.report.files[0].rejected == {"missing createdDateTime": 1,
                                               "not a message object": 1}
    assert result.report.balanced() and result.report.files[0].imported == 1


def test_chat_quote_reply_is_a_reply(tmp_path):
    chat = {"chatId": "19:chat"}
    quote = {"id": "31", "contentType": "messageReference",
             "content": json.dumps({"messageId": "31", "messagePreview": "private words",
                                    "messageSender": {"user": {"id": "a"}}})}
    unknown = {"id": "99", "contentType": "messageReference",
               "content": json.dumps({"messageId": "99", "messageSender": {"user": {"id": "z"}}})}
    value = [_message("32", "b", "2026-01-05T11:01:00Z", attachments=[quote], **chat),
             _message("33", "a", "2026-01-05T11:02:00Z", attachments=[unknown], **chat)]
    f = tmp_path / "chat.json"
    f.write_text(json.dumps({"value": value}))
    t = read_teams(f).interactions
    # The parent (31) is not in the file: its sender comes from the attachment; 99's too.
    assert sorted(zip(t["source"], t["target"], t["kind"], strict=True)) == [
        ("a", "b", "dm"), ("a", "z", "reply"), ("b", "a", "dm"), ("b", "a", "reply")]
    assert "private" not in t.to_csv()
