// Partner overlays (issue 7): the layers partners uploaded and shared with the caller's
// organisation, in the map view's layer panel. Each can be switched on as an overlay drawn
// from the API's vector tiles (source-layer = the layer's id): points as circles, lines,
// polygons as outline and fill, one distinct colour per layer; a click shows the feature's
// properties. Editors upload a layer (PUT /partners/layers/{id} with the file as the body)
// and see the upload's report or the refusal naming the feature; a table sums a layer per
// district (GET …/districts?property=&total=). Anonymous callers see none: partner layers
// are never public, so the page does not even ask until someone is logged in.
import * as maplibregl from 'maplibre-gl';
import { apiFetch, apiURL, currentUser, getJSON, problemOf, tileURL } from './api.js';
import { t, num, addTexts, onLangChange, getLang, problemReason, problemText } from './i18n.js';
import { swatch } from './choropleth.js';
import { canWrite } from './auth.js';
import { h } from './dom.js';

addTexts({
  sv: {
    partnerLayers: 'Partnerlager',
    partnerLogin: 'Logga in för att se de partnerlager som delats med din organisation.',
    partnerNone: 'Inga partnerlager är delade med din organisation.',
    partnerOwner: 'från {owner}',
    partnerMeta: '{n} objekt, {geom}',
    geom_Point: 'punkter', geom_MultiPoint: 'punkter', geom_LineString: 'linjer', geom_MultiLineString: 'linjer',
    geom_Polygon: 'ytor', geom_MultiPolygon: 'ytor', geom_Geometry: 'blandade geometrier', geom_: 'geometrier',
    uploadTitle: 'Ladda upp lager',
    uploadFile: 'Fil (GeoJSON, CSV, GeoPackage eller zippad Shapefile)',
    uploadId: 'Lagrets id (a–z, 0–9 och -)',
    uploadName: 'Titel',
    uploadShare: 'Dela med (organisationskoder, kommaseparerade)',
    uploadShareHint: 'Tomt: bara din organisation ser lagret.',
    uploadSubmit: 'Ladda upp',
    uploading: 'Laddar upp…',
    uploadNeedFile: 'Välj en fil.',
    uploadNeed: 'Fyll i {field}.',
    uploadDone: '{title}: version {version} sparad med {n} objekt (koordinatsystem {crs}).',
    uploadRepaired: 'Lagade geometrier: objekt {list}.',
    uploadNoneRepaired: 'Inga geometrier behövde lagas.',
    uploadRefused: 'Filen togs inte emot: {msg}',
    uploadTooLarge: 'Filen är för stor: {msg}',
    uploadType: 'Filformatet stöds inte: {msg}',
    uploadDenied: 'Uppladdningen nekades: {msg}',
    summaryTitle: 'Per stadsdel',
    summaryLayer: 'Lager',
    summaryProperty: 'Summera egenskap',
    summaryCount: 'antal objekt',
    summaryTotal: 'Andel av indikator',
    summaryNoTotal: 'ingen',
    summaryShow: 'Visa per stadsdel',
    summaryCaption: '{layer} per stadsdel: {what}',
    summaryFeatures: 'Objekt',
    summarySum: 'Summa',
    summaryTotalCol: 'Totalt ({year})',
    summaryShare: 'Andel',
    summaryCSV: 'Ladda ner som CSV',
    popupTitle: '{layer}, objekt {id}',
  },
  en: {
    partnerLayers: 'Partner layers',
    partnerLogin: 'Log in to see the partner layers shared with your organisation.',
    partnerNone: 'No partner layers are shared with your organisation.',
    partnerOwner: 'from {owner}',
    partnerMeta: '{n} features, {geom}',
    geom_Point: 'points', geom_MultiPoint: 'points', geom_LineString: 'lines', geom_MultiLineString: 'lines',
    geom_Polygon: 'polygons', geom_MultiPolygon: 'polygons', geom_Geometry: 'mixed geometries', geom_: 'geometries',
    uploadTitle: 'Upload a layer',
    uploadFile: 'File (GeoJSON, CSV, GeoPackage or zipped Shapefile)',
    uploadId: 'Layer id (a–z, 0–9 and -)',
    uploadName: 'Title',
    uploadShare: 'Share with (organisation codes, comma-separated)',
    uploadShareHint: 'Empty: only your organisation sees the layer.',
    uploadSubmit: 'Upload',
    uploading: 'Uploading…',
    uploadNeedFile: 'Choose a file.',
    uploadNeed: 'Enter the {field}.',
    uploadDone: '{title}: version {version} saved with {n} features (coordinate system {crs}).',
    uploadRepaired: 'Repaired geometries: features {list}.',
    uploadNoneRepaired: 'No geometry needed repair.',
    uploadRefused: 'The file was refused: {msg}',
    uploadTooLarge: 'The file is too large: {msg}',
    uploadType: 'The file format is not supported: {msg}',
    uploadDenied: 'The upload was refused: {msg}',
    summaryTitle: 'By district',
    summaryLayer: 'Layer',
    summaryProperty: 'Sum property',
    summaryCount: 'number of features',
    summaryTotal: 'Share of indicator',
    summaryNoTotal: 'none',
    summaryShow: 'Show by district',
    summaryCaption: '{layer} by district: {what}',
    summaryFeatures: 'Features',
    summarySum: 'Sum',
    summaryTotalCol: 'Total ({year})',
    summaryShare: 'Share',
    summaryCSV: 'Download as CSV',
    popupTitle: '{layer}, feature {id}',
  },
});

