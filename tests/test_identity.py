"""Identity resolution: one person across e-mail, Slack and git, by exact rules only."""

from __future__ import annotations

import json
import shutil
import subprocess

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ona.exceptions import InvalidParameterError, TableError
from ona.identity import (
    IDENTITY_STATUSES,
    build_aliases,
    filter_by_status,
    normalise_handle,
    parse_mailmap,
    resolve_identities,
)

ROSTER = pd.DataFrame(
    {
        "person_id": ["E1", "E2", "E3", "E4"],
        "name": ["Ann Lee", "Bo Yu", "Cy Diaz", "Di Evans"],
        "email": [
            "ann.lee@corp.example",
            "bo.yu@corp.example",
            "cy.diaz@corp.example",
            "di.evans@corp.example",
        ],
        "aliases": ["ann@corp.example;ann.lee@old-corp.example", None, None, None],
        "team": ["Sales", "Sales", "Eng", "Eng"],
    }
)


def _events(pairs, channel="email", kind="to"):
    return pd.DataFrame(
        {
            "event_id": [f"{channel}{i}" for i in range(len(pairs))],
            "timestamp": "2026-01-05T09:00:00Z",
            "source": [s for s, _ in pairs],
            "target": [t for _, t in pairs],
            "channel": channel,
            "kind": kind,
            "origin": f"{channel}.src",
        }
    )


# -- normalisation and mailmap ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("handle", "options", "key", "rules"),
    [
        ("ann@corp.example", {}, "ann@corp.example", ()),
        ("Ann@Corp.Example", {}, "ann@corp.example", ("case folded",)),
        ("ann+news@corp.example", {}, "ann@corp.example", ("+tag removed",)),
        ("ann+news@corp.example", {"plus_tags": False}, "ann+news@corp.example", ()),
        ("<ann@corp.example>", {}, "ann@corp.example", ("address extracted",)),
        ("mailto:ann@corp.example", {}, "ann@corp.example", ("address extracted",)),
        # Exchange X.500 addresses, as proxyAddresses list them and as internal mail carries them
        ("X500:/o=Corp/cn=ann", {}, "/o=corp/cn=ann", ("address extracted", "case folded")),
        ("/o=Corp/cn=ann", {}, "/o=corp/cn=ann", ("case folded",)),
        ("a.n.n@gmail.com", {}, "a.n.n@gmail.com", ()),  # dot-folding only when asked
        ("a.n.n@googlemail.com", {"gmail_dots": True}, "ann@gmail.com", ("gmail dots removed",)),
        ("a.n.n@corp.example", {"gmail_dots": True}, "a.n.n@corp.example", ()),  # Gmail only
        # On GitHub noreply addresses the tag is the login: it must stay.
        ("123+ann@users.noreply.github.com", {}, "123+ann@users.noreply.github.com", ()),
        ("U024BE7LH", {}, "u024be7lh", ("case folded",)),
        ("ann lee@corp", {}, "ann lee@corp", ()),  # not a strict address: no e-mail rules
    ],
)
def test_normalise_handle(handle, options, key, rules):
    assert normalise_handle(handle, **options) == (key, rules)


def test_parse_mailmap_forms():
    text = (
        "# a comment\n"
        "Proper Name <commit@example.org>\n"  # name only: no e-mail link
        "<proper@example.org> <commit1@example.org>\n"
        "Proper Name <proper@example.org> <commit2@example.org>\n"
        "Proper Name <proper@example.org> Commit Name <commit3@example.org>\n"
        "Same <same@example.org> <SAME@example.org>\n"  # differs only in case: no link
    )
    assert parse_mailmap(text) == [
        ("commit1@example.org", "proper@example.org", ""),
        ("commit2@example.org", "proper@example.org", "Proper Name"),
        ("commit3@example.org", "proper@example.org", "Proper Name"),
    ]


# -- the same people across e-mail, Slack and git ---------------------------------------------


