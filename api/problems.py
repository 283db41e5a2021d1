"""Errors as RFC 9457 problem details (``application/problem+json``)."""

from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM = "application/problem+json"


def problem(status_code, detail, *, title=None, errors=None, headers=None):
    body = {"type": "about:blank", "title": title or HTTPStatus(status_code).phrase, "status": status_code}
    body["detail"] = detail
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM)


def _messages(exc):
    if hasattr(exc, "message_dict"):
        return {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def problem_handler(exc, context):
    """DRF's exceptions, and the services' Django ones (the rules are checked where the write happens)."""
    if isinstance(exc, DjangoValidationError):
        errors = _messages(exc)
        first = next(iter(errors.values()))[0]
        return problem(status.HTTP_400_BAD_REQUEST, first, errors=errors)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    headers = {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        return problem(response.status_code, "The request has invalid fields.", errors=errors, headers=headers)
    detail = data.get("detail", "") if isinstance(data, dict) else str(data)
    return problem(response.status_code, str(detail), headers=headers)
