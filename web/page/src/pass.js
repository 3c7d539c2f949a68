// "Mitt pass" (issue 14, point 6): a phone page for one unit's shift. For a unit code and a
// date it shows the visits of the plan in force (GET /deployment/shift) in time order, each
// with the place, what to look for and a map; one tap on "Besök gjort" logs the visit
// (POST /deployment/doses: start now, the planned minutes, both editable first).
//
// Without a connection the page still works: the service worker (sw.js) serves the page
// itself, the last shift shown is kept in localStorage, and logged visits wait in a queue in
// localStorage until the connection is back. Each visit carries a key made here
// (client_key), so a visit sent twice — the answer to the first send may be what was lost —
// is stored once.
import * as maplibregl from 'maplibre-gl';
import { apiFetch, apiURL, getJSON, problemOf, tileURL, currentUser } from './api.js';
import { Account } from './auth.js';
import { t, setLang, getLang, onLangChange, addTexts, label, num, problemReason, problemText } from './i18n.js';
import { h } from './dom.js';

maplibregl.setWorkerUrl(new URL('maplibre-gl-worker.mjs', document.baseURI).href);

addTexts({
  sv: {
    passTitle: 'Mitt pass',
    passUnit: 'Enhetens kod',
    passDate: 'Datum',
    passShow: 'Visa mitt pass',
    passHeading: '{unit} – {actor}, {date}',
    passSummary: 'Plan {plan} ({name}). Passet {from}–{to}. {n} besök i tidsordning.',
    passNone: 'Inga besök för {unit} den {date} i planen.',
    passLook: 'Titta efter:',
    passLookNone: 'Inga observationer i kategorierna enheten arbetar med.',
    passMinutes: '{n} min',
    passDone: 'Besök gjort',
    passEdit: 'Ändra starttid eller minuter',
    passStart: 'Starttid',
    passMinutesLabel: 'Minuter',
    passLogged: 'Loggat: {time}, {minutes} min.',
    passPending: 'Sparat i telefonen: skickas när anslutningen är tillbaka.',
    passRefused: 'Besöket togs inte emot: {msg}',
    passOffline: 'Ingen anslutning. Listan är den senast hämtade; besök du loggar sparas i telefonen ({n} väntar).',
    passOfflineNoList: 'Ingen anslutning och ingen sparad lista för {unit} den {date}.',
    passSent: 'Anslutningen är tillbaka: {n} besök skickade.',
    passQueued: '{n} besök väntar på att skickas.',
    passCalendar: 'Passet i kalendern (iCalendar)',
    passMapLabel: 'Karta över passets besök, numrerade i tidsordning.',
    passLoading: 'Hämtar passet…',
    passLogin: 'Logga in för att se passet.',
    passError: 'Kunde inte hämta passet: {msg}',
  },
  en: {
    passTitle: 'My shift',
    passUnit: 'Unit code',
    passDate: 'Date',
    passShow: 'Show my shift',
    passHeading: '{unit} – {actor}, {date}',
    passSummary: 'Plan {plan} ({name}). Shift {from}–{to}. {n} visits in time order.',
    passNone: 'No visits for {unit} on {date} in the plan.',
    passLook: 'Look for:',
    passLookNone: 'No observations in the categories the unit works on.',
    passMinutes: '{n} min',
    passDone: 'Visit done',
    passEdit: 'Change start time or minutes',
    passStart: 'Start time',
    passMinutesLabel: 'Minutes',
    passLogged: 'Logged: {time}, {minutes} min.',
    passPending: 'Kept on the phone: sent when the connection is back.',
    passRefused: 'The visit was not accepted: {msg}',
    passOffline: 'No connection. The list is the last one fetched; visits you log are kept on the phone ({n} waiting).',
    passOfflineNoList: 'No connection and no saved list for {unit} on {date}.',
    passSent: 'The connection is back: {n} visits sent.',
    passQueued: '{n} visits waiting to be sent.',
    passCalendar: 'The shift in a calendar (iCalendar)',
    passMapLabel: 'Map of the shift\'s visits, numbered in time order.',
    passLoading: 'Fetching the shift…',
    passLogin: 'Log in to see the shift.',
    passError: 'Could not fetch the shift: {msg}',
  },
});

