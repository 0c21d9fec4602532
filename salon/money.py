"""Money as the salon keeps it: an integer of minor units (cents, pence) in
the location's ISO 4217 currency, so sums and reports are exact. Prices are
typed as people write them ("65", "65.50", "65,50") and shown in the way of
the language the page is in."""

import re
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from salon.errors import InvalidInput

# Currencies without minor units, or with three; everything else has two.
MINOR_DIGITS = {"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "HUF": 2, "BHD": 3, "KWD": 3, "OMR": 3, "TND": 3}
SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "JPY": "¥", "CHF": "CHF", "SEK": "kr", "NOK": "kr", "DKK": "kr"}
LARGEST_PRICE_MINOR = 10_000_000


def minor_digits(currency: str) -> int:
    return MINOR_DIGITS.get(currency, 2)


PRICE_TYPED = re.compile(r"\d{1,9}([.,]\d+)?")


def money_parse(value: str, *, currency: str, field: str = "price") -> int:
    """A price as typed, in major units (a comma or a point before the
    cents), as minor units; InvalidInput naming ``field`` otherwise."""
    text = (value or "").strip().replace("\u00a0", "").replace(" ", "")
    for symbol in (currency, SYMBOLS.get(currency, "")):
        if symbol:
            text = text.replace(symbol, "")
    digits = minor_digits(currency)
    if not PRICE_TYPED.fullmatch(text):
        raise InvalidInput(
            _("Give the price as a number, e.g. 65.") if digits == 0 else _("Give the price as a number, e.g. 65.00."),
            fields={field: [_("Not a price.")]},
        )
    amount = Decimal(text.replace(",", "."))
    if amount.as_tuple().exponent < -digits:
        raise InvalidInput(
            _("%(currency)s has %(digits)s decimal places at most.") % {"currency": currency, "digits": digits},
            fields={field: [_("At most %(digits)s decimals.") % {"digits": digits}]},
        )
    minor = int(amount.scaleb(digits))
    if minor > LARGEST_PRICE_MINOR:
        raise InvalidInput(_("That price is too large."), fields={field: [_("Too large.")]})
    return minor


def money_plain(minor: int, *, currency: str) -> str:
    """Minor units as a plain decimal in major units ("65.00"), for form fields."""
    digits = minor_digits(currency)
    return f"{Decimal(minor).scaleb(-digits):.{digits}f}"


def money_format(minor: int | None, *, currency: str, language: str | None = None) -> str:
    """ "€65.00" in English, "65,00 €" in German; "" when there is no price."""
    if minor is None:
        return ""
    language = (language or translation.get_language() or "en").lower()
    plain = money_plain(minor, currency=currency)
    whole, _, cents = plain.partition(".")
    grouped = f"{int(whole):,}"
    symbol = SYMBOLS.get(currency, currency)
    if language.startswith("de"):
        number = grouped.replace(",", ".") + (f",{cents}" if cents else "")
        return f"{number}\u00a0{symbol}"
    number = grouped + (f".{cents}" if cents else "")
    return f"{symbol}{number}" if len(symbol) == 1 else f"{symbol}\u00a0{number}"
