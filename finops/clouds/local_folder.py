"""A local folder used like a bucket (``file:///dir``): for trying the product without a cloud account.

A file's "etag" is the sha256 of its bytes, so rewriting a file with new content is a new version.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

from finops.clouds.oci.object_storage import CHUNK_BYTES
from finops.domain.delivery import StoredObject, content_type_for_name
from finops.domain.errors import StorageError

LOCAL_NAMESPACE = "local"


class LocalFolder:
    def __init__(self, root: Path) -> None:
        self.root = root

    def list_objects(self, namespace: str, bucket: str, prefix: str = "") -> Iterator[StoredObject]:
        if self.root.is_file():
            raise StorageError(f"source {self.root} is a file: name its folder, every report in it loads once")
        if not self.root.is_dir():
            raise StorageError(f"source folder {self.root} does not exist")
        for path in sorted(self.root.rglob("*")):
            name = path.relative_to(self.root).as_posix()
            if path.is_file() and name.startswith(prefix):
                yield self._describe(path, namespace, bucket, name)

    def head(self, namespace: str, bucket: str, name: str) -> StoredObject:
        return self._describe(self._path(name), namespace, bucket, name)

    def download(self, namespace: str, bucket: str, name: str, destination: Path) -> tuple[StoredObject, str]:
        source = self._path(name)
        shutil.copyfile(source, destination)
        stored = self._describe(destination, namespace, bucket, name)
        return stored, stored.etag

    def _path(self, name: str) -> Path:
        path = (self.root / name).resolve()
        if not path.is_relative_to(self.root.resolve()) or not path.is_file():
            raise StorageError(f"{name} is not a file in {self.root}")
        return path

    @staticmethod
    def _describe(path: Path, namespace: str, bucket: str, name: str) -> StoredObject:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                digest.update(chunk)
        content_type = content_type_for_name(name)
        return StoredObject(namespace, bucket, name, digest.hexdigest(), path.stat().st_size, content_type)
