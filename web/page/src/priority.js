// The "Prioritering" view (issue 4): weights per theme and indicator, the organisation's
// scenario, normalisation, aggregation, reference year, k pilots and include/exclude
// constraints go to POST /analysis/priority; the answer fills the ranking table (stacked
// contribution bars with a text alternative, coverage, 5–95 % rank interval, early warning),
// the need × feasibility chart, the pilots' explanations, the index choropleth on the map
// (the same answer as GeoJSON) and a CSV link. POST /analysis/priority/compare gives the
// organisations' rankings side by side with the consensus, Kendall's tau and disagreements.
import { APIError, apiFetch, apiURL, getJSON, problemOf, currentUser } from './api.js';
import { canWrite } from './auth.js';
import { t, num, getLang, addTexts, onLangChange, warningText, localNotice, problemText } from './i18n.js';
import { quantileBreaks, classes, fillColour, swatch } from './choropleth.js';
import { needFeasibilityChart } from './scatter.js';
import { whenIdle } from './map.js';
import { View } from './view.js';
import { h } from './dom.js';

addTexts({
  sv: {
    prioControls: 'Prioritering: val', prioSide: 'Behov och förutsättningar', prioResults: 'Rangordning',
    prioSave: 'Spara som {org}s scenario', prioSaving: 'Sparar…', prioSaved: 'Sparat som {name}, version {v}.',
    prioSaveError: 'Kunde inte spara: {msg}', prioConflict: 'Någon annan i din organisation har sparat scenariot sedan du öppnade det. Läs in den senaste versionen och gör dina ändringar där.',
    prioReload: 'Läs in den senaste versionen', prioReadOnly: 'Läsläge: din roll kan se viktningarna men inte spara dem.',
    prioOwn: 'Organisationens sparade scenario: {name}, version {v}.',
    organisation: 'Organisation (viktning)', normalisation: 'Normalisering', aggregation: 'Aggregering',
    refYear: 'Referensår', kPilots: 'Antal pilotområden (k)', resetWeights: 'Återställ organisationens vikter',
    weightsTitle: 'Vikter per tema och indikator', themeWeight: 'Tema {theme} (vikt)',
    constraints: 'Ta med eller uteslut stadsdelar', free: 'fritt val', include: 'ta med', exclude: 'uteslut',
    norm_zscore: 'z-poäng', norm_minmax: 'min–max', norm_rank: 'percentilrang', norm_raw: 'råvärden',
    agg_arithmetic: 'aritmetiskt medelvärde', agg_geometric: 'geometriskt medelvärde',
    theme_economy: 'ekonomi', theme_education: 'utbildning', theme_housing: 'boende', theme_labour: 'arbete',
    theme_participation: 'delaktighet', theme_trust: 'tillit', theme_safety: 'trygghet', theme_crime: 'brott',
    theme_demography: 'befolkning', theme_future: 'framtid',
    matrixTitle: 'Behov × förutsättningar', need: 'behov', feasibility: 'förutsättningar',
    matrixDesc: 'Punktdiagram med {n} rangordnade stadsdelar: förutsättningar (0–1) vågrätt, behovsindex lodrätt, linjer vid medianerna. Pilotområden: {pilots}.',
    feasibilityAxis: 'Förutsättningar (0–1)', needAxis: 'Behovsindex',
    q_high_need_good_conditions: 'stort behov, goda förutsättningar', q_high_need_weak_conditions: 'stort behov, svaga förutsättningar',
    q_lower_need_good_conditions: 'mindre behov, goda förutsättningar', q_lower_need_weak_conditions: 'mindre behov, svaga förutsättningar',
    q_not_ranked: 'ej rangordnad',
    pilots: 'Föreslagna pilotområden', csv: 'Ladda ner tabellen (CSV)', summary: '{scenario}, {year}: {ranked} av {n} stadsdelar rangordnade ({norm}, {agg}).',
    rank: 'Rang', index: 'Index', contributions: 'Bidrag per indikator', coverage: 'Täckning', rankInterval: 'Rangintervall 5–95 %',
    pTopK: 'P(topp {k})', change: 'Förändring sedan {year}', earlyWarning: 'Tidig varning', pilot: 'Pilot', yes: 'ja', no: 'nej',
    notRanked: 'ej rangordnad', tableCaption: 'Stadsdelar efter behovsindex ({scenario}, {year}). Bidragen summerar till indexet{log}.',
    logSpace: ' (geometriskt medelvärde: bidragen summerar till indexets logaritm)',
    contribText: 'Bidrag: {list}', indexLegend: 'Behovsindex, {scenario} {year}', pilotOutline: 'Pilotområde (tjock kant)',
    compare: 'Jämför organisationerna', compareCaption: 'Rangordning per organisation och konsensus (Borda), {year}',
    consensus: 'Konsensus', borda: 'Bordapoäng', tauCaption: 'Överensstämmelse mellan organisationerna (Kendalls tau)',
    disagreements: 'Stadsdelar där organisationerna är mest oeniga', rankRange: 'rang {min}–{max}',
    prioShown: 'Prioritering uppdaterad: {first} har störst behov.', prioLoading: 'Beräknar…', warnings: 'Varningar',
    priorityMapLabel: 'Karta över stadsdelarnas behovsindex; pilotområden med tjock kant. Tabellen under kartan har samma uppgifter.',
    mapMode: 'På kartan', modeIndex: 'Behovsindex (vald viktning)', modeAreaType: 'Områdestyp (SCB)',
    areaType: 'Områdestyp (SCB)', areaTypeLegend: 'Områdestyp (SCB), {year}', areaTypeCount: '{n} st',
    areaTypeAssumed: 'Gränserna mellan typerna (standardavvikelser från medelvärdet) är ett antagande, inte SCB:s bekräftade gränser.',
    areaTypeRef: 'Referens: medelvärde {mean}, standardavvikelse {sd} ({source}).',
    refLocal: 'stadsdelarna här, inte riket', refConfigured: 'inställda värden',
    areaTypeRange: 'z ≥ {min}', areaTypeBetween: '{min} ≤ z < {max}', areaTypeBelow: 'z < {max}',
    scbNeedOutside: 'typ 1–2, utanför topp {k}', scbGoodInside: 'topp {k}, typ 4–5',
    scbCompare: 'SCB:s områdestyp jämfört med er viktning (topp {k}):', scbAgree: 'inga skillnader – alla stadsdelar av typ 1–2 är i topp {k} och ingen av typ 4–5.',
    scbNeedOutsideList: 'typ 1–2 men utanför topp {k}: {list}', scbGoodInsideList: 'i topp {k} men typ 4–5: {list}',
    scbError: 'SCB:s områdestyper kunde inte beräknas för {year}: {msg}',
    areaTypeMapLabel: 'Karta över stadsdelarnas områdestyp enligt SCB:s socioekonomiska index; pilotområden med tjock kant. Tabellen under kartan har samma uppgifter.',
  },
  en: {
    prioControls: 'Prioritisation: choices', prioSide: 'Need and conditions', prioResults: 'Ranking',
    organisation: 'Organisation (weighting)', normalisation: 'Normalisation', aggregation: 'Aggregation',
    refYear: 'Reference year', kPilots: 'Number of pilot districts (k)', resetWeights: "Reset the organisation's weights",
    weightsTitle: 'Weights per theme and indicator', themeWeight: 'Theme {theme} (weight)',
    constraints: 'Include or exclude districts', free: 'free choice', include: 'include', exclude: 'exclude',
    norm_zscore: 'z-score', norm_minmax: 'min–max', norm_rank: 'percentile rank', norm_raw: 'raw values',
    agg_arithmetic: 'arithmetic mean', agg_geometric: 'geometric mean',
    theme_economy: 'economy', theme_education: 'education', theme_housing: 'housing', theme_labour: 'labour',
    theme_participation: 'participation', theme_trust: 'trust', theme_safety: 'safety', theme_crime: 'crime',
    theme_demography: 'demography', theme_future: 'future',
    matrixTitle: 'Need × conditions for success', need: 'need', feasibility: 'conditions',
    matrixDesc: 'Scatter plot of {n} ranked districts: conditions for success (0–1) across, need index up, lines at the medians. Pilot districts: {pilots}.',
    feasibilityAxis: 'Conditions for success (0–1)', needAxis: 'Need index',
    q_high_need_good_conditions: 'high need, good conditions', q_high_need_weak_conditions: 'high need, weak conditions',
    q_lower_need_good_conditions: 'lower need, good conditions', q_lower_need_weak_conditions: 'lower need, weak conditions',
    q_not_ranked: 'not ranked',
    prioSave: "Save as {org}'s scenario", prioSaving: 'Saving…', prioSaved: 'Saved as {name}, version {v}.',
    prioSaveError: 'Could not save: {msg}', prioConflict: 'Someone else in your organisation has saved the scenario since you opened it. Load the latest version and make your changes there.',
    prioReload: 'Load the latest version', prioReadOnly: 'Read-only: your role can see the weightings but not save them.',
    prioOwn: "Your organisation's saved scenario: {name}, version {v}.",
    pilots: 'Recommended pilot districts', csv: 'Download the table (CSV)', summary: '{scenario}, {year}: {ranked} of {n} districts ranked ({norm}, {agg}).',
    rank: 'Rank', index: 'Index', contributions: 'Contribution per indicator', coverage: 'Coverage', rankInterval: 'Rank interval 5–95 %',
    pTopK: 'P(top {k})', change: 'Change since {year}', earlyWarning: 'Early warning', pilot: 'Pilot', yes: 'yes', no: 'no',
    notRanked: 'not ranked', tableCaption: 'Districts by need index ({scenario}, {year}). The contributions add up to the index{log}.',
    logSpace: ' (geometric mean: the contributions add up to the logarithm of the index)',
    contribText: 'Contributions: {list}', indexLegend: 'Need index, {scenario} {year}', pilotOutline: 'Pilot district (thick outline)',
    compare: 'Compare the organisations', compareCaption: 'Ranking per organisation and the consensus (Borda), {year}',
    consensus: 'Consensus', borda: 'Borda points', tauCaption: "Agreement between the organisations (Kendall's tau)",
    disagreements: 'Districts the organisations disagree about most', rankRange: 'rank {min}–{max}',
    prioShown: 'Prioritisation updated: {first} has the greatest need.', prioLoading: 'Computing…', warnings: 'Warnings',
    priorityMapLabel: "Map of the districts' need index; pilot districts with a thick outline. The table below the map has the same figures.",
    mapMode: 'On the map', modeIndex: 'Need index (chosen weighting)', modeAreaType: 'Area type (SCB)',
    areaType: 'Area type (SCB)', areaTypeLegend: 'Area type (SCB), {year}', areaTypeCount: '{n}',
    areaTypeAssumed: "The cut points between the types (standard deviations from the mean) are an assumption, not SCB's confirmed limits.",
    areaTypeRef: 'Reference: mean {mean}, standard deviation {sd} ({source}).',
    refLocal: 'the districts here, not the nation', refConfigured: 'configured values',
    areaTypeRange: 'z ≥ {min}', areaTypeBetween: '{min} ≤ z < {max}', areaTypeBelow: 'z < {max}',
    scbNeedOutside: 'type 1–2, outside top {k}', scbGoodInside: 'top {k}, type 4–5',
    scbCompare: "SCB's area type against your weighting (top {k}):", scbAgree: 'no differences – every district of type 1–2 is in the top {k} and none of type 4–5.',
    scbNeedOutsideList: 'type 1–2 but outside the top {k}: {list}', scbGoodInsideList: 'in the top {k} but type 4–5: {list}',
    scbError: "SCB's area types could not be computed for {year}: {msg}",
    areaTypeMapLabel: "Map of the districts' area type by SCB's socio-economic index; pilot districts with a thick outline. The table below the map has the same figures.",
  },
});

