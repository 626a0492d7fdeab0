"""`budgets` and `budget_rules`: a user's budgets, written whole (the rules replaced with the budget)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from finops.domain.budgets import Basis, BudgetRule, Period, ThresholdType


@dataclass(frozen=True)
class BudgetScope:
    """What a budget counts; an empty field means any."""

    provider: str | None = None
    account_ids: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    compartments: tuple[str, ...] = ()
    tag: tuple[str, str] | None = None

    @property
    def needs_ledger(self) -> bool:
        """Tags and compartments are not in the daily rollup: such a budget reads the ledger itself."""
        return self.tag is not None or bool(self.compartments)


@dataclass(frozen=True)
class NewRule:
    basis: Basis
    threshold_type: ThresholdType
    threshold: Decimal
    notify_recovery: bool = False


@dataclass(frozen=True)
class BudgetDraft:
    name: str
    scope: BudgetScope
    period: Period
    amount: Decimal
    currency: str
    emails: tuple[str, ...]
    webhooks_sealed: tuple[bytes, ...]
    webhook_labels: tuple[str, ...]
    rules: tuple[NewRule, ...]


@dataclass(frozen=True)
class Budget:
    id: int
    owner_id: int
    owner_login: str
    owner_kind: str
    name: str
    scope: BudgetScope
    period: Period
    amount: Decimal
    currency: str
    emails: tuple[str, ...]
    webhooks_sealed: tuple[bytes, ...]
    webhook_labels: tuple[str, ...]
    created_at: datetime
    updated_at: datetime
    rules: tuple[BudgetRule, ...] = field(default=())


# What a rule measures: change any and its crossings so far say nothing about the new budget.
_MEASURED = (
    "amount",
    "currency",
    "period",
    "provider",
    "account_ids",
    "services",
    "regions",
    "compartments",
    "tag_key",
    "tag_value",
)


class DuplicateBudget(Exception):
    pass


_SELECT = """
    SELECT b.*, u.login AS owner_login, u.kind AS owner_kind
      FROM budgets b JOIN users u ON u.id = b.owner_id
