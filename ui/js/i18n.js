// English and French strings; the choice is kept in localStorage and applied to [data-i18n] elements.
const strings = {
  en: {
    skip: "Skip to content", language: "Language", theme: "Theme", "theme.auto": "System", "theme.light": "Light",
    "theme.dark": "Dark", signout: "Sign out", "nav.quotes": "Quotes", "nav.status": "Status",
    "signin.title": "Sign in", "signin.outscale": "With Outscale keys", "signin.local": "As a local user",
    "signin.access_key": "Access key", "signin.secret_key": "Secret key", "signin.region": "Region",
    "signin.username": "User name", "signin.password": "Password", "signin.submit": "Sign in",
    "status.title": "Status", "quotes.title": "Quote builder", "quotes.quote": "Quote", "quotes.new": "New quote",
    "quotes.name": "Name", "quotes.rename": "Rename", "quotes.delete": "Delete quote",
    "quotes.confirm_delete": "Delete this quote?", "quotes.duration": "Duration", "quotes.unit": "Unit",
    "quotes.commitment": "Commitment", "quotes.discount": "Global discount (%)", "quotes.none": "None",
    "unit.hours": "hours", "unit.days": "days", "unit.weeks": "weeks", "unit.months": "months", "unit.years": "years",
    "commit.1month": "1 month", "commit.1year": "1 year", "commit.3years": "3 years",
    "groups.title": "Groups", "groups.name": "Group name", "groups.add": "Add group", "groups.up": "Move up",
    "groups.down": "Move down", "groups.delete": "Delete group", "groups.none": "(no group)",
    "add.title": "Add an item", "add.kind": "Kind", "kind.vm": "Virtual machine", "kind.volume": "Volume",
    "kind.catalog": "Catalog entry", "add.generation": "Generation", "add.performance": "Performance",
    "perf.medium": "medium", "perf.high": "high", "perf.highest": "highest", "add.vcores": "vCores",
    "add.ram": "RAM (GiB)", "add.licences": "Licences", "add.volume_type": "Volume type", "add.size": "Size (GiB)",
    "add.iops": "IOPS", "add.category": "Category", "add.search": "Search the catalog", "add.entry": "Catalog entry",
    "add.quantity": "Quantity", "add.group": "Group", "add.submit": "Add to quote",
    "items.title": "Lines", "items.item": "Item", "items.quantity": "Quantity", "items.list": "List price",
    "items.commitment": "Commitment discount", "items.net": "Net", "items.remove": "Remove",
    "totals.title": "Totals", "totals.subtotal": "Subtotal", "totals.discount": "Global discount",
    "totals.total": "Total", "totals.hourly": "Per hour", "totals.monthly": "Per month (730 h)",
    "totals.yearly": "Per year", "totals.csv": "Download CSV", "totals.subtotal_of": "Subtotal",
    "empty": "Nothing yet.", "quote.active": "active", "quote.saved": "saved",
    "nav.consumption": "Consumption", "nav.current": "Current cost", "nav.allocation": "Allocation",
    "nav.trends": "Trends", "nav.accounts": "Accounts", "nav.flows": "Flows",
    "granularity.day": "day", "granularity.week": "week", "granularity.month": "month",
    "range.from": "From", "range.to": "To", "range.granularity": "Granularity",
    "consumption.chart": "Consumption per period, stacked by service", "consumption.period": "Period",
    "consumption.service": "Service", "consumption.cost": "Cost", "download.csv": "Download CSV",
    "current.chart": "Current cost per month by group", "current.group_by": "Group by (type or tag:KEY)",
    "current.group": "Group", "current.resources": "Resources", "current.top": "Top resources",
    "per.hour": "Per hour", "per.month": "Per month", "per.year": "Per year",
    "allocation.chart": "Spend by tag value", "allocation.tag": "Tag key", "allocation.billed": "Billed cost",
    "allocation.share": "Share", "allocation.untagged": "(untagged)",
    "trends.month": "Month", "trends.cost": "Cost", "trends.change": "Change", "trends.projection": "Month-end projection",
    "accounts.add": "Add an Outscale account", "accounts.name": "Name", "accounts.regions": "Regions",
    "accounts.provider": "Provider", "accounts.account": "Account", "accounts.credentials": "Credentials",
    "accounts.remove": "Remove", "accounts.confirm_remove": "Remove this account and its stored keys?",
    "flows.prefect": "Open the Prefect UI", "flows.deployment": "Deployment", "flows.schedule": "Schedule",
    "flows.last_runs": "Last runs", "flows.run": "Run now", "flows.every": "every",
  },
  fr: {
    skip: "Aller au contenu", language: "Langue", theme: "Thème", "theme.auto": "Système", "theme.light": "Clair",
    "theme.dark": "Sombre", signout: "Se déconnecter", "nav.quotes": "Devis", "nav.status": "État",
    "signin.title": "Connexion", "signin.outscale": "Avec des clés Outscale", "signin.local": "Utilisateur local",
    "signin.access_key": "Clé d'accès", "signin.secret_key": "Clé secrète", "signin.region": "Région",
    "signin.username": "Nom d'utilisateur", "signin.password": "Mot de passe", "signin.submit": "Se connecter",
    "status.title": "État", "quotes.title": "Devis", "quotes.quote": "Devis", "quotes.new": "Nouveau devis",
    "quotes.name": "Nom", "quotes.rename": "Renommer", "quotes.delete": "Supprimer le devis",
    "quotes.confirm_delete": "Supprimer ce devis ?", "quotes.duration": "Durée", "quotes.unit": "Unité",
    "quotes.commitment": "Engagement", "quotes.discount": "Remise globale (%)", "quotes.none": "Aucun",
    "unit.hours": "heures", "unit.days": "jours", "unit.weeks": "semaines", "unit.months": "mois", "unit.years": "années",
    "commit.1month": "1 mois", "commit.1year": "1 an", "commit.3years": "3 ans",
    "groups.title": "Groupes", "groups.name": "Nom du groupe", "groups.add": "Ajouter un groupe",
    "groups.up": "Monter", "groups.down": "Descendre", "groups.delete": "Supprimer le groupe",
    "groups.none": "(sans groupe)", "add.title": "Ajouter un élément", "add.kind": "Type",
    "kind.vm": "Machine virtuelle", "kind.volume": "Volume", "kind.catalog": "Entrée du catalogue",
    "add.generation": "Génération", "add.performance": "Performance", "perf.medium": "moyenne",
    "perf.high": "haute", "perf.highest": "maximale", "add.vcores": "vCœurs", "add.ram": "Mémoire (Gio)",
    "add.licences": "Licences", "add.volume_type": "Type de volume", "add.size": "Taille (Gio)", "add.iops": "IOPS",
    "add.category": "Catégorie", "add.search": "Chercher dans le catalogue", "add.entry": "Entrée du catalogue",
    "add.quantity": "Quantité", "add.group": "Groupe", "add.submit": "Ajouter au devis",
    "items.title": "Lignes", "items.item": "Élément", "items.quantity": "Quantité", "items.list": "Prix catalogue",
    "items.commitment": "Remise d'engagement", "items.net": "Net", "items.remove": "Retirer",
    "totals.title": "Totaux", "totals.subtotal": "Sous-total", "totals.discount": "Remise globale",
    "totals.total": "Total", "totals.hourly": "Par heure", "totals.monthly": "Par mois (730 h)",
    "totals.yearly": "Par an", "totals.csv": "Télécharger le CSV", "totals.subtotal_of": "Sous-total",
    "empty": "Rien pour l'instant.", "quote.active": "actif", "quote.saved": "enregistré",
    "nav.consumption": "Consommation", "nav.current": "Coût actuel", "nav.allocation": "Répartition",
    "nav.trends": "Tendances", "nav.accounts": "Comptes", "nav.flows": "Flux",
    "granularity.day": "jour", "granularity.week": "semaine", "granularity.month": "mois",
    "range.from": "Du", "range.to": "Au", "range.granularity": "Granularité",
    "consumption.chart": "Consommation par période, empilée par service", "consumption.period": "Période",
    "consumption.service": "Service", "consumption.cost": "Coût", "download.csv": "Télécharger le CSV",
    "current.chart": "Coût actuel par mois et par groupe", "current.group_by": "Grouper par (type ou tag:CLÉ)",
    "current.group": "Groupe", "current.resources": "Ressources", "current.top": "Ressources les plus chères",
    "per.hour": "Par heure", "per.month": "Par mois", "per.year": "Par an",
    "allocation.chart": "Dépenses par valeur de tag", "allocation.tag": "Clé de tag",
    "allocation.billed": "Coût facturé", "allocation.share": "Part", "allocation.untagged": "(sans tag)",
    "trends.month": "Mois", "trends.cost": "Coût", "trends.change": "Évolution",
    "trends.projection": "Projection de fin de mois",
    "accounts.add": "Ajouter un compte Outscale", "accounts.name": "Nom", "accounts.regions": "Régions",
    "accounts.provider": "Fournisseur", "accounts.account": "Compte", "accounts.credentials": "Identifiants",
    "accounts.remove": "Retirer", "accounts.confirm_remove": "Retirer ce compte et ses clés ?",
    "flows.prefect": "Ouvrir l'interface Prefect", "flows.deployment": "Déploiement", "flows.schedule": "Planification",
    "flows.last_runs": "Dernières exécutions", "flows.run": "Lancer", "flows.every": "toutes les",
  },
};

export function language() {
  const chosen = localStorage.getItem("finops.language");
  if (chosen in strings) return chosen;
  return navigator.language?.startsWith("fr") ? "fr" : "en";
}

export function setLanguage(code) {
  localStorage.setItem("finops.language", code);
  document.documentElement.lang = code;
  translate(document);
}

export function t(key) {
  return strings[language()][key] ?? strings.en[key] ?? key;
}

export function translate(root) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
}