// Categorical colours of the contribution bars (Okabe–Ito, then Tableau's), in the order of
// the answer's indicators.
const barColours = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000',
  '#8c564b', '#7f7f7f', '#bcbd22', '#17becf', '#9467bd', '#2ca02c', '#ff9896', '#c49c94', '#aec7e8', '#98df8a'];

export const priorityLayers = ['priority-fill', 'priority-missing', 'priority-areatype', 'priority-areatype-missing',
  'priority-line', 'priority-pilot'];
// Layers drawn in each map mode (the outlines in both).
const modeLayers = {
  index: ['priority-fill', 'priority-missing', 'priority-line', 'priority-pilot'],
  areatype: ['priority-areatype', 'priority-areatype-missing', 'priority-line', 'priority-pilot'],
};

// The five SCB area types, 1 (major socio-economic challenges) to 5 (very good conditions):
// ColorBrewer RdYlBu, five classes, a diverging scheme marked colour-blind safe; the types
// are ordered, so the order of the colours carries it as well as the labels do.
export const areaTypeColours = { 1: '#d7191c', 2: '#fdae61', 3: '#ffffbf', 4: '#abd9e9', 5: '#2c7bb6' };

const SVGNS = 'http://www.w3.org/2000/svg';

async function postJSON(path, body, params = {}, accept = 'application/json') {
  const res = await apiFetch(apiURL(path, params), {
    method: 'POST', headers: { 'Content-Type': 'application/json', Accept: accept }, body: JSON.stringify(body),
  });
  if (!res.ok) throw new APIError(res.status, await problemOf(res), res.statusText);
  return accept === 'text/csv' ? res.text() : res.json();
}

