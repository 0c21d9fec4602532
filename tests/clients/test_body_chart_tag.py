"""The body chart drawn by the ``body_chart`` tag is remembered per chart:
what it remembers must never show one client's pain on another's chart, nor
one language's words in another."""

import re

from django.template import engines
from django.utils import translation

from clients.bodychart import chart_views

CHART = engines["django"].from_string("{% load body_chart %}{% body_chart views interactive=False %}")


def marked(html: str) -> set[tuple[str, str, str]]:
    """(level, area, side) of each marked region."""
    return set(re.findall(r'marked level-(\d+)"\s+data-area="(\w+)" data-side="(\w+)"', html))


def drawn(pain_map, language="en") -> str:
    with translation.override(language):
        return CHART.render({"views": chart_views(pain_map)})


def test_each_pain_map_gets_its_own_chart_however_often_it_is_drawn():
    # Given two clients with pain in different places, drawn in turn
    neck = [{"area": "neck", "side": "left", "intensity": 3, "note": ""}]
    ankles = [{"area": "ankles", "side": "both", "intensity": 8, "note": ""}]

    first_neck, first_ankles, again_neck = drawn(neck), drawn(ankles), drawn(neck)

    # Then each chart marks its own places, and the same map draws the same chart
    assert marked(first_neck) == {("3", "neck", "left")}
    assert marked(first_ankles) == {("8", "ankles", "left"), ("8", "ankles", "right")}
    assert again_neck == first_neck


def test_the_chart_speaks_the_readers_language():
    neck = [{"area": "neck", "side": "left", "intensity": 3, "note": ""}]

    english, german = drawn(neck, "en"), drawn(neck, "de")

    assert "Body chart, back view" in english
    assert "Body chart, back view" not in german
    assert german != english
