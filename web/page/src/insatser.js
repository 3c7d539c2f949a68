// The "Insatser" view (issue 6): the interventions register. The list comes from
// GET /collections/interventions/items with the API's own filters (horizon, approach,
// lead_org, status); the district filter runs here over target_districts, which the API
// does not filter on. A row opens the intervention's details (GET of the item, whose ETag
// names its version) and its change history, and zooms the map to it. The form adds (POST)
// and edits (PATCH, a JSON merge patch of the form's fields, so a drawn geometry is kept)
// with If-Match: a 412 means someone else changed it in between, and the form offers the
// latest version. The API's validation answer names the field at fault (problem+json
// param "properties.<name>"); the message is shown next to that field.
//
// The enumerations (category, horizon, approach, status, observation categories) come from
// the API's OpenAPI document, so the form offers what the catalogue declares.
import { apiFetch, apiURL, getJSON } from './api.js';
import { t, label, num, getLang, addTexts, onLangChange, problemReason, problemText } from './i18n.js';
import { addInterventionLayers, colourOf, legendColours, bounds, whenIdle } from './map.js';
import { swatch } from './choropleth.js';
import { View } from './view.js';
import { h } from './dom.js';
import { canWrite } from './auth.js';

addTexts({
  sv: {
    viewInterventions: 'Insatser', skipInterventions: 'Hoppa till listan över insatser',
    ivControls: 'Insatser: urval', ivSide: 'Vald insats', ivResults: 'Insatsregister',
    ivAll: 'alla', ivNew: 'Ny insats', ivDistrictFilter: 'Stadsdel (insatsens målområden)',
    ivCaption: '{n} av {total} insatser i registret', ivEmpty: 'Inga insatser matchar urvalet.',
    ivColTitle: 'Insats', ivColPeriod: 'Period', ivColDistricts: 'Stadsdelar',
    ivNothing: 'Välj en insats i listan eller på kartan, eller lägg till en ny.',
    ivEdit: 'Redigera', ivVersion: 'Version', ivHistory: 'Ändringshistorik',
    ivNoHistory: 'Inga ändringar via API:t ännu (inlästa data).', ivNoGeometry: 'Ingen plats på kartan.',
    ivAreaOnly: 'Ingen egen plats: kartan visar målområdenas gräns (prickad).', ivAreaLegend: 'prickad kant: målområden, ingen egen plats',
    ivOp_create: 'skapad', ivOp_replace: 'ersatt', ivOp_update: 'ändrad', ivOp_delete: 'borttagen',
    ivChanged: 'ändrat: {list}', ivBy: 'av {who}',
    ivFormNew: 'Ny insats', ivFormEdit: 'Redigera insats (version {v})',
    ivF_title: 'Titel', ivF_description: 'Beskrivning', ivF_category: 'Kategori', ivF_horizon: 'Tidshorisont',
    ivF_approach: 'Inriktning', ivF_lead_org: 'Ansvarig organisation', ivF_partners: 'Partner (skilj med kommatecken)',
    ivF_status: 'Status', ivF_start_date: 'Startdatum', ivF_end_date: 'Slutdatum', ivF_hours_per_week: 'Timmar per vecka',
    ivF_budget_sek: 'Budget (kronor)', ivF_target_districts: 'Stadsdelar som insatsen riktar sig till',
    ivF_target_indicators: 'Indikatorer som insatsen ska påverka', ivF_target_categories: 'Observationer som insatsen ska minska',
    ivPartners: 'Partner', ivRequired: 'obligatoriskt', ivChoose: '– välj –',
    ivGeomNew: 'Platsen på kartan blir de valda stadsdelarnas yta.', ivGeomKept: 'Insatsens plats på kartan ändras inte av formuläret.',
    ivSave: 'Spara', ivCancel: 'Avbryt', ivSaving: 'Sparar…', ivCreated: 'Insatsen ”{title}” är tillagd.',
    ivSaved: 'Ändringarna i ”{title}” är sparade (version {v}).',
    ivConflict: 'Någon annan har ändrat insatsen sedan du öppnade den – ladda om. Formuläret visar då den senaste versionen; gör om dina ändringar där.',
    ivReload: 'Ladda om senaste versionen', ivReloaded: 'Formuläret visar nu version {v}.',
    ivFieldRequired: 'Fyll i fältet.', ivFieldInvalid: 'Ogiltigt värde: {reason}',
    ivFormError: 'Insatsen kunde inte sparas: {field} – {msg}', ivSaveError: 'Insatsen kunde inte sparas: {msg}',
    ivMapLabel: 'Karta över insatserna i urvalet, färgade efter tidshorisont. Listan under kartan har samma insatser.',
    ivLegend: 'Insatser efter tidshorisont', ivShown: '{n} insatser visas.',
  },
  en: {
    viewInterventions: 'Interventions', skipInterventions: 'Skip to the list of interventions',
    ivControls: 'Interventions: filter', ivSide: 'Selected intervention', ivResults: 'Interventions register',
    ivAll: 'all', ivNew: 'New intervention', ivDistrictFilter: "District (the intervention's targets)",
    ivCaption: '{n} of {total} interventions in the register', ivEmpty: 'No intervention matches the filter.',
    ivColTitle: 'Intervention', ivColPeriod: 'Period', ivColDistricts: 'Districts',
    ivNothing: 'Choose an intervention in the list or on the map, or add a new one.',
    ivEdit: 'Edit', ivVersion: 'Version', ivHistory: 'Change history',
    ivNoHistory: 'No changes through the API yet (loaded data).', ivNoGeometry: 'No place on the map.',
    ivAreaOnly: 'No place of its own: the map shows the outline of its target districts (dotted).', ivAreaLegend: 'dotted outline: target districts, no place of its own',
    ivOp_create: 'created', ivOp_replace: 'replaced', ivOp_update: 'changed', ivOp_delete: 'deleted',
    ivChanged: 'changed: {list}', ivBy: 'by {who}',
    ivFormNew: 'New intervention', ivFormEdit: 'Edit intervention (version {v})',
    ivF_title: 'Title', ivF_description: 'Description', ivF_category: 'Category', ivF_horizon: 'Time horizon',
    ivF_approach: 'Approach', ivF_lead_org: 'Lead organisation', ivF_partners: 'Partners (separated by commas)',
    ivF_status: 'Status', ivF_start_date: 'Start date', ivF_end_date: 'End date', ivF_hours_per_week: 'Hours per week',
    ivF_budget_sek: 'Budget (SEK)', ivF_target_districts: 'Districts the intervention targets',
    ivF_target_indicators: 'Indicators the intervention means to move', ivF_target_categories: 'Observations the intervention means to reduce',
    ivPartners: 'Partners', ivRequired: 'required', ivChoose: '– choose –',
    ivGeomNew: "Its place on the map will be the chosen districts' area.", ivGeomKept: "The form does not change the intervention's place on the map.",
    ivSave: 'Save', ivCancel: 'Cancel', ivSaving: 'Saving…', ivCreated: 'The intervention “{title}” has been added.',
    ivSaved: 'The changes to “{title}” are saved (version {v}).',
    ivConflict: 'Someone else changed it since you opened it — reload. The form then shows the latest version; make your changes again there.',
    ivReload: 'Reload the latest version', ivReloaded: 'The form now shows version {v}.',
    ivFieldRequired: 'Fill in this field.', ivFieldInvalid: 'Invalid value: {reason}',
    ivFormError: 'The intervention could not be saved: {field} – {msg}', ivSaveError: 'The intervention could not be saved: {msg}',
    ivMapLabel: 'Map of the interventions in the list, coloured by time horizon. The list below the map has the same interventions.',
    ivLegend: 'Interventions by time horizon', ivShown: '{n} interventions shown.',
  },
});

