// Entry point of the map page. Each view is a module (map, choropleth, panel, chart); later
// views (hot spots, Prioritering) plug in beside them through the same map and panel.
// window.lagesbild exposes the map and a ready flag for the browser tests.
import { getJSON, apiURL, onDenied, denied, currentUser } from './api.js';
import { Account } from './auth.js';
import { t, setLang, getLang, onLangChange, label, addTexts, num } from './i18n.js';
import {
  createMap, setVisible, observationTiles, whenIdle, bounds, clickable, layerOf, labelsUnder, hollowPlaces,
} from './map.js';
import { Choropleth } from './choropleth.js';
import { LayerPanel, timeWindowFieldset } from './layerpanel.js';
import { Panel } from './panel.js';
import { PriorityView } from './priority.js';
import { HotspotView } from './hotspots.js';
import { InterventionsView, interventionClickable } from './insatser.js';
import { layerGroups } from './map.js';
import { PlanView } from './plan.js';
import { FollowupView } from './followup.js';
import { PartnerLayers } from './partners.js';
import { ForecastView } from './prognos.js';
import { WeekView } from './vecka.js';
import { mapImage, visibleLegend, download } from './mapimage.js';
import {
  parseAddress, installAddress, genericAdapter, controlsAddress, applyControls, priorityAddress, restorePriority,
} from './address.js';
import { PhoneLayout } from './phone.js';

// The views of the page, chosen by the URL fragment (#karta, #prioritering, #hotspots).
const views = ['karta', 'prioritering', 'hotspots', 'prognos', 'insatser', 'plan', 'uppfoljning', 'vecka'];
// Where the skip link leads in each view, and the map's label there.
const skipTarget = {
  karta: ['#district-list', 'skip'], prioritering: ['#prio-results', 'skipPriority'], hotspots: ['#hot-side', 'skipHotspots'], prognos: ['#fc-results', 'skipForecast'],
  insatser: ['#iv-results', 'skipInterventions'], plan: ['#plan-results', 'skipPlan'], uppfoljning: ['#fu-results', 'skipFollowup'],
  vecka: ['#wk-view', 'skipWeek'],
};
const mapLabel = { karta: 'mapLabel', prioritering: 'priorityMapLabel', hotspots: 'hotspotMapLabel', prognos: 'fcMapLabel', insatser: 'ivMapLabel', plan: 'plMapLabel', uppfoljning: 'fuMapLabel', vecka: 'mapLabel' };
const viewTitle = { karta: 'viewMap', prioritering: 'viewPriority', hotspots: 'viewHotspots', prognos: 'viewForecast', insatser: 'viewInterventions', plan: 'viewPlan', uppfoljning: 'viewFollowup', vecka: 'viewWeek' };

const $ = (id) => document.getElementById(id);

// api: the page's own API client, for the browser tests to make requests as the page does;
// num: its number format, for the tests of how figures read.
const app = { map: null, ready: false, state: {}, errors: [], api: { getJSON }, num };
window.lagesbild = app;

// Each view has its own status line ("22 insatser visas." is Insatser's): a view's message is
// kept for it and shown only while it is the view on screen, also when it comes late.
const statusLines = {};
function statusOf(view) {
  return (msg) => {
    statusLines[view] = msg;
    if (app.view === view) $('status').textContent = msg;
    app.address?.schedule(); // a view's status line follows its (new) answer
  };
}
/** status is the status line of the view on screen (the map's errors, the page's own). */
function status(msg) { statusOf(app.view ?? 'karta')(msg); }

