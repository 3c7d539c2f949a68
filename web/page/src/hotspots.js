// The hotspot view (issue 5): GET /analysis/hotspots with method density (kde), Gi* or
// emerging, a time window, categories and a weighting; the cells of the GeoJSON answer are
// drawn on the map (fill by density class, Gi* class with the FDR outline, or emerging
// pattern), the legend shows the classes with their counts, a click on a cell shows its
// statistics, and GET /analysis/hotspots/places gives the ranked "where this week" list.
import { getJSON } from './api.js';
import { t, num, label, getLang, addTexts, onLangChange } from './i18n.js';
import { quantileBreaks, swatch } from './choropleth.js';
import { bounds, whenIdle } from './map.js';
import { View } from './view.js';
import { h } from './dom.js';

addTexts({
  sv: {
    hotControls: 'Brännpunkter: val', hotSide: 'Var denna vecka', method: 'Metod',
    m_kde: 'Täthet (kärnskattning)', m_gistar: 'Signifikanta brännpunkter (Gi*)', m_emerging: 'Framväxande brännpunkter (trend)',
    weighting: 'Viktning', w_count: 'antal observationer', w_severity: 'allvarlighet', w_harm: 'skadevärde (harm index)',
    slice: 'Tidsskiva', s_month: 'månad', s_quarter: 'kvartal', s_year: 'år', categories: 'Kategorier', allData: 'Tomt = alla observationer',
    hotWindow: 'Tidsfönster', hotLegend: 'Teckenförklaring',
    hot_99: 'Brännpunkt, 99 % konfidens', hot_95: 'Brännpunkt, 95 % konfidens', hot_90: 'Brännpunkt, 90 % konfidens',
    cold_90: 'Kall punkt, 90 % konfidens', cold_95: 'Kall punkt, 95 % konfidens', cold_99: 'Kall punkt, 99 % konfidens',
    fdr: 'Håller efter FDR-korrektion (Benjamini–Hochberg, p < 0,05): svart kant',
    gistarNote: 'Rutor om {side} m, grannskap {band} m. Ej signifikanta rutor visas inte.',
    kdeTitle: 'Täthet, observationer per km² (bandbredd {bw} m)', kdeNote: 'Kvantiler av rutorna med täthet; de lägsta ({cut} per km²) visas inte.',
    emergingNote: 'Mönster över {n} tidsskivor ({slice}); rutor utan mönster visas inte.',
    new_hot_spot: 'ny brännpunkt', consecutive_hot_spot: 'sammanhängande brännpunkt', intensifying_hot_spot: 'intensifierad brännpunkt',
    persistent_hot_spot: 'ihållande brännpunkt', diminishing_hot_spot: 'avtagande brännpunkt', sporadic_hot_spot: 'sporadisk brännpunkt',
    oscillating_hot_spot: 'växlande brännpunkt', historical_hot_spot: 'historisk brännpunkt',
    new_cold_spot: 'ny kall punkt', consecutive_cold_spot: 'sammanhängande kall punkt', intensifying_cold_spot: 'intensifierad kall punkt',
    persistent_cold_spot: 'ihållande kall punkt', diminishing_cold_spot: 'avtagande kall punkt', sporadic_cold_spot: 'sporadisk kall punkt',
    oscillating_cold_spot: 'växlande kall punkt', historical_cold_spot: 'historisk kall punkt', no_pattern: 'inget mönster',
    placesPeriod: '{start} – {end}, jämfört med perioden innan. Täthet per km² vid platsen.',
    placeRow: '{density} per km² ({change})', suppressedRow: 'dolt (för få observationer)', newPlace: 'ny',
    selectedCell: 'Vald ruta', cellHint: 'Klicka på en färgad ruta på kartan för dess statistik.',
    z: 'z-värde', p: 'p-värde', pFdr: 'p efter FDR', class: 'Klass', survivesFdr: 'Håller efter FDR', neighbours: 'Grannar',
    density: 'Täthet (per km²)', pattern: 'Mönster', trendZ: 'Trend (Mann–Kendall z)', trendP: 'Trend p', hotSlices: 'Tidsskivor som brännpunkt',
    coldSlices: 'Tidsskivor som kall punkt', weightValue: 'Viktat värde', cellsShown: '{n} rutor visas ({method}).',
    hotLoading: 'Beräknar brännpunkter…', shownCell: 'Visar ruta {id}.', cellId: 'Ruta (i, j)',
  },
  en: {
    hotControls: 'Hot spots: choices', hotSide: 'Where this week', method: 'Method',
    m_kde: 'Density (kernel estimate)', m_gistar: 'Significant hot spots (Gi*)', m_emerging: 'Emerging hot spots (trend)',
    weighting: 'Weighting', w_count: 'number of observations', w_severity: 'severity', w_harm: 'harm weight (harm index)',
    slice: 'Time slice', s_month: 'month', s_quarter: 'quarter', s_year: 'year', categories: 'Categories', allData: 'Empty = all observations',
    hotWindow: 'Time window', hotLegend: 'Legend',
    hot_99: 'Hot spot, 99 % confidence', hot_95: 'Hot spot, 95 % confidence', hot_90: 'Hot spot, 90 % confidence',
    cold_90: 'Cold spot, 90 % confidence', cold_95: 'Cold spot, 95 % confidence', cold_99: 'Cold spot, 99 % confidence',
    fdr: 'Holds after FDR correction (Benjamini–Hochberg, p < 0.05): black outline',
    gistarNote: 'Cells of {side} m, neighbourhood {band} m. Cells that are not significant are not shown.',
    kdeTitle: 'Density, observations per km² (bandwidth {bw} m)', kdeNote: 'Quantiles of the cells with a density; the lowest (below {cut} per km²) are not shown.',
    emergingNote: 'Patterns over {n} time slices ({slice}); cells without a pattern are not shown.',
    new_hot_spot: 'new hot spot', consecutive_hot_spot: 'consecutive hot spot', intensifying_hot_spot: 'intensifying hot spot',
    persistent_hot_spot: 'persistent hot spot', diminishing_hot_spot: 'diminishing hot spot', sporadic_hot_spot: 'sporadic hot spot',
    oscillating_hot_spot: 'oscillating hot spot', historical_hot_spot: 'historical hot spot',
    new_cold_spot: 'new cold spot', consecutive_cold_spot: 'consecutive cold spot', intensifying_cold_spot: 'intensifying cold spot',
    persistent_cold_spot: 'persistent cold spot', diminishing_cold_spot: 'diminishing cold spot', sporadic_cold_spot: 'sporadic cold spot',
    oscillating_cold_spot: 'oscillating cold spot', historical_cold_spot: 'historical cold spot', no_pattern: 'no pattern',
    placesPeriod: '{start} – {end}, against the period before. Density per km² at the place.',
    placeRow: '{density} per km² ({change})', suppressedRow: 'hidden (too few observations)', newPlace: 'new',
    selectedCell: 'Selected cell', cellHint: 'Click a coloured cell on the map for its statistics.',
    z: 'z-score', p: 'p-value', pFdr: 'p after FDR', class: 'Class', survivesFdr: 'Holds after FDR', neighbours: 'Neighbours',
    density: 'Density (per km²)', pattern: 'Pattern', trendZ: 'Trend (Mann–Kendall z)', trendP: 'Trend p', hotSlices: 'Slices as hot spot',
    coldSlices: 'Slices as cold spot', weightValue: 'Weighted value', cellsShown: '{n} cells shown ({method}).',
    hotLoading: 'Computing hot spots…', shownCell: 'Showing cell {id}.', cellId: 'Cell (i, j)',
  },
});

