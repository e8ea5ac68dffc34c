// The one module that imports uPlot (and its stylesheet). Only the insights charts import it,
// with a dynamic import(), so it is a chunk of its own that participants never download
// (bench/web.py checks that the first load holds none of it).
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export type PlotSpec = {
  kind: "bars" | "lines";
  labels: string[]; // one per x position: categories, or the weeks
  series: { label: string; color: string; values: (number | null)[] }[];
  yLabel: string;
  format: (v: number) => string; // the y axis's numbers
};

export type Drawn = { resize: (width: number) => void; destroy: () => void };

const INK = "#1a1a2e";
const GRID = "#e3e7f0";

export function draw(into: HTMLElement, spec: PlotSpec, width: number): Drawn {
  let plot = make(into, spec, width);
  return {
    resize: (w) => { plot.destroy(); plot = make(into, spec, w); }, // labels may need turning at the new width
    destroy: () => plot.destroy(),
  };
}

function make(into: HTMLElement, spec: PlotSpec, width: number): uPlot {
  const n = spec.labels.length;
  const xs = spec.labels.map((_, i) => i);
  const many = spec.series.length > 1;
  const narrow = width < 480;
  const longest = Math.max(0, ...spec.labels.map((l) => l.length));
  // Categories (bars) all get a label: turned when they do not fit side by side. Weeks skip some.
  const turn = spec.kind === "bars" && longest * 7.5 + 12 > (width - 70) / Math.max(n, 1);
  const bar = (i: number) => uPlot.paths.bars!({
    size: [many ? 0.38 : 0.6, 64], align: !many ? 0 : i === 0 ? -1 : 1,
  });
  const axis = { stroke: INK, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1 },
    font: "12px system-ui, sans-serif" };
  const opts: uPlot.Options = {
    width, height: narrow ? 220 : 260,
    legend: { show: false }, // the page draws its own key, and the table says every figure
    cursor: { show: false },
    select: { show: false, left: 0, top: 0, width: 0, height: 0 },
    scales: {
      x: { time: false, range: () => [-0.5, Math.max(n - 0.5, 0.5)] },
      y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
    },
    axes: [
      { ...axis, ...(turn ? { rotate: 30, size: 24 + longest * 3.5, space: 8, incrs: [1] }
        : spec.kind === "bars" ? { space: 8, incrs: [1] } // they fit side by side: every one is shown
        : { space: Math.max(40, 8 + 7 * longest), incrs: [1, 2, 3, 4, 6, 8, 13, 26, 52] }),
        values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? spec.labels[i] ?? "" : "")) },
      { ...axis, size: 52, label: spec.yLabel, labelFont: "12px system-ui, sans-serif", space: 30,
        incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000], // counts: whole numbers
        values: (_u, splits) => splits.map((v) => spec.format(v)) },
    ],
    series: [
      {},
      ...spec.series.map((s, i) => spec.kind === "bars"
        ? { label: s.label, stroke: s.color, fill: s.color, width: 0, paths: bar(i), points: { show: false } }
        : { label: s.label, stroke: s.color, width: 2.5, spanGaps: false, points: { show: true, size: 6, fill: s.color } }),
    ],
  };
  return new uPlot(opts, [xs, ...spec.series.map((s) => s.values)] as uPlot.AlignedData, into);
}
