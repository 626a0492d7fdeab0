-- Budgets and their rules (owned by a user), what the drift and anomaly detectors found, and the
-- alerts ledger: one row per fingerprint, so a rule fires once per period and a finding is told once.

CREATE TABLE budgets (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id         bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name             text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- The scope; an empty list or a NULL means "any". Accounts are always among the owner's.
    provider         text        CHECK (provider IN ('oci', 'outscale')),
    account_ids      text[]      NOT NULL DEFAULT '{}',
    services         text[]      NOT NULL DEFAULT '{}',
    regions          text[]      NOT NULL DEFAULT '{}',
    compartments     text[]      NOT NULL DEFAULT '{}',
    tag_key          text,
    tag_value        text,
    period           text        NOT NULL CHECK (period IN ('monthly', 'quarterly', 'yearly')),
    amount           numeric     NOT NULL CHECK (amount > 0),
    currency         text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    emails           text[]      NOT NULL DEFAULT '{}',
    -- Webhook URLs carry their own secret (Slack, Teams): kept encrypted, shown only as scheme and host.
    webhooks_sealed  bytea[]     NOT NULL DEFAULT '{}',
    webhook_labels   text[]      NOT NULL DEFAULT '{}',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT budgets_owner_name_key UNIQUE (owner_id, name),
    CONSTRAINT budgets_tag_is_a_pair CHECK ((tag_key IS NULL) = (tag_value IS NULL)),
    CONSTRAINT budgets_webhooks_labelled CHECK (cardinality(webhooks_sealed) = cardinality(webhook_labels))
);
CREATE INDEX budgets_owner_idx ON budgets (owner_id);

CREATE TABLE budget_rules (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    budget_id        bigint      NOT NULL REFERENCES budgets (id) ON DELETE CASCADE,
    position         integer     NOT NULL,
    basis            text        NOT NULL CHECK (basis IN ('ACTUAL', 'FORECAST')),
    threshold_type   text        NOT NULL CHECK (threshold_type IN ('PERCENT', 'ABSOLUTE')),
    threshold        numeric     NOT NULL CHECK (threshold > 0),
    notify_recovery  boolean     NOT NULL DEFAULT false
);
CREATE INDEX budget_rules_budget_idx ON budget_rules (budget_id, position);

-- Estimate-vs-bill drift (Outscale) and spend anomalies (every provider): expected against actual.
CREATE TABLE drift_findings (
    id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fingerprint       text        NOT NULL UNIQUE,
    method            text        NOT NULL CHECK (method IN ('estimate_vs_bill', 'same_weekday_median')),
    provider          text        NOT NULL,
    account_id        text        NOT NULL,
    region_id         text        NOT NULL DEFAULT '',
    -- The resource type (drift) or the service (anomaly) the finding is about.
    subject           text        NOT NULL,
    period_start      date        NOT NULL,
    period_end        date        NOT NULL,
    currency          text        NOT NULL,
    expected          numeric     NOT NULL,
    actual            numeric     NOT NULL,
    impact            numeric     NOT NULL,
    variance_percent  numeric,
    score             numeric,
    details           jsonb       NOT NULL DEFAULT '{}'::jsonb,
    found_at          timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT drift_findings_period CHECK (period_end > period_start)
);
CREATE INDEX drift_findings_account_idx ON drift_findings (account_id, period_start DESC);

CREATE TABLE alerts (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Claimed with INSERT ... ON CONFLICT DO NOTHING in the transaction that decides to notify.
    fingerprint   text        NOT NULL UNIQUE,
    kind          text        NOT NULL CHECK (kind IN ('budget', 'budget_recovery', 'drift', 'anomaly')),
    owner_id      bigint      REFERENCES users (id) ON DELETE CASCADE,
    budget_id     bigint      REFERENCES budgets (id) ON DELETE SET NULL,
    rule_id       bigint      REFERENCES budget_rules (id) ON DELETE SET NULL,
    finding_id    bigint      REFERENCES drift_findings (id) ON DELETE SET NULL,
    account_id    text,
    period_start  date        NOT NULL,
    title         text        NOT NULL,
    facts         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alerts_owner_idx ON alerts (owner_id, created_at DESC);
CREATE INDEX alerts_account_idx ON alerts (account_id, created_at DESC);

-- How each alert is told: one row per channel and recipient set, sent at most once (a lease guards a send).
CREATE TABLE alert_notifications (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_id        bigint      NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    channel         text        NOT NULL CHECK (channel IN ('email', 'webhook')),
    emails          text[],
    webhook_sealed  bytea,
    webhook_label   text,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    -- The run sending it: only that run may say how the send ended, even after its lease ran out.
    claim_token     uuid,
    claimed_until   timestamptz,
    last_error      text,
    sent_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT alert_notifications_target CHECK (
        (channel = 'email' AND cardinality(emails) > 0 AND webhook_sealed IS NULL)
        OR (channel = 'webhook' AND webhook_sealed IS NOT NULL AND emails IS NULL))
);
CREATE INDEX alert_notifications_unsent_idx ON alert_notifications (created_at) WHERE status <> 'sent';
