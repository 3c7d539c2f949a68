// The need × feasibility chart of the Prioritering view: one point per ranked district,
// feasibility across, need index up, quadrant lines at the medians the API reports, the
// pilots drawn larger and labelled. A hand-written SVG with a text alternative.
import { t, num } from './i18n.js';
import { niceTicks } from './chart.js';

const NS = 'http://www.w3.org/2000/svg';

function el(name, attrs = {}, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text != null) e.textContent = text;
  return e;
}

/**
 * needFeasibilityChart draws districts [{code, name, index, feasibility, pilot}] (the ranked
 * ones) with the medians {need, feasibility} as quadrant lines.
 */
export function needFeasibilityChart(districts, medians) {
  const W = 440, H = 320, m = { l: 48, r: 12, t: 14, b: 42 };
  const svg = el('svg', {
    viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', class: 'chart matrix',
    'aria-labelledby': 'matrix-title matrix-desc',
  });
  const pilots = districts.filter((d) => d.pilot);
  svg.append(el('title', { id: 'matrix-title' }, t('matrixTitle')));
  svg.append(el('desc', { id: 'matrix-desc' }, t('matrixDesc', {
    n: districts.length, pilots: pilots.map((d) => d.name).join(', ') || '–',
  }) + ' ' + districts.map((d) => `${d.name}: ${t('need')} ${num(d.index, 2)}, ${t('feasibility')} ${num(d.feasibility, 2)}`).join('; ')));
  if (districts.length === 0) return svg;

  const xs = niceTicks(Math.min(0, ...districts.map((d) => d.feasibility)), Math.max(1, ...districts.map((d) => d.feasibility)), 5);
  const ys = niceTicks(Math.min(...districts.map((d) => d.index)), Math.max(...districts.map((d) => d.index)), 5);
  const [x0, x1] = [xs[0], xs[xs.length - 1]], [y0, y1] = [ys[0], ys[ys.length - 1]];
  const x = (v) => m.l + ((v - x0) / (x1 - x0)) * (W - m.l - m.r);
  const y = (v) => H - m.b - ((v - y0) / (y1 - y0)) * (H - m.t - m.b);

  const axes = el('g', { class: 'axes', 'aria-hidden': 'true' });
  for (const v of ys) {
    axes.append(el('line', { x1: m.l, x2: W - m.r, y1: y(v), y2: y(v), class: 'grid' }));
    axes.append(el('text', { x: m.l - 4, y: y(v) + 3, 'text-anchor': 'end' }, num(v)));
  }
  for (const v of xs) {
    axes.append(el('line', { x1: x(v), x2: x(v), y1: m.t, y2: H - m.b, class: 'grid' }));
    axes.append(el('text', { x: x(v), y: H - m.b + 13, 'text-anchor': 'middle' }, num(v)));
  }
  axes.append(el('line', { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, class: 'axis' }));
  axes.append(el('line', { x1: m.l, x2: m.l, y1: m.t, y2: H - m.b, class: 'axis' }));
  axes.append(el('text', { x: (m.l + W - m.r) / 2, y: H - 8, 'text-anchor': 'middle', class: 'axis-label' }, t('feasibilityAxis')));
  const cy = (m.t + H - m.b) / 2;
  axes.append(el('text', { x: 12, y: cy, 'text-anchor': 'middle', class: 'axis-label', transform: `rotate(-90 12 ${cy})` }, t('needAxis')));
  if (medians) {
    axes.append(el('line', { x1: x(medians.feasibility), x2: x(medians.feasibility), y1: m.t, y2: H - m.b, class: 'quadrant' }));
    axes.append(el('line', { x1: m.l, x2: W - m.r, y1: y(medians.need), y2: y(medians.need), class: 'quadrant' }));
    axes.append(el('text', { x: W - m.r - 2, y: m.t + 10, 'text-anchor': 'end', class: 'quadrant-label' }, t('q_high_need_good_conditions')));
    axes.append(el('text', { x: m.l + 4, y: m.t + 10, class: 'quadrant-label' }, t('q_high_need_weak_conditions')));
  }
  svg.append(axes);

  const pts = el('g', { class: 'points', 'aria-hidden': 'true' });
  const labels = el('g', { class: 'labels', 'aria-hidden': 'true' });
  for (const d of districts) {
    pts.append(el('circle', {
      cx: x(d.feasibility).toFixed(1), cy: y(d.index).toFixed(1), r: d.pilot ? 6 : 3.5,
      class: d.pilot ? 'point pilot' : 'point', 'data-code': d.code,
    }));
    if (d.pilot) {
      const right = x(d.feasibility) < W - 110;
      labels.append(el('text', {
        x: x(d.feasibility) + (right ? 8 : -8), y: y(d.index) - 6, 'text-anchor': right ? 'start' : 'end', class: 'pilot-label',
      }, d.name));
    }
  }
  svg.append(pts, labels);
  return svg;
}
