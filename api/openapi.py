"""Makes the published OpenAPI document tell the truth about errors.

Litestar documents a 400 with its own exception shape, while every error here leaves in the error
envelope (api/errors.py), and a validation error is a 422. Each operation gets both, and those
behind the session check also its 401 and 403.
"""

from __future__ import annotations

from litestar.openapi.spec import OpenAPI, OpenAPIResponse, Operation, Reference
from litestar.openapi.spec.media_type import OpenAPIMediaType

ERROR_ENVELOPE = Reference(ref="#/components/schemas/ErrorEnvelope")
EVERY_OPERATION = {
    "400": "The request cannot be read (malformed JSON, a path or query value of the wrong type)",
    "422": "A field is not valid; details name it",
}
SIGNED_IN_ONLY = {
    "401": "Not signed in, or the session expired",
    "403": "The CSRF token is missing or wrong",
}
OPEN_PATHS = frozenset(
    {"/api/catalog", "/api/health", "/metrics", "/api/auth/login", "/api/auth/login/local", "/api/auth/session"}
)


def document_error_envelope(document: OpenAPI) -> None:
    for path, path_item in (document.paths or {}).items():
        errors = (
            EVERY_OPERATION
            if path in OPEN_PATHS or path.startswith("/api/events")
            else EVERY_OPERATION | SIGNED_IN_ONLY
        )
        for method in ("get", "put", "post", "delete", "patch"):
            operation: Operation | None = getattr(path_item, method)
            if operation is None or operation.responses is None:
                continue
            for status, description in errors.items():
                current = operation.responses.get(status)
                keep = current.description if isinstance(current, OpenAPIResponse) and status != "400" else None
                operation.responses[status] = OpenAPIResponse(
                    description=keep or description,
                    content={"application/json": OpenAPIMediaType(schema=ERROR_ENVELOPE)},
                )
