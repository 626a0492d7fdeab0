// The budgets page: each budget with its status this period (spent and forecast against the amount, with
// the rule thresholds marked), the form that creates and edits them, and what was alerted and found.
// Every figure is the API's (GET /api/budgets/{id}/status): the page formats, it never computes money.
import { api, ApiError, currentSession } from "./api.js";
import { alertsTable, findingsTable } from "./alerts.js";
import { budgetForm } from "./budget-form.js";
import { day, days, el, money, moment, percent } from "./format.js";
import { t } from "./i18n.js";

const lastDay = (end) => new Date(Date.parse(`${end}T00:00:00Z`) - 86400000).toISOString().slice(0, 10);

function problem(error) {
  return el("p", { class: "error", role: "alert" }, error instanceof ApiError ? error.message : String(error));
}

export async function showBudgets(view) {
  const list = el("div", { class: "budgets" });
  const notice = el("p", { class: "ok", role: "status" });
  const [registered, session, alerts, findings] = await Promise.all([
    api("GET", "/api/accounts").then((answer) => answer.data),
    currentSession(),
    api("GET", "/api/alerts?days=90").then((answer) => answer.data, (error) => error),
    api("GET", "/api/drift?days=90").then((answer) => answer.data, (error) => error),
  ]);
  // Signed in with an Outscale account's keys, that account is yours even when it is not registered.
  const own = session?.user?.kind === "outscale" && !registered.some((a) => a.account_id === session.user.login);
  const accounts = own ? [{ name: t("scope.own_account"), account_id: session.user.login }, ...registered] : registered;
  const refresh = async () => {
    const budgets = (await api("GET", "/api/budgets")).data;
    const statuses = await Promise.all(budgets.map((budget) =>
      api("GET", `/api/budgets/${budget.id}/status`).then((answer) => answer.data, (error) => error)));
    list.replaceChildren(...(budgets.length ? budgets.map((budget, index) => card(budget, statuses[index], actions))
      : [el("p", { class: "muted" }, t("budgets.none"))]));
  };
  const form = budgetForm(accounts, async (saved) => {
    notice.textContent = `${t("budgets.saved")} ${saved.name}`;
    await refresh();
  });
  const actions = {
    edit: (budget) => form.edit(budget),
    remove: async (budget) => {
      if (!confirm(t("budgets.confirm_delete"))) return;
      await api("DELETE", `/api/budgets/${budget.id}`);
      if (form.editing()?.id === budget.id) form.reset();
      notice.textContent = `${t("budgets.deleted")} ${budget.name}`;
      await refresh();
    },
  };
  const names = new Map(accounts.map((account) => [account.account_id, account.name]));
  await refresh();
  view.replaceChildren(
    el("h1", {}, t("budgets.title")),
    el("section", { "aria-labelledby": "budgets-list" }, el("h2", { id: "budgets-list" }, t("budgets.list")), notice, list),
    form.node,
    el("section", { "aria-labelledby": "alerts-title" }, el("h2", { id: "alerts-title" }, t("alerts.title")),
      alerts instanceof Error ? problem(alerts) : alertsTable(alerts)),
    el("section", { "aria-labelledby": "drift-title" }, el("h2", { id: "drift-title" }, t("drift.title")),
      findings instanceof Error ? problem(findings) : findingsTable(findings, names)),
  );
}

function card(budget, status, actions) {
  const heading = `budget-${budget.id}-name`;
  return el("article", { class: "budget", "data-budget": budget.id, "aria-labelledby": heading },
    el("header", { class: "budget-head" },
      el("h3", { id: heading }, budget.name),
      el("span", { class: "muted" }, `${money(budget.amount, budget.currency)} · ${t(`period.${budget.period}`)}`),
      status instanceof Error ? null : badge(status),
      el("span", { class: "actions" },
        el("button", { type: "button", "aria-label": `${t("budgets.edit")}: ${budget.name}`,
          onclick: () => actions.edit(budget) }, t("budgets.edit")),
        el("button", { type: "button", class: "danger", "aria-label": `${t("budgets.delete")}: ${budget.name}`,
          onclick: () => actions.remove(budget) }, t("budgets.delete")))),
    status instanceof Error ? problem(status) : [gauge(budget, status), figures(status), rules(budget, status)],
    el("p", { class: "muted scope" }, scope(budget)));
}

function state(status) {
  if (Number(status.percent) >= 100) return "over";
  if (status.forecast_percent !== null && Number(status.forecast_percent) >= 100) return "risk";
  return status.rules.some((rule) => rule.crossed) ? "warn" : "ok";
}

function badge(status) {
  const now = state(status);
  return el("span", { class: "badge", "data-state": now }, t(`state.${now}`));
}