const $ = (id) => document.getElementById(id);
const store = {
  get(key, def) { try { return JSON.parse(localStorage.getItem(key)) ?? def; } catch { return def; } },
  set(key, v) { try { localStorage.setItem(key, JSON.stringify(v)); } catch { /* storage full or blocked: kept in memory only */ } },
};
const QUEUE = 'lagesbild.pass.queue'; // visits logged and not yet accepted by the server
const LOGGED = 'lagesbild.pass.logged'; // visit key → {client_key, started_at, minutes, state}
const LAST = 'lagesbild.pass.last'; // the last shift fetched, for use without a connection
const UNIT = 'lagesbild.pass.unit';

// app is for the browser tests: the state of the page and its queue.
const app = { ready: false, shift: null, errors: [], queue: () => store.get(QUEUE, []), flush: () => flush() };
window.lagesbild = app;

function status(msg) { $('status').textContent = msg; }

/** localDate is today's date where the phone is (YYYY-MM-DD). */
function localDate(d = new Date()) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** hhmm is a time as the phone shows it, in the municipality's time zone. */
function hhmm(iso) {
  return new Date(iso).toLocaleTimeString(getLang() === 'sv' ? 'sv-SE' : 'en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Stockholm' });
}

/** newKey is a random key for a visit (a UUID where the browser makes one). */
function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}

const visitKey = (shift, v) => `${shift.plan.id}|${v.target_id}|${v.start}`;

let map = null;
let markers = [];

