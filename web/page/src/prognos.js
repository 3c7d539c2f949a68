// The "Prognos" view (issue 18): GET /analysis/forecast?f=json for the backtest table, the
// police-initiated share and the caveats, and the forecast's vector tiles for the map (the
// same computation, kept by the server). The map colours the cells in the top 1, 5 and 10 %
// of the forecast shown; the switch shows the forecast made without the police's own
// reports, and the tables show both. Places only, never persons.
import { getJSON, tileURL } from './api.js';
import { t, num, getLang, addTexts, onLangChange, localNotice } from './i18n.js';
import { swatch } from './choropleth.js';
import { whenIdle } from './map.js';
import { View } from './view.js';
import { h } from './dom.js';

addTexts({
  sv: {
    viewForecast: 'Prognos', fcControls: 'Prognos: val', fcSide: 'Prognos och förbehåll', fcResults: 'Hur väl prognoserna träffat',
    fcMapLabel: 'Karta över prognosen: rutor där observationer är mest sannolika', skipForecast: 'Hoppa till utvärderingen av prognosen',
    fcHorizon: 'Prognos för', fcWeek: 'nästa vecka', fcMonth: 'nästa månad (fyra veckor)',
    fcWithout: 'Utan polisens egna rapporter', fcWithoutNote: 'Bygger prognosen på övriga källor (boende, kommunen, vakter) och visar båda.',
    fcWithoutNone: 'Inga av dina observationer kommer från polisens egna rapporter; båda prognoserna är desamma.',
    fcTop1: 'Högsta 1 % av ytan', fcTop5: 'Högsta 5 %', fcTop10: 'Högsta 10 %',
    fcLegendTitle: 'Prognos: {model}', fcPeriod: 'Gäller {start} – {end}.',
    fcPolice: 'Polisinitierade observationer i underlaget: {pct}', fcPoliceLeftOut: 'Polisinitierade observationer i underlaget: 0 % (polisens egna rapporter, {pct} av alla observationer, är utelämnade).',
    fcShown: 'Visad prognos', fcBeats: 'Modellen slog de enkla metoderna med mer än variationen mellan perioderna.',
    fcNotBeats: 'Ingen modell slog de enkla metoderna med säkerhet; kartan visar den bästa enkla metoden.',
    fcAll: 'Alla källor', fcWithoutPolice: 'Utan polisens egna rapporter', fcCaveats: 'Förbehåll',
    fcModel: 'Metod', fcHit: 'Träffandel', fcPAI: 'PAI', fcPEI: 'PEI', fcAt: 'vid {pct} av ytan',
    fcTableCaption: '{sources}: medel över {n} perioder (± medelfel). Visad: {model}.',
    fcTableNote: 'Träffandel: andel av observationerna som föll i de rutor prognosen pekade ut. PAI: träffandel delat med andel av ytan. PEI: träffar delat med det mesta några lika många rutor kunde fånga.',
    model_recent_density: 'Täthet senaste 4 veckorna', model_long_term_density: 'Långtidstäthet', model_self_exciting: 'Självexciterande modell',
    baselineTag: 'enkel metod', fcLoading: 'Beräknar prognos och utvärdering…', fcShownStatus: 'Prognos: {model}, {cells} rutor i topp 10 %.',
    fcPlaces: 'Prognosen gäller platser, aldrig personer.', w_forecast: 'prognosen',
  },
  en: {
    viewForecast: 'Forecast', fcControls: 'Forecast: choices', fcSide: 'Forecast and caveats', fcResults: 'How well the forecasts did',
    fcMapLabel: 'Map of the forecast: cells where observations are most likely', skipForecast: 'Skip to the forecast\'s backtest',
    fcHorizon: 'Forecast for', fcWeek: 'next week', fcMonth: 'next month (four weeks)',
    fcWithout: 'Without the police\'s own reports', fcWithoutNote: 'Builds the forecast from the other sources (residents, the municipality, guards) and shows both.',
    fcWithoutNone: 'None of your observations come from the police\'s own reports; both forecasts are the same.',
    fcTop1: 'Top 1 % of the area', fcTop5: 'Top 5 %', fcTop10: 'Top 10 %',
    fcLegendTitle: 'Forecast: {model}', fcPeriod: 'For {start} – {end}.',
    fcPolice: 'Police-initiated observations in the input: {pct}', fcPoliceLeftOut: 'Police-initiated observations in the input: 0 % (the police\'s own reports, {pct} of all observations, are left out).',
    fcShown: 'Forecast shown', fcBeats: 'The model beat the simple methods by more than the period-to-period variation.',
    fcNotBeats: 'No model surely beat the simple methods; the map shows the best simple method.',
    fcAll: 'All sources', fcWithoutPolice: 'Without the police\'s own reports', fcCaveats: 'Caveats',
    fcModel: 'Method', fcHit: 'Hit rate', fcPAI: 'PAI', fcPEI: 'PEI', fcAt: 'at {pct} of the area',
    fcTableCaption: '{sources}: mean over {n} periods (± standard error). Shown: {model}.',
    fcTableNote: 'Hit rate: share of the observations that fell in the cells the forecast pointed to. PAI: hit rate divided by share of area. PEI: hits divided by the most any as many cells could catch.',
    model_recent_density: 'Density of the last 4 weeks', model_long_term_density: 'Long-term density', model_self_exciting: 'Self-exciting model',
    baselineTag: 'simple method', fcLoading: 'Computing the forecast and its backtest…', fcShownStatus: 'Forecast: {model}, {cells} cells in the top 10 %.',
    fcPlaces: 'The forecast is about places, never persons.', w_forecast: 'the forecast',
  },
});

