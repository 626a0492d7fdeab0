"""A local Outscale OAPI (``POST /api/v1/{Action}``) for the real `osc-sdk-python` (via ``Endpoint(api=...)``).

It checks what Outscale checks: an OSC4-HMAC-SHA256 signature recomputed with the registered secret
key, a credential scope dated like a fresh X-Osc-Date, and a body valid against the request schema of
the spec the SDK ships. It answers recorded responses (catalog, consumption) and the resources a test
registers, paged like the API. It imports nothing of ours, so it tests the SDK's behaviour, not our
assumptions about it.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import re
import threading
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema  # type: ignore[import-untyped]
import yaml

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "outscale"
CATALOG_SAMPLE = REFERENCE / "samples" / "readpubliccatalog_eu-west-2.json"
CONSUMPTION_SAMPLE = REFERENCE / "samples" / "readconsumptionaccount_eu-west-2_2025-12-01.json"
HOST = "127.0.0.1"
API_PREFIX = "/api/v1/"
MAX_CLOCK_SKEW = timedelta(minutes=15)
MAX_RESULTS_PER_PAGE = 1000
RESOURCE_KINDS = {
    "ReadVms": "Vms",
    "ReadVolumes": "Volumes",
    "ReadSnapshots": "Snapshots",
    "ReadPublicIps": "PublicIps",
    "ReadNatServices": "NatServices",
    "ReadLoadBalancers": "LoadBalancers",
    "ReadVpnConnections": "VpnConnections",
    "ReadFlexibleGpus": "FlexibleGpus",
    "ReadVmTypes": "VmTypes",
}
# Codes 1 and 24 are Outscale's (https://docs.outscale.com/api-errors.html); the others are only Outscale-shaped.
AUTHENTICATION_FAILED = ("1", "AccessDenied")
FAULTS = {
    429: ("24", "AccessDenied", "ErrorOperationThrottledPerAccount: Request rate exceeded."),
    503: ("RequestLimitExceeded", "AccessDenied", "ErrorOperationThrottled: Request rate exceeded"),
}
INVALID_PARAMETER = ("3001", "InvalidParameter")
INVALID_PARAMETER_VALUE = ("4047", "InvalidParameterValue")
UNSUPPORTED = ("0", "DefaultError")
_AUTHORIZATION = re.compile(
    r"OSC4-HMAC-SHA256 Credential=(?P<access_key>[^/\s]+)/"
    r"(?P<scope>(?P<day>\d{8})/(?P<region>[^/\s]+)/api/osc4_request),"
    r" ?SignedHeaders=(?P<signed_headers>[a-z0-9;-]+), ?Signature=(?P<signature>[0-9a-f]{64})"
)
_DATE = r"\d{4}-\d{2}-\d{2}"
# Outscale itself answers offsets without a colon ("+0000"), so they are accepted too.
_DATE_TIME = _DATE + r"T\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})"
_FORMATS = jsonschema.FormatChecker(formats=())


def _is_moment(pattern: str, value: object) -> bool:
    """A string shaped like ``pattern`` that is also a real moment (not 2025-02-30); formats ignore non-strings."""
    if not isinstance(value, str):
        return True
    if re.fullmatch(pattern, value) is None:
        return False
    _instant(value)
    return True


_FORMATS.checks("date", raises=ValueError)(functools.partial(_is_moment, _DATE))
_FORMATS.checks("date-time", raises=ValueError)(functools.partial(_is_moment, _DATE_TIME))


@functools.cache
def api_spec() -> dict[str, Any]:
    """The OpenAPI spec the installed SDK checks parameters against, so both sides agree on the API version."""
    bundled = files("osc_sdk_python").joinpath("resources/outscale.yaml")
    source = bundled if bundled.is_file() else REFERENCE / "outscale-1.42.0.yaml"
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spec: dict[str, Any] = yaml.load(source.read_text(), Loader=loader)  # noqa: S506 - a safe loader
    return spec


@functools.cache
def schema_validator(name: str) -> jsonschema.Draft4Validator:
    """A validator for ``#/components/schemas/{name}`` (OpenAPI 3.0 schemas are draft 4 with extras)."""
    schema = {"$ref": f"#/components/schemas/{name}", "components": api_spec()["components"]}
    return jsonschema.Draft4Validator(schema, format_checker=_FORMATS)


@functools.cache
def _public_actions() -> frozenset[str]:
    """Actions the spec marks ``security: []``: Outscale answers them without a signature."""
    return frozenset(
        path.removeprefix("/") for path, item in api_spec()["paths"].items() if item["post"].get("security") == []
    )


