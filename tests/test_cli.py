"""The ``ona`` command: stdout for data, stderr for messages, meaningful exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ona.cli import ExitCode, main
from ona.importers import FORMATS
from ona.importers._base import Reader, Record, Rejected


class LinesReader(Reader):
    """``source target iso-time`` per line; ``?`` lines are unreadable."""

    format = "lines"
    channel = "chat"

    @classmethod
    def detect(cls, path: Path) -> bool:
        return path.suffix == ".lines"

    def records(self):
        for n, line in enumerate(self.path.read_text().splitlines(), start=1):
            if line.startswith("?"):
                yield Rejected(f"line {n}", "unreadable line")
                continue
            source, target, when = line.split()
            yield Record(f"{n}", f"line {n}", [{"timestamp": when, "source": source,
                                                "target": target, "kind": "dm"}])


@pytest.fixture
def export(monkeypatch, tmp_path):
    monkeypatch.setitem(FORMATS, "lines", LinesReader)
    path = tmp_path / "chat.lines"
    path.write_text("ann@x.org bo@x.org 2026-01-01T00:00:00Z\n? secret@x.org\nbo@x.org ann@x.org 2026-01-02T00:00:00Z\n")
    return path


def test_import_json_accounting_adds_up_and_goes_to_stdout(export, tmp_path, capsys):
    code = main(["import", str(export), "--workspace", str(tmp_path / "ws"), "--json",
                 "--format", "lines", "--on-bad-lines", "skip", "--no-pseudonymise"])
    out, err = capsys.readouterr()
    assert code == ExitCode.OK
    data = json.loads(out)
    total = data["total"]
    assert set(total) >= {"read", "imported", "duplicates", "rejected"}
    assert total["read"] == 3 and total["imported"] == 2
    assert total["read"] == total["imported"] + total["duplicates"] + sum(total["rejected"].values())
    assert data["files"][0]["rejected"] == {"unreadable line": 1}
    assert "next: ona info" in err and "secret@x.org" not in err + out
    # second import: all duplicates, nothing new
    main(["import", str(export), "-w", str(tmp_path / "ws"), "--json", "--format", "lines",
          "--on-bad-lines", "skip", "--no-pseudonymise"])
    again = json.loads(capsys.readouterr().out)["total"]
    assert (again["imported"], again["duplicates"]) == (0, 2)
    assert main(["info", "-w", str(tmp_path / "ws"), "--json"]) == ExitCode.OK
    info = json.loads(capsys.readouterr().out)
    assert info["interactions"] == 2 and info["inputs"] == 2


def test_bad_data_exits_65_naming_file_and_record_without_personal_data(export, tmp_path, capsys):
    code = main(["import", str(export), "-w", str(tmp_path / "ws"), "--format", "lines",
                 "--on-bad-lines", "error", "--no-pseudonymise"])
    out, err = capsys.readouterr()
    assert code == ExitCode.DATA
    assert out == ""
    assert "chat.lines: line 2: unreadable line" in err
    assert "secret" not in err and "Traceback" not in err


def test_missing_input_is_bad_data_and_unknown_flag_is_usage(tmp_path, capsys):
    assert main(["import", str(tmp_path / "nope.mbox"), "-w", str(tmp_path / "ws"),
                 "--no-pseudonymise"]) == ExitCode.DATA
    assert "no such file" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["import", "--bogus"])
    assert exc.value.code == ExitCode.USAGE


def test_not_a_workspace_cannot_be_opened(tmp_path, capsys):
    assert main(["info", "-w", str(tmp_path)]) == ExitCode.CANT_CREATE
    assert "not an ona workspace" in capsys.readouterr().err


def test_dry_run_creates_no_workspace(export, tmp_path, capsys):
    code = main(["import", str(export), "-w", str(tmp_path / "ws"), "--dry-run", "--json",
                 "--format", "lines", "--on-bad-lines", "skip", "--no-pseudonymise"])
    assert code == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["total"]["imported"] == 2
    assert not (tmp_path / "ws").exists()


def test_console_script_starts_and_lists_formats():
    proc = subprocess.run([sys.executable, "-m", "ona.cli", "formats", "--json"],
                          capture_output=True, text=True, check=True)
    names = {row["format"] for row in json.loads(proc.stdout)}
    assert {"mbox", "slack", "git", "roster", "outcomes"} <= names
