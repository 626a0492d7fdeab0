// The form that creates a budget or replaces one: amount, scope, alert rules and recipients. A refusal is
// shown next to the field the API names: its ids follow the API's paths (rules[0].threshold lands in
// #budget-rules-0-threshold-error), and a path with no slot of its own falls back to its parent's.
import { api, ApiError } from "./api.js";
import { el, field } from "./format.js";
import { t } from "./i18n.js";

const CURRENCIES = ["EUR", "USD", "JPY"];
const PERIODS = ["monthly", "quarterly", "yearly"];
const PROVIDERS = ["oci", "outscale"];
const BASES = ["ACTUAL", "FORECAST"];
const TYPES = ["PERCENT", "ABSOLUTE"];
const EMPTY = {
  name: "", amount: "", currency: "EUR", period: "monthly", emails: [], webhooks: [],
  scope: { provider: null, account_ids: [], services: [], regions: [], compartments: [], tag_key: null, tag_value: null },
  rules: [{ basis: "ACTUAL", threshold: "80", threshold_type: "PERCENT", notify_recovery: false },
    { basis: "FORECAST", threshold: "100", threshold_type: "PERCENT", notify_recovery: false }],
};

const split = (text, separators = /,/) => text.split(separators).map((part) => part.trim()).filter(Boolean);
const options = (values, label, chosen) => values.map((value) =>
  el("option", { value, selected: value === chosen }, label(value)));

function wide(node) {
  node.classList.add("wide");
  return node;
}

function hinted(node, id, text) {
  node.querySelector("input, select").setAttribute("aria-describedby", `${id}-hint ${id}-error`);
  node.querySelector(".error").before(el("span", { class: "hint", id: `${id}-hint` }, text));
  return node;
}

