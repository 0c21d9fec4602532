"""Forms of the routine editor (/manage/routines/<slug>/): the routine's own
fields, a form per step in a formset (prefix ``steps``), and the plan preview
for a sample client.

A step is known on the page by a ``key`` that does not change when the step
moves, so "repeats step" keeps pointing at the same step however the steps
are reordered; its place is the hidden ``order`` field (renumbered by the
page's script, and by the server for the Move buttons without script).
Steps are numbered 1, 2, 3 ... only when they go to the service.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from clients.evaluation import evaluate_screening
from clients.models import HealthScreening
from clients.outcome import ScreeningOutcome
from manager.forms import ManagerForm
from routines.models import (
    BodyArea,
    Direction,
    Position,
    Pressure,
    Qualification,
    RoutineStep,
    RoutineTemplate,
    Side,
    Technique,
    area_words,
)
from routines.services import ROUTINE_TEXTS, TEMPLATE_FIELDS
from routines.specs import StepSpec
from salon.errors import InvalidInput

PREFIX = "steps"
MAX_STEPS = 40
MAX_LINES = 20
MAX_LINE_LENGTH = 300
# Lighter pressure on an area: any pressure but "adaptive" (which is not lighter).
LIGHTER_CHOICES = [("", gettext_lazy("As the step"))] + [
    (value, label) for value, label in Pressure.choices if value != "adaptive"
]
# The routine's own fields; its ``translations`` are edited as a field per
# translated text and language (``name_de``), see TranslatedTexts.
ROUTINE_FIELDS = [name for name in TEMPLATE_FIELDS if name != "translations"]
# The list fields, whose translation is a line for each line of the original.
LIST_TEXTS = ("supports", "precautions")
DOSE_FIELDS = ["min_minutes", "max_minutes", "count", "unit", "seconds_per_unit", "per_side", "alternating_minutes"]
SHORT = {"class": "short"}


class LinesField(forms.CharField):
    """A textarea read as a list of lines, one item a line; empty lines are dropped."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value) -> list[str]:
        return [line.strip() for line in (super().to_python(value) or "").splitlines() if line.strip()]

    def validate(self, value) -> None:
        if len(value) > MAX_LINES:
            raise forms.ValidationError(_("Give at most %(most)s lines.") % {"most": MAX_LINES}, code="too_many_lines")
        for number, line in enumerate(value, start=1):
            if len(line) > MAX_LINE_LENGTH:
                raise forms.ValidationError(
                    _("Line %(number)s is longer than %(most)s characters.")
                    % {"number": number, "most": MAX_LINE_LENGTH},
                    code="line_too_long",
                )


class TranslatedTexts:
    """Content in each language the product speaks, beside the text as the
    salon wrote it: a field ``<text>_<language>`` for each of ``texts``, of the
    same kind as the original's; left empty, readers of that language get the
    original (routines/content.py)."""

    texts: tuple[str, ...] = ()

    def add_translation_fields(self) -> None:
        for code, language in settings.LANGUAGES:
            for name in self.texts:
                own = self.fields[name]
                translated = copy.deepcopy(own)
                translated.required = False
                translated.help_text = ""
                translated.label = _("%(field)s (%(language)s)") % {"field": own.label, "language": language}
                self.fields[f"{name}_{code}"] = translated

    def translation_fields(self) -> list:
        return [self[f"{name}_{code}"] for code, _language in settings.LANGUAGES for name in self.texts]

    def translation_groups(self) -> list[dict]:
        """The fields per language, for a section each; open when one is filled in or wrong."""
        groups = []
        for code, language in settings.LANGUAGES:
            fields = [self[f"{name}_{code}"] for name in self.texts]
            used = any(field.value() or field.errors for field in fields)
            groups.append({"code": code, "language": language, "fields": fields, "open": used})
        return groups

    def translations(self) -> dict:
        """The texts given per language, as the models keep them."""
        found = {}
        for code, _language in settings.LANGUAGES:
            given = {name: self.cleaned_data.get(f"{name}_{code}") for name in self.texts}
            given = {name: text for name, text in given.items() if text}
            if given:
                found[code] = given
        return found

    def clean_line_counts(self) -> None:
        """A list's translation gives a line for each of its lines: one that
        does not would never be shown (content.translated), so say so now."""
        for name in set(self.texts) & set(LIST_TEXTS):
            lines = self.cleaned_data.get(name)
            if lines is None:
                continue
            for code, _language in settings.LANGUAGES:
                translated = self.cleaned_data.get(f"{name}_{code}")
                if translated and len(translated) != len(lines):
                    self.add_error(
                        f"{name}_{code}",
                        _("Give a line for each of the %(count)s lines of %(field)s, or leave it empty.")
                        % {"count": len(lines), "field": self.fields[name].label},
                    )

    @classmethod
    def initial_translations(cls, translations: dict | None) -> dict:
        return {
            f"{name}_{code}": ((translations or {}).get(code) or {}).get(name, "")
            for code, _language in settings.LANGUAGES
            for name in cls.texts
        }


