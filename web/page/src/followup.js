// The "Uppföljning" view (issue 6, #uppfoljning): the follow-up of one intervention from
// GET /analysis/followup/{id}. Chosen: an intervention with a start date, month or quarter
// periods, how many before and after, and the weighting. Shown: a timeline (SVG) of the
// target's series against the comparison districts' mean with a line at the start and the
// difference-in-differences estimate with its bootstrap interval in words; the comparison
// districts and why they were chosen (and those excluded, and why); the neighbouring
// districts' and places' change (displacement); the caveats in the chosen language; the
// target, comparison and neighbouring districts on the map; a CSV export and a link to the
// printable lägesbild report for the follow-up's window.
import { apiURL, getJSON } from './api.js';
import { t, label, num, getLang, addTexts, onLangChange } from './i18n.js';
import { niceTicks } from './chart.js';
import { bounds, whenIdle } from './map.js';
import { View } from './view.js';
import { h } from './dom.js';

addTexts({
  sv: {
    viewFollowup: 'Uppföljning', skipFollowup: 'Hoppa till uppföljningens resultat',
    fuControls: 'Uppföljning: val', fuSide: 'Skattning och förbehåll', fuResults: 'Tidslinje och jämförelse',
    fuMapLabel: 'Karta över uppföljningen: målområdet fyllt, jämförelseområdena med tjock kant, grannområdena streckade. Tabellerna under kartan har samma uppgifter.',
    fuIntervention: 'Insats (med startdatum)', fuPeriod: 'Period', fuPeriod_month: 'månad', fuPeriod_quarter: 'kvartal',
    fuPre: 'Perioder före start', fuPost: 'Perioder efter start', fuWeighting: 'Viktning', fuW_count: 'antal', fuW_harm: 'skada',
    fuLoading: 'Hämtar uppföljningen…', fuError: 'Uppföljningen kunde inte göras: {msg}',
    fuHeading: '{title}, start {start}',
    fuEstimate: 'Skattad effekt (skillnad i skillnader): {effect} {unit} (95 % intervall {low} till {high}, blockbootstrap med {draws} dragningar).',
    fuEstimateRel: 'Det motsvarar {pct} % av målområdets nivå före starten ({pre}).',
    fuNoEstimate: 'Ingen skattning: för få perioder eller inga jämförelseområden.',
    fuInterval0: 'Intervallet innehåller 0: ingen säker förändring jämfört med jämförelseområdena.',
    fuIntervalNeg: 'Hela intervallet ligger under 0: målområdet minskade mer än jämförelseområdena.',
    fuIntervalPos: 'Hela intervallet ligger över 0: målområdet ökade mer än jämförelseområdena.',
    fuCaveats: 'Förbehåll', fuNoCaveats: 'Inga särskilda förbehåll.',
    fuChart: 'Tidslinje', fuChartTitle: '{title}: {unit}',
    fuChartDesc: 'Målområdet ({n} perioder) och jämförelseområdenas medelvärde; start {start}. Målområdet: {list}',
    fuTargetSeries: 'Målområdet', fuComparisonMean: 'Jämförelseområdenas medel', fuStart: 'Start',
    fuComparison: 'Jämförelseområden och varför de valdes',
    fuComparisonWhy: 'De {k} stadsdelar vars nivå och lutning före starten (standardiserade) ligger närmast målområdets; avstånd = summan av kvadrerade skillnader.',
    fuDistrict: 'Stadsdel', fuDistance: 'Avstånd', fuLevel: 'Nivå före', fuSlope: 'Lutning före', fuLevelZ: 'Nivå (z)', fuSlopeZ: 'Lutning (z)',
    fuExcluded: 'Uteslutna som jämförelse', fuReason_target: 'målområdet', fuReason_neighbour: 'granne till målområdet (kan påverkas av förflyttning)',
    fuReason_concurrent_same_category: 'annan insats av samma slag under perioden', fuReason_no_population: 'saknar befolkning',
    fuNeighbours: 'Grannområden (förflyttning?)', fuPre2: 'Före', fuPost2: 'Efter', fuChange: 'Förändring', fuDiD: 'Skillnad i skillnader (95 %)',
    fuSign: 'Tecken', fuSign_displacement: 'förflyttning', fuSign_diffusion_of_benefit: 'spridning av nytta', fuSign_none: '–',
    fuPlaces: 'Platser i mål- och grannområden (observationer inom 250 m per period)', fuPlace: 'Plats', fuRole: 'Roll',
    fuRole_target: 'målområde', fuRole_neighbour: 'grannområde',
    fuTarget: 'Målområde: {list} ({pop} invånare).', fuTargetBuffer: 'Målområde: insatsens plats med {m} m buffert ({pop} invånare).',
    fuConcurrent: 'Andra insatser i målområdet: {list}',
    fuCSV: 'Hela uppföljningen (CSV)', fuReport: 'Lägesbild för perioden (utskrivbar rapport)',
    fuLegend: 'Uppföljning på kartan', fuLegendTarget: 'målområde', fuLegendComparison: 'jämförelseområde', fuLegendNeighbour: 'grannområde',
    fuShown: 'Uppföljning av {title} visas.',
  },
  en: {
    viewFollowup: 'Follow-up', skipFollowup: "Skip to the follow-up's results",
    fuControls: 'Follow-up: choices', fuSide: 'Estimate and caveats', fuResults: 'Timeline and comparison',
    fuMapLabel: 'Map of the follow-up: the target area filled, comparison districts with a thick outline, neighbours dashed. The tables below the map have the same information.',
    fuIntervention: 'Intervention (with a start date)', fuPeriod: 'Period', fuPeriod_month: 'month', fuPeriod_quarter: 'quarter',
    fuPre: 'Periods before the start', fuPost: 'Periods after the start', fuWeighting: 'Weighting', fuW_count: 'count', fuW_harm: 'harm',
    fuLoading: 'Loading the follow-up…', fuError: 'The follow-up could not be made: {msg}',
    fuHeading: '{title}, started {start}',
    fuEstimate: 'Estimated effect (difference in differences): {effect} {unit} (95 % interval {low} to {high}, block bootstrap with {draws} draws).',
    fuEstimateRel: "That is {pct} % of the target's level before the start ({pre}).",
    fuNoEstimate: 'No estimate: too few periods or no comparison districts.',
    fuInterval0: 'The interval contains 0: no certain change against the comparison districts.',
    fuIntervalNeg: 'The whole interval is below 0: the target fell more than the comparison districts.',
    fuIntervalPos: 'The whole interval is above 0: the target rose more than the comparison districts.',
    fuCaveats: 'Caveats', fuNoCaveats: 'No particular caveats.',
    fuChart: 'Timeline', fuChartTitle: '{title}: {unit}',
    fuChartDesc: 'The target ({n} periods) and the comparison districts\u2019 mean; start {start}. Target: {list}',
    fuTargetSeries: 'Target area', fuComparisonMean: 'Comparison mean', fuStart: 'Start',
    fuComparison: 'Comparison districts and why they were chosen',
    fuComparisonWhy: "The {k} districts whose pre-period level and slope (standardised) are nearest the target's; distance = sum of squared differences.",
    fuDistrict: 'District', fuDistance: 'Distance', fuLevel: 'Level before', fuSlope: 'Slope before', fuLevelZ: 'Level (z)', fuSlopeZ: 'Slope (z)',
    fuExcluded: 'Excluded as comparison', fuReason_target: 'the target', fuReason_neighbour: 'neighbour of the target (displacement may affect it)',
    fuReason_concurrent_same_category: 'another intervention of the same kind in the period', fuReason_no_population: 'no population',
    fuNeighbours: 'Neighbouring districts (displacement?)', fuPre2: 'Before', fuPost2: 'After', fuChange: 'Change', fuDiD: 'Difference in differences (95 %)',
    fuSign: 'Sign', fuSign_displacement: 'displacement', fuSign_diffusion_of_benefit: 'diffusion of benefit', fuSign_none: '–',
    fuPlaces: 'Places in the target and neighbouring districts (observations within 250 m per period)', fuPlace: 'Place', fuRole: 'Role',
    fuRole_target: 'target', fuRole_neighbour: 'neighbour',
    fuTarget: 'Target area: {list} ({pop} residents).', fuTargetBuffer: "Target area: the intervention's place buffered by {m} m ({pop} residents).",
    fuConcurrent: 'Other interventions in the target area: {list}',
    fuCSV: 'The whole follow-up (CSV)', fuReport: 'Lägesbild for the period (printable report)',
    fuLegend: 'Follow-up on the map', fuLegendTarget: 'target area', fuLegendComparison: 'comparison district', fuLegendNeighbour: 'neighbouring district',
    fuShown: 'Follow-up of {title} shown.',
  },
});

