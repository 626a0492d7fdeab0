"""The framework's own ceiling for bench/api.py: one Litestar route answering a small JSON dict."""

from __future__ import annotations

from litestar import Litestar, get


@get("/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}


app = Litestar(route_handlers=[hello])