// ArcGIS Pro's Hot Spot Analysis colours (hot red, cold blue, lighter for lower confidence).
export const giColours = {
  hot_99: '#d62f27', hot_95: '#ed7551', hot_90: '#fab984', cold_90: '#c0ccbe', cold_95: '#849eba', cold_99: '#4575b5',
};
// Emerging Hot Spot patterns: reds for hot, blues for cold, deeper for the more lasting.
export const patternColours = {
  new_hot_spot: '#fdd0a2', consecutive_hot_spot: '#fdae6b', intensifying_hot_spot: '#e6550d', persistent_hot_spot: '#a63603',
  diminishing_hot_spot: '#fc9272', sporadic_hot_spot: '#f768a1', oscillating_hot_spot: '#ae017e', historical_hot_spot: '#bcbddc',
  new_cold_spot: '#c6dbef', consecutive_cold_spot: '#9ecae1', intensifying_cold_spot: '#3182bd', persistent_cold_spot: '#08519c',
  diminishing_cold_spot: '#6baed6', sporadic_cold_spot: '#41b6c4', oscillating_cold_spot: '#225ea8', historical_cold_spot: '#d9d9d9',
};
// Density classes (ColorBrewer YlOrRd), lighter to darker.
export const densityColours = ['#ffffb2', '#fecc5c', '#fd8d3c', '#f03b20', '#bd0026'];