def recorded_consumption() -> list[dict[str, Any]]:
    """The entries of a real ReadConsumptionAccount answer (account 249064296596, 2025-12-01, no prices)."""
    entries: list[dict[str, Any]] = json.loads(CONSUMPTION_SAMPLE.read_text())["ConsumptionEntries"]
    return entries


def generated_vms(
    count: int,
    vm_types: Sequence[str] = ("tinav5.c2r4p2", "tinav6.c8r24p2", "tinav5.c24r128p1"),
    subregion: str = "eu-west-2a",
) -> list[dict[str, Any]]:
    """``count`` running Linux VMs as ReadVms describes them, each with its own id, IP and Name tag."""
    performances = {"1": "highest", "2": "high", "3": "medium"}
    vms = []
    for index in range(count):
        vm_type = vm_types[index % len(vm_types)]
        vms.append(
            {
                "VmId": f"i-{index:08x}",
                "VmType": vm_type,
                "State": "running",
                "Performance": performances[vm_type[-1]],
                "Placement": {"SubregionName": subregion, "Tenancy": "default"},
                "ProductCodes": ["0001"],
                "ImageId": "ami-2fa8b1c6",
                "Architecture": "x86_64",
                "CreationDate": "2025-11-03T09:12:45.000Z",
                "PrivateIp": f"10.0.{index // 256 % 256}.{index % 256}",
                "PublicIp": f"171.33.{index // 256 % 256}.{index % 256}",
                "Tags": [{"Key": "Name", "Value": f"vm-{index:05d}"}],
            }
        )
    return vms


@dataclass(frozen=True)
class OutscaleAccount:
    access_key: str
    secret_key: str
    account_id: str


@dataclass(frozen=True)
class _Caller:
    account_id: str
    region: str


class _ApiError(Exception):
    def __init__(self, status: int, code_and_type: tuple[str, str], details: str) -> None:
        super().__init__(details)
        self.status = status
        self.code, self.type = code_and_type
        self.details = details


@dataclass
class OutscaleEmulator:
    page_size: int = 100
    public_region: str = "eu-west-2"
    accounts: dict[str, OutscaleAccount] = field(default_factory=dict)
    catalogs: dict[str, dict[str, Any]] = field(default_factory=dict)
    consumption: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    resources: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    faults: deque[int] = field(default_factory=deque)
    requests: list[tuple[str, int]] = field(default_factory=list)
    _consumption_prices: bool = False
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def endpoint(self) -> str:
        assert self._server is not None, "start() the emulator first"
        return f"http://{HOST}:{self._server.server_port}/api/v1"

    @property
    def access_key(self) -> str:
        return self._first_account.access_key

    @property
    def secret_key(self) -> str:
        return self._first_account.secret_key

    @property
    def account_id(self) -> str:
        return self._first_account.account_id

    @property
    def _first_account(self) -> OutscaleAccount:
        assert self.accounts, "add_account() first"
        return next(iter(self.accounts.values()))

    def start(self) -> OutscaleEmulator:
        emulator = self

        class Handler(_Handler):
            pass

        Handler.emulator = emulator
        self._server = ThreadingHTTPServer((HOST, 0), Handler)
        # A short poll so that stop() does not wait half a second per test.
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def add_account(self, access_key: str, secret_key: str, account_id: str) -> OutscaleAccount:
        account = OutscaleAccount(access_key, secret_key, account_id)
        self.accounts[access_key] = account
        return account

    def set_catalog(self, region: str, response: dict[str, Any]) -> None:
        """Replace the recorded eu-west-2 catalog that every region answers by default."""
        self.catalogs[region] = response

    def add_consumption(self, account_id: str, entries: Sequence[dict[str, Any]]) -> None:
        self.consumption.setdefault(account_id, []).extend(dict(entry) for entry in entries)

    def set_consumption_prices(self, enabled: bool) -> None:
        """With ShowPrice, price the entries the catalog knows; off by default, as the recorded answer has none."""
        self._consumption_prices = enabled

    def add_resources(self, account_id: str, kind: str, items: Sequence[dict[str, Any]]) -> None:
        assert kind in RESOURCE_KINDS.values(), f"unknown kind {kind}"
        self.resources.setdefault((account_id, kind), []).extend(items)

    def fail_next(self, count: int, status: int = 503) -> None:
        """The next ``count`` calls, signed or not, answer ``status`` (429 or 503) as a throttled Outscale does."""
        assert status in FAULTS, f"only {sorted(FAULTS)} are emulated"
        self.faults.extend([status] * count)

    def calls(self, action: str) -> list[int]:
        """The statuses answered to ``action``, in order."""
        return [status for called, status in self.requests if called == action]

    def catalog(self, region: str) -> dict[str, Any]:
        if region in self.catalogs:
            return self.catalogs[region]
        recorded: dict[str, Any] = json.loads(CATALOG_SAMPLE.read_text())
        return recorded

    def _next_fault(self) -> int | None:
        try:
            return self.faults.popleft()
        except IndexError:
            return None

    def _record(self, action: str, status: int) -> None:
        with self._lock:
            self.requests.append((action, status))


