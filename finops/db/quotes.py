"""`quotes`, `quote_groups`, `quote_items`: a user's quotes and the lifecycle of the active one.

Every statement names the owner, so another user's id finds nothing. A change of the active quote
first locks the owner's `users` row: concurrent requests of one user queue there, and the partial
unique index `quotes_one_active_per_owner` guarantees the rule even if something else forgot to.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.types.json import Jsonb


@dataclass(frozen=True)
class QuoteTermsRow:
    name: str
    region: str
    duration: Decimal
    duration_unit: str
    commitment_period: str | None
    global_discount_percent: Decimal


@dataclass(frozen=True)
class GroupRow:
    id: int
    name: str
    position: int


@dataclass(frozen=True)
class ItemRow:
    id: int
    group_id: int | None
    position: int
    name: str
    kind: str
    service: str | None
    type: str | None
    operation: str | None
    parameters: dict[str, Any]
    quantity: Decimal


@dataclass(frozen=True)
class QuoteRow:
    id: int
    status: str
    revision: int
    terms: QuoteTermsRow
    created_at: datetime
    updated_at: datetime
    groups: list[GroupRow] = field(default_factory=list)
    items: list[ItemRow] = field(default_factory=list)


@dataclass(frozen=True)
class ItemFields:
    group_id: int | None
    name: str
    kind: str
    service: str | None
    type: str | None
    operation: str | None
    parameters: dict[str, Any]
    quantity: Decimal


_QUOTE_COLUMNS = """
    q.id, q.status, q.revision, q.name, q.region, q.duration, q.duration_unit, q.commitment_period,
    q.global_discount_percent, q.created_at, q.updated_at,
    coalesce((SELECT json_agg(json_build_object('id', g.id, 'name', g.name, 'position', g.position)
                              ORDER BY g.position, g.id)
                FROM quote_groups g WHERE g.quote_id = q.id), '[]'),
    coalesce((SELECT json_agg(json_build_object(
                  'id', i.id, 'group_id', i.group_id, 'position', i.position, 'name', i.name, 'kind', i.kind,
                  'service', i.service, 'type', i.type, 'operation', i.operation, 'parameters', i.parameters,
                  'quantity', i.quantity::text) ORDER BY i.position, i.id)
                FROM quote_items i WHERE i.quote_id = q.id), '[]')
"""


async def create_quote(conn: psycopg.AsyncConnection, owner_id: int, terms: QuoteTermsRow) -> QuoteRow:
    """A new active quote; the one active before is saved."""
    async with conn.transaction():
        await _lock_owner(conn, owner_id)
        await conn.execute(
            "UPDATE quotes SET status = 'saved', updated_at = now() WHERE owner_id = %s AND status = 'active'",
            [owner_id],
        )
        cursor = await conn.execute(
            """
            INSERT INTO quotes (owner_id, name, status, region, duration, duration_unit, commitment_period,
                                global_discount_percent)
            VALUES (%s, %s, 'active', %s, %s, %s, %s, %s) RETURNING id
            """,
            [owner_id, terms.name, terms.region, terms.duration, terms.duration_unit, terms.commitment_period,
             terms.global_discount_percent],
        )  # fmt: skip
        row = await cursor.fetchone()
        assert row is not None
        quote = await fetch_quote(conn, owner_id, int(row[0]))
    assert quote is not None
    return quote


async def fetch_quote(conn: psycopg.AsyncConnection, owner_id: int, quote_id: int) -> QuoteRow | None:
    cursor = await conn.execute(
        f"SELECT {_QUOTE_COLUMNS} FROM quotes q WHERE q.id = %s AND q.owner_id = %s",  # noqa: S608 - constant
        [quote_id, owner_id],
    )
    row = await cursor.fetchone()
    return _quote(row) if row else None


@dataclass(frozen=True)
class QuoteVersion:
    revision: int
    region: str
    catalog_refreshed_at: datetime | None  # when refresh-catalog last read the quote's region


async def quote_version(conn: psycopg.AsyncConnection, owner_id: int, quote_id: int) -> QuoteVersion | None:
    """What a calculation of the quote depends on, in one small read: a cached one is valid while it holds."""
    cursor = await conn.execute(
        """
        SELECT q.revision, q.region, r.refreshed_at
          FROM quotes q LEFT JOIN osc_catalog_refreshes r ON r.region = q.region
         WHERE q.id = %s AND q.owner_id = %s
        """,
        [quote_id, owner_id],
    )
    row = await cursor.fetchone()
    return QuoteVersion(int(row[0]), str(row[1]), row[2]) if row else None


async def open_quote(conn: psycopg.AsyncConnection, owner_id: int, quote_id: int) -> QuoteRow | None:
    """Loading a quote makes it the active one; the one active before is saved."""
    async with conn.transaction():
        await _lock_owner(conn, owner_id)
        if not await _activate(conn, owner_id, quote_id):
            return None
        return await fetch_quote(conn, owner_id, quote_id)


async def list_quotes(conn: psycopg.AsyncConnection, owner_id: int) -> list[QuoteRow]:
    """Every quote of the owner with its items (the list shows totals), the active one first, then newest."""
    cursor = await conn.execute(
        f"SELECT {_QUOTE_COLUMNS} FROM quotes q WHERE q.owner_id = %s"  # noqa: S608 - constant
        " ORDER BY q.status = 'active' DESC, q.updated_at DESC, q.id DESC",
        [owner_id],
    )
    return [_quote(row) for row in await cursor.fetchall()]


async def update_quote(
    conn: psycopg.AsyncConnection,
    owner_id: int,
    quote_id: int,
    change: Callable[[QuoteRow], Awaitable[tuple[QuoteTermsRow, str]]],
) -> QuoteRow | None:
    """``change`` turns the quote as it is now into its new terms and status (raising to refuse them).
    It runs under the owner's lock, so two changes never overwrite each other with what they read before."""
    async with conn.transaction():
        await _lock_owner(conn, owner_id)
        current = await fetch_quote(conn, owner_id, quote_id)
        if current is None:
            return None
        terms, status = await change(current)
        if status == "active":
            await _activate(conn, owner_id, quote_id)
        await conn.execute(
            """
            UPDATE quotes SET name = %s, region = %s, duration = %s, duration_unit = %s, commitment_period = %s,
                              global_discount_percent = %s, status = %s, updated_at = now(), revision = revision + 1
             WHERE id = %s AND owner_id = %s
            """,
            [terms.name, terms.region, terms.duration, terms.duration_unit, terms.commitment_period,
             terms.global_discount_percent, status, quote_id, owner_id],
        )  # fmt: skip
        return await fetch_quote(conn, owner_id, quote_id)


