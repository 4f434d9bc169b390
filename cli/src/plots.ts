/// <reference types="node" />
// Every figure is a Vega or Vega-Lite specification rendered to SVG by Vega's headless renderer
// (no DOM), and the PNG is that same SVG rasterized by resvg. Histograms and curves are Vega-Lite;
// the Figure-4-style panel is plain Vega, because it places images at exact pixel positions.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import type { Histogram } from 'convcs';

const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';
const CONFIG = {
  font: FONT,
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: '#e6e6e6' },
  title: { fontSize: 14, subtitleFontSize: 11, subtitleColor: '#444' },
};

export async function vegaToSvg(spec: vega.Spec): Promise<string> {
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export async function vegaLiteToSvg(spec: TopLevelSpec): Promise<string> {
  return vegaToSvg(compile(spec).spec);
}

const RESVG_FONTS = { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' };

/**
 * The SVG cut to what it draws, plus a margin. Vega sizes a figure from estimated text widths (it
 * has no fonts when rendering headless), which leaves a band of white beside long titles; resvg
 * measures the drawing with the real font, and the figure takes that size.
 */
export function fitToContent(svg: string, margin = 8): string {
  // Vega's first element is the background rectangle over the whole estimated size: measure
  // without it, and draw it again over the new size
  const background = /^(<svg[^>]*>)<rect width="[^"]*" height="[^"]*" fill="([^"]*)"\/>/.exec(svg);
  const drawing = background ? svg.replace(background[0], background[1]!) : svg;
  const box = new Resvg(drawing, { font: RESVG_FONTS }).getBBox();
  if (!box) return svg;
  const x = Math.floor(box.x - margin);
  const y = Math.floor(box.y - margin);
  const width = Math.ceil(box.x + box.width + margin) - x;
  const height = Math.ceil(box.y + box.height + margin) - y;
  const fill = background ? `<rect x="${x}" y="${y}" width="${width}" height="${height}" fill="${background[2]}"/>` : '';
  return drawing.replace(/^<svg([^>]*)>/, (_all, attrs: string) => {
    const rest = attrs.replace(/\s(width|height|viewBox)="[^"]*"/g, '');
    return `<svg${rest} width="${width}" height="${height}" viewBox="${x} ${y} ${width} ${height}">${fill}`;
  });
}

/** Rasterize at `scale` x the SVG's size (2: sharp on high-density screens and in documents). */
export function svgToPng(svg: string, scale = 2): Buffer {
  const r = new Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, background: 'white', font: RESVG_FONTS });
  return r.render().asPng();
}

/**
 * Write name.svg and name.png into dir, both cut to their content; returns both paths. `scale` is
 * the PNG's pixels per SVG unit: 2 for charts, 1 for panels of photographs that the SVG already
 * shows enlarged (a second doubling adds megabytes and no detail).
 */
export function writeFigure(dir: string, name: string, svg: string, scale = 2): { svg: string; png: string } {
  mkdirSync(dir, { recursive: true });
  const paths = { svg: join(dir, `${name}.svg`), png: join(dir, `${name}.png`) };
  const fitted = fitToContent(svg);
  writeFileSync(paths.svg, fitted);
  writeFileSync(paths.png, svgToPng(fitted, scale));
  return paths;
}

export interface HistogramFigure {
  title: string;
  /** one or more lines under the title */
  subtitle?: string | string[];
  xTitle: string;
  histogram: Histogram;
  /** x of a dashed reference line (1 for the model-RIP ratios). */
  reference?: number;
}

