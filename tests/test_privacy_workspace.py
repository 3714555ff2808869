"""Issue 6: import the real fixtures with a pseudonymisation key, then search every file of the
workspace for the fixtures' subject lines and raw addresses: none may be found.

The subjects and addresses are read from the fixtures with the standard library (``email``,
``json``), independently of ona's importers. Parquet files are searched in their decoded
content (compressed pages would hide a literal match), every other file byte for byte.
"""

from __future__ import annotations

import csv
import email
import email.policy
import inspect
import json
import re
import zipfile
from email.utils import getaddresses
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from ona.privacy import load_key, write_key_file

MAIL = [
    "email/mbox/emailnetwork_gmail_takeout_style.mbox",
    "email/mbox/perceval_mbox_complex.mbox",
    "email/mbox/perceval_mbox_multipart.mbox",
    "email/eml/perceval_email_single.eml",
    "email/eml/perceval_email_multipart_encoding.eml",
]
SLACK = "chat/slack_export/slack-export-viewer_testarchive_2016.zip"
ROSTER = Path(__file__).resolve().parents[1] / "data" / "sample" / "roster.csv"  # invented people
ADDRESS = re.compile(rb"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _messages(path: Path):
    """Header blocks of an mbox or .eml file, parsed with the standard library."""
    raw = path.read_bytes()
    chunks = re.split(rb"(?m)^From .*\r?\n", raw) if raw.startswith(b"From ") else [raw]
    for chunk in chunks:
        if chunk.strip():
            yield email.message_from_bytes(chunk, policy=email.policy.compat32)


def _secrets(shared: Path) -> tuple[set[str], set[str]]:
    """(subject lines, raw identities) of the fixtures imported below."""
    subjects: set[str] = set()
    identities: set[str] = set()
    for rel in MAIL:
        for msg in _messages(shared / "fixtures" / rel):
            subject = str(
                email.header.make_header(email.header.decode_header(msg.get("Subject", "")))
            )
            subject = " ".join(subject.split())
            if len(subject) >= 8:  # shorter ones ("Re: hi") could match by chance
                subjects.add(subject)
            fields = [str(v) for k in ("From", "To", "Cc", "Sender") for v in msg.get_all(k, [])]
            for _, address in getaddresses(fields):
                if "@" in address:
                    identities.add(address.strip().lower())
    with zipfile.ZipFile(shared / "fixtures" / SLACK) as z:
        users = json.loads(z.read(next(n for n in z.namelist() if n.endswith("users.json"))))
    for user in users:
        identities.add(user["id"].lower())
        mail = (user.get("profile") or {}).get("email")
        if mail:
            identities.add(mail.lower())
        for name in (user.get("name"), user.get("real_name")):
            if name and len(name) >= 4:
                identities.add(name.lower())
    if ROSTER.exists():
        with open(ROSTER, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                for value in [row["person_id"], row["email"], row["name"], row["employee_id"]]:
                    identities.add(value.strip().lower())
                identities |= {a.strip().lower() for a in row["aliases"].split(";") if a.strip()}
    return subjects, identities


def _workspace_text(root: Path) -> dict[str, str]:
    """Every file of the workspace as searchable text (lower-cased)."""
    out = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            parts = [str(table.schema.metadata or b"")]
            for column in table.columns:
                parts.extend(str(v) for v in column.to_pylist())
            parts.extend(table.column_names)
            out[str(path.relative_to(root))] = "\n".join(parts).lower()
        else:
            out[str(path.relative_to(root))] = path.read_bytes().decode("utf-8", "replace").lower()
    return out


def _import(shared: Path, folder: Path, key: bytes | None, **options) -> dict[str, str]:
    workspace_mod = pytest.importorskip("ona.workspace")
    ws = workspace_mod.open_workspace(folder, create=True)
    inputs = [shared / "fixtures" / rel for rel in [*MAIL, SLACK]]
    inputs += [ROSTER] if ROSTER.exists() else []
    report = ws.import_paths(inputs, key=key, on_bad_lines="skip", **options)
    assert report.total()["events"] > 0, "nothing was imported: the test would prove nothing"
    assert not report.skipped, report.skipped
    files = _workspace_text(folder)
    assert any(name.endswith(".parquet") for name in files)
    return files


def _leaks(files: dict[str, str], subjects: set[str], identities: set[str], key: bytes | None):
    """(file, kind) of every leak found; never the value itself."""
    leaks = []
    # Chat user ids, names and employee ids: whole-word matches, all in one pass per file.
    words = sorted((i for i in identities if "@" not in i), key=len, reverse=True)
    word = re.compile(r"(?<![\w.-])(?:" + "|".join(map(re.escape, words)) + r")(?![\w-])")
    addresses = {i for i in identities if "@" in i}
    for name, text in files.items():
        leaks += [(name, "subject") for s in subjects if s.lower() in text]
        found = {m.decode() for m in ADDRESS.findall(text.encode())}
        leaks += [(name, "address") for _ in found & addresses]
        if word.search(text):
            leaks.append((name, "chat identity or name"))
        if key is not None and key.decode().lower() in text:
            leaks.append((name, "the key"))
    return sorted(set(leaks))


@pytest.mark.slow
@pytest.mark.parametrize("options", [{}, {"keep_domain": True}], ids=["default", "keep_domain"])
def test_pseudonymised_workspace_holds_no_subject_and_no_raw_address(shared, tmp_path, options):
    workspace = pytest.importorskip("ona.workspace")
    accepted = inspect.signature(workspace.Workspace.import_paths).parameters
    if not set(options) <= set(accepted):
        pytest.skip(f"the workspace has no {sorted(options)} option")
    subjects, identities = _secrets(shared)
    assert len(subjects) >= 5 and len(identities) >= 10  # the search is not vacuous
    (tmp_path / "keys").mkdir()  # the key lives outside the workspace
    key = load_key(write_key_file(tmp_path / "keys" / "ona.key"))
    files = _import(shared, tmp_path / "ws", key, **options)
    assert _leaks(files, subjects, identities, key) == []


@pytest.mark.slow
def test_without_a_key_the_search_finds_addresses_but_still_no_subject(shared, tmp_path):
    """The control: the same search does see raw identities when nothing is pseudonymised."""
    subjects, identities = _secrets(shared)
    leaks = _leaks(_import(shared, tmp_path / "ws", None), subjects, identities, None)
    kinds = {kind for _, kind in leaks}
    assert "address" in kinds and "chat identity or name" in kinds
    assert "subject" not in kinds  # no importer stores subjects, key or not
