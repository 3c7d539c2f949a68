// The choropleth: one indicator for one year on the districts, classed by quantiles into
// five classes with a colour-blind safe sequential palette (viridis), missing values hatched.
import { getJSON } from './api.js';
import { t, num, getLang } from './i18n.js';

// Viridis, light to dark. Darker always means greater need: for indicators where a higher
// value is better the palette is reversed, and the legend says so.
export const palette = ['#fde725', '#5ec962', '#21918c', '#3b528b', '#440154'];

/** quantileBreaks returns up to four increasing inner breaks splitting values into five classes. */
export function quantileBreaks(values, k = 5) {
  const v = values.filter((x) => x != null && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return [];
  const breaks = [];
  for (let i = 1; i < k; i++) {
    const pos = (v.length - 1) * (i / k);
    const lo = Math.floor(pos);
    const q = v[lo] + (v[Math.min(lo + 1, v.length - 1)] - v[lo]) * (pos - lo);
    if (q > v[0] && (breaks.length === 0 || q > breaks[breaks.length - 1])) breaks.push(q);
  }
  return breaks;
}

/** classes turns breaks into legend classes [{min, max, colour}] covering the values. */
export function classes(values, breaks, reversed) {
  const v = values.filter((x) => x != null && Number.isFinite(x));
  if (v.length === 0) return [];
  const lo = Math.min(...v), hi = Math.max(...v);
  const edges = [lo, ...breaks, hi];
  // With fewer than four breaks (ties), spread the classes over the palette's ends.
  const n = edges.length - 1;
  const pick = (i) => palette[n === 1 ? palette.length - 1 : Math.round((i * (palette.length - 1)) / (n - 1))];
  const out = [];
  for (let i = 0; i < n; i++) {
    const colour = reversed ? pick(n - 1 - i) : pick(i);
    out.push({ min: edges[i], max: edges[i + 1], colour });
  }
  return out;
}

/** fillColour is the MapLibre expression colouring a district by its class of property prop. */
export function fillColour(cls, prop = 'value') {
  if (cls.length === 0) return '#cccccc';
  const e = ['step', ['get', prop], cls[0].colour];
  for (let i = 1; i < cls.length; i++) e.push(cls[i].min, cls[i].colour);
  return e;
}

/**
 * Choropleth holds the chosen indicator and year, fetches the districts with their values
 * and renders the indicator and year selects and the legend.
 */
export class Choropleth {
  constructor(map, els, onData) {
    this.map = map;
    this.els = els; // { indicator: <select>, year: <select>, legend: <div> }
    this.onData = onData;
    this.indicators = [];
    this.key = null;
    this.year = null;
    this.data = null;
    els.indicator.addEventListener('change', () => this.load(els.indicator.value, this.year));
    els.year.addEventListener('change', () => this.load(this.key, Number(els.year.value)));
  }

  async init(preferred) {
    const fc = await getJSON('collections/indicators/items', { limit: 1000 });
    this.indicators = fc.features.map((f) => ({ key: f.id, ...f.properties }));
    this.renderIndicatorOptions();
    const key = this.indicators.some((i) => i.key === preferred) ? preferred : this.indicators[0]?.key;
    if (key) await this.load(key, null);
  }

  indicator(key = this.key) { return this.indicators.find((i) => i.key === key); }

  name(ind) { return getLang() === 'en' ? ind.name_en : ind.name_sv; }

  renderIndicatorOptions() {
    const sel = this.els.indicator;
    sel.replaceChildren(...this.indicators.map((i) => {
      const o = document.createElement('option');
      o.value = i.key;
      o.textContent = `${this.name(i)} (${i.unit})`;
      return o;
    }));
    if (this.key) sel.value = this.key;
  }

  /** load fetches key for year (null: the latest with values) and redraws. */
  async load(key, year) {
    const path = `indicators/${encodeURIComponent(key)}/districts`;
    let data = await getJSON(path, { year: year ?? '' });
    // A year the indicator has no values for (e.g. after switching indicator) falls back to its latest.
    if (year != null && !data.years.includes(year)) data = await getJSON(path);
    for (const f of data.features) f.properties.code = f.id;
    this.key = key;
    this.year = data.year;
    this.data = data;
    this.map.getSource('districts').setData(data);
    const values = data.features.map((f) => f.properties.value);
    const reversed = data.indicator.direction === 'higher_is_better';
    this.classes = classes(values, quantileBreaks(values), reversed);
    this.map.setPaintProperty('districts-fill', 'fill-color', fillColour(this.classes));
    this.els.indicator.value = key;
    this.els.year.replaceChildren(...data.years.map((y) => {
      const o = document.createElement('option');
      o.value = String(y);
      o.textContent = String(y);
      return o;
    }));
    this.els.year.value = String(data.year);
    this.renderLegend();
    this.onData?.(data);
  }

  renderLegend() {
    const el = this.els.legend;
    const d = this.data;
    if (!d) return;
    const ind = this.indicator() || d.indicator;
    const unit = d.indicator.unit;
    const title = document.createElement('p');
    title.className = 'legend-title';
    title.textContent = `${this.name(ind)}, ${d.year} (${unit})`;
    const note = document.createElement('p');
    note.className = 'legend-note';
    note.textContent = `${t('classes')}. ${t('darkerWorse')}` +
      (d.indicator.direction === 'higher_is_better' ? ` (${t('lowerWorse')})` : '') + '.';
    const ul = document.createElement('ul');
    ul.className = 'legend-list';
    ul.id = 'choropleth-legend';
    for (const c of this.classes) {
      const li = document.createElement('li');
      li.dataset.min = String(c.min);
      li.dataset.max = String(c.max);
      li.dataset.colour = c.colour;
      li.append(swatch(c.colour), document.createTextNode(`${num(c.min)} – ${num(c.max)} ${unit}`));
      ul.append(li);
    }
    if (d.features.some((f) => f.properties.value == null)) {
      const li = document.createElement('li');
      li.dataset.missing = 'true';
      const s = swatch('#dddddd');
      s.classList.add('hatched');
      li.append(s, document.createTextNode(t('missing')));
      ul.append(li);
    }
    el.replaceChildren(title, ul, note);
  }

  /** relabel re-renders texts after a language switch. */
  relabel() {
    this.renderIndicatorOptions();
    this.renderLegend();
  }
}

/** swatch is a small coloured square for legends; decorative, the text carries the meaning. */
export function swatch(colour, shape = 'square') {
  const s = document.createElement('span');
  s.className = `swatch ${shape}`;
  s.style.background = colour;
  s.setAttribute('aria-hidden', 'true');
  return s;
}
