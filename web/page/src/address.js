// The page's address holds the whole state of the view shown (issue 14, point 9), so a copied
// link opens the same picture for anyone allowed to see it:
//
//   #<view>?map=<zoom>/<lat>/<lon>&<the view's own keys>
//
// The view's keys are its controls by element id with the values that differ from the
// control's default (hot-m-emerging is a radio: hot-method=emerging; a checkbox is 1 or 0),
// and for the map and Prioritering a few named keys: indicator, year, sel (the selected
// district), place and intervention (the id of the selected place or intervention) on the map; scenario, year, k, norm, agg, w (indicator weights), tw (theme
// weights), inc, exc, mode and sel on Prioritering; plan (the plan shown) on Insatsplan.
// The language is the reader's own choice and stays out of the address (?lang=en sets it).
// Controls inside a <form> are edits, not the picture, and stay out as well.

/** parseAddress splits a location hash into the view and its parameters. */
export function parseAddress(hash) {
  const s = hash.replace(/^#/, '');
  const q = s.indexOf('?');
  return { view: q < 0 ? s : s.slice(0, q), params: new URLSearchParams(q < 0 ? '' : s.slice(q + 1)) };
}

/** formatAddress is the hash of view with params (no "?" without parameters). */
export function formatAddress(view, params) {
  const q = params.toString();
  return `#${view}${q ? '?' + q : ''}`;
}

/** mapPosition is the map's camera as "zoom/lat/lon", rounded to what a screen shows. */
export function mapPosition(map) {
  const c = map.getCenter();
  return `${map.getZoom().toFixed(2)}/${c.lat.toFixed(5)}/${c.lng.toFixed(5)}`;
}

/** parsePosition reads "zoom/lat/lon" into a MapLibre camera, or null when it is not one. */
export function parsePosition(s) {
  const p = (s ?? '').split('/').map(Number);
  if (p.length !== 3 || p.some((x) => !Number.isFinite(x))) return null;
  const [zoom, lat, lon] = p;
  if (zoom < 0 || zoom > 24 || Math.abs(lat) > 85 || Math.abs(lon) > 180) return null;
  return { zoom, center: [lon, lat] };
}

// The controls of a view that make its picture: inputs and selects with an id, outside forms.
function controls(root, skip) {
  return [...root.querySelectorAll('input[id], select[id]')].filter((el) => !el.closest('form') && !skip.has(el.id)
    && !['file', 'password', 'hidden', 'submit', 'button'].includes(el.type));
}

function isDefault(el) {
  if (el.type === 'checkbox' || el.type === 'radio') return el.checked === el.defaultChecked;
  if (el.tagName === 'SELECT') {
    const def = [...el.options].find((o) => o.defaultSelected) ?? el.options[0];
    return el.value === (def?.value ?? '');
  }
  return el.value === el.defaultValue;
}

/** controlsAddress adds to params every control of roots whose value differs from its default. */
export function controlsAddress(roots, params, skip = new Set()) {
  for (const root of roots) {
    for (const el of controls(root, skip)) {
      if (el.type === 'radio') {
        if (el.checked && !el.defaultChecked) params.set(el.name, el.value);
      } else if (!isDefault(el)) params.set(el.id, el.type === 'checkbox' ? (el.checked ? '1' : '0') : el.value);
    }
  }
  return params;
}

/**
 * applyControls sets the controls of roots to the address's values (the others to their
 * defaults) and sends each changed control a change event in document order, so the view
 * reacts as if the reader had made the choices. It returns how many controls changed.
 */
export function applyControls(roots, params, skip = new Set()) {
  const changed = [];
  for (const root of roots) {
    for (const el of controls(root, skip)) {
      let before, after;
      if (el.type === 'radio') {
        before = el.checked;
        const want = params.get(el.name);
        el.checked = want != null ? el.value === want : el.defaultChecked;
        after = el.checked;
        if (after && !before) changed.push(el);
        continue;
      }
      if (el.type === 'checkbox') {
        before = el.checked;
        const v = params.get(el.id);
        el.checked = v != null ? v === '1' : el.defaultChecked;
        after = el.checked;
      } else {
        before = el.value;
        const v = params.get(el.id);
        if (v != null) el.value = v;
        else if (el.tagName === 'SELECT') el.value = ([...el.options].find((o) => o.defaultSelected) ?? el.options[0])?.value ?? '';
        else el.value = el.defaultValue;
        after = el.value;
      }
      if (before !== after) changed.push(el);
    }
  }
  for (const el of changed) el.dispatchEvent(new Event('change', { bubbles: true }));
  return changed.length;
}

/** weightsParam writes {key: weight} as "key:w,key:w" (sorted, so equal states give equal links). */
export function weightsParam(w) {
  return Object.keys(w).sort().map((k) => `${k}:${w[k]}`).join(',');
}

/** parseWeights reads "key:w,key:w" back; entries that are not key:number are left out. */
export function parseWeights(s) {
  const out = {};
  for (const part of (s ?? '').split(',')) {
    const [k, v] = part.split(':');
    if (k && v !== undefined && Number.isFinite(Number(v))) out[k] = Number(v);
  }
  return out;
}

/** priorityAddress adds Prioritering's request (and map mode and selection) to params. */
export function priorityAddress(prio, params) {
  if (!prio.scenario) return params; // not built yet
  const body = prio.request();
  params.set('scenario', body.scenario);
  params.set('year', String(body.year));
  params.set('k', String(body.k));
  if (body.normalisation) params.set('norm', body.normalisation);
  if (body.aggregation) params.set('agg', body.aggregation);
  if (body.weights) params.set('w', weightsParam(body.weights));
  if (body.theme_weights) params.set('tw', weightsParam(body.theme_weights));
  if (body.include?.length) params.set('inc', [...body.include].sort().join(','));
  if (body.exclude?.length) params.set('exc', [...body.exclude].sort().join(','));
  if (prio.state.mapMode !== 'index') params.set('mode', prio.state.mapMode);
  if (prio.state.selected) params.set('sel', prio.state.selected);
  return params;
}

/**
 * restorePriority puts an address's Prioritering state into the view's controls and runs
 * it; the view must be built (activated). Unknown values are left at the view's defaults.
 */
export async function restorePriority(prio, params) {
  const sc = prio.cfg.scenarios.find((s) => s.id === params.get('scenario'));
  if (sc) prio.loadScenario(sc);
  const set = (sel, v) => { if (v != null && [...sel.options].some((o) => o.value === v)) sel.value = v; };
  set(prio.sel.norm, params.get('norm'));
  set(prio.sel.agg, params.get('agg'));
  set(prio.sel.year, params.get('year'));
  if (Number(params.get('k')) >= 1) prio.sel.k.value = String(Math.round(Number(params.get('k'))));
  if (params.has('w') || params.has('tw')) {
    const w = parseWeights(params.get('w')), tw = parseWeights(params.get('tw'));
    for (const [key, s] of Object.entries(prio.sliders.ind)) s.input.value = String(w[key] ?? 0);
    for (const [key, s] of Object.entries(prio.sliders.theme)) if (key in tw) s.input.value = String(tw[key]);
    prio.dirty = true;
    prio.renderControlsText();
  }
  const inc = new Set((params.get('inc') ?? '').split(',')), exc = new Set((params.get('exc') ?? '').split(','));
  for (const [code, s] of Object.entries(prio.constraints ?? {})) s.value = inc.has(code) ? 'include' : exc.has(code) ? 'exclude' : '';
  await Promise.all([prio.run(), prio.runCompare()]);
  const mode = params.get('mode') === 'areatype' ? 'areatype' : 'index';
  if (mode !== prio.state.mapMode) await prio.setMapMode(mode);
  if (params.get('sel')) prio.select(params.get('sel'));
}

/** until resolves once ready() holds (polled), or after limit milliseconds regardless. */
function until(ready, limit = 120_000) {
  return new Promise((resolve) => {
    const start = Date.now();
    const tick = () => (ready() || Date.now() - start > limit ? resolve() : setTimeout(tick, 100));
    tick();
  });
}

/**
 * genericAdapter is the address of a view whose picture is its controls (Brännpunkter,
 * Prognos, Insatser, Uppföljning): roots hold the controls, ready() says the view has drawn.
 */
export function genericAdapter(view, roots, ready) {
  return {
    ready,
    address: (p) => controlsAddress(roots, p),
    restore: async (p) => { await view.activate(); applyControls(roots, p); },
  };
}

/**
 * installAddress keeps the address in step with the page: after every change (a control, a
 * click, the map moved, a view's status line) it writes the current view's state into the
 * hash with history.replaceState (no history entry per slider step); restore(view, params)
 * puts an address's state back. adapters[view] = { address(params), restore(params), ready() };
 * current() is the view shown; onError(err) hears a restore that failed (a plan one may not see). The returned object's restored counts finished restores (for
 * the browser tests); written is the last hash written.
 */
export function installAddress({ map, adapters, current, onError }) {
  const addr = { restoring: false, restored: 0, written: location.hash, timer: 0 };
  addr.write = () => {
    if (addr.restoring) return;
    const v = current();
    const p = new URLSearchParams();
    p.set('map', mapPosition(map));
    adapters[v]?.address(p);
    const hash = formatAddress(v, p);
    if (hash !== location.hash) history.replaceState(history.state, '', hash);
    addr.written = hash;
  };
  addr.schedule = () => { clearTimeout(addr.timer); addr.timer = setTimeout(addr.write, 150); };
  addr.restore = async (view, params) => {
    const a = adapters[view];
    addr.restoring = true;
    try {
      if (a) {
        await a.restore(params);
        await until(a.ready);
      }
      const pos = parsePosition(params.get('map'));
      if (pos) map.jumpTo(pos);
    } catch (err) {
      onError?.(err);
    } finally {
      addr.restoring = false;
      addr.restored++;
      addr.write();
    }
  };
  for (const type of ['change', 'click']) document.addEventListener(type, addr.schedule, true);
  map.on('moveend', addr.schedule);
  return addr;
}