/** A histogram from precomputed bins (cs.histogram), so the spec holds bins, not 10,000 values. */
export function histogramSpec(f: HistogramFigure): TopLevelSpec {
  const bins = Array.from(f.histogram.counts, (count, i) => ({ lo: f.histogram.edges[i]!, hi: f.histogram.edges[i + 1]!, count }));
  const layers: unknown[] = [{
    mark: { type: 'bar', color: '#4c78a8', stroke: '#ffffff', strokeWidth: 0.5 },
    encoding: {
      x: { field: 'lo', type: 'quantitative', title: f.xTitle, scale: { zero: false, nice: false } },
      x2: { field: 'hi' },
      y: { field: 'count', type: 'quantitative', title: 'codes' },
      y2: { datum: 0 },
    },
  }];
  if (f.reference !== undefined) {
    layers.push({
      data: { values: [{ r: f.reference }] },
      mark: { type: 'rule', color: '#d62728', strokeDash: [4, 3], strokeWidth: 1.5 },
      encoding: { x: { field: 'r', type: 'quantitative' } },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: f.title, ...(f.subtitle ? { subtitle: f.subtitle } : {}) },
    width: 460,
    height: 240,
    data: { values: bins },
    layer: layers,
    config: CONFIG,
  } as TopLevelSpec;
}

export interface Series {
  name: string;
  /** values[i] is the value after iteration i + 1 (or at x[i], when x is given) */
  values: ArrayLike<number>;
  x?: ArrayLike<number>;
}

/** Relative error per iteration, one line per series, log-scale y. */
export function curveSpec(title: string, subtitle: string | string[], series: Series[], yTitle = 'relative error ‖x̂ − x‖ / ‖x‖', xTitle = 'IHT iteration'): TopLevelSpec {
  const values = series.flatMap((s) => Array.from(s.values, (v, i) => ({ series: s.name, iteration: s.x ? s.x[i]! : i + 1, value: Math.max(v, 1e-12) })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle },
    width: 480,
    height: 280,
    data: { values },
    mark: { type: 'line', point: { size: 18 }, strokeWidth: 1.8 },
    encoding: {
      x: { field: 'iteration', type: 'quantitative', title: xTitle, scale: series.some((s) => s.x) ? { zero: false } : { domainMin: 1 } },
      y: { field: 'value', type: 'quantitative', title: yTitle, scale: { type: 'log' } },
      color: { field: 'series', type: 'nominal', title: null, scale: { domain: series.map((s) => s.name) }, legend: series.length > 1 ? (series.some((x) => x.x) ? { orient: 'right', labelLimit: 400 } : { orient: 'top-right' }) : null },
    },
    config: CONFIG,
  } as TopLevelSpec;
}

export interface HeatCell {
  x: number;
  y: string;
  value: number;
}

/** A phase-transition map: one rectangle per grid point, coloured by a value in [0, 1]. */
export function heatmapSpec(title: string, subtitle: string | string[], cells: HeatCell[], xTitle: string, yTitle: string, colorTitle: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle },
    width: { step: 26 },
    height: { step: 22 },
    data: { values: cells },
    layer: [
      {
        mark: { type: 'rect', stroke: '#ffffff', strokeWidth: 0.5 },
        encoding: {
          x: { field: 'x', type: 'ordinal', title: xTitle, sort: 'ascending', axis: { labelAngle: 0, grid: false } },
          y: { field: 'y', type: 'nominal', title: yTitle, sort: null, axis: { labelLimit: 400, grid: false } },
          color: { field: 'value', type: 'quantitative', title: colorTitle, scale: { domain: [0, 1], scheme: 'viridis' } },
        },
      },
    ],
    config: CONFIG,
  } as TopLevelSpec;
}

export interface PanelCell {
  /** PNG data URL */
  url: string;
  caption: string;
  detail?: string;
}

export interface PanelRow {
  label?: string;
  cells: PanelCell[];
}

/**
 * A grid of images with two caption lines under each (the paper's Figure 4 layout): each image
 * drawn `scale` times its pixel size without smoothing, so pixels stay visible.
 */
export function panelSpec(title: string, rows: PanelRow[], imgWidth: number, imgHeight: number, scale: number): vega.Spec {
  const w = imgWidth * scale;
  const h = imgHeight * scale;
  const gap = 16;
  const labelWidth = rows.some((r) => r.label) ? 22 : 0;
  const captionHeight = 40;
  const top = 34;
  const cols = Math.max(...rows.map((r) => r.cells.length));
  const cells = rows.flatMap((r, ri) => r.cells.map((c, ci) => ({
    url: c.url, caption: c.caption, detail: c.detail ?? '',
    x: labelWidth + ci * (w + gap), y: top + ri * (h + captionHeight + gap),
  })));
  const labels = rows.map((r, ri) => ({ text: r.label ?? '', x: labelWidth / 2, y: top + ri * (h + captionHeight + gap) + h / 2 }));
  return {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    width: labelWidth + cols * w + (cols - 1) * gap,
    height: top + rows.length * (h + captionHeight) + (rows.length - 1) * gap,
    padding: 10,
    background: 'white',
    data: [{ name: 'cells', values: cells }, { name: 'labels', values: labels }],
    marks: [
      {
        type: 'text',
        encode: { enter: { x: { value: 0 }, y: { value: 4 }, text: { value: title }, font: { value: FONT }, fontSize: { value: 14 }, fontWeight: { value: 'bold' }, baseline: { value: 'top' } } },
      },
      {
        type: 'image', from: { data: 'cells' },
        encode: { enter: {
          url: { field: 'url' }, x: { field: 'x' }, y: { field: 'y' }, width: { value: w }, height: { value: h },
          aspect: { value: false }, smooth: { value: false },
        } },
      },
      {
        type: 'rect', from: { data: 'cells' },
        encode: { enter: { x: { field: 'x' }, y: { field: 'y' }, width: { value: w }, height: { value: h }, stroke: { value: '#999' }, strokeWidth: { value: 0.5 } } },
      },
      {
        type: 'text', from: { data: 'cells' },
        encode: { enter: {
          x: { signal: `datum.x + ${w / 2}` }, y: { signal: `datum.y + ${h + 6}` }, text: { field: 'caption' },
          align: { value: 'center' }, baseline: { value: 'top' }, font: { value: FONT }, fontSize: { value: 12 }, fontWeight: { value: 'bold' },
        } },
      },
      {
        type: 'text', from: { data: 'cells' },
        encode: { enter: {
          x: { signal: `datum.x + ${w / 2}` }, y: { signal: `datum.y + ${h + 23}` }, text: { field: 'detail' },
          align: { value: 'center' }, baseline: { value: 'top' }, font: { value: FONT }, fontSize: { value: 11 }, fill: { value: '#333' },
        } },
      },
      {
        type: 'text', from: { data: 'labels' },
        encode: { enter: {
          x: { field: 'x' }, y: { field: 'y' }, text: { field: 'text' }, angle: { value: -90 },
          align: { value: 'center' }, baseline: { value: 'middle' }, font: { value: FONT }, fontSize: { value: 12 },
        } },
      },
    ],
  } as vega.Spec;
}
