-- One row per report version and recipient list: the trail of report delivery, and the claim that
-- makes two runs for the same object send once.
CREATE TABLE deliveries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule            text        NOT NULL,
    namespace       text        NOT NULL,
    bucket          text        NOT NULL,
    object_name     text        NOT NULL,
    etag            text        NOT NULL,
    recipients      text[]      NOT NULL CHECK (cardinality(recipients) > 0),
    status          text        NOT NULL DEFAULT 'pending'
                                CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    error_category  text        CHECK (error_category IN ('parse', 'auth', 'config', 'storage', 'vault', 'smtp', 'database', 'cloud')),
    error_message   text,
    message_id      text        NOT NULL,
    delivered_as    text        CHECK (delivered_as IN ('attachment', 'link')),
    object_size     bigint,
    summary         jsonb,
    claimed_until   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    CONSTRAINT deliveries_version_recipients_key UNIQUE (namespace, bucket, object_name, etag, recipients),
    CONSTRAINT deliveries_sent_has_time CHECK (status <> 'sent' OR sent_at IS NOT NULL),
    CONSTRAINT deliveries_failed_has_reason CHECK (status <> 'failed' OR error_message IS NOT NULL)
);

CREATE INDEX deliveries_rule_sent_idx ON deliveries (rule, sent_at DESC) WHERE status = 'sent';
