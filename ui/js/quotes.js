// The quote builder: quotes (list, new, rename, load, delete), terms, groups, items and the totals.
// Every change is saved at once through the API, and every number shown is the API's calculation,
// so what the page shows is what GET /api/quotes/{id}/calculate answers.
import { api, ApiError } from "./api.js";
import { el, field, money, number } from "./format.js";
import { t } from "./i18n.js";

const UNITS = ["hours", "days", "weeks", "months", "years"];
const COMMITMENTS = ["1month", "1year", "3years"];
const PERFORMANCES = ["medium", "high", "highest"];
const VOLUME_TYPES = ["standard", "gp2", "io1"];

const state = { quotes: [], quote: null, calculation: null, catalog: [], catalogRegion: null, problem: "" };
let view = null;

export async function showQuotes(target) {
  view = target;
  await reload();
}

async function reload(openId) {
  state.quotes = (await api("GET", "/api/quotes")).data;
  let id = openId ?? state.quotes.find((quote) => quote.status === "active")?.id;
  if (id === undefined) {
    id = (await api("POST", "/api/quotes", { name: t("quotes.new") })).data.id;
    state.quotes = (await api("GET", "/api/quotes")).data;
  }
  await open(id);
}

async function open(id) {
  state.quote = (await api("GET", `/api/quotes/${id}`)).data;
  if (state.catalogRegion !== state.quote.region) {
    state.catalog = (await api("GET", `/api/catalog?region=${state.quote.region}`)).data;
    state.catalogRegion = state.quote.region;
  }
  await recalculate();
}

async function recalculate() {
  state.calculation = (await api("GET", `/api/quotes/${state.quote.id}/calculate`)).data;
  state.quotes = (await api("GET", "/api/quotes")).data;
  render();
}

// Runs a change, then shows the new calculation; an API refusal is shown next to its field.
async function change(action, errorSlot) {
  state.problem = "";
  try {
    const answer = await action();
    if (answer?.data?.items) state.quote = answer.data;
    await recalculate();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    state.problem = error.message;
    if (errorSlot) errorSlot(error);
    else render();
  }
}

function render() {
  const quote = state.quote;
  view.replaceChildren(
    el("h1", {}, t("quotes.title")),
    management(quote),
    el("div", { class: "grid" }, terms(quote), groups(quote)),
    addItem(quote),
    lines(),
    totals(quote),
  );
}

function management(quote) {
  const picker = el(
    "select",
    { id: "quote-picker", onchange: () => change(() => open(Number(picker.value))) },
    state.quotes.map((item) =>
      el("option", { value: item.id, selected: item.id === quote.id },
        `${item.name} — ${t(`quote.${item.status}`)}${item.total ? ` — ${money(item.total, item.currency)}` : ""}`),
    ),
  );
  const name = el("input", { id: "quote-name", value: quote.name, maxlength: 200 });
  return el(
    "section",
    {},
    el("div", { class: "row" },
      field("quote-picker", t("quotes.quote"), picker),
      el("button", { type: "button", onclick: () => change(async () => {
        const created = await api("POST", "/api/quotes", { name: t("quotes.new"), region: quote.region });
        await open(created.data.id);
      }) }, t("quotes.new")),
      field("quote-name", t("quotes.name"), name),
      el("button", { type: "button", onclick: () =>
        change(() => api("PUT", `/api/quotes/${quote.id}`, { name: name.value.trim() })) }, t("quotes.rename")),
      el("button", { type: "button", class: "danger", onclick: () => {
        if (!confirm(t("quotes.confirm_delete"))) return;
        change(async () => {
          const answer = await api("DELETE", `/api/quotes/${quote.id}`);
          await reload(answer.data.replacement_quote?.id);
        });
      } }, t("quotes.delete")),
    ),
    el("p", { class: "error", role: "alert" }, state.problem),
  );
}