addTexts({
  sv: {
    deniedLogin: 'Logga in för att se {what}.',
    deniedLoginWrite: 'Logga in för att ändra {what}.',
    deniedOrg: 'Din organisation har inte behörighet att se {what}.',
    deniedOrgWrite: 'Din organisation har inte behörighet att ändra {what}.',
    accessNotice: 'Behörighet',
    w_observations: 'observationer', w_interventions: 'insatser', w_priority: 'prioriteringen', w_hotspots: 'brännpunkterna',
    w_followup: 'uppföljningen', w_deployment: 'insatsplaneringen', w_partners: 'partnerlagren', w_indicators: 'indikatorerna',
    w_places: 'platserna', w_districts: 'stadsdelarna', w_tiles: 'kartlagren', w_audit: 'granskningsloggen', w_other: 'de här uppgifterna',
    saveMap: 'Spara kartbild', imgDate: 'Kartbild {date}', reportLink: 'Rapport',
    basis_open: 'Siffrorna bygger på öppna uppgifter: inloggade ser fler observationer och får andra siffror.',
    basis_internal: 'Siffrorna bygger på det {org} får se (intern nivå): polisens begränsade uppgifter ingår inte, så polisen ser andra siffror.',
    basis_restricted: 'Siffrorna bygger på det {org} får se (begränsad nivå), också polisens egna uppgifter: andra organisationer ser andra siffror.',
  },
  en: {
    deniedLogin: 'Log in to see {what}.',
    deniedLoginWrite: 'Log in to change {what}.',
    deniedOrg: 'Your organisation is not authorised to see {what}.',
    deniedOrgWrite: 'Your organisation is not authorised to change {what}.',
    accessNotice: 'Access',
    w_observations: 'observations', w_interventions: 'interventions', w_priority: 'the prioritisation', w_hotspots: 'the hot spots',
    w_followup: 'the follow-up', w_deployment: 'deployment planning', w_partners: 'the partner layers', w_indicators: 'the indicators',
    w_places: 'the places', w_districts: 'the districts', w_tiles: 'the map layers', w_audit: 'the audit log', w_other: 'this information',
    saveMap: 'Save map image', imgDate: 'Map image {date}', reportLink: 'Report',
    basis_open: 'The figures use open data only: logged-in users see more observations and get other figures.',
    basis_internal: "The figures use what {org} may see (internal level): the police's restricted data are not included, so the police see other figures.",
    basis_restricted: 'The figures use what {org} may see (restricted level), including the police\'s own data: other organisations see other figures.',
  },
});

// The view a refusal belongs to: the analyses and the plan have views of their own; any other
// data is the business of the view that asked for it (the one on screen when it was refused).
const deniedView = [
  [/^analysis\/priority/, 'prioritering'], [/^analysis\/hotspots/, 'hotspots'], [/^analysis\/forecast/, 'prognos'],
  [/^analysis\/followup/, 'uppfoljning'], [/^deployment/, 'plan'], [/^partners/, 'karta'],
];

// What a refused API path holds, for the notice ("Logga in för att se observationer").
const deniedWhat = [
  [/^collections\/observations|^analysis\/harm/, 'observations'], [/^collections\/interventions/, 'interventions'],
  [/^analysis\/priority/, 'priority'], [/^analysis\/hotspots/, 'hotspots'], [/^analysis\/forecast/, 'forecast'], [/^analysis\/followup/, 'followup'],
  [/^deployment/, 'deployment'], [/^partners/, 'partners'], [/^indicators|^collections\/indicator/, 'indicators'],
  [/^collections\/places/, 'places'], [/^collections\/districts/, 'districts'], [/^tiles/, 'tiles'], [/^audit/, 'audit'],
];

/**
 * AccessNotices lists what the API refused (401: log in; 403: your organisation may not),
 * one line per kind of data, with a login button while anonymous; cleared when the caller
 * changes and the views ask again. A notice belongs to one view (deniedView) and shows only
 * there: "Logga in för att se insatsplaneringen" is Insatsplan's, not Karta's.
 */
class AccessNotices {
  constructor(el, login, currentView) {
    this.el = el;
    this.login = login;
    this.currentView = currentView;
    this.items = new Map(); // key → {status, what, write, view}
    onLangChange(() => this.render());
  }

  add({ status: code, path, method }) {
    const what = deniedWhat.find(([re]) => re.test(path))?.[1] ?? 'other';
    const write = !['GET', 'HEAD'].includes(method) && !path.startsWith('analysis/');
    const view = deniedView.find(([re]) => re.test(path))?.[1] ?? this.currentView();
    const key = `${view}|${code}|${what}|${write}`;
    if (this.items.has(key)) return;
    this.items.set(key, { status: code, what, write, view });
    this.render();
  }

  clear() { this.items.clear(); this.render(); }

  /** shown are the notices of the view on screen. */
  shown() { return [...this.items.values()].filter((n) => n.view === this.currentView()); }

