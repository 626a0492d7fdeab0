"""Tasks over the report sources (OCI buckets or local folders): list, describe, download, link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from finops.clouds.oci.object_storage import ObjectStorage
from finops.config import Settings
from finops.domain.delivery import DeliveryRule, StoredObject
from finops.domain.errors import ConfigError, StorageError
from tasks.retry import TRANSIENT_RETRIES
from tasks.stores import store_for


@dataclass(frozen=True)
class DownloadedReport:
    stored: StoredObject
    path: Path


@task(task_run_name="list {rule.name}", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def list_report_objects(rule: DeliveryRule, settings: Settings) -> list[StoredObject]:
    source = rule.source
    listed = store_for(rule.source, settings).list_objects(source.namespace, source.bucket, source.prefix)
    return [stored for stored in listed if rule.matches(stored.namespace, stored.bucket, stored.name)]


@task(task_run_name="describe {object_name}", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def describe_report_object(rule: DeliveryRule, settings: Settings, object_name: str) -> StoredObject:
    return store_for(rule.source, settings).head(rule.source.namespace, rule.source.bucket, object_name)


@task(task_run_name="download {stored.name}", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def download_report(rule: DeliveryRule, settings: Settings, stored: StoredObject, workdir: Path) -> DownloadedReport:
    destination = workdir / f"{stored.etag[:16]}-{stored.name.rsplit('/', 1)[-1]}"
    downloaded, _ = store_for(rule.source, settings).download(stored.namespace, stored.bucket, stored.name, destination)
    if downloaded.etag != stored.etag:
        raise StorageError(f"{stored.name} was replaced while it was being downloaded; the new version goes next")
    return DownloadedReport(downloaded, destination)


@task(task_run_name="link {stored.name}", cache_policy=NO_CACHE, **TRANSIENT_RETRIES)
def create_download_link(
    rule: DeliveryRule, settings: Settings, stored: StoredObject, now: datetime
) -> tuple[str, datetime]:
    store = store_for(rule.source, settings)
    if not isinstance(store, ObjectStorage):
        raise ConfigError(f"{stored.name} is over the attachment limit and a local folder cannot make download links")
    expires = now + timedelta(days=settings.delivery_link_days)
    return store.create_read_link(stored.namespace, stored.bucket, stored.name, expires), expires