function terms(quote) {
  const put = (body) => change(() => api("PUT", `/api/quotes/${quote.id}`, body));
  const duration = el("input", { id: "duration", type: "number", min: "0", step: "any", value: quote.duration,
    onchange: () => put({ duration: duration.value }) });
  const unit = el("select", { id: "duration-unit", onchange: () => put({ duration_unit: unit.value }) },
    UNITS.map((name) => el("option", { value: name, selected: name === quote.duration_unit }, t(`unit.${name}`))));
  const commitment = el("select", { id: "commitment", onchange: () =>
    put({ commitment_period: commitment.value || null }) },
    el("option", { value: "", selected: !quote.commitment_period }, t("quotes.none")),
    COMMITMENTS.map((name) =>
      el("option", { value: name, selected: name === quote.commitment_period }, t(`commit.${name}`))));
  const discount = el("input", { id: "global-discount", type: "number", min: "0", max: "100", step: "any",
    value: quote.global_discount_percent, onchange: () => put({ global_discount_percent: discount.value }) });
  return el("section", {},
    el("div", { class: "row" },
      field("duration", t("quotes.duration"), duration),
      field("duration-unit", t("quotes.unit"), unit),
      field("commitment", t("quotes.commitment"), commitment),
      field("global-discount", t("quotes.discount"), discount),
    ));
}

function groups(quote) {
  const name = el("input", { id: "group-name", maxlength: 200 });
  const ordered = [...quote.groups].sort((a, b) => a.position - b.position || a.id - b.id);
  const move = (index, step) => {
    const other = ordered[index + step];
    if (!other) return;
    const group = ordered[index];
    change(async () => {
      await api("PUT", `/api/quotes/${quote.id}/groups/${group.id}`, { name: group.name, position: other.position });
      return api("PUT", `/api/quotes/${quote.id}/groups/${other.id}`, { name: other.name, position: group.position });
    });
  };
  return el("section", {},
    el("h2", {}, t("groups.title")),
    el("ul", {}, ordered.map((group, index) => {
      const rename = el("input", { value: group.name, "aria-label": `${t("groups.name")} ${index + 1}`,
        onchange: () => change(() =>
          api("PUT", `/api/quotes/${quote.id}/groups/${group.id}`, { name: rename.value.trim() })) });
      return el("li", { class: "row" }, rename,
        el("button", { type: "button", "aria-label": `${t("groups.up")}: ${group.name}`, disabled: index === 0,
          onclick: () => move(index, -1) }, "↑"),
        el("button", { type: "button", "aria-label": `${t("groups.down")}: ${group.name}`,
          disabled: index === ordered.length - 1, onclick: () => move(index, 1) }, "↓"),
        el("button", { type: "button", class: "danger", "aria-label": `${t("groups.delete")}: ${group.name}`,
          onclick: () => change(() => api("DELETE", `/api/quotes/${quote.id}/groups/${group.id}`)) }, "✕"));
    })),
    el("div", { class: "row" },
      field("group-name", t("groups.name"), name),
      el("button", { type: "button", onclick: () => change(() =>
        api("POST", `/api/quotes/${quote.id}/groups`, { name: name.value.trim() })) }, t("groups.add"))),
  );
}

function labelled(id, key, input) {
  return field(id, t(key), input);
}

