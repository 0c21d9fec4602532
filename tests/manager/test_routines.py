"""The routine editor at /manage/routines/: a manager opens a routine of the
guide, changes it with forms (no JSON), moves, adds and removes steps,
previews the plan for a sample client, and saves; a routine that booked
sessions use gets a new version and the sessions keep theirs."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import translation

from routines.models import RoutineTemplate, Technique
from routines.selectors import routine_spec
from routines.services import service_set
from salon.roles import Role
from sessions.messages import context_for
from sessions.models import Notification, SessionPlan
from sessions.services.booking import appointment_book
from tests.factories import UserFactory
from tests.helpers import at, sign_in
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db

CLASSIC = "classic-back-massage"
EDITOR = f"/manage/routines/{CLASSIC}/"


class FormReader(HTMLParser):
    """What a browser would send for the page's first POST form with no
    button pressed: text, hidden and number inputs, ticked boxes, the chosen
    option of each select, textareas. Inputs inside <template> are not sent."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.in_form = self.done = False
        self.template_depth = 0
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.option_value: str | None = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done and attrs.get("method") == "post" and "data-routine-editor" in attrs:
            self.in_form = True
        if not self.in_form or self.done:
            return
        if tag == "template":
            self.template_depth += 1
        if self.template_depth:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value", "on")))
            elif kind not in {"submit", "button"}:
                self.fields.append((name, attrs.get("value", "")))
        elif tag == "select":
            self.select, self.options = name, []
        elif tag == "option" and self.select is not None:
            self.options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea":
            self.textarea, self.text = name, ""

    def handle_data(self, data):
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag):
        if not self.in_form or self.done:
            return
        if tag == "template":
            self.template_depth -= 1
        elif self.template_depth:
            return
        elif tag == "select" and self.select is not None:
            chosen = [value for value, selected in self.options if selected] or [self.options[0][0]]
            self.fields.append((self.select, chosen[0]))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None
        elif tag == "form":
            self.done = True


def form_of(page) -> dict:
    """The editor's form as the browser would send it, as a dict of lists."""
    reader = FormReader()
    reader.feed(page.content.decode())
    data: dict[str, list[str]] = {}
    for name, value in reader.fields:
        data.setdefault(name, []).append(value)
    return data


def step_prefix(data: dict, technique_name: str, nth: int = 0) -> str:
    """The prefix (``steps-3``) of the nth step with that technique."""
    technique = str(Technique.objects.get(name=technique_name).pk)
    prefixes = sorted(
        (name.removesuffix("-technique") for name, values in data.items() if name.endswith("-technique")
         and values == [technique]),
        key=lambda prefix: int(data[f"{prefix}-order"][0]),
    )  # fmt: skip
    return prefixes[nth]


def steps_in_order(routine: RoutineTemplate) -> list[str]:
    return [step.technique.name for step in routine.steps.order_by("order").select_related("technique")]


def current(slug: str = CLASSIC) -> RoutineTemplate:
    return RoutineTemplate.objects.get(slug=slug, is_current=True)


@pytest.fixture
def scene():
    return salon_scenario()


@pytest.fixture
def manager(client, scene):
    sign_in(client, UserFactory(roles=[Role.MANAGER]))
    return client


def book(scene, routine: RoutineTemplate):
    day = datetime.date.today() + datetime.timedelta(days=3)
    return appointment_book(client=scene.client, routine=routine, start=at(day, 10))


# -- opening and saving ----------------------------------------------------------


