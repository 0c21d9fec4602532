"""The safety facts above a plan's steps and the steps' timers and pressure
buttons, written in Python (the ``safety_facts`` and ``step_items`` tags):
every value from the plan escaped, the fixed words in the reader's language."""

import datetime
from types import SimpleNamespace

import pytest
from django.template import engines
from django.template.loader import render_to_string
from django.utils import timezone, translation

from clients.bodychart import chart_views, point_labels
from clients.painchart import pain_trend
from clients.selectors import PainVisit
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


# The pain trend as sessions/_pain_trend.html wrote it with template tags, before the
# pain_trend_words tag wrote it in Python: the tag must write the same, byte for byte.
PAIN_TREND_AS_TEMPLATE = """{% load i18n %}{% if entry.pain_visits %}
<div class="pain-trend">
  <h4>{% translate "Pain before → after" %}</h4>
  {% with trend=entry.pain_trend %}{% if trend %}
  {% if trend.direction == "eased" %}{% translate "eased" context "pain trend" as direction %}{% elif trend.direction == "worse" %}{% translate "worse" context "pain trend" as direction %}{% else %}{% translate "no change" context "pain trend" as direction %}{% endif %}
  <p class="pain-trend-words">{% blocktranslate trimmed with first=trend.first latest=trend.latest count visits=trend.count %}
    Before sessions: {{ first }}/10 at first, {{ latest }}/10 lately
    ({{ direction }}, over {{ visits }} visit).
  {% plural %}
    Before sessions: {{ first }}/10 at first, {{ latest }}/10 lately
    ({{ direction }}, over {{ visits }} visits).
  {% endblocktranslate %}</p>
  {% endif %}{% endwith %}
  {% translate "j M" context "date format: day and short month" as day_month %}<ol class="pain-visits">
    {% for visit in entry.pain_visits %}
    <li>{{ visit.start|date:day_month }} · {{ visit.routine }}: {% if visit.pain_before is not None %}{{ visit.pain_before }}{% else %}?{% endif %} → {% if visit.pain_after is not None %}{{ visit.pain_after }}{% else %}?{% endif %}{% if visit.area_labels %} ({{ visit.area_labels|join:", " }}){% endif %}</li>
    {% endfor %}
  </ol>
</div>
{% endif %}"""  # noqa: E501


def pain_visit(number: int, before, after, areas) -> PainVisit:
    start = datetime.datetime(2026, 3, 5, 23, 30, tzinfo=datetime.UTC) + datetime.timedelta(days=9 * number)
    return PainVisit(appointment_id=number, client_id=1, start=start, routine="Back <relief> & more",
                     pain_before=before, pain_after=after, areas=areas)  # fmt: skip


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize(
    "visits",
    [
        [],
        [(5, 3, ["lower_back"])],
        [(5, 3, ["lower_back", "neck"]), (None, 2, []), (7, None, ["neck"])],  # eased, with levels missing
        [(3, 3, []), (3, 2, ["shoulders"])],  # no change
        [(2, 3, []), (8, 2, []), (9, 9, [])],  # worse
    ],
)
def test_the_pain_trend_is_written_as_the_template_wrote_it(language, visits):
    visits = [pain_visit(number, *visit) for number, visit in enumerate(visits)]
    context = {"entry": {"pain_visits": visits, "pain_trend": pain_trend(visits)}}
    with translation.override(language), timezone.override("Europe/Berlin"):
        written = render_to_string("sessions/_pain_trend.html", context)
        as_template = engines["django"].from_string(PAIN_TREND_AS_TEMPLATE).render(context)

    assert written.strip() == as_template.strip()
    assert ('<p class="pain-trend-words">' in written) is (context["entry"]["pain_trend"] is not None)
