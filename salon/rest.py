"""API plumbing shared by every app: pagination and the one exception handler
that gives every error the same shape, ``{"code", "detail", "fields"}``."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from salon.errors import Conflict, DomainError, InvalidInput, NotFound

DOMAIN_ERROR_STATUS = {
    InvalidInput: status.HTTP_400_BAD_REQUEST,
    Conflict: status.HTTP_409_CONFLICT,
    NotFound: status.HTTP_404_NOT_FOUND,
}


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


def error_body(*, code: str, detail: str, fields: dict | None = None) -> dict:
    return {"code": code, "detail": detail, "fields": fields or {}}


def flatten_field_errors(errors, prefix: str = "") -> dict[str, list[str]]:
    """DRF nests errors as dicts and lists (``{"pain_map": [{}, {"side": [..]}]}``);
    flatten them to dotted names (``pain_map.1.side``) with a list of messages."""
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
    """One sentence that names every field, for clients that show only ``detail``."""
    parts = []
    for name, messages in fields.items():
        text = " ".join(messages)
        parts.append(text if name in {"non_field_errors", "__all__"} else f"{name}: {text}")
    return " ".join(parts) or "The input is not valid."


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        fields = flatten_field_errors(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
        exc = InvalidInput(describe_field_errors(fields), fields=fields)

    if isinstance(exc, DomainError):
        set_rollback()
        status_code = next(
            (code for cls, code in DOMAIN_ERROR_STATUS.items() if isinstance(exc, cls)),
            status.HTTP_400_BAD_REQUEST,
        )
        return Response(error_body(code=exc.code, detail=exc.detail, fields=exc.fields), status=status_code)

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
