"""Runs the API with uvicorn (started by `finops up`)."""

from __future__ import annotations

import uvicorn

from api.app import create_app
from finops.config import Settings
from finops.logs import configure_logging


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_level)
    uvicorn.run(
        create_app(settings),
        host=settings.api_host,
        port=settings.api_port,
        log_config=None,
        proxy_headers=True,
        server_header=False,
    )


if __name__ == "__main__":
    main()
