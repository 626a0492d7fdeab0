"""A local OCI Object Storage + Secrets service for the real `oci` SDK (via ``service_endpoint``).

It checks what OCI checks: every request must carry a valid HTTP signature (draft-cavage, rsa-sha256)
from a registered key, over at least ``date``, ``(request-target)`` and ``host``, with a fresh date and,
when the body headers are signed, a body that matches ``x-content-sha256``. It imports nothing of
ours, so it tests the SDK's behaviour, not our assumptions about it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

MAX_CLOCK_SKEW = timedelta(minutes=5)
REQUIRED_SIGNED_HEADERS = {"date", "(request-target)", "host"}
_SIGNATURE_FIELD = re.compile(r'(\w+)="([^"]*)"')


@dataclass
class StoredObject:
    data: bytes
    etag: str
    content_type: str
    time_created: datetime

    @property
    def md5(self) -> str:
        return base64.b64encode(hashlib.md5(self.data).digest()).decode()  # noqa: S324 - OCI's content-md5


@dataclass
class PreauthenticatedRequest:
    namespace: str
    bucket: str
    object_name: str
    expires: datetime


@dataclass
class Fault:
    status: int
    delay: float


@dataclass
class OciEmulator:
    page_size: int = 1000
    objects: dict[tuple[str, str, str], StoredObject] = field(default_factory=dict)
    secret_values: dict[str, str] = field(default_factory=dict)
    keys: dict[str, rsa.RSAPublicKey] = field(default_factory=dict)
    pars: dict[str, PreauthenticatedRequest] = field(default_factory=dict)
    faults: deque[Fault] = field(default_factory=deque)
    requests: list[tuple[str, str, int]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def endpoint(self) -> str:
        assert self._server is not None, "start() the emulator first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> OciEmulator:
        emulator = self

        class Handler(_Handler):
            pass

        Handler.emulator = emulator
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def put_object(self, namespace: str, bucket: str, name: str, data: bytes, content_type: str) -> str:
        etag = secrets.token_hex(16)
        with self._lock:
            self.objects[(namespace, bucket, name)] = StoredObject(data, etag, content_type, datetime.now(UTC))
        return etag

    def add_secret(self, secret_id: str, value: str) -> None:
        self.secret_values[secret_id] = value

    def authorize_key(self, key_id: str, public_key_pem: bytes) -> None:
        key = serialization.load_pem_public_key(public_key_pem)
        assert isinstance(key, rsa.RSAPublicKey)
        self.keys[key_id] = key

    def fail_next(self, count: int, status: int = 500, delay: float = 0.0) -> None:
        """The next ``count`` signed calls answer ``status`` (after ``delay`` seconds)."""
        for _ in range(count):
            self.faults.append(Fault(status, delay))

    def calls(self, method: str, path_prefix: str = "") -> list[tuple[str, str, int]]:
        return [call for call in self.requests if call[0] == method and call[1].startswith(path_prefix)]


class _Handler(BaseHTTPRequestHandler):
    emulator: OciEmulator
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def _handle(self, method: str) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        url = urlsplit(self.path)
        segments = [unquote(part) for part in url.path.split("/")[1:]]
        if segments[:1] == ["p"]:
            self._serve_par(method, segments)
            return
        problem = self._signature_problem(method, body)
        if problem:
            self._error(401, "NotAuthenticated", problem)
            return
        if self.emulator.faults:
            fault = self.emulator.faults.popleft()
            time.sleep(fault.delay)
            code = "TooManyRequests" if fault.status == 429 else "InternalServerError"
            self._error(fault.status, code, "injected fault")
            return
        self._route(method, segments, parse_qs(url.query), body)

    def _route(self, method: str, segments: list[str], query: dict[str, list[str]], body: bytes) -> int:
        if len(segments) == 3 and segments[:2] == ["20190301", "secretbundles"] and method == "GET":
            return self._secret_bundle(segments[2])
        if len(segments) >= 4 and segments[0] == "n" and segments[2] == "b":
            namespace, bucket = segments[1], segments[3]
            rest = segments[4:]
            if rest == ["o"] and method == "GET":
                return self._list_objects(namespace, bucket, query)
            if len(rest) >= 2 and rest[0] == "o":
                name = "/".join(rest[1:])
                if method in ("GET", "HEAD"):
                    return self._get_object(method, namespace, bucket, name)
                if method == "PUT":
                    etag = self.emulator.put_object(
                        namespace, bucket, name, body, self.headers.get("content-type") or "application/octet-stream"
                    )
                    return self._send(200, b"", {"etag": etag})
            if rest in (["p"], ["p", ""]) and method == "POST":
                return self._create_par(namespace, bucket, json.loads(body or b"{}"))
        return self._error(404, "NotFound", f"no such resource: {method} {'/'.join(segments)}")

    def _signature_problem(self, method: str, body: bytes) -> str | None:
        authorization = self.headers.get("authorization") or ""
        if not authorization.startswith("Signature "):
            return "the request is not signed"
        fields = dict(_SIGNATURE_FIELD.findall(authorization))
        key = self.emulator.keys.get(fields.get("keyId", ""))
        if key is None:
            return "unknown keyId"
        if fields.get("algorithm") != "rsa-sha256":
            return "unsupported signature algorithm"
        signed = fields.get("headers", "").split()
        if not set(signed) >= REQUIRED_SIGNED_HEADERS:
            return "date, (request-target) and host must be signed"
        try:
            sent_at = parsedate_to_datetime(self.headers.get("date") or self.headers.get("x-date") or "")
        except (TypeError, ValueError):
            return "the date header is missing or malformed"
        if abs(datetime.now(UTC) - sent_at) > MAX_CLOCK_SKEW:
            return "the date header is too far from the server's clock"
        if "x-content-sha256" in signed:
            digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
            if self.headers.get("x-content-sha256") != digest:
                return "the body does not match x-content-sha256"
        lines = []
        for name in signed:
            if name == "(request-target)":
                lines.append(f"(request-target): {method.lower()} {self.path}")
            elif self.headers.get(name) is None:
                return f"signed header {name} is missing"
            else:
                lines.append(f"{name}: {self.headers.get(name)}")
        try:
            key.verify(
                base64.b64decode(fields.get("signature", "")),
                "\n".join(lines).encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (InvalidSignature, ValueError):
            return "the signature does not verify"
        return None

    def _list_objects(self, namespace: str, bucket: str, query: dict[str, list[str]]) -> int:
        prefix = query.get("prefix", [""])[0]
        start = query.get("start", [""])[0]
        limit = min(int(query.get("limit", ["1000"])[0]), self.emulator.page_size)
        fields = set(query.get("fields", [""])[0].split(",")) - {""}
        with self.emulator._lock:
            names = sorted(
                name
                for (ns, bkt, name) in self.emulator.objects
                if ns == namespace and bkt == bucket and name.startswith(prefix) and name >= start
            )
            page = names[:limit]
            listed = []
            for name in page:
                stored = self.emulator.objects[(namespace, bucket, name)]
                entry: dict[str, Any] = {"name": name}
                optional = {
                    "size": len(stored.data),
                    "etag": stored.etag,
                    "md5": stored.md5,
                    "timeCreated": stored.time_created.isoformat().replace("+00:00", "Z"),
                    "timeModified": stored.time_created.isoformat().replace("+00:00", "Z"),
                }
                entry.update({key: value for key, value in optional.items() if key in fields})
                listed.append(entry)
        document: dict[str, Any] = {"objects": listed, "prefixes": []}
        if len(names) > limit:
            document["nextStartWith"] = names[limit]
        return self._json(200, document)

    def _get_object(self, method: str, namespace: str, bucket: str, name: str) -> int:
        stored = self.emulator.objects.get((namespace, bucket, name))
        if stored is None:
            return self._error(404, "ObjectNotFound", f"The object '{name}' was not found in the bucket '{bucket}'")
        headers = {
            "etag": stored.etag,
            "content-type": stored.content_type,
            "content-md5": stored.md5,
            "last-modified": format_datetime(stored.time_created, usegmt=True),
        }
        return self._send(200, stored.data, headers, head_only=method == "HEAD")

    def _create_par(self, namespace: str, bucket: str, details: dict[str, Any]) -> int:
        object_name = details.get("objectName")
        if details.get("accessType") != "ObjectRead" or not object_name:
            return self._error(400, "InvalidParameter", "only ObjectRead requests for one object are emulated")
        expires = datetime.fromisoformat(str(details["timeExpires"]).replace("Z", "+00:00"))
        token = secrets.token_urlsafe(24)
        self.emulator.pars[token] = PreauthenticatedRequest(namespace, bucket, object_name, expires)
        access_uri = f"/p/{token}/n/{quote(namespace)}/b/{quote(bucket)}/o/{quote(object_name, safe='')}"
        return self._json(
            200,
            {
                "id": secrets.token_hex(8),
                "name": details.get("name", ""),
                "accessUri": access_uri,
                "objectName": object_name,
                "accessType": "ObjectRead",
                "timeCreated": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                "timeExpires": expires.isoformat().replace("+00:00", "Z"),
            },
        )

    def _serve_par(self, method: str, segments: list[str]) -> int:
        par = self.emulator.pars.get(segments[1]) if len(segments) > 1 else None
        if par is None or par.expires < datetime.now(UTC) or method not in ("GET", "HEAD"):
            return self._error(404, "NotFound", "no such pre-authenticated request")
        return self._get_object(method, par.namespace, par.bucket, par.object_name)

    def _secret_bundle(self, secret_id: str) -> int:
        value = self.emulator.secret_values.get(secret_id)
        if value is None:
            return self._error(
                404, "NotAuthorizedOrNotFound", f"Authorization failed or requested resource {secret_id} not found"
            )
        return self._json(
            200,
            {
                "secretId": secret_id,
                "versionNumber": 1,
                "stages": ["CURRENT", "LATEST"],
                "secretBundleContent": {"contentType": "BASE64", "content": base64.b64encode(value.encode()).decode()},
            },
        )

    def _error(self, status: int, code: str, message: str) -> int:
        return self._json(status, {"code": code, "message": message})

    def _json(self, status: int, document: dict[str, Any]) -> int:
        return self._send(status, json.dumps(document).encode(), {"content-type": "application/json"})

    def _send(self, status: int, body: bytes, headers: dict[str, str], head_only: bool = False) -> int:
        # Recorded before answering: a test reads the record as soon as it has the answer.
        self.emulator.requests.append((self.command, urlsplit(self.path).path, status))
        head_only = head_only or self.command == "HEAD"  # a HEAD answer never carries a body, errors included
        self.send_response(status)
        self.send_header("opc-request-id", secrets.token_hex(8))
        self.send_header("content-length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not head_only:
            self.wfile.write(body)
        return status