export const interventionLayers = ['insatser-area', 'insatser-fill', 'insatser-line', 'insatser-point', 'insatser-selected-line',
  'insatser-selected-point', 'insatser-area-selected'];
// Layers a click on the map looks at, topmost first.
export const interventionClickable = ['insatser-point', 'insatser-line', 'insatser-fill', 'insatser-area'];

// The filters: the API's own (name → query parameter) and the district, filtered here.
const apiFilters = ['horizon', 'approach', 'lead_org', 'status'];

// The form's fields in order: kind, and for selects the enumeration they take.
const fields = [
  ['title', 'text', true], ['description', 'textarea'], ['category', 'select', true], ['horizon', 'select', true],
  ['approach', 'select', true], ['lead_org', 'text', true], ['partners', 'list'], ['status', 'select', true],
  ['start_date', 'date'], ['end_date', 'date'], ['hours_per_week', 'number'], ['budget_sek', 'number'],
  ['target_districts', 'checks'], ['target_indicators', 'checks'], ['target_categories', 'checks'],
];

/** request sends a write; the answer is {status, etag, body} with the problem document for errors. */
async function request(method, path, body, headers = {}) {
  const res = await apiFetch(apiURL(path), {
    method, cache: 'no-store', body: body == null ? undefined : JSON.stringify(body),
    headers: { Accept: 'application/geo+json, application/json', ...headers },
  });
  let doc = null;
  try { doc = await res.json(); } catch { /* 204 or not JSON */ }
  return { status: res.status, ok: res.ok, etag: res.headers.get('ETag'), body: doc };
}

