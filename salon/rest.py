"""API plumbing shared by every app: pagination and the one exception handler
that gives every error the same shape, ``{"code", "detail", "fields"}``."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from salon.errors import DomainError, describe_field_errors, flatten_field_errors, http_status, invalid_input


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


def error_body(*, code: str, detail: str, fields: dict | None = None) -> dict:
    return {"code": code, "detail": detail, "fields": fields or {}}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):  # a model validated outside a service, e.g. by a serializer
        exc = invalid_input(exc)

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
        response.data = error_body(code="invalid", detail=describe_field_errors(fields), fields=fields)
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        response.data = error_body(code=code, detail=str(exc.detail))
    return response
