// Money, numbers, percentages and dates through Intl, in the chosen language and the amount's currency.
// Amounts arrive as decimal text; they are only formatted here, never summed.
import { language, t } from "./i18n.js";

export function money(amount, currency, digits) {
  if (amount === null || amount === undefined) return "—";
  const options = digits === undefined ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits };
  const format = moneyFormat(currency, options);
  const shown = format.format(Number(amount));
  if (format.resolvedOptions().style === "currency") return shown;
  return `${shown} ${currency || t("currency.none")}`;
}

// A report's currency is whatever its file says: Intl formats any three letters as a currency (and
// refuses anything else), so other codes, or none, are shown as written next to a plain number.
export function moneyFormat(currency, options = {}) {
  if (/^[A-Za-z]{3}$/.test(currency ?? "")) return new Intl.NumberFormat(language(), { ...options, style: "currency", currency });
  return new Intl.NumberFormat(language(), { minimumFractionDigits: 2, maximumFractionDigits: 6, ...options });
}

export function number(value) {
  return new Intl.NumberFormat(language(), { maximumFractionDigits: 4 }).format(Number(value));
}

// Builds an element: el("td", { class: "num" }, "text", child)
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

// A labelled form control: the label names it by its text alone (a control nested in a label would lend
// the label its own text, e.g. a select's options), with a slot for the API's message about it.
export function field(id, text, control) {
  control.id = id;
  return el("div", { class: "field" }, el("label", { for: id }, text), control,
    el("span", { class: "error", id: `${id}-error` }));
}

export function percent(value) {
  if (value === null || value === undefined) return "—";
  return new Intl.NumberFormat(language(), { style: "percent", maximumFractionDigits: 2 }).format(Number(value) / 100);
}

// A calendar day sent as YYYY-MM-DD, shown as that day wherever the browser is.
export function day(text) {
  if (!text) return "—";
  return new Intl.DateTimeFormat(language(), { dateStyle: "medium", timeZone: "UTC" }).format(new Date(`${text}T00:00:00Z`));
}

// Two calendar days, both included, as one range: "1–31 Dec 2026".
export function days(first, last) {
  const at = (text) => new Date(`${text}T00:00:00Z`);
  return new Intl.DateTimeFormat(language(), { dateStyle: "medium", timeZone: "UTC" }).formatRange(at(first), at(last));
}

// An instant (ISO 8601 with its offset), in the browser's time zone.
export function moment(text) {
  if (!text) return "—";
  return new Intl.DateTimeFormat(language(), { dateStyle: "medium", timeStyle: "short" }).format(new Date(text));
}