export class InterventionsView extends View {
  /** els: { controls, side, results, legend }; app: window.lagesbild; status(msg); onChange() after a write. */
  constructor(map, els, app, status, onChange) {
    super('viewInterventions');
    this.map = map;
    this.els = els;
    this.app = app;
    this.status = status;
    this.onChange = onChange;
    this.state = { ready: false, rows: [], total: 0, selected: null, etag: null, form: null, message: null, history: [] };
    this.state.home = () => this.home(); // the whole list on the map (tests, screenshots)
    app.insatser = this.state;
    // The colours of the time horizons are the interventions declaration's, as on the map view.
    const decl = app.layers?.interventions ?? { colour: '#666666', colourBy: 'horizon', legend: [] };
    this.colour = colourOf(decl);
    this.horizonColours = legendColours(decl);
    this.otherColour = decl.colour;
    this.all = [];
    this.seq = 0;
    this.detailSeq = 0;
    this.active = false;
    onLangChange(() => { if (this.enums) this.relabel(); });
  }

  /** refresh reruns the view's data for a new caller (View.reload). */
  refresh() {
    this.newButton.hidden = !canWrite(); // a reader gets no form that would end in 403
    this.load();
  }

  showLayers(on) {
    this.active = on;
    if (!this.map.getLayer('insatser-fill')) return;
    for (const id of interventionLayers) this.map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
  }

  async init() {
    const [api, districts, indicators] = await Promise.all([
      getJSON('api'),
      // Every level: an intervention may target the whole municipality.
      getJSON('collections/districts/items', { limit: 1000, sortby: 'name', properties: 'name,level' }),
      getJSON('collections/indicators/items', { limit: 1000 }),
    ]);
    const props = api.components.schemas.InterventionsWrite.properties.properties.properties;
    const obs = api.components.schemas.ObservationsFeature.properties.properties.properties;
    this.enums = {
      category: props.category.enum, horizon: props.horizon.enum, approach: props.approach.enum, status: props.status.enum,
      target_categories: obs.category.enum,
    };
    // The municipality first, then the districts by name.
    const rank = (l) => (l === 'municipality' ? 0 : 1);
    this.districts = districts.features.map((f) => ({ code: f.id, name: f.properties.name, level: f.properties.level, geometry: f.geometry }))
      .sort((a, b) => rank(a.level) - rank(b.level) || a.name.localeCompare(b.name, 'sv'));
    this.indicators = indicators.features.map((f) => ({ key: f.id, ...f.properties }));
    this.addLayers();
    this.buildControls();
    this.built = true;
    this.renderLegend();
    this.showDetails(null);
    await this.load();
    if (this.state.rows.length) this.home();
  }

