"""The migration runner against a real PostgreSQL: fresh, re-run, edited, failing, concurrent."""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg
import pytest

from finops.db.connect import connect
from finops.db.migrations import Migration, applied_version, discover, migrate
from finops.domain.errors import MigrationError


def schema_of(dsn: str) -> list[tuple[str, ...]]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            """
            SELECT table_name, column_name, data_type, is_nullable
            FROM information_schema.columns WHERE table_schema = 'public'
            UNION ALL
            SELECT tablename, indexname, indexdef, '' FROM pg_indexes WHERE schemaname = 'public'
            ORDER BY 1, 2
            """
        ).fetchall()
    return [tuple(str(value) for value in row) for row in rows]


def migrate_dsn(dsn: str, migrations: list[Migration] | None = None) -> list[Migration]:
    with connect(dsn, autocommit=True) as conn:
        return migrate(conn, migrations)


def version_of(dsn: str) -> int:
    with connect(dsn) as conn:
        return applied_version(conn)


def test_the_project_migrations_are_named_and_numbered_without_gaps() -> None:
    versions = [migration.version for migration in discover()]
    assert versions == list(range(1, len(versions) + 1))


def test_a_fresh_database_gets_every_migration_and_the_same_schema_twice(
    database_dsn: str, postgres_dsn: str, request: pytest.FixtureRequest
) -> None:
    applied = migrate_dsn(database_dsn)
    assert [m.version for m in applied] == [m.version for m in discover()]
    assert version_of(database_dsn) == discover()[-1].version

    second_dsn = request.getfixturevalue("migrated_dsn")
    assert schema_of(second_dsn) == schema_of(database_dsn)
    assert any(row[0] == "source_files" for row in schema_of(database_dsn))


