"""Domain errors raised by services, the one error dialect of the project.

Services raise only these (``full_clean()`` goes through :func:`validate`,
which turns Django's ``ValidationError`` into :class:`InvalidInput` naming
the fields). :data:`HTTP_STATUS` gives each class its status, used by the
API's exception handler (``salon.rest.exception_handler``) and by every page;
:func:`error_words` gives the sentence a page shows.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A use case refused. ``code`` is stable and machine-readable; ``detail``
    is for people; ``fields`` maps field names to messages."""

    default_code = "invalid"
    default_detail = _("The request could not be carried out.")

    def __init__(self, detail: str | None = None, *, code: str | None = None, fields: dict | None = None):
        # Worded now, in the language of the request or message being answered.
        self.detail = str(detail or self.default_detail)
        self.code = code or self.default_code
        self.fields = fields or {}
        super().__init__(self.detail)


class InvalidInput(DomainError):
    """The input breaks a rule (400)."""

    @classmethod
    def for_fields(cls, fields: dict, *, code: str = "invalid") -> "InvalidInput":
        """A refusal made of field messages (``{"name": ["..."]}``), described in ``detail``."""
        flat = flatten_field_errors(fields)
        return cls(describe_field_errors(flat), code=code, fields=flat)


class Conflict(DomainError):
    """The input is fine but clashes with what is stored, e.g. a therapist
    already busy or a status that does not allow the change (409)."""

    default_code = "conflict"
    default_detail = _("The request conflicts with the current state.")


class NotFound(DomainError):
    default_code = "not_found"
    default_detail = _("Not found.")


class Forbidden(DomainError):
    """The user may not do this (403)."""

    default_code = "permission_denied"
    default_detail = _("You may not do this.")


class Gone(DomainError):
    """It existed but is no more to be had, e.g. a spent or expired link (410)."""

    default_code = "gone"
    default_detail = _("This is no longer available.")


class TooLarge(DomainError):
    """The request is over a size limit (413)."""

    default_code = "too_large"
    default_detail = _("The request is too large.")


# Most specific first: an error may be of two kinds (a link that is not
# found is also a refused link).
class TooManyRequests(DomainError):
    """Too many tries from one caller in a short time (429)."""

    default_code = "throttled"
    default_detail = _("Too many tries in a short time; wait a minute and try again.")


HTTP_STATUS = {
    Forbidden: 403,
    NotFound: 404,
    Gone: 410,
    Conflict: 409,
    TooLarge: 413,
    TooManyRequests: 429,
    InvalidInput: 400,
}


def http_status(error: DomainError) -> int:
    return next((code for cls, code in HTTP_STATUS.items() if isinstance(error, cls)), 400)


def flatten_field_errors(errors, prefix: str = "") -> dict[str, list[str]]:
    """Errors nested as dicts and lists (``{"pain_map": [{}, {"side": [..]}]}``)
    flattened to dotted names (``pain_map.1.side``) with a list of messages."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            flat.update(flatten_field_errors(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(errors, list) and any(isinstance(item, dict | list) for item in errors):
        for index, value in enumerate(errors):
            if value:
                flat.update(flatten_field_errors(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        messages = errors if isinstance(errors, list) else [errors]
        flat[prefix or "non_field_errors"] = [str(message) for message in messages]
    return flat


def describe_field_errors(fields: dict[str, list[str]]) -> str:
    """One sentence that names every field, for readers of ``detail`` only."""
    parts = []
    for name, messages in fields.items():
        text = " ".join(messages)
        parts.append(text if name in {"non_field_errors", "__all__"} else f"{name}: {text}")
    return " ".join(parts) or gettext("The input is not valid.")


def invalid_input(error: ValidationError) -> InvalidInput:
    """Django's ValidationError (from a model's ``full_clean()`` or a
    validator) as the domain's InvalidInput, naming its fields."""
    fields = flatten_field_errors(error.message_dict if hasattr(error, "error_dict") else error.messages)
    codes = [item.code for item in error.error_list if item.code] if hasattr(error, "error_list") else []
    detail = describe_field_errors(fields) if hasattr(error, "error_dict") else " ".join(error.messages)
    return InvalidInput(detail, code=codes[0] if codes else "invalid", fields=fields)


def validate(instance, **options) -> None:
    """``instance.full_clean(**options)``, refusing with InvalidInput."""
    try:
        instance.full_clean(**options)
    except ValidationError as error:
        raise invalid_input(error) from None


def error_words(error: DomainError) -> str:
    """What a page says about a refusal: services word ``detail`` for people;
    a refusal with only field messages is described from them."""
    if error.detail == error.default_detail and error.fields:
        return describe_field_errors(error.fields)
    return error.detail