  render() {
    const lines = this.shown().map((n) => {
      const key = n.status === 401 ? (n.write ? 'deniedLoginWrite' : 'deniedLogin') : (n.write ? 'deniedOrgWrite' : 'deniedOrg');
      const li = document.createElement('li');
      li.dataset.status = String(n.status);
      li.dataset.what = n.what;
      li.textContent = t(key, { what: t(`w_${n.what}`) });
      return li;
    });
    this.el.hidden = lines.length === 0;
    if (!lines.length) { this.el.replaceChildren(); return; }
    const ul = document.createElement('ul');
    ul.append(...lines);
    const kids = [ul];
    if (!currentUser() && this.shown().some((n) => n.status === 401)) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'primary';
      b.textContent = t('login');
      b.addEventListener('click', () => this.login());
      kids.push(b);
    }
    this.el.replaceChildren(...kids);
  }
}

/** timeWindow turns the month inputs into an OGC datetime interval (UTC, whole months). */
function timeWindow() {
  if (!$('time-from')) return null; // observations are not in the layer panel
  const from = $('time-from').value, to = $('time-to').value;
  if (!from && !to) return null;
  let a = from, b = to;
  if (a && b && a > b) [a, b] = [b, a];
  const start = a ? `${a}-01T00:00:00Z` : '..';
  let end = '..';
  if (b) {
    const [y, m] = b.split('-').map(Number);
    const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    end = `${b}-${String(last).padStart(2, '0')}T23:59:59Z`;
  }
  return `${start}/${end}`;
}

function month(d) { return d.toISOString().slice(0, 7); }

async function initTime() {
  if (!$('time-from')) return;
  try {
    const col = await getJSON('collections/observations');
    const iv = col.extent?.temporal?.interval?.[0];
    if (!iv) return;
    const first = new Date(iv[0]), last = new Date(iv[1]);
    for (const id of ['time-from', 'time-to']) { $(id).min = month(first); $(id).max = month(last); }
    // Default: the last six months with observations.
    const from = new Date(Date.UTC(last.getUTCFullYear(), last.getUTCMonth() - 5, 1));
    $('time-from').value = month(from < first ? first : from);
    $('time-to').value = month(last);
  } catch (err) {
    status(t('loadError', { what: t('observations'), msg: err.message }));
  }
}

function listButton(text, onSelect, extra) {
  const li = document.createElement('li');
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  if (extra) {
    const s = document.createElement('span');
    s.className = 'meta';
    s.textContent = extra;
    b.append(' ', s);
  }
  b.addEventListener('click', onSelect);
  li.append(b);
  return li;
}

function centre(geom) {
  const b = bounds([{ geometry: geom }]);
  return [(b[0][0] + b[1][0]) / 2, (b[0][1] + b[1][1]) / 2];
}

