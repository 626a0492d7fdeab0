-- Cloud accounts the flows read, and what the Outscale flows fill: price history, daily
-- consumption and priced snapshots of live resources.

CREATE TABLE cloud_accounts (
    id                     bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider               text        NOT NULL CHECK (provider IN ('outscale', 'oci')),
    account_id             text        NOT NULL,
    name                   text        NOT NULL,
    regions                text[]      NOT NULL CHECK (cardinality(regions) > 0),
    owner                  text        NOT NULL,
    -- A secret reference (env:, file:, oci-vault:) or keys encrypted with the settings' key, never keys in clear.
    credentials_reference  text,
    access_key_encrypted   bytea,
    secret_key_encrypted   bytea,
    created_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT cloud_accounts_owner_account_key UNIQUE (owner, provider, account_id),
    CONSTRAINT cloud_accounts_keys_come_in_pairs CHECK ((access_key_encrypted IS NULL) = (secret_key_encrypted IS NULL)),
    CONSTRAINT cloud_accounts_one_kind_of_credentials
        CHECK (credentials_reference IS NULL OR access_key_encrypted IS NULL),
    CONSTRAINT cloud_accounts_outscale_has_credentials
        CHECK (provider <> 'outscale' OR credentials_reference IS NOT NULL OR access_key_encrypted IS NOT NULL)
);

-- Prices as history: a row per price while it holds, so any past day is priced with that day's prices.
CREATE TABLE osc_catalog_prices (
    region      text        NOT NULL,
    service     text        NOT NULL,
    type        text        NOT NULL,
    operation   text        NOT NULL,
    category    text        NOT NULL,
    title       text        NOT NULL,
    unit_price  numeric     NOT NULL,
    currency    text        NOT NULL,
    per_month   boolean     NOT NULL,
    valid_from  timestamptz NOT NULL,
    valid_to    timestamptz,
    PRIMARY KEY (region, service, type, operation, valid_from),
    CONSTRAINT osc_catalog_prices_period CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE UNIQUE INDEX osc_catalog_prices_current_idx
    ON osc_catalog_prices (region, service, type, operation) WHERE valid_to IS NULL;

CREATE TABLE osc_consumption (
    account_id         text        NOT NULL,
    day                date        NOT NULL,
    service            text        NOT NULL,
    type               text        NOT NULL,
    operation          text        NOT NULL,
    region             text        NOT NULL,
    category           text,
    title              text,
    value              numeric     NOT NULL,
    unit_price         numeric,
    price              numeric,
    currency           text,
    price_source       text        NOT NULL CHECK (price_source IN ('api', 'catalog', 'unpriced')),
    paying_account_id  text,
    fetched_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, region, day, service, type, operation)
);
CREATE INDEX osc_consumption_day_idx ON osc_consumption (day);

-- One row per snapshot, even an empty one, so "no resources left" is a snapshot too.
CREATE TABLE resource_snapshots (
    account_id  text        NOT NULL,
    region      text        NOT NULL,
    taken_at    timestamptz NOT NULL,
    resources   integer     NOT NULL CHECK (resources >= 0),
    PRIMARY KEY (account_id, region, taken_at)
);

-- One row per (snapshot, resource); a snapshot is written whole or not at all.
CREATE TABLE resource_costs (
    snapshot_at      timestamptz NOT NULL,
    account_id       text        NOT NULL,
    region           text        NOT NULL,
    resource_type    text        NOT NULL,
    resource_id      text        NOT NULL,
    price_per_hour   numeric     NOT NULL,
    price_per_month  numeric     NOT NULL,
    currency         text        NOT NULL,
    tags             jsonb       NOT NULL DEFAULT '{}'::jsonb,
    details          jsonb       NOT NULL DEFAULT '{}'::jsonb,
    missing_prices   text[]      NOT NULL DEFAULT '{}',
    PRIMARY KEY (account_id, region, snapshot_at, resource_type, resource_id)
);
CREATE INDEX resource_costs_latest_idx ON resource_costs (account_id, region, snapshot_at DESC);

-- What each account still registered costs now: the rows of its latest snapshot (none if it was empty).
CREATE VIEW latest_resource_costs AS
SELECT r.*
  FROM resource_costs r
  JOIN (SELECT account_id, region, max(taken_at) AS snapshot_at
          FROM resource_snapshots
         WHERE account_id IN (SELECT account_id FROM cloud_accounts WHERE provider = 'outscale')
         GROUP BY 1, 2) AS latest USING (account_id, region, snapshot_at);

-- A day of Outscale consumption enters the cost ledger as a source of its own.
ALTER TABLE source_files DROP CONSTRAINT source_files_kind_check;
ALTER TABLE source_files ADD CONSTRAINT source_files_kind_check
    CHECK (kind IN ('oci-cost', 'oci-usage', 'oci-focus', 'oci-scheduled', 'outscale-consumption'));
