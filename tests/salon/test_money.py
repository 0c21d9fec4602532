"""Prices as people type them and read them: whole minor units inside,
"72,50" or "72.50" typed, "€72.50" (or "72,50 €" in German) shown."""

import pytest
from django.utils import translation

from salon.errors import InvalidInput
from salon.money import money_format, money_parse, money_plain


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [("72", "EUR", 7200), ("72,50", "EUR", 7250), ("72.5", "EUR", 7250), ("€ 72.50", "EUR", 7250),
     ("0", "EUR", 0), ("1500", "JPY", 1500), ("12.345", "KWD", 12345)],
)  # fmt: skip
def test_prices_as_typed_become_minor_units(typed, currency, minor):
    assert money_parse(typed, currency=currency) == minor


@pytest.mark.parametrize("typed", ["", "abc", "-5", "7.255", "1e26", "1_000", "NaN", "Infinity", "1.000,50"])
def test_what_is_not_a_price_is_refused_naming_the_field(typed):
    with pytest.raises(InvalidInput) as refused:
        money_parse(typed, currency="EUR", field="lengths.0.price")

    assert list(refused.value.fields) == ["lengths.0.price"]


def test_yen_have_no_cents():
    with pytest.raises(InvalidInput):
        money_parse("1500.50", currency="JPY")


def test_prices_are_shown_in_the_pages_language():
    with translation.override("en"):
        assert money_format(725050, currency="EUR") == "€7,250.50"
        assert money_format(4500, currency="CHF") == "CHF\u00a045.00"
    with translation.override("de"):
        assert money_format(725050, currency="EUR") == "7.250,50\u00a0€"
    assert money_format(None, currency="EUR") == ""
    assert money_plain(7250, currency="EUR") == "72.50"
