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