def test_the_list_shows_each_routine_with_its_length_and_an_edit_link(manager):
    page = manager.get("/manage/routines/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "Classic back massage" in text
    assert f'href="{EDITOR}"' in text
    assert 'href="/manage/routines/new/"' in text
    row = next(row for row in page.context["rows"] if row["routine"].slug == CLASSIC)
    assert f"{row['spec'].typical_minutes} min" in text


def test_archived_routines_are_listed_only_on_request(manager):
    routine = current("neck-and-shoulders")
    RoutineTemplate.objects.filter(pk=routine.pk).update(status="archived")

    assert "Neck and shoulders" not in manager.get("/manage/routines/").content.decode()
    assert "Neck and shoulders" in manager.get("/manage/routines/?archived=1").content.decode()


def test_the_editor_shows_every_step_as_a_form_and_no_json(manager):
    page = manager.get(EDITOR)

    assert page.status_code == 200
    text = page.content.decode()
    assert text.count("data-step ") == 10 + 1  # ten steps and the pattern for "Add a step"
    assert "Move step 3 up" in re.sub(r"<[^>]+>", "", text)
    assert '{"neck"' not in text
    assert "area_pressure" not in text
    data = form_of(page)
    first = step_prefix(data, "Open-palm stroking")
    assert data[f"{first}-areas"] == ["neck", "upper_back", "mid_back", "lower_back"]
    assert data[f"{first}-lighter_neck"] == ["light"]
    assert data[f"{first}-min_minutes"] == ["5"]
    assert data[f"{first}-max_minutes"] == ["10"]
    assert data["supports"] == ["Small pad\nSoft rollers"]


def test_saving_unchanged_keeps_the_version_when_no_session_uses_it(manager):
    before = current()
    data = form_of(manager.get(EDITOR))

    answer = manager.post(EDITOR, {**data, "save": "1"})

    assert answer.status_code == 302, answer.context and answer.context["problems"]
    after = current()
    assert after.pk == before.pk
    assert after.version == before.version
    assert steps_in_order(after) == steps_in_order(before)
    assert after.steps.get(order=10).repeat_of.order == 1
    assert after.steps.get(order=1).area_pressure == {"neck": "light"}
    page = manager.get(answer["Location"])
    assert f"Saved Classic back massage (version {before.version})." in page.content.decode()


def test_saving_a_routine_that_a_booked_session_uses_makes_a_new_version(manager, scene):
    before = current()
    appointment = book(scene, before)
    data = form_of(manager.get(EDITOR))
    assert "Booked sessions use version" in manager.get(EDITOR).content.decode()
    data["purpose"] = ["Relaxation for the whole back, with extra time where it is tense."]

    answer = manager.post(EDITOR, {**data, "save": "1"})

    assert answer.status_code == 302
    after = current()
    assert after.version == before.version + 1
    assert SessionPlan.objects.get(appointment=appointment).routine_id == before.pk
    page = manager.get(answer["Location"])
    assert (
        f"Saved as version {after.version}; sessions already planned keep version {before.version}."
        in page.content.decode()
    )


def test_saving_unchanged_what_a_booked_session_uses_makes_no_new_version(manager, scene):
    before = current()
    book(scene, before)

    answer = manager.post(EDITOR, {**form_of(manager.get(EDITOR)), "save": "1"})

    assert answer.status_code == 302
    assert current().pk == before.pk
    assert RoutineTemplate.objects.filter(slug=CLASSIC).count() == 1


# -- reordering, adding, removing --------------------------------------------------


def test_the_move_buttons_work_without_the_script_and_save_keeps_the_new_order(manager):
    data = form_of(manager.get(EDITOR))
    forearm = step_prefix(data, "Forearm stroking")  # step 6
    index = forearm.split("-")[1]

    page = manager.post(EDITOR, {**data, "move": f"{index}:up"})

    assert page.status_code == 200
    assert "Forearm stroking moved to step 5 of 10. Not saved yet." in page.content.decode()
    assert "autofocus" in page.content.decode()  # the pressed button keeps the focus
    assert steps_in_order(current())[5] == "Forearm stroking"  # nothing saved
    moved = form_of(page)
    answer = manager.post(EDITOR, {**moved, "save": "1"})
    assert answer.status_code == 302
    order = steps_in_order(current())
    assert order[4:6] == ["Forearm stroking", "Reinforced middle-finger kneading"]


def test_a_finishing_step_keeps_repeating_the_same_step_when_steps_move(manager):
    data = form_of(manager.get(EDITOR))
    # Drag "Base-of-palm stroking" (step 2) to the front, as the script does: new order numbers.
    orders = {name: int(values[0]) for name, values in data.items() if name.endswith("-order")}
    second = step_prefix(data, "Base-of-palm stroking")
    for name, order in orders.items():
        data[name] = ["1" if name == f"{second}-order" else str(order + 1 if order < 2 else order)]

    answer = manager.post(EDITOR, {**data, "save": "1"})

    assert answer.status_code == 302
    routine = current()
    assert steps_in_order(routine)[:2] == ["Base-of-palm stroking", "Open-palm stroking"]
    assert routine.steps.get(order=10).repeat_of.technique.name == "Open-palm stroking"
    assert routine.steps.get(order=10).repeat_of.order == 2
    assert routine.steps.get(order=9).repeat_of.order == 1


def test_add_a_step_fill_it_in_and_save(manager):
    data = form_of(manager.get(EDITOR))
    page = manager.post(EDITOR, {**data, "add": "1"})
    assert "Step 11 added at the end. Not saved yet." in page.content.decode()
    data = form_of(page)
    assert data["steps-TOTAL_FORMS"] == ["11"]
    data.update({
        "steps-10-technique": [str(Technique.objects.get(name="Gentle kneading of the buttocks").pk)],
        "steps-10-areas": ["buttocks"],
        "steps-10-dose_kind": ["count"], "steps-10-count": ["10"], "steps-10-unit": ["movements"],
        "steps-10-seconds_per_unit": ["6"], "steps-10-per_side": ["on"],
    })  # fmt: skip

    answer = manager.post(EDITOR, {**data, "save": "1"})

    assert answer.status_code == 302
    added = current().steps.get(order=11)
    assert (added.technique.name, added.areas, added.count, added.per_side) == (
        "Gentle kneading of the buttocks", ["buttocks"], 10, True,
    )  # fmt: skip
    assert added.min_minutes is None  # the minutes boxes do not count for a counted step


def test_an_added_step_left_empty_is_named_not_dropped(manager):
    data = form_of(manager.post(EDITOR, {**form_of(manager.get(EDITOR)), "add": "1"}))

    page = manager.post(EDITOR, {**data, "save": "1"})

    assert page.status_code == 400
    assert "Step 11, technique: Choose a technique." in page.content.decode()
    assert current().steps.count() == 10


def test_remove_a_step_then_save(manager):
    data = form_of(manager.get(EDITOR))
    forearm = step_prefix(data, "Forearm stroking")
    page = manager.post(EDITOR, {**data, "remove": forearm.split("-")[1]})
    assert "Forearm stroking will be removed when you save. Not saved yet." in page.content.decode()
    data = form_of(page)
    assert data[f"{forearm}-DELETE"] == ["on"]

    answer = manager.post(EDITOR, {**data, "save": "1"})

    assert answer.status_code == 302
    routine = current()
    assert "Forearm stroking" not in steps_in_order(routine)
    assert list(routine.steps.values_list("order", flat=True)) == list(range(1, 10))
    assert routine.steps.get(order=9).repeat_of.order == 1  # the finish still repeats the opening stroking


def test_removing_a_step_that_a_finishing_step_repeats_is_refused_next_to_that_step(manager):
    data = form_of(manager.get(EDITOR))
    data[f"{step_prefix(data, 'Open-palm stroking')}-DELETE"] = ["on"]

    page = manager.post(EDITOR, {**data, "save": "1"})

    assert page.status_code == 400
    last = step_prefix(data, "Open-palm stroking", 1)
    form = next(row.form for row in page.context["rows"] if row.form.prefix == last)
    assert form.errors["repeat_of"] == ["That step is to be removed; choose a step that stays, or none."]


# -- errors next to their fields, never a 500 ----------------------------------------


def test_a_service_refusal_is_shown_next_to_the_steps_field_and_nothing_typed_is_lost(manager):
    data = form_of(manager.get(EDITOR))
    second = step_prefix(data, "Base-of-palm stroking")
    data[f"{second}-min_minutes"] = ["9"]
    data[f"{second}-max_minutes"] = ["4"]  # most fewer than least: the model's rule, through the service
    data["name"] = ["Classic back massage, longer"]

    page = manager.post(EDITOR, {**data, "save": "1"})

    assert page.status_code == 400
    form = next(row.form for row in page.context["rows"] if row.form.prefix == second)
    assert form.errors["max_minutes"] == ["The most minutes cannot be fewer than the least."]
    text = page.content.decode()
    assert f'id="id_{second}-max_minutes_error"' in text
    assert re.search(rf'name="{second}-max_minutes" value="4"[^>]*aria-invalid="true"', text)
    assert 'value="Classic back massage, longer"' in text
    assert "Step 2, most minutes: The most minutes cannot be fewer than the least." in text
    assert current().name == "Classic back massage"


def test_lighter_pressure_firmer_than_the_step_is_refused_at_the_areas(manager):
    data = form_of(manager.get(EDITOR))
    first = step_prefix(data, "Open-palm stroking")  # medium pressure
    data[f"{first}-lighter_neck"] = ["firm"]

    page = manager.post(EDITOR, {**data, "save": "1"})

    assert page.status_code == 400
    form = next(row.form for row in page.context["rows"] if row.form.prefix == first)
    assert "neck: give one of this step's areas and a pressure no firmer than the step's own." in form.errors["areas"]


@pytest.mark.parametrize(
    "change",
    [
        {"turnover_minutes": ["soon"]},
        {"towels": ["-1"]},
        {"name": [""]},
        {"steps-0-technique": ["999999"]},
        {"steps-0-areas": ["elbow"]},
        {"steps-0-min_minutes": ["1e9"]},
        {"steps-0-repeat_of": ["s9"]},  # a later step
        {"steps-0-order": ["first"]},
        {"steps-TOTAL_FORMS": ["5000"]},
        {"steps-TOTAL_FORMS": ["0"]},
        {"supports": ["x" * 400]},
        {"version": ["not a number"]},
        {"move": ["99:up"]},
        {"remove": ["-1"]},
        {"move": ["nonsense"]},
        {"move": ["²:up"]},
        {"steps-0-min_minutes": ["²"], "steps-0-order": ["²"]},
        {"turnover_minutes": ["9" * 5000]},
    ],
)
def test_bad_input_is_answered_on_the_page_never_with_a_500(manager, change):
    data = {**form_of(manager.get(EDITOR)), **change}
    before = list(current().steps.values_list("pk", flat=True))

    page = manager.post(EDITOR, data if {"move", "remove"} & set(change) else {**data, "save": "1"})

    assert page.status_code in {200, 400}
    assert list(current().steps.values_list("pk", flat=True)) == before


def test_saving_over_a_version_someone_else_saved_meanwhile_asks_first(manager, scene):
    data = form_of(manager.get(EDITOR))
    book(scene, current())
    theirs = form_of(manager.get(EDITOR))
    theirs["purpose"] = ["Someone else's change."]
    manager.post(EDITOR, {**theirs, "save": "1"})  # someone saves a change: the next version
    newer = current()
    data["name"] = ["Classic back massage (mine)"]

    page = manager.post(EDITOR, {**data, "save": "1"})

    assert page.status_code == 409
    assert f"now version {newer.version}" in page.content.decode()
    assert current().pk == newer.pk
    assert current().name == "Classic back massage"
    again = manager.post(EDITOR, {**form_of(page), "save": "1"})
    assert again.status_code == 302
    assert current().name == "Classic back massage (mine)"


# -- a new routine ----------------------------------------------------------------------


def test_a_new_routine_gets_a_slug_from_its_name(manager):
    page = manager.get("/manage/routines/new/")
    data = form_of(page)
    data.update({
        "name": ["Short neck relief"], "steps-0-technique": [str(Technique.objects.get(name="Open-palm stroking").pk)],
        "steps-0-areas": ["neck", "shoulders"], "steps-0-min_minutes": ["5"], "steps-0-max_minutes": ["8"],
    })  # fmt: skip

    answer = manager.post("/manage/routines/new/", {**data, "save": "1"})

    assert answer.status_code == 302
    assert answer["Location"] == "/manage/routines/short-neck-relief/"
    routine = current("short-neck-relief")
    assert (routine.version, routine.areas, routine.supports) == (1, ["neck", "shoulders"], [])
    second = manager.post("/manage/routines/new/", {**data, "save": "1"})
    assert second["Location"] == "/manage/routines/short-neck-relief-2/"


# -- the routine in each language -----------------------------------------------------------


def reads_german(user):
    user.language = "de"
    user.save(update_fields=["language"])
    return user


def test_the_editor_shows_the_german_beside_the_salons_words(manager):
    # Given the classic back massage, whose German came with the guide
    data = form_of(manager.get(EDITOR))

    # Then its German name, after-care and each step's German notes are fields to edit
    assert data["name_de"] == ["Klassische Rückenmassage"]
    assert data["aftercare_de"][0].startswith("Trinken Sie ein Glas Wasser")
    warm_up = step_prefix(data, "Open-palm stroking")
    assert data[f"{warm_up}-notes_de"][0].startswith("Etwas Öl in den Handflächen anwärmen")
    assert data["name_en"] == [""]


def test_a_manager_writes_the_german_and_german_therapists_and_clients_read_it(manager, scene, client):
    # Given the editor with the German name, after-care, a precaution and a step's notes rewritten
    data = form_of(manager.get(EDITOR))
    warm_up = step_prefix(data, "Open-palm stroking")
    precautions = data["precautions_de"][0].splitlines()
    data.update({
        "name_de": ["Rückenmassage am Abend"],
        "aftercare_de": ["Gönnen Sie sich heute Abend Ruhe und trinken Sie Wasser."],
        "precautions_de": ["\n".join(["Nie auf die Wirbelsäule drücken.", *precautions[1:]])],
        f"{warm_up}-notes_de": ["Öl in den Händen anwärmen, dann ruhig beginnen."],
    })  # fmt: skip

    # When the manager saves
    answer = manager.post(EDITOR, {**data, "save": "1"})

    # Then the routine keeps its English and holds the new German
    assert answer.status_code == 302, answer.context and answer.context["problems"]
    saved = current()
    assert saved.name == "Classic back massage"
    german = saved.translations["de"]
    assert german["name"] == "Rückenmassage am Abend"
    assert german["aftercare"] == "Gönnen Sie sich heute Abend Ruhe und trinken Sie Wasser."
    assert german["precautions"][0] == "Nie auf die Wirbelsäule drücken."
    assert saved.steps.get(order=1).translations == {"de": {"notes": "Öl in den Händen anwärmen, dann ruhig beginnen."}}

    # and a German therapist reads it in the plan of a session booked with it
    appointment = book(scene, saved)
    sign_in(client, reads_german(scene.therapist.user))
    session = client.get(f"/sessions/{appointment.pk}/").content.decode()
    assert "Rückenmassage am Abend" in session
    assert "Öl in den Händen anwärmen, dann ruhig beginnen." in session
    # and a German client gets the name on the booking page and the advice after the session
    service_set(salon=scene.salon, routine=saved, lengths=[(60, 6500)], online=True)
    assert "Rückenmassage am Abend" in Client().get(f"/book/{scene.salon.pk}/?lang=de").content.decode()
    assert "Classic back massage" in Client().get(f"/book/{scene.salon.pk}/?lang=en").content.decode()
    request = Notification(appointment=appointment, client=scene.client, kind=Notification.Kind.FEEDBACK_REQUEST)
    with translation.override("de"):
        assert context_for(request)["aftercare"] == "Gönnen Sie sich heute Abend Ruhe und trinken Sie Wasser."


def test_german_left_empty_is_gone_and_german_readers_get_the_salons_words(manager, scene, client):
    # Given the German name and a step's German notes emptied
    data = form_of(manager.get(EDITOR))
    warm_up = step_prefix(data, "Open-palm stroking")
    data.update({"name_de": [""], f"{warm_up}-notes_de": [""]})

    answer = manager.post(EDITOR, {**data, "save": "1"})

    # Then they are no longer kept, the rest of the German is, and a German therapist reads the English
    assert answer.status_code == 302
    saved = current()
    assert "name" not in saved.translations["de"]
    assert saved.translations["de"]["aftercare"]
    assert saved.steps.get(order=1).translations == {}
    appointment = book(scene, saved)
    sign_in(client, reads_german(scene.therapist.user))
    session = client.get(f"/sessions/{appointment.pk}/").content.decode()
    assert "Classic back massage" in session
    assert "Warm a little oil in your palms" in session


def test_a_new_routine_is_written_in_both_languages(manager):
    data = form_of(manager.get("/manage/routines/new/"))
    data.update({
        "name": ["Short neck relief"], "name_de": ["Kurz für den Nacken"],
        "steps-0-technique": [str(Technique.objects.get(name="Open-palm stroking").pk)],
        "steps-0-areas": ["neck"], "steps-0-min_minutes": ["5"], "steps-0-max_minutes": ["8"],
        "steps-0-notes": ["Slowly."], "steps-0-notes_de": ["Langsam."],
    })  # fmt: skip

    answer = manager.post("/manage/routines/new/", {**data, "save": "1"})

    assert answer.status_code == 302
    routine = current("short-neck-relief")
    assert routine.translations == {"de": {"name": "Kurz für den Nacken"}}
    assert routine.steps.get().translations == {"de": {"notes": "Langsam."}}


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"name_de": ["R" * 101]}, "Name (Deutsch)"),
        ({"precautions_de": ["Nur eine Zeile."]}, "Precautions (Deutsch)"),
        ({"supports_de": ["x" * 400]}, "Supports to have ready (Deutsch)"),
        ({"steps-0-notes_de": ["N" * 1001]}, "notes (Deutsch)"),
    ],
)
def test_bad_german_is_named_on_the_page_and_nothing_is_saved(manager, change, where):
    before = current()
    data = {**form_of(manager.get(EDITOR)), **change}

    page = manager.post(EDITOR, {**data, "save": "1"})

    assert page.status_code == 400
    assert any(where in str(problem["where"]) for problem in page.context["problems"]), page.context["problems"]
    after = current()
    assert (after.pk, after.translations) == (before.pk, before.translations)


