-- Who signs in to the API, their server-side sessions, and the quotes they build.

-- An Outscale user is an Outscale account (login = account id); a local user has a password.
CREATE TABLE users (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind           text        NOT NULL CHECK (kind IN ('outscale', 'local')),
    login          text        NOT NULL,
    password_hash  text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_login_at  timestamptz,
    CONSTRAINT users_login_key UNIQUE (kind, login),
    CONSTRAINT users_local_have_passwords CHECK ((kind = 'local') = (password_hash IS NOT NULL)),
    -- cloud_accounts.owner holds the login: a local name can never be mistaken for an account id.
    CONSTRAINT users_local_names_start_with_a_letter CHECK (kind <> 'local' OR login ~ '^[A-Za-z]')
);

-- Only a hash of the session token is kept: a copy of this table opens no session.
CREATE TABLE sessions (
    token_hash    bytea       PRIMARY KEY,
    user_id       bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token    text        NOT NULL,
    region        text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_last_seen_idx ON sessions (last_seen_at);

-- Sign-in attempts per client address and per key (hashed), for the per-minute limit; a successful
-- one is deleted, so what stays are the failures.
CREATE TABLE login_failures (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject    text        NOT NULL,
    failed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_subject_idx ON login_failures (subject, failed_at);

CREATE TABLE quotes (
    id                       bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id                 bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name                     text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    status                   text        NOT NULL CHECK (status IN ('active', 'saved')),
    region                   text        NOT NULL,
    duration                 numeric     NOT NULL CHECK (duration > 0),
    duration_unit            text        NOT NULL CHECK (duration_unit IN ('hours', 'days', 'weeks', 'months', 'years')),
    commitment_period        text        CHECK (commitment_period IN ('1month', '1year', '3years')),
    global_discount_percent  numeric     NOT NULL DEFAULT 0 CHECK (global_discount_percent BETWEEN 0 AND 100),
    -- Bumped by every change of the quote, its groups or items: a calculation is valid for one revision.
    revision                 bigint      NOT NULL DEFAULT 1,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now()
);
-- At most one active quote per user, whatever the races between requests.
CREATE UNIQUE INDEX quotes_one_active_per_owner ON quotes (owner_id) WHERE status = 'active';
CREATE INDEX quotes_owner_idx ON quotes (owner_id, updated_at DESC);

CREATE TABLE quote_groups (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    quote_id    bigint      NOT NULL REFERENCES quotes (id) ON DELETE CASCADE,
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    position    integer     NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT quote_groups_in_quote_key UNIQUE (id, quote_id)
);
CREATE INDEX quote_groups_quote_idx ON quote_groups (quote_id);

-- Items hold catalog keys, quantities and parameters; their prices always come from the catalog.
CREATE TABLE quote_items (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    quote_id    bigint      NOT NULL REFERENCES quotes (id) ON DELETE CASCADE,
    group_id    bigint,
    position    integer     NOT NULL,
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind        text        NOT NULL CHECK (kind IN ('catalog', 'vm', 'volume')),
    service     text,
    type        text,
    operation   text,
    parameters  jsonb       NOT NULL DEFAULT '{}'::jsonb,
    quantity    numeric     NOT NULL CHECK (quantity >= 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    -- A group of the same quote; deleting the group leaves its items ungrouped.
    CONSTRAINT quote_items_group_fkey FOREIGN KEY (group_id, quote_id)
        REFERENCES quote_groups (id, quote_id) ON DELETE SET NULL (group_id),
    CONSTRAINT quote_items_catalog_have_keys
        CHECK (kind <> 'catalog' OR (service IS NOT NULL AND type IS NOT NULL AND operation IS NOT NULL))
);
CREATE INDEX quote_items_quote_idx ON quote_items (quote_id, position);

-- When refresh-catalog last read each region's catalog (prices themselves change rarely).
CREATE TABLE osc_catalog_refreshes (
    region        text        PRIMARY KEY,
    refreshed_at  timestamptz NOT NULL
);
INSERT INTO osc_catalog_refreshes (region, refreshed_at)
SELECT region, max(valid_from) FROM osc_catalog_prices GROUP BY region;