export function budgetForm(accounts, onSaved) {
  let editing = null;
  const c = {
    name: el("input", { maxlength: 200, autocomplete: "off" }),
    amount: el("input", { type: "number", step: "any", inputmode: "decimal" }),
    currency: el("select", {}, options(CURRENCIES, (code) => code)),
    period: el("select", {}, options(PERIODS, (period) => t(`period.${period}`))),
    provider: el("select", {}, el("option", { value: "" }, t("scope.any")), options(PROVIDERS, (name) => name)),
    accounts: el("select", { multiple: true, size: Math.min(Math.max(accounts.length, 2), 5) },
      accounts.map((account) => el("option", { value: account.account_id }, `${account.name} (${account.account_id})`))),
    services: el("input", { placeholder: "TinaOS-FCU, COMPUTE" }),
    regions: el("input", { placeholder: "eu-west-2, eu-paris-1" }),
    compartments: el("input"),
    tagKey: el("input", { placeholder: "team" }),
    tagValue: el("input"),
    emails: el("input", { placeholder: "finops@example.com, ops@example.com" }),
    webhooks: el("input", { placeholder: "https://hooks.slack.com/services/…" }),
    dropWebhooks: el("input", { type: "checkbox" }),
  };
  const title = el("h2", { id: "budget-form-title" });
  const rules = el("div", { class: "rule-list" });
  const stored = el("span", { class: "hint", id: "budget-webhooks-stored" });
  const drop = field("budget-webhooks-drop", t("form.webhooks_drop"), c.dropWebhooks);
  drop.classList.add("check");
  const addRule = el("button", { type: "button", onclick: () => {
    showRules([...readRules(), { ...EMPTY.rules[0], threshold: "" }]);
    rules.querySelector(".rule:last-child select").focus();
  } }, t("rules.add"));
  const submit = el("button", { class: "primary", type: "submit" });
  const cancel = el("button", { type: "button", onclick: () => reset() }, t("form.cancel"));
  const form = el("form", { class: "panel budget-form", novalidate: true, "aria-labelledby": "budget-form-title" },
    title,
    el("fieldset", {}, el("legend", {}, t("form.budget")), el("div", { class: "row" },
      wide(field("budget-name", t("form.name"), c.name)), field("budget-amount", t("budgets.amount"), c.amount),
      field("budget-currency", t("form.currency"), c.currency), field("budget-period", t("budgets.period"), c.period))),
    el("fieldset", {}, el("legend", {}, t("scope.label")), el("div", { class: "row" },
      field("budget-scope-provider", t("scope.provider"), c.provider),
      hinted(field("budget-scope-account_ids", t("scope.accounts"), c.accounts), "budget-scope-account_ids",
        t("scope.accounts_hint")),
      hinted(field("budget-scope-services", t("scope.services"), c.services), "budget-scope-services", t("scope.list_hint")),
      hinted(field("budget-scope-regions", t("scope.regions"), c.regions), "budget-scope-regions", t("scope.list_hint")),
      hinted(field("budget-scope-compartments", t("scope.compartments"), c.compartments), "budget-scope-compartments",
        t("scope.list_hint")),
      field("budget-scope-tag_key", t("scope.tag_key"), c.tagKey),
      field("budget-scope-tag_value", t("scope.tag_value"), c.tagValue))),
    el("fieldset", {}, el("legend", {}, t("rules.title")), rules,
      el("span", { class: "error", id: "budget-rules-error" }),
      addRule),
    el("fieldset", {}, el("legend", {}, t("form.recipients")), el("div", { class: "row" },
      wide(field("budget-emails", t("form.emails"), c.emails)),
      wide(field("budget-webhooks", t("form.webhooks"), c.webhooks)), drop)),
    el("p", { class: "error form-error", role: "alert" }),
    el("div", { class: "row" }, submit, cancel),
  );
  c.webhooks.after(stored);
  c.webhooks.setAttribute("aria-describedby", "budget-webhooks-stored budget-webhooks-error");

  function readRules() {
    return [...rules.querySelectorAll(".rule")].map((row) => ({
      basis: row.querySelector("[name=basis]").value,
      threshold: row.querySelector("[name=threshold]").value.trim(),
      threshold_type: row.querySelector("[name=threshold_type]").value,
      notify_recovery: row.querySelector("[name=notify_recovery]").checked,
    }));
  }

  function showRules(values) {
    rules.replaceChildren(...values.map((rule, index) => ruleRow(rule, index, () => {
      showRules(readRules().filter((_, at) => at !== index));
      (rules.querySelectorAll(".rule select[name=basis]")[Math.max(index - 1, 0)] ?? addRule).focus();
    })));
  }

  function fill(budget) {
    c.name.value = budget.name;
    c.amount.value = budget.amount;
    if (![...c.currency.options].some((option) => option.value === budget.currency)) {
      c.currency.append(el("option", { value: budget.currency }, budget.currency));
    }
    c.currency.value = budget.currency;
    c.period.value = budget.period;
    c.provider.value = budget.scope.provider ?? "";
    for (const option of c.accounts.options) option.selected = budget.scope.account_ids.includes(option.value);
    c.services.value = budget.scope.services.join(", ");
    c.regions.value = budget.scope.regions.join(", ");
    c.compartments.value = budget.scope.compartments.join(", ");
    c.tagKey.value = budget.scope.tag_key ?? "";
    c.tagValue.value = budget.scope.tag_value ?? "";
    c.emails.value = budget.emails.join(", ");
    c.webhooks.value = "";
    c.dropWebhooks.checked = false;
    showRules(budget.rules.map((rule) => ({ ...rule, threshold: String(rule.threshold) })));
    stored.textContent = editing && budget.webhooks.length
      ? `${t("form.webhooks_stored")} ${budget.webhooks.join(", ")}. ${t("form.webhooks_keep")}` : "";
    drop.hidden = !(editing && budget.webhooks.length);
    title.textContent = editing ? `${t("form.edit")}: ${editing.name}` : t("form.new");
    submit.textContent = t(editing ? "form.save" : "form.create");
    cancel.hidden = !editing;
    clearErrors();
  }

  function body() {
    const payload = {
      name: c.name.value.trim(), amount: c.amount.value.trim(), currency: c.currency.value, period: c.period.value,
      scope: {
        provider: c.provider.value || null,
        account_ids: [...c.accounts.selectedOptions].map((option) => option.value),
        services: split(c.services.value), regions: split(c.regions.value), compartments: split(c.compartments.value),
        tag_key: c.tagKey.value.trim() || null, tag_value: c.tagValue.value.trim() || null,
      },
      rules: readRules(),
      emails: split(c.emails.value, /[\s,;]+/),
    };
    const webhooks = split(c.webhooks.value, /[\s,]+/);
    // Left out on an edit, the stored webhooks stay: the API never sends them back to be resent.
    if (!editing || webhooks.length || c.dropWebhooks.checked) payload.webhooks = webhooks;
    return payload;
  }

  function clearErrors() {
    for (const slot of form.querySelectorAll(".error")) slot.textContent = "";
    for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
  }

  function slotFor(path) {
    const parts = path.replace(/\[(\d+)\]/g, ".$1").split(".").filter(Boolean);
    for (; parts.length; parts.pop()) {
      const slot = form.querySelector(`#${CSS.escape(`budget-${parts.join("-")}`)}-error`);
      if (slot) return slot;
    }
    return null;
  }

  function showProblem(error) {
    form.querySelector(".form-error").textContent = error.message;
    const details = Array.isArray(error.details) ? [...error.details] : [];
    if (error.status === 409) details.push({ field: "name", message: error.message });
    let first = null;
    for (const detail of details) {
      const slot = slotFor(String(detail.field ?? ""));
      if (!slot) continue;
      slot.textContent = slot.textContent ? `${slot.textContent}; ${detail.message}` : detail.message;
      const control = slot.closest(".field")?.querySelector("input, select");
      control?.setAttribute("aria-invalid", "true");
      first ??= control;
    }
    first?.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    try {
      const answer = editing ? await api("PUT", `/api/budgets/${editing.id}`, body())
        : await api("POST", "/api/budgets", body());
      reset();
      await onSaved(answer.data);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showProblem(error);
    }
  });

  function reset() {
    editing = null;
    fill(EMPTY);
  }

  reset();
  return {
    node: form,
    editing: () => editing,
    reset,
    edit(budget) {
      editing = budget;
      fill(budget);
      form.scrollIntoView({ block: "start" });
      c.name.focus();
    },
  };
}

