"""What comes in from outside, read one way everywhere: dates and date-times
(API fields and filters, form fields, page query parameters), ids in page
query parameters, names that must be visible, and text that fits.

Python's dates reach year 9999 and its offsets 23:59, PostgreSQL's offsets
only 15:59, and arithmetic near either end overflows (a day after 9999-12-31,
a Berlin midnight on 0001-01-01). So every date is checked against one range
(``FIRST_YEAR`` to ``LAST_YEAR``) and every offset against PostgreSQL's, and a
date-time without an offset is refused on the API rather than guessed.
"""

import datetime
import unicodedata

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from salon.errors import InvalidInput

FIRST_YEAR = 1900
LAST_YEAR = 2200
# PostgreSQL's limit for an offset; no place on earth is further than 14:00.
MAX_OFFSET = datetime.timedelta(hours=15, minutes=59)
# The largest id a query parameter may name (PostgreSQL's bigint).
MAX_ID = 2**63 - 1

OUT_OF_RANGE = format_lazy(_("Give a date between {first} and {last}."), first=FIRST_YEAR, last=LAST_YEAR)
OFFSET_OUT_OF_RANGE = _("Give an offset between -15:59 and +15:59, e.g. +01:00.")
NAIVE = _("Give the time with its offset from UTC, e.g. 2025-03-01T10:00:00+01:00.")


def date_problem(value: datetime.date) -> str | None:
    """Why a date (or a date-time) cannot be taken; None when it can."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        return OUT_OF_RANGE
    if isinstance(value, datetime.datetime) and value.utcoffset() is not None and abs(value.utcoffset()) > MAX_OFFSET:
        return OFFSET_OUT_OF_RANGE
    return None


def _checked(value, *, code: str):
    problem = date_problem(value) if value is not None else None
    if problem:
        raise ValidationError(problem, code="offset_out_of_range" if problem == OFFSET_OUT_OF_RANGE else code)
    return value


def parse_day(value: str, *, field: str) -> datetime.date:
    """A day given as YYYY-MM-DD in a query parameter, or InvalidInput naming ``field``."""
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(_("Give the date as YYYY-MM-DD."), fields={field: [_("Use YYYY-MM-DD.")]}) from None
    if date_problem(day):
        raise InvalidInput(OUT_OF_RANGE, code="date_out_of_range", fields={field: [OUT_OF_RANGE]})
    return day


def parse_id(value: str | None, *, field: str) -> int | None:
    """An id in a page's query parameter: None when absent, InvalidInput when no id."""
    if value in (None, ""):
        return None
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_ID:
        raise InvalidInput(
            format_lazy(_("{field} must be a number."), field=field),
            code="invalid_id",
            fields={field: [_("Give a number.")]},
        )
    return int(value)


# Forms (pages).


class DateFormField(forms.DateField):
    """A form's date, within the one range."""

    def to_python(self, value):
        return _checked(super().to_python(value), code="date_out_of_range")


class DateTimeFormField(forms.DateTimeField):
    """A form's date-time, within the one range (a page's wall-clock time has
    no offset: it is the salon's local time)."""

    def to_python(self, value):
        return _checked(super().to_python(value), code="date_out_of_range")


# The API.


class DateField(serializers.DateField):
    """A date on the API, within the one range."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        try:
            return _checked(day, code="date_out_of_range")
        except ValidationError as error:
            raise serializers.ValidationError(error.messages, code=error.code) from None


@extend_schema_field({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$", "example": "09:00"})
class WallClockTimeField(serializers.TimeField):
    """A time of day on a location's wall clock (opening hours, shifts), as
    ``HH:MM`` or ``HH:MM:SS`` without an offset: the location's zone gives
    it one on each date. (JSON Schema's "time" format would demand an offset.)"""


class DateTimeField(serializers.DateTimeField):
    """A date-time on the API: with an offset (else refused, code
    ``naive_datetime``), within the one range and PostgreSQL's offsets."""

    def to_internal_value(self, value):
        if isinstance(value, str):
            from django.utils.dateparse import parse_datetime

            try:
                parsed = parse_datetime(value)
            except ValueError:
                parsed = None
            if parsed is not None:
                if parsed.tzinfo is None:
                    raise serializers.ValidationError(NAIVE, code="naive_datetime")
                try:
                    _checked(parsed, code="date_out_of_range")
                except ValidationError as error:
                    raise serializers.ValidationError(error.messages, code=error.code) from None
        return super().to_internal_value(value)


class IsoDateTimeFormField(django_filters.fields.IsoDateTimeField):
    def to_python(self, value):
        return _checked(super().to_python(value), code="date_out_of_range")


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """A date-time filter of the API (ISO 8601 with offset), within the one range."""

    field_class = IsoDateTimeFormField


# Names and text.

# Whitespace, controls, format characters (zero-width space, joiners,
# direction marks) and unassigned or private code points show nothing.
INVISIBLE_CATEGORIES = {"Zs", "Zl", "Zp", "Cc", "Cf", "Cn", "Co", "Cs", "Mn", "Me"}


def has_visible_character(text: str) -> bool:
    return any(unicodedata.category(character) not in INVISIBLE_CATEGORIES for character in text)


def validate_visible(value: str) -> None:
    """A name someone can read: not empty, blank or made of invisible characters only."""
    if value and not has_visible_character(value):
        raise ValidationError(_("Give a name with letters in it."), code="invisible")


def validate_not_in_future(value: datetime.date) -> None:
    """A day that has happened (an injury, a birth), in the one range."""
    from django.utils import timezone

    if value > timezone.localdate():
        raise ValidationError(_("This cannot be in the future."), code="in_future")
    if value.year < FIRST_YEAR:
        raise ValidationError(
            format_lazy(_("Give a date from {first} on."), first=FIRST_YEAR), code="date_out_of_range"
        )


class LimitedTextField(models.TextField):
    """A TextField whose ``max_length`` holds everywhere, not only in forms:
    model validation (so services) refuses longer text, and serializers
    built from the model show ``maxLength`` in the schema."""

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        self.validators.append(MaxLengthValidator(max_length))


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer with the dates and date-times of this module, so
    a model's date field is read the one way on the API too."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: DateField,
        models.DateTimeField: DateTimeField,
    }
