"""The head of each session's card on "my day", written in Python (the
``session_head`` tag): the same, byte for byte, as the template tags wrote it,
every value escaped, the fixed words in the reader's language."""

from types import SimpleNamespace

import pytest
from django.template import engines
from django.utils import translation

from clients.selectors import FLAG_LABELS

# sessions/my_day.html's card head before the session_head tag wrote it.
HEAD_AS_TEMPLATE = """{% load i18n routine_content %}{% for entry in entries %}
  {% if entry.gap_minutes %}<p class="gap">{% blocktranslate with minutes=entry.gap_minutes %}{{ minutes }} min free{% endblocktranslate %}</p>{% endif %}
  <article class="card session" id="session-{{ entry.appointment.pk }}">
    <header class="session-head">
      <h2>{{ entry.starts }}–{{ entry.ends }} · {{ entry.appointment.client }}</h2>
      <p>{% if several_locations %}<strong class="location">{{ entry.appointment.room.salon.name }}</strong> · {% endif %}{{ entry.appointment.routine|content:"name" }} · {{ entry.appointment.room.name }} · <strong class="status">{{ entry.status_label }}</strong>
        <span class="muted">{% blocktranslate with minutes=entry.turnover_minutes %}+ {{ minutes }} min turnover{% endblocktranslate %}</span></p>
      {% for flag in entry.flags %}<span class="flag flag-{{ flag.code }}">{{ flag.label }}</span>{% endfor %}
    </header>
{% endfor %}"""  # noqa: E501
HEAD_AS_TAG = """{% load day_cards %}{% for entry in entries %}
  {% session_head %}
{% endfor %}"""


def an_entry(**changes) -> dict:
    routine = SimpleNamespace(name="Back <relief>", translations={"de": {"name": "Rücken & mehr"}})
    room = SimpleNamespace(name="Linden <1>", salon=SimpleNamespace(name="Berlin & Co"))
    appointment = SimpleNamespace(pk=7, client="Ann <Lee>", routine=routine, room=room)
    entry = {
        "appointment": appointment,
        "starts": "09:00",
        "ends": "10:00",
        "status_label": "Checked <in>",
        "gap_minutes": 30,
        "turnover_minutes": 15,
        "flags": [{"code": code, "label": label} for code, label in FLAG_LABELS.values()],
    }
    return entry | changes


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("several_locations", [True, False])
def test_the_card_head_is_written_as_the_template_wrote_it(language, several_locations):
    context = {"entries": [an_entry(), an_entry(gap_minutes=None, flags=[])], "several_locations": several_locations}
    with translation.override(language):
        written = engines["django"].from_string(HEAD_AS_TAG).render(context)
        as_template = engines["django"].from_string(HEAD_AS_TEMPLATE).render(context)

    assert written == as_template
    assert "Ann &lt;Lee&gt;" in written
    assert ("Berlin &amp; Co" in written) is several_locations
    assert ("Rücken &amp; mehr" if language == "de" else "Back &lt;relief&gt;") in written
