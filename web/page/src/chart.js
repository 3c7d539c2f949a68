// A small hand-written SVG line chart of one indicator's time series, with axes, axis
// labels and the unit, and a text alternative (title/desc) for screen readers.
import { t, num } from './i18n.js';

const NS = 'http://www.w3.org/2000/svg';

function el(name, attrs = {}, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text != null) e.textContent = text;
  return e;
}

/** niceTicks returns about n round tick values covering [lo, hi]. */
export function niceTicks(lo, hi, n = 4) {
  if (lo === hi) { lo -= 1; hi += 1; }
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const ticks = [];
  for (let v = Math.floor(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toFixed(10)));
  if (ticks[ticks.length - 1] < hi) ticks.push(ticks[ticks.length - 1] + step);
  return ticks;
}

/**
 * lineChart draws points [{year, value}] (value may be null: a gap) as an SVG element.
 * name and indicator title the chart; unit labels the value axis.
 */
export function lineChart(points, { name, indicator, unit, highlightYear }) {
  const W = 300, H = 180, m = { l: 46, r: 10, t: 12, b: 40 };
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', class: 'chart', 'aria-labelledby': 'chart-title chart-desc' });
  const pts = points.filter((p) => p.value != null);
  svg.append(el('title', { id: 'chart-title' }, t('chartTitle', { name, indicator })));
  svg.append(el('desc', { id: 'chart-desc' }, t('chartDesc', {
    name, indicator, n: pts.length, first: points[0]?.year ?? '', last: points[points.length - 1]?.year ?? '',
  }) + ' ' + pts.map((p) => `${p.year}: ${num(p.value)} ${unit}`).join('; ')));
  if (pts.length === 0) return svg;

  const years = points.map((p) => p.year);
  const y0 = Math.min(...years), y1 = Math.max(...years);
  const vals = pts.map((p) => p.value);
  const ticks = niceTicks(Math.min(...vals), Math.max(...vals));
  const v0 = ticks[0], v1 = ticks[ticks.length - 1];
  const x = (yr) => m.l + (y1 === y0 ? 0.5 : (yr - y0) / (y1 - y0)) * (W - m.l - m.r);
  const y = (v) => H - m.b - ((v - v0) / (v1 - v0)) * (H - m.t - m.b);

  const axes = el('g', { class: 'axes', 'aria-hidden': 'true' });
  for (const tv of ticks) {
    axes.append(el('line', { x1: m.l, x2: W - m.r, y1: y(tv), y2: y(tv), class: 'grid' }));
    axes.append(el('text', { x: m.l - 4, y: y(tv) + 3, 'text-anchor': 'end' }, num(tv)));
  }
  const step = Math.max(1, Math.ceil(years.length / 6));
  years.forEach((yr, i) => {
    if (i % step === 0 || i === years.length - 1) {
      axes.append(el('text', { x: x(yr), y: H - m.b + 14, 'text-anchor': 'middle' }, String(yr)));
    }
  });
  axes.append(el('line', { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, class: 'axis' }));
  axes.append(el('line', { x1: m.l, x2: m.l, y1: m.t, y2: H - m.b, class: 'axis' }));
  axes.append(el('text', { x: (m.l + W - m.r) / 2, y: H - 6, 'text-anchor': 'middle', class: 'axis-label' }, t('yearAxis')));
  axes.append(el('text', { x: 12, y: (m.t + H - m.b) / 2, 'text-anchor': 'middle', class: 'axis-label',
    transform: `rotate(-90 12 ${(m.t + H - m.b) / 2})` }, unit));
  svg.append(axes);

  // Segments break at missing values rather than bridging them.
  let d = '';
  let pen = false;
  for (const p of points) {
    if (p.value == null) { pen = false; continue; }
    d += `${pen ? 'L' : 'M'}${x(p.year).toFixed(1)},${y(p.value).toFixed(1)}`;
    pen = true;
  }
  svg.append(el('path', { d, class: 'line', 'aria-hidden': 'true' }));
  const dots = el('g', { class: 'dots', 'aria-hidden': 'true' });
  for (const p of pts) {
    dots.append(el('circle', { cx: x(p.year), cy: y(p.value), r: p.year === highlightYear ? 4.5 : 3,
      class: p.year === highlightYear ? 'dot current' : 'dot', 'data-year': p.year, 'data-value': p.value }));
  }
  svg.append(dots);
  return svg;
}