export const followupLayers = ['fu-target', 'fu-comparison', 'fu-neighbour'];
const colour = { target: '#d9480f', comparison: '#0b5cd5', neighbour: '#6a3d9a' };

const NS = 'http://www.w3.org/2000/svg';
const s = (tag, attrs = {}, text) => {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text != null) e.textContent = text;
  return e;
};
/** signed formats a number with its sign (a change or an effect). */
const signed = (v, d = 2) => (v > 0 ? '+' : '') + num(v, d);

/** comparisonMean is the comparison districts' mean per period (the estimate's comparison). */
export function comparisonMean(res) {
  const cmp = res.series.filter((x) => x.role === 'comparison');
  if (!cmp.length) return res.periods.map(() => null);
  return res.periods.map((_, i) => cmp.reduce((a, x) => a + x.values[i], 0) / cmp.length);
}

export class FollowupView extends View {
  constructor(map, els, app, status) {
    super('viewFollowup');
    this.map = map;
    this.els = els;
    this.app = app;
    this.status = status;
    this.state = { ready: false, id: null, result: null, error: null };
    app.followup = this.state;
    // The results scroll; a keyboard user reaches them (they hold tables, no controls).
    els.results.tabIndex = 0;
    this.seq = 0;
    this.active = false;
    onLangChange(() => { if (this.interventions) this.relabel(); });
  }

