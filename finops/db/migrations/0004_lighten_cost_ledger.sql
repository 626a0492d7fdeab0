-- A lighter ledger to load into. Measured on 100,000 lines: the identity key and the btree on
-- source_file_id cost about 40 % of the insert. A line is identified by (source_file_id,
-- line_number); lines arrive file by file and roughly in time order, so block-range (BRIN)
-- indexes find a file's lines and a day's lines for almost nothing at insert time.

DROP VIEW focus_costs;
DROP VIEW effective_cost_lines;
ALTER TABLE cost_lines DROP CONSTRAINT cost_lines_pkey;
ALTER TABLE cost_lines DROP COLUMN id;
DROP INDEX cost_lines_source_file_idx;
CREATE INDEX cost_lines_source_file_brin ON cost_lines USING brin (source_file_id) WITH (pages_per_range = 16);
CREATE INDEX cost_lines_charge_start_brin ON cost_lines USING brin (charge_period_start) WITH (pages_per_range = 16);

-- The lines that count: an OCI correction line replaces the line whose referenceNo it names.
CREATE VIEW effective_cost_lines AS
SELECT l.*
  FROM cost_lines l
 WHERE NOT EXISTS (
        SELECT 1 FROM cost_lines c
         WHERE c.is_correction AND c.provider = l.provider AND c.back_reference_no = l.reference_no
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
