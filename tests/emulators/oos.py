"""A local Outscale Object Storage (OOS): the S3 calls ListBuckets and ListObjectsV2, path-style.

It checks what OOS checks: an AWS Signature Version 4 recomputed here from the request with the
registered secret key (its own implementation, not botocore's), a credential scope for this region and
service s3 dated like X-Amz-Date, and a payload hash that matches the body. It answers S3's XML and
pages object listings with continuation tokens; it can answer 503 SlowDown for the next N calls.
It imports nothing of ours.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit
from xml.sax.saxutils import escape

HOST = "127.0.0.1"
MAX_KEYS = 1000
MAX_CLOCK_SKEW = timedelta(minutes=15)
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<access_key>[^/\s]+)/"
    r"(?P<scope>(?P<day>\d{8})/(?P<region>[^/\s]+)/(?P<service>[^/\s]+)/aws4_request),"
    r" ?SignedHeaders=(?P<signed_headers>[a-z0-9;-]+), ?Signature=(?P<signature>[0-9a-f]{64})"
)


@dataclass(frozen=True)
class OosObject:
    key: str
    size: int


@dataclass(frozen=True)
class _Owner:
    access_key: str
    secret_key: str
    account_id: str


class _S3Error(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class OosEmulator:
    region: str = "eu-west-2"
    owners: dict[str, _Owner] = field(default_factory=dict)
    buckets: dict[str, dict[str, list[OosObject]]] = field(default_factory=dict)  # account id -> bucket -> objects
    faults: deque[int] = field(default_factory=deque)
    requests: list[tuple[str, int]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def endpoint(self) -> str:
        assert self._server is not None, "start() the emulator first"
        return f"http://{HOST}:{self._server.server_port}"

    def start(self) -> OosEmulator:
        emulator = self

        class Handler(_Handler):
            pass

        Handler.emulator = emulator
        self._server = ThreadingHTTPServer((HOST, 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def add_owner(self, access_key: str, secret_key: str, account_id: str) -> None:
        self.owners[access_key] = _Owner(access_key, secret_key, account_id)

    def add_bucket(self, account_id: str, name: str, objects: list[OosObject]) -> None:
        self.buckets.setdefault(account_id, {})[name] = sorted(objects, key=lambda item: item.key)

    def fail_next(self, count: int) -> None:
        """The next ``count`` calls answer 503 SlowDown, as a throttled S3 endpoint does."""
        self.faults.extend([503] * count)

    def calls(self, operation: str) -> list[int]:
        """The statuses answered to ``operation`` (ListBuckets or ListObjectsV2), in order."""
        return [status for called, status in self.requests if called == operation]

    def _record(self, operation: str, status: int) -> None:
        with self._lock:
            self.requests.append((operation, status))


class _Handler(BaseHTTPRequestHandler):
    emulator: OosEmulator
    _operation = ""
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        url = urlsplit(self.path)
        bucket = url.path.strip("/")
        self._operation = "ListObjectsV2" if bucket else "ListBuckets"
        try:
            if self.emulator.faults:
                self.emulator.faults.popleft()
                raise _S3Error(503, "SlowDown", "Please reduce your request rate.")
            owner = self._owner(url.path, url.query, body)
            parameters = dict(parse_qsl(url.query, keep_blank_values=True))
            if not bucket:
                self._xml(200, self._list_buckets(owner))
            else:
                self._xml(200, self._list_objects(owner, bucket, parameters))
        except _S3Error as error:
            self._xml(error.status, _error_document(error))

    def _owner(self, path: str, query: str, body: bytes) -> _Owner:
        match = _AUTHORIZATION.fullmatch(self.headers.get("authorization") or "")
        if match is None:
            raise _S3Error(403, "AccessDenied", "the request has no AWS4-HMAC-SHA256 Authorization header")
        owner = self.emulator.owners.get(match["access_key"])
        if owner is None:
            raise _S3Error(403, "InvalidAccessKeyId", "The access key you provided does not exist in our records.")
        amz_date = self.headers.get("x-amz-date") or ""
        try:
            sent_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            raise _S3Error(403, "AccessDenied", "X-Amz-Date is missing or malformed") from None
        if match["day"] != amz_date[:8] or match["region"] != self.emulator.region or match["service"] != "s3":
            raise _S3Error(
                400, "AuthorizationHeaderMalformed", f"the scope must be {amz_date[:8]}/{self.emulator.region}/s3"
            )
        if abs(datetime.now(UTC) - sent_at) > MAX_CLOCK_SKEW:
            raise _S3Error(403, "RequestTimeTooSkewed", "X-Amz-Date is too far from the server's clock")
        signed_headers = match["signed_headers"].split(";")
        if not {"host", "x-amz-date", "x-amz-content-sha256"} <= set(signed_headers):
            raise _S3Error(403, "AccessDenied", "host, x-amz-date and x-amz-content-sha256 must be signed")
        payload_hash = self.headers.get("x-amz-content-sha256") or ""
        if payload_hash != UNSIGNED_PAYLOAD and payload_hash != hashlib.sha256(body).hexdigest():
            raise _S3Error(400, "XAmzContentSHA256Mismatch", "the payload hash does not match the body")
        canonical_headers = "".join(f"{name}:{self._header(name)}\n" for name in signed_headers)
        canonical_request = "\n".join(
            ["GET", path or "/", _canonical_query(query), canonical_headers, match["signed_headers"], payload_hash]
        )
        string_to_sign = "\n".join(
            ["AWS4-HMAC-SHA256", amz_date, match["scope"], hashlib.sha256(canonical_request.encode()).hexdigest()]
        )
        key = ("AWS4" + owner.secret_key).encode()
        for part in (match["day"], match["region"], "s3", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, match["signature"]):
            raise _S3Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match.")
        return owner

    def _header(self, name: str) -> str:
        value = self.headers.get(name)
        if value is None:
            raise _S3Error(403, "AccessDenied", f"signed header {name} is missing")
        return " ".join(value.split())

    def _list_buckets(self, owner: _Owner) -> str:
        buckets = "".join(
            f"<Bucket><Name>{escape(name)}</Name><CreationDate>2025-06-02T08:00:00.000Z</CreationDate></Bucket>"
            for name in sorted(self.emulator.buckets.get(owner.account_id, {}))
        )
        return (
            f'<ListAllMyBucketsResult xmlns="{S3_NAMESPACE}"><Owner><ID>{owner.account_id}</ID>'
            f"<DisplayName>{owner.account_id}</DisplayName></Owner><Buckets>{buckets}</Buckets></ListAllMyBucketsResult>"
        )

    def _list_objects(self, owner: _Owner, bucket: str, parameters: dict[str, str]) -> str:
        if parameters.get("list-type") != "2":
            raise _S3Error(400, "NotImplemented", "only ListObjectsV2 is emulated")
        objects = self.emulator.buckets.get(owner.account_id, {}).get(bucket)
        if objects is None:
            raise _S3Error(404, "NoSuchBucket", "The specified bucket does not exist")
        try:
            max_keys = min(int(parameters.get("max-keys", MAX_KEYS)), MAX_KEYS)
        except ValueError:
            raise _S3Error(400, "InvalidArgument", "max-keys must be an integer") from None
        start = _offset(parameters["continuation-token"]) if "continuation-token" in parameters else 0
        page = objects[start : start + max_keys]
        url_encoded = parameters.get("encoding-type") == "url"
        contents = "".join(
            f"<Contents><Key>{escape(quote(item.key) if url_encoded else item.key)}</Key>"
            f"<LastModified>2025-11-30T10:00:00.000Z</LastModified>"
            f'<ETag>"{hashlib.md5(item.key.encode()).hexdigest()}"</ETag>'  # noqa: S324 - an ETag, not security
            f"<Size>{item.size}</Size><StorageClass>STANDARD</StorageClass></Contents>"
            for item in page
        )
        truncated = start + max_keys < len(objects)
        following = f"<NextContinuationToken>{_token(start + max_keys)}</NextContinuationToken>" if truncated else ""
        encoding = "<EncodingType>url</EncodingType>" if url_encoded else ""
        return (
            f'<ListBucketResult xmlns="{S3_NAMESPACE}"><Name>{escape(bucket)}</Name><Prefix></Prefix>'
            f"<KeyCount>{len(page)}</KeyCount><MaxKeys>{max_keys}</MaxKeys>{encoding}"
            f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>{following}{contents}</ListBucketResult>"
        )

    def _xml(self, status: int, document: str) -> int:
        # Recorded before answering: a test reads the record as soon as it has the answer.
        self.emulator._record(self._operation, status)
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n' + document).encode()
        self.send_response(status)
        self.send_header("content-type", "application/xml")
        self.send_header("content-length", str(len(body)))
        self.send_header("x-amz-request-id", uuid.uuid4().hex[:16])
        self.end_headers()
        self.wfile.write(body)
        return status


def _canonical_query(query: str) -> str:
    pairs = [(quote(name, safe="-_.~"), quote(value, safe="-_.~")) for name, value in parse_qsl(query, True)]
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def _error_document(error: _S3Error) -> str:
    return (
        f"<Error><Code>{error.code}</Code><Message>{escape(error.message)}</Message>"
        f"<RequestId>{uuid.uuid4().hex[:16]}</RequestId></Error>"
    )


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(token: str) -> int:
    try:
        kind, _, offset = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        if kind == "offset" and offset.isdigit():
            return int(offset)
    except (ValueError, UnicodeDecodeError):
        pass
    raise _S3Error(400, "InvalidArgument", "The continuation token provided is incorrect")