export const hotspotLayers = { kde: ['hot-kde'], gistar: ['hot-gistar', 'hot-gistar-fdr'], emerging: ['hot-emerging'] };
const allHotLayers = Object.values(hotspotLayers).flat();

function monthOf(d) { return d.toISOString().slice(0, 7); }

export class HotspotView extends View {
  /** els: { controls, side }; app: window.lagesbild; status(msg). */
  constructor(map, els, app, status) {
    super('viewHotspots');
    this.map = map;
    this.els = els;
    this.app = app;
    this.status = status;
    this.state = { ready: false, method: null, params: null, summary: null, places: null, placesParams: null };
    app.hotspots = this.state;
    this.seq = 0;
    this.active = false;
    this.started = null;
    onLangChange(() => { if (this.built) { this.relabel(); this.renderLegend(); this.renderPlaces(); this.showCell(this.cell); } });
  }

  activate() {
    this.active = true;
    return super.activate().then(() => { this.showLayers(); this.fitFirst(); });
  }

  /**
   * fitFirst fits the map to the drawn cells (the study area when none is drawn) the first time
   * the view is shown with its data: on its first answer, or on the next showing when that
   * answer came while another view was shown. A shared link's camera is put after it
   * (address.js), so a link still opens exactly where it says.
   */
  fitFirst() {
    if (this.fitted || !this.active || !this.state.cells) return;
    this.fitted = true;
    const cells = this.state.cells.filter((f) => f.geometry);
    this.map.fitBounds(cells.length ? bounds(cells) : this.home, { padding: 20, duration: 0, maxZoom: 14 });
  }

  /** refresh reruns the view's data for a new caller (View.reload). */
  refresh() {
    this.run();
  }

  deactivate() { this.active = false; }

  async init() {
    const [hw, col] = await Promise.all([getJSON('analysis/harm-weights'), getJSON('collections/observations')]);
    this.categories = hw.weights.map((w) => w.category);
    this.extent = col.extent;
    this.addLayers();
    this.buildControls();
    this.built = true;
    const [[w, s], [e, n]] = [[this.extent.spatial.bbox[0][0], this.extent.spatial.bbox[0][1]], [this.extent.spatial.bbox[0][2], this.extent.spatial.bbox[0][3]]];
    this.home = [[w, s], [e, n]];
    this.state.home = this.home;
    await this.run();
  }

  addLayers() {
    const map = this.map;
    map.addSource('hotspots', { type: 'geojson', data: { type: 'FeatureCollection', features: [] }, promoteId: 'id' });
    const hidden = { visibility: 'none' };
    const before = map.getLayer('places-circle') ? 'places-circle' : undefined;
    map.addLayer({ id: 'hot-kde', type: 'fill', source: 'hotspots', filter: ['has', 'density'], layout: hidden,
      paint: { 'fill-color': densityColours[0] } }, before);
    const giMatch = ['match', ['get', 'class'], ...Object.entries(giColours).flat(), 'rgba(0,0,0,0)'];
    map.addLayer({ id: 'hot-gistar', type: 'fill', source: 'hotspots', filter: ['has', 'class'], layout: hidden,
      paint: { 'fill-color': giMatch } }, before);
    map.addLayer({ id: 'hot-gistar-fdr', type: 'line', source: 'hotspots', filter: ['==', ['get', 'survives_fdr'], true], layout: hidden,
      paint: { 'line-color': '#000000', 'line-width': 1.2 } }, before);
    const patMatch = ['match', ['get', 'pattern'], ...Object.entries(patternColours).flat(), 'rgba(0,0,0,0)'];
    map.addLayer({ id: 'hot-emerging', type: 'fill', source: 'hotspots', filter: ['has', 'pattern'], layout: hidden,
      paint: { 'fill-color': patMatch, 'fill-outline-color': '#495057' } }, before);
    map.on('click', (e) => {
      if (!this.active) return;
      const ids = hotspotLayers[this.state.method].filter((id) => map.getLayer(id));
      const [f] = map.queryRenderedFeatures(e.point, { layers: ids });
      if (f) this.showCell(f.properties);
    });
  }

