"""Calculations of unchanged quotes, kept in memory: pricing 200 items costs milliseconds of Python.

A calculation depends only on the quote's revision, its region's catalog as of a refresh, and the
discount settings (fixed for the process), so that is the key: any change of the quote bumps its
revision and any new catalog changes the refresh, and an entry is never served stale. Entries are
found only after the owner's query has found the quote, so ownership is checked every time.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from api.quote_views import calculation_view
from api.schemas.quotes import QuoteCalculationView
from finops.db.quotes import QuoteRow
from finops.domain.quote_calculation import QuoteCalculation

CalculationKey = tuple[int, int, str, str, datetime | None]  # quote id, revision, region, catalog source, as of


@dataclass(frozen=True)
class Calculated:
    quote: QuoteRow
    calculation: QuoteCalculation

    @cached_property
    def view(self) -> QuoteCalculationView:
        """What GET /calculate answers: building its ~1,400 decimal strings costs as much as the pricing."""
        return calculation_view(self.quote.id, self.calculation)


class CalculationCache:
    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[CalculationKey, Calculated] = OrderedDict()

    def get(self, key: CalculationKey) -> Calculated | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: CalculationKey, calculated: Calculated) -> None:
        if self._size <= 0:
            return
        self._entries[key] = calculated
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)