// The top classes, darkest for the top 1 % (ColorBrewer OrRd).
export const forecastColours = { 1: '#b30000', 5: '#fc8d59', 10: '#fdd49e' };
const forecastLayers = ['fc-fill', 'fc-line'];

export class ForecastView extends View {
  /** els: { controls, side, results }; app: window.lagesbild; status(msg). */
  constructor(map, els, app, status) {
    super('viewForecast');
    this.map = map;
    this.els = els;
    this.app = app;
    this.status = status;
    this.state = { ready: false, params: null, summary: null, variant: 'all' };
    app.forecast = this.state;
    this.seq = 0;
    this.active = false;
    onLangChange(() => { if (this.built) { this.relabel(); this.render(); } });
  }

  activate() {
    this.active = true;
    return super.activate().then(() => this.showLayers());
  }

  deactivate() { this.active = false; this.showLayers(); }

  refresh() { this.run(); }

  async init() {
    this.buildControls();
    this.built = true;
    await this.run();
  }

  buildControls() {
    const c = this.els.controls;
    const radio = (v, key, checked) => h('div', { class: 'radio' },
      h('input', { type: 'radio', name: 'fc-horizon', id: `fc-h-${v}`, value: v, checked }),
      h('label', { for: `fc-h-${v}`, 'data-key': key }));
    this.horizonBox = h('fieldset', { class: 'block', id: 'fc-horizon' }, h('legend', { 'data-key': 'fcHorizon' }),
      radio('week', 'fcWeek', true), radio('month', 'fcMonth', false));
    this.without = h('input', { type: 'checkbox', id: 'fc-without' });
    this.withoutNote = h('p', { class: 'legend-note', id: 'fc-without-note', 'data-key': 'fcWithoutNote' });
    const sw = h('div', { class: 'block' }, h('div', { class: 'check' }, this.without, h('label', { for: 'fc-without', 'data-key': 'fcWithout' })),
      this.withoutNote);
    const weighting = h('select', { id: 'fc-weighting' }, ...['count', 'severity', 'harm'].map((v) => h('option', { value: v, 'data-key': `w_${v}` })));
    this.weighting = weighting;
    this.legend = h('div', { class: 'legend block', id: 'fc-legend', 'aria-live': 'polite' });
    c.append(this.horizonBox, sw, h('div', { class: 'block' }, h('label', { for: 'fc-weighting', 'data-key': 'weighting' }), weighting), this.legend);

    this.police = h('p', { class: 'fc-police', id: 'fc-police' });
    this.shown = h('div', { id: 'fc-shown', class: 'details' });
    this.caveats = h('ul', { id: 'fc-caveats', class: 'caveats' });
    this.notice = h('p', { class: 'legend-note', id: 'fc-notice' });
    this.els.side.append(this.police, h('h3', { 'data-key': 'fcShown' }), this.shown, h('h3', { 'data-key': 'fcCaveats' }), this.caveats, this.notice);
    this.tables = h('div', { id: 'fc-tables' });
    this.els.results.append(this.tables, h('p', { class: 'legend-note', 'data-key': 'fcTableNote' }));

    for (const r of this.horizonBox.querySelectorAll('input')) r.addEventListener('change', () => this.run());
    weighting.addEventListener('change', () => this.run());
    this.without.addEventListener('change', () => { this.state.variant = this.without.checked ? 'without_police' : 'all'; this.render(); this.restyle(); });
    this.addLayers();
    this.relabel();
  }