// Paul Tol's muted palette (colour-blind safe), distinct from the horizons' Okabe–Ito colours.
export const partnerColours = ['#882255', '#117733', '#332288', '#999933', '#aa4499', '#44aa99', '#cc6677', '#ddcc77'];

/** contentType is what an upload is sent as, by the file's name (the API sniffs octet-stream). */
export function contentType(name) {
  const ext = name.toLowerCase().split('.').pop();
  return { geojson: 'application/geo+json', json: 'application/geo+json', csv: 'text/csv', gpkg: 'application/geopackage+sqlite3', zip: 'application/zip' }[ext]
    ?? 'application/octet-stream';
}

/** partnerLayerIds are the map layers of one partner layer. */
export const partnerLayerIds = (id) => [`partner-${id}-fill`, `partner-${id}-line`, `partner-${id}-circle`];

export class PartnerLayers {
  /** els: { body: the panel's container }; app: window.lagesbild; status(msg). */
  constructor(map, els, app, status) {
    this.map = map;
    this.els = els;
    this.app = app;
    this.status = status;
    this.layers = [];
    this.on = new Set(); // ids switched on
    this.colours = new Map(); // id → colour, kept while the page lives
    this.state = { ready: false, layers: [], on: [], report: null, error: null, summary: null };
    app.partners = this.state;
    this.seq = 0;
    this.popup = null;
    map.on('click', (e) => this.click(e));
    onLangChange(() => this.render());
  }

  colour(id) {
    if (!this.colours.has(id)) this.colours.set(id, partnerColours[this.colours.size % partnerColours.length]);
    return this.colours.get(id);
  }

  /** load asks for the layers the caller may see (none while anonymous) and renders the panel. */
  async load() {
    const seq = ++this.seq;
    this.state.ready = false;
    let layers = [];
    this.error = null;
    if (currentUser()) {
      try {
        layers = (await getJSON('partners/layers', {}, { fresh: true })).layers;
      } catch (err) {
        this.error = err.message;
      }
    }
    if (seq !== this.seq) return;
    this.layers = layers.sort((a, b) => a.title.localeCompare(b.title, 'sv'));
    for (const l of this.layers) this.colour(l.id);
    // Overlays of layers no longer visible go; the others get their tiles again.
    const visible = new Set(this.layers.map((l) => l.id));
    for (const id of [...this.on]) if (!visible.has(id)) this.remove(id);
    if (this.popup && !currentUser()) this.popup.remove();
    if (!currentUser()) { this.summary = null; this.report = null; }
    this.state.layers = this.layers.map((l) => l.id);
    this.state.on = [...this.on];
    this.render();
    this.state.ready = true;
  }