// One track: the spend as a solid bar, the forecast as a hatched one behind it, a tick per threshold.
// The scale reaches past 100 % when a figure or a threshold does, so nothing is drawn off the end.
function gauge(budget, status) {
  const actual = Number(status.percent);
  const forecast = status.forecast_percent === null ? null : Number(status.forecast_percent);
  const marks = [...new Set([100, ...status.rules.map((rule) =>
    Math.round((Number(rule.limit) / Number(status.amount)) * 10000) / 100)])].sort((a, b) => a - b);
  const top = Math.min(300, Math.ceil(Math.max(100, actual, forecast ?? 0, ...marks) / 10) * 10);
  const at = (value) => `${(Math.min(value, top) / top) * 100}%`;
  const spent = `${t("budgets.spent")} ${money(status.actual, status.currency)} ${t("budgets.of")} ` +
    `${money(status.amount, status.currency)} (${percent(status.percent)})`;
  const foreseen = forecast === null ? t("budgets.no_forecast") :
    `${t("budgets.forecast")} ${money(status.forecast, status.currency)} (${percent(status.forecast_percent)})`;
  const thresholds = status.rules.map((rule) => percent(Number(rule.limit) / Number(status.amount) * 100));
  const track = el("div", {
    class: "gauge-track", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": top,
    "aria-valuenow": Math.min(actual, top), "aria-valuetext": `${percent(status.percent)} ${t("gauge.of_budget")}`,
    "aria-label": `${budget.name}: ${spent}; ${foreseen}` +
      (thresholds.length ? `; ${t("gauge.thresholds")} ${thresholds.join(", ")}` : ""),
  },
  forecast === null ? null : el("div", { class: "gauge-forecast", style: `width: ${at(forecast)}` }),
  el("div", { class: "gauge-actual", style: `width: ${at(actual)}` }),
  marks.map((mark) => el("span", { class: mark === 100 ? "gauge-tick budget-line" : "gauge-tick",
    style: `left: ${at(mark)}` })));
  const edge = (mark) => (mark / top > 0.94 ? "end" : mark / top < 0.06 ? "start" : null);
  return el("div", { class: "gauge", "data-state": state(status) }, track,
    el("div", { class: "gauge-scale", "aria-hidden": "true" },
      marks.map((mark) => el("span", { class: edge(mark), style: `left: ${at(mark)}` }, percent(mark)))),
    el("p", { class: "gauge-legend", "aria-hidden": "true" },
      el("span", {}, el("span", { class: "swatch swatch-actual" }), t("budgets.spent")),
      el("span", {}, el("span", { class: "swatch swatch-forecast" }), t("budgets.forecast")),
      el("span", {}, el("span", { class: "swatch swatch-tick" }), t("gauge.threshold"))));
}

function figures(status) {
  const through = status.data_through
    ? [day(status.data_through), el("div", { class: "muted" },
      `${t("budgets.day")} ${status.days_elapsed} / ${status.days_in_period}`)]
    : t("budgets.no_data");
  return el("dl", { class: "figures" },
    el("div", {}, el("dt", {}, t("budgets.spent")), el("dd", {},
      el("span", { class: "actual" }, money(status.actual, status.currency)),
      el("div", { class: "muted" }, el("span", { class: "percent" }, percent(status.percent)), ` ${t("budgets.of")} `,
        money(status.amount, status.currency)))),
    el("div", {}, el("dt", {}, t("budgets.forecast")), status.forecast === null
      ? el("dd", { class: "forecast none" }, t("budgets.no_forecast"))
      : el("dd", {}, el("span", { class: "forecast" }, money(status.forecast, status.currency)),
        el("div", { class: "muted" }, el("span", { class: "forecast-percent" }, percent(status.forecast_percent)),
          ` ${t("budgets.by_end")}`))),
    el("div", {}, el("dt", {}, t("budgets.data_through")), el("dd", { class: "data-through" }, through)),
    el("div", {}, el("dt", {}, t("budgets.period")),
      el("dd", {}, days(status.period_start, lastDay(status.period_end)))));
}

function ruleState(rule) {
  if (rule.fired_at) {
    return [el("span", { class: "warn" }, `${t("rule.fired")} ${moment(rule.fired_at)}`),
      rule.recovered_at ? el("div", { class: "ok" }, `${t("rule.recovered")} ${moment(rule.recovered_at)}`) : null];
  }
  if (rule.crossed) return el("span", { class: "warn" }, t("rule.crossed"));
  return el("span", { class: "muted" }, t(rule.value === null ? "rule.waiting" : "rule.not_yet"));
}

function rules(budget, status) {
  if (!status.rules.length) return el("p", { class: "muted" }, t("rules.none"));
  const recovery = new Set(budget.rules.filter((rule) => rule.notify_recovery).map((rule) => rule.id));
  return el("div", { class: "table-wrap" }, el("table", { class: "rules" },
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("rules.rule")),
      el("th", { class: "num", scope: "col" }, t("rules.limit")), el("th", { class: "num", scope: "col" }, t("rules.value")),
      el("th", { scope: "col" }, t("rules.state")))),
    el("tbody", {}, status.rules.map((rule) => el("tr", { "data-rule": rule.id, "data-crossed": String(rule.crossed) },
      el("td", {}, `${t(`basis.${rule.basis}`)} ≥ ${rule.threshold_type === "PERCENT" ? percent(rule.threshold)
        : money(rule.threshold, status.currency)}`,
      recovery.has(rule.id) ? el("div", { class: "muted" }, t("rule.tells_recovery")) : null),
      el("td", { class: "num" }, money(rule.limit, status.currency)),
      el("td", { class: "num" }, money(rule.value, status.currency)),
      el("td", { class: "rule-state" }, ruleState(rule)))))));
}

function scope(budget) {
  const parts = [budget.scope.provider ?? t("scope.any"),
    budget.scope.account_ids.length ? budget.scope.account_ids.join(", ") : t("scope.all")];
  for (const key of ["services", "regions", "compartments"]) {
    if (budget.scope[key].length) parts.push(`${t(`scope.${key}`)}: ${budget.scope[key].join(", ")}`);
  }
  if (budget.scope.tag_key) parts.push(`${t("scope.tag")} ${budget.scope.tag_key}=${budget.scope.tag_value}`);
  const recipients = [...budget.emails, ...budget.webhooks];
  const colon = t("colon");
  return `${t("scope.label")}${colon}${parts.join(" · ")}. ${t("form.notifies")}${colon}` +
    `${recipients.join(", ") || t("form.nobody")}.`;
}
