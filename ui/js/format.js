// Money and numbers through Intl, in the chosen language and the quote's currency. Amounts arrive as
// decimal text; they are only formatted here, never summed.
import { language } from "./i18n.js";

export function money(amount, currency, digits) {
  if (amount === null || amount === undefined) return "—";
  const options = { style: "currency", currency };
  if (digits !== undefined) Object.assign(options, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return new Intl.NumberFormat(language(), options).format(Number(amount));
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
