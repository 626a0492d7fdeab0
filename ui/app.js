// Shows what /api/health reports, so a person sees at once whether the product is up.
const describe = {
  api: (body) => (body.data || body.error ? "answering" : "unexpected answer"),
  database: (health) =>
    health.ok ? `up, schema version ${health.schema_version}` : `down: ${health.error ?? "no answer"}`,
  prefect: (health) => (health.ok ? `up at ${health.api_url}` : `unreachable: ${health.error ?? "no answer"}`),
};

function show(check, text, ok) {
  const cell = document.querySelector(`[data-check="${check}"]`);
  cell.textContent = text;
  cell.dataset.ok = String(ok);
}

async function refresh() {
  try {
    const response = await fetch("/api/health", { headers: { Accept: "application/json" } });
    const body = await response.json();
    const health = body.data ?? body.error?.details;
    show("api", describe.api(body), true);
    show("database", describe.database(health.database), health.database.ok);
    show("prefect", describe.prefect(health.prefect), health.prefect.ok);
    if (health.prefect.api_url) {
      const link = document.getElementById("prefect-link");
      link.href = health.prefect.api_url.replace(/\/api\/?$/, "/");
      link.hidden = false;
    }
  } catch (error) {
    show("api", `unreachable: ${error.message}`, false);
  }
}

refresh();
setInterval(refresh, 15000);