function addItem(quote) {
  const form = el("form", { class: "panel", "aria-label": t("add.title") });
  const kind = el("select", {}, ["vm", "volume", "catalog"].map((name) => el("option", { value: name }, t(`kind.${name}`))));
  const group = el("select", {}, el("option", { value: "" }, t("groups.none")),
    quote.groups.map((item) => el("option", { value: item.id }, item.name)));
  const quantity = el("input", { type: "number", min: "0", step: "any", value: "1" });
  // Generations the catalog prices cores for; the default is the newest one offered at every performance.
  const levels = new Map();
  for (const entry of state.catalog) {
    const found = /^CustomCore:v(\d+)-p(\d+)$/.exec(entry.type);
    if (found) levels.set(Number(found[1]), (levels.get(Number(found[1])) ?? new Set()).add(found[2]));
  }
  const generations = [...levels.keys()].sort((a, b) => b - a);
  const usual = generations.find((g) => ["1", "2", "3"].every((level) => levels.get(g).has(level)));
  const licences = state.catalog.filter((entry) => /^RunInstances-\d{4}-OD$/.exec(entry.operation) &&
    entry.type === "ProductUsage" && entry.operation !== "RunInstances-0001-OD");
  const vm = {
    generation: el("select", {}, generations.map((g) => el("option", { value: g, selected: g === usual }, `v${g}`))),
    performance: el("select", {}, PERFORMANCES.map((p) => el("option", { value: p, selected: p === "high" },
      t(`perf.${p}`)))),
    vcores: el("input", { type: "number", min: "1", step: "1", value: "2" }),
    ram: el("input", { type: "number", min: "0", step: "any", value: "4" }),
    licences: el("select", { multiple: true, size: Math.min(licences.length, 4) || 1 },
      licences.map((entry) => el("option", { value: entry.operation.split("-")[1] }, entry.title))),
  };
  const volume = {
    type: el("select", {}, VOLUME_TYPES.map((name) => el("option", { value: name }, name))),
    size: el("input", { type: "number", min: "1", step: "any", value: "100" }),
    iops: el("input", { type: "number", min: "0", step: "1", value: "0" }),
  };
  const categories = [...new Set(state.catalog.map((entry) => entry.category))].sort();
  const catalog = {
    category: el("select", {}, el("option", { value: "" }, "—"), categories.map((c) => el("option", { value: c }, c))),
    search: el("input", { type: "search" }),
    entry: el("select", {}),
  };
  const listEntries = () => {
    const words = catalog.search.value.toLowerCase().split(/\s+/).filter(Boolean);
    const shown = state.catalog.filter((entry) =>
      (!catalog.category.value || entry.category === catalog.category.value) &&
      words.every((word) => `${entry.title} ${entry.key}`.toLowerCase().includes(word))).slice(0, 300);
    catalog.entry.replaceChildren(...shown.map((entry) => el("option", { value: entry.key },
      `${entry.title} — ${money(entry.unit_price, entry.currency, 4)} / ${entry.billing_unit}`)));
  };
  catalog.category.addEventListener("change", listEntries);
  catalog.search.addEventListener("input", listEntries);
  listEntries();
  const sets = {
    vm: el("div", { class: "row" }, labelled("vm-generation", "add.generation", vm.generation),
      labelled("vm-performance", "add.performance", vm.performance), labelled("vm-vcores", "add.vcores", vm.vcores),
      labelled("vm-ram_gib", "add.ram", vm.ram), labelled("vm-licences", "add.licences", vm.licences)),
    volume: el("div", { class: "row" }, labelled("volume-volume_type", "add.volume_type", volume.type),
      labelled("volume-size_gib", "add.size", volume.size), labelled("volume-iops", "add.iops", volume.iops)),
    catalog: el("div", { class: "row" }, labelled("catalog-category", "add.category", catalog.category),
      labelled("catalog-search", "add.search", catalog.search), labelled("catalog-key", "add.entry", catalog.entry)),
  };
  const showSet = () => {
    for (const [name, set] of Object.entries(sets)) set.hidden = name !== kind.value;
    volume.iops.closest(".field").hidden = volume.type.value !== "io1";
  };
  kind.addEventListener("change", showSet);
  volume.type.addEventListener("change", showSet);
  showSet();
  const body = () => {
    const common = { quantity: quantity.value, group_id: group.value ? Number(group.value) : null };
    if (kind.value === "vm") {
      return { kind: "vm", generation: Number(vm.generation.value), performance: vm.performance.value,
        vcores: Number(vm.vcores.value), ram_gib: vm.ram.value,
        licences: [...vm.licences.selectedOptions].map((option) => option.value), ...common };
    }
    if (kind.value === "volume") {
      return { kind: "volume", volume_type: volume.type.value, size_gib: volume.size.value,
        iops: volume.type.value === "io1" ? volume.iops.value : "0", ...common };
    }
    const [service, type, operation] = (catalog.entry.value || "//").split("/");
    return { kind: "catalog", service, type, operation, ...common };
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    for (const slot of form.querySelectorAll(".error")) slot.textContent = "";
    change(() => api("POST", `/api/quotes/${quote.id}/items`, body()), (error) => {
      form.querySelector(".form-error").textContent = error.message;
      for (const detail of error.details ?? []) {
        const slot = form.querySelector(`#${kind.value}-${detail.field}-error, #item-${detail.field}-error`);
        if (slot) slot.textContent = detail.message;
      }
    });
  });
  form.append(
    el("h2", {}, t("add.title")),
    el("div", { class: "row" }, labelled("item-kind", "add.kind", kind), labelled("item-quantity", "add.quantity",
      quantity), labelled("item-group", "add.group", group)),
    sets.vm, sets.volume, sets.catalog,
    el("p", { class: "error form-error", role: "alert" }),
    el("button", { class: "primary", type: "submit" }, t("add.submit")),
  );
  return form;
}

