"""Object Storage: list every page, read an object's metadata, stream it to disk, make a read link."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import oci

from finops.clouds.oci.auth import OciCredentials
from finops.clouds.oci.errors import translated
from finops.domain.delivery import StoredObject
from finops.domain.errors import StorageError

CHUNK_BYTES = 1024 * 1024


class ObjectStorage:
    def __init__(self, credentials: OciCredentials, endpoint: str | None = None) -> None:
        self._client = oci.object_storage.ObjectStorageClient(
            credentials.config, **credentials.client_options(endpoint, timeout=(10, 120))
        )

    def list_objects(self, namespace: str, bucket: str, prefix: str = "") -> Iterator[StoredObject]:
        start: str | None = None
        while True:
            with translated(f"listing oci://{namespace}/{bucket}/{prefix}"):
                page = self._client.list_objects(
                    namespace, bucket, prefix=prefix or None, start=start, fields="name,size,etag,timeCreated"
                ).data
            for summary in page.objects:
                yield StoredObject(namespace, bucket, summary.name, summary.etag, int(summary.size or 0))
            start = page.next_start_with
            if not start:
                return

    def head(self, namespace: str, bucket: str, name: str) -> StoredObject:
        with translated(f"reading oci://{namespace}/{bucket}/{name}"):
            headers = self._client.head_object(namespace, bucket, name).headers
        return StoredObject(
            namespace, bucket, name, headers["etag"], int(headers.get("content-length", 0)), headers.get("content-type")
        )

    def download(self, namespace: str, bucket: str, name: str, destination: Path) -> tuple[StoredObject, str]:
        """Streams the object to ``destination`` in 1 MiB chunks; returns its metadata and sha256."""
        digest = hashlib.sha256()
        with translated(f"downloading oci://{namespace}/{bucket}/{name}"):
            response = self._client.get_object(namespace, bucket, name)
            try:
                with destination.open("wb") as out:
                    for chunk in response.data.raw.stream(CHUNK_BYTES, decode_content=False):
                        out.write(chunk)
                        digest.update(chunk)
            finally:
                response.data.close()
        headers = response.headers
        size = destination.stat().st_size
        expected = int(headers.get("content-length", size))
        if size != expected:
            raise StorageError(f"oci://{namespace}/{bucket}/{name} arrived truncated", transient=True)
        stored = StoredObject(namespace, bucket, name, headers["etag"], size, headers.get("content-type"))
        return stored, digest.hexdigest()

    def create_read_link(self, namespace: str, bucket: str, name: str, expires: datetime) -> str:
        details = oci.object_storage.models.CreatePreauthenticatedRequestDetails(
            name=f"finops-delivery-{hashlib.sha256(name.encode()).hexdigest()[:12]}",
            object_name=name,
            access_type="ObjectRead",
            time_expires=expires,
        )
        with translated(f"creating a download link for oci://{namespace}/{bucket}/{name}"):
            created = self._client.create_preauthenticated_request(namespace, bucket, details).data
        return f"{self._client.base_client.endpoint.rstrip('/')}{created.access_uri}"
