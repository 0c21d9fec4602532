"""The safety facts above a plan's steps and the steps' timers and pressure
buttons, written in Python (the ``safety_facts`` and ``step_items`` tags):
every value from the plan escaped, the fixed words in the reader's language."""

from types import SimpleNamespace

from django.template.loader import render_to_string
from django.utils import translation

from clients.bodychart import chart_views, point_labels
from sessions.models import PressureFeedback
from sessions.plan_view import plan_view
from tests.sessions.test_plan_steps import a_plan

PAIN_MAP = [{"area": "lower_back", "side": "left", "intensity": 7, "note": ""}]


def a_careful_plan() -> dict:
    return {
        **a_plan(),
        "oil": "Almond <oil> & more",
        "avoid_areas": ["mid_back"],
        "pressure_caps": {"neck": "light"},
        "pressure_cap_reasons": {"neck": "sore <since Monday>"},
        "supports": [{"item": "Bolster <big>", "area": "ankles"}],
        "adaptations": ["Shortened <by 5 min>"],
        "precautions": ["No oil on the graze."],
        "do_not_press": [{"area": "lower_back", "side": "left", "intensity": 7, "reason": "acute <pain>"}],
    }


def an_entry(**entry) -> dict:
    shown = {"allergies": "almonds <all kinds>", "chart": chart_views(PAIN_MAP), "pain_points": point_labels(PAIN_MAP)}
    return shown | entry


def test_the_safety_facts_write_every_value_from_the_plan_escaped():
    html = render_to_string("sessions/_safety.html", {"view": plan_view(a_careful_plan()), "entry": an_entry()})

    assert "<dt>Oil</dt><dd>Almond &lt;oil&gt; &amp; more</dd>" in html
    assert '<dt>Allergies</dt><dd class="danger-text">almonds &lt;all kinds&gt;</dd>' in html
    assert '<dt>Keep away from</dt><dd class="danger-text">mid back</dd>' in html
    assert "<dt>Pressure at most</dt><dd>light on the neck (sore &lt;since Monday&gt;)</dd>" in html
    assert "<li>Bolster &lt;big&gt; — ankles</li>" in html
    assert "<li>Shortened &lt;by 5 min&gt;</li>" in html
    assert "<li>No oil on the graze.</li>" in html
    assert '<ul class="pain-points"><li>Lower back (left): 7/10</li></ul>' in html
    assert "<li>lower back (left) 7/10 — do not press: acute &lt;pain&gt;</li>" in html
    assert 'data-area="lower_back" data-side="left"' in html  # the body chart


def test_a_client_without_pain_or_allergies_has_none_shown():
    html = render_to_string(
        "sessions/_safety.html", {"view": plan_view(a_plan()), "entry": an_entry(allergies="", pain_points=[])}
    )

    assert "Allergies" not in html
    assert "Do not press" not in html
    assert '<ul class="pain-points"><li>None recorded.</li></ul>' in html


def test_without_a_plan_there_are_no_safety_facts():
    assert render_to_string("sessions/_safety.html", {"view": None, "entry": an_entry()}).strip() == ""


def test_the_safety_facts_read_in_each_readers_language_in_turn():
    context = {"view": plan_view(a_careful_plan()), "entry": an_entry()}
    english = render_to_string("sessions/_safety.html", context)
    with translation.override("de"):
        german = render_to_string("sessions/_safety.html", context)

    assert "<h4>Prepare</h4>" in english
    assert "<h4>Vorbereiten</h4>" in german
    assert "<dt>Lagerung</dt>" in german
    assert "<h4>Prepare</h4>" in render_to_string("sessions/_safety.html", context)  # English again


def test_a_running_sessions_steps_have_a_timer_and_pressure_buttons():
    context = {
        "view": plan_view(a_plan()),
        "appointment": SimpleNamespace(pk=41),
        "verdicts": PressureFeedback.Verdict.choices,
        "csrf_token": "token<1>",
        "timer": True,
        "feedback_form": True,
    }

    html = render_to_string("sessions/_steps.html", context)

    assert '<li class="plan-step" data-step="1" data-minutes="5">' in html
    assert '<span data-timer>5:00</span> <button type="button" class="button-secondary" data-timer-start>Timer' in html
    assert 'action="/sessions/41/pressure/" class="pressure"' in html
    assert 'aria-label="How the pressure feels on step 1"' in html
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="token&lt;1&gt;">' in html
    assert (
        '<button type="submit" name="verdict" value="too_strong" class="button-secondary">Too strong</button>' in html
    )


def test_steps_shown_on_my_day_have_neither_timer_nor_buttons():
    html = render_to_string("sessions/_steps.html", {"view": plan_view(a_plan())})

    assert 'data-step="1"' in html
    assert "data-timer" not in html
    assert "<form" not in html