@pytest.fixture(scope="module")
def three_systems(tmp_path_factory):
    from ona.importers.mbox import read_mbox
    from ona.importers.slack import read_slack_export

    d = tmp_path_factory.mktemp("systems")

    def msg(i, frm, to, cc=""):
        return (
            f"From x@x Mon Jan  5 09:00:00 2026\nFrom: {frm}\nTo: {to}\n"
            + (f"Cc: {cc}\n" if cc else "")
            + f"Date: Mon, 05 Jan 2026 09:0{i}:00 +0000\nMessage-ID: <{i}@corp.example>\n"
            f"Subject: Budget plan {i}\n\nbody\n\n"
        )

    mbox = d / "mail.mbox"
    mbox.write_text(
        msg(
            1,
            '"Ann Lee" <Ann.Lee@Corp.example>',
            "bo.yu+lists@corp.example",
            "partner@client.example",
        )
        + msg(2, "bo.yu@corp.example", "ann@corp.example, new.hire@corp.example")
        + msg(3, "ann.lee@old-corp.example", "cy.diaz@corp.example")
    )
    mail = read_mbox(mbox)

    slack_dir = d / "slack"
    (slack_dir / "general").mkdir(parents=True)
    users = [
        {"id": "U1", "profile": {"email": "ann.lee@corp.example"}},
        {"id": "U2", "profile": {"email": "Bo.Yu@corp.example"}},
        {"id": "U3", "profile": {}},  # no e-mail in the export
    ]
    (slack_dir / "users.json").write_text(json.dumps(users))
    (slack_dir / "channels.json").write_text(
        json.dumps([{"id": "C1", "name": "general", "members": ["U1", "U2", "U3"]}])
    )
    (slack_dir / "general" / "2026-01-05.json").write_text(
        json.dumps(
            [
                {"type": "message", "user": "U1", "text": "hi <@U2>", "ts": "1767600000.000100"},
                {"type": "message", "user": "U3", "text": "cc <@U1>", "ts": "1767600100.000100"},
            ]
        )
    )
    slack = read_slack_export(slack_dir)

    # git: Cy commits from a laptop address (the .mailmap links it), Bo co-authors with a tag.
    code = _events([("cy@laptop.local", "bo.yu+git@corp.example")], channel="code", kind="coauthor")
    if shutil.which("git"):
        from ona.importers.git import read_git

        repo = d / "repo"
        env = {
            "GIT_AUTHOR_NAME": "Cy",
            "GIT_AUTHOR_EMAIL": "cy@laptop.local",
            "GIT_COMMITTER_NAME": "Cy",
            "GIT_COMMITTER_EMAIL": "cy@laptop.local",
            "GIT_AUTHOR_DATE": "2026-01-05T10:00:00Z",
            "GIT_COMMITTER_DATE": "2026-01-05T10:00:00Z",
            "HOME": str(d),
        }
        repo.mkdir()

        def git(*args):
            subprocess.run(
                ["git", "-C", str(repo), *args], env=env, check=True, capture_output=True
            )

        git("init", "-q")
        (repo / "f.txt").write_text("x\n")
        git("add", "f.txt")
        git("commit", "-q", "-m", "Add f\n\nCo-authored-by: Bo <bo.yu+git@corp.example>")
        code = read_git(repo, cochange=False).interactions
    interactions = pd.concat([mail.interactions, slack.interactions, code], ignore_index=True)
    aliases = build_aliases(
        ROSTER,
        mailmaps="Cy Diaz <cy.diaz@corp.example> <cy@laptop.local>\n",
        directories={"slack": slack.people},
    )
    return interactions, aliases


EXPECTED = {  # raw handle -> (identity, status), worked out by hand from the inputs above
    "ann.lee@corp.example": ("E1", "matched"),
    "bo.yu+lists@corp.example": ("E2", "matched"),  # +tag
    "partner@client.example": ("partner@client.example", "external"),
    "bo.yu@corp.example": ("E2", "matched"),
    "ann@corp.example": ("E1", "matched"),  # roster alias
    "new.hire@corp.example": ("new.hire@corp.example", "unmatched_internal"),
    "ann.lee@old-corp.example": ("E1", "matched"),  # old-domain alias
    "cy.diaz@corp.example": ("E3", "matched"),
    "U1": ("E1", "matched"),  # Slack directory e-mail
    "U2": ("E2", "matched"),  # Slack directory e-mail, case folded
    "U3": ("U3", "unmatched"),
    "cy@laptop.local": ("E3", "matched"),  # .mailmap
    "bo.yu+git@corp.example": ("E2", "matched"),
}


def test_raw_inputs_hold_the_handles_expected(three_systems):
    interactions, _ = three_systems
    handles = set(interactions["source"]) | set(interactions["target"])
    assert handles == set(EXPECTED)


