// What check-budgets and detect-drift raised and found: the alerts, newest first, with how each channel
// was told, and the drift and anomaly findings, money in each finding's own currency.
import { day, el, money, moment, percent } from "./format.js";
import { t } from "./i18n.js";

const header = (keys, numeric = []) => el("thead", {}, el("tr", {}, keys.map((key) =>
  el("th", { scope: "col", class: numeric.includes(key) ? "num" : null }, t(key)))));

function notification(sent) {
  const attempts = sent.attempts > 1 ? ` (${sent.attempts} ${t("notify.attempts")})` : "";
  return el("li", { "data-channel": sent.channel },
    `${t(`channel.${sent.channel}`)} ${sent.to ?? ""}: `,
    el("span", { class: `notify-${sent.status}` }, t(`notify.${sent.status}`)),
    sent.sent_at ? ` ${moment(sent.sent_at)}` : "", attempts,
    sent.error ? el("div", { class: "error" }, sent.error) : null);
}

export function alertsTable(alerts) {
  if (!alerts.length) return el("p", { class: "muted" }, t("alerts.none"));
  const newest = [...alerts].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id);
  return el("div", { class: "table-wrap" }, el("table", { class: "alerts" },
    header(["alerts.when", "alerts.kind", "alerts.alert", "alerts.notifications"]),
    el("tbody", {}, newest.map((alert) => el("tr", { "data-alert": alert.id },
      el("td", { class: "when" }, moment(alert.created_at)),
      el("td", {}, t(`alert.${alert.kind}`)),
      el("td", {}, el("strong", {}, alert.title),
        alert.headline && alert.headline !== alert.title ? el("div", { class: "muted" }, alert.headline) : null),
      el("td", {}, alert.notifications.length
        ? el("ul", { class: "plain" }, alert.notifications.map(notification))
        : el("span", { class: "muted" }, t("notify.none"))))))));
}

export function findingsTable(findings, accountNames) {
  if (!findings.length) return el("p", { class: "muted" }, t("drift.none"));
  const numeric = ["drift.expected", "drift.actual", "drift.impact", "drift.variance"];
  return el("div", { class: "table-wrap" }, el("table", { class: "findings" },
    header(["drift.day", "drift.finding", "drift.account", ...numeric], numeric),
    el("tbody", {}, findings.map((finding) => el("tr", { "data-finding": finding.id },
      el("td", { class: "when" }, day(finding.period_start)),
      el("td", {}, finding.subject || "—", el("div", { class: "muted method" }, t(`method.${finding.method}`))),
      el("td", { class: "account" }, accountNames.get(finding.account_id) ?? finding.account_id,
        accountNames.has(finding.account_id)
          ? el("div", { class: "muted id", title: finding.account_id }, finding.account_id) : null,
        el("div", { class: "muted" }, [finding.provider, finding.region_id].filter(Boolean).join(" · "))),
      el("td", { class: "num" }, money(finding.expected, finding.currency)),
      el("td", { class: "num" }, money(finding.actual, finding.currency)),
      el("td", { class: "num" }, money(finding.impact, finding.currency)),
      el("td", { class: "num" }, percent(finding.variance_percent)))))));
}
