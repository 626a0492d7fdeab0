// The cost dashboards: consumption over time, current cost, allocation by tag, and trends.
import { api, ApiError } from "./api.js";
import { barChart, downloadCsv } from "./charts.js";
import { el, field, money, number } from "./format.js";
import { t } from "./i18n.js";

const isoDay = (date) => date.toISOString().slice(0, 10);
const daysAgo = (days) => isoDay(new Date(Date.now() - days * 86400000));

function problem(error) {
  return el("p", { class: "error", role: "alert" }, error instanceof ApiError ? error.message : String(error));
}

function chartBox(label) {
  const canvas = el("canvas", { role: "img", "aria-label": label });
  return [el("div", { style: "height: 320px; position: relative" }, canvas), canvas];
}

export async function showConsumption(view) {
  const from = el("input", { type: "date", value: daysAgo(30) });
  const to = el("input", { type: "date", value: daysAgo(1) });
  const granularity = el("select", {}, ["day", "week", "month"].map((g) => el("option", { value: g }, t(`granularity.${g}`))));
  const result = el("div");
  const load = async () => {
    try {
      const query = new URLSearchParams({ from_date: from.value, to_date: to.value, granularity: granularity.value });
      const answer = await api("GET", `/api/consumption?${query}`);
      const rows = answer.data;
      const periods = [...new Set(rows.map((row) => row.period))].sort();
      const services = [...new Set(rows.map((row) => row.service))].sort();
      const currency = rows[0]?.currency ?? "EUR";
      const [box, canvas] = chartBox(t("consumption.chart"));
      const table = el("table", {}, el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("consumption.period")),
        el("th", { scope: "col" }, t("consumption.service")), el("th", { class: "num", scope: "col" }, t("consumption.cost")))),
        el("tbody", {}, rows.map((row) => el("tr", {}, el("td", {}, row.period), el("td", {}, row.service),
          el("td", { class: "num" }, money(row.price, row.currency))))));
      const csv = el("button", { type: "button", onclick: () => downloadCsv("consumption.csv",
        [["period", "service", "currency", "price", "value"],
          ...rows.map((row) => [row.period, row.service, row.currency, row.price, row.value])]) }, t("download.csv"));
      result.replaceChildren(
        el("p", {}, Object.entries(answer.metadata.totals ?? {}).map(([cur, total]) => `${money(total, cur)} `)),
        rows.length ? box : el("p", { class: "muted" }, t("empty")), csv, table);
      if (rows.length) {
        barChart(canvas, periods, services.map((service) => ({
          label: service,
          data: periods.map((period) => Number(rows.find((row) => row.period === period && row.service === service)?.price ?? 0)),
        })), { stacked: true, currency });
      }
    } catch (error) {
      result.replaceChildren(problem(error));
    }
  };
  for (const control of [from, to, granularity]) control.addEventListener("change", load);
  view.replaceChildren(el("h1", {}, t("nav.consumption")), el("section", {},
    el("div", { class: "row" }, field("consumption-from", t("range.from"), from), field("consumption-to", t("range.to"), to),
      field("consumption-granularity", t("range.granularity"), granularity)), result));
  await load();
}

export async function showCurrentCost(view) {
  const groupBy = el("input", { placeholder: "type  |  tag:team", value: "type" });
  const result = el("div");
  const load = async () => {
    try {
      const query = new URLSearchParams({ group_by: groupBy.value.trim() || "type" });
      const answer = await api("GET", `/api/cost/current?${query}`);
      const { groups, top_resources: top } = answer.data;
      const currency = groups[0]?.currency ?? "EUR";
      const [box, canvas] = chartBox(t("current.chart"));
      result.replaceChildren(
        el("p", {}, Object.entries(answer.metadata.totals ?? {}).map(([cur, total]) =>
          `${money(total.per_month ?? total, cur)} / ${t("per.month")} `)),
        groups.length ? box : el("p", { class: "muted" }, t("empty")),
        el("p", {}, el("a", { href: `/api/cost/current?${query}&format=csv`, download: "current-cost.csv" }, t("download.csv"))),
        el("table", {}, el("thead", {}, el("tr", {}, ...["current.group", "current.resources", "per.hour", "per.month", "per.year"]
          .map((key, index) => el("th", { class: index ? "num" : "", scope: "col" }, t(key))))),
          el("tbody", {}, groups.map((group) => el("tr", {}, el("td", {}, group.label),
            el("td", { class: "num" }, number(group.resources)), el("td", { class: "num" }, money(group.per_hour, group.currency, 4)),
            el("td", { class: "num" }, money(group.per_month, group.currency)),
            el("td", { class: "num" }, money(group.per_year, group.currency)))))),
        el("h2", {}, t("current.top")),
        el("table", {}, el("tbody", {}, top.map((item) => el("tr", {}, el("td", {}, item.resource_type),
          el("td", {}, item.resource_id), el("td", { class: "num" }, money(item.per_month, item.currency)))))),
      );
      if (groups.length) {
        barChart(canvas, groups.map((group) => group.label),
          [{ label: t("per.month"), data: groups.map((group) => Number(group.per_month)) }], { currency });
      }
    } catch (error) {
      result.replaceChildren(problem(error));
    }
  };
  groupBy.addEventListener("change", load);
  view.replaceChildren(el("h1", {}, t("nav.current")), el("section", {},
    el("div", { class: "row" }, field("current-group-by", t("current.group_by"), groupBy)), result));
  await load();
}