def test_the_german_is_kept_through_the_buttons_that_work_without_the_script(manager):
    data = form_of(manager.get(EDITOR))
    data["name_de"] = ["Rückenmassage am Abend"]

    page = manager.post(EDITOR, {**data, "add": "1"})

    assert form_of(page)["name_de"] == ["Rückenmassage am Abend"]


# -- the plan preview -----------------------------------------------------------------------


def preview(manager, slug, data, sample, minutes="", htmx=True):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return manager.post(
        f"/manage/routines/{slug}/preview/", {**data, "preview-sample": sample, "preview-minutes": minutes}, **headers
    )


def test_the_preview_for_a_pregnant_client_is_side_lying_with_no_prone_pads(manager):
    slug = "pregnancy-back-massage"
    data = form_of(manager.get(f"/manage/routines/{slug}/"))

    answer = preview(manager, slug, data, "pregnant", "40")

    assert answer.status_code == 200
    text = answer.content.decode()
    assert "Plan for a sample client: Pregnant (side-lying, pregnancy-qualified therapist)" in text
    assert "<dt>Position</dt><dd>Side-lying</dd>" in text
    assert "Prone" not in text  # no prone position, no pads for lying on the front
    assert "medium on the neck, shoulders, upper back, mid back, lower back, buttocks, ankles (pregnancy)" in text
    # Timed steps grow to their longest for the 40 booked minutes; the rest is left to the therapist.
    assert "5 steps, 33 of 40 booked minutes" in text


