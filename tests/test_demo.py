"""`ona demo`: the first end-to-end slice on the bundled sample organisation."""

from __future__ import annotations

import re

import pytest

from ona.cli import ExitCode, main
from ona.workspace import open_workspace


@pytest.mark.slow
def test_demo_writes_a_self_contained_report_and_reimport_changes_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("ONA_PSEUDONYM_KEY", raising=False)
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out)]) == ExitCode.OK
    stdout = capsys.readouterr().out
    report = out / "report.html"
    assert stdout.strip() == str(report)
    html = report.read_text()
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(images) >= 2 and all(len(i) > 1000 for i in images)
    assert "http://" not in html and "https://" not in html.replace("https://doi.org", "")
    assert list(out.glob("*.png"))
    ws = open_workspace(out / "workspace")
    info = ws.info()
    log = ws.import_log()
    for entry in log:
        assert entry["read"] == entry["imported"] + entry["duplicates"] + sum(entry["rejected"].values())
    assert info["by_channel"].keys() == {"email", "chat", "code"}
    # Running the demo again imports the same exports into the same workspace: nothing changes.
    assert main(["demo", "--out", str(out)]) == ExitCode.OK
    again = open_workspace(out / "workspace").info()
    assert {k: again[k] for k in ("interactions", "people", "affiliations", "outcome_rows")} == {
        k: info[k] for k in ("interactions", "people", "affiliations", "outcome_rows")}
    second = open_workspace(out / "workspace").import_log()[len(log):]
    assert sum(e["imported"] for e in second if e["format"] in ("mbox", "slack", "git")) == 0