def test_running_again_applies_nothing_and_keeps_data(migrated_dsn: str) -> None:
    with psycopg.connect(migrated_dsn) as conn:
        conn.execute(
            "INSERT INTO source_files (uri, etag, kind, status) VALUES ('oci://n/b/o', 'e1', 'oci-cost', 'loaded')"
        )
    assert migrate_dsn(migrated_dsn) == []
    with psycopg.connect(migrated_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM source_files").fetchone() == (1,)


def test_an_applied_migration_that_was_edited_is_refused(database_dsn: str) -> None:
    original = Migration(1, "create_notes", "CREATE TABLE notes (id int)")
    migrate_dsn(database_dsn, [original])
    edited = Migration(1, "create_notes", "CREATE TABLE notes (id bigint)")
    with pytest.raises(MigrationError, match="0001_create_notes changed after it was applied"):
        migrate_dsn(database_dsn, [edited, Migration(2, "create_more", "CREATE TABLE more (id int)")])
    with psycopg.connect(database_dsn) as conn:
        assert conn.execute("SELECT to_regclass('more')").fetchone() == (None,)


def test_a_database_newer_than_the_code_is_refused(database_dsn: str) -> None:
    first = Migration(1, "create_notes", "CREATE TABLE notes (id int)")
    migrate_dsn(database_dsn, [first, Migration(2, "create_more", "CREATE TABLE more (id int)")])
    with pytest.raises(MigrationError, match="0002_create_more, which this version of finops does not know"):
        migrate_dsn(database_dsn, [first])


def test_a_failing_migration_leaves_nothing_behind_and_keeps_earlier_ones(database_dsn: str) -> None:
    good = Migration(1, "create_notes", "CREATE TABLE notes (id int)")
    broken = Migration(2, "create_half", "CREATE TABLE half (id int); INSERT INTO missing VALUES (1);")
    with pytest.raises(MigrationError, match=r"0002_create_half failed: .*missing"):
        migrate_dsn(database_dsn, [good, broken])
    with psycopg.connect(database_dsn) as conn:
        assert conn.execute("SELECT to_regclass('half')").fetchone() == (None,)
        assert conn.execute("SELECT to_regclass('notes')").fetchone() == ("notes",)
    assert version_of(database_dsn) == 1


def test_concurrent_runners_apply_each_migration_exactly_once(database_dsn: str) -> None:
    # pg_sleep makes the window wide enough that every runner is inside migrate() at once.
    migrations = [
        Migration(1, "create_notes", "SELECT pg_sleep(0.3); CREATE TABLE notes (id int)"),
        Migration(2, "create_more", "CREATE TABLE more (id int)"),
    ]
    results: list[list[Migration]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def run() -> None:
        start.wait()
        try:
            results.append(migrate_dsn(database_dsn, migrations))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(len(applied) for applied in results) == [0, 0, 0, 2]
    with psycopg.connect(database_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone() == (2,)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        pytest.param({"1_create_x.sql": ""}, "is not named NNNN_verb_object.sql", id="bad-name"),
        pytest.param({"0001_create_x.sql": "", "0001_create_y.sql": ""}, "share version 0001", id="duplicate"),
    ],
)
def test_badly_named_migration_files_are_refused(tmp_path: Path, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(MigrationError, match=message):
        discover(tmp_path)


def test_the_runner_refuses_a_connection_inside_a_transaction(database_dsn: str) -> None:
    with connect(database_dsn) as conn, pytest.raises(MigrationError, match="autocommit"):
        migrate(conn, [])


def test_a_user_without_rights_gets_a_migration_error_not_a_driver_traceback(database_dsn: str) -> None:
    with psycopg.connect(database_dsn, autocommit=True) as admin:
        admin.execute("DROP ROLE IF EXISTS finops_reader")
        admin.execute("CREATE ROLE finops_reader LOGIN")
        admin.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    reader_dsn = psycopg.conninfo.make_conninfo(database_dsn, user="finops_reader")
    with pytest.raises(MigrationError, match="the schema cannot be migrated: permission denied"):
        migrate_dsn(reader_dsn)


def test_an_upgraded_ledger_sums_the_costs_it_had_left_out_for_naming_no_currency(database_dsn: str) -> None:
    before, (summing, *later) = discover()[:8], discover()[8:]
    assert summing.name == "sum_costs_in_no_currency"
    migrate_dsn(database_dsn, before)
    with psycopg.connect(database_dsn) as conn:
        # The ledger and rollup as the loader before 0009 left them: a day's cost in no currency left out.
        conn.execute(
            "CREATE TABLE cost_lines_2025_06 PARTITION OF cost_lines FOR VALUES FROM ('2025-06-01') TO ('2025-07-01')"
        )
        conn.execute(
            """
            INSERT INTO cost_lines (source_file_id, line_number, provider, charge_period_start, billed_cost,
                                    effective_cost, billing_currency, service_name)
            VALUES (1, 2, 'oci', '2025-06-03 10:00+00', 10, 10, 'EUR', 'COMPUTE'),
                   (1, 3, 'oci', '2025-06-03 11:00+00', 4, 4, NULL, 'COMPUTE'),
                   (1, 4, 'oci', '2025-06-03 12:00+00', 0, 0, NULL, 'COMPUTE'),
                   (1, 5, 'oci', '2025-06-04 10:00+00', 7, 7, 'EUR', 'COMPUTE')
            """
        )
        conn.execute(
            """
            INSERT INTO daily_costs (provider, service_name, day, currency, billed_cost, effective_cost, lines)
            VALUES ('oci', 'COMPUTE', '2025-06-03', 'EUR', 10, 10, 1), ('oci', 'COMPUTE', '2025-06-04', 'EUR', 7, 7, 1)
            """
        )
    migrate_dsn(database_dsn, [*before, summing, *later])
    with psycopg.connect(database_dsn) as conn:
        rows = conn.execute("SELECT day::text, currency, billed_cost, lines FROM daily_costs ORDER BY 1, 2").fetchall()
    assert rows == [("2025-06-03", "", 4, 1), ("2025-06-03", "EUR", 10, 1), ("2025-06-04", "EUR", 7, 1)]
