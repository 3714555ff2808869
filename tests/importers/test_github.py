"""read_github: Perceval's GitHub fixtures, a GraphQL timeline, and an export built here."""

from __future__ import annotations

import gzip
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from ona.exceptions import BadInputError, InvalidParameterError
from ona.importers._base import BadLinesWarning
from ona.importers.github import GitHubReader, read_github

BROKEN = Path(__file__).resolve().parents[1] / "data" / "broken" / "github"
API = "https://api.github.com/repos/acme/widgets"


def _balanced(result):
    f = result.report.files[0]
    assert f.read == f.imported + f.duplicates + sum(f.rejected.values())
    return f


def _n_items(value) -> int:
    """Count JSON items the way the accounting promises: one per object, lists unrolled."""
    if isinstance(value, list):
        return len(value)
    if "users" in value and "teams" in value:
        return len(value["users"])
    nodes = value.get("data", {}).get("repository", {}).get("pullRequest", {})
    if nodes:
        return len(nodes["timelineItems"]["nodes"])
    return 1


def test_fixture_files_accounting(shared):
    folder = shared / "fixtures" / "code" / "github"
    total = 0
    for path in sorted(folder.glob("*.json")):
        result = read_github(path, on_bad_lines="error")  # nothing in them is unreadable
        f = _balanced(result)
        assert f.read == _n_items(json.loads(path.read_text())), path.name
        # a bare list of commits or of reactions is too generic to claim as a GitHub export
        generic = "commits" in path.name or "reactions" in path.name
        assert GitHubReader.detect(path) != generic, path.name
        total += f.read
    whole = read_github(folder, on_bad_lines="skip")
    assert _balanced(whole).read == total


def test_fixture_folder_links_pull_request_1(shared):
    """Every comment on pull request 1 in these fixtures is by its own author: all self-loops."""
    folder = shared / "fixtures" / "code" / "github"
    pr = json.loads((folder / "perceval_github_request_pull_request_1.json").read_text())
    author = pr["user"]["login"]
    on_pr1 = [
        c
        for name in (
            "perceval_github_request_pull_request_1_comments.json",
            "perceval_github_issue_comments_1.json",
        )
        for c in json.loads((folder / name).read_text())
        if c.get("pull_request_url", c.get("issue_url", "")).rstrip("/").split("/")[-1] == "1"
    ]
    self_items = sum(c["user"]["login"] == author for c in on_pr1) + sum(
        r["login"] == author for r in pr["requested_reviewers"]
    )
    result = read_github(folder, on_bad_lines="skip")
    f = result.report.files[0]
    assert f.rejected["self-interaction only"] == self_items == 4
    assert f.rejected["deleted user"] == 1  # a review whose "user" is {} (a deleted account)
    assert f.rejected["not a review or comment item"] == 1  # the pull request's commits
    assert result.interactions.empty


def test_graphql_timeline_links_to_rest_pull_request(shared, tmp_path):
    src = (
        shared / "fixtures" / "code" / "github" / "perceval_github_events_pull_request_review.json"
    )
    shutil.copy(src, tmp_path / "timeline.json")
    nodes = json.loads(src.read_text())["data"]["repository"]["pullRequest"]["timelineItems"][
        "nodes"
    ]
    pr = {"url": "https://api.github.com/repos/zhquan/test-merged-event/pulls/387", "number": 387,
          "head": {}, "base": {}, "user": {"login": "Maria"}, "created_at": "2020-09-25T15:41:15Z",
          "requested_reviewers": []}  # fmt: skip
    (tmp_path / "pr.json").write_text(json.dumps(pr))
    result = read_github(tmp_path)
    reviews = result.interactions[result.interactions["kind"] == "review"]
    assert len(reviews) == sum(n["eventType"] == "PullRequestReview" for n in nodes) == 3
    assert set(zip(reviews["source"], reviews["target"], strict=True)) == {("zhquan", "maria")}
    assert set(reviews["container"]) == {"zhquan/test-merged-event"}


def _user(login, bot=False):
    return {"login": login, "type": "Bot" if bot else "User"}