  // ---- the overlays ----

  add(l) {
    const map = this.map;
    const src = `partner-${l.id}`;
    if (!map.getSource(src)) {
      map.addSource(src, {
        type: 'vector', tiles: [tileURL(`partners/layers/${encodeURIComponent(l.id)}/tiles/WebMercatorQuad/{z}/{y}/{x}`)], minzoom: 0, maxzoom: 16,
      });
      const c = this.colour(l.id);
      const base = { source: src, 'source-layer': l.id };
      // Above the districts and interventions, below observations and places.
      const before = map.getLayer('obs-cells') ? 'obs-cells' : undefined;
      const [fill, line, circle] = partnerLayerIds(l.id);
      map.addLayer({ id: fill, type: 'fill', ...base, filter: ['==', ['geometry-type'], 'Polygon'],
        paint: { 'fill-color': c, 'fill-opacity': 0.3 } }, before);
      map.addLayer({ id: line, type: 'line', ...base, filter: ['in', ['geometry-type'], ['literal', ['Polygon', 'LineString']]],
        paint: { 'line-color': c, 'line-width': 2 } }, before);
      map.addLayer({ id: circle, type: 'circle', ...base, filter: ['==', ['geometry-type'], 'Point'],
        paint: { 'circle-color': c, 'circle-radius': 5, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5 } }, before);
    }
    for (const id of partnerLayerIds(l.id)) map.setLayoutProperty(id, 'visibility', this.app.view === 'karta' ? 'visible' : 'none');
    this.on.add(l.id);
  }

  remove(id) {
    for (const lid of partnerLayerIds(id)) if (this.map.getLayer(lid)) this.map.removeLayer(lid);
    if (this.map.getSource(`partner-${id}`)) this.map.removeSource(`partner-${id}`);
    this.on.delete(id);
  }

  toggle(l, on) {
    if (on) this.add(l); else this.remove(l.id);
    this.state.on = [...this.on];
  }

  /** showLayers shows the switched-on overlays in the map view only. */
  showLayers(on) {
    for (const id of this.on) {
      for (const lid of partnerLayerIds(id)) if (this.map.getLayer(lid)) this.map.setLayoutProperty(lid, 'visibility', on ? 'visible' : 'none');
    }
  }

  /** refresh reloads an overlay's tiles (a new version was uploaded). */
  refresh() { this.map.refreshTiles(); }

  click(e) {
    if (this.app.view !== 'karta' || !this.on.size) return;
    const ids = [...this.on].flatMap(partnerLayerIds).filter((id) => this.map.getLayer(id));
    const [f] = this.map.queryRenderedFeatures(e.point, { layers: ids });
    if (!f) return;
    const l = this.layers.find((x) => x.id === f.sourceLayer);
    const title = t('popupTitle', { layer: l?.title ?? f.sourceLayer, id: f.id ?? '' });
    const dl = h('dl');
    for (const [k, v] of Object.entries(f.properties)) dl.append(h('dt', { text: k }), h('dd', { text: typeof v === 'number' ? num(v, 3) : String(v) }));
    const box = h('div', { class: 'partner-popup', role: 'group', 'aria-label': title }, h('h3', { text: title }), dl);
    this.popup?.remove();
    this.popup = new maplibregl.Popup({ maxWidth: '20rem' }).setLngLat(e.lngLat).setDOMContent(box).addTo(this.map);
    this.state.popup = { layer: f.sourceLayer, id: f.id, properties: f.properties };
  }

  // ---- the panel ----