  buildControls() {
    const c = this.els.controls;
    const radios = ['kde', 'gistar', 'emerging'].map((m) => h('div', { class: 'radio' },
      h('input', { type: 'radio', name: 'hot-method', id: `hot-m-${m}`, value: m, checked: m === 'gistar' }),
      h('label', { for: `hot-m-${m}`, 'data-key': `m_${m}` })));
    this.methodBox = h('fieldset', { class: 'block', id: 'hot-method' }, h('legend', { 'data-key': 'method' }), ...radios);
    const last = new Date(this.extent.temporal.interval[0][1]), first = new Date(this.extent.temporal.interval[0][0]);
    const month = (id, key) => [h('label', { for: id, 'data-key': key }),
      h('input', { type: 'month', id, min: monthOf(first), max: monthOf(last) })];
    const [lf, inFrom] = month('hot-from', 'from');
    const [lt, inTo] = month('hot-to', 'to');
    const win = h('fieldset', { class: 'block time' }, h('legend', { 'data-key': 'hotWindow' }), lf, inFrom, lt, inTo,
      h('p', { class: 'legend-note', 'data-key': 'allData' }));
    const sel = (id, key, values, prefix) => {
      const s = h('select', { id }, ...values.map((v) => h('option', { value: v, 'data-key': `${prefix}${v}` })));
      return [h('label', { for: id, 'data-key': key }), s];
    };
    const [lw, sw] = sel('hot-weighting', 'weighting', ['count', 'severity', 'harm'], 'w_');
    const [ls, ss] = sel('hot-slice', 'slice', ['month', 'quarter', 'year'], 's_');
    this.sliceRow = h('div', { hidden: true }, ls, ss);
    const cats = h('fieldset', { class: 'block categories', id: 'hot-categories' }, h('legend', { 'data-key': 'categories' }),
      ...this.categories.map((k) => h('div', { class: 'check' },
        h('input', { type: 'checkbox', id: `hot-cat-${k}`, value: k, checked: true }),
        h('label', { for: `hot-cat-${k}`, 'data-enum': k }))));
    this.legend = h('div', { class: 'legend block', id: 'hot-legend', 'aria-live': 'polite' });
    c.append(this.methodBox, h('h3', { 'data-key': 'hotLegend' }), this.legend,
      h('div', { class: 'block' }, lw, sw, this.sliceRow), win, cats);
    this.inputs = { from: inFrom, to: inTo, weighting: sw, slice: ss, cats };

    this.placesList = h('ol', { id: 'hot-places', class: 'feature-list places-ranked' });
    this.placesNote = h('p', { class: 'legend-note', id: 'hot-places-period' });
    this.cellBox = h('div', { id: 'hot-cell', class: 'details' });
    this.cellLive = h('div', { class: 'sr-only', 'aria-live': 'polite' });
    this.els.side.append(this.placesNote, this.placesList, h('h3', { 'data-key': 'selectedCell' }), this.cellBox, this.cellLive);

    for (const r of this.methodBox.querySelectorAll('input')) r.addEventListener('change', () => this.run());
    for (const el of [inFrom, inTo, sw, ss]) el.addEventListener('change', () => this.run());
    for (const el of cats.querySelectorAll('input')) el.addEventListener('change', () => this.run());
    this.relabel();
  }

  relabel() {
    const root = [this.els.controls, this.els.side];
    for (const r of root) {
      for (const el of r.querySelectorAll('[data-key]')) el.textContent = t(el.dataset.key);
      for (const el of r.querySelectorAll('[data-enum]')) el.textContent = label(el.dataset.enum);
    }
  }

  method() { return this.methodBox.querySelector('input:checked').value; }

  /** datetime is the OGC interval of the month inputs, or null. */
  datetime() {
    let a = this.inputs.from.value, b = this.inputs.to.value;
    if (!a && !b) return null;
    if (a && b && a > b) [a, b] = [b, a];
    const start = a ? `${a}-01T00:00:00Z` : '..';
    let end = '..';
    if (b) {
      const [y, m] = b.split('-').map(Number);
      end = `${b}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}T23:59:59Z`;
    }
    return `${start}/${end}`;
  }

