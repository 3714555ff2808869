"""The chat edge rules as properties (hypothesis), and every chat/Viva fixture accounted for."""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ona.exceptions import InvalidParameterError
from ona.importers._base import Rejected
from ona.importers._chat_common import (
    ChatMessage,
    ChatOptions,
    ChatReader,
    at_mentions,
    chat_events,
    project_memberships,
)
from ona.importers.csv_interactions import InteractionsCsvReader
from ona.importers.discord import DiscordReader
from ona.importers.mattermost import MattermostReader
from ona.importers.slack import SlackReader
from ona.importers.teams import TeamsReader
from ona.importers.viva import VivaG2GReader, VivaP2PReader, read_viva_g2g

PEOPLE = st.sampled_from(["a", "b", "c", "d", "e", "f"])
TIME = "2026-01-05T09:00:00Z"


@st.composite
def messages(draw):
    author = draw(PEOPLE)
    direct = draw(st.booleans())
    members = draw(st.lists(PEOPLE, min_size=1, max_size=6)) + [author] if direct else None
    return ChatMessage(
        author,
        TIME,
        container="x",
        reply_to=draw(st.none() | PEOPLE),
        thread_starter=draw(st.none() | PEOPLE),
        earlier_participants=draw(st.lists(PEOPLE, max_size=5)),
        mentions=draw(st.lists(PEOPLE, max_size=4)),
        reactions=[(p, None) for p in draw(st.lists(PEOPLE, max_size=5))],
        members=members,
    )


OPTIONS = st.builds(ChatOptions, reaction_weight=st.floats(0, 2),
                    thread_mode=st.sampled_from(["starter", "all", "none"]))


@settings(max_examples=300, deadline=None)
@given(messages(), OPTIONS)
def test_edge_rules(msg, options):
    events = chat_events(msg, options)
    by_kind = Counter(e["kind"] for e in events)
    # One event per (kind, source, target): stable event ids never collide within a message.
    assert len({(e["kind"], e["source"], e["target"]) for e in events}) == len(events)
    # A sender's direct or group message weighs 1 in all, whatever the group size.
    group = [e for e in events if e["kind"] in ("dm", "group_dm")]
    if msg.members is not None:
        assert sum(e["weight"] for e in group) == pytest.approx(1.0)
        others = set(msg.members) - {msg.author}
        assert {e["target"] for e in group} == (others or {msg.author})
        assert all(e["n_recipients"] == max(len(others), 1) for e in group)
        assert by_kind["dm"] == 0 or len(others) <= 1
    else:
        assert not group
    # Reactions: one per distinct reactor, each at the configured weight, towards the author.
    reactions = [e for e in events if e["kind"] == "reaction"]
    assert sorted(e["source"] for e in reactions) == sorted({p for p, _ in msg.reactions})
    assert all(e["target"] == msg.author and e["weight"] == options.reaction_weight
               for e in reactions)
    # Thread edges to earlier participants share one unit of weight.
    extra = [e for e in events if e["kind"] == "thread" and e["target"] != msg.thread_starter]
    assert sum(e["weight"] for e in extra) == pytest.approx(1.0 if extra else 0.0)
    if options.thread_mode != "all":
        assert not extra
    if options.thread_mode == "none":
        assert by_kind["thread"] == 0
    # No thread edge to oneself: a starter writing in their own thread is no interaction.
    assert all(e["source"] != e["target"] for e in events if e["kind"] in ("thread", "group_dm"))
    assert all(e["source"] == msg.author for e in events if e["kind"] != "reaction")


class _ListReader(ChatReader):
    """A reader over an in-memory list, to check the accounting of the rules end to end."""

    format = "test_chat"

    def __init__(self, items, **options):
        super().__init__(Path("memory"), **options)
        self.items = items

    def records(self):
        for i, item in enumerate(self.items):
            if isinstance(item, str):
                yield Rejected(f"#{i}", item, excluded=True)
            else:
                key, msg = item
                yield self.message_record(key, f"#{i}", msg)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.tuples(st.sampled_from(["k1", "k2", "k3", "k4", "k5"]), messages()),
                          st.sampled_from(["bot", "system message"])), max_size=25))
def test_each_record_is_accounted_once_and_no_self_loops(items):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = _ListReader(items).read()
    report = result.report.files[0]
    assert report.read == len(items)
    assert report.balanced()
    keys = [k for item in items if not isinstance(item, str) for k in [item[0]]]
    assert report.duplicates == len(keys) - len(set(keys))
    t = result.interactions
    assert not (t["source"] == t["target"]).any()
    assert t["event_id"].is_unique
    # Group messages still weigh 1 per record once self-loops are gone (n >= 2 others).
    group = t[t["kind"] == "group_dm"]
    if len(group):
        assert group.groupby("record_id")["weight"].sum().round(9).eq(1.0).all()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(PEOPLE, st.sampled_from(["g1", "g2", "g3"])), max_size=20))