def test_the_preview_for_a_pregnant_client_refuses_a_prone_routine_in_words(manager):
    answer = preview(manager, CLASSIC, form_of(manager.get(EDITOR)), "pregnant")

    assert answer.status_code == 200
    assert "Classic back massage is given prone; this client needs side-lying." in answer.content.decode()


def test_the_preview_of_a_booking_too_short_says_how_long_it_must_be(manager):
    least = routine_spec(current()).minimum_minutes

    answer = preview(manager, CLASSIC, form_of(manager.get(EDITOR)), "none", str(least - 1))

    assert answer.status_code == 200
    assert f"The routine needs at least {least} minutes; {least - 1} are booked." in answer.content.decode()


def test_the_preview_uses_what_is_typed_and_saves_nothing(manager):
    data = form_of(manager.get(EDITOR))
    data[f"{step_prefix(data, 'Forearm stroking')}-DELETE"] = ["on"]
    data[f"{step_prefix(data, 'Open-palm stroking')}-max_minutes"] = ["6"]
    before = (current().pk, list(current().steps.values_list("pk", flat=True)))

    answer = preview(manager, CLASSIC, data, "painful_shoulders")

    text = answer.content.decode()
    assert "9 steps" in text
    assert "Forearm stroking" not in text
    assert "Shoulders (right): 7/10" in text or "shoulders (right) 7/10" in text
    assert (current().pk, list(current().steps.values_list("pk", flat=True))) == before


