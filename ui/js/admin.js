// Cloud accounts (add with keys checked by the API, list, remove) and flows (schedules, last runs, run now).
import { api, ApiError } from "./api.js";
import { el, field } from "./format.js";
import { t } from "./i18n.js";

const REGIONS = ["eu-west-2", "cloudgouv-eu-west-1", "us-east-2", "us-west-1", "ap-northeast-1"];

export async function showAccounts(view) {
  const list = el("tbody");
  const refresh = async () => {
    const accounts = (await api("GET", "/api/accounts")).data;
    list.replaceChildren(...accounts.map((account) => el("tr", {},
      el("td", {}, account.name), el("td", {}, account.provider), el("td", {}, account.account_id),
      el("td", {}, account.regions.join(", ")), el("td", {}, account.credentials),
      el("td", {}, el("button", { type: "button", class: "danger", "aria-label": `${t("accounts.remove")}: ${account.name}`,
        onclick: async () => {
          if (!confirm(t("accounts.confirm_remove"))) return;
          await api("DELETE", `/api/accounts/${account.id}`);
          await refresh();
        } }, t("accounts.remove"))))));
  };
  const name = el("input", { required: true });
  const regions = el("select", { multiple: true, size: 5 }, REGIONS.map((region) =>
    el("option", { value: region, selected: region === "eu-west-2" }, region)));
  const accessKey = el("input", { required: true, autocomplete: "off" });
  const secretKey = el("input", { type: "password", required: true, autocomplete: "off" });
  const form = el("form", { class: "panel", "aria-label": t("accounts.add") },
    el("h2", {}, t("accounts.add")),
    el("div", { class: "row" }, field("account-name", t("accounts.name"), name),
      field("account-regions", t("accounts.regions"), regions),
      field("account-access_key", t("signin.access_key"), accessKey),
      field("account-secret_key", t("signin.secret_key"), secretKey)),
    el("p", { class: "error form-error", role: "alert" }),
    el("button", { class: "primary", type: "submit" }, t("accounts.add")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const slot of form.querySelectorAll(".error")) slot.textContent = "";
    try {
      await api("POST", "/api/accounts", { name: name.value.trim(), access_key: accessKey.value.trim(),
        secret_key: secretKey.value, regions: [...regions.selectedOptions].map((option) => option.value) });
      secretKey.value = "";
      await refresh();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      form.querySelector(".form-error").textContent = error.message;
      for (const detail of error.details ?? []) {
        const slot = form.querySelector(`#account-${detail.field}-error`);
        if (slot) slot.textContent = detail.message;
      }
    }
  });
  view.replaceChildren(el("h1", {}, t("nav.accounts")), el("section", {}, el("table", {},
    el("thead", {}, el("tr", {}, ...["accounts.name", "accounts.provider", "accounts.account", "accounts.regions",
      "accounts.credentials"].map((key) => el("th", { scope: "col" }, t(key))), el("td"))), list)), form);
  await refresh();
}

export async function showFlows(view) {
  const body = el("div");
  view.replaceChildren(el("h1", {}, t("nav.flows")), el("section", {}, body));
  const refresh = async () => {
    try {
      const answer = await api("GET", "/api/flows");
      body.replaceChildren(el("p", {}, el("a", { href: answer.metadata.prefect_ui }, t("flows.prefect"))),
        el("table", {}, el("thead", {}, el("tr", {}, ...["flows.deployment", "flows.schedule", "flows.last_runs"]
          .map((key) => el("th", { scope: "col" }, t(key))), el("td"))),
          el("tbody", {}, answer.data.map((deployment) => el("tr", {},
            el("td", {}, el("a", { href: deployment.url }, deployment.name)),
            el("td", {}, deployment.schedules.map((s) => s.cron ? `${s.cron} (${s.timezone ?? "UTC"})` :
              `${t("flows.every")} ${s.interval_seconds} s`).join("; ") || "—"),
            el("td", {}, deployment.last_runs.map((run) => el("div", {},
              el("a", { href: run.url }, run.name), ` ${run.state ?? ""}`))),
            el("td", {}, el("button", { type: "button", "aria-label": `${t("flows.run")}: ${deployment.name}`,
              onclick: async () => { await api("POST", `/api/flows/${deployment.name}/runs`); await refresh(); } },
              t("flows.run"))))))));
    } catch (error) {
      body.replaceChildren(el("p", { class: "error", role: "alert" }, error.message));
    }
  };
  await refresh();
}
