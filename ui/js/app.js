// The shell: language and theme, who is signed in, and the hash routes (#/quotes, #/budgets, ... #/signin).
import { api, currentSession } from "./api.js";
import { language, setLanguage, translate } from "./i18n.js";
import { showAccounts, showFlows } from "./admin.js";
import { showBudgets } from "./budgets.js";
import { showAllocation, showConsumption, showCurrentCost, showTrends } from "./costs.js";
import { showQuotes } from "./quotes.js";
import { showSignIn } from "./signin.js";
import { showStatus } from "./status.js";

const view = document.getElementById("view");
const routes = {
  "#/quotes": showQuotes,
  "#/consumption": showConsumption,
  "#/current": showCurrentCost,
  "#/allocation": showAllocation,
  "#/trends": showTrends,
  "#/budgets": showBudgets,
  "#/accounts": showAccounts,
  "#/flows": showFlows,
  "#/status": showStatus,
};
let session = null;

function applyTheme(choice) {
  localStorage.setItem("finops.theme", choice);
  if (choice === "auto") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
}

function showUser() {
  const who = document.getElementById("who");
  const signOut = document.getElementById("sign-out");
  who.hidden = signOut.hidden = !session;
  who.textContent = session ? `${session.user.login}${session.user.region ? ` · ${session.user.region}` : ""}` : "";
}

async function route() {
  const [path, query] = (location.hash || "#/quotes").split("?");
  for (const link of document.querySelectorAll("nav a")) {
    link.toggleAttribute("aria-current", link.getAttribute("href") === path);
    if (link.hasAttribute("aria-current")) link.setAttribute("aria-current", "page");
  }
  if (path === "#/signin") {
    const next = new URLSearchParams(query).get("next") || "#/quotes";
    showSignIn(view, (signedIn) => {
      session = signedIn;
      showUser();
      location.hash = next;
    });
    return;
  }
  const show = routes[path] ?? showQuotes;
  if (show !== showStatus && !session) {
    session = await currentSession();
    showUser();
    if (!session) {
      location.hash = `#/signin?next=${encodeURIComponent(path)}`;
      return;
    }
  }
  // Each visit renders into a container of its own: a visit still loading when the user moves on (or
  // changes language) finishes into a detached node instead of over the page now shown.
  const page = document.createElement("div");
  view.replaceChildren(page);
  await show(page);
  translate(page);
}

const languages = document.getElementById("language");
languages.value = language();
languages.addEventListener("change", () => {
  setLanguage(languages.value);
  route();
});
const theme = document.getElementById("theme");
theme.value = localStorage.getItem("finops.theme") ?? "auto";
applyTheme(theme.value);
theme.addEventListener("change", () => applyTheme(theme.value));
document.getElementById("sign-out").addEventListener("click", async () => {
  await api("POST", "/api/auth/logout");
  session = null;
  showUser();
  location.hash = "#/signin";
});
document.documentElement.lang = language();
translate(document);
window.addEventListener("hashchange", route);
route();