  params() {
    const method = this.method();
    const p = { method, weighting: this.inputs.weighting.value };
    const dt = this.datetime();
    if (dt) p.datetime = dt;
    const boxes = [...this.inputs.cats.querySelectorAll('input')];
    const on = boxes.filter((b) => b.checked).map((b) => b.value);
    if (on.length > 0 && on.length < boxes.length) p.category = on.join(',');
    if (method === 'emerging') p.slice = this.inputs.slice.value;
    return p;
  }

  async run() {
    const seq = ++this.seq;
    const params = this.params();
    this.sliceRow.hidden = params.method !== 'emerging';
    this.state.ready = false;
    this.status(t('hotLoading'));
    // The place list needs a closed window (its previous period has the same length);
    // otherwise it takes its default, the 28 days up to the newest observation.
    const pp = { weighting: params.weighting, category: params.category, limit: 15 };
    if (params.datetime && !params.datetime.includes('..')) pp.datetime = params.datetime;
    try {
      const [fc, places] = await Promise.all([getJSON('analysis/hotspots', params), getJSON('analysis/hotspots/places', pp)]);
      if (seq !== this.seq) return;
      this.state.method = params.method;
      this.state.params = params;
      this.state.summary = fc.summary;
      this.state.places = places;
      this.state.placesParams = pp;
      this.setCells(fc, params.method);
      this.renderLegend();
      this.renderPlaces();
      this.showCell(null);
      this.showLayers();
      this.status(t('cellsShown', { n: num(this.state.shown, 0), method: t(`m_${params.method}`) }));
      this.fitFirst();
      await whenIdle(this.map);
      if (seq === this.seq) this.state.ready = true;
    } catch (err) {
      if (seq !== this.seq) return;
      this.state.error = err.message;
      this.status(t('loadError', { what: t('viewHotspots'), msg: err.message }));
    }
  }

  /** setCells keeps the cells worth drawing: significant Gi* cells, cells with a pattern, or densities above the lowest percent. */
  setCells(fc, method) {
    let keep;
    if (method === 'gistar') keep = (p) => p.bin !== 0;
    else if (method === 'emerging') keep = (p) => p.pattern !== 'no_pattern';
    else {
      this.cut = (fc.summary.max_density ?? 0) * 0.01;
      keep = (p) => p.density >= this.cut;
    }
    const features = fc.features.filter((f) => keep(f.properties));
    for (const f of features) f.properties.id = f.id;
    this.state.shown = features.length;
    this.state.cells = features;
    this.map.getSource('hotspots').setData({ type: 'FeatureCollection', features });
    if (method === 'kde') {
      const d = features.map((f) => f.properties.density);
      const breaks = quantileBreaks(d);
      const lo = Math.min(...d), hi = Math.max(...d);
      const edges = [lo, ...breaks, hi];
      this.kdeClasses = edges.slice(0, -1).map((min, i) => ({
        min, max: edges[i + 1],
        colour: densityColours[edges.length === 2 ? densityColours.length - 1 : Math.round((i * (densityColours.length - 1)) / (edges.length - 2))],
      }));
      const e = ['step', ['get', 'density'], this.kdeClasses[0].colour];
      for (const c of this.kdeClasses.slice(1)) e.push(c.min, c.colour);
      this.map.setPaintProperty('hot-kde', 'fill-color', e);
    }
    this.counts = {};
    const key = method === 'gistar' ? 'class' : 'pattern';
    if (method !== 'kde') for (const f of features) this.counts[f.properties[key]] = (this.counts[f.properties[key]] ?? 0) + 1;
    this.fdrCount = method === 'gistar' ? features.filter((f) => f.properties.survives_fdr).length : 0;
  }

  showLayers() {
    if (!this.built) return;
    for (const id of allHotLayers) {
      const on = this.active && hotspotLayers[this.state.method ?? 'gistar'].includes(id);
      this.map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
    }
  }

  hideLayers() {
    for (const id of allHotLayers) if (this.map.getLayer(id)) this.map.setLayoutProperty(id, 'visibility', 'none');
  }