def test_the_preview_of_a_routine_used_by_bookings_makes_no_version(manager, scene):
    book(scene, current())
    versions = RoutineTemplate.objects.filter(slug=CLASSIC).count()

    answer = preview(manager, CLASSIC, form_of(manager.get(EDITOR)), "lower_back_avoided")

    assert answer.status_code == 200
    assert "keeps away from the lower back" in answer.content.decode()
    assert RoutineTemplate.objects.filter(slug=CLASSIC).count() == versions


def test_the_preview_of_a_broken_form_lists_what_to_fix(manager):
    data = form_of(manager.get(EDITOR))
    data["steps-0-technique"] = [""]

    answer = preview(manager, CLASSIC, data, "none")

    assert answer.status_code == 400
    assert "Choose a technique." in answer.content.decode()


def test_the_preview_without_the_script_shows_the_whole_page(manager):
    answer = preview(manager, CLASSIC, form_of(manager.get(EDITOR)), "light_only", htmx=False)

    assert answer.status_code == 200
    text = answer.content.decode()
    assert "<h1>" in text
    assert "Plan for a sample client: Light pressure only" in text


@pytest.mark.parametrize(
    ("sample", "minutes", "change"),
    [
        ("someone", "", {}),
        ("none", "an hour", {}),
        ("none", "4", {}),
        ("none", "", {"steps-TOTAL_FORMS": ["0"]}),
        ("none", "", {"steps-0-dose_kind": ["forever"]}),
    ],
)
def test_bad_input_to_the_preview_is_named_not_a_500(manager, sample, minutes, change):
    answer = preview(manager, CLASSIC, {**form_of(manager.get(EDITOR)), **change}, sample, minutes)

    assert answer.status_code == 400
    assert "No preview yet" in answer.content.decode()


