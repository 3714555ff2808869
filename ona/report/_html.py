"""The report's HTML: headlines, the "what this data can and cannot say" box, sections of
findings with their status, tables with people's number formats, and embedded PNG figures."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

__all__ = ["COLUMN_LABELS", "Section", "Writer", "format_number", "format_table"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1000px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;
margin-top:2em}h3{font-size:1.05em;margin:1.4em 0 .3em}.meta{color:#666;font-size:.9em}
ol.headlines li,ul.findings li{margin:.4em 0}
.headlines{background:#f3f6fa;border-left:4px solid #3a6ea5;padding:.6em 1em .6em 2.2em}
.canbox{background:#fbf8ee;border:1px solid #e2d9b8;padding:.6em 1em;margin:1em 0}
.canbox h2{border:none;margin-top:.2em;font-size:1.15em}
table{border-collapse:collapse;font-size:.85em;margin:.6em 0}
th,td{border:1px solid #ddd;padding:.25em .5em;text-align:right}th{background:#f4f4f4}
td:first-child,th:first-child{text-align:left}figure{margin:1em 0}figure img{max-width:100%}
figcaption{color:#555;font-size:.85em}.note{background:#f7f7f2;border-left:3px solid #bb9;
padding:.5em .8em;font-size:.9em}.status{font-size:.75em;padding:.1em .5em;border-radius:.8em;
margin-left:.5em;vertical-align:middle;color:#fff}.reported{background:#2e7d32}
.qualified{background:#b26a00}.withheld{background:#757575}.reason{color:#6d4c00;font-size:.9em}
.checks{color:#666;font-size:.8em}
"""

# Plain column labels for every table of the report.
COLUMN_LABELS = {
    "group_a": "group", "group_b": "with group", "observed": "interactions",
    "expected": "expected", "ratio": "observed / expected", "ci_low": "95% interval from",
    "ci_high": "95% interval to", "size": "people", "internal": "ties inside",
    "external": "ties outside", "ei": "E-I index", "metric": "team measure",
    "outcome": "outcome", "n": "teams", "estimate": "correlation", "p_value": "p",
    "p_adjusted": "p (adjusted for many tests)", "detectable_r": "smallest detectable",
    "pct_low": "percentile interval from", "pct_high": "percentile interval to",
    "people_active": "people active", "ties": "ties", "density": "density",
    "cross_share": "ties across groups", "all": "any source", "month": "month",
    "people": "people", "std_error_hc3": "robust standard error", "p_value_hc3": "robust p",
}
_PERCENT_COLUMNS = {"cross_share", "all", "email", "chat", "code", "meeting", "collab", "other"}


def format_number(value, column: str = "") -> str:
    """A number as people read it: thousands separators, percentages, two decimals.

    Examples
    --------
    >>> format_number(1980.0), format_number(0.2345, "cross_share"), format_number(0.01234)
    ('1,980', '23%', '0.012')
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "–"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if not isinstance(value, (int, float, np.integer, np.floating)):
        return str(value)
    v = float(value)
    if column in _PERCENT_COLUMNS:
        return f"{100 * v:.0f}%"
    if v.is_integer() and abs(v) < 1e15:
        return f"{v:,.0f}"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 0.1:
        return f"{v:.2f}"
    return f"{v:.2g}" if v != 0 else "0"


def format_table(frame: pd.DataFrame, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """A copy with every value formatted and plain column labels."""
    labels = {**COLUMN_LABELS, **(labels or {})}
    out = pd.DataFrame({labels.get(str(c), str(c)): [format_number(v, str(c)) for v in frame[c]]
                        for c in frame.columns}, index=frame.index)
    out.index.name = labels.get(str(frame.index.name), frame.index.name)
    return out


@dataclass
class Section:
    title: str
    blocks: list[str] = field(default_factory=list)  # HTML fragments, in order


class Writer:
    """Collects sections and figures; figures are saved beside the report and embedded."""

    def __init__(self, out: Path):
        self.out = out
        self.sections: list[Section] = []
        self.figures: list[Path] = []

    def section(self, title: str) -> Section:
        s = Section(title)
        self.sections.append(s)
        return s

    def figure(self, section: Section, fig: Figure, name: str, caption: str) -> None:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        data = buf.getvalue()
        path = self.out / f"{name}.png"
        path.write_bytes(data)
        self.figures.append(path)
        encoded = base64.b64encode(data).decode("ascii")
        section.blocks.append(
            f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{encoded}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")

    @staticmethod
    def table(section: Section, frame: pd.DataFrame, caption: str, *, index: bool = True,
              labels: dict[str, str] | None = None) -> None:
        body = format_table(frame, labels).to_html(index=index, border=0, escape=True)
        section.blocks.append(f"<p><b>{html.escape(caption)}</b></p>{body}")

    @staticmethod
    def finding(section: Section, title: str, status: str, statement: str,
                reason: str | None, passed: list[str]) -> None:
        parts = [f"<h3>{html.escape(title)}<span class='status {status}'>{status}</span></h3>",
                 f"<p>{html.escape(statement)}</p>"]
        if reason:
            word = "Why it is withheld" if status == "withheld" else "Caveat"
            parts.append(f"<p class='reason'>{word}: {html.escape(reason)}.</p>")
        if passed:
            parts.append(f"<p class='checks'>Checks passed: {html.escape(', '.join(passed))}.</p>")
        section.blocks.append("".join(parts))

    @staticmethod
    def note(section: Section, text: str) -> None:
        section.blocks.append(f'<p class="note">{html.escape(text)}</p>')

    def render(self, title: str, subtitle: str, headlines: list[str], can_say: list[str],
               cannot_say: list[str]) -> str:
        parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
                 f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
                 f"<h1>{html.escape(title)}</h1><p class='meta'>{html.escape(subtitle)}</p>"]
        if headlines:
            parts.append("<h2>Headlines</h2><ol class='headlines'>"
                         + "".join(f"<li>{html.escape(h)}</li>" for h in headlines) + "</ol>")
        parts.append("<div class='canbox'><h2>What this data can and cannot say</h2>"
                     "<p><b>It can say</b></p><ul>"
                     + "".join(f"<li>{html.escape(x)}</li>" for x in can_say)
                     + "</ul><p><b>It cannot say</b></p><ul>"
                     + "".join(f"<li>{html.escape(x)}</li>" for x in cannot_say)
                     + "</ul></div>")
        for s in self.sections:
            parts.append(f"<h2>{html.escape(s.title)}</h2>")
            parts.extend(s.blocks)
        parts.append("</body></html>")
        return "\n".join(parts)