export async function showAllocation(view) {
  const tag = el("input", { value: "team" });
  const from = el("input", { type: "date", value: daysAgo(30) });
  const to = el("input", { type: "date", value: daysAgo(1) });
  const result = el("div");
  const load = async () => {
    try {
      const query = new URLSearchParams({ from: from.value, to: to.value, group_by: `tag:${tag.value.trim()}` });
      const answer = await api("GET", `/api/costs?${query}`);
      const rows = answer.data;
      const [box, canvas] = chartBox(t("allocation.chart"));
      const totals = answer.metadata.totals ?? {};
      const share = (row) => {
        const whole = Number(totals[row.currency]?.billed_cost ?? totals[row.currency] ?? 0);
        return whole ? `${number((Number(row.billed_cost) / whole) * 100)} %` : "—";
      };
      result.replaceChildren(rows.length ? box : el("p", { class: "muted" }, t("empty")),
        el("table", {}, el("thead", {}, el("tr", {}, el("th", { scope: "col" }, tag.value),
          el("th", { class: "num", scope: "col" }, t("allocation.billed")), el("th", { class: "num", scope: "col" }, t("allocation.share")))),
          el("tbody", {}, rows.map((row) => el("tr", {}, el("td", {}, row.key === null ? t("allocation.untagged") : row.label),
            el("td", { class: "num" }, money(row.billed_cost, row.currency)), el("td", { class: "num" }, share(row)))))));
      if (rows.length) {
        barChart(canvas, rows.map((row) => (row.key === null ? t("allocation.untagged") : row.label)),
          [{ label: t("allocation.billed"), data: rows.map((row) => Number(row.billed_cost)) }],
          { currency: rows[0].currency });
      }
    } catch (error) {
      result.replaceChildren(problem(error));
    }
  };
  for (const control of [tag, from, to]) control.addEventListener("change", load);
  view.replaceChildren(el("h1", {}, t("nav.allocation")), el("section", {},
    el("div", { class: "row" }, field("allocation-tag", t("allocation.tag"), tag), field("allocation-from", t("range.from"), from),
      field("allocation-to", t("range.to"), to)), result));
  await load();
}

export async function showTrends(view) {
  const result = el("div");
  view.replaceChildren(el("h1", {}, t("nav.trends")), el("section", {}, result));
  try {
    const answer = await api("GET", "/api/trends?months=12");
    const sections = answer.data.map((trend) => {
      const [box, canvas] = chartBox(`${t("nav.trends")} ${trend.provider}`);
      const months = trend.months.map((month) => month.month.slice(0, 7));
      queueMicrotask(() => barChart(canvas, months, [
        { label: trend.provider, data: trend.months.map((month) => Number(month.cost)) },
        { label: t("trends.projection"), data: trend.months.map((month) => (month.projection ? Number(month.projection) : null)),
          color: "#9aa0a6" },
      ], { currency: trend.currency }));
      return el("div", {}, el("h2", {}, `${trend.provider} (${trend.currency || t("currency.none")})`), box,
        el("table", {}, el("thead", {}, el("tr", {}, ...["trends.month", "trends.cost", "trends.change", "trends.projection"]
          .map((key, index) => el("th", { class: index ? "num" : "", scope: "col" }, t(key))))),
          el("tbody", {}, trend.months.map((month) => el("tr", {}, el("td", {}, month.month.slice(0, 7)),
            el("td", { class: "num" }, money(month.cost, trend.currency)),
            el("td", { class: "num" }, month.change_percent === null ? "—" : `${number(month.change_percent)} %`),
            el("td", { class: "num" }, month.projection ? money(month.projection, trend.currency) : "—"))))));
    });
    result.replaceChildren(...(sections.length ? sections : [el("p", { class: "muted" }, t("empty"))]));
  } catch (error) {
    result.replaceChildren(problem(error));
  }
}
