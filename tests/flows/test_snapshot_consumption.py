"""snapshot-consumption in process: the real SDK against the emulator, the real Prefect engine and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from finops.account_credentials import seal_keys
from finops.config import Settings
from finops.db.cloud_accounts import add_account
from finops.db.connect import connect
from finops.domain.cloud_accounts import OutscaleKeys
from flows.snapshot_consumption import snapshot_consumption
from tests.emulators.outscale import OutscaleEmulator
from tests.flows.test_ingest_costs import ingested_event_for_day

DAY = date(2025, 12, 1)


def register(dsn: str, account_id: str, access_key: str, secret_key: str) -> None:
    sealed = seal_keys(OutscaleKeys(access_key, secret_key), Settings())
    with connect(dsn) as conn:
        add_account(
            conn, provider="outscale", account_id=account_id, name=account_id, regions=("eu-west-2",), owner=account_id,
            sealed=sealed,
        )  # fmt: skip


def run(**parameters: Any) -> tuple[bool, list[dict[str, Any]], str]:
    state = snapshot_consumption(**parameters, return_state=True)
    outcomes = state.result(raise_on_failure=False)
    return state.is_completed(), outcomes if isinstance(outcomes, list) else [], state.message or ""


def query(dsn: str, statement: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(statement).fetchall()  # type: ignore[arg-type]


@pytest.mark.usefixtures("outscale_env")
def test_the_sample_day_is_priced_line_by_line_and_a_rerun_changes_nothing(
    outscale: OutscaleEmulator, migrated_dsn: str, prefect_api_url: str
) -> None:
    register(migrated_dsn, outscale.account_id, outscale.access_key, outscale.secret_key)
    outscale.fail_next(1, status=429)
    completed, (outcome,), message = run(from_date=DAY, to_date=date(2025, 12, 2))
    assert completed, message
    assert (outcome["lines"], outcome["inserted"], outcome["unpriced"], outcome["ledger"]) == (18, 18, [], "loaded")
    assert outscale.calls("ReadConsumptionAccount") == [429, 200]

    prices = dict(query(migrated_dsn, "SELECT type, price FROM osc_consumption WHERE price_source = 'catalog'"))
    assert len(prices) == 17  # the two ElasticIP:IdleAddress lines differ by operation
    assert prices["BoxUsage:tinav5.c24r128p1"] == 24 * (24 * Decimal("0.040") + 128 * Decimal("0.005"))
    assert prices["ProductUsage:tinav5.c2r4p2"] == 0  # Linux
    total = query(migrated_dsn, "SELECT sum(price) FROM osc_consumption")[0][0]
    assert query(
        migrated_dsn, "SELECT provider, day, currency, sum(billed_cost) FROM daily_costs GROUP BY 1, 2, 3"
    ) == [("outscale", DAY, "EUR", total)]
    event = ingested_event_for_day(prefect_api_url, DAY.isoformat())
    assert event is not None and event["resource"]["prefect.resource.id"] == "finops.cost-ledger.outscale"
    assert event["payload"]["accounts"] == [outscale.account_id]

    completed, (again,), _ = run(from_date=DAY, to_date=date(2025, 12, 2))
    assert completed and (again["inserted"], again["updated"], again["unchanged"], again["ledger"]) == (
        0,
        0,
        18,
        "unchanged",
    )
    assert query(migrated_dsn, "SELECT count(*) FROM cost_lines WHERE provider = 'outscale'") == [(18,)]


@pytest.mark.usefixtures("outscale_env")
def test_wrong_keys_fail_their_account_only_and_record_nothing_for_it(
    outscale: OutscaleEmulator, migrated_dsn: str
) -> None:
    register(migrated_dsn, outscale.account_id, outscale.access_key, outscale.secret_key)
    register(migrated_dsn, "000000000000", "AKIAWRONGKEY00000001", "not-the-secret")
    completed, outcomes, _ = run(from_date=DAY, to_date=date(2025, 12, 2))
    assert completed
    assert sorted((o["account"], o["status"]) for o in outcomes) == [
        ("000000000000", "failed"),
        (outscale.account_id, "recorded"),
    ]
    (failed,) = [o for o in outcomes if o["status"] == "failed"]
    assert failed["problem"].startswith("auth:") and "not-the-secret" not in failed["problem"]
    assert query(migrated_dsn, "SELECT DISTINCT account_id FROM osc_consumption") == [(outscale.account_id,)]


@pytest.mark.usefixtures("outscale_env")
def test_an_aws_type_vm_day_is_priced_by_its_size_from_read_vm_types(
    outscale: OutscaleEmulator, migrated_dsn: str
) -> None:
    register(migrated_dsn, outscale.account_id, outscale.access_key, outscale.secret_key)
    day = {"FromDate": "2025-12-03T00:00:00.000+0000", "ToDate": "2025-12-04T00:00:00.000+0000"}
    line = {"Service": "TinaOS-FCU", "SubregionName": "eu-west-2a", "Value": 24.0, "AccountId": outscale.account_id}
    outscale.add_consumption(
        outscale.account_id,
        [
            {**line, **day, "Type": "BoxUsage:m4.large", "Operation": "RunInstances-OD", "Category": "compute"},
            {
                **line,
                **day,
                "Type": "ProductUsage:m4.large",
                "Operation": "RunInstances-0002-OD",
                "Category": "licence",
            },
        ],
    )
    outscale.add_resources(
        outscale.account_id, "VmTypes", [{"VmTypeName": "m4.large", "VcoreCount": 2, "MemorySize": 8}]
    )
    completed, (outcome,), message = run(from_date=date(2025, 12, 3), to_date=date(2025, 12, 4))
    assert completed, message
    assert outcome["unpriced"] == []
    prices = dict(query(migrated_dsn, "SELECT type, price FROM osc_consumption WHERE day = '2025-12-03'"))
    assert prices["BoxUsage:m4.large"] == 24 * (2 * Decimal("0.039") + 8 * Decimal("0.005"))  # m4: v4-p2
    assert prices["ProductUsage:m4.large"] == 24 * Decimal("0.121")  # Windows, one pair of cores