@pytest.fixture
def export(tmp_path):
    pr = {"url": f"{API}/pulls/5", "html_url": "https://github.com/acme/widgets/pull/5",
          "number": 5, "head": {}, "base": {}, "user": _user("Alice"),
          "created_at": "2026-02-01T09:00:00Z",
          "requested_reviewers": [_user("bob"), _user("carol"), _user("dependabot[bot]", True)]}  # fmt: skip
    reviews = [
        {"id": 11, "user": _user("bob"), "state": "APPROVED", "submitted_at": "2026-02-02T09:00:00Z",
         "pull_request_url": f"{API}/pulls/5"},
        {"id": 12, "user": _user("carol"), "state": "CHANGES_REQUESTED",
         "submitted_at": "2026-02-02T10:00:00Z", "pull_request_url": f"{API}/pulls/5"},
        {"id": 13, "user": _user("alice"), "state": "COMMENTED",
         "submitted_at": "2026-02-02T11:00:00Z", "pull_request_url": f"{API}/pulls/5"},
        {"id": 14, "user": _user("dave"), "state": "PENDING", "pull_request_url": f"{API}/pulls/5"},
    ]  # fmt: skip
    comments = [
        {"id": 21, "user": _user("bob"), "diff_hunk": "@@", "created_at": "2026-02-02T09:01:00Z",
         "pull_request_url": f"{API}/pulls/5"},
        {"id": 22, "user": _user("alice"), "diff_hunk": "@@", "in_reply_to_id": 21,
         "created_at": "2026-02-02T09:02:00Z", "pull_request_url": f"{API}/pulls/5"},
        {"id": 23, "user": _user("carol"), "diff_hunk": "@@", "in_reply_to_id": 22,
         "created_at": "2026-02-02T09:03:00Z", "pull_request_url": f"{API}/pulls/5"},
        {"id": 24, "user": _user("renovate[bot]", True), "diff_hunk": "@@",
         "created_at": "2026-02-02T09:04:00Z", "pull_request_url": f"{API}/pulls/5"},
        {"id": 25, "user": _user("bob"), "diff_hunk": "@@", "in_reply_to_id": 999,
         "created_at": "2026-02-02T09:05:00Z", "pull_request_url": f"{API}/pulls/5"},
    ]  # fmt: skip
    issue_comments = [
        {"id": 31, "user": _user("erin"), "issue_url": f"{API}/issues/5",
         "created_at": "2026-02-03T09:00:00Z"},
    ]  # fmt: skip
    # a Perceval item for another pull request, with nested data (JSON lines, gzipped)
    perceval = {"backend_name": "GitHub", "category": "pull_request", "data": {
        "url": f"{API}/pulls/6", "number": 6, "head": {}, "base": {}, "user": _user("bob"),
        "created_at": "2026-02-04T09:00:00Z", "requested_reviewers": [_user("alice")],
        "requested_reviewers_data": [_user("alice")],
        "reviews_data": [{"id": 41, "user": _user("alice"), "state": "APPROVED",
                          "submitted_at": "2026-02-05T09:00:00Z"}],
        "review_comments_data": [{"id": 51, "user_data": _user("erin"), "diff_hunk": "@@",
                                  "created_at": "2026-02-05T10:00:00Z"}],
    }}  # fmt: skip
    (tmp_path / "pr5.json").write_text(json.dumps(pr))
    (tmp_path / "pr5_reviews.json").write_text(json.dumps(reviews))
    (tmp_path / "pr5_comments.json").write_text(json.dumps(comments))
    (tmp_path / "pr5_issue_comments.json").write_text(json.dumps(issue_comments))
    with gzip.open(tmp_path / "perceval.jsonl.gz", "wt") as fh:
        fh.write(json.dumps(perceval) + "\n" + json.dumps(perceval) + "\n")  # twice: a duplicate
    return tmp_path


def test_export_every_edge(export):
    result = read_github(export)
    got = Counter(zip(result.interactions["kind"], result.interactions["source"],
                      result.interactions["target"], strict=True))  # fmt: skip
    assert got == Counter({
        ("review_request", "alice", "bob"): 1, ("review_request", "alice", "carol"): 1,  # requested reviewers (not the bot)
        ("review", "bob", "alice"): 1, ("review", "carol", "alice"): 1,
        ("review_comment", "bob", "alice"): 2,  # comment 21, and 25 whose parent is missing
        ("reply", "alice", "bob"): 1, ("reply", "carol", "alice"): 1,
        ("reply", "erin", "alice"): 1,  # conversation comment on the pull request
        ("review_request", "bob", "alice"): 1, ("review", "alice", "bob"): 1,  # pull request 6 (Perceval)
        ("review_comment", "erin", "bob"): 1,
    })  # fmt: skip
    f = _balanced(result)
    # items: 1 PR + 4 reviews + 5 comments + 1 issue comment + 2 x (PR + 1 request + 1 review + 1 comment)
    assert f.read == 1 + 4 + 5 + 1 + 2 * 4
    assert f.duplicates == 4
    assert dict(f.rejected) == {"self-interaction only": 1, "pending review": 1, "bot": 1}
    assert f.notes["interactions with bots left out"] == 1
    assert f.notes["replies to a review comment not in the input"] == 1
    t = result.interactions
    assert set(t["container"]) == {"acme/widgets"} and t["channel"].eq("code").all()
    assert t["thread_id"].nunique() == 2
    assert set(result.people["person_id"]) == {
        "alice",
        "bob",
        "carol",
        "erin",
        "dependabot[bot]",
    } - {"dependabot[bot]"}


