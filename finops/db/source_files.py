"""Which billing file versions the ledger already holds, or already refused."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg


@dataclass(frozen=True)
class SettledVersion:
    """A file version a load has finished with: loaded, or failed for what it holds."""

    status: str  # loaded or failed
    error_line: int | None = None
    error_column: str | None = None
    error_message: str | None = None


def settled_versions(
    conn: psycopg.Connection, versions: list[tuple[str, str]]
) -> dict[tuple[str, str], SettledVersion]:
    """The (uri, etag) pairs among ``versions`` that are loaded or failed: by identity, not by a high-water mark.

    A failure is only ever recorded for a file's content (a transient error records nothing), so
    the same version would fail the same way again.
    """
    if not versions:
        return {}
    rows = conn.execute(
        """
        SELECT f.uri, f.etag, f.status, f.error_line, f.error_column, f.error_message FROM source_files f
          JOIN unnest(%(uris)s::text[], %(etags)s::text[]) AS v(uri, etag) ON (f.uri, f.etag) = (v.uri, v.etag)
         WHERE f.status IN ('loaded', 'failed')
        """,
        {"uris": [uri for uri, _ in versions], "etags": [etag for _, etag in versions]},
    ).fetchall()
    return {
        (str(uri), str(etag)): SettledVersion(str(status), line, column, message)
        for uri, etag, status, line, column, message in rows
    }
