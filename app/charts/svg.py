"""The frame every server-rendered chart shares.

Each chart is an accessible picture: role="img" with a <title> and <desc> naming what it shows. Colours come
from classes in the stylesheets (light and dark), never from style attributes (the CSP forbids inline style).
"""

from markupsafe import Markup, escape


def svg_frame(chart_id: str, width: int, height: int, title: str, desc: str, body: list[str]) -> Markup:
    """An accessible <svg>: role="img", labelled by its <title> and <desc>; `body` is trusted markup."""
    return Markup(
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )
