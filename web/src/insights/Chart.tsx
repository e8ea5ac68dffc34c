// A chart with its text alternative: a caption that says what it shows in one sentence, a key,
// the drawing (uPlot on a canvas, loaded on first use), and every figure as a table that anyone
// can open, read by screen readers and reached by keyboard. The drawing itself is hidden from
// assistive technology: the caption and the table say everything it says.
import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../i18n";
import type { Drawn, PlotSpec } from "./plot";

export const COLORS = ["#1d4ed8", "#b45309", "#166534"]; // ≥ 3:1 against white (WCAG 1.4.11)

let plotModule: Promise<typeof import("./plot")> | null = null;
const loadPlot = () => (plotModule ??= import("./plot"));

export type ChartTable = { head: string[]; rows: (string | number)[][] };

// The drawn chart as a PNG with its title, for a report or a funder's slide: uPlot draws axes and
// series on its canvas, so the picture is the canvas on white, under the title.
function saveImage(el: HTMLElement, title: string, file: string) {
  const plot = el.querySelector("canvas");
  if (!plot) return;
  const ratio = window.devicePixelRatio || 1;
  const top = Math.round(36 * ratio);
  const out = document.createElement("canvas");
  out.width = plot.width;
  out.height = plot.height + top;
  const g = out.getContext("2d");
  if (!g) return;
  g.fillStyle = "#ffffff";
  g.fillRect(0, 0, out.width, out.height);
  g.fillStyle = "#111827";
  g.font = `600 ${Math.round(16 * ratio)}px system-ui, sans-serif`;
  g.fillText(title, Math.round(8 * ratio), Math.round(24 * ratio));
  g.drawImage(plot, 0, top);
  out.toBlob((blob) => {
    if (!blob) return;
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = file;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }, "image/png");
}

/** `wide`: the chart takes the whole row on a wide screen (its table has many columns). */
export function Chart({ id, title, summary, spec, table, wide = false }: {
  id: string; title: string; summary: string; spec: PlotSpec; table: ChartTable; wide?: boolean;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  const [drawnOnce, setDrawnOnce] = useState(false);
  const key = JSON.stringify([spec.kind, spec.labels, spec.series, spec.yLabel]);
  useEffect(() => {
    let drawn: Drawn | null = null;
    let gone = false;
    let observer: ResizeObserver | null = null;
    loadPlot().then((m) => {
      const el = box.current;
      if (gone || !el) return;
      el.replaceChildren();
      drawn = m.draw(el, spec, el.clientWidth || 320);
      setDrawnOnce(true);
      let last = el.clientWidth;
      observer = new ResizeObserver(() => {
        if (el.clientWidth && el.clientWidth !== last) { last = el.clientWidth; drawn?.resize(last); }
      });
      observer.observe(el);
    }, () => !gone && setFailed(true));
    return () => { gone = true; observer?.disconnect(); drawn?.destroy(); };
  }, [key]);
  return (
    <figure class={wide ? "chart card wide" : "chart card"} aria-labelledby={`${id}-h`}>
      <figcaption>
        <h3 id={`${id}-h`}>{title}</h3>
        <p class="hint">{summary}</p>
      </figcaption>
      {spec.series.length > 1 && (
        <ul class="key" aria-hidden="true">
          {/* A class per colour (the CSP allows no inline style), found from the series' own colour. */}
          {spec.series.map((s) => <li><span class={`swatch c${Math.max(0, COLORS.indexOf(s.color))}`} />{s.label}</li>)}
        </ul>
      )}
      {failed
        ? <p class="notice">{t("insights.chartFailed")}</p>
        : <div class="plot" ref={box} aria-hidden="true" data-chart={id} />}
      {!failed && drawnOnce && (
        <p>
          <button type="button" class="secondary"
            onClick={() => box.current && saveImage(box.current, title, `ementor-chart-${id}.png`)}>
            {t("insights.saveImage", { title })}
          </button>
        </p>
      )}
      <details open={failed}>
        <summary>{t("insights.asTable", { title })}</summary>
        <div class="scroll" tabIndex={0} role="region" aria-label={t("insights.asTable", { title })}>
          {/* On a phone each row stacks into a block of "heading: figure" lines (styles.css); the
              explicit roles keep it a table for screen readers, which CSS display would otherwise undo. */}
          <table class="stack" role="table">
            <caption class="visually-hidden">{title}</caption>
            <thead role="rowgroup"><tr role="row">{table.head.map((h) => <th scope="col" role="columnheader">{h}</th>)}</tr></thead>
            <tbody role="rowgroup">
              {table.rows.map((row) => (
                <tr role="row">{row.map((cell, i) => (i === 0
                  ? <th scope="row" role="rowheader">{cell}</th>
                  : <td role="cell" data-label={table.head[i]}>{cell}</td>))}</tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
