-- The trail of every billing file seen: one row per (uri, etag), so a late file with a lower name
-- still loads and a rewritten object (new etag) is seen as new.
CREATE TABLE source_files (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uri            text        NOT NULL,
    etag           text        NOT NULL,
    kind           text        NOT NULL CHECK (kind IN ('oci-cost', 'oci-usage', 'oci-focus', 'oci-scheduled')),
    status         text        NOT NULL CHECK (status IN ('loaded', 'failed', 'skipped')),
    rows           bigint      NOT NULL DEFAULT 0 CHECK (rows >= 0),
    rows_rejected  bigint      NOT NULL DEFAULT 0 CHECK (rows_rejected >= 0),
    bytes          bigint      CHECK (bytes >= 0),
    error_line     integer,
    error_column   text,
    error_message  text,
    started_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    CONSTRAINT source_files_uri_etag_key UNIQUE (uri, etag),
    CONSTRAINT source_files_failure_has_reason CHECK (status <> 'failed' OR error_message IS NOT NULL),
    CONSTRAINT source_files_finished_after_start CHECK (finished_at IS NULL OR finished_at >= started_at)
);

CREATE INDEX source_files_status_idx ON source_files (status, started_at DESC);