export class PriorityView extends View {
  /** els: { controls, side, results, legend }; app: window.lagesbild; status(msg). */
  constructor(map, els, app, status) {
    super('viewPriority');
    this.map = map;
    this.els = els;
    this.app = app;
    this.status = status;
    this.state = { ready: false, request: null, result: null, compare: null, mapMode: 'index', scb: null, scbError: null };
    this.scbCache = new Map(); // year → promise of the SCB preset's answer (area types)
    this.active = false;
    app.priority = this.state;
    this.seq = 0;
    this.dirty = false;
    this.started = null;
    this.csvURL = null;
    onLangChange(() => { if (this.cfg) { this.renderControlsText(); this.render(); this.renderCompare(); } });
  }

  name(o) { return getLang() === 'en' ? o.name_en : o.name_sv; }

  /** activate builds the view on first use and shows the current analysis. */
  /** refresh reruns the view's data for a new caller (View.reload). */
  refresh() {
    // The caller changed: the organisation's own scenario first, the save form for editors only.
    this.loadScenario(this.ownScenario());
    this.renderSave();
    this.run();
    this.runCompare();
  }

  async init() {
    this.cfg = await getJSON('analysis/priority');
    this.addLayers();
    this.buildControls();
    this.built = true;
    this.loadScenario(this.ownScenario());
    this.renderSave();
    await Promise.all([this.run(), this.runCompare()]);
  }

  addLayers() {
    const map = this.map;
    map.addSource('priority', { type: 'geojson', data: { type: 'FeatureCollection', features: [] }, promoteId: 'code' });
    const before = map.getLayer('interventions-fill') ? 'interventions-fill' : undefined;
    const hidden = { visibility: 'none' };
    map.addLayer({ id: 'priority-fill', type: 'fill', source: 'priority', filter: ['!=', ['get', 'index'], null],
      layout: hidden, paint: { 'fill-color': '#cccccc' } }, before);
    map.addLayer({ id: 'priority-missing', type: 'fill', source: 'priority', filter: ['==', ['get', 'index'], null],
      layout: hidden, paint: { 'fill-pattern': 'hatch' } }, before);
    // Area type mode: districts with an SCB area type in its colour, the others hatched. The
    // filters and colours are set from the SCB answer (renderAreaTypes).
    map.addLayer({ id: 'priority-areatype', type: 'fill', source: 'priority', filter: ['boolean', false],
      layout: hidden, paint: { 'fill-color': '#cccccc' } }, before);
    map.addLayer({ id: 'priority-areatype-missing', type: 'fill', source: 'priority', filter: ['boolean', true],
      layout: hidden, paint: { 'fill-pattern': 'hatch' } }, before);
    map.addLayer({ id: 'priority-line', type: 'line', source: 'priority', layout: hidden,
      paint: { 'line-color': '#343a40', 'line-width': 1 } }, before);
    map.addLayer({ id: 'priority-pilot', type: 'line', source: 'priority', filter: ['==', ['get', 'pilot'], true],
      layout: hidden, paint: { 'line-color': '#000000', 'line-width': 4 } }, before);
  }

  // ---- controls ----

  buildControls() {
    const c = this.els.controls;
    const sel = (id, key) => [h('label', { for: id, 'data-i18n': key, text: t(key) }), h('select', { id })];
    const [lOrg, sOrg] = sel('prio-scenario', 'organisation');
    this.rationale = h('p', { class: 'rationale', id: 'prio-rationale', lang: 'sv' }); // written by the organisation, in Swedish
    const [lNorm, sNorm] = sel('prio-norm', 'normalisation');
    const [lAgg, sAgg] = sel('prio-agg', 'aggregation');
    const [lYear, sYear] = sel('prio-year', 'refYear');
    const lK = h('label', { for: 'prio-k', 'data-i18n': 'kPilots', text: t('kPilots') });
    const iK = h('input', { id: 'prio-k', type: 'number', min: 1, max: 10, step: 1, value: this.cfg.defaults?.k ?? 3 });
    const reset = h('button', { type: 'button', id: 'prio-reset', class: 'button', 'data-i18n': 'resetWeights', text: t('resetWeights') });
    this.weightsBox = h('fieldset', { class: 'block weights', id: 'prio-weights' },
      h('legend', { 'data-i18n': 'weightsTitle', text: t('weightsTitle') }));
    this.constraintsBox = h('details', { class: 'block', id: 'prio-constraints' },
      h('summary', { 'data-i18n': 'constraints', text: t('constraints') }));
    // What the map shows: the need index of the chosen weighting or SCB's area type.
    const mode = h('fieldset', { class: 'block', id: 'prio-mapmode' }, h('legend', { 'data-i18n': 'mapMode', text: t('mapMode') }));
    for (const [value, key] of [['index', 'modeIndex'], ['areatype', 'modeAreaType']]) {
      const id = `prio-mode-${value}`;
      const input = h('input', { type: 'radio', name: 'prio-mapmode', id, value, checked: value === this.state.mapMode });
      input.addEventListener('change', () => { if (input.checked) this.setMapMode(value); });
      mode.append(h('div', { class: 'radio' }, input, h('label', { for: id, 'data-i18n': key, text: t(key) })));
    }
    // The area type legend lives here, not on the map: with the types' names, cut points and
    // the caveat it would cover half of the map.
    this.areaLegend = h('div', { class: 'legend', id: 'prio-areatype-legend', 'aria-live': 'polite' });
    mode.append(this.areaLegend);
    this.saveBox = h('div', { class: 'block', id: 'prio-save' });
    c.append(h('div', { class: 'block' }, lOrg, sOrg, this.rationale, lNorm, sNorm, lAgg, sAgg, lYear, sYear, lK, iK, reset),
      this.saveBox, mode, this.weightsBox, this.constraintsBox);
    this.sel = { scenario: sOrg, norm: sNorm, agg: sAgg, year: sYear, k: iK };

    sYear.append(...[...this.cfg.years].reverse().map((y) => h('option', { value: y, text: String(y) })));
    sYear.value = String(Math.max(...this.cfg.years));

    // Sliders: a theme's weight, then its indicators' weights (0 leaves an indicator out).
    this.sliders = { theme: {}, ind: {} };
    for (const theme of this.cfg.themes) {
      const inds = this.cfg.indicators.filter((i) => i.theme === theme);
      if (inds.length === 0) continue;
      const fs = h('fieldset', { class: 'theme' }, h('legend', { 'data-theme': theme }));
      fs.append(this.slider(`w-theme-${theme}`, 'theme', theme));
      for (const ind of inds) fs.append(this.slider(`w-ind-${ind.key}`, 'ind', ind.key));
      this.weightsBox.append(fs);
    }

    sOrg.addEventListener('change', () => {
      this.loadScenario(this.cfg.scenarios.find((s) => s.id === sOrg.value));
      this.run();
    });
    for (const s of [sNorm, sAgg]) s.addEventListener('change', () => this.run());
    sYear.addEventListener('change', () => { this.run(); this.runCompare(); });
    iK.addEventListener('change', () => { this.run(); this.runCompare(); });
    reset.addEventListener('click', () => { this.loadScenario(this.scenario); this.run(); });
    this.renderControlsText();
  }

