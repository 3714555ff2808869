"""The report's HTML: sections of plain-word findings, tables and embedded PNG figures."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

__all__ = ["Section", "Writer"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:980px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;
margin-top:2em}.meta{color:#666;font-size:.9em}ul.findings li{margin:.3em 0}
table{border-collapse:collapse;font-size:.85em;margin:.6em 0}
th,td{border:1px solid #ddd;padding:.25em .5em;text-align:right}th{background:#f4f4f4}
td:first-child,th:first-child{text-align:left}figure{margin:1em 0}figure img{max-width:100%}
figcaption{color:#555;font-size:.85em}.note{background:#f7f7f2;border-left:3px solid #bb9;
padding:.5em .8em;font-size:.9em}
"""


@dataclass
class Section:
    title: str
    findings: list[str] = field(default_factory=list)
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
              digits: int = 3) -> None:
        body = frame.to_html(index=index, border=0, na_rep="–",
                             float_format=lambda v: f"{v:.{digits}g}", escape=True)
        section.blocks.append(f"<p><b>{html.escape(caption)}</b></p>{body}")

    @staticmethod
    def note(section: Section, text: str) -> None:
        section.blocks.append(f'<p class="note">{html.escape(text)}</p>')

    def render(self, title: str, subtitle: str) -> str:
        parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
                 f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
                 f"<h1>{html.escape(title)}</h1><p class='meta'>{html.escape(subtitle)}</p>"]
        summary = [f for s in self.sections for f in s.findings[:2]]
        if summary:
            parts.append("<h2>Summary</h2><ul class='findings'>"
                         + "".join(f"<li>{html.escape(f)}</li>" for f in summary) + "</ul>")
        for s in self.sections:
            parts.append(f"<h2>{html.escape(s.title)}</h2>")
            if s.findings:
                parts.append("<ul class='findings'>"
                             + "".join(f"<li>{html.escape(f)}</li>" for f in s.findings) + "</ul>")
            parts.extend(s.blocks)
        parts.append("</body></html>")
        return "\n".join(parts)
