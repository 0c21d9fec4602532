"""``{% load money %}{{ price_minor|money:currency }}``: a price in minor units shown for people."""

from django import template

from salon.money import money_format

register = template.Library()


@register.filter
def money(minor, currency: str) -> str:
    return money_format(minor, currency=currency)