function drawMap(shift) {
  const visits = shift.visits;
  if (!map) {
    map = new maplibregl.Map({
      container: 'pass-map',
      style: { version: 8, sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f1f3f5' } }] },
      center: [16.54, 59.61], zoom: 11, attributionControl: false, dragRotate: false, pitchWithRotate: false,
    });
    app.map = map;
    map.on('load', () => {
      map.addSource('base', { type: 'vector', tiles: [tileURL('tiles/WebMercatorQuad/{z}/{y}/{x}')], minzoom: 0, maxzoom: 16 });
      map.addLayer({ id: 'districts-line', type: 'line', source: 'base', 'source-layer': 'districts', paint: { 'line-color': '#495057', 'line-width': 1 } });
    });
    map.on('error', (e) => { if (!navigator.onLine) return; app.errors.push(String(e.error?.message || e)); });
  }
  map.getCanvas().setAttribute('aria-label', t('passMapLabel'));
  for (const m of markers) m.remove();
  // One marker per place, numbered with its visits in time order ("1, 5, 9"): a unit comes
  // back to the same place during the shift.
  const byTarget = new Map();
  visits.forEach((v, k) => {
    if (!byTarget.has(v.target_id)) byTarget.set(v.target_id, { point: v.point, n: [] });
    byTarget.get(v.target_id).n.push(k);
  });
  markers = [...byTarget.values()].map((g) => {
    const el = h('div', { class: 'pass-marker', text: g.n.map((k) => k + 1).join(', '), 'aria-hidden': 'true' });
    const m = new maplibregl.Marker({ element: el }).setLngLat(g.point).addTo(map);
    m.visits = g.n;
    return m;
  });
  if (visits.length) {
    const lons = visits.map((v) => v.point[0]), lats = visits.map((v) => v.point[1]);
    map.fitBounds([[Math.min(...lons), Math.min(...lats)], [Math.max(...lons), Math.max(...lats)]], { padding: 40, maxZoom: 15, duration: 0 });
  }
}

/** render shows a shift (from the server or the saved copy) with the state of each visit. */
function render(shift) {
  app.shift = shift;
  $('pass-shift').hidden = false;
  const actor = getLang() === 'en' ? shift.actor_type.name_en : shift.actor_type.name_sv;
  $('pass-shift-title').textContent = t('passHeading', { unit: shift.unit, actor, date: shift.date });
  $('pass-summary').textContent = shift.visits.length
    ? t('passSummary', { plan: shift.plan.id, name: shift.plan.name || '–', from: hhmm(shift.shift.start), to: hhmm(shift.shift.end), n: shift.visits.length })
    : t('passNone', { unit: shift.unit, date: shift.date });
  const logged = store.get(LOGGED, {});
  $('pass-visits').replaceChildren(...shift.visits.map((v, k) => visitItem(shift, v, k, logged[visitKey(shift, v)])));
  const ics = (shift.links ?? []).find((l) => l.type === 'text/calendar');
  $('pass-links').replaceChildren(...(ics ? [h('a', { href: ics.href, download: `pass-${shift.unit}-${shift.date}.ics`, text: t('passCalendar') })] : []));
  drawMap(shift);
  for (const m of markers) {
    const done = (k) => shift.visits[k].done || !!logged[visitKey(shift, shift.visits[k])];
    m.getElement().classList.toggle('done', m.visits.every(done));
  }
}

function visitItem(shift, v, k, mine) {
  const done = v.done || mine?.state === 'sent';
  const pending = !done && mine?.state === 'pending';
  const li = h('li', { class: done ? 'done' : pending ? 'pending' : '', 'data-target': v.target_id });
  const looks = v.categories.length
    ? h('div', { class: 'visit-look' }, h('span', { text: t('passLook') }), h('ul', {}, ...v.categories.map((c) => h('li', { text: label(c) }))))
    : h('p', { class: 'visit-look', text: t('passLookNone') });
  const id = `v${k}`;
  const start = h('input', { id: `${id}-start`, type: 'time', value: '' });
  const minutes = h('input', { id: `${id}-minutes`, type: 'number', min: '1', max: '240', step: '1', value: String(v.minutes) });
  const edit = h('details', { class: 'visit-edit' }, h('summary', { text: t('passEdit') }),
    h('div', { class: 'row' },
      h('label', { for: start.id, text: t('passStart') }), h('label', { for: minutes.id, text: t('passMinutesLabel') }),
      start, minutes));
  const button = h('button', { type: 'button', class: 'primary visit-done', text: t('passDone'), disabled: done || pending });
  button.addEventListener('click', () => logVisit(shift, v, start.value, Number(minutes.value)));
  const state = done && mine ? t('passLogged', { time: hhmm(mine.started_at), minutes: num(mine.minutes, 0) })
    : done ? t('passLogged', { time: hhmm(v.done_at ?? v.start), minutes: num(v.done_minutes ?? v.minutes, 0) })
      : pending ? t('passPending') : mine?.state === 'refused' ? t('passRefused', { msg: refusal(mine) }) : '';
  li.append(
    h('div', { class: 'visit-head' },
      h('span', { class: 'visit-no', text: `${k + 1}.` }), h('span', { class: 'visit-time', text: hhmm(v.start) }),
      h('span', { class: 'visit-place', text: v.name }), h('span', { class: 'meta', text: t('passMinutes', { n: num(v.minutes, 0) }) })),
    looks, done || pending ? null : edit, button,
    state ? h('p', { class: 'visit-state', role: 'status', text: state }) : null);
  return li;
}

/**
 * refusal is why the server refused a logged visit, in the reader's language at the time it is
 * shown: the phone keeps the problem (its status and invalid-params), not a sentence, so a
 * refusal seen in Swedish reads in English after the language is switched. A visit refused by
 * an older page kept only the server's English text (msg).
 */
function refusal(mine) {
  if (!mine.problem) return mine.msg ?? '';
  return mine.status === 400 ? problemReason(mine.problem) : problemText(mine.status, mine.problem);
}

/**
 * logVisit queues the visit (start now unless a time was given, the given minutes) under a
 * new key and sends the queue. The time field holds a local time on the shift's date.
 */
function logVisit(shift, v, time, minutes) {
  let started = new Date();
  if (time) {
    const [hh, mm] = time.split(':').map(Number);
    started = new Date(`${shift.date}T00:00:00`);
    started.setHours(hh, mm, 0, 0);
  }
  const dose = {
    plan_id: shift.plan.id, target_id: v.target_id, actor_type: shift.actor_type.id, unit_code: shift.unit,
    started_at: started.toISOString(), minutes: minutes > 0 ? minutes : v.minutes, tactic: shift.tactic, client_key: newKey(),
  };
  store.set(QUEUE, [...store.get(QUEUE, []), dose]);
  const logged = store.get(LOGGED, {});
  logged[visitKey(shift, v)] = { client_key: dose.client_key, started_at: dose.started_at, minutes: dose.minutes, state: 'pending' };
  store.set(LOGGED, logged);
  render(shift);
  return flush();
}

let flushing = null;

/** flush sends the queued visits in one request; those accepted (or refused) leave the queue. */
function flush() {
  flushing ??= sendQueue().finally(() => { flushing = null; });
  return flushing;
}

async function sendQueue() {
  const queue = store.get(QUEUE, []);
  if (!queue.length) return 0;
  let res;
  try {
    res = await apiFetch(apiURL('deployment/doses'), {
      method: 'POST', cache: 'no-store', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ doses: queue }),
    });
  } catch {
    showNet(); // no connection: the queue waits for the 'online' event
    return 0;
  }
  const keys = new Set(queue.map((d) => d.client_key));
  const logged = store.get(LOGGED, {});
  const mark = (state, refused) => {
    for (const e of Object.values(logged)) if (keys.has(e.client_key)) Object.assign(e, { state }, refused);
  };
  if (res.ok) {
    mark('sent');
  } else if (res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 403 && res.status !== 408 && res.status !== 429) {
    // Refused for what it says (a plan replaced, a time outside it): sending it again would
    // be refused again. The phone says so, and the visit leaves the queue.
    mark('refused', { status: res.status, problem: (await problemOf(res)) ?? {} });
  } else {
    showNet();
    return 0; // logged out, or the server busy: kept for the next try
  }
  store.set(QUEUE, store.get(QUEUE, []).filter((d) => !keys.has(d.client_key)));
  store.set(LOGGED, logged);
  if (app.shift) render(app.shift);
  if (res.ok) $('pass-net').hidden = true;
  status(res.ok ? t('passSent', { n: keys.size }) : '');
  return keys.size;
}

