"""The interactive network view: its data against counts made here, its disclosure rules, and,
where Chromium is installed, that it renders, reacts to hover and filters, and logs no error."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter

import pandas as pd
import pytest

from ona.privacy import SMALL_GROUPS_LABEL
from ona.report.network_view import ENTRY_BUDGET, network_view, view_data


def _org(n_teams=6, size=6, months=3, seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    people = pd.DataFrame({
        "person_id": [f"p{t}_{i}" for t in range(n_teams) for i in range(size)],
        "team": [f"Team {t}" for t in range(n_teams) for _ in range(size)],
        "department": [f"Dept {t % 3}" for t in range(n_teams) for _ in range(size)],
    })
    ids = people["person_id"].to_numpy()
    n = 40 * len(ids)
    src, dst = rng.integers(0, len(ids), n), rng.integers(0, len(ids), n)
    events = pd.DataFrame({
        "timestamp": pd.Timestamp("2026-01-01", tz="UTC")
        + pd.to_timedelta(rng.integers(0, 30 * months, n), unit="D"),
        "source": ids[src], "target": ids[dst],
        "channel": rng.choice(["email", "chat"], n),
    })
    return events[events["source"] != events["target"]].reset_index(drop=True), people


def test_group_view_counts_equal_a_direct_count():
    events, people = _org()
    data = view_data(events, people)
    team = dict(zip(people["person_id"], people["team"], strict=True))
    expected = Counter()
    for e in events.itertuples():
        if team[e.source] != team[e.target]:
            expected[team[e.source], team[e.target], e.channel] += 1
    p = data.payload
    names = [n["id"] for n in p["nodes"]]
    got = Counter()
    for s, t, c, _period, w in p["edges"]:
        got[names[s], names[t], p["channels"][c]] += w
    assert got == expected
    assert {n["id"]: n["size"] for n in p["nodes"]} == {f"Team {t}": 6 for t in range(6)}
    assert p["period_unit"] == "month" and len(p["periods"]) == 3
    assert data.n_edges == len({(s, t) for s, t, _ in expected})


def test_small_groups_are_merged_in_both_views():
    events, people = _org()
    people.loc[people["person_id"].isin(["p0_0", "p0_1", "p0_2", "p0_3"]), "team"] = "Pair A"
    people.loc[people["person_id"].isin(["p0_4", "p0_5"]), "team"] = "Pair B"
    group = view_data(events, people).payload
    labels = {n["label"] for n in group["nodes"]}
    assert "Pair A" not in labels and "Pair B" not in labels and SMALL_GROUPS_LABEL in labels
    person = view_data(events, people, level="person").payload
    shown = {n["id"]: n["team"] for n in person["nodes"]}
    assert shown["p0_0"] == SMALL_GROUPS_LABEL and shown["p0_5"] == SMALL_GROUPS_LABEL


def test_person_view_needs_pseudonyms_or_names():
    events, people = _org()
    with pytest.raises(ValueError, match="pseudonymised workspace"):
        view_data(events, people, level="person", pseudonymised=False)
    assert len(view_data(events, people, level="person", pseudonymised=False,
                         names=True).payload["nodes"]) == len(people)


def test_periods_are_merged_to_stay_within_the_budget(monkeypatch):
    import ona.report.network_view as nv

    events, people = _org(months=12)
    monthly = view_data(events, people).payload
    monkeypatch.setattr(nv, "ENTRY_BUDGET", len(monthly["edges"]) - 1)
    merged = nv.view_data(events, people).payload
    assert merged["period_unit"] == "quarter" and len(merged["periods"]) == 4
    assert sum(e[4] for e in merged["edges"]) == sum(e[4] for e in monthly["edges"])
    assert ENTRY_BUDGET >= 100_000


def test_fragment_is_self_contained_and_escapes_script_endings():
    events, people = _org()
    people["team"] = people["team"].str.replace("Team 1", "</script><b>x")
    html = network_view(view_data(events, people))
    assert html.count("</script>") == 2  # the data and the renderer, nothing ended early
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", html)
    assert "fetch(" not in html and "XMLHttpRequest" not in html


def _chromium() -> str | None:
    return next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(n)), None)


_PROBE = """<script>
window.__errors = [];
window.addEventListener('error', e => window.__errors.push(String(e.message)));
window.addEventListener('load', () => setTimeout(() => {
  const root = document.querySelector('[data-ona-network]');
  const canvas = root.querySelector('canvas');
  const ink = () => { const c = canvas.getContext('2d');
    const d = c.getImageData(0, 0, canvas.width, canvas.height).data; let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0) n++; return n; };
  const before = ink();
  const box = canvas.getBoundingClientRect(); let hovered = '';
  for (let y = 5; y < box.height && !hovered; y += 4) for (let x = 5; x < box.width; x += 4) {
    canvas.dispatchEvent(new MouseEvent('mousemove', {clientX: box.left + x,
      clientY: box.top + y, bubbles: true}));
    const tip = root.querySelector('.onv-tip');
    if (!tip.hidden) { hovered = tip.querySelector('strong').textContent; break; } }
  const dept = root.querySelector('select');
  dept.value = dept.options[1].value; dept.dispatchEvent(new Event('change'));
  requestAnimationFrame(() => requestAnimationFrame(() => {
    document.title = 'rendered:' + root.dataset.rendered + ' ink:' + before + ' filtered:' +
      ink() + ' hovered:' + hovered + ' errors:' + window.__errors.length; }));
}, 200));
</script>"""


def test_view_renders_hovers_and_filters_in_headless_chromium(tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium is not installed: the rendering check needs a headless browser")
    events, people = _org()
    page = tmp_path / "view.html"
    page.write_text("<!doctype html><html><head><meta charset='utf-8'>" + _PROBE +
                    "</head><body>" + network_view(view_data(events, people)) + "</body></html>")
    flags = [browser, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
             "--disable-background-networking", f"--user-data-dir={tmp_path / 'profile'}",
             "--window-size=1000,900", "--virtual-time-budget=10000"]
    dom = subprocess.run([*flags, "--dump-dom", page.as_uri()], check=True, timeout=120,
                         capture_output=True, text=True).stdout
    found = re.search(r"rendered:(\w+) ink:(\d+) filtered:(\d+) hovered:([^<]*?) errors:(\d+)", dom)
    assert found, f"the view's script did not finish: {dom[:300]}"
    rendered, ink, filtered, hovered, errors = found.groups()
    assert rendered == "true" and errors == "0"
    assert int(ink) > 20_000  # nodes and ties drawn, not a blank canvas
    assert int(filtered) != int(ink)  # the department filter redrew the picture
    assert hovered.startswith("Team ")  # hovering a node shows its tooltip
