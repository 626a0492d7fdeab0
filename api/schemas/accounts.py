"""Wire types of cloud accounts. Keys go in, never out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from api.schemas.text import NO_NUL

Region = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=NO_NUL)]


class AccountCreate(msgspec.Struct, forbid_unknown_fields=True):
    """An Outscale account, proven by its keys. OCI tenancies and secret references are an operator's
    to add (`finops accounts add`): an OCID proves nothing, and a reference would read the server's secrets."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=NO_NUL)]
    regions: Annotated[list[Region], msgspec.Meta(min_length=1, max_length=10)]
    access_key: Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=NO_NUL)]
    secret_key: Annotated[str, msgspec.Meta(min_length=1, max_length=256, pattern=NO_NUL)]


class AccountView(msgspec.Struct):
    id: int
    provider: str
    account_id: str
    name: str
    regions: list[str]
    credentials: str  # "encrypted keys" or "reference <ref>": what kind, never the secret
    created_at: datetime