function showNet() {
  const n = store.get(QUEUE, []).length;
  const el = $('pass-net');
  el.hidden = navigator.onLine && !n;
  el.className = 'pass-net';
  el.textContent = navigator.onLine ? t('passQueued', { n }) : t('passOffline', { n });
}

/** load fetches the shift of the form's unit and date; without a connection the saved copy is shown. */
async function load() {
  const unit = $('pass-unit').value.trim().toUpperCase();
  const date = $('pass-date').value;
  if (!unit || !date) return;
  store.set(UNIT, unit);
  const u = new URL(location.href);
  u.searchParams.set('unit', unit);
  u.searchParams.set('date', date);
  history.replaceState(null, '', u);
  app.ready = false;
  status(t('passLoading'));
  try {
    const shift = await getJSON('deployment/shift', { unit, date }, { fresh: true });
    store.set(LAST, shift);
    status('');
    render(shift);
  } catch (err) {
    const saved = store.get(LAST, null);
    if (err.status === 401 || err.status === 403) {
      status(t('passLogin'));
    } else if (!(err instanceof TypeError)) {
      status(t('passError', { msg: err.message }));
      $('pass-shift').hidden = true;
    } else if (saved && saved.unit === unit && saved.date === date) {
      status('');
      render(saved);
    } else {
      status(t('passOfflineNoList', { unit, date }));
    }
  }
  showNet();
  app.ready = true;
}

async function main() {
  const params = new URLSearchParams(location.search);
  let lang = params.get('lang');
  try { lang ??= localStorage.getItem('lagesbild.lang'); } catch { /* storage blocked */ }
  setLang(lang || 'sv');
  const relabel = () => { $('lang-toggle').textContent = t('langToggle'); $('lang-toggle').lang = t('langToggleLang'); };
  relabel();
  $('lang-toggle').addEventListener('click', () => {
    setLang(getLang() === 'sv' ? 'en' : 'sv');
    try { localStorage.setItem('lagesbild.lang', getLang()); } catch { /* storage blocked */ }
  });
  onLangChange(() => { relabel(); if (app.shift) render(app.shift); showNet(); });

  if ('serviceWorker' in navigator) {
    app.serviceWorker = navigator.serviceWorker.register('sw.js').then(() => navigator.serviceWorker.ready)
      .catch((err) => { app.errors.push(`service worker: ${err.message}`); });
  }
  const account = new Account({ box: $('account'), dialog: $('login-dialog') }, status);
  await account.init();
  account.onChange(() => { load(); flush(); });

  $('pass-unit').value = params.get('unit') ?? store.get(UNIT, '');
  $('pass-date').value = params.get('date') ?? localDate();
  $('pass-form').addEventListener('submit', (e) => { e.preventDefault(); load(); });
  // Back online: who the page acts for is asked again (the CSRF token the writes need), then
  // the queue is sent.
  window.addEventListener('online', async () => { await account.init(); await flush(); });
  window.addEventListener('offline', showNet);
  if (currentUser() && store.get(QUEUE, []).length) await flush();
  if ($('pass-unit').value) await load();
  else app.ready = true;
}

main().catch((err) => {
  status(String(err.message || err));
  app.errors.push(String(err.message || err));
});
