from __future__ import annotations

import hmac
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import urlsplit

import httpx
from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromQuery, JSONBody

from api.errors import ApiError
from api.prefect_events import PrefectUnavailable, object_changed_event, publish
from api.schemas.envelope import Envelope, ErrorEnvelope
from api.schemas.events import AcceptedEvent, ConfirmedSubscription
from finops.config import Settings
from finops.delivery_rules import delivery_rules
from finops.domain.errors import ParseError
from finops.domain.oci_events import parse_object_event

CONFIRMATION_HEADER = "x-oci-ns-messagetype"
DELIVERY_DEPLOYMENT = "deliver-reports/deliver-reports"


class OciEventsController(Controller):
    path = "/api/events/oci"
    tags = ["events"]

    @post(
        "/",
        operation_id="receiveOciEvent",
        summary="Receive an OCI Object Storage event (directly or through OCI Notifications)",
        description=(
            "Starts deliver-reports for a created or updated object of a configured bucket. The `token` query "
            "parameter must equal FINOPS_EVENTS_TOKEN. A Notifications subscription confirmation is confirmed."
        ),
        status_code=202,
        exclude_from_csrf=True,
        responses={
            401: ResponseSpec(data_container=ErrorEnvelope, description="Missing or wrong token"),
            404: ResponseSpec(data_container=ErrorEnvelope, description="The bucket is not configured"),
            422: ResponseSpec(data_container=ErrorEnvelope, description="Not an object create/update event"),
            503: ResponseSpec(data_container=ErrorEnvelope, description="Prefect is unavailable; retry later"),
        },
    )
    async def receive(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[Any],
        settings: NamedDependency[Settings],
        token: FromQuery[str] = "",
    ) -> Response[Envelope[AcceptedEvent] | Envelope[ConfirmedSubscription]]:
        _check_token(settings, token)
        if request.headers.get(CONFIRMATION_HEADER, "").lower() == "subscriptionconfirmation":
            return Response(Envelope(await _confirm(request, data, settings)), status_code=200)
        try:
            event = parse_object_event(data)
        except ParseError as error:
            raise ApiError(422, "not_an_object_event", error.message) from None
        if not any(
            rule.source.kind == "oci" and (rule.source.namespace, rule.source.bucket) == (event.namespace, event.bucket)
            for rule in delivery_rules(settings)
        ):
            raise ApiError(
                404, "bucket_not_configured", f"no delivery rule reads oci://{event.namespace}/{event.bucket}"
            )
        if not settings.prefect_api_url:
            raise ApiError(503, "prefect_unavailable", "PREFECT_API_URL is not set")
        prefect_event = object_changed_event(event, datetime.now(UTC))
        try:
            await publish(settings.prefect_api_url, [prefect_event])
        except PrefectUnavailable as error:
            raise ApiError(503, "prefect_unavailable", str(error)) from None
        accepted = AcceptedEvent(
            event_id=prefect_event["id"],
            namespace=event.namespace,
            bucket=event.bucket,
            object_name=event.object_name,
            deployment=DELIVERY_DEPLOYMENT,
        )
        return Response(Envelope(accepted), status_code=202)


def _check_token(settings: Settings, token: str) -> None:
    expected = settings.events_token.get_secret_value() if settings.events_token else ""
    if not expected:
        raise ApiError(401, "events_disabled", "set FINOPS_EVENTS_TOKEN to accept OCI events")
    if not hmac.compare_digest(token.encode(), expected.encode()):
        raise ApiError(401, "bad_token", "the token is missing or wrong")


async def _confirm(request: Request[Any, Any, Any], data: Any, settings: Settings) -> ConfirmedSubscription:
    url = request.headers.get("x-oci-ns-confirmationurl") or (
        data.get("ConfirmationURL") if isinstance(data, dict) else None
    )
    if not url:
        raise ApiError(422, "no_confirmation_url", "a subscription confirmation must carry its ConfirmationURL")
    host = urlsplit(str(url)).hostname or ""
    if not any(fnmatchcase(host, pattern) for pattern in settings.events_confirmation_hosts):
        raise ApiError(422, "untrusted_confirmation_url", f"{host} is not in FINOPS_EVENTS_CONFIRMATION_HOSTS")
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.get(str(url))
    except httpx.HTTPError as error:
        raise ApiError(503, "confirmation_failed", f"{host} did not answer ({type(error).__name__})") from None
    if response.status_code >= 300:
        raise ApiError(503, "confirmation_failed", f"{host} answered HTTP {response.status_code}")
    return ConfirmedSubscription(confirmed=True, subscription_id=request.headers.get("x-oci-ns-subscriptionid"))
