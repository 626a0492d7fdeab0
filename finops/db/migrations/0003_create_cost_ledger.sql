-- The cost ledger: FOCUS 1.2 columns in snake_case, partitioned by month of charge_period_start
-- (partitions are created by the loader as months appear), plus the daily rollup dashboards read.

ALTER TABLE source_files DROP CONSTRAINT source_files_status_check;
ALTER TABLE source_files ADD CONSTRAINT source_files_status_check
    CHECK (status IN ('loaded', 'failed', 'skipped', 'replaced'));
ALTER TABLE source_files ADD COLUMN rows_duplicate bigint NOT NULL DEFAULT 0 CHECK (rows_duplicate >= 0);
ALTER TABLE source_files ADD COLUMN totals jsonb;
CREATE INDEX source_files_uri_idx ON source_files (uri);

CREATE TABLE cost_lines (
    id                          bigint GENERATED ALWAYS AS IDENTITY,
    -- No foreign key: a per-row check would cost a third of the load; the loader writes both in one transaction.
    source_file_id              bigint      NOT NULL,
    line_number                 bigint      NOT NULL,
    provider                    text        NOT NULL,
    billing_account_id          text,
    billing_account_name        text,
    billing_currency            text,
    billing_period_start        timestamptz,
    billing_period_end          timestamptz,
    charge_period_start         timestamptz NOT NULL,
    charge_period_end           timestamptz,
    charge_category             text,
    charge_class                text,
    charge_description          text,
    charge_frequency            text,
    billed_cost                 numeric     NOT NULL,
    effective_cost              numeric     NOT NULL,
    list_cost                   numeric,
    contracted_cost             numeric,
    list_unit_price             numeric,
    contracted_unit_price       numeric,
    pricing_quantity            numeric,
    pricing_unit                text,
    pricing_category            text,
    consumed_quantity           numeric,
    consumed_unit               text,
    service_name                text,
    service_category            text,
    region_id                   text,
    region_name                 text,
    availability_zone           text,
    resource_id                 text,
    resource_name               text,
    resource_type               text,
    sub_account_id              text,
    sub_account_name            text,
    sku_id                      text,
    sku_price_id                text,
    commitment_discount_id      text,
    commitment_discount_name    text,
    commitment_discount_category text,
    commitment_discount_type    text,
    commitment_discount_status  text,
    invoice_id                  text,
    invoice_issuer_name         text,
    provider_name               text,
    publisher_name              text,
    -- OCI's line identity and its correction link (lineItem/referenceNo, backreferenceNo).
    reference_no                text,
    back_reference_no           text,
    is_correction               boolean     NOT NULL DEFAULT false,
    tags                        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    x                           jsonb       NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (charge_period_start, id)
) PARTITION BY RANGE (charge_period_start);

CREATE INDEX cost_lines_source_file_idx ON cost_lines (source_file_id);
CREATE INDEX cost_lines_correction_idx ON cost_lines (provider, back_reference_no) WHERE is_correction;

-- The lines that count: an OCI correction line replaces the line whose referenceNo it names.
CREATE VIEW effective_cost_lines AS
SELECT l.*
  FROM cost_lines l
 WHERE NOT EXISTS (
        SELECT 1 FROM cost_lines c
         WHERE c.is_correction AND c.provider = l.provider AND c.back_reference_no = l.reference_no
    );

CREATE TABLE daily_costs (
    provider        text          NOT NULL,
    account_id      text          NOT NULL DEFAULT '',
    service_name    text          NOT NULL DEFAULT '',
    region_id       text          NOT NULL DEFAULT '',
    day             date          NOT NULL,
    currency        text          NOT NULL,
    billed_cost     numeric       NOT NULL,
    effective_cost  numeric       NOT NULL,
    list_cost       numeric,
    lines           bigint        NOT NULL,
    PRIMARY KEY (provider, day, account_id, service_name, region_id, currency)
);

CREATE VIEW focus_costs AS
SELECT billed_cost                  AS "BilledCost",
       effective_cost               AS "EffectiveCost",
       list_cost                    AS "ListCost",
       contracted_cost              AS "ContractedCost",
       billing_account_id           AS "BillingAccountId",
       billing_account_name         AS "BillingAccountName",
       billing_currency             AS "BillingCurrency",
       billing_period_start         AS "BillingPeriodStart",
       billing_period_end           AS "BillingPeriodEnd",
       charge_period_start          AS "ChargePeriodStart",
       charge_period_end            AS "ChargePeriodEnd",
       charge_category              AS "ChargeCategory",
       charge_class                 AS "ChargeClass",
       charge_description           AS "ChargeDescription",
       charge_frequency             AS "ChargeFrequency",
       list_unit_price              AS "ListUnitPrice",
       contracted_unit_price        AS "ContractedUnitPrice",
       pricing_quantity             AS "PricingQuantity",
       pricing_unit                 AS "PricingUnit",
       pricing_category             AS "PricingCategory",
       consumed_quantity            AS "ConsumedQuantity",
       consumed_unit                AS "ConsumedUnit",
       service_name                 AS "ServiceName",
       service_category             AS "ServiceCategory",
       region_id                    AS "RegionId",
       region_name                  AS "RegionName",
       availability_zone            AS "AvailabilityZone",
       resource_id                  AS "ResourceId",
       resource_name                AS "ResourceName",
       resource_type                AS "ResourceType",
       sub_account_id               AS "SubAccountId",
       sub_account_name             AS "SubAccountName",
       sku_id                       AS "SkuId",
       sku_price_id                 AS "SkuPriceId",
       commitment_discount_id       AS "CommitmentDiscountId",
       commitment_discount_name     AS "CommitmentDiscountName",
       commitment_discount_category AS "CommitmentDiscountCategory",
       commitment_discount_type     AS "CommitmentDiscountType",
       commitment_discount_status   AS "CommitmentDiscountStatus",
       invoice_id                   AS "InvoiceId",
       invoice_issuer_name          AS "InvoiceIssuerName",
       provider_name                AS "ProviderName",
       publisher_name               AS "PublisherName",
       tags                         AS "Tags",
       provider,
       source_file_id,
       line_number,
       x
  FROM effective_cost_lines;