async function main() {
  const params = new URLSearchParams(location.search);
  let lang = params.get('lang');
  try { lang ??= localStorage.getItem('lagesbild.lang'); } catch { /* storage blocked */ }
  setLang(lang || 'sv');
  $('lang-toggle').addEventListener('click', () => {
    setLang(getLang() === 'sv' ? 'en' : 'sv');
    try { localStorage.setItem('lagesbild.lang', getLang()); } catch { /* storage blocked */ }
  });
  const relabelToggle = () => {
    $('lang-toggle').textContent = t('langToggle');
    $('lang-toggle').lang = t('langToggleLang');
  };
  relabelToggle();
  onLangChange(relabelToggle);

  const account = new Account({ box: $('account'), dialog: $('login-dialog') }, status);
  app.account = account.state;
  const notices = new AccessNotices($('access-notice'), () => account.open(), () => app.view ?? 'karta');
  app.notices = notices.items;
  onDenied((d) => notices.add(d));
  // Who the page acts for first: the views' writes (and analysis POSTs) need its CSRF token.
  const [cfg] = await Promise.all([
    fetch('config.json').then((r) => (r.ok ? r.json() : {})).catch(() => ({})),
    account.init(),
  ]);
  // The layer panel follows the catalogue's declarations; the observations' entry holds the time window.
  if (!cfg.layers) status(t('loadError', { what: t('layers'), msg: 'config.json' }));
  app.layers = Object.fromEntries((cfg.layers ?? []).map((d) => [d.id, d]));
  app.layerPanel = new LayerPanel($('layer-panel'), cfg.layers ?? [], { observations: timeWindowFieldset() });
  await initTime();
  const map = await createMap('map', cfg, timeWindow());
  app.map = map;
  map.on('error', (e) => {
    // A tile the caller may not see (MapLibre's AJAXError carries the status): a notice, not an error.
    const code = e.error?.status;
    if ((code === 401 || code === 403) && e.error.url) {
      denied(code, e.error.url);
      return;
    }
    const msg = e.error?.message || String(e.error || e);
    app.errors.push(msg);
    status(t('tilesMissing', { msg }));
  });

  const panel = new Panel({ body: $('details'), live: $('announce') });
  let selected = null;
  const select = (code) => {
    if (selected) map.setFeatureState({ source: 'districts', id: selected }, { selected: false });
    selected = code;
    if (code) map.setFeatureState({ source: 'districts', id: code }, { selected: true });
  };

  const showDistrict = (code) => {
    const f = choro.data?.features.find((x) => x.id === code);
    if (!f) return;
    select(code);
    app.state.selected = code;
    return panel.showDistrict(f.properties, choro.indicator(), choro.year)
      .catch((err) => status(t('loadError', { what: t('timeSeries'), msg: err.message })));
  };

  let firstData = true;
  const choro = new Choropleth(map, { indicator: $('indicator'), year: $('year'), legend: $('legend-districts') ?? document.createElement('div') }, (data) => {
    app.ready = false;
    app.state.indicator = data.indicator.key;
    app.indicators = choro.indicators;
    app.state.year = data.year;
    if (firstData) {
      firstData = false;
      app.home = () => map.fitBounds(bounds(data.features), { padding: 20, duration: 0 });
      app.home();
    }
    renderDistrictList(data);
    if (panel.current?.type === 'district') showDistrict(panel.current.props.code);
    statusOf('karta')(t('choroplethShown', { indicator: choro.name(choro.indicator()), year: data.year }));
    const key = data.indicator.key, year = data.year;
    whenIdle(map).then(() => {
      if (app.state.indicator === key && app.state.year === year) app.ready = true;
    });
  });

  function renderDistrictList(data) {
    const fs = [...data.features].sort((a, b) => a.properties.name.localeCompare(b.properties.name, 'sv'));
    $('district-list').replaceChildren(...fs.map((f) => listButton(f.properties.name, () => {
      map.fitBounds(bounds([f]), { padding: 40, duration: 0, maxZoom: 14 });
      showDistrict(f.id);
    })));
  }

  let places = [], interventions = [];
  const loadPlaces = () => getJSON('collections/places/items', { limit: 1000, sortby: 'name', properties: 'name,kind,district_code' })
    .then((fc) => { places = fc.features; });
  // The map view's list of interventions; asked again (fresh) after the register's writes.
  const loadInterventions = () => getJSON('collections/interventions/items', {
    limit: 1000, sortby: 'title', properties: 'title,category,horizon,approach,lead_org,status,start_date,end_date',
  }, { fresh: true }).then((fc) => { interventions = fc.features; });
  function renderFeatureLists() {
    $('place-list').replaceChildren(...places.map((f) => listButton(f.properties.name, () => {
      map.jumpTo({ center: centre(f.geometry), zoom: Math.max(map.getZoom(), 14) });
      select(null);
      panel.showFeature('place', f.properties, undefined, f.id);
    }, label(f.properties.kind))));
    $('intervention-list').replaceChildren(...interventions.map((f) => listButton(f.properties.title, () => {
      if (f.geometry) map.fitBounds(bounds([f]), { padding: 40, duration: 0, maxZoom: 15 });
      select(null);
      panel.showFeature('intervention', f.properties, undefined, f.id);
    }, label(f.properties.horizon))));
  }

  for (const box of document.querySelectorAll('input[data-group]')) {
    box.addEventListener('change', () => setVisible(map, box.dataset.group, box.checked));
  }
  const retime = () => {
    map.getSource('observations')?.setTiles([observationTiles(timeWindow())]);
    app.state.datetime = timeWindow();
  };
  $('time-from')?.addEventListener('change', retime);
  $('time-to')?.addEventListener('change', retime);
  app.state.datetime = timeWindow();

  map.on('click', (e) => {
    if (app.view === 'prioritering') {
      const [f] = map.queryRenderedFeatures(e.point, { layers: ['priority-fill', 'priority-missing', 'priority-areatype', 'priority-areatype-missing'] });
      if (f) prio.select(f.properties.code);
      return;
    }
    if (app.view === 'insatser') {
      const [f] = map.queryRenderedFeatures(e.point, { layers: interventionClickable });
      if (f) iv.select(f.id, false);
      return;
    }
    if (app.view !== 'karta') return;
    const ids = clickable.filter((id) => map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== 'none');
    const [f] = map.queryRenderedFeatures(e.point, { layers: ids });
    if (!f) return;
    if (f.source === 'districts') {
      showDistrict(f.properties.code);
      return;
    }
    select(null);
    if (layerOf.has(f.layer.id)) {
      panel.showFeature('feature', { ...f.properties, id: f.id }, layerOf.get(f.layer.id));
      return;
    }
    const kind = f.layer.id.startsWith('places') ? 'place'
      : f.layer.id.startsWith('interventions') ? 'intervention'
        : f.properties.count != null ? 'cell' : 'observation';
    panel.showFeature(kind, f.properties, undefined, f.id ?? null);
  });
  map.on('mousemove', (e) => {
    const ids = clickable.filter((id) => map.getLayer(id));
    map.getCanvas().style.cursor = map.queryRenderedFeatures(e.point, { layers: ids }).length ? 'pointer' : '';
  });

  const prio = new PriorityView(map, {
    controls: $('prio-controls'), side: $('prio-side'), results: $('prio-results'), legend: $('prio-legend'),
  }, app, statusOf('prioritering'));
  const hot = new HotspotView(map, { controls: $('hot-controls'), side: $('hot-side') }, app, statusOf('hotspots'));
  const plan = new PlanView(map, {
    controls: $('plan-controls'), side: $('plan-side'), results: $('plan-results'), legend: $('plan-legend'),
  }, app, statusOf('plan'));
  const fu = new FollowupView(map, {
    controls: $('fu-controls'), side: $('fu-side'), results: $('fu-results'), legend: $('fu-legend'),
  }, app, statusOf('uppfoljning'));
  const iv = new InterventionsView(map, {
    controls: $('iv-controls'), side: $('iv-side'), results: $('iv-results'), legend: $('iv-legend'),
  }, app, statusOf('insatser'), () => { map.refreshTiles(); return loadInterventions().then(renderFeatureLists); });
  const fc = new ForecastView(map, { controls: $('fc-controls'), side: $('fc-side'), results: $('fc-results') }, app, statusOf('prognos'));
  const partners = new PartnerLayers(map, { body: $('partner-body') }, app, statusOf('karta'));
  const wk = new WeekView({ root: $('wk-view') }, app, statusOf('vecka'));
  app.views = { prioritering: prio, hotspots: hot, prognos: fc, insatser: iv, plan, uppfoljning: fu, vecka: wk };

  const phone = new PhoneLayout({
    header: document.querySelector('header.top'), nav: $('views-nav'), toggle: $('views-toggle'),
    layout: document.querySelector('.layout'), bar: $('sheet-bar'), map,
  }, viewTitle);
  app.phone = phone;

  // showView shows one view's panels and map layers; a view builds itself on first use.
  function showView(v) {
    app.view = v;
    document.body.dataset.view = v;
    $('status').textContent = statusLines[v] ?? '';
    notices.render();
    for (const el of document.querySelectorAll('[data-view]')) el.hidden = el.dataset.view !== v;
    for (const a of document.querySelectorAll('[data-view-link]')) {
      if (a.dataset.viewLink === v) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
    for (const group of Object.keys(layerGroups)) {
      const on = v === 'karta' ? !!$(`layer-${group}`)?.checked : v === 'hotspots' && group === 'places';
      setVisible(map, group, on);
    }
    if (['hotspots', 'prognos', 'insatser', 'plan', 'uppfoljning'].includes(v)) map.setLayoutProperty('districts-line', 'visibility', 'visible');
    // Over the hot-spot cells, places are rings and names go beneath the cells: neither hides a cell.
    hollowPlaces(map, v === 'hotspots');
    labelsUnder(map, v === 'hotspots' ? 'hot-kde' : null);
    plan.showLayers(v === 'plan');
    fu.showLayers(v === 'uppfoljning');
    iv.showLayers(v === 'insatser');
    prio.showLayers(v === 'prioritering');
    partners.showLayers(v === 'karta');
    relabelView();
    phone.showView(v);
    map.resize();
    if (v === 'prioritering') prio.activate().then(() => prio.showLayers(app.view === 'prioritering'));
    if (v === 'hotspots') hot.activate(); else { hot.deactivate(); hot.showLayers(); }
    if (v === 'prognos') fc.activate(); else fc.deactivate();
    if (v === 'insatser') iv.activate().then(() => iv.showLayers(app.view === 'insatser'));
    if (v === 'plan') plan.activate().then(() => plan.showLayers(app.view === 'plan'));
    if (v === 'uppfoljning') fu.activate().then(() => { fu.showLayers(app.view === 'uppfoljning'); fu.home(); });
    if (v === 'vecka') wk.activate();
  }
  function relabelView() {
    const v = app.view;
    const [target, key] = skipTarget[v];
    const skip = document.querySelector('.skip');
    skip.href = target;
    skip.textContent = t(key);
    map.getCanvas().setAttribute('aria-label', t(v === 'prioritering' && prio.state.mapMode === 'areatype' ? 'areaTypeMapLabel' : mapLabel[v]));
    document.title = `Lägesbild – ${t(viewTitle[v])}`;
  }
  const fromHash = () => { const v = parseAddress(location.hash).view; return views.includes(v) ? v : 'karta'; };
  window.addEventListener('hashchange', () => {
    if (location.hash === app.address?.written) return;
    showView(fromHash());
    const { params } = parseAddress(location.hash);
    if (app.address && [...params.keys()].length) app.address.restore(app.view, params); else app.address?.schedule();
  });
  onLangChange(relabelView);
  app.showView = showView;
  showView(fromHash());

  // After a login, a logout or an ended session every view asks the API again, tiles included
  // (revalidated: the server's tiles and their ETags differ per caller's clearance).
  account.onChange(() => {
    notices.clear();
    app.sessionChanges = (app.sessionChanges ?? 0) + 1;
    partners.load(); // first: on logout it removes the overlays before the tiles are asked again
    map.refreshTiles();
    if (choro.key) choro.load(choro.key, choro.year).catch((err) => status(t('loadError', { what: t('indicator'), msg: err.message })));
    else choro.init(params.get('indicator') || 'overcrowding').catch((err) => status(t('loadError', { what: t('indicator'), msg: err.message })));
    Promise.all([loadPlaces(), loadInterventions()]).then(renderFeatureLists,
      (err) => status(t('loadError', { what: t('lists'), msg: err.message })));
    const again = [prio, hot, fc, iv, plan, fu, wk].map((v) => v.reload());
    if (again.includes(false)) showView(app.view);
    for (const fn of app.onSession ?? []) fn(currentUser());
  });

  onLangChange(() => {
    choro.relabel();
    renderFeatureLists();
    const cur = panel.current;
    if (!cur) panel.clear();
    else if (cur.type === 'district') showDistrict(cur.props.code);
    else panel.showFeature(cur.type, cur.props, cur.decl, cur.id);
  });

  await Promise.all([
    choro.init(parseAddress(location.hash).params.get('indicator') || params.get('indicator') || 'overcrowding')
      .catch((err) => status(t('loadError', { what: t('indicator'), msg: err.message }))),
    loadPlaces(),
    loadInterventions(),
    partners.load(),
  ]).catch((err) => status(t('loadError', { what: t('lists'), msg: err.message })));
  renderFeatureLists();

  // Who the figures are for: a line under the map in the views whose numbers come from
  // classed rows (observations and what is computed from them), and in the saved map image.
  const basisViews = new Set(['karta', 'hotspots', 'prognos', 'plan', 'uppfoljning', 'vecka']);
  const basisText = () => {
    const me = currentUser();
    return t(`basis_${me?.clearance ?? 'open'}`, { org: me?.organisation_name || me?.organisation || '' });
  };
  const renderBasis = () => {
    $('basis').textContent = basisText();
    $('basis').hidden = !basisViews.has(app.view);
    app.basis = $('basis').hidden ? null : $('basis').textContent;
    const me = currentUser();
    $('report-link').hidden = !me;
    $('report-link').href = apiURL('report', { lang: getLang(), indicator: choro.key });
  };
  renderBasis();
  onLangChange(renderBasis);
  account.onChange(renderBasis);
  window.addEventListener('hashchange', renderBasis);
  // The report link carries the indicator shown; asked when followed, so it is never stale.
  $('report-link').addEventListener('click', () => { $('report-link').href = apiURL('report', { lang: getLang(), indicator: choro.key }); });

  // "Spara kartbild": the map as drawn with title, legend, date, scale bar and the illustrative label.
  app.mapImage = () => {
    const legend = visibleLegend(app.view);
    return mapImage(map, {
      title: `${t('title')} – ${t(viewTitle[app.view])}`, subtitle: legend?.title, legend, clearance: app.basis,
    });
  };
  $('save-map').addEventListener('click', async () => {
    const img = await app.mapImage();
    download(img.blob, `lagesbild-${app.view}-${new Date().toISOString().slice(0, 10)}.png`);
  });

  // The address holds the state of the view shown (address.js): a copied link opens the same picture.
  const kartaControls = [document.querySelector('nav.controls[data-view="karta"]')];
  const kartaSkip = new Set(['indicator', 'year']);
  // The map view's selections of a feature that the address keeps: kind → its key and items.
  const linkedKinds = { place: { key: 'place', path: 'collections/places/items' }, intervention: { key: 'intervention', path: 'collections/interventions/items' } };
  app.address = installAddress({
    map,
    current: () => app.view,
    onError: (err) => status(t('loadError', { what: t(viewTitle[app.view]), msg: err.message })),
    adapters: {
      karta: {
        ready: () => app.ready,
        address: (p) => {
          if (choro.key) p.set('indicator', choro.key);
          if (choro.year) p.set('year', String(choro.year));
          controlsAddress(kartaControls, p, kartaSkip);
          if (selected) p.set('sel', selected);
          // A selected place or intervention by its id (the panel shows it, the link opens it).
          const cur = panel.current;
          if (cur?.id != null && linkedKinds[cur.type]) p.set(linkedKinds[cur.type].key, String(cur.id));
        },
        restore: async (p) => {
          const key = p.get('indicator') || choro.key, year = Number(p.get('year')) || null;
          if (key && (key !== choro.key || (year && year !== choro.year))) await choro.load(key, year);
          applyControls(kartaControls, p, kartaSkip);
          if (p.get('sel')) await showDistrict(p.get('sel'));
          for (const [kind, { key, path }] of Object.entries(linkedKinds)) {
            const id = Number(p.get(key));
            if (!Number.isInteger(id) || id < 1) continue;
            const f = await getJSON(`${path}/${id}`);
            select(null);
            panel.showFeature(kind, f.properties, undefined, f.id);
          }
        },
      },
      prioritering: {
        ready: () => prio.state.ready,
        address: (p) => priorityAddress(prio, p),
        restore: async (p) => { await prio.activate(); await restorePriority(prio, p); },
      },
      hotspots: genericAdapter(hot, [$('hot-controls')], () => hot.state.ready),
      prognos: genericAdapter(fc, [$('fc-controls')], () => fc.state.ready),
      insatser: {
        ...genericAdapter(iv, [$('iv-controls')], () => iv.state.ready),
        address: (p) => { controlsAddress([$('iv-controls')], p); if (iv.state.selected != null) p.set('sel', iv.state.selected); },
        restore: async (p) => {
          await iv.activate();
          applyControls([$('iv-controls')], p);
          if (Number(p.get('sel')) > 0) await iv.select(Number(p.get('sel')), false);
        },
      },
      plan: {
        ready: () => plan.state.ready,
        address: (p) => { if (plan.plan) p.set('plan', plan.plan.id); },
        restore: async (p) => {
          await plan.activate();
          if (Number(p.get('plan')) > 0) await plan.show(await getJSON(`deployment/plans/${Number(p.get('plan'))}`, {}, { fresh: true }));
        },
      },
      uppfoljning: genericAdapter(fu, [$('fu-controls')], () => fu.state.ready),
      vecka: genericAdapter(wk, [$('wk-view')], () => wk.state.ready),
    },
  });
  const start = parseAddress(location.hash);
  if ([...start.params.keys()].length) await app.address.restore(app.view, start.params);
  else app.address.write();
}

main().catch((err) => {
  status(String(err.message || err));
  app.errors.push(String(err.message || err));
});