  render() {
    const body = this.els.body;
    if (!currentUser()) {
      body.replaceChildren(h('p', { class: 'legend-note', id: 'partner-hint', text: t('partnerLogin') }));
      return;
    }
    const kids = [];
    if (this.error) kids.push(h('p', { class: 'form-error', text: this.error }));
    if (!this.layers.length && !this.error) kids.push(h('p', { class: 'legend-note', id: 'partner-hint', text: t('partnerNone') }));
    for (const l of this.layers) {
      const box = h('input', { type: 'checkbox', id: `partner-toggle-${l.id}`, 'data-partner': l.id, checked: this.on.has(l.id) });
      box.addEventListener('change', () => this.toggle(l, box.checked));
      const geom = t(`geom_${l.geometry_type ?? ''}`);
      const shape = /Point/.test(l.geometry_type) ? 'circle' : undefined;
      kids.push(h('div', { class: 'layer partner-layer' }, box,
        h('label', { for: box.id, text: l.title }),
        h('div', { class: 'legend' }, h('ul', { class: 'legend-list' },
          h('li', {}, swatch(this.colour(l.id), shape), document.createTextNode(`${t('partnerOwner', { owner: l.owner })}; ${t('partnerMeta', { n: num(l.feature_count, 0), geom })}`))))));
    }
    if (this.layers.length) kids.push(this.summaryForm());
    if (canWrite()) kids.push(this.uploadForm());
    body.replaceChildren(...kids);
  }

  uploadForm() {
    const f = this.form ?? {};
    const field = (id, labelKey, input, hint) => h('div', { class: 'field' }, h('label', { for: id, text: t(labelKey) }), input,
      hint ? h('p', { class: 'legend-note', id: `${id}-hint`, text: hint }) : null,
      h('p', { class: 'form-error', id: `${id}-error`, hidden: true }));
    const file = h('input', { type: 'file', id: 'upload-file', name: 'file', required: true, accept: '.geojson,.json,.csv,.gpkg,.zip' });
    const id = h('input', { type: 'text', id: 'upload-id', name: 'id', required: true, pattern: '[a-z][a-z0-9\\-]{1,62}', autocomplete: 'off', spellcheck: 'false', value: f.id ?? '' });
    const title = h('input', { type: 'text', id: 'upload-title', name: 'title', required: true, maxlength: '200', value: f.title ?? '' });
    const share = h('input', { type: 'text', id: 'upload-share', name: 'shared_with', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'upload-share-hint', value: f.share ?? '' });
    const submit = h('button', { type: 'submit', class: 'primary', id: 'upload-submit', text: this.busy ? t('uploading') : t('uploadSubmit') });
    const report = h('div', { id: 'upload-report', role: 'status' });
    if (this.report) report.append(...this.reportLines(this.report));
    const form = h('form', { class: 'upload-form', id: 'upload-form', novalidate: true, 'aria-labelledby': 'upload-title-h' },
      h('h4', { id: 'upload-title-h', text: t('uploadTitle') }),
      field('upload-file', 'uploadFile', file),
      field('upload-id', 'uploadId', id),
      field('upload-title', 'uploadName', title),
      field('upload-share', 'uploadShare', share, t('uploadShareHint')),
      submit, report);
    form.addEventListener('submit', (e) => { e.preventDefault(); this.upload(form); });
    return form;
  }

  reportLines(r) {
    if (r.error) return [h('p', { class: 'form-error', text: r.error })];
    const rep = r.report;
    return [
      h('p', { text: t('uploadDone', { title: r.title, version: r.version, n: num(rep.features, 0), crs: rep.crs }) }),
      h('p', { id: 'upload-repaired', text: rep.repaired?.length ? t('uploadRepaired', { list: rep.repaired.join(', ') }) : t('uploadNoneRepaired') }),
    ];
  }

  /** clearFields takes the form's messages away (in place: the chosen file stays chosen). */
  clearFields(form) {
    for (const p of form.querySelectorAll('.field .form-error')) { p.hidden = true; p.textContent = ''; }
    for (const input of form.querySelectorAll('[aria-invalid]')) {
      input.removeAttribute('aria-invalid');
      const rest = (input.getAttribute('aria-describedby') ?? '').split(' ').filter((x) => x && !x.endsWith('-error'));
      if (rest.length) input.setAttribute('aria-describedby', rest.join(' ')); else input.removeAttribute('aria-describedby');
    }
    form.querySelector('#upload-report').replaceChildren();
  }

