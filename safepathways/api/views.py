"""Readable API documentation rendered on the server from the OpenAPI schema (no CDN, no script)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator

from safepathways.core.decorators import login_required

METHODS = ("get", "post", "put", "patch", "delete")


@require_GET
@login_required
def docs(request: HttpRequest) -> HttpResponse:
    generator = SchemaGenerator(api_version="v1")  # type: ignore[no-untyped-call]
    schema: dict[str, Any] = generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
    operations = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                operation = item[method]
                operations.append(
                    {
                        "method": method.upper(),
                        "path": path,
                        "summary": operation.get("description", "").strip(),
                        "parameters": operation.get("parameters", []),
                        "responses": sorted(operation.get("responses", {}).keys()),
                        "has_body": "requestBody" in operation,
                    }
                )
    return render(request, "api/docs.html", {"schema": schema, "operations": operations})
