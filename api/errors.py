"""Maps every error to the error envelope, in one place."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

import psycopg
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from psycopg_pool import PoolTimeout

from api.schemas.envelope import ErrorBody, ErrorEnvelope
from finops.domain.errors import CloudError, DatabaseError, FinopsError, StorageError, VaultError
from finops.domain.redaction import redact

logger = logging.getLogger("finops.api")

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "unprocessable",
    429: "rate_limited",
    503: "unavailable",
}


class ApiError(HTTPException):
    """An error with a machine-readable code, raised by controllers."""

    def __init__(
        self, status_code: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status_code=status_code, detail=message, headers=headers)
        self.code = code
        self.details = details


def error_response(
    status_code: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> Response[ErrorEnvelope]:
    return Response(
        ErrorEnvelope(ErrorBody(code=code, message=message, details=details)),
        status_code=status_code,
        media_type=MediaType.JSON,
        headers=headers,
    )


def handle_api_error(_: Request[Any, Any, Any], error: ApiError) -> Response[ErrorEnvelope]:
    return error_response(error.status_code, error.code, error.detail, error.details, error.headers)


def handle_validation_error(_: Request[Any, Any, Any], error: ValidationException) -> Response[ErrorEnvelope]:
    """422 with one entry per field: ``{"field", "message", "source"}`` (body, query, path, header, cookie)."""
    problems = error.extra if isinstance(error.extra, list) else []
    details = [
        {
            "field": _field(str(problem.get("key") or ""), str(problem.get("message") or "")),
            "message": str(problem.get("message") or "is not valid"),
            "source": str(problem.get("source") or "body"),
        }
        for problem in problems
        if isinstance(problem, dict)
    ]
    return error_response(HTTP_422_UNPROCESSABLE_ENTITY, "validation_error", _summary(error, details), details)


def _field(key: str, message: str) -> str:
    """The field a problem is about; msgspec names an unknown field only in its message."""
    unknown = _UNKNOWN_FIELD.search(message)
    if unknown and key in ("", "data"):
        return unknown["name"]
    return key


_UNKNOWN_FIELD = re.compile(r"unknown field `(?P<name>[^`]+)`")


def _summary(error: ValidationException, details: list[dict[str, str]]) -> str:
    if details and details[0]["field"]:
        return f"{details[0]['field']}: {details[0]['message']}"
    return str(error.detail) if error.detail else "the request is not valid"


def handle_http_error(_: Request[Any, Any, Any], error: HTTPException) -> Response[ErrorEnvelope]:
    code = _CODES.get(error.status_code, "error")
    return error_response(error.status_code, code, error.detail, error.extra or None, error.headers)


def handle_finops_error(request: Request[Any, Any, Any], error: FinopsError) -> Response[ErrorEnvelope]:
    """A cloud or the database failing is the server's trouble (502/503), not a bad request."""
    if isinstance(error, (CloudError, StorageError, VaultError, DatabaseError)):
        logger.warning(
            "upstream failure path=%s category=%s: %s", request.url.path, error.category, redact(error.message)
        )
        status = HTTP_503_SERVICE_UNAVAILABLE if error.transient or isinstance(error, DatabaseError) else 502
        return error_response(status, f"{error.category}_unavailable", _UPSTREAM[error.category])
    return error_response(HTTP_400_BAD_REQUEST, error.category, redact(error.message))


_UPSTREAM = {
    "cloud": "the cloud API did not answer as expected: try again in a moment",
    "storage": "object storage did not answer as expected: try again in a moment",
    "vault": "the vault did not answer as expected: try again in a moment",
    "database": "the database is not available: try again in a moment",
}


def handle_database_down(request: Request[Any, Any, Any], error: Exception) -> Response[ErrorEnvelope]:
    """PostgreSQL unreachable or restarting: say so (503), never answer as if there were no data."""
    request_id = uuid.uuid4().hex
    logger.warning("database unavailable request_id=%s path=%s: %s", request_id, request.url.path, redact(str(error)))
    return error_response(
        HTTP_503_SERVICE_UNAVAILABLE,
        "database_unavailable",
        _UPSTREAM["database"],
        {"request_id": request_id},
        {"Retry-After": "5", REQUEST_ID_HEADER: request_id},
    )


def handle_unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[ErrorEnvelope]:
    """The trace goes to the log under a request id; the client gets only that id to quote."""
    request_id = uuid.uuid4().hex
    logger.exception("unhandled error request_id=%s path=%s", request_id, request.url.path)
    return error_response(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "internal_error",
        f"an unexpected error occurred; quote request id {request_id} when reporting it",
        {"request_id": request_id},
        {REQUEST_ID_HEADER: request_id},
    )


REQUEST_ID_HEADER = "X-Request-ID"
EXCEPTION_HANDLERS = {
    ApiError: handle_api_error,
    ValidationException: handle_validation_error,
    HTTPException: handle_http_error,
    FinopsError: handle_finops_error,
    psycopg.OperationalError: handle_database_down,
    PoolTimeout: handle_database_down,
    Exception: handle_unexpected,
}
