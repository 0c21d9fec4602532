"""Routine content in more than one language.

What a salon writes about its routines (names, step notes, after-care advice,
the menu's description for clients) is content, not interface: gettext cannot
translate it. Each model that holds such text has a ``translations`` field,
language code -> {field name: text}, e.g. ``{"de": {"name": "Klassische
Rückenmassage"}}``. The field itself holds the text as the salon wrote it, in
the salon's language; :func:`text_in` picks the reader's language and falls
back to that text when a translation is missing or empty.

A list field (supports, precautions) is translated line by line: its
translation is a list of the same length, used only while it still matches
the lines it translates.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import get_language, gettext

from salon.compiled import CompiledForIds

# The longest line of a translated list field (supports, precautions).
LONGEST_LINE = 300


def _languages() -> list[str]:
    return [code for code, _ in settings.LANGUAGES]


@deconstructible
class TranslationsValidator:
    """``translations`` holds only known languages and fields: strings no
    longer than the field allows, or, for list fields, lists of such lines."""

    def __init__(self, texts: dict[str, int], lists: tuple[str, ...] = ()):
        self.texts = dict(texts)
        self.lists = tuple(lists)

    def __eq__(self, other):
        return isinstance(other, TranslationsValidator) and (self.texts, self.lists) == (other.texts, other.lists)

    def __call__(self, value) -> None:
        if not isinstance(value, dict):
            raise ValidationError(
                gettext('Give an object of languages, e.g. {"de": {"name": "..."}}.'), code="invalid_translations"
            )
        known = [*self.texts, *self.lists]
        problems = []
        for language, texts in value.items():
            if language not in _languages():
                problems.append(
                    gettext("%(language)s: not one of the languages offered (%(offered)s).")
                    % {"language": language, "offered": ", ".join(_languages())}
                )
                continue
            if not isinstance(texts, dict):
                problems.append(
                    gettext("%(language)s: give an object of field names and their text.") % {"language": language}
                )
                continue
            for name, text in texts.items():
                where = f"{language}.{name}"
                if name in self.lists:
                    if not isinstance(text, list) or not all(isinstance(line, str) for line in text):
                        problems.append(gettext("%(where)s: give a list of lines of text.") % {"where": where})
                    elif any(len(line) > LONGEST_LINE for line in text):
                        problems.append(
                            gettext("%(where)s: a line may have at most %(most)s characters.")
                            % {"where": where, "most": LONGEST_LINE}
                        )
                elif name in self.texts:
                    if not isinstance(text, str):
                        problems.append(gettext("%(where)s: give the text as a string.") % {"where": where})
                    elif len(text) > self.texts[name]:
                        problems.append(
                            gettext("%(where)s: at most %(most)s characters.")
                            % {"where": where, "most": self.texts[name]}
                        )
                else:
                    problems.append(
                        gettext("%(where)s: not a translatable field; use %(known)s.")
                        % {"where": where, "known": ", ".join(known)}
                    )
        if problems:
            raise ValidationError(problems, code="invalid_translations")


def reader_languages(language: str | None = None) -> list[str]:
    """The languages to try, most specific first: "de-at", then "de"."""
    language = (language or get_language() or "").lower()
    if not language:
        return []
    base = language.split("-", 1)[0]
    return [language] if base == language else [language, base]


def translated(translations: dict | None, field: str, original, language: str | None = None):
    """``original`` in the reader's language: its translation when there is a
    usable one, else ``original`` itself (the text as the salon wrote it)."""
    for code in reader_languages(language):
        text = ((translations or {}).get(code) or {}).get(field)
        if isinstance(original, list | tuple):
            # A list translation that no longer matches its lines is stale.
            if isinstance(text, list) and len(text) == len(original) and all(line.strip() for line in text):
                return list(text)
        elif isinstance(text, str) and text.strip():
            return text
    return original


def text_in(obj, field: str, language: str | None = None):
    """``obj.<field>`` in ``language`` (default: the active one), falling back
    to the field's own text. ``obj`` is any object with ``translations`` (a
    model instance or a plain record such as a menu entry)."""
    return translated(getattr(obj, "translations", None), field, getattr(obj, field), language)


def kept_translations(translations: dict | None, *, before: dict, after: dict) -> dict:
    """The translations still true after an edit: a field whose own text
    changed loses its translations (a translation of the old text would tell
    the reader something the salon no longer says); the rest are kept."""
    changed = {name for name, text in before.items() if after.get(name, text) != text}
    kept = {}
    for language, texts in (translations or {}).items():
        still = {name: text for name, text in (texts or {}).items() if name not in changed}
        if still:
            kept[language] = still
    return kept


def _steps_of_routines(ids):
    from routines.models import RoutineStep

    return RoutineStep.objects.filter(routine_id__in=ids).select_related("routine")


# Every session page and day page reads them: the query built once per number of routines.
_STEPS_OF_ROUTINES = CompiledForIds(_steps_of_routines)


class ContentWords:
    """The translations a set of session plans can use, read in two queries
    whatever the number of plans: each plan's routine version with its steps,
    and the techniques (by name, as plans keep them). Plans keep the
    routine's words as written; a page swaps in the reader's language with
    :meth:`routine_text`, :meth:`step_text` and :meth:`technique_name`, only
    where the plan's text is still the text the translation was written for."""

    def __init__(self, routine_ids, techniques=None):
        """``techniques``: the names of the techniques the plans use, the only
        ones read (every technique when None)."""
        from routines.models import Technique

        steps = _STEPS_OF_ROUTINES.objects(sorted({pk for pk in routine_ids if pk}))
        self.routines = {}
        self.steps = {}
        for step in steps:
            self.routines[step.routine_id] = step.routine
            self.steps[(step.routine_id, step.order)] = step
        named = Technique.objects.all() if techniques is None else Technique.objects.filter(name__in=set(techniques))
        self.techniques = dict(named.values_list("name", "translations"))

    def routine_text(self, routine_id, field: str, text):
        routine = self.routines.get(routine_id)
        if routine is None or getattr(routine, field) != (list(text) if isinstance(text, tuple) else text):
            return text
        return text_in(routine, field)

    def routine_lines(self, routine_id, field: str, lines) -> list[str]:
        """``lines`` (a plan's, which may add its own to the routine's) with
        each of the routine's lines in the reader's language."""
        routine = self.routines.get(routine_id)
        if routine is None:
            return list(lines)
        own = getattr(routine, field) or []
        words = dict(zip(own, text_in(routine, field), strict=True))
        return [words.get(line, line) for line in lines]

    def step_text(self, routine_id, order, field: str, text: str) -> str:
        step = self.steps.get((routine_id, order))
        if step is None or getattr(step, field) != text:
            return text
        return text_in(step, field)

    def technique_name(self, name: str) -> str:
        return translated(self.techniques.get(name), "name", name)