  relabel() {
    for (const r of [this.els.controls, this.els.side, this.els.results]) {
      for (const el of r.querySelectorAll('[data-key]')) el.textContent = t(el.dataset.key);
    }
  }

  params() {
    return { horizon: this.horizonBox.querySelector('input:checked').value, weighting: this.weighting.value };
  }

  addLayers() {
    const map = this.map;
    map.addSource('forecast', { type: 'vector', tiles: [this.tiles(this.params())], minzoom: 0, maxzoom: 16 });
    const before = map.getLayer('places-circle') ? 'places-circle' : undefined;
    map.addLayer({ id: 'fc-fill', type: 'fill', source: 'forecast', 'source-layer': 'forecast', layout: { visibility: 'none' },
      filter: this.topFilter(), paint: { 'fill-color': this.colour(), 'fill-opacity': 0.8 } }, before);
    map.addLayer({ id: 'fc-line', type: 'line', source: 'forecast', 'source-layer': 'forecast', layout: { visibility: 'none' },
      filter: ['==', ['get', this.key()], 1], paint: { 'line-color': '#3d0000', 'line-width': 1 } }, before);
  }

  tiles(params) { return tileURL('analysis/forecast/tiles/WebMercatorQuad/{z}/{y}/{x}', params); }

  key() { return `top_pct_${this.effectiveVariant()}`; }

  /** effectiveVariant is the switch's variant, or all when there is no variant without police. */
  effectiveVariant() {
    return this.state.variant === 'without_police' && this.state.summary?.without_police_available ? 'without_police' : 'all';
  }

  /** topFilter keeps the cells in the top 10 % of the variant shown. */
  topFilter() { return ['>', ['coalesce', ['get', this.key()], 0], 0]; }

  colour() {
    return ['match', ['coalesce', ['get', this.key()], 0], 1, forecastColours[1], 5, forecastColours[5], 10, forecastColours[10], 'rgba(0,0,0,0)'];
  }

  restyle() {
    if (!this.map.getLayer('fc-fill')) return;
    this.map.setPaintProperty('fc-fill', 'fill-color', this.colour());
    this.map.setFilter('fc-fill', this.topFilter());
    this.map.setFilter('fc-line', ['==', ['get', this.key()], 1]);
    this.state.shownVariant = this.effectiveVariant();
  }

  showLayers() {
    if (!this.built) return;
    for (const id of forecastLayers) this.map.setLayoutProperty(id, 'visibility', this.active ? 'visible' : 'none');
  }

  async run() {
    const seq = ++this.seq;
    const params = this.params();
    this.state.ready = false;
    this.status(t('fcLoading'));
    try {
      const doc = await getJSON('analysis/forecast', { ...params, f: 'json' });
      if (seq !== this.seq) return;
      this.state.params = params;
      this.state.summary = doc.summary;
      this.state.topCells = doc.top_cells ?? [];
      this.state.notice = doc.notice ?? '';
      this.map.getSource('forecast').setTiles([this.tiles(params)]);
      this.restyle();
      this.render();
      this.showLayers();
      const v = this.variant();
      this.status(t('fcShownStatus', { model: t(`model_${v.shown_model}`), cells: num(this.state.topCells.length, 0) }));
      await whenIdle(this.map);
      if (seq === this.seq) this.state.ready = true;
    } catch (err) {
      if (seq !== this.seq) return;
      this.state.error = err.message;
      this.status(t('loadError', { what: t('viewForecast'), msg: err.message }));
    }
  }

  /** variant is the summary's variant the switch shows. */
  variant() {
    const s = this.state.summary;
    return s.variants.find((v) => v.sources === this.effectiveVariant()) ?? s.variants[0];
  }