def test_broken_inputs():
    with pytest.warns(BadLinesWarning):
        result = read_github(BROKEN)
    f = _balanced(result)
    assert dict(f.rejected) == {"unreadable JSON": 2, "missing user": 1}
    with pytest.raises(BadInputError, match="unreadable JSON"):
        read_github(BROKEN / "truncated.json", on_bad_lines="error")
    with pytest.raises(InvalidParameterError):
        read_github(BROKEN, bots="x")


def test_perceval_pretty_printed_items(export, tmp_path):
    """Perceval prints items as indented JSON objects one after another."""
    import gzip as _gzip

    lines = _gzip.open(export / "perceval.jsonl.gz", "rt").read().splitlines()
    pretty = tmp_path / "perceval_items.json"
    pretty.write_text("\n".join(json.dumps(json.loads(x), indent=4) for x in lines) + "\n")
    result = read_github(pretty)
    got = Counter(zip(result.interactions["kind"], result.interactions["source"],
                      result.interactions["target"], strict=True))  # fmt: skip
    assert got == Counter({("review_request", "bob", "alice"): 1, ("review", "alice", "bob"): 1,
                           ("review_comment", "erin", "bob"): 1})  # fmt: skip
    f = _balanced(result)
    assert (f.read, f.duplicates) == (8, 4)  # the same item twice


def test_reactions_nested_in_comments_and_team_requests_are_counted(tmp_path):
    """Perceval nests each comment's reactions inside the comment (``reactions_data``), and a
    requested-reviewers response lists teams beside users: every one is a counted record."""
    issue = {"backend_name": "GitHub", "category": "issue", "data": {
        "url": f"{API}/issues/7", "number": 7, "user": _user("alice"),
        "created_at": "2026-03-01T09:00:00Z",
        "reactions_data": [{"id": 1, "content": "+1", "user": _user("bob"),
                            "created_at": "2026-03-01T10:00:00Z"}],
        "comments_data": [
            {"id": 71, "user": _user("bob"), "issue_url": f"{API}/issues/7",
             "created_at": "2026-03-01T11:00:00Z",
             "reactions_data": [
                 {"id": 2, "content": "heart", "user": _user("carol"),
                  "created_at": "2026-03-01T12:00:00Z"},
                 {"id": 3, "content": "+1", "user": _user("alice"),
                  "created_at": "2026-03-01T12:30:00Z"},
                 "not a reaction"]},
            {"id": 72, "user": _user("carol"), "issue_url": f"{API}/issues/7",
             "created_at": "2026-03-01T13:00:00Z",
             "reactions_data": [{"id": 4, "content": "eyes", "user": _user("dependabot[bot]", bot=True),
                                 "created_at": "2026-03-01T14:00:00Z"}]},
        ],
    }}  # fmt: skip
    (tmp_path / "issue.jsonl").write_text(json.dumps(issue) + "\n")
    (tmp_path / "requested.json").write_text(json.dumps(
        {"users": [_user("dan")], "teams": [{"slug": "core"}, {"slug": "docs"}]}))
    result = read_github(tmp_path, on_bad_lines="skip")
    f = _balanced(result)
    # independent walk: every object of the item, nested ones included, and the response
    data = issue["data"]
    nested = data["reactions_data"] + data["comments_data"] + [
        r for c in data["comments_data"] for r in c["reactions_data"]]
    assert f.read == 1 + len(nested) + 1 + 2
    assert f.rejected["review request to a team (members not listed)"] == 2
    assert f.rejected["unreadable JSON"] == 1 and f.rejected["bot"] == 1
    reactions = result.interactions[result.interactions["kind"] == "reaction"]
    assert sorted(zip(reactions["source"], reactions["target"], strict=True)) == [
        ("alice", "bob"), ("bob", "alice"), ("carol", "bob")]