def test_alias_resolution_across_email_slack_and_git(three_systems):
    interactions, aliases = three_systems
    res = resolve_identities(interactions, aliases)
    ident = {h: EXPECTED[h][0] for h in EXPECTED}
    expected = interactions.assign(
        source=interactions["source"].map(ident), target=interactions["target"].map(ident)
    )
    got = res.interactions
    assert got[["event_id", "source", "target"]].values.tolist() == (
        expected[["event_id", "source", "target"]].values.tolist()
    )
    table = res.report.identities.set_index("handle")
    for handle, (identity, status) in EXPECTED.items():
        assert table.loc[handle, "identity"] == identity, handle
        assert table.loc[handle, "status"] == status, handle
    assert table.loc["U1", "via"] == "directory:slack > roster"
    assert table.loc["cy@laptop.local", "via"] == "mailmap > roster"
    assert table.loc["bo.yu+lists@corp.example", "rules"] == "+tag removed"
    # The same person is one node whatever the system.
    assert set(got.loc[got["channel"] == "chat", "source"]) == {"E1", "U3"}


def test_match_report_counts_add_up(three_systems):
    interactions, aliases = three_systems
    report = resolve_identities(interactions, aliases).report
    counts = report.counts
    statuses = list(IDENTITY_STATUSES)
    assert (counts[statuses].sum(axis=1) == counts["total"]).all()
    # Independent count: distinct handles per channel and status, from EXPECTED.
    for channel in ("email", "chat", "code"):
        rows = interactions[interactions["channel"] == channel]
        handles = set(rows["source"]) | set(rows["target"])
        for status in statuses:
            n = sum(EXPECTED[h][1] == status for h in handles)
            assert counts.loc[channel, status] == n, (channel, status)
    assert counts.loc["total", "total"] == len(EXPECTED)
    assert counts.loc["total", "matched"] == 10
    assert counts.loc["total", ["external", "unmatched_internal", "unmatched"]].tolist() == [
        1,
        1,
        1,
    ]
    assert report.external_domains.to_dict() == {"client.example": 1}
    assert report.unmatched_internal["handle"].tolist() == ["new.hire@corp.example"]
    i = report.interactions
    assert i["read"] == len(interactions) == i["kept"] + i["self_interactions_dropped"]
    # Counts-only form carries no handle.
    flat = json.dumps(report.to_dict())
    assert "@corp.example" not in flat and "U3" not in flat
    assert "10" in report.summary()


def test_people_keep_non_roster_identities_with_a_status(three_systems):
    interactions, aliases = three_systems
    res = resolve_identities(interactions, aliases)
    status = res.people.set_index("person_id")["status"].to_dict()
    assert status == {
        "E1": "roster",
        "E2": "roster",
        "E3": "roster",
        "E4": "roster",
        "partner@client.example": "external",
        "new.hire@corp.example": "unmatched_internal",
        "U3": "unmatched",
    }
    internal = filter_by_status(res.interactions, res.people)
    ends = set(internal["source"]) | set(internal["target"])
    assert ends <= {"E1", "E2", "E3", "E4"}
    with_partners = filter_by_status(res.interactions, res.people, include=["roster", "external"])
    assert len(with_partners) == len(internal) + 1  # the Cc to the client
    everyone = filter_by_status(res.interactions, res.people, include=list(set(status.values())))
    assert len(everyone) == len(res.interactions)


def test_filter_by_status_rejects_unknown_statuses():
    people = pd.DataFrame({"person_id": ["a"], "status": ["roster"]})
    with pytest.raises(InvalidParameterError):
        filter_by_status(pd.DataFrame({"source": [], "target": []}), people, include=["internal"])
    with pytest.raises(TableError, match="status"):
        filter_by_status(pd.DataFrame({"source": [], "target": []}), ROSTER)


# -- never merge by similarity ----------------------------------------------------------------


