// Charts of the customer and operator pages, drawn with uPlot (MIT, bundled) from JSON endpoints.
//
// Markup: <div class="chart" data-chart-src="/projects/data/throughput.json" data-chart-kind="line"
//          role="img" aria-label="Labels per day"></div>
// Endpoint answer (ChartData): {"x": [unix seconds...], "series": [{"label": "labels",
//   "values": [n | null, ...]}, ...], "x_kind": "time" | "index", "y_label": "tasks"}
// Every chart also gets a visually hidden <table> of the same numbers (for screen readers and
// for tests that read figures off the page).
import uPlot from "uplot";

export interface ChartSeries {
  label: string;
  values: (number | null)[];
}
export interface ChartData {
  x: number[];
  series: ChartSeries[];
  x_kind?: "time" | "index";
  y_label?: string;
}

const PALETTE = ["#2563eb", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2", "#ca8a04"];

export function colour(i: number): string {
  return PALETTE[i % PALETTE.length];
}

function table(data: ChartData, caption: string): HTMLTableElement {
  const t = document.createElement("table");
  t.className = "sr-only chart-data";
  const cap = t.createCaption();
  cap.textContent = caption;
  const head = t.createTHead().insertRow();
  for (const h of ["x", ...data.series.map((s) => s.label)]) {
    const th = document.createElement("th");
    th.textContent = h;
    head.appendChild(th);
  }
  const body = t.createTBody();
  data.x.forEach((x, i) => {
    const row = body.insertRow();
    const label =
      data.x_kind === "index" ? String(x) : new Date(x * 1000).toISOString().slice(0, 16).replace("T", " ");
    row.insertCell().textContent = label;
    for (const s of data.series) row.insertCell().textContent = s.values[i] == null ? "" : String(s.values[i]);
  });
  return t;
}

export function draw(el: HTMLElement, data: ChartData): uPlot | null {
  el.replaceChildren();
  el.appendChild(table(data, el.getAttribute("aria-label") ?? "chart"));
  if (data.x.length === 0) {
    const p = document.createElement("p");
    p.className = "chart-empty";
    p.textContent = "No data yet.";
    el.appendChild(p);
    return null;
  }
  const bars = el.dataset.chartKind === "bars";
  const width = Math.max(240, el.clientWidth || 600);
  const opts: uPlot.Options = {
    width,
    height: Number(el.dataset.chartHeight ?? 220),
    scales: { x: { time: data.x_kind !== "index" } },
    axes: [{}, { label: data.y_label ?? "" }],
    series: [
      {},
      ...data.series.map((s, i) => ({
        label: s.label,
        stroke: colour(i),
        fill: bars ? colour(i) + "55" : undefined,
        width: 2,
        paths: bars ? uPlot.paths.bars!({ size: [0.6, 40] }) : undefined,
        points: { show: data.x.length < 60 },
      })),
    ],
  };
  const plot = new uPlot(opts, [data.x, ...data.series.map((s) => s.values)] as uPlot.AlignedData, el);
  return plot;
}

export async function load(el: HTMLElement): Promise<void> {
  const src = el.dataset.chartSrc;
  if (!src) return;
  el.setAttribute("aria-busy", "true");
  try {
    const r = await fetch(src, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!r.ok) throw new Error(`${r.status}`);
    draw(el, (await r.json()) as ChartData);
    el.dataset.chartState = "drawn";
  } catch (err) {
    el.textContent = `Chart unavailable (${String(err)}).`;
    el.dataset.chartState = "failed";
  } finally {
    el.removeAttribute("aria-busy");
  }
}

/** Draw every `[data-chart-src]` under `root`. */
export function mountCharts(root: ParentNode = document): Promise<void[]> {
  return Promise.all(Array.from(root.querySelectorAll<HTMLElement>("[data-chart-src]")).map(load));
}
