"""The body chart as HTML, rendered once per distinct chart.

"My day" draws a chart for every session and each chart is some fifty
template loops; the same few pain maps come back on every visit to the page.
The HTML depends only on the marked regions, whether it is interactive, the
language and the template, so it is remembered on exactly those (a changed
template, reloaded in development, is a new template object and a new key).
"""

from functools import lru_cache

from django import template
from django.template import Context
from django.template.loader import get_template
from django.utils.translation import get_language

from clients.bodychart import VIEW_NAMES

register = template.Library()

CHART_TEMPLATE = "clients/_body_chart.html"


@lru_cache(maxsize=512)
def _chart_html(chart_template, language: str | None, interactive: bool, marks: tuple) -> str:
    views = [
        {
            "name": name,
            "label": VIEW_NAMES[name],
            "regions": [{"region": region, "intensity": intensity} for region, intensity in regions],
        }
        for name, regions in marks
    ]
    return chart_template.render(Context({"views": views, "interactive": interactive}))


@register.simple_tag
def body_chart(views: list[dict], interactive: bool = False) -> str:
    """``clients/_body_chart.html`` for ``views`` (from
    :func:`clients.bodychart.chart_views`)."""
    marks = tuple(
        (view["name"], tuple((item["region"], item["intensity"]) for item in view["regions"])) for view in views
    )
    # The compiled template itself (the loader's cached one), not the backend's wrapper made anew each call.
    chart_template = get_template(CHART_TEMPLATE).template
    return _chart_html(chart_template, get_language(), bool(interactive), marks)  # safe: the template's output
