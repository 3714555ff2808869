"""read_codeowners: the OpenTelemetry ownership files, and CODEOWNERS / MAINTAINERS written here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ona.exceptions import BadInputError
from ona.importers._base import BadLinesWarning
from ona.importers.codeowners import CodeownersReader, read_codeowners

BROKEN = Path(__file__).resolve().parents[1] / "data" / "broken" / "codeowners"


def _pairs(result, group_type="code_owner"):
    a = result.affiliations
    a = a[a["group_type"] == group_type]
    return set(zip(a["person"], a["group"], strict=True))


def _balanced(result):
    f = result.report.files[0]
    assert f.read == f.imported + f.duplicates + sum(f.rejected.values())
    return f


def test_otel_component_owners(shared):
    yaml = pytest.importorskip("yaml")
    path = shared / "fixtures" / "code" / "otel_python_contrib" / "component_owners.yml"
    components = yaml.safe_load(path.read_text())["components"]
    result = read_codeowners(path)
    f = _balanced(result)
    assert f.read == f.imported == len(components) == 14
    expected = {(h.lower(), comp) for comp, handles in components.items() for h in handles}
    assert _pairs(result) == expected
    assert len(expected) == 20
    assert set(result.people["person_id"]) == {p for p, _ in expected}
    assert result.interactions.empty
    assert CodeownersReader.detect(path)


def test_otel_codeowners(shared):
    path = shared / "fixtures" / "code" / "otel_python_contrib" / "CODEOWNERS"
    rules = [
        ln for ln in path.read_text().splitlines() if ln.strip() and not ln.lstrip().startswith("#")
    ]
    result = read_codeowners(path)
    f = _balanced(result)
    assert f.read == f.imported == len(rules) == 2
    # "*" is owned by a team whose members the file does not list; "/instrumentation" by nobody
    assert result.affiliations.empty
    assert f.notes == {"team owners (members not listed)": 1, "paths without owners": 1}


def test_otel_folder_reads_both(shared):
    folder = shared / "fixtures" / "code" / "otel_python_contrib"
    result = read_codeowners(folder)
    assert _balanced(result).read == 14 + 2
    assert len(result.affiliations) == 20


def test_codeowners_rules(tmp_path):
    path = tmp_path / "CODEOWNERS"
    path.write_text(
        "# owners of this repository\n"
        "*       @Global-Owner\n"
        "/docs/  docs@example.org @org/docs-team   # the docs team too\n"
        "src/my\\ file.py @ann\n"
        "\n"
        "[Backend]\n"
        "/api/ @bob @Carol\n"
        "@not-a-pattern\n"
        "/empty/\n"
    )
    result = read_codeowners(path, on_bad_lines="skip")
    f = _balanced(result)
    assert (f.read, f.imported, dict(f.rejected)) == (6, 5, {"rule without a path pattern": 1})
    assert _pairs(result) == {
        ("global-owner", "*"), ("docs@example.org", "/docs/"), ("ann", "src/my\\ file.py"),
        ("bob", "Backend:/api/"), ("carol", "Backend:/api/"),
    }  # fmt: skip
    assert f.notes["team owners (members not listed)"] == 1
    assert f.notes["paths without owners"] == 1


MAINTAINERS = """\
List of maintainers
===================

Descriptions of section entries and preferred order
---------------------------------------------------

\tM: *Mail* patches to: FullName <address@domain>
\tR: Designated *Reviewer*: FullName <address@domain>

Maintainers List
----------------

3C59X NETWORK DRIVER
M:\tSteffen Example <Klassert@Example.org>
L:\tnetdev@lists.example.org
S:\tOdd Fixes
F:\tdrivers/net/ethernet/3com/3c59x.c

ACPI
M:\t"Rafael J. Example" <rafael@example.org>
R:\tLen Example <lenb@example.org>
R:\tSomeone Without Address
S:\tSupported
"""


def test_maintainers_sections(tmp_path):
    path = tmp_path / "MAINTAINERS"
    path.write_text(MAINTAINERS)
    titled = re.findall(r"^(?![A-Z]:)(\S[^\n]*)\n[A-Z]:\t", MAINTAINERS, re.M)  # title, tag line
    result = read_codeowners(path)
    f = _balanced(result)
    assert f.read == f.imported == len(titled) == 2
    assert _pairs(result) == {
        ("klassert@example.org", "3C59X NETWORK DRIVER"), ("rafael@example.org", "ACPI")
    }  # fmt: skip
    assert _pairs(result, "code_reviewer") == {("lenb@example.org", "ACPI")}
    assert f.notes["maintainer lines without an e-mail"] == 1
    # only addresses: no names, no mailing lists
    assert set(result.people["person_id"]) == {
        "klassert@example.org",
        "rafael@example.org",
        "lenb@example.org",
    }
    assert result.people["name"].isna().all()
    assert CodeownersReader.detect(path)


def test_broken_yaml():
    with pytest.warns(BadLinesWarning):
        result = read_codeowners(BROKEN / "broken_owners.yml")
    f = _balanced(result)
    assert (f.imported, dict(f.rejected)) == (2, {"unreadable YAML line": 1})
    assert _pairs(result) == {("x", "a/b"), ("y", "c/d")}
    with pytest.raises(BadInputError, match="unreadable YAML line"):
        read_codeowners(BROKEN / "broken_owners.yml", on_bad_lines="error")


def test_detect_is_by_name(tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("* @someone\n")
    assert not CodeownersReader.detect(other)
    assert not CodeownersReader.detect(tmp_path)