def test_membership_projection(pairs):
    aff = pd.DataFrame(pairs, columns=["person", "group"]).assign(group_type="chat_channel",
                                                                   origin="o")
    out = project_memberships(aff)
    assert (out["source"] < out["target"]).all()
    # Each person's ties from one group sum to 1, so their total is their number of groups
    # with someone else in them.
    members = aff.drop_duplicates(["person", "group"])
    sizes = members.groupby("group")["person"].transform("size")
    groups_per_person = members[sizes >= 2].groupby("person").size()
    strength = pd.concat([out.set_index("source")["weight"], out.set_index("target")["weight"]])
    strength = strength.groupby(level=0).sum()
    pd.testing.assert_series_equal(strength.sort_index(), groups_per_person.astype(float).sort_index(),
                                   check_names=False, check_index_type=False)


def test_at_mentions_and_options():
    assert at_mentions("hi @ann and @bob.smith, cc @here; mail me at x@y.org") == (
        ["ann", "bob.smith"], 1)
    with pytest.raises(InvalidParameterError, match="reaction_weight"):
        ChatOptions(reaction_weight=-1).check("f")
    with pytest.raises(InvalidParameterError, match="thread_mode"):
        ChatOptions(thread_mode="sideways").check("f")


# -- every chat and Viva fixture is read (or is knowingly not an export we read) ---------------
READERS = [SlackReader, TeamsReader, MattermostReader, DiscordReader, VivaP2PReader,
           VivaG2GReader, InteractionsCsvReader]
# API payloads that are not messages (users, channel info, errors) and other systems' exports
# that no reader here claims; each must be left alone by every reader, not misread.
NOT_MESSAGES = {
    "slack_api": {"perceval_slack_error.json", "perceval_slack_info.json",
                  "perceval_slack_info_archived.json", "perceval_slack_members1.json",
                  "perceval_slack_members2.json", "perceval_slack_user_U0001.json",
                  "perceval_slack_user_U0002.json", "perceval_slack_user_U0003.json",
                  "perceval_slack_user_U0004_private.json"},
    "mattermost": {"perceval_api_mattermost_channel.json", "perceval_api_mattermost_erros.json",
                   "perceval_api_mattermost_user_sduenas.json",
                   "perceval_api_mattermost_user_valcos.json"},
    "other_chat": {"chat-analytics_telegram_DM_2A_7M.json", "perceval_gitter_message_page_1.json",
                   "perceval_rocketchat_message_page_1.json", "perceval_telegram_messages.json"},
}


def _inputs(shared: Path) -> list[Path]:
    """Every file under chat/ and viva/, with unzipped Slack exports taken as one folder."""
    out = []
    for base in (shared / "fixtures" / "chat", shared / "fixtures" / "viva"):
        for p in sorted(base.rglob("*")):
            if not p.is_file():
                continue
            export = next((parent for parent in p.parents
                           if (parent / "channels.json").exists() or (parent / "users.json").exists()),
                          None)
            out.append(export if export is not None else p)
    return sorted(set(out))


def test_every_chat_and_viva_fixture_is_read_or_knowingly_left(shared):
    inputs = _inputs(shared)
    assert len(inputs) > 40
    imported = 0
    for path in inputs:
        claims = [r for r in READERS if r.detect(path)]
        if path.name in NOT_MESSAGES.get(path.parent.name, ()):
            assert claims == [], (path.name, claims)
            continue
        assert len(claims) == 1, (path.name, claims)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = read_viva_g2g(path) if claims[0] is VivaG2GReader else claims[0](path).read()
        assert result.report.balanced(), path.name
        imported += 1
    assert imported >= 25


def test_a_delivery_folder_is_walked_not_claimed_whole(shared, tmp_path):
    """A folder holding several exports is not mistaken for one of them."""
    import shutil

    chat = shared / "fixtures" / "chat"
    shutil.copytree(chat / "slack_export" / "slackdump_source_export_2025_scrambled", tmp_path / "slack")
    (tmp_path / "discord").mkdir()
    shutil.copy(chat / "discord" / "dcef_example_guild_general.json", tmp_path / "discord")
    (tmp_path / "teams").mkdir()
    shutil.copy(chat / "teams" / "msgraph_docs_channel_list_messages_ex1_mention.json", tmp_path / "teams")
    (tmp_path / "notes.txt").write_text("delivery notes")
    assert [r for r in READERS if r.detect(tmp_path)] == []
    assert [r for r in READERS if r.detect(tmp_path / "slack")] == [SlackReader]
    assert [r for r in READERS if r.detect(tmp_path / "discord")] == [DiscordReader]
    assert [r for r in READERS if r.detect(tmp_path / "teams")] == [TeamsReader]
