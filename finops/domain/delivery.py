"""Delivery rules: which report objects go to whom, and the identity of one delivered version."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from string import Template
from typing import Literal
from urllib.parse import unquote, urlsplit

from finops.domain.errors import ConfigError

_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
# The report formats OCI writes; a fixed table, since the mimetypes module reads system files.
_CONTENT_TYPES = {
    ".csv": "text/csv",
    ".gz": "application/gzip",
    ".pdf": "application/pdf",
    ".json": "application/json",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
    ".txt": "text/plain",
}
DEFAULT_PATTERN = "*.csv.gz"
DEFAULT_SUBJECT = "OCI report $object_basename"


@dataclass(frozen=True)
class SourceLocation:
    """``oci://namespace/bucket/prefix`` or ``file:///folder``."""

    kind: Literal["oci", "file"]
    namespace: str
    bucket: str
    prefix: str

    @classmethod
    def parse(cls, uri: str) -> SourceLocation:
        parts = urlsplit(uri)
        if parts.scheme == "oci":
            bucket, _, prefix = unquote(parts.path).lstrip("/").partition("/")
            if not parts.netloc or not bucket:
                raise ConfigError(f"source {uri!r} must look like oci://namespace/bucket[/prefix]")
            return cls("oci", parts.netloc, bucket, prefix)
        if parts.scheme == "file":
            if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
                raise ConfigError(f"source {uri!r} must look like file:///absolute/folder")
            return cls("file", "local", unquote(parts.path).rstrip("/") or "/", "")
        raise ConfigError(f"source {uri!r} must start with oci:// or file://")

    def __str__(self) -> str:
        if self.kind == "file":
            return f"file://{self.bucket}"
        return f"oci://{self.namespace}/{self.bucket}/{self.prefix}".rstrip("/")


@dataclass(frozen=True)
class DeliveryRule:
    name: str
    source: SourceLocation
    recipients: tuple[str, ...]
    sender: str
    pattern: str = DEFAULT_PATTERN
    subject_template: str = DEFAULT_SUBJECT

    def __post_init__(self) -> None:
        if not self.recipients:
            raise ConfigError(f"delivery rule {self.name!r} has no recipients")
        for address in (*self.recipients, self.sender):
            if not _EMAIL.match(address):
                raise ConfigError(f"delivery rule {self.name!r}: {address!r} is not an email address")
        try:
            Template(self.subject_template).substitute(object_name="", object_basename="", bucket="", rule="")
        except (KeyError, ValueError) as error:
            raise ConfigError(
                f"delivery rule {self.name!r}: subject template may use $object_name, $object_basename, "
                f"$bucket and $rule ({error})"
            ) from None

    def matches(self, namespace: str, bucket: str, object_name: str) -> bool:
        if (namespace, bucket) != (self.source.namespace, self.source.bucket):
            return False
        if not object_name.startswith(self.source.prefix):
            return False
        return fnmatchcase(object_name[len(self.source.prefix) :].lstrip("/"), self.pattern) or fnmatchcase(
            object_name.rsplit("/", 1)[-1], self.pattern
        )

    def subject(self, object_name: str) -> str:
        return Template(self.subject_template).substitute(
            object_name=object_name,
            object_basename=object_name.rsplit("/", 1)[-1],
            bucket=self.source.bucket,
            rule=self.name,
        )

    @property
    def recipient_list(self) -> tuple[str, ...]:
        """Normalised (lower-case, sorted, unique): the same people in any order are one list."""
        return tuple(sorted({address.strip().lower() for address in self.recipients}))


@dataclass(frozen=True)
class ObjectVersion:
    namespace: str
    bucket: str
    name: str
    etag: str


@dataclass(frozen=True)
class StoredObject:
    """An object as its store describes it now (never as an event claims it is)."""

    namespace: str
    bucket: str
    name: str
    etag: str
    size: int
    content_type: str | None = None

    @property
    def version(self) -> ObjectVersion:
        return ObjectVersion(self.namespace, self.bucket, self.name, self.etag)


@dataclass(frozen=True)
class DeliveryClaim:
    """This run's right to send one version: the ledger row and which attempt this is."""

    delivery_id: int
    attempt: int


def report_series(object_name: str) -> str:
    """Reports of one series differ only by their dates and sequence numbers (the name with digits as #).

    `WeeklyCostsScheduledReport_20250620_0.csv.gz` and `..._20250627_0.csv.gz` are one series; a FOCUS
    file of the same bucket is another, so "change since the previous report" compares like with like.
    """
    return re.sub(r"\d+", "#", object_name)


def content_type_for_name(name: str) -> str:
    """What a name says about its content: a .csv.gz is gzip (its content), not text/csv."""
    _, dot, extension = name.rpartition(".")
    return (
        _CONTENT_TYPES.get(f".{extension.lower()}", "application/octet-stream") if dot else "application/octet-stream"
    )


def message_id(version: ObjectVersion, recipients: tuple[str, ...], domain: str = "finops-flows") -> str:
    """The same object version to the same people always has the same Message-ID."""
    key = "\n".join((version.namespace, version.bucket, version.name, version.etag, *recipients))
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"
