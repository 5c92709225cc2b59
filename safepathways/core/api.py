"""REST plumbing shared by every app's api.py: token authentication, pagination, error format."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from safepathways.core.errors import ApplicationError, ConflictError


class Pagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


def _flatten(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    if isinstance(detail, dict):
        items: list[dict[str, str]] = []
        for key, value in detail.items():
            field = key if key != "non_field_errors" else ""
            items.extend(_flatten(value, f"{prefix}.{field}" if prefix and field else (field or prefix)))
        return items
    if isinstance(detail, list):
        items = []
        for value in detail:
            items.extend(_flatten(value, prefix))
        return items
    return [{"field": prefix, "message": str(detail)}]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Errors as JSON that name the field: {"detail": ..., "errors": [{"field", "message"}]}."""
    if isinstance(exc, ApplicationError):
        existing = getattr(exc, "existing", None)
        # 409 when the request clashed with the record as it now stands (another user changed it first, or it
        # duplicates an existing record); 400 for anything else the service refused.
        conflict = isinstance(exc, ConflictError) or existing is not None
        code = status.HTTP_409_CONFLICT if conflict else status.HTTP_400_BAD_REQUEST
        body: dict[str, Any] = {"detail": exc.message, "errors": [{"field": exc.field or "", "message": exc.message}]}
        if existing is not None:
            body["existing"] = {"id": str(existing.pk), "reference": existing.reference}
        return Response(body, status=code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(response.data)
        response.data = {"detail": "Check the fields named in errors", "errors": errors}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"]), "errors": []}
    return response
