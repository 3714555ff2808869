"""Issue 13 item 6: tokens that are not addresses never become people.

Obfuscated list archives (``[log in to unmask]``, ``user at domain``) are rejected with their own
reason, or resolved by display name when the user passes ``names=``; an unquoted
``Last, First </O=ORG/.../CN=user>`` is one recipient. Expected counts come from the stdlib
(``email.utils.getaddresses`` on the same headers, quoted by hand where the input is not
RFC 5322) and from how each file was written.
"""

from __future__ import annotations

from email.utils import getaddresses

import pandas as pd
import pytest

from ona._aliases import build_aliases
from ona.identity import resolve_identities
from ona.importers.eml import read_eml
from ona.importers.mbox import read_mbox

SEP = "From someone@example.org Mon Jan  5 09:00:00 2026"


def msg(i: int, *headers: str) -> str:
    date = f"Date: Mon, 05 Jan 2026 09:{i:02d}:00 +0000"
    return f"{SEP}\n" + "\n".join([*headers, date, f"Message-ID: <{i}@x>"]) + "\n\nbody\n\n"


def write(tmp_path, *messages: str):
    p = tmp_path / "list.mbox"
    p.write_text("".join(messages), encoding="utf-8")
    return p


LISTSERV_WEB = [  # three authors, as a LISTSERV web archive shows them
    msg(1, "From: Jane Doe <[log in to unmask]>", "To: WG <[log in to unmask]>"),
    msg(2, "From: Bob Roe <[log in to unmask]>", "To: WG <[log in to unmask]>"),
    msg(3, 'From: "Poe, Carol" <[log in to unmask]>', "To: jane@x.org, [log in to unmask]"),
]


def test_naive_parse_merges_every_obfuscated_sender():
    """The defect class: the stdlib turns each hidden address into the same token."""
    senders = {getaddresses([m.split("\n")[1][6:]])[-1][1] for m in LISTSERV_WEB}
    assert len(senders) == 1  # three people, one "identity"


def test_obfuscated_senders_rejected_with_their_own_reason(tmp_path):
    res = read_mbox(write(tmp_path, *LISTSERV_WEB), on_bad_lines="skip")
    f = res.report.files[0]
    assert (f.read, f.imported, dict(f.rejected)) == (
        3, 0, {"obfuscated sender address (hidden, or no domain)": 3})
    assert f.balanced()


def test_obfuscated_addresses_resolved_by_display_name_when_asked(tmp_path):
    names = {"Jane Doe": "jane@x.org", "Bob Roe": "bob@x.org", "Carol Poe": "carol@x.org",
             "WG": "wg@lists.x.org"}  # fmt: skip
    res = read_mbox(write(tmp_path, *LISTSERV_WEB), names=names)
    t = res.interactions
    assert sorted(zip(t["source"], t["target"], strict=True)) == [
        ("bob@x.org", "wg@lists.x.org"),
        ("carol@x.org", "jane@x.org"),  # "Poe, Carol" matches "Carol Poe"; the nameless
        ("jane@x.org", "wg@lists.x.org"),  # hidden recipient cannot be resolved
    ]
    notes = res.report.files[0].notes
    assert notes["obfuscated address resolved by display name"] == 5
    assert notes["obfuscated recipient addresses (hidden, or no domain) left out"] == 1


def test_a_name_two_addresses_share_resolves_to_nobody(tmp_path):
    names = {"Jane Doe": "jane@x.org", "jane doe": "other@y.org", "Bob Roe": "bob@x.org",
             "WG": "wg@lists.x.org"}  # fmt: skip
    res = read_mbox(write(tmp_path, *LISTSERV_WEB[:2]), names=names, on_bad_lines="skip")
    f = res.report.files[0]
    assert f.imported == 1 and f.rejected == {"obfuscated sender address (hidden, or no domain)": 1}


@pytest.mark.parametrize(
    "sender", ["jane at example", "Jane Doe <jane at example>", "Jane Doe <jane>"]
)
def test_user_at_domain_without_a_real_domain_is_not_an_address(tmp_path, sender):
    res = read_mbox(write(tmp_path, msg(1, f"From: {sender}", "To: b@x.org")), on_bad_lines="skip")
    assert res.report.files[0].rejected == {"obfuscated sender address (hidden, or no domain)": 1}


def test_mailman_obfuscation_with_a_real_domain_is_undone(tmp_path):
    m = msg(1, "From: jjl at pobox.com (John J. Lee)", "To: numpy at scipy.org")
    t = read_mbox(write(tmp_path, m)).interactions
    assert list(zip(t["source"], t["target"], strict=True)) == [("jjl@pobox.com", "numpy@scipy.org")]


X500 = "/O=ENRON/OU=NA/CN=RECIPIENTS/CN=JDOE"
TO = f"To: Doe, Jane <{X500}>, Roe, Bob </O=ENRON/OU=NA/CN=RECIPIENTS/CN=BROE>, c@x.org"


def test_unquoted_last_first_x500_is_one_recipient(tmp_path):
    p = tmp_path / "m.eml"
    p.write_text(f"From: a@x.org\n{TO}\nDate: Mon, 05 Jan 2026 09:00:00 +0000\n\nhi\n")
    # independent count: the same list with its display names quoted, as RFC 5322 wants them
    quoted = TO[4:].replace("Doe, Jane", '"Doe, Jane"').replace("Roe, Bob", '"Roe, Bob"')
    expected = [addr.lower() for _name, addr in getaddresses([quoted])]
    t = read_eml(p).interactions
    assert list(t["target"]) == expected and len(expected) == 3
    assert set(t["n_recipients"]) == {3}
    assert X500.lower() in set(t["target"])


def test_x500_recipient_resolves_through_the_roster_aliases(tmp_path):
    p = tmp_path / "m.eml"
    p.write_text(f"From: a@x.org\n{TO}\nDate: Mon, 05 Jan 2026 09:00:00 +0000\n\nhi\n")
    t = read_eml(p).interactions
    roster = pd.DataFrame({
        "person_id": ["p1", "p2", "p3", "p4"],
        "email": ["a@x.org", "jane@x.org", "bob@x.org", "c@x.org"],
        "aliases": ["", f"X500:{X500}", "X500:/O=ENRON/OU=NA/CN=RECIPIENTS/CN=BROE", ""],
    })  # fmt: skip
    resolved = resolve_identities(t, build_aliases(roster)).interactions
    assert sorted(resolved["target"]) == ["p2", "p3", "p4"]
