"""Pieces of one file summed as they load: the merged rollup is what one sum over the file would give."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from finops.domain.daily_rollup import DailyRollup, RollupRow

DAY = date(2025, 6, 1)


def row(billed: str, listed: str | None = None, *, service: str = "COMPUTE", lines: int = 1) -> RollupRow:
    cost, list_cost = Decimal(billed), None if listed is None else Decimal(listed)
    return RollupRow("t1", service, "eu-paris-1", DAY, "EUR", cost, cost, list_cost, lines)


def test_the_same_day_and_service_from_two_pieces_is_one_row_with_both_sums() -> None:
    rollup = DailyRollup()
    rollup.add([row("1.5", lines=2), row("3", service="NETWORK")])
    rollup.add([row("0.25", "4", lines=3)])
    merged = {r.service_name: r for r in rollup}
    assert merged["COMPUTE"].billed_cost == Decimal("1.75") and merged["COMPUTE"].lines == 5
    assert merged["COMPUTE"].list_cost == Decimal(4), "a list cost on one side is kept, not lost to the other's none"
    assert merged["NETWORK"].list_cost is None, "no list cost at all stays none, as sum() of nothing is NULL"


@given(st.lists(st.lists(st.tuples(st.sampled_from(["A", "B"]), st.decimals(-100, 100, places=6)), max_size=5)))
def test_merging_pieces_equals_summing_every_line_at_once(pieces: list[list[tuple[str, Decimal]]]) -> None:
    rollup = DailyRollup()
    for piece in pieces:
        rollup.add([row(str(cost), service=service) for service, cost in piece])
    expected: dict[str, Decimal] = {}
    for service, cost in (line for piece in pieces for line in piece):
        expected[service] = expected.get(service, Decimal(0)) + cost
    assert {r.service_name: r.billed_cost for r in rollup} == expected
    assert sum(r.lines for r in rollup) == sum(len(piece) for piece in pieces)