def test_suggestions_are_reported_never_applied(tmp_path):
    git_people = pd.DataFrame(
        {"person_id": ["ann.lee.home@gmail.com", "bo@gmail.com"], "name": ["Ann  LEE", "Bo"]}
    )
    events = _events(
        [
            ("ann.lee.home@gmail.com", "bo.yu@corp.example"),
            ("bo@gmail.com", "cy.diaz@corp.example"),
            ("cy.diaz@corp.example", "di.evans@newco.example"),
        ],
        channel="code",
        kind="coauthor",
    )
    res = resolve_identities(events, build_aliases(ROSTER, directories={"git": git_people}))
    sugg = res.report.suggestions
    assert sugg[["handle", "person_id", "reason"]].values.tolist() == [
        ["ann.lee.home@gmail.com", "E1", "same display name, different address"],
        ["di.evans@newco.example", "E4", "same mailbox name, different domain"],
    ]  # "Bo" is a single word: never even suggested
    # Not applied: the handles stay external.
    statuses = res.report.identities.set_index("handle")["status"]
    assert statuses["ann.lee.home@gmail.com"] == "external"
    assert statuses["di.evans@newco.example"] == "external"
    assert "E1" not in set(res.interactions["source"])
    # Confirmed by a person (the rows kept), the suggestions file is an alias file.
    confirmed = tmp_path / "confirmed.csv"
    sugg[sugg["person_id"] == "E1"].to_csv(confirmed, index=False)
    again = resolve_identities(
        events, build_aliases(ROSTER, directories={"git": git_people}, alias_files=confirmed)
    )
    assert again.interactions["source"].tolist()[0] == "E1"
    assert again.report.identities.set_index("handle").loc["di.evans@newco.example", "status"] == (
        "external"
    )


def test_a_handle_linked_to_two_people_is_ambiguous():
    roster = ROSTER.assign(aliases=["team@corp.example", "team@corp.example", None, None])
    events = _events([("team@corp.example", "cy.diaz@corp.example")])
    res = resolve_identities(events, build_aliases(roster))
    row = res.report.identities.set_index("handle").loc["team@corp.example"]
    assert row["status"] == "ambiguous" and row["identity"] == "team@corp.example"
    assert res.interactions["source"].tolist() == ["team@corp.example"]


def test_gmail_dot_folding_is_opt_in():
    roster = ROSTER.assign(aliases=["annlee@gmail.com", None, None, None])
    events = _events([("ann.lee@gmail.com", "bo.yu@corp.example")])
    internal = ["corp.example"]
    off = resolve_identities(events, build_aliases(roster), internal_domains=internal)
    on = resolve_identities(
        events, build_aliases(roster, gmail_dots=True), internal_domains=internal
    )
    assert off.interactions["source"].tolist() == ["ann.lee@gmail.com"]
    assert off.report.identities.loc[0, "status"] == "external"
    assert on.interactions["source"].tolist() == ["E1"]
    assert on.report.identities.loc[0, "rules"] == "gmail dots removed"


def test_alias_file_and_internal_domains(tmp_path):
    alias_file = tmp_path / "aliases.csv"
    alias_file.write_text("alias,person_id\nann-gh,E1\nold.bo@legacy.example,bo.yu@corp.example\n")
    events = _events(
        [("ann-gh", "old.bo@legacy.example"), ("ann-gh", "x@eu.corp.example")], channel="code"
    )
    res = resolve_identities(
        events,
        build_aliases(ROSTER, alias_files=alias_file),
        internal_domains=["corp.example"],
    )
    assert res.interactions[["source", "target"]].values.tolist() == [
        ["E1", "E2"],
        ["E1", "x@eu.corp.example"],
    ]
    ids = res.report.identities.set_index("handle")
    assert ids.loc["old.bo@legacy.example", "via"] == "alias file > roster"
    assert ids.loc["x@eu.corp.example", "status"] == "unmatched_internal"  # a subdomain


def test_two_handles_of_one_person_make_no_self_tie():
    events = _events(
        [("ann@corp.example", "ann.lee@corp.example"), ("ann@corp.example", "bo.yu@corp.example")]
    )
    res = resolve_identities(events, build_aliases(ROSTER))
    assert res.interactions[["source", "target"]].values.tolist() == [["E1", "E2"]]
    assert res.report.interactions == {"read": 2, "kept": 1, "self_interactions_dropped": 1}


def test_without_a_roster_everything_is_kept_unresolved():
    events = _events([("a@x.example", "b@y.example"), ("U1", "a@x.example")])
    res = resolve_identities(events, build_aliases(None), internal_domains=["x.example"])
    ids = res.report.identities.set_index("handle")["status"].to_dict()
    assert ids == {
        "a@x.example": "unmatched_internal",
        "U1": "unmatched",
        "b@y.example": "external",
    }
    assert len(res.interactions) == 2