function ruleRow(rule, index, onRemove) {
  const id = (name) => `budget-rules-${index}-${name}`;
  const basis = el("select", { name: "basis" }, options(BASES, (value) => t(`basis.${value}`), rule.basis));
  const threshold = el("input", { name: "threshold", type: "number", step: "any", inputmode: "decimal",
    value: rule.threshold });
  const type = el("select", { name: "threshold_type" },
    options(TYPES, (value) => t(`threshold.${value}`), rule.threshold_type));
  const recovery = el("input", { name: "notify_recovery", type: "checkbox", checked: rule.notify_recovery });
  // Only a forecast can fall back under its threshold within a period (the API refuses it on an actual).
  const sync = () => {
    recovery.disabled = basis.value !== "FORECAST";
    if (recovery.disabled) recovery.checked = false;
  };
  basis.addEventListener("change", sync);
  sync();
  const check = field(id("notify_recovery"), t("rules.recovery"), recovery);
  check.classList.add("check");
  return el("fieldset", { class: "rule" }, el("legend", {}, `${t("rules.rule")} ${index + 1}`),
    el("div", { class: "row" },
      field(id("basis"), t("rules.basis"), basis), field(id("threshold"), t("rules.threshold"), threshold),
      field(id("threshold_type"), t("rules.type"), type), check,
      el("button", { type: "button", class: "danger", "aria-label": `${t("rules.remove")} ${index + 1}`,
        onclick: onRemove }, t("rules.remove"))));
}
