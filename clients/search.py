"""Normalising names, phone numbers and search input, so that a receptionist
typing "muller", "Müller" or "0151 2345" finds the client."""

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PHONE_QUERY = re.compile(r"^[+\d][\d\s()./-]{2,}$")


def fold(text: str) -> str:
    """Lower-case, accents removed, ß as ss, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.replace("ı", "i").split())


def name_keys(given_name: str, family_name: str) -> dict[str, str]:
    return {"name_key": fold(f"{given_name} {family_name}"), "family_key": fold(family_name)}


def normalise_phone(raw: str, *, region: str) -> str:
    """E.164 (``+493012345678``), or a ValidationError naming the problem."""
    raw = raw.strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("This is not a phone number."), code="invalid_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("This phone number is not valid; include the country code, e.g. +49 30 1234567."), code="invalid_phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_prefix(query: str, *, region: str) -> str | None:
    """The E.164 prefix a partly typed number stands for, or None when the
    query is not a number."""
    if not PHONE_QUERY.match(query.strip()):
        return None
    digits = re.sub(r"\D", "", query)
    if query.strip().startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    country = phonenumbers.country_code_for_region(region)
    if digits.startswith("0"):
        return f"+{country}{digits[1:]}"
    return f"+{country}{digits}"
