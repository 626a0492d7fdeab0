from datetime import UTC, datetime
from decimal import Decimal

from finops.domain.report_summary import summarise

COST_HEADER = [
    "lineItem/intervalUsageStart",
    "lineItem/intervalUsageEnd",
    "product/service",
    "cost/myCost",
    "cost/currencyCode",
]


def test_a_cost_report_is_summarised_per_currency_and_service() -> None:
    rows = [
        ["2023-11-13T10:00Z", "2023-11-13T11:00:00Z", "COMPUTE", "2.5E-1", "USD"],
        ["2023-11-13T09:00Z", "2023-11-13T10:00:00Z", "DATABASE", "1.00", "usd"],
        ["2023-11-13T11:00Z", "2023-11-13T12:00:00Z", "COMPUTE", "3", "EUR"],
        ["2023-11-13T11:00Z", "2023-11-13T12:00:00Z", "BLOCK_STORAGE", "", ""],
    ]
    summary = summarise(COST_HEADER, rows)
    assert summary.rows == 4
    assert summary.totals == {"EUR": Decimal(3), "USD": Decimal("1.25")}
    assert summary.period_start == datetime(2023, 11, 13, 9, tzinfo=UTC)
    assert summary.period_end == datetime(2023, 11, 13, 12, tzinfo=UTC)
    assert [(s.service, s.currency) for s in summary.top_services] == [
        ("COMPUTE", "EUR"),
        ("DATABASE", "USD"),
        ("COMPUTE", "USD"),
    ]


def test_the_focus_column_names_work_too() -> None:
    header = ["ChargePeriodStart", "ChargePeriodEnd", "ServiceName", "BilledCost", "BillingCurrency"]
    summary = summarise(header, [["2025-06-20T00:00:00Z", "2025-06-21T00:00:00Z", "Compute", "12.5", "GBP"]])
    assert summary.totals == {"GBP": Decimal("12.5")}


def test_unreadable_values_are_counted_not_summed() -> None:
    rows = [
        ["x", "", "COMPUTE", "NaN", "USD"],
        ["", "", "COMPUTE", "sNaN", "USD"],
        ["", "", "COMPUTE", "Infinity", "USD"],
        ["", "", "COMPUTE", "abc", "USD"],
        ["", "", "COMPUTE", "1", "USD"],
    ]
    summary = summarise(COST_HEADER, rows)
    assert summary.totals == {"USD": Decimal(1)}
    assert summary.unreadable_values == 5


def test_a_usage_report_has_rows_but_no_totals() -> None:
    summary = summarise(["lineItem/intervalUsageStart", "usage/consumedQuantity"], [["2022-04-20T09:00Z", "7.0"]])
    assert not summary.is_cost_report
    assert summary.rows == 1


def test_the_change_since_the_previous_report_is_per_currency() -> None:
    summary = summarise(COST_HEADER, [["", "", "COMPUTE", "15", "USD"]])
    (change,) = summary.change_since({"USD": Decimal(10), "EUR": Decimal(4)})
    assert (change.delta, change.percent) == (Decimal(5), Decimal(50))
