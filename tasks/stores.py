"""Where a source's objects are read from: an OCI bucket through the SDK, or a local folder."""

from __future__ import annotations

from pathlib import Path

from finops.clouds.local_folder import LocalFolder
from finops.clouds.oci.auth import load_credentials, oci_auth_from
from finops.clouds.oci.object_storage import ObjectStorage
from finops.config import Settings
from finops.domain.delivery import SourceLocation


def store_for(source: SourceLocation, settings: Settings) -> ObjectStorage | LocalFolder:
    if source.kind == "file":
        return LocalFolder(Path(source.bucket))
    return ObjectStorage(load_credentials(oci_auth_from(settings)), settings.oci_object_storage_endpoint)
