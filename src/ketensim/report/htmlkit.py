"""The pieces of a self-contained HTML page (inline CSS, charts as inline SVG or images as
base64 PNG, no scripts), shared by the run report and the sweep overview."""
from __future__ import annotations

import base64
import html
import io
from typing import Any, Sequence

CSS = """
body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#222;max-width:1100px;
margin:0 auto;padding:24px 28px;line-height:1.45;background:#fff}
h1{font-size:1.6em;margin:0 0 .2em}h2{font-size:1.25em;margin-top:2em;border-bottom:2px solid #1f5fa8;
padding-bottom:.2em}h3{font-size:1.05em;margin:1.3em 0 .4em}
.sub{color:#555;margin:0 0 1em}.note{color:#555;font-size:.9em}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.88em}
th,td{border-bottom:1px solid #ddd;padding:4px 9px;text-align:left;vertical-align:top}
th{background:#f2f5f9}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.ok{color:#1e7b34;font-weight:600}.no{color:#b3261e;font-weight:600}
.pos{color:#1e5fa8}.neg{color:#b3261e}
.headline{background:#f2f7fd;border-left:4px solid #1f5fa8;padding:8px 14px;margin:1em 0}
.headline li{margin:.25em 0}.binding{background:#fff4e5;border-left:4px solid #e69500;padding:8px 14px}
figure{margin:1em 0 1.6em}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85em;color:#555}
code,pre{font-family:Menlo,Consolas,monospace;font-size:.85em}pre{background:#f7f7f7;padding:10px;
overflow:auto;max-height:420px}
.warn{background:#fff4e5;border-left:4px solid #e69500;padding:8px 12px}
details summary{cursor:pointer;color:#1f5fa8}
nav a{margin-right:1em}
"""


def _e(x: Any) -> str:
    return html.escape(str(x))


def png_data_uri(fig: Any, dpi: int = 96) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(fig: Any, alt: str, caption: str = "") -> str:
    cap = f"<figcaption>{_e(caption)}</figcaption>" if caption else ""
    return f'<figure><img src="{png_data_uri(fig)}" alt="{_e(alt)}">{cap}</figure>'


def svg_figure(svg: str, caption: str = "") -> str:
    """An inline SVG chart (``svgchart.render``) with its caption."""
    cap = f"<figcaption>{_e(caption)}</figcaption>" if caption else ""
    return f"<figure>{svg}{cap}</figure>"


def _table(header: list[str], rows: list[list[str]], num_from: int = 1) -> str:
    """Rows of already escaped cells; columns from ``num_from`` on are right-aligned."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{c}</td>' if i >= num_from else f"<td>{c}</td>"
                         for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def page(title: str, sub: str, sections: Sequence[tuple[str, str, str]], lang: str, warn: str = "",
         css: str = "") -> str:
    nav = "".join(f'<a href="#{k}">{_e(t)}</a>' for k, t, _ in sections)
    body = "".join(f'<h2 id="{k}">{_e(t)}</h2>{content}' for k, t, content in sections)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title><style>{CSS}{css}</style></head>
<body>
<h1>{_e(title)}</h1>
<p class="sub">{sub}</p>
{warn}<nav>{nav}</nav>
{body}
</body></html>
"""