async def delete_quote(
    conn: psycopg.AsyncConnection, owner_id: int, quote_id: int, empty_terms: QuoteTermsRow
) -> tuple[bool, QuoteRow | None]:
    """(found, the quote that became active instead): deleting the active quote activates the most
    recently changed saved one, or a new empty quote made with ``empty_terms`` when none is left."""
    async with conn.transaction():
        await _lock_owner(conn, owner_id)
        cursor = await conn.execute(
            "DELETE FROM quotes WHERE id = %s AND owner_id = %s RETURNING status", [quote_id, owner_id]
        )
        deleted = await cursor.fetchone()
        if deleted is None:
            return False, None
        if deleted[0] != "active":
            return True, None
        cursor = await conn.execute(
            """
            UPDATE quotes SET status = 'active', updated_at = now()
             WHERE id = (SELECT id FROM quotes WHERE owner_id = %(owner)s AND status = 'saved'
                          ORDER BY updated_at DESC, id DESC LIMIT 1)
            RETURNING id
            """,
            {"owner": owner_id},
        )
        promoted = await cursor.fetchone()
        if promoted is not None:
            return True, await fetch_quote(conn, owner_id, int(promoted[0]))
        return True, await create_quote(conn, owner_id, empty_terms)


async def add_item(conn: psycopg.AsyncConnection, owner_id: int, quote_id: int, item: ItemFields) -> int | None:
    async with conn.transaction():
        if not await _lock_quote(conn, owner_id, quote_id):
            return None
        cursor = await conn.execute(
            """
            INSERT INTO quote_items (quote_id, group_id, position, name, kind, service, type, operation,
                                     parameters, quantity)
            VALUES (%s, %s, (SELECT coalesce(max(position), 0) + 1 FROM quote_items WHERE quote_id = %s),
                    %s, %s, %s, %s, %s, %s, %s)
            RETURNING id
            """,
            [quote_id, item.group_id, quote_id, item.name, item.kind, item.service, item.type, item.operation,
             Jsonb(item.parameters), item.quantity],
        )  # fmt: skip
        row = await cursor.fetchone()
        assert row is not None
        return int(row[0])


async def update_item(
    conn: psycopg.AsyncConnection, owner_id: int, quote_id: int, item_id: int, item: ItemFields, position: int | None
) -> bool:
    async with conn.transaction():
        if not await _lock_quote(conn, owner_id, quote_id):
            return False
        cursor = await conn.execute(
            """
            UPDATE quote_items SET group_id = %s, name = %s, kind = %s, service = %s, type = %s, operation = %s,
                                   parameters = %s, quantity = %s, position = coalesce(%s, position),
                                   updated_at = now()
             WHERE id = %s AND quote_id = %s
            """,
            [item.group_id, item.name, item.kind, item.service, item.type, item.operation, Jsonb(item.parameters),
             item.quantity, position, item_id, quote_id],
        )  # fmt: skip
        return cursor.rowcount == 1