function lines() {
  const calculation = state.calculation;
  const currency = calculation.currency;
  const body = [];
  for (const group of calculation.groups) {
    const own = calculation.lines.filter((line) => line.group_id === group.group_id);
    body.push(el("tr", {}, el("th", { colspan: 6, scope: "rowgroup" }, group.group_id === null ? t("groups.none")
      : group.name)));
    for (const line of own) {
      body.push(el("tr", { "data-item": line.item_id },
        el("td", {}, line.name, el("div", { class: "muted" }, line.description)),
        el("td", { class: "num" }, number(line.quantity)),
        el("td", { class: "num" }, money(line.list_price, currency)),
        el("td", { class: "num" }, money(line.commitment_discount, currency)),
        el("td", { class: "num" }, money(line.net, currency)),
        el("td", {}, el("button", { type: "button", class: "danger", "aria-label": `${t("items.remove")}: ${line.name}`,
          onclick: () => change(() => api("DELETE", `/api/quotes/${state.quote.id}/items/${line.item_id}`)) }, "✕"))));
    }
    body.push(el("tr", { class: "subtotal", "data-group": group.group_id ?? "none" },
      el("td", { colspan: 4 }, t("totals.subtotal_of")),
      el("td", { class: "num group-subtotal" }, money(group.subtotal, currency)), el("td")));
  }
  return el("section", {},
    el("h2", {}, t("items.title")),
    calculation.lines.length === 0 ? el("p", { class: "muted" }, t("empty")) : el("table", {},
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("items.item")),
        el("th", { class: "num", scope: "col" }, t("items.quantity")),
        el("th", { class: "num", scope: "col" }, t("items.list")),
        el("th", { class: "num", scope: "col" }, t("items.commitment")),
        el("th", { class: "num", scope: "col" }, t("items.net")), el("td"))),
      el("tbody", {}, body)));
}

function totals(quote) {
  const c = state.calculation;
  const row = (key, amount, id, digits) =>
    el("tr", {}, el("th", { scope: "row" }, t(key)), el("td", { class: "num", id }, money(amount, c.currency, digits)));
  return el("section", { "aria-label": t("totals.title") },
    el("h2", {}, t("totals.title")),
    el("table", {}, el("tbody", {},
      row("totals.subtotal", c.subtotal, "subtotal"),
      row("totals.discount", c.global_discount, "global-discount-amount"),
      el("tr", {}, el("th", { scope: "row" }, t("totals.total")),
        el("td", { class: "num total", id: "total" }, money(c.total, c.currency))),
      row("totals.hourly", c.run_rate.hourly, "per-hour", c.run_rate.hourly.split(".")[1]?.length ?? 0),
      row("totals.monthly", c.run_rate.monthly, "per-month"),
      row("totals.yearly", c.run_rate.yearly, "per-year"))),
    el("p", {}, el("a", { href: `/api/quotes/${quote.id}/export/csv`, download: `quote-${quote.id}.csv`,
      id: "csv-link" }, t("totals.csv"))),
  );
}