HANDLES = st.sampled_from(
    ["ann@corp.example", "ANN@corp.example", "ann+x@corp.example", "E2", "U1", "U9",
     "zed@corp.example", "p@client.example", "bo.yu@corp.example", "ann.lee@old-corp.example"]
)  # fmt: skip


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(HANDLES, HANDLES), min_size=1, max_size=25))
def test_counts_always_add_up(pairs):
    slack = pd.DataFrame({"person_id": ["U1"], "email": ["bo.yu@corp.example"]})
    events = _events(pairs)
    events.loc[::2, "channel"] = "chat"
    events.loc[::2, "kind"] = "mention"
    events = events[events["source"] != events["target"]]
    if events.empty:
        return
    res = resolve_identities(events, build_aliases(ROSTER, directories=[slack]))
    counts = res.report.counts
    assert (counts[list(IDENTITY_STATUSES)].sum(axis=1) == counts["total"]).all()
    assert counts.loc["total", "total"] == len(set(events["source"]) | set(events["target"]))
    for channel in set(events["channel"]):
        rows = events[events["channel"] == channel]
        assert counts.loc[channel, "total"] == len(set(rows["source"]) | set(rows["target"]))
    i = res.report.interactions
    assert i["read"] == i["kept"] + i["self_interactions_dropped"] == len(events)
    # A handle always becomes the same identity.
    mapping = res.report.identities.set_index("handle")["identity"]
    kept = events[(events["source"].map(mapping) != events["target"].map(mapping)).to_numpy()]
    assert res.interactions["source"].tolist() == kept["source"].map(mapping).tolist()


# -- the sample organisation (data/sample): e-mail, Slack and git of the same 300 people ------

SAMPLE = __import__("pathlib").Path(__file__).resolve().parents[1] / "data" / "sample"


@pytest.fixture(scope="module")
def sample():
    if not (SAMPLE / "roster.csv").exists() or shutil.which("git") is None:
        pytest.skip("the sample organisation (data/sample) or git is not available")
    import ona

    roster = ona.read_roster(SAMPLE / "roster.csv")
    mail = ona.read_mbox(SAMPLE / "mail.mbox")
    slack = ona.read_slack_export(SAMPLE / "slack_export.zip")
    git = ona.read_git(SAMPLE / "monorepo.bundle")
    interactions = pd.concat(
        [mail.interactions, slack.interactions, git.interactions], ignore_index=True
    )
    aliases = build_aliases(roster, directories={"slack": slack.people, "git": git.people})
    return roster.people, interactions, resolve_identities(interactions, aliases)