def test_every_sample_client_previews_without_error(manager):
    from manager.routine_forms import SAMPLE_CLIENTS

    data = form_of(manager.get(EDITOR))
    for sample in SAMPLE_CLIENTS:
        assert preview(manager, CLASSIC, data, sample.key).status_code == 200, sample.key


# -- cost and access --------------------------------------------------------------------


def test_the_editor_page_costs_a_fixed_number_of_queries(manager, django_assert_max_num_queries):
    # Five for the request (session, user, second factor, location, roles), then the
    # routine, its steps, the techniques and whether a plan uses it: not one per step.
    with django_assert_max_num_queries(9):
        page = manager.get(EDITOR)

    assert page.status_code == 200


def test_the_list_costs_a_fixed_number_of_queries(manager, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        assert manager.get("/manage/routines/?archived=1").status_code == 200


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.THERAPIST])
def test_only_managers_get_in(client, scene, role):
    sign_in(client, UserFactory(roles=[role]))

    assert client.get("/manage/routines/").status_code == 403
    assert client.get(EDITOR).status_code == 403
    assert client.post(EDITOR, {"save": "1"}).status_code == 403
    assert client.post(f"{EDITOR}preview/", {}).status_code == 403


def test_managers_find_the_editor_from_the_routine_page(manager, client):
    assert f'href="{EDITOR}"' in manager.get(f"/routines/{CLASSIC}/").content.decode()


def test_others_see_no_edit_link_on_the_routine_page(client, scene):
    sign_in(client, UserFactory(roles=[Role.THERAPIST]))

    assert f'href="{EDITOR}"' not in client.get(f"/routines/{CLASSIC}/").content.decode()
