// Sign-in with Outscale keys and a region, or as a local user; then back to where the user was going.
import { api, ApiError, rememberCsrf } from "./api.js";
import { el, field } from "./format.js";
import { t } from "./i18n.js";

const REGIONS = ["eu-west-2", "cloudgouv-eu-west-1", "us-east-2", "us-west-1", "ap-northeast-1"];

async function submit(event, path, body, form, onSignedIn) {
  event.preventDefault();
  for (const message of form.querySelectorAll(".error")) message.textContent = "";
  try {
    const answer = await api("POST", path, body());
    rememberCsrf(answer.data.csrf_token);
    onSignedIn(answer.data);
  } catch (error) {
    const summary = form.querySelector(".form-error");
    summary.textContent = error.message;
    if (error instanceof ApiError && Array.isArray(error.details)) {
      for (const detail of error.details) {
        const slot = form.querySelector(`#${form.dataset.prefix}${detail.field}-error`);
        if (slot) slot.textContent = detail.message;
      }
    }
  }
}

export function showSignIn(view, onSignedIn) {
  const region = el("select", {}, REGIONS.map((name) => el("option", { value: name }, name)));
  const keys = el(
    "form",
    { class: "panel", "data-prefix": "osc-" },
    el("h2", {}, t("signin.outscale")),
    field("osc-access_key", t("signin.access_key"), el("input", { autocomplete: "username", required: true })),
    field("osc-secret_key", t("signin.secret_key"), el("input", { type: "password", autocomplete: "current-password",
      required: true })),
    field("osc-region", t("signin.region"), region),
    el("p", { class: "error form-error", role: "alert" }),
    el("button", { class: "primary", type: "submit" }, t("signin.submit")),
  );
  keys.addEventListener("submit", (event) =>
    submit(event, "/api/auth/login", () => ({
      access_key: keys.querySelector("#osc-access_key").value.trim(),
      secret_key: keys.querySelector("#osc-secret_key").value,
      region: region.value,
    }), keys, onSignedIn),
  );
  const local = el(
    "form",
    { class: "panel", "data-prefix": "local-" },
    el("h2", {}, t("signin.local")),
    field("local-username", t("signin.username"), el("input", { autocomplete: "username", required: true })),
    field("local-password", t("signin.password"), el("input", { type: "password", autocomplete: "current-password",
      required: true })),
    el("p", { class: "error form-error", role: "alert" }),
    el("button", { class: "primary", type: "submit" }, t("signin.submit")),
  );
  local.addEventListener("submit", (event) =>
    submit(event, "/api/auth/login/local", () => ({
      username: local.querySelector("#local-username").value.trim(),
      password: local.querySelector("#local-password").value,
    }), local, onSignedIn),
  );
  view.replaceChildren(el("h1", {}, t("signin.title")), el("div", { class: "grid" }, keys, local));
}