  markField(form, field, msg) {
    const input = form.querySelector(`#upload-${field}`);
    const p = form.querySelector(`#upload-${field}-error`);
    if (!input || !p) return;
    p.textContent = msg;
    p.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), p.id].filter(Boolean).join(' '));
  }

  async upload(form) {
    if (this.busy) return;
    const values = { id: form.elements.id.value.trim(), title: form.elements.title.value.trim(), share: form.elements.shared_with.value.trim() };
    this.form = values;
    this.report = null;
    this.clearFields(form);
    const file = form.elements.file.files[0];
    const need = !file ? ['file', t('uploadNeedFile')] : !values.id ? ['id', t('uploadNeed', { field: t('uploadId').split(' (')[0].toLowerCase() })]
      : !values.title ? ['title', t('uploadNeed', { field: t('uploadName').toLowerCase() })] : null;
    if (need) {
      this.markField(form, need[0], need[1]);
      form.querySelector(`#upload-${need[0]}`).focus();
      return;
    }
    this.busy = true;
    this.state.report = null;
    this.state.error = null;
    form.querySelector('#upload-submit').textContent = t('uploading');
    const shared = values.share.split(',').map((s) => s.trim()).filter(Boolean).join(',');
    let res;
    try {
      res = await apiFetch(apiURL(`partners/layers/${encodeURIComponent(values.id)}`, { title: values.title, shared_with: shared, filename: file.name }), {
        method: 'PUT', cache: 'no-store', body: file, headers: { 'Content-Type': contentType(file.name), Accept: 'application/json' },
      });
    } catch (err) {
      res = { ok: false, status: 0, statusText: err.message };
    }
    this.busy = false;
    form.querySelector('#upload-submit').textContent = t('uploadSubmit');
    const doc = res.status ? await problemOf(res) : null;
    if (res.ok) {
      this.report = { title: doc.title, version: doc.version, report: doc.report };
      this.state.report = doc.report;
      this.form = null;
      await this.load();
      const l = this.layers.find((x) => x.id === doc.id);
      if (l) { this.toggle(l, true); this.refresh(); this.render(); }
      document.getElementById('upload-submit')?.focus();
      this.status(t('uploadDone', { title: doc.title, version: doc.version, n: doc.report.features, crs: doc.report.crs }));
      return;
    }
    // A 400's reason from its code, in the reader's language (the API's detail is English).
    const msg = res.status === 400 ? problemReason(doc) : res.status ? problemText(res.status, doc) : res.statusText;
    this.state.error = { status: res.status, param: doc?.param ?? null, detail: doc?.detail ?? res.statusText, code: doc?.['invalid-params']?.[0]?.code ?? null, shown: msg };
    const fieldOf = { id: 'id', layerId: 'id', title: 'title', shared_with: 'share', feature: 'file', body: 'file', crs: 'file', x: 'file', y: 'file' };
    const key = res.status === 413 ? 'uploadTooLarge' : res.status === 415 ? 'uploadType' : res.status === 403 || res.status === 401 ? 'uploadDenied' : 'uploadRefused';
    const text = t(key, { msg });
    const field = res.status === 400 && fieldOf[doc?.param] ? fieldOf[doc.param] : res.status === 413 || res.status === 415 ? 'file' : null;
    if (field) {
      this.markField(form, field, text);
      form.querySelector(`#upload-${field}`).focus();
    } else {
      form.querySelector('#upload-report').replaceChildren(...this.reportLines({ error: text }));
      form.querySelector('#upload-submit').focus();
    }
  }

  rerenderFocus(id) {
    this.render();
    document.getElementById(id)?.focus();
  }

  summaryForm() {
    const s = this.summaryChoice ?? {};
    const layerSel = h('select', { id: 'summary-layer' }, ...this.layers.map((l) => h('option', { value: l.id, text: l.title })));
    layerSel.value = s.layer && this.layers.some((l) => l.id === s.layer) ? s.layer : this.layers[0].id;
    const propSel = h('select', { id: 'summary-property' });
    const fillProps = () => {
      const l = this.layers.find((x) => x.id === layerSel.value);
      const numeric = (l?.fields ?? []).filter((f) => f.type === 'integer' || f.type === 'number');
      propSel.replaceChildren(h('option', { value: '', text: t('summaryCount') }), ...numeric.map((f) => h('option', { value: f.name, text: f.name })));
      if (numeric.some((f) => f.name === s.property)) propSel.value = s.property;
    };
    fillProps();
    layerSel.addEventListener('change', fillProps);
    const totalSel = h('select', { id: 'summary-total' }, h('option', { value: '', text: t('summaryNoTotal') }),
      ...(this.app.indicators ?? []).map((i) => h('option', { value: i.key, text: getLang() === 'en' ? i.name_en : i.name_sv })));
    if (s.total) totalSel.value = s.total;
    const go = h('button', { type: 'submit', id: 'summary-submit', text: t('summaryShow') });
    const form = h('form', { class: 'upload-form', id: 'summary-form', 'aria-labelledby': 'summary-title' },
      h('h4', { id: 'summary-title', text: t('summaryTitle') }),
      h('label', { for: 'summary-layer', text: t('summaryLayer') }), layerSel,
      h('label', { for: 'summary-property', text: t('summaryProperty') }), propSel,
      h('label', { for: 'summary-total', text: t('summaryTotal') }), totalSel, go,
      this.summaryTable());
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.summaryChoice = { layer: layerSel.value, property: propSel.value, total: totalSel.value };
      this.loadSummary();
    });
    return form;
  }

  async loadSummary() {
    const c = this.summaryChoice;
    this.state.summary = null;
    try {
      const params = { property: c.property, total: c.total };
      this.summary = { choice: c, data: await getJSON(`partners/layers/${encodeURIComponent(c.layer)}/districts`, params, { fresh: true }),
        csv: apiURL(`partners/layers/${encodeURIComponent(c.layer)}/districts`, { ...params, f: 'csv' }) };
      this.state.summary = this.summary.data;
    } catch (err) {
      this.summary = { choice: c, error: err.message };
    }
    this.rerenderFocus('summary-submit');
  }

  summaryTable() {
    const s = this.summary;
    if (!s) return null;
    if (s.error) return h('p', { class: 'form-error', role: 'alert', text: s.error });
    const d = s.data;
    const layer = this.layers.find((l) => l.id === d.layer)?.title ?? d.layer;
    const what = d.property || t('summaryCount');
    const years = [...new Set(d.districts.map((r) => r.total_year).filter((y) => y != null))];
    const head = [t('district'), t('summaryFeatures')];
    if (d.property) head.push(t('summarySum'));
    if (d.total) head.push(t('summaryTotalCol', { year: years.join('–') || '–' }), t('summaryShare'));
    const rows = d.districts.map((r) => {
      const cells = [h('th', { scope: 'row', text: r.name }), h('td', { text: num(r.features, 0) })];
      if (d.property) cells.push(h('td', { text: num(r.sum, 2) }));
      if (d.total) cells.push(h('td', { text: num(r.total, 0) }), h('td', { text: r.share == null ? t('missing') : `${num(r.share * 100, 1)} %` }));
      return h('tr', { 'data-code': r.code }, ...cells);
    });
    return h('div', { class: 'summary' },
      h('table', { id: 'summary-table', class: 'summary-table' },
        h('caption', { text: t('summaryCaption', { layer, what }) }),
        h('thead', {}, h('tr', {}, ...head.map((x) => h('th', { scope: 'col', text: x })))),
        h('tbody', {}, ...rows)),
      h('p', {}, h('a', { href: s.csv, id: 'summary-csv', download: '', text: t('summaryCSV') })));
  }
}