class _Handler(BaseHTTPRequestHandler):
    emulator: OutscaleEmulator
    _action = ""
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle, each kept-alive call waits for a delayed ACK (~40 ms).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        path = urlsplit(self.path).path
        action = path.removeprefix(API_PREFIX)
        self._action = action
        try:
            fault = self.emulator._next_fault()
            if fault is not None:
                code, kind, details = FAULTS[fault]
                self._error(fault, code, kind, details)
                return
            self._json(200, self._answer(path, action, body))
        except _ApiError as error:
            self._error(error.status, error.code, error.type, error.details)

    def _answer(self, path: str, action: str, body: bytes) -> dict[str, Any]:
        if not path.startswith(API_PREFIX) or f"{action}Request" not in api_spec()["components"]["schemas"]:
            raise _ApiError(400, UNSUPPORTED, f"unknown action {action!r}")
        caller = self._caller(path, action, body)
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            raise _ApiError(400, INVALID_PARAMETER, "the body is not JSON") from None
        error = jsonschema.exceptions.best_match(schema_validator(f"{action}Request").iter_errors(params))
        if error is not None:
            where = "".join(f"[{part!r}]" for part in error.absolute_path)
            raise _ApiError(400, INVALID_PARAMETER, f"{action}{where}: {error.message}")
        if action == "ReadPublicCatalog":
            return self._with_context(self.emulator.catalog(self.emulator.public_region))
        if action in RESOURCE_KINDS:
            return self._read_resources(caller, action, params)
        if caller is not None and action == "ReadCatalog":
            return self._with_context(self.emulator.catalog(caller.region))
        if caller is not None and action == "ReadAccounts":
            return self._with_context({"Accounts": [{"AccountId": caller.account_id}]})
        if caller is not None and action == "ReadConsumptionAccount":
            return self._read_consumption(caller, params)
        raise _ApiError(400, UNSUPPORTED, f"{action} is in the spec but not emulated")

    def _caller(self, path: str, action: str, body: bytes) -> _Caller | None:
        """Who signed the request, checked as Outscale does; None for an unsigned call to a public action."""
        authorization = self.headers.get("authorization")
        if authorization is None and action in _public_actions():
            return None
        match = _AUTHORIZATION.fullmatch(authorization or "")
        if match is None:
            raise _ApiError(401, AUTHENTICATION_FAILED, "the request has no OSC4-HMAC-SHA256 Authorization header")
        account = self.emulator.accounts.get(match["access_key"])
        if account is None:
            raise _ApiError(401, AUTHENTICATION_FAILED, "unknown access key")
        osc_date = self.headers.get("x-osc-date") or ""
        try:
            sent_at = datetime.strptime(osc_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            raise _ApiError(401, AUTHENTICATION_FAILED, "X-Osc-Date is missing or malformed") from None
        if match["day"] != osc_date[:8]:
            raise _ApiError(401, AUTHENTICATION_FAILED, "the credential scope is not dated like X-Osc-Date")
        if abs(datetime.now(UTC) - sent_at) > MAX_CLOCK_SKEW:
            raise _ApiError(401, AUTHENTICATION_FAILED, "X-Osc-Date is too far from the server's clock")
        signed_headers = match["signed_headers"].split(";")
        if not {"host", "x-osc-date"} <= set(signed_headers):
            raise _ApiError(401, AUTHENTICATION_FAILED, "host and x-osc-date must be signed")
        canonical_headers = "".join(f"{name}:{self._signed_value(name)}\n" for name in signed_headers)
        payload_hash = hashlib.sha256(body).hexdigest()
        canonical_request = "\n".join(["POST", path, "", canonical_headers, match["signed_headers"], payload_hash])
        string_to_sign = "\n".join(
            ["OSC4-HMAC-SHA256", osc_date, match["scope"], hashlib.sha256(canonical_request.encode()).hexdigest()]
        )
        key = ("OSC4" + account.secret_key).encode()
        for part in (match["day"], match["region"], "api", "osc4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, match["signature"]):
            raise _ApiError(401, AUTHENTICATION_FAILED, "the signature does not match")
        return _Caller(account.account_id, match["region"])

    def _signed_value(self, name: str) -> str:
        value = self.headers.get(name)
        if value is None:
            raise _ApiError(401, AUTHENTICATION_FAILED, f"signed header {name} is missing")
        # The SDK signs the endpoint's hostname, without the port.
        return re.sub(r":\d+$", "", value.strip()) if name == "host" else value.strip()

    def _read_consumption(self, caller: _Caller, params: dict[str, Any]) -> dict[str, Any]:
        start, end = _midnight(params["FromDate"], "FromDate"), _midnight(params["ToDate"], "ToDate")
        if end <= start:
            raise _ApiError(400, INVALID_PARAMETER_VALUE, "ToDate must be later than FromDate")
        if params.get("Overall"):
            stored = [
                entry
                for entries in self.emulator.consumption.values()
                for entry in entries
                if entry.get("PayingAccountId") == caller.account_id
            ]
        else:
            stored = self.emulator.consumption.get(caller.account_id, [])
        entries = [
            dict(entry) for entry in stored if start <= _instant(entry["FromDate"]) and _instant(entry["ToDate"]) <= end
        ]
        document: dict[str, Any] = {"ConsumptionEntries": entries}
        if params.get("ShowPrice"):
            document["Currency"] = "EUR"
            if self.emulator._consumption_prices:
                self._price(entries, caller.region)
        return self._with_context(document)

    def _price(self, entries: list[dict[str, Any]], region: str) -> None:
        catalog = self.emulator.catalog(region)["Catalog"]["Entries"]
        prices = {(item["Service"], item["Type"], item["Operation"]): item["UnitPrice"] for item in catalog}
        for entry in entries:
            unit_price = prices.get((entry["Service"], entry["Type"], entry["Operation"]))
            if unit_price is not None:
                entry["UnitPrice"] = unit_price
                entry["Price"] = entry["Value"] * unit_price

    def _read_resources(self, caller: _Caller | None, action: str, params: dict[str, Any]) -> dict[str, Any]:
        """The caller's items, paged; an unsigned call to a public read (ReadVmTypes) belongs to no account."""
        if params.get("Filters"):
            raise _ApiError(400, UNSUPPORTED, f"Filters are not emulated for {action}")
        kind = RESOURCE_KINDS[action]
        items = self.emulator.resources.get((caller.account_id, kind), []) if caller else []
        if "NextPageToken" not in api_spec()["components"]["schemas"][f"{action}Request"]["properties"]:
            return self._with_context({kind: items})
        size = params.get("ResultsPerPage", self.emulator.page_size)
        if not 1 <= size <= MAX_RESULTS_PER_PAGE:
            raise _ApiError(
                400, INVALID_PARAMETER_VALUE, f"ResultsPerPage must be between 1 and {MAX_RESULTS_PER_PAGE}"
            )
        offset = _page_offset(action, params["NextPageToken"]) if "NextPageToken" in params else 0
        document: dict[str, Any] = {kind: items[offset : offset + size]}
        if offset + size < len(items):
            document["NextPageToken"] = _page_token(action, offset + size)
        return self._with_context(document)

    @staticmethod
    def _with_context(document: dict[str, Any]) -> dict[str, Any]:
        return {**document, "ResponseContext": {"RequestId": str(uuid.uuid4())}}

    def _error(self, status: int, code: str, kind: str, details: str) -> int:
        errors = [{"Code": code, "Type": kind, "Details": details}]
        return self._json(status, self._with_context({"Errors": errors}))

    def _json(self, status: int, document: dict[str, Any]) -> int:
        # Recorded before answering: a test reads the record as soon as it has the answer.
        self.emulator._record(self._action, status)
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return status


def _instant(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _midnight(value: str, name: str) -> datetime:
    """ReadConsumptionAccount takes a date, or a date-time only at midnight."""
    moment = _instant(value)
    if moment.time() != time.min:
        raise _ApiError(400, INVALID_PARAMETER_VALUE, f"{name} must be a date or a date-time at midnight")
    return moment


def _page_token(action: str, offset: int) -> str:
    return base64.b64encode(json.dumps({"Action": action, "Offset": offset}).encode()).decode()


def _page_offset(action: str, token: str) -> int:
    try:
        content = json.loads(base64.b64decode(token, validate=True))
        offset = content["Offset"] if content["Action"] == action else None
    except (binascii.Error, ValueError, TypeError, KeyError):
        offset = None
    if not isinstance(offset, int) or offset < 0:
        raise _ApiError(400, INVALID_PARAMETER_VALUE, "NextPageToken is not a token this action gave")
    return offset
