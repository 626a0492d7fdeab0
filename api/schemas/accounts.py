"""Wire types of cloud accounts. Keys go in, never out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from api.schemas.text import NO_NUL

Region = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=NO_NUL)]


class AccountCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NO_NUL)]
    regions: Annotated[list[Region], msgspec.Meta(min_length=1, max_length=10)]
    provider: Literal["outscale", "oci"] = "outscale"
    access_key: Annotated[str, msgspec.Meta(max_length=128, pattern=NO_NUL)] | None = None
    secret_key: Annotated[str, msgspec.Meta(max_length=256, pattern=NO_NUL)] | None = None
    credentials: Annotated[str, msgspec.Meta(max_length=512, pattern=NO_NUL)] | None = (
        None  # env:, file: or oci-vault: reference
    )
    account_id: Annotated[str, msgspec.Meta(max_length=255, pattern=NO_NUL)] | None = None  # OCI: the tenancy OCID


class AccountView(msgspec.Struct):
    id: int
    provider: str
    account_id: str
    name: str
    regions: list[str]
    credentials: str  # "encrypted keys" or "reference <ref>": what kind, never the secret
    created_at: datetime
