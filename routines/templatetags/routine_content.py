"""``{{ routine|content:"name" }}``: a routine's (step's, technique's, menu
entry's) text in the active language, else as the salon wrote it."""

from django import template

from routines.content import text_in

register = template.Library()


@register.filter
def content(obj, field: str):
    if obj is None or obj == "":
        return ""
    return text_in(obj, field)