  slider(id, kind, key) {
    const input = h('input', { type: 'range', id, min: 0, max: 3, step: 0.25, value: 0, 'data-kind': kind, 'data-key': key });
    const out = h('output', { for: id, class: 'weight-value' });
    const label = h('label', { for: id });
    const row = h('div', { class: `slider ${kind}` }, label, input, out);
    this.sliders[kind][key] = { input, out, label };
    input.addEventListener('input', () => { out.textContent = num(Number(input.value), 2); });
    // Ask the API once the slider is let go (change), not on every step of a drag.
    input.addEventListener('change', () => { this.dirty = true; this.run(); });
    return row;
  }

  renderControlsText() {
    const { scenario, norm, agg } = this.sel;
    const keep = [scenario.value, norm.value, agg.value];
    scenario.replaceChildren(...this.cfg.scenarios.map((s) => h('option', { value: s.id, text: `${s.organisation} – ${this.name(s)}` })));
    norm.replaceChildren(...this.cfg.normalisations.map((n) => h('option', { value: n, text: t(`norm_${n}`) })));
    agg.replaceChildren(...this.cfg.aggregations.map((a) => h('option', { value: a, text: t(`agg_${a}`) })));
    [scenario.value, norm.value, agg.value] = keep;
    for (const [key, s] of Object.entries(this.sliders.theme)) {
      s.label.textContent = t('themeWeight', { theme: t(`theme_${key}`) });
      s.out.textContent = num(Number(s.input.value), 2);
    }
    for (const lg of this.weightsBox.querySelectorAll('legend[data-theme]')) {
      const th = t(`theme_${lg.dataset.theme}`);
      lg.textContent = th.charAt(0).toUpperCase() + th.slice(1);
    }
    for (const [key, s] of Object.entries(this.sliders.ind)) {
      const ind = this.cfg.indicators.find((i) => i.key === key);
      s.label.textContent = this.name(ind);
      s.out.textContent = num(Number(s.input.value), 2);
    }
    if (this.scenario) this.rationale.textContent = t('inSwedish') + this.scenario.rationale;
    for (const o of this.constraintsBox.querySelectorAll('option')) o.textContent = t(o.value || 'free');
  }

  /**
   * ownScenario is the scenario the page opens on: the caller's organisation's own (the one it
   * saved last), else the built-in one of its perspective (Mimer's for Mimer), else the
   * default.
   */
  ownScenario() {
    const org = currentUser()?.organisation;
    const scs = this.cfg.scenarios;
    const own = scs.filter((s) => org && s.owner === org).sort((a, b) => (a.updated_at < b.updated_at ? 1 : -1))[0];
    const def = this.cfg.defaults?.scenario;
    return own ?? scs.find((s) => org && s.builtin && s.id === org) ?? scs.find((s) => s.id === def) ?? scs[0];
  }

  /** saveID is the id of the scenario the save button writes: the chosen one if it is the organisation's, else its own. */
  saveID() {
    const org = currentUser().organisation;
    if (this.scenario?.owner === org) return this.scenario.id;
    return `${/^[a-z]/.test(org) ? '' : 'org-'}${org}-egen`.slice(0, 64);
  }

  /** renderSave shows the save button to editors and a read-only note to readers. */
  renderSave(message) {
    const box = this.saveBox;
    const me = currentUser();
    if (!me) { box.replaceChildren(); return; }
    const org = me.organisation_name ?? me.organisation;
    const own = this.cfg.scenarios.find((s) => s.owner === me.organisation);
    const kids = [own ? h('p', { class: 'hint', id: 'prio-own', text: t('prioOwn', { name: this.name(own), v: own.version }) }) : null];
    if (!canWrite()) {
      kids.push(h('p', { class: 'hint', id: 'prio-readonly', text: t('prioReadOnly') }));
    } else {
      const save = h('button', { type: 'button', class: 'button primary', id: 'prio-save-button', text: t('prioSave', { org }) });
      save.addEventListener('click', () => this.save());
      kids.push(save);
    }
    const msg = h('div', { id: 'prio-save-status', role: 'status', class: message?.error ? 'form-message error' : 'form-message', text: message?.text ?? '' });
    if (message?.conflict) {
      const again = h('button', { type: 'button', class: 'button', id: 'prio-reload', text: t('prioReload') });
      again.addEventListener('click', () => this.reloadScenarios(message.conflict));
      msg.append(' ', again);
    }
    kids.push(msg);
    box.replaceChildren(...kids);
  }

