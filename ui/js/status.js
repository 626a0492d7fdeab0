// What /api/health reports, so a person sees at once whether the product is up.
import { el } from "./format.js";
import { t } from "./i18n.js";

const describe = {
  database: (health) =>
    health.ok ? `up, schema version ${health.schema_version}` : `down: ${health.error ?? "no answer"}`,
  prefect: (health) => (health.ok ? `up at ${health.api_url}` : `unreachable: ${health.error ?? "no answer"}`),
};

export async function showStatus(view) {
  const list = el("dl", { id: "status" });
  view.replaceChildren(el("section", {}, el("h1", {}, t("status.title")), list));
  try {
    const response = await fetch("/api/health", { headers: { Accept: "application/json" } });
    const body = await response.json();
    const health = body.data ?? body.error?.details;
    list.append(
      el("dt", {}, "API"), el("dd", { "data-ok": "true" }, "answering"),
      el("dt", {}, "Database"), el("dd", { "data-ok": String(health.database.ok) }, describe.database(health.database)),
      el("dt", {}, "Prefect"), el("dd", { "data-ok": String(health.prefect.ok) }, describe.prefect(health.prefect)),
    );
    if (health.prefect.api_url) {
      const ui = health.prefect.api_url.replace(/\/api\/?$/, "/");
      list.after(el("p", {}, el("a", { href: ui }, "Prefect UI: flows, schedules and runs")));
    }
  } catch (error) {
    list.append(el("dt", {}, "API"), el("dd", { "data-ok": "false" }, `unreachable: ${error.message}`));
  }
  list.after(el("p", {}, el("a", { href: "/schema" }, "OpenAPI description of the REST API")));
}
