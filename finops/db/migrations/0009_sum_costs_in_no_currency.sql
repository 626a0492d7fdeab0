-- Lines that cost something but name no currency were left out of daily_costs; they are now summed
-- under the currency ''. The days holding such lines are summed again from the lines that count,
-- the way the loader sums a day again, so an upgraded ledger agrees with its own lines.

CREATE TEMP TABLE days_with_costs_in_no_currency ON COMMIT DROP AS
SELECT DISTINCT provider, (charge_period_start AT TIME ZONE 'UTC')::date AS day
  FROM cost_lines
 WHERE billing_currency IS NULL AND (billed_cost <> 0 OR effective_cost <> 0);

DELETE FROM daily_costs d
 USING days_with_costs_in_no_currency t
 WHERE d.provider = t.provider AND d.day = t.day;

INSERT INTO daily_costs (provider, account_id, service_name, region_id, day, currency,
                         billed_cost, effective_cost, list_cost, lines)
SELECT l.provider, coalesce(l.sub_account_id, ''), coalesce(l.service_name, ''), coalesce(l.region_id, ''),
       t.day, coalesce(l.billing_currency, ''), sum(l.billed_cost), sum(l.effective_cost), sum(l.list_cost), count(*)
  FROM effective_cost_lines l
  JOIN days_with_costs_in_no_currency t
    ON t.provider = l.provider AND t.day = (l.charge_period_start AT TIME ZONE 'UTC')::date
 WHERE l.billing_currency IS NOT NULL OR l.billed_cost <> 0 OR l.effective_cost <> 0
 GROUP BY 1, 2, 3, 4, 5, 6;
