"""A plan's step as the therapist reads it (the ``step_summary`` tag): the
pressure per area, why it is lower, the thumb pressure points and the notes,
every value from the plan escaped."""

from django.template.loader import render_to_string
from django.utils import translation

from sessions.plan_view import plan_view


def a_plan(**step) -> dict:
    return {
        "position": "prone",
        "oil": "Almond oil",
        "steps": [
            {
                "order": 1,
                "technique": "Thumb pressure",
                "dose": "5 times 10 s",
                "start_offset": 0,
                "minutes": 5,
                "areas": ["neck", "lower_back"],
                "pressure": "firm",
                "pressure_by_area": {"neck": "light", "lower_back": "firm"},
                "pressure_reasons": {"neck": "sore <since Monday>"},
                "pain_points": [{"area": "lower_back", "side": "left", "intensity": 7}],
                "notes": ["Slowly & <gently>"],
                **step,
            }
        ],
    }


def test_a_step_says_where_the_pressure_is_lower_and_why_with_the_plans_words_escaped():
    html = render_to_string("sessions/_steps.html", {"view": plan_view(a_plan())})

    assert 'data-area="neck" data-pressure="light">neck: <strong>light</strong></span>' in html
    assert '<span class="muted">(not firm: sore &lt;since Monday&gt;)</span>' in html
    assert 'data-area="lower_back" data-pressure="firm">lower back: <strong>firm</strong></span></li>' in html
    assert "<p><em>Thumb pressure on:</em> lower back (left) 7/10</p>" in html
    assert '<p class="muted">Slowly &amp; &lt;gently&gt;</p>' in html
    assert "0′ · 5 min" in html


def test_a_step_reads_in_german():
    with translation.override("de"):
        html = render_to_string("sessions/_steps.html", {"view": plan_view(a_plan())})

    assert "(nicht fest: sore &lt;since Monday&gt;)" in html
    assert "<em>Daumendruck auf:</em>" in html
    assert "0′ · 5 Min." in html
