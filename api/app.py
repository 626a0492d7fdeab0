"""The app factory: all wiring in one place."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.static_files import create_static_files_router

from api.calculation_cache import CalculationCache
from api.catalog_source import CatalogSource
from api.controllers.accounts import AccountsController
from api.controllers.alerts import AlertsController
from api.controllers.auth import AuthController
from api.controllers.budgets import BudgetsController
from api.controllers.catalog import CatalogController
from api.controllers.consumption import ConsumptionController
from api.controllers.costs import CostsController
from api.controllers.current_cost import CurrentCostController
from api.controllers.flows import FlowsController
from api.controllers.health import HealthController
from api.controllers.metrics import MetricsController
from api.controllers.oci_events import OciEventsController
from api.controllers.quotes import QuotesController
from api.controllers.trends import TrendsController
from api.database import pool_lifespan
from api.errors import EXCEPTION_HANDLERS
from api.openapi import document_error_envelope
from finops.config import Settings
from finops.domain.errors import ConfigError


def create_app(settings: Settings) -> Litestar:
    if settings.database_url is None:
        raise ConfigError("the API needs DATABASE_URL (`finops up` sets it)")

    catalog = CatalogSource(settings.outscale_endpoint)
    calculations = CalculationCache(settings.quote_calculation_cache_size)

    def provide_settings() -> Settings:
        return settings

    def provide_catalog() -> CatalogSource:
        return catalog

    def provide_calculations() -> CalculationCache:
        return calculations

    route_handlers: list[Any] = [
        AccountsController,
        AlertsController,
        AuthController,
        BudgetsController,
        CatalogController,
        ConsumptionController,
        CostsController,
        CurrentCostController,
        FlowsController,
        HealthController,
        MetricsController,
        OciEventsController,
        QuotesController,
        TrendsController,
    ]
    if settings.ui_dir.is_dir():
        route_handlers.append(
            create_static_files_router(
                path="/", directories=[settings.ui_dir.resolve()], html_mode=True, include_in_schema=False, name="ui"
            )
        )
    app = Litestar(
        route_handlers=route_handlers,
        lifespan=[pool_lifespan(settings.database_url.get_secret_value())],
        dependencies={
            "settings": Provide(provide_settings, use_cache=True, sync_to_thread=False),
            "catalog": Provide(provide_catalog, use_cache=True, sync_to_thread=False),
            "calculations": Provide(provide_calculations, use_cache=True, sync_to_thread=False),
        },
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        # Our logging (finops.logs, with its redacting formatter) stays in charge: Litestar's would replace it.
        logging_config=None,
        # Same-origin unless origins are configured: a cookie session must not be usable from anywhere.
        cors_config=CORSConfig(allow_origins=settings.cors_origins, allow_credentials=True)
        if settings.cors_origins
        else None,
        openapi_config=OpenAPIConfig(
            title="finops-flows API",
            version="0.1.0",
            path="/schema",
            # The spec itself, not a viewer page: viewers load scripts from CDNs and the product works offline.
            render_plugins=[JsonRenderPlugin(path=["/", "/openapi.json"]), YamlRenderPlugin()],
        ),
    )
    document_error_envelope(app.openapi_schema)
    return app
