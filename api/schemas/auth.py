"""Wire types of sign-in and sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from api.schemas.text import NO_NUL

OutscaleRegion = Literal["eu-west-2", "cloudgouv-eu-west-1", "us-east-2", "us-west-1", "ap-northeast-1"]


class OutscaleLogin(msgspec.Struct, forbid_unknown_fields=True):
    access_key: Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=NO_NUL)]
    secret_key: Annotated[str, msgspec.Meta(min_length=1, max_length=256, pattern=NO_NUL)]
    region: OutscaleRegion


class LocalLogin(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=NO_NUL)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024, pattern=NO_NUL)]


class SignedInUser(msgspec.Struct):
    id: int
    kind: Literal["outscale", "local"]
    login: str
    region: str | None


class SessionInfo(msgspec.Struct):
    user: SignedInUser
    csrf_token: str
    expires_at: datetime