"""


def list_budgets(conn: psycopg.Connection, owner_id: int | None = None) -> list[Budget]:
    """The owner's budgets, or everyone's (the flows check them all)."""
    where, params = ("WHERE b.owner_id = %(owner)s", {"owner": owner_id}) if owner_id is not None else ("", {})
    with conn.cursor(row_factory=dict_row) as cursor:
        rows = cursor.execute(_SELECT + where + " ORDER BY b.name, b.id", params).fetchall()
        rules = _rules(cursor, [int(row["id"]) for row in rows])
    return [_budget(row, rules.get(int(row["id"]), ())) for row in rows]


def get_budget(conn: psycopg.Connection, owner_id: int, budget_id: int) -> Budget | None:
    with conn.cursor(row_factory=dict_row) as cursor:
        row = cursor.execute(
            _SELECT + "WHERE b.owner_id = %(owner)s AND b.id = %(id)s", {"owner": owner_id, "id": budget_id}
        ).fetchone()
        if row is None:
            return None
        return _budget(row, _rules(cursor, [budget_id]).get(budget_id, ()))


def create_budget(conn: psycopg.Connection, owner_id: int, draft: BudgetDraft) -> int:
    with conn.transaction():
        try:
            row = conn.execute(
                """
                INSERT INTO budgets (owner_id, name, provider, account_ids, services, regions, compartments,
                                     tag_key, tag_value, period, amount, currency, emails, webhooks_sealed,
                                     webhook_labels)
                VALUES (%(owner)s, %(name)s, %(provider)s, %(account_ids)s, %(services)s, %(regions)s,
                        %(compartments)s, %(tag_key)s, %(tag_value)s, %(period)s, %(amount)s, %(currency)s,
                        %(emails)s, %(webhooks_sealed)s, %(webhook_labels)s)
                RETURNING id
                """,
                {"owner": owner_id, **_columns(draft)},
            ).fetchone()
        except psycopg.errors.UniqueViolation:
            raise DuplicateBudget(draft.name) from None
        assert row is not None  # RETURNING of an INSERT that did not fail
        budget_id = int(row[0])
        _write_rules(conn, budget_id, list(enumerate(draft.rules)))
    return budget_id


def update_budget(conn: psycopg.Connection, owner_id: int, budget_id: int, draft: BudgetDraft) -> bool:
    """Replaces the budget and its rules. A rule keeps its id, and so what it fired this period, only when
    neither it nor what it measures (amount, currency, period, scope) changed: else it is a new rule."""
    with conn.transaction():
        before = conn.execute(
            sql.SQL("SELECT {} FROM budgets WHERE id = %s AND owner_id = %s FOR UPDATE").format(
                sql.SQL(", ").join(sql.Identifier(name) for name in _MEASURED)
            ),
            [budget_id, owner_id],
        ).fetchone()
        if before is None:
            return False
        columns = _columns(draft)
        measured_alike = before == tuple(columns[name] for name in _MEASURED)
        try:
            updated = conn.execute(
                """
                UPDATE budgets
                   SET name = %(name)s, provider = %(provider)s, account_ids = %(account_ids)s,
                       services = %(services)s, regions = %(regions)s, compartments = %(compartments)s,
                       tag_key = %(tag_key)s, tag_value = %(tag_value)s, period = %(period)s, amount = %(amount)s,
                       currency = %(currency)s, emails = %(emails)s, webhooks_sealed = %(webhooks_sealed)s,
                       webhook_labels = %(webhook_labels)s, updated_at = now()
                 WHERE id = %(id)s AND owner_id = %(owner)s
                """,
                {"id": budget_id, "owner": owner_id, **columns},
            ).rowcount
        except psycopg.errors.UniqueViolation:
            raise DuplicateBudget(draft.name) from None
        if updated != 1:
            return False
        reusable = {
            (basis, threshold_type, Decimal(threshold), bool(recovery)): int(rule_id)
            for rule_id, basis, threshold_type, threshold, recovery in conn.execute(
                "SELECT id, basis, threshold_type, threshold, notify_recovery FROM budget_rules WHERE budget_id = %s",
                [budget_id],
            ).fetchall()
            if measured_alike
        }
        kept = {
            position: reusable.pop(key)
            for position, rule in enumerate(draft.rules)
            if (key := (rule.basis, rule.threshold_type, rule.threshold, rule.notify_recovery)) in reusable
        }
        conn.execute(
            "DELETE FROM budget_rules WHERE budget_id = %s AND NOT (id = ANY(%s))", [budget_id, list(kept.values())]
        )
        for position, rule_id in kept.items():
            conn.execute("UPDATE budget_rules SET position = %s WHERE id = %s", [position, rule_id])
        _write_rules(conn, budget_id, [(p, rule) for p, rule in enumerate(draft.rules) if p not in kept])
    return True


def delete_budget(conn: psycopg.Connection, owner_id: int, budget_id: int) -> bool:
    return conn.execute("DELETE FROM budgets WHERE id = %s AND owner_id = %s", [budget_id, owner_id]).rowcount == 1


def _write_rules(conn: psycopg.Connection, budget_id: int, rules: Sequence[tuple[int, NewRule]]) -> None:
    with conn.cursor() as cursor:
        cursor.executemany(
            """
            INSERT INTO budget_rules (budget_id, position, basis, threshold_type, threshold, notify_recovery)
            VALUES (%s, %s, %s, %s, %s, %s)
            """,
            [
                (budget_id, position, rule.basis, rule.threshold_type, rule.threshold, rule.notify_recovery)
                for position, rule in rules
            ],
        )


def _columns(draft: BudgetDraft) -> dict[str, object]:
    scope = draft.scope
    return {
        "name": draft.name,
        "provider": scope.provider,
        "account_ids": list(scope.account_ids),
        "services": list(scope.services),
        "regions": list(scope.regions),
        "compartments": list(scope.compartments),
        "tag_key": scope.tag[0] if scope.tag else None,
        "tag_value": scope.tag[1] if scope.tag else None,
        "period": draft.period,
        "amount": draft.amount,
        "currency": draft.currency,
        "emails": list(draft.emails),
        "webhooks_sealed": list(draft.webhooks_sealed),
        "webhook_labels": list(draft.webhook_labels),
    }


def _rules(cursor: psycopg.Cursor[dict[str, object]], budget_ids: list[int]) -> dict[int, tuple[BudgetRule, ...]]:
    rows = cursor.execute(
        "SELECT * FROM budget_rules WHERE budget_id = ANY(%s) ORDER BY budget_id, position, id", [budget_ids]
    ).fetchall()
    found: dict[int, list[BudgetRule]] = {}
    for row in rows:
        found.setdefault(int(str(row["budget_id"])), []).append(
            BudgetRule(
                id=int(str(row["id"])),
                basis=row["basis"],  # type: ignore[arg-type]
                threshold_type=row["threshold_type"],  # type: ignore[arg-type]
                threshold=Decimal(str(row["threshold"])),
                notify_recovery=bool(row["notify_recovery"]),
            )
        )
    return {budget_id: tuple(rules) for budget_id, rules in found.items()}


def _budget(row: dict[str, object], rules: tuple[BudgetRule, ...]) -> Budget:
    tag_key, tag_value = row["tag_key"], row["tag_value"]
    return Budget(
        id=int(str(row["id"])),
        owner_id=int(str(row["owner_id"])),
        owner_login=str(row["owner_login"]),
        owner_kind=str(row["owner_kind"]),
        name=str(row["name"]),
        scope=BudgetScope(
            provider=str(row["provider"]) if row["provider"] else None,
            account_ids=tuple(row["account_ids"]),  # type: ignore[arg-type]
            services=tuple(row["services"]),  # type: ignore[arg-type]
            regions=tuple(row["regions"]),  # type: ignore[arg-type]
            compartments=tuple(row["compartments"]),  # type: ignore[arg-type]
            tag=(str(tag_key), str(tag_value)) if tag_key is not None else None,
        ),
        period=row["period"],  # type: ignore[arg-type]
        amount=Decimal(str(row["amount"])),
        currency=str(row["currency"]),
        emails=tuple(row["emails"]),  # type: ignore[arg-type]
        webhooks_sealed=tuple(bytes(token) for token in row["webhooks_sealed"]),  # type: ignore[attr-defined]
        webhook_labels=tuple(row["webhook_labels"]),  # type: ignore[arg-type]
        created_at=row["created_at"],  # type: ignore[arg-type]
        updated_at=row["updated_at"],  # type: ignore[arg-type]
        rules=rules,
    )