  /**
   * save writes the controls' weighting as the organisation's scenario: PUT with If-Match
   * naming the version it was read at (412: someone else saved first), or POST the first time.
   */
  async save() {
    const me = currentUser();
    const id = this.saveID();
    const stored = this.cfg.scenarios.find((s) => s.id === id);
    const org = me.organisation_name ?? me.organisation;
    const weights = {}, themes = {};
    for (const [key, s] of Object.entries(this.sliders.ind)) if (Number(s.input.value) > 0) weights[key] = Number(s.input.value);
    for (const [key, s] of Object.entries(this.sliders.theme)) themes[key] = Number(s.input.value);
    const body = {
      id, name_sv: stored?.name_sv ?? `${org}s viktning`, name_en: stored?.name_en ?? `${org}'s weighting`,
      rationale: this.scenario.rationale, normalisation: this.sel.norm.value, aggregation: this.sel.agg.value,
      winsor: this.scenario.winsor ?? 0, min_coverage: this.scenario.min_coverage ?? 0.6, weights, theme_weights: themes,
    };
    this.renderSave({ text: t('prioSaving') });
    const res = await apiFetch(apiURL(stored ? `analysis/priority/scenarios/${id}` : 'analysis/priority/scenarios'), {
      method: stored ? 'PUT' : 'POST', cache: 'no-store', body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...(stored ? { 'If-Match': `"v${stored.version}"` } : {}) },
    }).catch((err) => ({ ok: false, status: 0, json: async () => ({ detail: err.message }) }));
    this.state.lastSaveStatus = res.status;
    if (res.status === 412) { this.renderSave({ text: t('prioConflict'), error: true, conflict: id }); return; }
    const doc = await res.json().catch(() => null);
    // The API's detail is English; the reader gets the status and the field in their language.
    if (!res.ok) { this.renderSave({ text: t('prioSaveError', { msg: res.status ? problemText(res.status, doc) : doc?.detail ?? '' }), error: true }); return; }
    this.cfg.scenarios = [...this.cfg.scenarios.filter((s) => s.id !== doc.id), doc];
    this.renderControlsText();
    this.loadScenario(doc);
    this.renderSave({ text: t('prioSaved', { name: this.name(doc), v: doc.version }) });
    this.run();
  }

  /** reloadScenarios reads the scenarios again (after a 412) and opens id's latest version. */
  async reloadScenarios(id) {
    const res = await getJSON('analysis/priority/scenarios', {}, { fresh: true });
    this.cfg.scenarios = res.scenarios;
    this.renderControlsText();
    this.loadScenario(this.cfg.scenarios.find((s) => s.id === id) ?? this.ownScenario());
    this.renderSave();
    this.run();
  }

  /** loadScenario puts an organisation's weights and methods into the controls. */
  loadScenario(sc) {
    this.scenario = sc;
    this.dirty = false;
    this.sel.scenario.value = sc.id;
    this.sel.norm.value = sc.normalisation;
    this.sel.agg.value = sc.aggregation;
    this.rationale.textContent = t('inSwedish') + sc.rationale;
    for (const [key, s] of Object.entries(this.sliders.theme)) {
      s.input.value = String(sc.theme_weights?.[key] ?? 1);
      s.out.textContent = num(Number(s.input.value), 2);
    }
    for (const [key, s] of Object.entries(this.sliders.ind)) {
      s.input.value = String(sc.weights?.[key] ?? 0);
      s.out.textContent = num(Number(s.input.value), 2);
    }
  }

  buildConstraints(districts) {
    if (this.constraints) return;
    this.constraints = {};
    const list = h('div', { class: 'constraints' });
    for (const d of [...districts].sort((a, b) => a.name.localeCompare(b.name, 'sv'))) {
      const id = `prio-c-${d.code}`;
      const s = h('select', { id, 'data-code': d.code },
        ...['', 'include', 'exclude'].map((v) => h('option', { value: v, text: t(v || 'free') })));
      s.addEventListener('change', () => this.run());
      this.constraints[d.code] = s;
      list.append(h('div', { class: 'constraint' }, h('label', { for: id, text: d.name }), s));
    }
    this.constraintsBox.append(list);
  }

  /** request is the body of POST /analysis/priority for the controls' state. */
  request() {
    const sc = this.scenario;
    const body = { scenario: sc.id, year: Number(this.sel.year.value), k: Math.max(1, Math.round(Number(this.sel.k.value) || 1)) };
    if (this.sel.norm.value !== sc.normalisation) body.normalisation = this.sel.norm.value;
    if (this.sel.agg.value !== sc.aggregation) body.aggregation = this.sel.agg.value;
    if (this.dirty) {
      body.weights = {};
      for (const [key, s] of Object.entries(this.sliders.ind)) if (Number(s.input.value) > 0) body.weights[key] = Number(s.input.value);
      body.theme_weights = {};
      for (const [key, s] of Object.entries(this.sliders.theme)) body.theme_weights[key] = Number(s.input.value);
    }
    const inc = [], exc = [];
    for (const [code, s] of Object.entries(this.constraints ?? {})) {
      if (s.value === 'include') inc.push(code); else if (s.value === 'exclude') exc.push(code);
    }
    if (inc.length) body.include = inc;
    if (exc.length) body.exclude = exc;
    body.sensitivity = { draws: 500, seed: 1 };
    return body;
  }

  /** showLayers shows the current map mode's layers when the view is on, none otherwise. */
  showLayers(on) {
    this.active = on;
    if (!this.map.getLayer('priority-fill')) return;
    const want = on ? modeLayers[this.state.mapMode] : [];
    for (const id of priorityLayers) this.map.setLayoutProperty(id, 'visibility', want.includes(id) ? 'visible' : 'none');
  }

  /** setMapMode switches the map between the need index ('index') and SCB's area type ('areatype'). */
  async setMapMode(mode) {
    this.state.mapMode = mode;
    this.state.ready = false;
    for (const r of this.els.controls.querySelectorAll('input[name="prio-mapmode"]')) r.checked = r.value === mode;
    this.showLayers(this.active);
    this.map.getCanvas().setAttribute('aria-label', t(mode === 'areatype' ? 'areaTypeMapLabel' : 'priorityMapLabel'));
    if (this.state.result) this.renderLegend(this.state.result);
    const seq = this.seq;
    await whenIdle(this.map);
    if (seq === this.seq && this.state.result) this.state.ready = true;
  }

  /** scbFor returns the SCB preset's answer for year (it carries the area types), asked once per year. */
  scbFor(year) {
    if (!this.scbCache.has(year)) {
      const p = postJSON('analysis/priority', { scenario: 'scb', year });
      p.catch(() => this.scbCache.delete(year)); // a failure is not remembered
      this.scbCache.set(year, p);
    }
    return this.scbCache.get(year);
  }

  // ---- analysis ----

  async run() {
    const seq = ++this.seq;
    const body = this.request();
    this.state.ready = false;
    this.status(t('prioLoading'));
    try {
      const [res, geo, csv, scb] = await Promise.all([
        postJSON('analysis/priority', body),
        postJSON('analysis/priority', body, { f: 'geojson' }, 'application/geo+json'),
        postJSON('analysis/priority', body, { f: 'csv' }, 'text/csv'),
        this.scbFor(body.year).then((a) => ({ answer: a }), (err) => ({ error: err.message })),
      ]);
      if (seq !== this.seq) return;
      this.state.scb = scb.answer ?? null;
      this.state.scbError = scb.error ?? null;
      this.state.request = body;
      this.state.result = res;
      this.geo = geo;
      if (this.csvURL) URL.revokeObjectURL(this.csvURL);
      this.csvURL = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      this.state.csv = csv;
      this.buildConstraints(res.districts);
      this.render();
      const first = res.districts.find((d) => d.rank === 1);
      this.status(t('prioShown', { first: first?.name ?? '–' }));
      await whenIdle(this.map);
      if (seq === this.seq) this.state.ready = true;
    } catch (err) {
      if (seq !== this.seq) return;
      this.state.error = err.message;
      this.status(t('loadError', { what: t('viewPriority'), msg: err.message }));
    }
  }

  async runCompare() {
    const body = { year: Number(this.sel.year.value), k: Math.max(1, Math.round(Number(this.sel.k.value) || 1)) };
    try {
      this.state.compare = await postJSON('analysis/priority/compare', body);
      this.renderCompare();
    } catch (err) {
      this.status(t('loadError', { what: t('compare'), msg: err.message }));
    }
  }

  // ---- rendering ----

  render() {
    const res = this.state.result;
    if (!res) return;
    this.renderMap(res);
    this.renderSide(res);
    this.renderTable(res);
  }

  renderMap(res) {
    const fc = this.geo;
    for (const f of fc.features) f.properties.code ??= f.id;
    this.map.getSource('priority').setData(fc);
    const values = fc.features.map((f) => f.properties.index);
    this.classes = classes(values, quantileBreaks(values), false);
    this.map.setPaintProperty('priority-fill', 'fill-color', fillColour(this.classes, 'index'));
    this.renderAreaTypes();
    this.renderLegend(res);
  }

  /** areaTypes maps district code → SCB area type (1–5) from the SCB answer. */
  areaTypes() {
    const out = new Map();
    for (const d of this.state.scb?.districts ?? []) if (d.area_type != null) out.set(d.code, d.area_type);
    return out;
  }

  renderAreaTypes() {
    const types = this.areaTypes();
    const codes = [...types.keys()];
    const colour = ['match', ['get', 'code']];
    for (const [code, ty] of types) colour.push(code, areaTypeColours[ty]);
    colour.push('#cccccc');
    this.map.setFilter('priority-areatype', ['in', ['get', 'code'], ['literal', codes]]);
    this.map.setFilter('priority-areatype-missing', ['!', ['in', ['get', 'code'], ['literal', codes]]]);
    this.map.setPaintProperty('priority-areatype', 'fill-color', codes.length ? colour : '#cccccc');
  }

  renderLegend(res) {
    if (this.state.mapMode === 'areatype') {
      this.els.legend.replaceChildren();
      this.renderAreaTypeLegend(res);
      return;
    }
    this.areaLegend.replaceChildren();
    const values = this.geo.features.map((f) => f.properties.index);
    const title = h('p', { class: 'legend-title', text: t('indexLegend', { scenario: this.scenario.organisation, year: res.year }) });
    const ul = h('ul', { class: 'legend-list', id: 'priority-legend-list' });
    for (const c of this.classes) {
      ul.append(h('li', { 'data-min': c.min, 'data-max': c.max, 'data-colour': c.colour },
        swatch(c.colour), `${num(c.min, 2)} – ${num(c.max, 2)}`));
    }
    if (values.some((v) => v == null)) {
      const s = swatch('#dddddd');
      s.classList.add('hatched');
      ul.append(h('li', { 'data-missing': 'true' }, s, t('missing')));
    }
    ul.append(this.pilotLegendItem());
    this.els.legend.replaceChildren(title, ul, h('p', { class: 'legend-note', text: t('darkerWorse') }));
  }

  pilotLegendItem() {
    const pilot = swatch('transparent');
    pilot.classList.add('outline');
    return h('li', {}, pilot, t('pilotOutline'));
  }

  /** renderAreaTypeLegend: the five types with their cut points and counts, the reference, the caveat. */
  renderAreaTypeLegend(res) {
    const scb = this.state.scb;
    if (!scb) {
      this.areaLegend.replaceChildren(h('p', { class: 'legend-note', text: t('scbError', { year: res.year, msg: this.state.scbError ?? '–' }) }));
      return;
    }
    const types = this.areaTypes();
    const count = {};
    for (const ty of types.values()) count[ty] = (count[ty] ?? 0) + 1;
    const title = h('p', { class: 'legend-title', text: t('areaTypeLegend', { year: scb.year }) });
    const ul = h('ul', { class: 'legend-list', id: 'areatype-legend-list' });
    for (const at of scb.area_types ?? []) {
      const ty = at.area_type;
      const cut = at.min_sd != null && at.max_sd != null ? t('areaTypeBetween', { min: num(at.min_sd), max: num(at.max_sd) })
        : at.min_sd != null ? t('areaTypeRange', { min: num(at.min_sd) }) : t('areaTypeBelow', { max: num(at.max_sd) });
      ul.append(h('li', { 'data-min': ty, 'data-type': ty, 'data-colour': areaTypeColours[ty] }, swatch(areaTypeColours[ty]),
        `${ty} ${getLang() === 'en' ? at.name_en : at.name_sv} (${cut}; ${t('areaTypeCount', { n: count[ty] ?? 0 })})`));
    }
    if (this.geo.features.some((f) => !types.has(f.properties.code))) {
      const s = swatch('#dddddd');
      s.classList.add('hatched');
      ul.append(h('li', { 'data-missing': 'true' }, s, t('missing')));
    }
    ul.append(this.pilotLegendItem());
    const notes = [];
    if ((scb.area_types ?? []).some((at) => /assum/i.test(at.source ?? ''))) notes.push(t('areaTypeAssumed'));
    const ref = scb.area_type_reference;
    if (ref?.mean != null && ref?.sd != null) {
      notes.push(t('areaTypeRef', { mean: num(ref.mean), sd: num(ref.sd),
        source: t(/configured/.test(ref.source ?? '') ? 'refConfigured' : 'refLocal') }));
    }
    this.areaLegend.replaceChildren(title, ul, ...notes.map((n) => h('p', { class: 'legend-note', text: n })));
  }

  renderSide(res) {
    const side = this.els.side;
    const heading = side.querySelector('h2');
    const ranked = res.districts.filter((d) => d.ranked && d.index != null && d.feasibility != null);
    const summary = h('p', { id: 'prio-summary', text: t('summary', {
      scenario: this.name(res.scenario ?? this.scenario), year: res.year, ranked: res.ranked, n: res.districts.length,
      norm: t(`norm_${res.normalisation}`), agg: t(`agg_${res.aggregation}`),
    }) });
    const warn = res.warnings?.length
      ? h('div', { class: 'warnings' }, h('p', { class: 'legend-title', text: t('warnings') }),
        h('ul', {}, ...res.warnings.map((w) => h('li', { text: warningText(w) }))))
      : null;
    const fig = h('figure', { class: 'matrix-figure', id: 'prio-matrix' },
      h('figcaption', { text: t('matrixTitle') }),
      needFeasibilityChart(ranked, { need: res.matrix.need_median, feasibility: res.matrix.feasibility_median }));
    const pilots = h('ol', { id: 'prio-pilots', class: 'pilots' }, ...res.pilots.map((p) => h('li', { 'data-code': p.code },
      h('strong', { text: p.name }), ' ', getLang() === 'en' ? p.explanation_en : p.explanation_sv)));
    const csv = h('a', { id: 'prio-csv', href: this.csvURL, download: `prioritering-${res.scenario?.id ?? 'egen'}-${res.year}.csv`, text: t('csv') });
    const notice = res.notice ? h('p', { class: 'legend-note', text: localNotice(res.notice) }) : null;
    side.replaceChildren(...[heading, summary, warn, fig, h('h3', { text: t('pilots') }), pilots, h('p', {}, csv), notice].filter(Boolean));
  }

  renderTable(res) {
    const box = this.els.results;
    const heading = box.querySelector('h2');
    const inds = res.indicators.filter((i) => i.weight > 0);
    const colour = Object.fromEntries(inds.map((i, n) => [i.key, barColours[n % barColours.length]]));
    const legend = h('ul', { class: 'legend-list inline', id: 'contrib-legend' }, ...inds.map((i) => h('li', {},
      swatch(colour[i.key]), `${this.name(i)} (${num(100 * i.weight, 0)} %)`)));

    const rows = [...res.districts].sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9) || (b.index ?? -1e9) - (a.index ?? -1e9));
    let maxPos = 0, maxNeg = 0;
    for (const d of rows) {
      let p = 0, n = 0;
      for (const v of Object.values(d.contributions)) if (v != null) { if (v > 0) p += v; else n -= v; }
      maxPos = Math.max(maxPos, p); maxNeg = Math.max(maxNeg, n);
    }
    const k = res.k;
    const th = (text) => h('th', { scope: 'col', text });
    const table = h('table', { id: 'prio-table', class: 'data' },
      h('caption', { text: t('tableCaption', { scenario: this.name(res.scenario ?? this.scenario), year: res.year,
        log: res.contribution_space === 'log_index' ? t('logSpace') : '' }) }),
      h('thead', {}, h('tr', {}, th(t('rank')), th(t('areaType')), th(t('district')), th(t('index')), th(t('contributions')), th(t('coverage')),
        th(t('rankInterval')), th(t('pTopK', { k })), th(t('change', { year: res.base_year })), th(t('earlyWarning')), th(t('pilot')))));
    const tbody = h('tbody');
    const types = this.areaTypes();
    const flags = { need_outside: [], good_inside: [] };
    for (const d of rows) {
      const s = d.sensitivity;
      const ty = types.get(d.code);
      const flag = scbFlag(ty, d.rank, k);
      if (flag) flags[flag].push(d.name);
      const typeCell = h('td', { class: flag ? 'areatype disagree' : 'areatype' });
      if (ty != null) {
        const at = this.state.scb.area_types?.find((x) => x.area_type === ty);
        typeCell.append(swatch(areaTypeColours[ty]), ` ${ty}`,
          h('span', { class: 'sr-only', text: at ? ` ${getLang() === 'en' ? at.name_en : at.name_sv}` : '' }));
        if (flag) typeCell.append(h('span', { class: 'flag', text: `⚑ ${t(flag === 'need_outside' ? 'scbNeedOutside' : 'scbGoodInside', { k })}` }));
      } else typeCell.append('–');
      tbody.append(h('tr', { 'data-code': d.code, 'data-index': d.index ?? '', 'data-rank': d.rank ?? '', 'data-area-type': ty ?? '',
        'data-scb-flag': flag ?? '', class: d.pilot ? 'pilot' : null, tabindex: -1 },
        h('td', { text: d.rank ?? t('notRanked') }),
        typeCell,
        h('th', { scope: 'row', text: d.name }),
        h('td', { class: 'num', text: num(d.index, 2) }),
        h('td', {}, this.bar(d, inds, colour, maxPos, maxNeg)),
        h('td', { class: 'num', text: `${num(100 * d.coverage, 0)} %` }),
        h('td', { class: 'num', text: s ? `${num(s.p05, 0)}–${num(s.p95, 0)}` : '–' }),
        h('td', { class: 'num', text: s ? `${num(100 * s.p_top_k, 0)} %` : '–' }),
        h('td', { class: 'num', text: d.change != null ? (d.change > 0 ? '+' : '') + num(d.change, 2) : '–' }),
        h('td', { class: d.early_warning ? 'warn' : null, text: d.early_warning ? `⚠ ${t('yes')}` : t('no') }),
        h('td', { text: d.pilot ? `★ ${t('yes')}` : '' })));
    }
    table.append(tbody);
    const wrap = h('div', { class: 'table-wrap' }, table);
    const keep = box.querySelector('#prio-compare');
    box.replaceChildren(heading, this.scbSummary(res, flags), legend, wrap, keep ?? h('div', { id: 'prio-compare' }));
    if (!keep) this.renderCompare(); // the comparison may have come first
  }

  /** scbSummary says where SCB's area types and the chosen weighting's top k disagree. */
  scbSummary(res, flags) {
    const p = h('div', { id: 'prio-scb-summary', class: 'scb-summary' });
    if (!this.state.scb) {
      p.append(h('p', { text: t('scbError', { year: res.year, msg: this.state.scbError ?? '–' }) }));
      return p;
    }
    const k = res.k;
    const items = [];
    if (flags.need_outside.length) items.push(h('li', { 'data-flag': 'need_outside', text: t('scbNeedOutsideList', { k, list: flags.need_outside.join(', ') }) }));
    if (flags.good_inside.length) items.push(h('li', { 'data-flag': 'good_inside', text: t('scbGoodInsideList', { k, list: flags.good_inside.join(', ') }) }));
    p.append(h('p', { text: `${t('scbCompare', { k })} ${items.length ? '' : t('scbAgree', { k })}` }));
    if (items.length) p.append(h('ul', {}, ...items));
    return p;
  }

  /** bar draws one district's contributions stacked around zero, with a text alternative. */
  bar(d, inds, colour, maxPos, maxNeg) {
    const W = 180, H = 14;
    const zero = maxPos + maxNeg > 0 ? (W * maxNeg) / (maxPos + maxNeg) : 0;
    const scale = maxPos + maxNeg > 0 ? W / (maxPos + maxNeg) : 0;
    const parts = inds.filter((i) => d.contributions[i.key] != null)
      .map((i) => `${this.name(i)} ${num(d.contributions[i.key], 2)}`);
    const svg = document.createElementNS(SVGNS, 'svg');
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    svg.setAttribute('width', W);
    svg.setAttribute('height', H);
    svg.setAttribute('role', 'img');
    svg.setAttribute('class', 'contrib');
    svg.setAttribute('aria-label', t('contribText', { list: parts.join('; ') || '–' }));
    let pos = zero, neg = zero;
    for (const i of inds) {
      const v = d.contributions[i.key];
      if (v == null || v === 0) continue;
      const w = Math.abs(v) * scale;
      const r = document.createElementNS(SVGNS, 'rect');
      const x = v > 0 ? pos : neg - w;
      if (v > 0) pos += w; else neg -= w;
      r.setAttribute('x', x.toFixed(2)); r.setAttribute('y', 1); r.setAttribute('width', w.toFixed(2)); r.setAttribute('height', H - 2);
      r.setAttribute('fill', colour[i.key]);
      r.setAttribute('data-key', i.key);
      svg.append(r);
    }
    const z = document.createElementNS(SVGNS, 'line');
    z.setAttribute('x1', zero); z.setAttribute('x2', zero); z.setAttribute('y1', 0); z.setAttribute('y2', H);
    z.setAttribute('class', 'zero');
    svg.append(z);
    return svg;
  }

  renderCompare() {
    const cmp = this.state.compare;
    const box = this.els.results.querySelector('#prio-compare');
    if (!cmp || !box) return;
    const scs = cmp.scenarios;
    const th = (text, scope = 'col') => h('th', { scope, text });
    const ranks = h('table', { id: 'compare-table', class: 'data' },
      h('caption', { text: t('compareCaption', { year: cmp.year }) }),
      h('thead', {}, h('tr', {}, th(t('consensus')), th(t('district')), ...scs.map((s) => th(s.organisation)), th(t('borda')))),
      h('tbody', {}, ...cmp.districts.map((d) => h('tr', { 'data-code': d.code },
        h('td', { text: d.consensus_rank }), th(d.name, 'row'),
        ...scs.map((s) => h('td', { class: d.ranks[s.id] != null && d.ranks[s.id] <= cmp.k ? 'num top' : 'num', text: d.ranks[s.id] ?? '–' })),
        h('td', { class: 'num', text: num(d.borda_points, 1) })))));
    const ids = cmp.kendall_tau.scenarios;
    const org = (id) => scs.find((s) => s.id === id)?.organisation ?? id;
    const tau = h('table', { id: 'tau-table', class: 'data' },
      h('caption', { text: t('tauCaption') }),
      h('thead', {}, h('tr', {}, h('td'), ...ids.map((id) => th(org(id))))),
      h('tbody', {}, ...cmp.kendall_tau.matrix.map((row, i) => h('tr', {}, th(org(ids[i]), 'row'),
        ...row.map((v) => h('td', { class: 'num', text: num(v, 2) }))))));
    const dis = h('ul', { id: 'disagreements' }, ...cmp.disagreements.map((d) => h('li', {},
      h('strong', { text: d.name }), ` (${t('rankRange', { min: d.min_rank, max: d.max_rank })}): `,
      scs.filter((s) => d.ranks[s.id] != null).map((s) => `${s.organisation} ${d.ranks[s.id]}`).join(', '))));
    box.replaceChildren(h('h3', { text: t('compare') }), h('div', { class: 'table-wrap' }, ranks),
      h('div', { class: 'table-wrap' }, tau), h('h4', { text: t('disagreements') }), dis);
  }

  /** select highlights a district's row after a click on the map. */
  select(code) {
    this.state.selected = code;
    for (const tr of this.els.results.querySelectorAll('#prio-table tr.selected')) tr.classList.remove('selected');
    const tr = this.els.results.querySelector(`#prio-table tr[data-code="${CSS.escape(code)}"]`);
    if (!tr) return;
    tr.classList.add('selected');
    tr.scrollIntoView({ block: 'nearest' });
    tr.focus({ preventScroll: true });
  }
}

/**
 * scbFlag says how SCB's area type (1–5, or undefined) and a district's rank under the chosen
 * weighting disagree: 'need_outside' for type 1–2 outside the top k (or not ranked),
 * 'good_inside' for a top-k district of type 4–5, null otherwise.
 */
export function scbFlag(type, rank, k) {
  if (type == null) return null;
  const top = rank != null && rank <= k;
  if (type <= 2 && !top) return 'need_outside';
  if (type >= 4 && top) return 'good_inside';
  return null;
}