  renderLegend() {
    const m = this.state.method, s = this.state.summary;
    if (!m || !s) return;
    const item = (cls, colour, text, count, extra) => {
      const sw = swatch(colour);
      if (extra) sw.classList.add(extra);
      return h('li', { 'data-class': cls, 'data-colour': colour, 'data-count': count ?? '' }, sw,
        count != null ? `${text} (${num(count, 0)})` : text);
    };
    const ul = h('ul', { class: 'legend-list', id: 'hot-legend-list' });
    let title, note;
    if (m === 'gistar') {
      title = t('m_gistar');
      for (const [cls, colour] of Object.entries(giColours)) ul.append(item(cls, colour, t(cls), this.counts[cls] ?? 0));
      ul.append(item('fdr', 'transparent', t('fdr'), this.fdrCount, 'outline'));
      note = t('gistarNote', { side: num(s.parameters.side, 0), band: num(s.parameters.band, 0) });
    } else if (m === 'emerging') {
      title = t('m_emerging');
      for (const [cls, colour] of Object.entries(patternColours)) {
        if (this.counts[cls]) ul.append(item(cls, colour, t(cls), this.counts[cls]));
      }
      note = t('emergingNote', { n: s.slices?.length ?? 0, slice: t(`s_${s.parameters.slice}`) });
    } else {
      title = t('kdeTitle', { bw: num(s.parameters.bandwidth, 0) });
      for (const c of this.kdeClasses ?? []) {
        const li = item(`density_${c.min}`, c.colour, `${num(c.min, 0)} – ${num(c.max, 0)}`, null);
        li.dataset.min = String(c.min);
        ul.append(li);
      }
      note = t('kdeNote', { cut: num(this.cut, 1) });
    }
    this.legend.dataset.method = m;
    this.legend.replaceChildren(h('p', { class: 'legend-title', text: title }), ul, h('p', { class: 'legend-note', text: note }));
  }

  renderPlaces() {
    const pl = this.state.places;
    if (!pl) return;
    const loc = getLang() === 'en' ? 'en-GB' : 'sv-SE';
    const date = (s) => new Date(s).toLocaleDateString(loc, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Europe/Stockholm' });
    this.placesNote.textContent = t('placesPeriod', { start: date(pl.current.start), end: date(pl.current.end) });
    this.placesList.replaceChildren(...pl.places.map((p) => {
      let text;
      if (p.suppressed) text = t('suppressedRow');
      else {
        const change = p.change_pct != null ? `${p.change_pct > 0 ? '+' : ''}${num(p.change_pct, 0)} %` : (p.density > 0 ? t('newPlace') : '±0');
        text = t('placeRow', { density: num(p.density, 0), change });
      }
      const b = h('button', { type: 'button', 'data-id': p.id }, h('span', { class: 'place-name', text: p.name }), ' ',
        h('span', { class: 'meta', text: `${label(p.kind)} · ${text}` }));
      b.addEventListener('click', () => this.map.jumpTo({ center: p.point, zoom: Math.max(this.map.getZoom(), 14) }));
      return h('li', { 'data-rank': p.rank_intensity }, b);
    }));
  }

  showCell(props) {
    this.cell = props;
    if (!this.cellBox) return;
    if (!props) {
      this.cellBox.replaceChildren(h('p', { class: 'hint', text: t('cellHint') }));
      return;
    }
    const rows = [];
    const add = (k, v) => { if (v != null && v !== '') rows.push(h('dt', { text: k }), h('dd', { text: String(v) })); };
    if (props.i != null) add(t('cellId'), `${props.i}, ${props.j}`);
    else if (props.col != null) add(t('cellId'), `${props.col}, ${props.row}`);
    if (props.density != null) add(t('density'), num(props.density, 1));
    if (props.count != null) add(t('count'), num(props.count, 0));
    if (props.value != null && this.state.params?.weighting !== 'count') add(t('weightValue'), num(props.value, 1));
    if (props.class != null) {
      add(t('class'), t(props.class) === props.class ? props.class : t(props.class));
      add(t('z'), num(props.z, 2));
      add(t('p'), num(props.p, 4));
      add(t('pFdr'), num(props.p_fdr, 4));
      add(t('survivesFdr'), String(props.survives_fdr) === 'true' ? t('yes') : t('no'));
      add(t('neighbours'), props.neighbours);
    }
    if (props.pattern != null) {
      add(t('pattern'), t(props.pattern));
      add(t('trendZ'), num(props.trend_z, 2));
      add(t('trendP'), num(props.trend_p, 4));
      add(t('hotSlices'), props.hot_slices);
      add(t('coldSlices'), props.cold_slices);
    }
    const id = props.i != null ? `${props.i}, ${props.j}` : `${props.col}, ${props.row}`;
    this.cellBox.replaceChildren(h('dl', { id: 'hot-cell-stats' }, ...rows));
    this.cellLive.textContent = t('shownCell', { id });
  }
}