class RoutineForm(TranslatedTexts, ManagerForm):
    texts = tuple(ROUTINE_TEXTS)

    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    purpose = forms.CharField(
        label=gettext_lazy("Purpose"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    position = forms.ChoiceField(
        label=gettext_lazy("Position"), choices=Position.choices, help_text=gettext_lazy("How the client lies or sits.")
    )
    qualification = forms.ChoiceField(label=gettext_lazy("Qualification needed"), choices=Qualification.choices)
    turnover_minutes = forms.IntegerField(
        label=gettext_lazy("Turnover (minutes)"),
        min_value=0,
        max_value=120,
        help_text=gettext_lazy("After the session: fresh towels, oil and the table."),
        widget=forms.NumberInput(attrs=SHORT),
    )
    surface = forms.CharField(label=gettext_lazy("Surface"), max_length=120)
    oil = forms.CharField(label=gettext_lazy("Oil"), max_length=120, required=False)
    towels = forms.IntegerField(
        label=gettext_lazy("Towels"), min_value=0, max_value=20, widget=forms.NumberInput(attrs=SHORT)
    )
    supports = LinesField(
        label=gettext_lazy("Supports to have ready"), required=False, help_text=gettext_lazy("One per line.")
    )
    precautions = LinesField(label=gettext_lazy("Precautions"), required=False, help_text=gettext_lazy("One per line."))
    aftercare = forms.CharField(
        label=gettext_lazy("After-care advice"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Sent to the client after a completed session: the same for everyone, no health details."
        ),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=RoutineTemplate.Status.choices,
        help_text=gettext_lazy("Archived routines cannot be booked."),
    )
    # The version the manager opened: a save over a newer one is refused first.
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_translation_fields()

    def clean(self):
        data = super().clean()
        self.clean_line_counts()
        return data


class StepForm(TranslatedTexts, ManagerForm):
    texts = ("notes",)

    key = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)
    order = forms.CharField(max_length=8, required=False, widget=forms.HiddenInput)
    technique = forms.ChoiceField(
        label=gettext_lazy("Technique"), error_messages={"required": gettext_lazy("Choose a technique.")}
    )
    areas = forms.MultipleChoiceField(
        label=gettext_lazy("Areas"),
        choices=BodyArea.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Tick at least one area.")},
    )
    direction = forms.ChoiceField(
        label=gettext_lazy("Direction"), choices=[("", gettext_lazy("Not given")), *Direction.choices], required=False
    )
    side = forms.ChoiceField(label=gettext_lazy("Side"), choices=Side.choices)
    pressure = forms.ChoiceField(label=gettext_lazy("Pressure"), choices=Pressure.choices)
    dose_kind = forms.ChoiceField(
        label=gettext_lazy("Dose"),
        choices=[
            (RoutineStep.DoseKind.DURATION, gettext_lazy("Minutes")),
            (RoutineStep.DoseKind.COUNT, gettext_lazy("A count")),
        ],
        widget=forms.RadioSelect,
    )
    min_minutes = forms.IntegerField(
        label=gettext_lazy("Least minutes"),
        min_value=1,
        max_value=240,
        required=False,
        widget=forms.NumberInput(attrs=SHORT),
    )
    max_minutes = forms.IntegerField(
        label=gettext_lazy("Most minutes"),
        min_value=1,
        max_value=240,
        required=False,
        widget=forms.NumberInput(attrs=SHORT),
    )
    count = forms.IntegerField(
        label=gettext_lazy("How many"),
        min_value=1,
        max_value=1000,
        required=False,
        widget=forms.NumberInput(attrs=SHORT),
    )
    unit = forms.CharField(
        label=gettext_lazy("Unit"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("movements, cycles, holds")}),
    )
    seconds_per_unit = forms.IntegerField(
        label=gettext_lazy("Seconds each"),
        min_value=1,
        max_value=3600,
        required=False,
        widget=forms.NumberInput(attrs=SHORT),
    )
    per_side = forms.BooleanField(label=gettext_lazy("On each side"), required=False)
    alternating_minutes = forms.IntegerField(
        label=gettext_lazy("Minutes of stroking alternated, per side"),
        min_value=0,
        max_value=60,
        required=False,
        widget=forms.NumberInput(attrs=SHORT),
    )
    uses_pain_map = forms.BooleanField(label=gettext_lazy("Works the client's pain points"), required=False)
    core = forms.BooleanField(
        label=gettext_lazy("Core step"),
        required=False,
        help_text=gettext_lazy("A plan that would have to leave it out is refused."),
    )
    repeat_of = forms.ChoiceField(label=gettext_lazy("Repeats step"), required=False)
    notes = forms.CharField(
        label=gettext_lazy("Notes"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, techniques: list[Technique], step_choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        # A step added and left empty is an error to fix, not a step silently dropped.
        self.empty_permitted = False
        self.fields["technique"].choices = [("", _("Choose a technique")), *((str(t.pk), t.name) for t in techniques)]
        own = self["key"].value()
        self.fields["repeat_of"].choices = [
            ("", _("No, a step of its own")),
            *((key, label) for key, label in step_choices if key != own),
        ]
        for area in BodyArea.values:
            self.fields[f"lighter_{area}"] = forms.ChoiceField(
                label=_("Pressure on the %(area)s") % {"area": area_words(area)},
                choices=LIGHTER_CHOICES,
                required=False,
            )
        self.add_translation_fields()

    def clean(self):
        data = super().clean()
        # Only the dose the manager chose counts; the other one's boxes may
        # still hold what was typed before switching.
        if data.get("dose_kind") == RoutineStep.DoseKind.DURATION:
            data.update(count=None, unit="", seconds_per_unit=None, per_side=False, alternating_minutes=0)
        elif data.get("dose_kind") == RoutineStep.DoseKind.COUNT:
            data.update(min_minutes=None, max_minutes=None)
            data["alternating_minutes"] = data.get("alternating_minutes") or 0
        return data

    def step_data(self, techniques: dict[str, Technique]) -> dict:
        """The step as ``routine_create``/``routine_update`` take it, without
        ``order`` and ``repeat_of`` (the formset numbers the steps)."""
        data = self.cleaned_data
        areas = [area for area in BodyArea.values if area in data["areas"]]
        return {
            "technique": techniques[data["technique"]],
            "areas": areas,
            "area_pressure": {area: data[f"lighter_{area}"] for area in areas if data.get(f"lighter_{area}")},
            **{name: data[name] for name in ("direction", "side", "pressure", "dose_kind", *DOSE_FIELDS)},
            "uses_pain_map": data["uses_pain_map"],
            "core": data["core"],
            "notes": data["notes"],
            "translations": self.translations(),
        }


class BaseStepFormSet(forms.BaseFormSet):
    def __init__(self, *args, techniques: list[Technique], step_choices: list[tuple[str, str]], **kwargs):
        self.techniques = techniques
        self.step_choices = step_choices
        super().__init__(*args, prefix=PREFIX, **kwargs)

    def get_form_kwargs(self, index):
        return {"techniques": self.techniques, "step_choices": self.step_choices}


StepFormSet = forms.formset_factory(
    StepForm,
    formset=BaseStepFormSet,
    extra=0,
    can_delete=True,
    max_num=MAX_STEPS,
    validate_max=True,
    absolute_max=MAX_STEPS,
)


def _order_of(raw: dict, index: int) -> tuple[int, int]:
    """Where a step stands: its order, then its place in the form (ties, or an order that is no number)."""
    try:
        return (int(str(raw.get("order", "")).strip()), index)
    except ValueError:
        return (10_000 + index, index)


def _whole(value) -> int | None:
    """A whole number as typed (plain digits, a sensible length), or None."""
    text = str(value if value is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else None


def typical_minutes_of(raw: dict) -> int | None:
    """A step's typical minutes from what is typed, by the same arithmetic as
    the plan builder (``StepSpec.typical_minutes``); None while incomplete."""
    kind = raw.get("dose_kind")
    least, most, count, seconds = (_whole(raw.get(name)) for name in [*DOSE_FIELDS[:2], "count", "seconds_per_unit"])
    if kind == RoutineStep.DoseKind.DURATION and least and most and most >= least:
        dose = {"min_minutes": least, "max_minutes": most}
    elif kind == RoutineStep.DoseKind.COUNT and count and seconds:
        dose = {
            "count": count,
            "seconds_per_unit": seconds,
            "per_side": bool(raw.get("per_side")),
            "alternating_minutes": _whole(raw.get("alternating_minutes")) or 0,
        }
    else:
        return None
    return StepSpec(order=0, technique="", hand_part="", areas=(), pressure="", dose_kind=kind, **dose).typical_minutes


@dataclass
class StepRow:
    """One step as the page shows it."""

    form: StepForm
    index: str
    number: int | None  # None: removed on save
    title: str
    minutes: int | None
    focus: str = ""

    @property
    def deleted(self) -> bool:
        return self.number is None

    @property
    def anchor(self) -> str:
        return f"step-{self.index}"

    @property
    def area_rows(self) -> list[dict]:
        boxes = list(self.form["areas"])
        return [
            {"box": box, "pressure": self.form[f"lighter_{area}"], "words": area_words(area)}
            for box, area in zip(boxes, BodyArea.values, strict=True)
        ]


@dataclass
class RoutineEditor:
    """The routine form and its steps formset, as shown and as sent."""

    techniques: list[Technique]
    routine_form: RoutineForm
    steps: BaseStepFormSet
    raw_steps: list[dict]
    focus: dict[str, str] = field(default_factory=dict)  # form index -> the button to focus

    # -- building ----------------------------------------------------------

    @classmethod
    def for_routine(cls, routine: RoutineTemplate, techniques: list[Technique]) -> RoutineEditor:
        """The stored routine, unbound. Steps are keyed ``s<order>``."""
        fields = {name: getattr(routine, name) for name in ROUTINE_FIELDS}
        fields.update(RoutineForm.initial_translations(routine.translations))
        raw_steps = []
        for step in sorted(routine.steps.all(), key=lambda step: step.order):
            raw = {name: getattr(step, name) for name in ("direction", "side", "pressure", "dose_kind", *DOSE_FIELDS)}
            raw.update(
                key=f"s{step.order}",
                order=str(step.order),
                technique=str(step.technique_id),
                areas=list(step.areas),
                uses_pain_map=step.uses_pain_map,
                core=step.core,
                notes=step.notes,
                **StepForm.initial_translations(step.translations),
                repeat_of=f"s{step.repeat_of.order}" if step.repeat_of_id else "",
                DELETE=False,
                **{f"lighter_{area}": pressure for area, pressure in (step.area_pressure or {}).items()},
            )
            raw_steps.append(raw)
        return cls._unbound(techniques, {**fields, "version": routine.version}, raw_steps)

    @classmethod
    def blank(cls, techniques: list[Technique]) -> RoutineEditor:
        """A new routine with one empty step."""
        defaults = {name: RoutineTemplate._meta.get_field(name).get_default() for name in ROUTINE_FIELDS}
        return cls._unbound(techniques, defaults, [_new_step(key="n0", order=1)])

    @classmethod
    def bound(cls, data, techniques: list[Technique]) -> RoutineEditor:
        """What was sent, bound for validation (Save, Preview)."""
        raw_steps = _raw_steps(data, techniques)
        steps = StepFormSet(data, techniques=techniques, step_choices=_step_choices(raw_steps, techniques))
        return cls(techniques, RoutineForm(data), steps, raw_steps)

    @classmethod
    def as_typed(cls, data, techniques: list[Technique]) -> RoutineEditor:
        """What was sent, shown again as typed but not yet judged: after Move,
        Add, Remove or Keep without the page's script."""
        form = RoutineForm(data)
        fields = {name: form[name].value() for name in form.fields}
        return cls._unbound(techniques, fields, _raw_steps(data, techniques))

    @classmethod
    def _unbound(cls, techniques, fields: dict, raw_steps: list[dict]) -> RoutineEditor:
        steps = StepFormSet(initial=raw_steps, techniques=techniques, step_choices=_step_choices(raw_steps, techniques))
        return cls(techniques, RoutineForm(initial=fields), steps, raw_steps)

    # -- the buttons that work without the script ----------------------------

    def with_change(self, action: str, value: str) -> tuple[RoutineEditor, str]:
        """The editor after Move (``value`` "3:up"), Add, Remove ("3") or
        Keep ("3"), with what happened in words. Nothing is saved."""
        raw_steps = [dict(raw) for raw in self.raw_steps]
        index, _colon, direction = value.partition(":")
        focus = {}
        words = ""
        placed = sorted(range(len(raw_steps)), key=lambda i: _order_of(raw_steps[i], i))
        if action == "add" and len(raw_steps) < MAX_STEPS:
            keys = {raw.get("key") for raw in raw_steps}
            key = next(f"n{number}" for number in range(len(raw_steps) + 2) if f"n{number}" not in keys)
            raw_steps.append(_new_step(key=key, order=len(raw_steps) + 1))
            placed.append(len(raw_steps) - 1)
            focus[str(len(raw_steps) - 1)] = "technique"
            words = _("Step %(number)s added at the end.") % {"number": self._live_count(raw_steps)}
        elif action == "add":
            words = _("A routine has at most %(most)s steps.") % {"most": MAX_STEPS}
        elif index.isascii() and index.isdigit() and int(index) < len(raw_steps):
            chosen = int(index)
            title = _title(raw_steps[chosen], self.techniques)
            if action == "move" and direction in {"up", "down"}:
                live = [i for i in placed if not raw_steps[i].get("DELETE")]
                if chosen in live:
                    at = live.index(chosen)
                    other = at - 1 if direction == "up" else at + 1
                    if 0 <= other < len(live):
                        placed.remove(chosen)
                        placed.insert(placed.index(live[other]) + (direction == "down"), chosen)
                        words = _("%(title)s moved to step %(number)s of %(count)s.") % {
                            "title": title,
                            "number": other + 1,
                            "count": len(live),
                        }
                    else:
                        words = (
                            _("%(title)s is already the first step.")
                            if direction == "up"
                            else _("%(title)s is already the last step.")
                        ) % {"title": title}
                    focus[index] = direction
            elif action in {"remove", "keep"}:
                raw_steps[chosen]["DELETE"] = action == "remove"
                focus[index] = "keep" if action == "remove" else "remove"
                words = (
                    _("%(title)s will be removed when you save.") if action == "remove" else _("%(title)s is kept.")
                ) % {"title": title}
        for order, i in enumerate(placed, start=1):
            raw_steps[i]["order"] = str(order)
        fields = {name: self.routine_form[name].value() for name in self.routine_form.fields}
        editor = self._unbound(self.techniques, fields, raw_steps)
        editor.focus = focus
        return editor, (_("%(words)s Not saved yet.") % {"words": words} if words else "")

    def _live_count(self, raw_steps) -> int:
        return sum(1 for raw in raw_steps if not raw.get("DELETE"))

    # -- showing -------------------------------------------------------------

    def rows(self) -> list[StepRow]:
        """The steps in their order, numbered as they will be saved; removed
        ones stay in place, unnumbered, until the save."""
        forms_ = list(self.steps.forms)
        placed = sorted(range(len(forms_)), key=lambda i: _order_of(self.raw_steps[i], i))
        rows, number = [], 0
        for i in placed:
            raw = self.raw_steps[i]
            deleted = bool(raw.get("DELETE"))
            if self.focus.get(str(i)) == "technique":
                forms_[i].fields["technique"].widget.attrs["autofocus"] = True
            number += 0 if deleted else 1
            rows.append(
                StepRow(
                    form=forms_[i],
                    index=str(i),
                    number=None if deleted else number,
                    title=_title(raw, self.techniques),
                    minutes=typical_minutes_of(raw),
                    focus=self.focus.get(str(i), ""),
                )
            )
        return rows

    def empty_row(self) -> StepRow:
        """The form the page's script copies for "Add a step"."""
        return StepRow(form=self.steps.empty_form, index="__prefix__", number=0, title=_("New step"), minutes=None)

    def typical_minutes(self) -> int:
        """The routine's typical length as typed (steps not yet complete count nothing)."""
        return sum(row.minutes or 0 for row in self.rows() if not row.deleted)

    def turnover_minutes(self) -> int:
        return _whole(self.routine_form["turnover_minutes"].value()) or 0

    # -- sending ---------------------------------------------------------------

    def is_valid(self) -> bool:
        valid = self.routine_form.is_valid() & self.steps.is_valid()
        return self._keys_valid() and valid

    def _kept(self) -> list[StepForm]:
        """The steps that stay, in their order (the formset is valid)."""
        deleted = {id(form) for form in self.steps.deleted_forms}
        placed = sorted(range(len(self.steps.forms)), key=lambda i: _order_of(self.raw_steps[i], i))
        return [self.steps.forms[i] for i in placed if id(self.steps.forms[i]) not in deleted]

    def _keys_valid(self) -> bool:
        """Each "repeats step" names a step that stays."""
        if not self.steps.is_valid():
            return False
        kept = {form.cleaned_data.get("key") for form in self._kept()}
        valid = True
        for form in self._kept():
            target = form.cleaned_data.get("repeat_of")
            if target and target not in kept:
                form.add_error("repeat_of", _("That step is to be removed; choose a step that stays, or none."))
                valid = False
        return valid

    def service_input(self) -> tuple[dict, list[dict]]:
        """The routine's fields and its steps, numbered 1 to n, for the service."""
        fields = {name: self.routine_form.cleaned_data[name] for name in ROUTINE_FIELDS}
        fields["translations"] = self.routine_form.translations()
        by_pk = {str(technique.pk): technique for technique in self.techniques}
        kept = self._kept()
        numbers = {form.cleaned_data["key"]: number for number, form in enumerate(kept, start=1)}
        steps = [
            {
                **form.step_data(by_pk),
                "order": number,
                "repeat_of": numbers.get(form.cleaned_data["repeat_of"]) if form.cleaned_data["repeat_of"] else None,
            }
            for number, form in enumerate(kept, start=1)
        ]
        return fields, steps

    def show_refusal(self, refusal: InvalidInput) -> list[str]:
        """Put the service's field messages next to their fields (``steps.<i>.<field>``
        on the i-th step sent); returns the messages that belong to no field."""
        kept = self._kept()
        loose = []
        for name, messages in refusal.fields.items():
            parts = name.split(".")
            if parts[0] == "steps" and len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(kept):
                form = kept[int(parts[1])]
                target = {"area_pressure": "areas", "order": None}.get(parts[2], parts[2]) if len(parts) > 2 else None
                for message in messages:
                    form.add_error(target if target in form.fields else None, message)
            elif name in self.routine_form.fields:
                for message in messages:
                    self.routine_form.add_error(name, message)
            elif name == "slug":
                for message in messages:
                    self.routine_form.add_error("name", message)
            else:
                loose.extend(messages)
        return loose

    def problems(self) -> list[dict]:
        """Every field message, for the summary at the top: where and what."""
        found = [
            {
                "where": self.routine_form[name].label,
                "what": " ".join(errors),
                "anchor": self.routine_form[name].auto_id,
            }
            for name, errors in self.routine_form.errors.items()
            if name in self.routine_form.fields
        ]
        found += [{"where": "", "what": error, "anchor": ""} for error in self.steps.non_form_errors()]
        for row in self.rows():
            if row.deleted:
                continue
            for name, errors in row.form.errors.items():
                bound = row.form[name] if name in row.form.fields else None
                anchor = (bound.auto_id + ("_0" if name in {"areas", "dose_kind"} else "")) if bound else row.anchor
                if bound:
                    label = _("Step %(number)s, %(field)s") % {
                        "number": row.number,
                        "field": _in_a_sentence(bound.label),
                    }
                else:
                    label = _("Step %(number)s") % {"number": row.number}
                found.append({"where": label, "what": " ".join(errors), "anchor": anchor})
        return found


def _in_a_sentence(label) -> str:
    """A field's label after a comma: "Step 2, most minutes" in English;
    German keeps the capitals its nouns need."""
    text = str(label)
    if get_language() == "de" or not text:
        return text
    return text[0].lower() + text[1:]


def _new_step(*, key: str, order: int) -> dict:
    return {
        "key": key,
        "order": str(order),
        "dose_kind": RoutineStep.DoseKind.DURATION,
        "side": Side.BOTH,
        "pressure": Pressure.MEDIUM,
        "areas": [],
        "DELETE": False,
    }


def _raw_steps(data, techniques) -> list[dict]:
    """Each step form's values exactly as sent (strings, lists, booleans)."""
    probe = StepFormSet(data, techniques=techniques, step_choices=[])
    raw_steps = []
    for index, form in enumerate(probe.forms):
        raw = {name: form[name].value() for name in form.fields}
        raw["key"] = raw.get("key") or f"i{index}"
        raw_steps.append(raw)
    return raw_steps


def _title(raw: dict, techniques: list[Technique]) -> str:
    chosen = str(raw.get("technique") or "")
    return next((technique.name for technique in techniques if str(technique.pk) == chosen), _("New step"))


def _step_choices(raw_steps: list[dict], techniques: list[Technique]) -> list[tuple[str, str]]:
    """The steps "repeats step" offers, as "Step 3 · Fingertip stroking". A
    step marked for removal stays on offer, so a step that repeats it is told
    why it cannot."""
    placed = sorted(range(len(raw_steps)), key=lambda i: _order_of(raw_steps[i], i))
    choices, number = [], 0
    for raw in (raw_steps[i] for i in placed):
        if raw.get("DELETE"):
            choices.append((raw["key"], _("Removed · %(title)s") % {"title": _title(raw, techniques)}))
        else:
            number += 1
            choices.append(
                (raw["key"], _("Step %(number)s · %(title)s") % {"number": number, "title": _title(raw, techniques)})
            )
    return choices


def unique_slug(name: str) -> str:
    """A slug for a new routine from its name, not yet taken (nor "new", the
    address of the new-routine page)."""
    base = (slugify(name)[:90] or "routine").strip("-") or "routine"
    if base == "new":
        base = "new-routine"
    taken = set(RoutineTemplate.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    candidates = [base, *(f"{base}-{number}" for number in range(2, len(taken) + 3))]
    return next(slug for slug in candidates if slug not in taken)


# -- the plan preview ----------------------------------------------------------


@dataclass(frozen=True)
class SampleClient:
    """A made-up client: the answers a screening would hold, evaluated by the
    real screening rules, so the preview shows what such a client would get."""

    key: str
    label: str
    answers: dict

    def outcome(self) -> ScreeningOutcome:
        screening = HealthScreening(confirmed_at=timezone.now(), **self.answers)
        return evaluate_screening(screening, today=timezone.localdate())

    @property
    def pain_map(self) -> list[dict]:
        return self.answers.get("pain_map", [])


SAMPLE_CLIENTS = [
    SampleClient("none", gettext_lazy("No findings"), {}),
    SampleClient(
        "pregnant",
        gettext_lazy("Pregnant (side-lying, pregnancy-qualified therapist)"),
        {"pregnant": True, "pregnancy_weeks": 24},
    ),
    SampleClient(
        "lower_back_avoided",
        gettext_lazy("Lower back to be avoided (a wound there)"),
        {"skin_injuries": True, "skin_injury_areas": [BodyArea.LOWER_BACK], "skin_injury_note": "Graze"},
    ),
    SampleClient(
        "light_only", gettext_lazy("Light pressure only (the client's preference)"), {"pressure_preference": "light"}
    ),
    SampleClient(
        "painful_shoulders",
        gettext_lazy("Painful points on the shoulders"),
        {
            "pain_map": [
                {"area": BodyArea.SHOULDERS, "side": Side.RIGHT, "intensity": 7, "note": ""},
                {"area": BodyArea.SHOULDERS, "side": Side.LEFT, "intensity": 5, "note": ""},
            ]
        },
    ),
    SampleClient(
        "neck_pad", gettext_lazy("Lying on the front hurts at the neck (pads)"), {"prone_discomfort": [BodyArea.NECK]}
    ),
    SampleClient(
        "nut_allergy", gettext_lazy("Nut allergy (neutral oil)"), {"oil_or_nut_allergy": True, "allergies": "Almonds"}
    ),
    SampleClient(
        "spine_inflamed",
        gettext_lazy("Acute inflammation of the spine (not cleared)"),
        {"acute_spinal_inflammation": True},
    ),
]
SAMPLES = {sample.key: sample for sample in SAMPLE_CLIENTS}


class PreviewForm(ManagerForm):
    sample = forms.ChoiceField(
        label=gettext_lazy("Sample client"),
        choices=[(sample.key, sample.label) for sample in SAMPLE_CLIENTS],
        required=False,
    )
    minutes = forms.IntegerField(
        label=gettext_lazy("Booked minutes"),
        min_value=5,
        max_value=480,
        required=False,
        help_text=gettext_lazy("Empty: the routine's typical length."),
        widget=forms.NumberInput(attrs=SHORT),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="preview", **kwargs)

    def sample_client(self) -> SampleClient:
        return SAMPLES.get(self.cleaned_data.get("sample") or "none", SAMPLE_CLIENTS[0])