  /** refresh reruns the view's data for a new caller (View.reload). */
  refresh() {
    this.load();
  }

  showLayers(on) {
    this.active = on;
    if (!this.map.getLayer('fu-target')) return;
    for (const id of followupLayers) this.map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
  }

  async init() {
    const [ivs, districts] = await Promise.all([
      getJSON('collections/interventions/items', { limit: 1000, sortby: 'title', properties: 'title,start_date' }, { fresh: true }),
      getJSON('collections/districts/items', { limit: 1000, properties: 'name,level' }),
    ]);
    this.interventions = ivs.features.filter((f) => f.properties.start_date)
      .map((f) => ({ id: f.id, title: f.properties.title, start: f.properties.start_date }));
    this.districts = districts.features.filter((f) => f.properties.level !== 'municipality');
    this.addLayers();
    this.buildControls();
    this.built = true;
    this.renderLegend();
    // The first intervention by start date that the data can follow up a year after.
    const first = [...this.interventions].sort((a, b) => a.start.localeCompare(b.start))[0];
    this.els.controls.querySelector('#fu-intervention').value = String(first?.id ?? '');
    await this.load();
  }

  addLayers() {
    const map = this.map;
    map.addSource('fu-districts', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    const layout = { visibility: this.active ? 'visible' : 'none' };
    map.addLayer({ id: 'fu-target', type: 'fill', source: 'fu-districts', layout, filter: ['==', ['get', 'role'], 'target'],
      paint: { 'fill-color': colour.target, 'fill-opacity': 0.45, 'fill-outline-color': '#1b1f23' } });
    map.addLayer({ id: 'fu-neighbour', type: 'line', source: 'fu-districts', layout, filter: ['==', ['get', 'role'], 'neighbour'],
      paint: { 'line-color': colour.neighbour, 'line-width': 2.5, 'line-dasharray': [2, 1.5] } });
    map.addLayer({ id: 'fu-comparison', type: 'line', source: 'fu-districts', layout, filter: ['==', ['get', 'role'], 'comparison'],
      paint: { 'line-color': colour.comparison, 'line-width': 4 } });
  }

  buildControls() {
    const c = this.els.controls;
    const heading = c.querySelector('h2');
    const keep = this.values();
    const field = (id, text, control) => { control.id = id; return h('div', { class: 'field' }, h('label', { for: id, text }), control); };
    const sel = (opts, value) => {
      const e = h('select', {}, ...opts.map(([v, text]) => h('option', { value: v, text })));
      if (value != null) e.value = value;
      return e;
    };
    const inp = (value) => { const e = h('input', { type: 'number', min: 2, max: 120, step: 1 }); e.value = value; return e; };
    const period = keep?.period ?? 'month';
    const box = h('div', { class: 'block', id: 'fu-form' },
      field('fu-intervention', t('fuIntervention'), sel(this.interventions.map((x) => [String(x.id), `${x.title} (${x.start})`]), keep?.id)),
      field('fu-period', t('fuPeriod'), sel(['month', 'quarter'].map((p) => [p, t(`fuPeriod_${p}`)]), period)),
      field('fu-pre', t('fuPre'), inp(keep?.pre ?? (period === 'month' ? 12 : 4))),
      field('fu-post', t('fuPost'), inp(keep?.post ?? (period === 'month' ? 12 : 4))),
      field('fu-weighting', t('fuWeighting'), sel(['count', 'harm'].map((w) => [w, t(`fuW_${w}`)]), keep?.weighting ?? 'count')),
      h('p', { class: 'field-error', id: 'fu-error', role: 'alert', hidden: true }));
    c.replaceChildren(heading, box);
    for (const id of ['fu-intervention', 'fu-pre', 'fu-post', 'fu-weighting']) box.querySelector(`#${id}`).addEventListener('change', () => this.load());
    box.querySelector('#fu-period').addEventListener('change', (e) => {
      const n = e.target.value === 'month' ? 12 : 4;
      box.querySelector('#fu-pre').value = n;
      box.querySelector('#fu-post').value = n;
      this.load();
    });
  }

  values() {
    const c = this.els.controls;
    const v = (id) => c.querySelector(`#${id}`)?.value;
    if (!c.querySelector('#fu-form')) return null;
    return { id: v('fu-intervention'), period: v('fu-period'), pre: v('fu-pre'), post: v('fu-post'), weighting: v('fu-weighting') };
  }

  params() {
    const v = this.values();
    return { period: v.period, pre: v.pre, post: v.post, weighting: v.weighting };
  }

  async load() {
    const v = this.values();
    if (!v?.id) return;
    const seq = ++this.seq;
    this.state.ready = false;
    this.state.id = Number(v.id);
    const err = this.els.controls.querySelector('#fu-error');
    err.hidden = true;
    this.status(t('fuLoading'));
    try {
      const res = await getJSON(`analysis/followup/${v.id}`, this.params());
      if (seq !== this.seq) return;
      this.result = res;
      this.state.result = res;
      this.state.error = null;
    } catch (e) {
      if (seq !== this.seq) return;
      this.result = null;
      this.state.result = null;
      this.state.error = e.message;
      err.textContent = t('fuError', { msg: e.message });
      err.hidden = false;
    }
    this.drawMap();
    this.renderSide();
    this.renderResults();
    if (this.app.view === 'uppfoljning') this.status(this.result ? t('fuShown', { title: this.result.intervention.title }) : '');
    await whenIdle(this.map);
    if (seq === this.seq) this.state.ready = true;
  }

  drawMap() {
    const r = this.result;
    const role = {};
    if (r) {
      for (const x of r.series) if (x.role === 'comparison' || x.role === 'neighbour') role[x.code] = x.role;
      for (const c of r.target.districts ?? []) role[c] = 'target';
    }
    const fs = this.districts.filter((f) => role[f.id]).map((f) => ({ ...f, properties: { ...f.properties, role: role[f.id] } }));
    this.map.getSource('fu-districts').setData({ type: 'FeatureCollection', features: fs });
    if (fs.length && this.active) this.map.fitBounds(bounds(fs), { padding: 30, duration: 0 });
    this.drawn = fs;
  }

  home() { if (this.drawn?.length) this.map.fitBounds(bounds(this.drawn), { padding: 30, duration: 0 }); }

  districtName(code) { return this.districts.find((f) => f.id === code)?.properties.name ?? code; }

  renderSide() {
    const side = this.els.side;
    const heading = side.querySelector('h2');
    const r = this.result;
    if (!r) { side.replaceChildren(heading); return; }
    const lang = getLang();
    const e = r.estimate;
    const est = h('div', { id: 'fu-estimate' });
    if (e) {
      est.dataset.effect = e.effect;
      est.dataset.low = e.ci_low;
      est.dataset.high = e.ci_high;
      est.append(h('p', { id: 'fu-estimate-text', text: t('fuEstimate', {
        effect: signed(e.effect), unit: this.unit(), low: num(e.ci_low, 2), high: num(e.ci_high, 2), draws: num(e.draws, 0) }) }));
      if (e.relative_pct != null) est.append(h('p', { text: t('fuEstimateRel', { pct: signed(e.relative_pct, 1), pre: num(e.target_pre, 2) }) }));
      est.append(h('p', { class: 'hint', text: t(e.ci_low <= 0 && e.ci_high >= 0 ? 'fuInterval0' : e.ci_high < 0 ? 'fuIntervalNeg' : 'fuIntervalPos') }));
    } else est.append(h('p', { id: 'fu-estimate-text', text: t('fuNoEstimate') }));
    const target = r.target.method === 'districts'
      ? t('fuTarget', { list: r.target.districts.map((c) => this.districtName(c)).join(', '), pop: num(r.target.population, 0) })
      : t('fuTargetBuffer', { m: num(r.target.buffer_m, 0), pop: num(r.target.population, 0) });
    const cav = h('ul', { id: 'fu-caveats', class: 'caveats' }, ...r.caveats.map((c) => h('li', { 'data-code': c.code, text: lang === 'en' ? c.en : c.sv })));
    const last = r.periods[r.periods.length - 1];
    const to = last ? new Date(Date.parse(last.end) - 86400000).toISOString().slice(0, 10) : '';
    const links = h('ul', { class: 'links' },
      h('li', {}, h('a', { id: 'fu-csv', href: apiURL(`analysis/followup/${r.intervention.id}`, { ...this.params(), f: 'csv' }),
        download: `uppfoljning-${r.intervention.id}.csv`, text: t('fuCSV') })),
      h('li', {}, h('a', { id: 'fu-report', href: apiURL('report', { from: r.periods[0]?.start, to, lang }), text: t('fuReport') })));
    side.replaceChildren(heading,
      h('h3', { id: 'fu-title', text: t('fuHeading', { title: r.intervention.title, start: r.intervention.start_date }) }),
      h('p', { class: 'hint', text: `${label(r.intervention.category)} · ${label(r.intervention.horizon)} · ${r.intervention.lead_org} · ${label(r.intervention.status)}` }),
      est, h('p', { text: target }),
      r.concurrent?.length ? h('p', { text: t('fuConcurrent', { list: r.concurrent.map((c) => `${c.title} (${c.start_date})`).join(', ') }) }) : null,
      h('h3', { text: t('fuCaveats') }), r.caveats.length ? cav : h('p', { id: 'fu-caveats', class: 'hint', text: t('fuNoCaveats') }),
      links);
  }

  /** unit is the series' unit in the chosen language (the API states it in English). */
  unit() {
    const r = this.result;
    if (getLang() === 'en') return r.unit;
    const per = r.parameters.period === 'quarter' ? 'kvartal' : 'månad';
    return r.parameters.weighting === 'harm' ? `skadeviktade observationer per 1 000 invånare och ${per}` : `observationer per 1 000 invånare och ${per}`;
  }

  renderResults() {
    const box = this.els.results;
    const heading = box.querySelector('h2');
    const r = this.result;
    if (!r) { box.replaceChildren(heading); return; }
    const th = (text) => h('th', { scope: 'col', text });
    const fig = h('figure', { class: 'fu-figure' }, h('figcaption', { text: t('fuChart') }), this.chart(r));
    const lg = h('ul', { class: 'legend-list inline' },
      h('li', {}, h('span', { class: 'swatch', style: `background:${colour.target}` }), t('fuTargetSeries')),
      h('li', {}, h('span', { class: 'swatch dashed-line' }), t('fuComparisonMean')));
    fig.append(lg);

    const cmp = h('table', { id: 'fu-comparison', class: 'data' }, h('caption', { text: t('fuComparison') }),
      h('thead', {}, h('tr', {}, th(t('fuDistrict')), th(t('fuDistance')), th(t('fuLevel')), th(t('fuSlope')), th(t('fuLevelZ')), th(t('fuSlopeZ')))),
      h('tbody', {}, ...r.comparison.map((c) => h('tr', { 'data-code': c.code }, h('th', { scope: 'row', text: c.name }),
        h('td', { class: 'num', text: num(c.distance, 2) }), h('td', { class: 'num', text: num(c.level, 2) }),
        h('td', { class: 'num', text: signed(c.slope, 3) }), h('td', { class: 'num', text: signed(c.level_z, 2) }),
        h('td', { class: 'num', text: signed(c.slope_z, 2) })))));
    const why = h('p', { class: 'hint', text: t('fuComparisonWhy', { k: r.comparison.length }) });
    const excl = h('ul', { id: 'fu-excluded', class: 'reasons' }, ...r.excluded.map((x) => h('li', { 'data-code': x.code },
      h('strong', { text: this.districtName(x.code) }), `: ${t(`fuReason_${x.reason}`)}`)));

    const ci = (a, b) => (a == null || b == null ? '' : ` (${num(a, 2)} – ${num(b, 2)})`);
    const nb = h('table', { id: 'fu-neighbours', class: 'data' }, h('caption', { text: t('fuNeighbours') }),
      h('thead', {}, h('tr', {}, th(t('fuDistrict')), th(t('fuPre2')), th(t('fuPost2')), th(t('fuChange')), th(t('fuDiD')), th(t('fuSign')))),
      h('tbody', {}, ...r.neighbours.map((n) => h('tr', { 'data-code': n.code }, h('th', { scope: 'row', text: n.name }),
        h('td', { class: 'num', text: num(n.pre, 2) }), h('td', { class: 'num', text: num(n.post, 2) }),
        h('td', { class: 'num', text: signed(n.change, 2) + (n.change_pct != null ? ` (${signed(n.change_pct, 0)} %)` : '') }),
        h('td', { class: 'num', text: n.did != null ? signed(n.did, 2) + ci(n.ci_low, n.ci_high) : '–' }),
        h('td', { class: n.sign !== 'none' ? 'warn' : null, text: t(`fuSign_${n.sign}`) })))));
    const pl = h('table', { id: 'fu-places', class: 'data' }, h('caption', { text: t('fuPlaces') }),
      h('thead', {}, h('tr', {}, th(t('fuPlace')), th(t('fuRole')), th(t('fuDistrict')), th(t('fuPre2')), th(t('fuPost2')), th(t('fuChange')))),
      h('tbody', {}, ...r.places.map((p) => h('tr', { 'data-id': p.id }, h('th', { scope: 'row', text: p.name }),
        h('td', { text: t(`fuRole_${p.role}`) }), h('td', { text: this.districtName(p.district_code) }),
        h('td', { class: 'num', text: num(p.pre, 2) }), h('td', { class: 'num', text: num(p.post, 2) }),
        h('td', { class: 'num', text: signed(p.change, 2) + (p.change_pct != null ? ` (${signed(p.change_pct, 0)} %)` : '') })))));
    box.replaceChildren(heading, fig, h('div', { class: 'table-wrap' }, cmp), why,
      h('h3', { text: t('fuExcluded') }), excl,
      h('div', { class: 'table-wrap' }, nb), h('div', { class: 'table-wrap' }, pl));
  }

  /** chart draws the target series and the comparison mean per period, with the start marked. */
  chart(r) {
    const W = 640, H = 220, m = { l: 48, r: 28, t: 14, b: 38 };
    const target = r.series.find((x) => x.role === 'target');
    const mean = comparisonMean(r);
    const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', class: 'chart fu-chart', id: 'fu-chart', 'aria-labelledby': 'fu-chart-title fu-chart-desc' });
    svg.append(s('title', { id: 'fu-chart-title' }, t('fuChartTitle', { title: r.intervention.title, unit: this.unit() })));
    svg.append(s('desc', { id: 'fu-chart-desc' }, t('fuChartDesc', { n: r.periods.length, start: r.intervention.start_date,
      list: r.periods.map((p, i) => `${p.start}: ${num(target.values[i], 2)} / ${num(mean[i], 2)}`).join('; ') })));
    const vals = [...target.values, ...mean].filter((v) => v != null && Number.isFinite(v));
    if (!vals.length) return svg;
    const ticks = niceTicks(Math.min(0, ...vals), Math.max(...vals));
    const v0 = ticks[0], v1 = ticks[ticks.length - 1];
    const n = r.periods.length;
    const x = (i) => m.l + (n === 1 ? 0.5 : i / (n - 1)) * (W - m.l - m.r);
    const y = (v) => H - m.b - ((v - v0) / (v1 - v0)) * (H - m.t - m.b);
    const axes = s('g', { class: 'axes', 'aria-hidden': 'true' });
    for (const tv of ticks) {
      axes.append(s('line', { x1: m.l, x2: W - m.r, y1: y(tv), y2: y(tv), class: 'grid' }));
      axes.append(s('text', { x: m.l - 4, y: y(tv) + 3, 'text-anchor': 'end' }, num(tv)));
    }
    const step = Math.max(1, Math.ceil(n / 8));
    r.periods.forEach((p, i) => {
      if (i % step === 0 || i === n - 1) axes.append(s('text', { x: x(i), y: H - m.b + 14, 'text-anchor': 'middle' }, p.start.slice(0, 7)));
    });
    axes.append(s('line', { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b, class: 'axis' }));
    axes.append(s('line', { x1: m.l, x2: m.l, y1: m.t, y2: H - m.b, class: 'axis' }));
    axes.append(s('text', { x: 12, y: (m.t + H - m.b) / 2, 'text-anchor': 'middle', class: 'axis-label',
      transform: `rotate(-90 12 ${(m.t + H - m.b) / 2})` }, getLang() === 'en' ? 'per 1,000' : 'per 1 000'));
    svg.append(axes);
    // The start: between the last pre period and the first post period.
    const first = r.periods.findIndex((p) => p.phase === 'post');
    if (first >= 0) {
      const xs = first === 0 ? x(0) : (x(first - 1) + x(first)) / 2;
      svg.append(s('line', { x1: xs, x2: xs, y1: m.t, y2: H - m.b, class: 'start-line', id: 'fu-start-line', 'aria-hidden': 'true' }));
      svg.append(s('text', { x: xs + 3, y: m.t + 9, class: 'start-label', 'aria-hidden': 'true' }, `${t('fuStart')} ${r.intervention.start_date}`));
    }
    const path = (vs) => vs.map((v, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join('');
    if (mean.every((v) => v != null)) svg.append(s('path', { d: path(mean), class: 'line comparison', 'aria-hidden': 'true' }));
    svg.append(s('path', { d: path(target.values), class: 'line target', 'aria-hidden': 'true' }));
    const dots = s('g', { class: 'dots', 'aria-hidden': 'true' });
    target.values.forEach((v, i) => dots.append(s('circle', { cx: x(i), cy: y(v), r: 3, class: 'dot target',
      'data-index': r.periods[i].index, 'data-value': v })));
    svg.append(dots);
    return svg;
  }

  renderLegend() {
    const sw = (cls, style) => h('span', { class: `swatch ${cls}`, style });
    this.els.legend.replaceChildren(h('p', { class: 'legend-title', text: t('fuLegend') }), h('ul', { class: 'legend-list' },
      h('li', {}, sw('', `background:${colour.target}`), t('fuLegendTarget')),
      h('li', {}, sw('outline', `border-color:${colour.comparison}`), t('fuLegendComparison')),
      h('li', {}, sw('dotted', `border-color:${colour.neighbour}; border-style: dashed`), t('fuLegendNeighbour'))));
  }

  relabel() {
    this.buildControls();
    this.renderLegend();
    this.renderSide();
    this.renderResults();
  }
}