async def delete_item(conn: psycopg.AsyncConnection, owner_id: int, quote_id: int, item_id: int) -> bool:
    async with conn.transaction():
        if not await _lock_quote(conn, owner_id, quote_id):
            return False
        cursor = await conn.execute("DELETE FROM quote_items WHERE id = %s AND quote_id = %s", [item_id, quote_id])
        return cursor.rowcount == 1


async def add_group(
    conn: psycopg.AsyncConnection, owner_id: int, quote_id: int, name: str, position: int | None
) -> int | None:
    async with conn.transaction():
        if not await _lock_quote(conn, owner_id, quote_id):
            return None
        cursor = await conn.execute(
            """
            INSERT INTO quote_groups (quote_id, name, position)
            VALUES (%(quote)s, %(name)s,
                    coalesce(%(position)s, (SELECT coalesce(max(position), 0) + 1 FROM quote_groups
                                             WHERE quote_id = %(quote)s)))
            RETURNING id
            """,
            {"quote": quote_id, "name": name, "position": position},
        )
        row = await cursor.fetchone()
        assert row is not None
        return int(row[0])


async def update_group(
    conn: psycopg.AsyncConnection, owner_id: int, quote_id: int, group_id: int, name: str, position: int | None
) -> bool:
    async with conn.transaction():
        if not await _lock_quote(conn, owner_id, quote_id):
            return False
        cursor = await conn.execute(
            "UPDATE quote_groups SET name = %s, position = coalesce(%s, position) WHERE id = %s AND quote_id = %s",
            [name, position, group_id, quote_id],
        )
        return cursor.rowcount == 1


async def delete_group(conn: psycopg.AsyncConnection, owner_id: int, quote_id: int, group_id: int) -> bool:
    """Its items stay in the quote, ungrouped."""
    async with conn.transaction():
        if not await _lock_quote(conn, owner_id, quote_id):
            return False
        cursor = await conn.execute("DELETE FROM quote_groups WHERE id = %s AND quote_id = %s", [group_id, quote_id])
        return cursor.rowcount == 1


async def _lock_owner(conn: psycopg.AsyncConnection, owner_id: int) -> None:
    # NO KEY: sign-ins and new sessions of the same user (foreign keys to users) need not wait.
    await conn.execute("SELECT 1 FROM users WHERE id = %s FOR NO KEY UPDATE", [owner_id])


async def _lock_quote(conn: psycopg.AsyncConnection, owner_id: int, quote_id: int) -> bool:
    """Locks the owner's quote for a change of its content, and marks it changed; False when not theirs."""
    cursor = await conn.execute(
        "UPDATE quotes SET updated_at = now(), revision = revision + 1 WHERE id = %s AND owner_id = %s",
        [quote_id, owner_id],
    )
    return cursor.rowcount == 1


async def _activate(conn: psycopg.AsyncConnection, owner_id: int, quote_id: int) -> bool:
    cursor = await conn.execute("SELECT status FROM quotes WHERE id = %s AND owner_id = %s", [quote_id, owner_id])
    found = await cursor.fetchone()
    if found is None:
        return False
    if found[0] != "active":
        await conn.execute(
            "UPDATE quotes SET status = 'saved', updated_at = now() WHERE owner_id = %s AND status = 'active'",
            [owner_id],
        )
        await conn.execute("UPDATE quotes SET status = 'active', updated_at = now() WHERE id = %s", [quote_id])
    return True


def _quote(row: tuple[Any, ...]) -> QuoteRow:
    (quote_id, status, revision, name, region, duration, unit, commitment, discount, created_at, updated_at, groups,
     items) = row  # fmt: skip
    return QuoteRow(
        id=int(quote_id),
        status=str(status),
        revision=int(revision),
        terms=QuoteTermsRow(str(name), str(region), Decimal(duration), str(unit), commitment, Decimal(discount)),
        created_at=created_at,
        updated_at=updated_at,
        groups=[GroupRow(int(g["id"]), str(g["name"]), int(g["position"])) for g in groups],
        items=[
            ItemRow(
                id=int(i["id"]),
                group_id=None if i["group_id"] is None else int(i["group_id"]),
                position=int(i["position"]),
                name=str(i["name"]),
                kind=str(i["kind"]),
                service=i["service"],
                type=i["type"],
                operation=i["operation"],
                parameters=dict(i["parameters"] or {}),
                quantity=Decimal(i["quantity"]),
            )
            for i in items
        ],
    )
