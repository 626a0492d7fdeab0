"""Which billing file versions the ledger already holds."""

from __future__ import annotations

import psycopg


def loaded_versions(conn: psycopg.Connection, versions: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (uri, etag) pairs among ``versions`` that are loaded: by identity, not by a high-water mark."""
    if not versions:
        return set()
    rows = conn.execute(
        """
        SELECT f.uri, f.etag FROM source_files f
          JOIN unnest(%(uris)s::text[], %(etags)s::text[]) AS v(uri, etag) ON (f.uri, f.etag) = (v.uri, v.etag)
         WHERE f.status = 'loaded'
        """,
        {"uris": [uri for uri, _ in versions], "etags": [etag for _, etag in versions]},
    ).fetchall()
    return {(str(uri), str(etag)) for uri, etag in rows}