  addLayers() {
    const map = this.map;
    const empty = { type: 'FeatureCollection', features: [] };
    // tolerance 0: no simplification, so a small place (a square, a yard) is not dropped
    // when the map is zoomed out to the whole municipality (the register is small).
    map.addSource('insatser', { type: 'geojson', data: empty, tolerance: 0 });
    map.addSource('insatser-areas', { type: 'geojson', data: empty });
    const hidden = { visibility: this.active ? 'visible' : 'none' };
    // An intervention without a place of its own is drawn as the outline of its target
    // districts (what the API derives for a new one without geometry), dotted, unfilled.
    map.addLayer({ id: 'insatser-area', type: 'line', source: 'insatser-areas', layout: hidden,
      paint: { 'line-color': this.colour, 'line-width': 3, 'line-dasharray': [1, 1.5] } });
    addInterventionLayers(map, 'insatser', { source: 'insatser' }, hidden, this.colour);
    map.addLayer({ id: 'insatser-area-selected', type: 'line', source: 'insatser-areas', layout: hidden,
      filter: ['==', ['id'], -1], paint: { 'line-color': '#000000', 'line-width': 4 } });
    map.addLayer({ id: 'insatser-selected-line', type: 'line', source: 'insatser', layout: hidden,
      filter: ['all', ['==', ['id'], -1], ['!=', ['geometry-type'], 'Point']], paint: { 'line-color': '#000000', 'line-width': 4 } });
    map.addLayer({ id: 'insatser-selected-point', type: 'circle', source: 'insatser', layout: hidden,
      filter: ['all', ['==', ['id'], -1], ['==', ['geometry-type'], 'Point']],
      paint: { 'circle-radius': 12, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#000000', 'circle-stroke-width': 3 } });
  }

  name(o) { return getLang() === 'en' ? o.name_en : o.name_sv; }
  districtName(code) { return this.districts.find((d) => d.code === code)?.name ?? code; }

  // ---- filters and list ----

  buildControls() {
    const c = this.els.controls;
    this.filters = {};
    const box = h('div', { class: 'block', id: 'iv-filters' });
    for (const name of [...apiFilters, 'district']) {
      const id = `iv-f-${name}`;
      const sel = h('select', { id, 'data-filter': name });
      sel.addEventListener('change', () => this.load());
      this.filters[name] = sel;
      box.append(h('label', { for: id, 'data-label': name }), sel);
    }
    this.newButton = h('button', { type: 'button', id: 'iv-new', class: 'button', hidden: !canWrite() });
    this.newButton.addEventListener('click', () => this.openForm(null));
    c.append(box, this.newButton);
    this.relabelControls();
  }

  relabelControls() {
    for (const lab of this.els.controls.querySelectorAll('label[data-label]')) {
      const n = lab.dataset.label;
      lab.textContent = n === 'district' ? t('ivDistrictFilter') : t(`ivF_${n}`);
    }
    this.newButton.textContent = t('ivNew');
    this.fillFilterOptions();
  }

  fillFilterOptions() {
    const opts = {
      horizon: this.enums.horizon.map((v) => [v, label(v)]),
      approach: this.enums.approach.map((v) => [v, label(v)]),
      status: this.enums.status.map((v) => [v, label(v)]),
      lead_org: [...new Set(this.all.map((f) => f.properties.lead_org))].sort((a, b) => a.localeCompare(b, 'sv')).map((v) => [v, v]),
      district: this.districts.map((d) => [d.code, d.name]),
    };
    for (const [name, sel] of Object.entries(this.filters)) {
      const keep = sel.value;
      sel.replaceChildren(h('option', { value: '', text: t('ivAll') }), ...opts[name].map(([v, text]) => h('option', { value: v, text })));
      sel.value = opts[name].some(([v]) => v === keep) ? keep : '';
    }
  }

  /** load asks the API for the list under the chosen filters (and the whole register for the totals). */
  async load() {
    const seq = ++this.seq;
    this.state.ready = false;
    const params = { limit: 1000, sortby: 'title' };
    for (const name of apiFilters) if (this.filters[name].value) params[name] = this.filters[name].value;
    try {
      const [all, fc] = await Promise.all([
        getJSON('collections/interventions/items', { limit: 1000, sortby: 'title', properties: 'title,lead_org' }, { fresh: true }),
        getJSON('collections/interventions/items', params, { fresh: true }),
      ]);
      if (seq !== this.seq) return;
      this.all = all.features;
      const district = this.filters.district.value;
      const rows = district ? fc.features.filter((f) => (f.properties.target_districts ?? []).includes(district)) : fc.features;
      this.rows = rows;
      this.state.rows = rows.map((f) => f.id);
      this.state.total = all.features.length;
      this.state.params = params;
      this.fillFilterOptions();
      this.map.getSource('insatser').setData({ type: 'FeatureCollection', features: rows.filter((f) => f.geometry) });
      this.map.getSource('insatser-areas').setData({ type: 'FeatureCollection',
        features: rows.filter((f) => !f.geometry).map((f) => this.areaFeature(f)).filter(Boolean) });
      this.renderList();
      this.highlight();
      if (this.app.view === 'insatser') this.status(t('ivShown', { n: rows.length }));
      await whenIdle(this.map);
      if (seq === this.seq) this.state.ready = true;
    } catch (err) {
      if (seq !== this.seq) return;
      this.status(t('loadError', { what: t('viewInterventions'), msg: err.message }));
    }
  }

  /** areaFeature is an intervention without a geometry drawn as its target districts (null if none). */
  areaFeature(f) {
    const polys = [];
    for (const code of f.properties.target_districts ?? []) {
      const g = this.districts.find((d) => d.code === code)?.geometry;
      if (g?.type === 'Polygon') polys.push(g.coordinates);
      else if (g?.type === 'MultiPolygon') polys.push(...g.coordinates);
    }
    if (!polys.length) return null;
    return { type: 'Feature', id: f.id, geometry: { type: 'MultiPolygon', coordinates: polys }, properties: { ...f.properties, area: true } };
  }

  /** located is a feature as the map draws it: its geometry, or its target districts. */
  located(f) { return f.geometry ? f : this.areaFeature(f); }

  /** home fits the map to the listed interventions (the municipality-wide ones only when alone). */
  home() {
    const municipal = (f) => !f.geometry && (f.properties.target_districts ?? [])
      .every((c) => this.districts.find((d) => d.code === c)?.level === 'municipality');
    const rows = this.rows ?? [];
    const local = rows.filter((f) => !municipal(f));
    const withGeom = (local.length ? local : rows).map((f) => this.located(f)).filter(Boolean);
    if (withGeom.length) this.map.fitBounds(bounds(withGeom), { padding: 30, duration: 0, maxZoom: 14 });
  }

  renderList() {
    const box = this.els.results;
    const heading = box.querySelector('h2');
    const th = (text) => h('th', { scope: 'col', text });
    const table = h('table', { id: 'iv-table', class: 'data' },
      h('caption', { text: t('ivCaption', { n: this.rows.length, total: this.state.total }) }),
      h('thead', {}, h('tr', {}, th(t('ivColTitle')), th(t('ivF_horizon')), th(t('ivF_approach')), th(t('ivF_lead_org')),
        th(t('ivF_status')), th(t('ivColPeriod')), th(t('ivColDistricts')))));
    const tbody = h('tbody');
    for (const f of this.rows) {
      const p = f.properties;
      const b = h('button', { type: 'button', class: 'link', 'data-id': f.id, text: p.title });
      b.addEventListener('click', () => this.select(f.id, true));
      tbody.append(h('tr', { 'data-id': f.id, class: f.id === this.state.selected ? 'selected' : null },
        h('th', { scope: 'row' }, b),
        h('td', {}, swatch(this.horizonColours[p.horizon] ?? this.otherColour, 'circle'), ` ${label(p.horizon)}`),
        h('td', { text: label(p.approach) }),
        h('td', { text: p.lead_org }),
        h('td', { text: label(p.status) }),
        h('td', { class: 'num', text: period(p) }),
        h('td', { text: (p.target_districts ?? []).map((c) => this.districtName(c)).join(', ') })));
    }
    table.append(tbody);
    const empty = this.rows.length ? null : h('p', { id: 'iv-empty', text: t('ivEmpty') });
    box.replaceChildren(heading, h('div', { class: 'table-wrap' }, table), empty);
  }

  renderLegend() {
    const ul = h('ul', { class: 'legend-list' }, ...Object.entries(this.horizonColours)
      .map(([k, c]) => h('li', { 'data-horizon': k, 'data-colour': c }, swatch(c, 'circle'), label(k))));
    const dotted = swatch('transparent');
    dotted.classList.add('dotted');
    ul.append(h('li', {}, dotted, t('ivAreaLegend')));
    this.els.legend.replaceChildren(h('p', { class: 'legend-title', text: t('ivLegend') }), ul);
  }

  relabel() {
    this.relabelControls();
    this.renderLegend();
    if (this.rows) this.renderList();
    if (this.state.form) this.renderForm(this.state.form.feature, { keepValues: true });
    else this.renderDetails();
  }

  // ---- selection, details, history ----

  /** select shows intervention id's details and history and, when zoom, zooms the map to it. */
  async select(id, zoom) {
    this.state.selected = id;
    this.state.form = null;
    this.highlight();
    for (const tr of this.els.results.querySelectorAll('#iv-table tbody tr')) tr.classList.toggle('selected', Number(tr.dataset.id) === id);
    const seq = ++this.detailSeq;
    this.state.detailsReady = false;
    const [item, hist] = await Promise.all([
      request('GET', `collections/interventions/items/${id}`),
      request('GET', `collections/interventions/items/${id}/history`),
    ]);
    if (seq !== this.detailSeq) return;
    if (!item.ok) {
      this.status(t('loadError', { what: t('intervention'), msg: `${item.status} ${item.body?.detail ?? ''}` }));
      return;
    }
    this.feature = item.body;
    this.state.etag = item.etag;
    this.state.history = hist.ok ? hist.body.versions : [];
    this.renderDetails();
    const located = this.located(this.feature);
    if (zoom && located) this.map.fitBounds(bounds([located]), { padding: 50, duration: 0, maxZoom: 15 });
    this.state.detailsReady = true;
  }

  highlight() {
    const id = this.state.selected ?? -1;
    this.map.setFilter('insatser-selected-line', ['all', ['==', ['id'], id], ['!=', ['geometry-type'], 'Point']]);
    this.map.setFilter('insatser-selected-point', ['all', ['==', ['id'], id], ['==', ['geometry-type'], 'Point']]);
    this.map.setFilter('insatser-area-selected', ['==', ['id'], id]);
  }

  showDetails(feature) {
    this.feature = feature;
    this.renderDetails();
  }

  renderDetails() {
    const side = this.els.side;
    const heading = side.querySelector('h2');
    const f = this.feature;
    if (!f) {
      side.replaceChildren(heading, h('p', { class: 'hint', id: 'iv-details', text: t('ivNothing') }));
      return;
    }
    const p = f.properties;
    const ind = (k) => { const i = this.indicators.find((x) => x.key === k); return i ? this.name(i) : k; };
    const rows = [
      [t('ivF_category'), label(p.category)], [t('ivF_horizon'), label(p.horizon)], [t('ivF_approach'), label(p.approach)],
      [t('ivF_lead_org'), p.lead_org], [t('ivPartners'), (p.partners ?? []).join(', ')], [t('ivF_status'), label(p.status)],
      [t('ivColPeriod'), period(p)], [t('ivF_hours_per_week'), p.hours_per_week != null ? num(p.hours_per_week) : null],
      [t('ivF_budget_sek'), p.budget_sek != null ? num(p.budget_sek, 0) : null],
      [t('ivF_target_districts'), (p.target_districts ?? []).map((c) => this.districtName(c)).join(', ')],
      [t('ivF_target_indicators'), (p.target_indicators ?? []).map(ind).join(', ')],
      [t('ivF_target_categories'), (p.target_categories ?? []).map(label).join(', ')],
      [t('ivVersion'), this.state.etag?.replace(/"/g, '')],
    ];
    const dl = h('dl', { id: 'iv-props' });
    for (const [k, v] of rows) if (v) dl.append(h('dt', { text: k }), h('dd', { text: v }));
    const edit = h('button', { type: 'button', class: 'button', id: 'iv-edit', text: t('ivEdit') });
    edit.addEventListener('click', () => this.openForm(f));
    const hist = h('ol', { id: 'iv-history', class: 'history' });
    for (const e of [...this.state.history].reverse()) {
      const when = new Date(e.changed_at).toLocaleString(getLang() === 'en' ? 'en-GB' : 'sv-SE', { dateStyle: 'short', timeStyle: 'short' });
      const changed = changedFields(e.before, e.after).map((k) => (t(`ivF_${k}`) !== `ivF_${k}` ? t(`ivF_${k}`) : k));
      hist.append(h('li', { 'data-version': e.version },
        h('strong', { text: `v${e.version} ${t(`ivOp_${e.operation}`)}` }), ` ${when}`,
        e.changed_by ? ` ${t('ivBy', { who: e.changed_by })}` : null,
        changed.length ? h('span', { class: 'meta', text: ` – ${t('ivChanged', { list: changed.join(', ') })}` }) : null));
    }
    side.replaceChildren(heading,
      h('div', { id: 'iv-details' }, h('h3', { id: 'iv-details-title', text: p.title }),
        p.description ? h('p', { text: p.description }) : null,
        f.geometry ? null : h('p', { class: 'hint', text: t(this.areaFeature(f) ? 'ivAreaOnly' : 'ivNoGeometry') }), dl, canWrite() ? edit : null),
      h('h3', { text: t('ivHistory') }),
      this.state.history.length ? hist : h('p', { class: 'hint', id: 'iv-history', text: t('ivNoHistory') }),
      this.messageBox());
  }

  /** messageBox is the status line of the last write (role=status, so it is announced). */
  messageBox() {
    const m = this.state.message;
    const box = h('div', { id: 'iv-message', role: 'status', class: m?.kind === 'error' ? 'form-message error' : 'form-message' });
    if (m) box.textContent = m.text;
    return box;
  }

  // ---- the form ----

  /** openForm opens the form for feature (null: a new intervention). */
  openForm(feature) {
    this.state.form = { feature, etag: feature ? this.state.etag : null };
    this.state.message = null;
    this.renderForm(feature, {});
    this.els.side.querySelector('#iv-in-title')?.focus();
  }

  renderForm(feature, { keepValues }) {
    const side = this.els.side;
    const heading = side.querySelector('h2');
    const kept = keepValues ? this.formValues() : null;
    const p = feature?.properties ?? { status: 'planned' };
    const version = this.state.form?.etag?.replace(/"|v/g, '');
    const form = h('form', { id: 'iv-form', novalidate: true, 'aria-labelledby': 'iv-form-title' });
    const summary = h('div', { id: 'iv-form-status', role: 'alert', class: 'form-message' });
    form.append(h('h3', { id: 'iv-form-title', text: feature ? t('ivFormEdit', { v: version }) : t('ivFormNew') }), summary);
    for (const [name, kind, required] of fields) form.append(this.field(name, kind, required, kept ? kept[name] : p[name]));
    form.append(h('p', { class: 'hint', text: t(feature ? 'ivGeomKept' : 'ivGeomNew') }));
    const save = h('button', { type: 'submit', class: 'button primary', id: 'iv-save', text: t('ivSave') });
    const cancel = h('button', { type: 'button', class: 'button', id: 'iv-cancel', text: t('ivCancel') });
    cancel.addEventListener('click', () => {
      this.state.form = null;
      this.renderDetails();
      (this.els.results.querySelector(`button[data-id="${this.state.selected}"]`) ?? this.newButton).focus();
    });
    form.append(h('div', { class: 'form-buttons' }, save, cancel));
    form.addEventListener('submit', (e) => { e.preventDefault(); this.submit(); });
    side.replaceChildren(heading, form);
  }

  /** field builds one labelled form control with its error line (filled from the API's answer). */
  field(name, kind, required, value) {
    const id = `iv-in-${name}`;
    const err = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
    const lab = (forId) => h('label', { for: forId }, t(`ivF_${name}`),
      required ? h('span', { class: 'req', text: ` (${t('ivRequired')})` }) : null);
    let control;
    switch (kind) {
      case 'textarea':
        control = h('textarea', { id, name, rows: 3 });
        control.value = value ?? '';
        break;
      case 'select':
        control = h('select', { id, name, required },
          h('option', { value: '', text: t('ivChoose') }), ...this.enums[name].map((v) => h('option', { value: v, text: label(v) })));
        control.value = value ?? '';
        break;
      case 'checks': {
        const opts = name === 'target_districts' ? this.districts.map((d) => [d.code, d.name])
          : name === 'target_indicators' ? this.indicators.map((i) => [i.key, this.name(i)])
            : this.enums.target_categories.map((c) => [c, label(c)]);
        const chosen = new Set(value ?? []);
        // A stored value the lists do not offer stays offered (and checked), so an edit keeps it.
        for (const v of chosen) if (!opts.some(([o]) => o === v)) opts.push([v, v]);
        const fs = h('fieldset', { class: 'checks', id, 'data-name': name }, h('legend', { text: t(`ivF_${name}`) }));
        opts.forEach(([v, text], i) => {
          const cid = `${id}-${i}`;
          fs.append(h('div', { class: 'check' }, h('input', { type: 'checkbox', id: cid, value: v, checked: chosen.has(v) }),
            h('label', { for: cid, text })));
        });
        return h('div', { class: 'field', 'data-field': name }, fs, err);
      }
      case 'list':
        control = h('input', { id, name, type: 'text', autocomplete: 'off' });
        control.value = Array.isArray(value) ? value.join(', ') : (value ?? '');
        break;
      case 'number':
        control = h('input', { id, name, type: 'number', min: 0, step: 'any', inputmode: 'decimal' });
        control.value = value ?? '';
        break;
      default:
        control = h('input', { id, name, type: kind, required, autocomplete: 'off' });
        control.value = value ?? '';
    }
    return h('div', { class: 'field', 'data-field': name }, lab(id), control, err);
  }

  /** formValues reads the form into the properties of the API's feature. */
  formValues() {
    const form = this.els.side.querySelector('#iv-form');
    const out = {};
    for (const [name, kind] of fields) {
      if (kind === 'checks') {
        out[name] = [...form.querySelectorAll(`#iv-in-${name} input:checked`)].map((i) => i.value);
        continue;
      }
      const v = form.querySelector(`#iv-in-${name}`).value.trim();
      if (kind === 'list') out[name] = v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [];
      else if (kind === 'number') out[name] = v === '' ? null : Number(v);
      else if (kind === 'text' && (name === 'title')) out[name] = v;
      else out[name] = v === '' ? null : v;
    }
    return out;
  }

  clearErrors() {
    const form = this.els.side.querySelector('#iv-form');
    for (const e of form.querySelectorAll('.field-error')) { e.hidden = true; e.textContent = ''; }
    for (const e of form.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
    for (const e of form.querySelectorAll('[aria-describedby]')) e.removeAttribute('aria-describedby');
    const s = form.querySelector('#iv-form-status');
    s.replaceChildren();
  }

  async submit() {
    const form = this.state.form;
    if (!form || this.saving) return;
    this.clearErrors();
    const props = this.formValues();
    const statusBox = this.els.side.querySelector('#iv-form-status');
    statusBox.textContent = t('ivSaving');
    this.saving = true;
    this.state.ready = false;
    let res;
    try {
      res = form.feature
        ? await request('PATCH', `collections/interventions/items/${form.feature.id}`, { properties: props },
          { 'Content-Type': 'application/merge-patch+json', 'If-Match': form.etag })
        : await request('POST', 'collections/interventions/items', { type: 'Feature', geometry: null, properties: props },
          { 'Content-Type': 'application/geo+json' });
    } catch (err) {
      res = { ok: false, status: 0, body: { detail: err.message } };
    } finally {
      this.saving = false;
    }
    this.state.lastStatus = res.status;
    if (res.ok) {
      const f = res.body;
      this.state.form = null;
      this.state.message = { kind: 'ok', text: t(form.feature ? 'ivSaved' : 'ivCreated', { title: f.properties.title, v: res.etag?.replace(/"|v/g, '') }) };
      this.onChange?.();
      await this.load();
      await this.select(f.id, !form.feature);
      this.els.side.querySelector('#iv-edit')?.focus();
      this.state.ready = true;
      return;
    }
    this.state.ready = true;
    if (res.status === 412) {
      const reload = h('button', { type: 'button', class: 'button', id: 'iv-reload', text: t('ivReload') });
      reload.addEventListener('click', () => this.reloadForm());
      statusBox.replaceChildren(h('p', { id: 'iv-conflict', text: t('ivConflict') }), reload);
      statusBox.classList.add('error');
      reload.focus();
      return;
    }
    const param = res.body?.param ?? '';
    const name = param.startsWith('properties.') ? param.slice('properties.'.length) : param;
    // The API's reason is English; its code is worded here in the reader's language.
    const reason = problemReason(res.body, (n) => t(`ivF_${n}`));
    const input = this.els.side.querySelector(`#iv-in-${CSS.escape(name)}`);
    statusBox.classList.add('error');
    if (res.status === 400 && input) {
      const err = this.els.side.querySelector(`#iv-in-${CSS.escape(name)}-error`);
      err.textContent = res.body?.['invalid-params']?.[0]?.code === 'required' ? t('ivFieldRequired') : t('ivFieldInvalid', { reason });
      err.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', err.id);
      statusBox.textContent = t('ivFormError', { field: t(`ivF_${name}`), msg: err.textContent });
      (input.matches('fieldset') ? input.querySelector('input') : input).focus();
      return;
    }
    statusBox.textContent = t('ivSaveError', { msg: res.status ? problemText(res.status, res.body) : res.body?.detail ?? '' });
  }

  /** reloadForm fills the form with the latest version after a conflict. */
  async reloadForm() {
    const id = this.state.form.feature.id;
    const item = await request('GET', `collections/interventions/items/${id}`);
    if (!item.ok) {
      this.els.side.querySelector('#iv-form-status').textContent = t('ivSaveError', { msg: `${item.status}` });
      return;
    }
    this.state.etag = item.etag;
    this.state.form = { feature: item.body, etag: item.etag };
    this.renderForm(item.body, {});
    const s = this.els.side.querySelector('#iv-form-status');
    s.textContent = t('ivReloaded', { v: item.etag.replace(/"|v/g, '') });
    this.els.side.querySelector('#iv-in-title').focus();
  }
}

/** period is "start – end" (open-ended shown as such). */
function period(p) {
  if (!p.start_date && !p.end_date) return '–';
  return `${p.start_date ?? '…'} – ${p.end_date ?? t('openEnded')}`;
}

/** changedFields lists the properties that differ between two history rows. */
function changedFields(before, after) {
  if (!before || !after) return [];
  const a = before.properties ?? before, b = after.properties ?? after;
  const out = [];
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (['version', 'geometry', 'id'].includes(k)) continue;
    if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) out.push(k);
  }
  return out;
}