  render() {
    const s = this.state.summary;
    if (!s) return;
    const v = this.variant();
    const pct = (x) => `${num(100 * x, x < 0.1 ? 1 : 0)} %`;
    this.without.disabled = !s.without_police_available;
    this.withoutNote.textContent = s.without_police_available ? t('fcWithoutNote') : t('fcWithoutNone');
    this.police.textContent = v.sources === 'without_police'
      ? t('fcPoliceLeftOut', { pct: pct(s.police_share.fraction) }) : t('fcPolice', { pct: pct(v.police_share) });
    this.police.dataset.share = String(v.police_share);

    const loc = getLang() === 'en' ? 'en-GB' : 'sv-SE';
    const date = (x) => new Date(x).toLocaleDateString(loc, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
    const end = new Date(new Date(s.forecast_period.end).getTime() - 1);
    this.legend.dataset.model = v.shown_model;
    this.legend.dataset.variant = v.sources;
    this.legend.replaceChildren(
      h('p', { class: 'legend-title', text: t('fcLegendTitle', { model: t(`model_${v.shown_model}`) }) }),
      h('ul', { class: 'legend-list', id: 'fc-legend-list' }, ...[1, 5, 10].map((p) => h('li', { 'data-top': p }, swatch(forecastColours[p]), t(`fcTop${p}`)))),
      h('p', { class: 'legend-note', text: t('fcPeriod', { start: date(s.forecast_period.start), end: date(end) }) }),
      h('p', { class: 'legend-note', text: t('fcPlaces') }));

    const lang = getLang();
    const shownCaveat = v.caveats.find((c) => c.code === 'model_shown' || c.code === 'baseline_shown' || c.code === 'too_few_periods');
    this.shown.replaceChildren(
      h('p', { class: 'fc-model', 'data-model': v.shown_model, text: `${t(`model_${v.shown_model}`)}${v.beats_baselines ? '' : ` (${t('baselineTag')})`}` }),
      h('p', { text: v.beats_baselines ? t('fcBeats') : t('fcNotBeats') }),
      shownCaveat ? h('p', { class: 'legend-note', text: shownCaveat[lang] }) : null);
    this.caveats.replaceChildren(...v.caveats.filter((c) => c !== shownCaveat).map((c) => h('li', { 'data-code': c.code, text: c[lang] })));
    this.notice.textContent = localNotice(this.state.notice);

    // Both variants' backtest tables, the one the map shows first.
    const order = [...s.variants].sort((a, b) => (a.sources === v.sources ? -1 : b.sources === v.sources ? 1 : 0));
    this.tables.replaceChildren(...order.map((vr) => this.table(vr)));
  }

  table(v) {
    const shares = [0.01, 0.05, 0.1];
    const pctShare = (x) => `${num(100 * x, 0)} %`;
    const head1 = h('tr', {}, h('th', { scope: 'col', rowspan: '2', text: t('fcModel') }),
      ...['fcHit', 'fcPAI', 'fcPEI'].map((k) => h('th', { scope: 'colgroup', colspan: '3', text: t(k) })));
    const head2 = h('tr', {}, ...['hit_rate', 'pai', 'pei'].flatMap(() => shares.map((sh) => h('th', { scope: 'col', text: pctShare(sh) }))));
    const cell = (st, metric) => {
      const f = metric === 'pai' ? (x) => num(x, 1) : (x) => `${num(100 * x, 0)} %`;
      // The standard error on a line of its own, so nine columns fit the panel.
      return h('td', { class: 'num' }, h('span', { text: f(st.mean) }), ' ',
        h('span', { class: 'se', text: `± ${metric === 'pai' ? num(st.se, 1) : num(100 * st.se, 0)}` }));
    };
    const rows = v.backtest.map((m) => h('tr', { 'data-model': m.model, class: m.shown ? 'selected' : null },
      h('th', { scope: 'row', text: `${t(`model_${m.model}`)}${m.baseline ? ` (${t('baselineTag')})` : ''}` }),
      ...['hit_rate', 'pai', 'pei'].flatMap((metric) => m.at.map((a) => cell(a[metric], metric)))));
    const caption = t('fcTableCaption', {
      sources: v.sources === 'all' ? t('fcAll') : t('fcWithoutPolice'), n: num(v.periods, 0), model: t(`model_${v.shown_model}`),
    });
    // Focusable, so that a keyboard can scroll a table wider than a phone.
    return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption }, h('table', { class: 'data fc-backtest', 'data-sources': v.sources },
      h('caption', { text: caption }), h('thead', {}, head1, head2), h('tbody', {}, ...rows)));
  }
}
