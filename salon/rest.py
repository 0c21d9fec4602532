"""API plumbing shared by every app: pagination and the one exception handler
that gives every error the same shape, ``{"code", "detail", "fields"}`` (the
JSON parser is in ``salon.parsers``)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from salon.errors import (
    DomainError,
    InvalidInput,
    TooLarge,
    describe_field_errors,
    flatten_field_errors,
    http_status,
    invalid_input,
)


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


def error_body(*, code: str, detail: str, fields: dict | None = None) -> dict:
    return {"code": code, "detail": detail, "fields": fields or {}}


# Field codes that say more than "invalid" and become the answer's code
# when every field error of a refusal carries the same one.
SPECIFIC_CODES = {"naive_datetime", "date_out_of_range", "offset_out_of_range"}


def _leaf_codes(codes) -> set:
    if isinstance(codes, dict):
        return set().union(*map(_leaf_codes, codes.values()))
    if isinstance(codes, list):
        return set().union(*map(_leaf_codes, codes))
    return {codes}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):  # a model validated outside a service, e.g. by a serializer
        exc = invalid_input(exc)
    elif isinstance(exc, RequestDataTooBig):  # Django's own limit, met reading a form body
        exc = TooLarge(_("The request body is too large."))
    elif isinstance(exc, TooManyFieldsSent):
        exc = InvalidInput(_("Too many fields."), code="too_many_fields")

    if isinstance(exc, DomainError):
        set_rollback()
        return Response(error_body(code=exc.code, detail=exc.detail, fields=exc.fields), status=http_status(exc))

    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args[:1])
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django logs it and answers 500

    if isinstance(exc, exceptions.ValidationError):
        fields = flatten_field_errors(exc.detail)
        codes = _leaf_codes(exc.get_codes())
        code = codes.pop() if len(codes) == 1 and codes <= SPECIFIC_CODES else "invalid"
        response.data = error_body(code=code, detail=describe_field_errors(fields), fields=fields)
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        response.data = error_body(code=code, detail=str(exc.detail))
    return response