def _roster_by_address():
    """Address -> person id, read from roster.csv with the csv module (not through ona)."""
    import csv

    out = {}
    with open(SAMPLE / "roster.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for address in [row["email"], *row["aliases"].split(";")]:
                if address.strip():
                    out[address.strip().lower()] = row["person_id"]
    return out


@pytest.mark.slow
def test_sample_slack_users_resolve_to_the_roster_person_of_their_email(sample):
    import zipfile

    _, interactions, res = sample
    with zipfile.ZipFile(SAMPLE / "slack_export.zip") as z:
        users = json.loads(z.read("users.json"))
    by_address = _roster_by_address()
    identity = res.report.identities.set_index("handle")["identity"]
    seen = set(interactions.loc[interactions["channel"] == "chat", "source"])
    checked = 0
    for user in users:
        email = (user.get("profile") or {}).get("email")
        if user["id"] in seen and email:
            assert identity[user["id"]] == by_address[email.lower()], user["id"]
            checked += 1
    assert checked >= 250  # nearly all 300 people post in Slack


@pytest.mark.slow
def test_sample_same_people_across_email_slack_and_git(sample):
    people, _, res = sample
    roster_ids = set(people["person_id"])
    resolved = res.interactions
    by_channel = {
        c: set(resolved.loc[resolved["channel"] == c, "source"]) & roster_ids
        for c in ("email", "chat", "code")
    }
    in_all = by_channel["email"] & by_channel["chat"] & by_channel["code"]
    assert len(in_all) >= 50  # the engineers write mail, chat and commit as one person each
    counts = res.report.counts
    assert counts.loc["total", ["unmatched", "ambiguous"]].sum() == 0
    # External correspondents are exactly the addresses outside the roster's domains.
    roster_domains = {a.rpartition("@")[2] for a in _roster_by_address()}
    ids = res.report.identities
    external = ids.loc[ids["status"] == "external", "handle"]
    assert not {h.rpartition("@")[2] for h in external} & roster_domains
    raw_addresses = {h for h in ids["handle"] if "@" in h}
    outside = {  # subdomains (lists.kestrel.example) are internal
        h for h in raw_addresses if not any(h.endswith(("@" + d, "." + d)) for d in roster_domains)
    }
    assert set(external) == outside
    # The only unmatched internal addresses are system senders and lists, never a person.
    raw = pd.concat(
        [
            pd.DataFrame(
                {"handle": sample[1]["source"], "flag": sample[1]["automated"] | sample[1]["mass"]}
            ),
            pd.DataFrame(
                {"handle": sample[1]["target"], "flag": sample[1]["automated"] | sample[1]["mass"]}
            ),
        ]
    )
    for handle in res.report.unmatched_internal["handle"]:
        assert raw.loc[raw["handle"] == handle, "flag"].all(), handle


@pytest.mark.slow
def test_sample_mailmap_links_personal_addresses(sample, tmp_path):
    people, _, _ = sample
    clone = tmp_path / "repo"
    subprocess.run(
        ["git", "clone", "-q", str(SAMPLE / "monorepo.bundle"), str(clone)],
        check=True,
        capture_output=True,
    )
    text = (clone / ".mailmap").read_text(encoding="utf-8")
    links = parse_mailmap(text)
    assert links
    aliases = build_aliases(people, mailmaps=text)
    by_address = _roster_by_address()
    for commit, proper, _ in links:
        persons, via = aliases.persons_of(normalise_handle(commit)[0])
        assert persons == {by_address[proper.lower()]} and via == "mailmap > roster"


@pytest.mark.slow
def test_sample_team_moves_take_effect_on_their_date(sample):
    from ona.people import attributes_at

    people, _, _ = sample
    truth = json.loads((SAMPLE / "truth.json").read_text())
    assert truth["moves"]
    for move in truth["moves"]:
        day = pd.Timestamp(move["date"], tz="UTC")
        before = attributes_at(people, day - pd.Timedelta(seconds=1)).loc[move["person_id"], "team"]
        after = attributes_at(people, day).loc[move["person_id"], "team"]
        assert (before, after) == (move["from_team"], move["to_team"])


def test_reports_of_parts_merge_into_the_report_of_the_whole(three_systems):
    from ona.identity import MatchReport

    interactions, aliases = three_systems
    whole = resolve_identities(interactions, aliases).report
    parts = [
        resolve_identities(interactions[interactions["channel"] == c], aliases).report
        for c in ("email", "chat", "code")
    ]
    merged = MatchReport.merge(parts)
    pd.testing.assert_frame_equal(merged.counts.sort_index(), whole.counts.sort_index())
    assert merged.interactions == whole.interactions
    assert merged.external_domains.to_dict() == whole.external_domains.to_dict()
    assert set(merged.identities["handle"]) == set(EXPECTED)


def test_no_interactions():
    empty = _events([])
    res = resolve_identities(empty, build_aliases(ROSTER))
    assert res.interactions.empty
    assert res.report.counts.loc["total", "total"] == 0
    assert (res.people["status"] == "roster").all() and len(res.people) == len(ROSTER)


def test_resolve_needs_source_target_and_the_grouping_column():
    events = _events([("a@x.example", "b@x.example")]).drop(columns="channel")
    with pytest.raises(TableError, match="channel"):
        resolve_identities(events, build_aliases(ROSTER))
    with pytest.raises(InvalidParameterError):
        resolve_identities(events, ROSTER)  # not an AliasTable
    by_origin = resolve_identities(events, build_aliases(ROSTER), by="origin")
    assert by_origin.report.counts.index.tolist() == ["email.src", "total"]


def test_roster_path_and_report_as_json(tmp_path):
    path = tmp_path / "roster.csv"
    ROSTER.to_csv(path, index=False)
    events = _events([("ann@corp.example", "U7"), ("ann@corp.example", "x@ext.example")])
    res = resolve_identities(events, build_aliases(str(path)))
    assert res.interactions["source"].tolist() == ["E1", "E1"]
    full = json.loads(json.dumps(res.report.to_dict(identities=True)))
    assert {r["handle"]: r["status"] for r in full["identities"]} == {
        "ann@corp.example": "matched",
        "U7": "unmatched",
        "x@ext.example": "external",
    }
    assert full["counts"]["total"]["total"] == 3
