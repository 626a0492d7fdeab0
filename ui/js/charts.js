// Charts through the vendored Chart.js (ui/vendor): bars, stacked when asked, themed from the CSS colours.
// Every chart has a table next to it with the same numbers, for screen readers and for copying.
import { moneyFormat } from "./format.js";
import { language } from "./i18n.js";

const PALETTE = ["#0b57d0", "#e8710a", "#1a7f37", "#a142f4", "#d93025", "#12a4af", "#9e6a03", "#c2185b", "#5f6368"];
const charts = new WeakMap();

export function barChart(canvas, labels, datasets, { stacked = false, currency } = {}) {
  charts.get(canvas)?.destroy();
  const styles = getComputedStyle(document.documentElement);
  const text = styles.getPropertyValue("--text").trim();
  const line = styles.getPropertyValue("--line").trim();
  const format = currency ? moneyFormat(currency) : new Intl.NumberFormat(language());
  const chart = new window.Chart(canvas, {
    type: "bar",
    data: {
      labels,
      datasets: datasets.map((set, index) => ({ ...set, backgroundColor: set.color ?? PALETTE[index % PALETTE.length] })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: {
        legend: { labels: { color: text } },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${format.format(item.parsed.y)}` } },
      },
      scales: {
        x: { stacked, ticks: { color: text }, grid: { color: line } },
        y: { stacked, ticks: { color: text, callback: (value) => format.format(value) }, grid: { color: line } },
      },
    },
  });
  charts.set(canvas, chart);
  return chart;
}

// A CSV the browser downloads, built from rows already shown (RFC 4180, BOM, formulas disarmed).
export function downloadCsv(filename, rows) {
  const cell = (value) => {
    let text = value === null || value === undefined ? "" : String(value);
    if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const body = "\ufeff" + rows.map((row) => row.map(cell).join(",")).join("\r\n") + "\r\n";
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([body], { type: "text/csv;charset=utf-8" }));
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}
