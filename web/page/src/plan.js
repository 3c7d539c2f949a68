// The "Insatsplan" view (issue 6, #plan): the deployment planner of /deployment/plans.
// The form takes a capacity per actor type in the type's own unit (hours, evenings or
// units, as /deployment/actor-types says), the horizon in weeks, the visit length and the
// targets (the top N public places, the Gi* hot-spot cells, or the forecast's top cells); POST /deployment/plans plans
// and stores it. Shown: capacity used per actor type and week, the week-by-week table per
// target and actor type, the expected harm reduction, what was left uncovered and why, the
// targets on the map sized by planned dose (the plan's GeoJSON), and downloads (CSV,
// iCalendar). A dose form logs a visit actually made (a unit code such as P12, never a name)
// and the "planned against delivered" table follows, with the observations at each target
// beside the dose ("brott och dos"). A problem answer's param is shown at its field.
import { apiFetch, apiURL, getJSON } from './api.js';
import { t, label, num, getLang, addTexts, onLangChange, problemReason, problemText } from './i18n.js';
import { bounds, whenIdle } from './map.js';
import { View } from './view.js';
import { h } from './dom.js';
import { canWrite } from './auth.js';

addTexts({
  sv: {
    viewPlan: 'Insatsplan', skipPlan: 'Hoppa till veckoplanen', viewPass: 'Mitt pass',
    plStart: 'Första veckan (måndag)', plStartHint: 'Planen börjar måndagen i den vecka du väljer; tomt: måndagen efter de senaste observationerna.',
    plSaved: 'Sparade planer', plNoPlans: 'Inga sparade planer ännu.', plCompareBox: 'Jämför plan {id}',
    plListItem: '{name}: från {start}, {weeks} v, {org} (öppna)', plNoName: 'Plan {id}', plOrgUnknown: 'okänd organisation',
    plCompare: 'Jämförelse av valda planer', plCompareHint: 'Markera två eller fler planer för att jämföra dem.',
    plC_start: 'Start', plC_weeks: 'Veckor', plC_targets: 'Mål', plC_visits: 'Planerade besök ({actor})',
    plC_reduction: 'Förväntad minskning', plC_share: 'Andel av risken', plC_doses: 'Loggade besök',
    plReadOnly: 'Du kan läsa, öppna och jämföra planerna. Att göra en plan eller logga besök kräver en redaktör.',
    plControls: 'Insatsplan: förutsättningar', plSide: 'Planens resultat', plResults: 'Vecka för vecka',
    plMapLabel: 'Karta över planens mål: cirkelns storlek är planerad dos i minuter per vecka; ofyllda cirklar fick ingen dos. Tabellerna under kartan har samma uppgifter.',
    plName: 'Planens namn', plCapacities: 'Kapacitet per vecka',
    plUnit_hours: 'timmar per vecka', plUnit_evenings: 'kvällar per vecka', plUnit_units: 'enheter per vecka',
    plActsOn: 'Verkar mot: {list}', plWeeks: 'Antal veckor (1–52)', plVisit: 'Besökets längd i minuter (5–60)',
    plTargets: 'Mål', plKind_places: 'Offentliga platser (skadeviktad täthet)', plKind_cells: 'Brännpunktsrutor (Gi*, 95 %)', plKind_forecast: 'Prognosrutor (nästa vecka)',
    plTop: 'Antal mål', plSubmit: 'Planera', plPlanning: 'Planerar…',
    plNothing: 'Ange kapacitet och mål och välj Planera.',
    plFieldInvalid: 'Ogiltigt värde: {reason}', plFormError: 'Planen kunde inte göras: {msg}',
    plSummary: 'Plan {id} från {start}, {weeks} veckor',
    plReduction: 'Förväntad minskning av skada: {red} av {risk} ({share} %).',
    plRiskPeriod: 'Risken bygger på observationerna {from} – {to}.',
    plDownloads: 'Ladda ned', plCSV: 'Veckoplan (CSV)', plICS: 'Besökstider (iCalendar)', plPass: 'En enhets besök en dag (Mitt pass)', plGeoJSON: 'Mål (GeoJSON)',
    plUncovered: 'Utan dos och varför', plAllCovered: 'Alla mål fick dos varje vecka.',
    plReason_no_actor: '{n} veckor: ingen aktör verkar mot målets kategorier',
    plReason_capacity_exhausted: '{n} veckor: kapaciteten räckte inte', plReason_resting: '{n} veckor: vilar efter koncentrerade veckor',
    plNoActorCats: 'Kategorier som ingen aktör verkar mot: {list}', plResidual: 'kvarvarande skada {v}',
    plMaxDose: 'Nådde högsta dos ({max} min/vecka) någon vecka: {list}',
    plCapacityTable: 'Planerade minuter per aktörstyp och vecka (av kapaciteten)', plActor: 'Aktörstyp',
    plWeek: 'v{n}', plWeekStart: 'Vecka {n} från {start}', plTotal: 'Totalt',
    plItemsTable: 'Planerade besök per mål och aktörstyp: minuter (besök)', plTarget: 'Mål',
    plDelivery: 'Planerat och utfört, med brott och dos', plPlanned: 'Planerat (min)', plDelivered: 'Utfört (min)',
    plDeliveredShare: 'Andel utförd', plCrimeDose: 'Brott och dos per vecka',
    plCrimeDoseDesc: '{name}: vecka för vecka observationer och dos. {list}',
    plCrimeDoseWeek: 'v{week}: {obs} observationer, planerat {planned} min, utfört {delivered} min',
    plDeliveryNote: 'Staplar: observationer inom {radius} m per vecka (grå: {baseline} veckor före planen). Linje nedtill: planerad dos (ram) och utförd (fylld).',
    plDose: 'Logga ett besök', plDoseHint: 'Ange enhetens kod (t.ex. P12 eller NV-3), aldrig en persons namn.',
    plD_unit_code: 'Enhetens kod', plD_target_id: 'Mål', plD_actor_type: 'Aktörstyp', plD_started_at: 'Starttid',
    plD_minutes: 'Minuter', plD_tactic: 'Taktik', plDoseSave: 'Spara besöket', plDoseSaved: 'Besöket vid {target} är sparat.',
    plDoseError: 'Besöket kunde inte sparas: {msg}',
    plTactic_foot_patrol: 'patrull till fots', plTactic_vehicle_patrol: 'patrull i fordon', plTactic_stationary_presence: 'stationär närvaro',
    plTactic_dialogue: 'dialog', plTactic_checks: 'kontroller', plTactic_camera_placement: 'kamera utplacerad',
    plLegend: 'Planerad dos per vecka', plLegendNone: 'ingen dos', plShown: 'Plan {id}: {n} mål visas på kartan.',
  },
  en: {
    viewPass: 'My shift', viewPlan: 'Deployment plan', skipPlan: 'Skip to the weekly plan',
    plStart: 'First week (Monday)', plStartHint: 'The plan starts on the Monday of the week you choose; empty: the Monday after the latest observations.',
    plSaved: 'Saved plans', plNoPlans: 'No saved plans yet.', plCompareBox: 'Compare plan {id}',
    plListItem: '{name}: from {start}, {weeks} wk, {org} (open)', plNoName: 'Plan {id}', plOrgUnknown: 'unknown organisation',
    plCompare: 'Comparison of the chosen plans', plCompareHint: 'Tick two or more plans to compare them.',
    plC_start: 'Start', plC_weeks: 'Weeks', plC_targets: 'Targets', plC_visits: 'Planned visits ({actor})',
    plC_reduction: 'Expected reduction', plC_share: 'Share of the risk', plC_doses: 'Logged visits',
    plReadOnly: 'You can read, open and compare the plans. Making a plan or logging visits takes an editor.',
    plControls: 'Deployment plan: inputs', plSide: "The plan's results", plResults: 'Week by week',
    plMapLabel: "Map of the plan's targets: circle size is the planned dose in minutes per week; hollow circles got no dose. The tables below the map have the same information.",
    plName: "Plan's name", plCapacities: 'Capacity per week',
    plUnit_hours: 'hours per week', plUnit_evenings: 'evenings per week', plUnit_units: 'units per week',
    plActsOn: 'Acts on: {list}', plWeeks: 'Number of weeks (1–52)', plVisit: 'Visit length in minutes (5–60)',
    plTargets: 'Targets', plKind_places: 'Public places (harm-weighted density)', plKind_cells: 'Hot-spot cells (Gi*, 95 %)', plKind_forecast: 'Forecast cells (next week)',
    plTop: 'Number of targets', plSubmit: 'Plan', plPlanning: 'Planning…',
    plNothing: 'Give capacities and targets and choose Plan.',
    plFieldInvalid: 'Invalid value: {reason}', plFormError: 'The plan could not be made: {msg}',
    plSummary: 'Plan {id} from {start}, {weeks} weeks',
    plReduction: 'Expected harm reduction: {red} of {risk} ({share} %).',
    plRiskPeriod: 'The risk is based on the observations {from} – {to}.',
    plDownloads: 'Download', plCSV: 'Weekly plan (CSV)', plICS: 'Visit slots (iCalendar)', plPass: "One unit's visits on one day (My shift)", plGeoJSON: 'Targets (GeoJSON)',
    plUncovered: 'Without dose, and why', plAllCovered: 'Every target got a dose every week.',
    plReason_no_actor: "{n} weeks: no actor type acts on the target's categories",
    plReason_capacity_exhausted: '{n} weeks: capacity ran out', plReason_resting: '{n} weeks: resting after concentrated weeks',
    plNoActorCats: 'Categories no actor type acts on: {list}', plResidual: 'residual harm {v}',
    plMaxDose: 'Reached the maximum dose ({max} min/week) in some week: {list}',
    plCapacityTable: 'Planned minutes per actor type and week (of the capacity)', plActor: 'Actor type',
    plWeek: 'w{n}', plWeekStart: 'Week {n} from {start}', plTotal: 'Total',
    plItemsTable: 'Planned visits per target and actor type: minutes (visits)', plTarget: 'Target',
    plDelivery: 'Planned and delivered, with crime and dosage', plPlanned: 'Planned (min)', plDelivered: 'Delivered (min)',
    plDeliveredShare: 'Share delivered', plCrimeDose: 'Crime and dosage per week',
    plCrimeDoseDesc: '{name}: week by week observations and dose. {list}',
    plCrimeDoseWeek: 'w{week}: {obs} observations, planned {planned} min, delivered {delivered} min',
    plDeliveryNote: 'Bars: observations within {radius} m per week (grey: {baseline} weeks before the plan). Strip below: planned dose (outline) and delivered (filled).',
    plDose: 'Log a visit', plDoseHint: "Give the unit's code (e.g. P12 or NV-3), never a person's name.",
    plD_unit_code: 'Unit code', plD_target_id: 'Target', plD_actor_type: 'Actor type', plD_started_at: 'Start time',
    plD_minutes: 'Minutes', plD_tactic: 'Tactic', plDoseSave: 'Save the visit', plDoseSaved: 'The visit at {target} is saved.',
    plDoseError: 'The visit could not be saved: {msg}',
    plTactic_foot_patrol: 'foot patrol', plTactic_vehicle_patrol: 'vehicle patrol', plTactic_stationary_presence: 'stationary presence',
    plTactic_dialogue: 'dialogue', plTactic_checks: 'checks', plTactic_camera_placement: 'camera placed',
    plLegend: 'Planned dose per week', plLegendNone: 'no dose', plShown: 'Plan {id}: {n} targets shown on the map.',
  },
});

// Default capacities per actor type (the README's example), in each type's unit.
const defaultCapacity = { police: 40, night_walkers: 3, security_guards: 24, mobile_cameras: 2 };
const tactics = ['foot_patrol', 'vehicle_patrol', 'stationary_presence', 'dialogue', 'checks', 'camera_placement'];
export const planLayers = ['plan-targets', 'plan-targets-none'];
const doseColour = '#0b5cd5';

const NS = 'http://www.w3.org/2000/svg';
const s = (tag, attrs = {}, text) => {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text != null) e.textContent = text;
  return e;
};

/** send posts JSON; the answer is {ok, status, body} with the problem document for errors. */
async function send(path, body) {
  const res = await apiFetch(apiURL(path), {
    method: 'POST', cache: 'no-store', body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
  });
  let doc = null;
  try { doc = await res.json(); } catch { /* not JSON */ }
  return { ok: res.ok, status: res.status, body: doc };
}

/** mondayOf is the Monday of the week of a date (YYYY-MM-DD): a plan starts on a Monday. */
function mondayOf(day) {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

/**
 * reasonText is why the API refused a request (status 0: never reached it) in the reader's
 * language: a 400's reason from its code (the API's own detail is English), else the status.
 */
const reasonText = (status, p) => (status === 400 ? problemReason(p) : status ? problemText(status, p) : p?.detail ?? '');

export class PlanView extends View {
  /** els: { controls, side, results, legend }; app: window.lagesbild; status(msg). */
  constructor(map, els, app, status) {
    super('viewPlan');
    this.map = map;
    this.els = els;
    this.app = app;
    this.status = status;
    this.state = { ready: false, plan: null, delivery: null, busy: false };
    app.plan = this.state;
    // The results scroll; a keyboard user reaches them (they hold tables, no controls).
    els.results.tabIndex = 0;
    this.active = false;
    onLangChange(() => { if (this.actorTypes) this.relabel(); });
  }

  /** refresh reruns the view's data for a new caller (View.reload). */
  refresh() {
    // The caller changed: a reader gets no forms (they would end in 403), an editor gets them.
    this.loadPlans().then(() => this.renderForm(), () => this.renderForm());
    if (this.plan) this.loadDelivery().then(() => { this.renderSide(); this.renderResults(); }, () => this.renderSide());
  }

  /** loadPlans asks for the saved plans the caller may read (GET /deployment/plans), newest first. */
  async loadPlans() {
    const res = await getJSON('deployment/plans', { limit: 50 }, { fresh: true });
    this.plans = res.plans;
    this.state.plans = res.plans.map((p) => p.id);
  }

  /** plansBox lists the saved plans, each to open or to tick for the comparison. */
  plansBox() {
    const box = h('section', { class: 'block', id: 'plan-list', 'aria-labelledby': 'plan-list-title' },
      h('h3', { id: 'plan-list-title', text: t('plSaved') }));
    if (!this.plans?.length) { box.append(h('p', { class: 'hint', text: t('plNoPlans') })); return box; }
    this.compareIds ??= new Set();
    const ul = h('ul', { class: 'plan-list' });
    for (const p of this.plans) {
      const open = h('button', { type: 'button', class: 'link', 'data-plan': p.id,
        text: t('plListItem', { name: p.name || t('plNoName', { id: p.id }), start: p.start, weeks: p.weeks, org: p.owner ?? t('plOrgUnknown') }) });
      open.addEventListener('click', () => this.open(p.id));
      const tick = h('input', { type: 'checkbox', id: `plan-cmp-${p.id}`, 'data-plan': p.id, checked: this.compareIds.has(p.id) });
      tick.addEventListener('change', () => {
        if (tick.checked) this.compareIds.add(p.id); else this.compareIds.delete(p.id);
        box.querySelector('#plan-compare')?.replaceWith(this.compareTable());
      });
      ul.append(h('li', {}, tick, h('label', { for: tick.id, class: 'sr-only', text: t('plCompareBox', { id: p.id }) }), open));
    }
    box.append(ul, this.compareTable());
    return box;
  }

  /** compareTable puts the ticked plans side by side: one column per plan. */
  compareTable() {
    const chosen = (this.plans ?? []).filter((p) => this.compareIds?.has(p.id));
    if (chosen.length < 2) return h('p', { class: 'hint', id: 'plan-compare', text: t('plCompareHint') });
    const actors = [...new Set(chosen.flatMap((p) => Object.keys(p.planned_visits)))].sort();
    const row = (head, cell) => h('tr', {}, h('th', { scope: 'row', text: head }), ...chosen.map((p) => h('td', { text: cell(p) })));
    return h('table', { class: 'data', id: 'plan-compare' }, h('caption', { text: t('plCompare') }),
      h('thead', {}, h('tr', {}, h('td'), ...chosen.map((p) => h('th', { scope: 'col', 'data-plan': p.id, text: p.name || t('plNoName', { id: p.id }) })))),
      h('tbody', {},
        row(t('plC_start'), (p) => p.start), row(t('plC_weeks'), (p) => num(p.weeks, 0)), row(t('plC_targets'), (p) => num(p.targets, 0)),
        ...actors.map((a) => row(t('plC_visits', { actor: this.actorName(a) }), (p) => num(p.planned_visits[a] ?? 0, 0))),
        row(t('plC_reduction'), (p) => num(p.expected_reduction, 0)), row(t('plC_share'), (p) => `${num(100 * p.share, 1)} %`),
        row(t('plC_doses'), (p) => num(p.doses, 0))));
  }

  /** open reopens a saved plan. */
  async open(id) {
    this.state.ready = false;
    try {
      await this.show(await getJSON(`deployment/plans/${id}`, {}, { fresh: true }));
    } catch (err) {
      this.status(t('loadError', { what: t('viewPlan'), msg: err.message }));
      this.state.ready = true;
    }
  }

  showLayers(on) {
    this.active = on;
    if (!this.map.getLayer('plan-targets')) return;
    for (const id of planLayers) this.map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
  }

  name(o) { return getLang() === 'en' ? o.name_en : o.name_sv; }

  async init() {
    const at = await getJSON('deployment/actor-types');
    this.actorTypes = at.actor_types;
    this.addLayers();
    await this.loadPlans().catch((err) => { this.plans = null; this.status(t('loadError', { what: t('plSaved'), msg: err.message })); });
    this.renderForm();
    this.built = true;
    this.renderLegend();
    this.renderSide();
    this.renderResults();
    this.state.ready = true;
  }

  addLayers() {
    const map = this.map;
    map.addSource('plan-targets', { type: 'geojson', data: { type: 'FeatureCollection', features: [] }, tolerance: 0, promoteId: 'id' });
    const layout = { visibility: this.active ? 'visible' : 'none' };
    // Circle area grows with the planned minutes per week (radius ∝ √dose), so a target at
    // twice the dose looks twice as big; targets without dose are hollow.
    map.addLayer({ id: 'plan-targets-none', type: 'circle', source: 'plan-targets', layout,
      filter: ['<=', ['get', 'planned_minutes_per_week'], 0],
      paint: { 'circle-radius': 5, 'circle-color': 'rgba(255,255,255,0.6)', 'circle-stroke-color': '#343a40', 'circle-stroke-width': 2 } });
    map.addLayer({ id: 'plan-targets', type: 'circle', source: 'plan-targets', layout,
      filter: ['>', ['get', 'planned_minutes_per_week'], 0],
      paint: {
        'circle-radius': ['+', 4, ['*', 0.75, ['sqrt', ['get', 'planned_minutes_per_week']]]],
        'circle-color': doseColour, 'circle-opacity': 0.7, 'circle-stroke-color': '#14325c', 'circle-stroke-width': 1.5,
      } });
  }

  // ---- the plan form ----

  renderForm() {
    const c = this.els.controls;
    const heading = c.querySelector('h2');
    if (!canWrite()) {
      c.replaceChildren(heading, h('p', { class: 'hint', id: 'plan-readonly', text: t('plReadOnly') }), this.plansBox());
      return;
    }
    const prev = this.formState();
    const form = h('form', { id: 'plan-form', novalidate: true, 'aria-labelledby': 'plan-controls-title' });
    const field = (id, text, control, hint) => h('div', { class: 'field', 'data-field': id },
      h('label', { for: id, text }), hint ? h('p', { class: 'hint small', id: `${id}-hint`, text: hint }) : null, control,
      h('p', { class: 'field-error', id: `${id}-error`, hidden: true }));
    const input = (id, attrs, value) => { const e = h('input', { id, ...attrs }); e.value = value; return e; };
    form.append(field('plan-name', t('plName'), input('plan-name', { type: 'text', autocomplete: 'off' }, prev?.name ?? '')));
    const caps = h('fieldset', { class: 'block', id: 'plan-capacities' }, h('legend', { text: t('plCapacities') }));
    for (const a of this.actorTypes) {
      const id = `plan-cap-${a.id}`;
      const el = input(id, { type: 'number', min: 0, step: 'any', inputmode: 'decimal', 'data-actor': a.id, 'aria-describedby': `${id}-hint` },
        prev?.caps?.[a.id] ?? defaultCapacity[a.id] ?? 0);
      caps.append(field(id, `${this.name(a)} (${t(`plUnit_${a.capacity_unit}`)})`, el,
        t('plActsOn', { list: a.categories.map(label).join(', ') })));
    }
    form.append(caps,
      field('plan-weeks', t('plWeeks'), input('plan-weeks', { type: 'number', min: 1, max: 52, step: 1 }, prev?.weeks ?? 4)),
      field('plan-visit', t('plVisit'), input('plan-visit', { type: 'number', min: 5, max: 60, step: 1 }, prev?.visit ?? 15)),
      field('plan-start', t('plStart'), input('plan-start', { type: 'date', 'aria-describedby': 'plan-start-hint' }, prev?.start ?? ''), t('plStartHint')));
    const kinds = h('fieldset', { class: 'block', id: 'plan-targets' }, h('legend', { text: t('plTargets') }));
    for (const k of ['places', 'cells', 'forecast']) {
      kinds.append(h('div', { class: 'radio' },
        h('input', { type: 'radio', name: 'plan-kind', id: `plan-kind-${k}`, value: k, checked: (prev?.kind ?? 'places') === k }),
        h('label', { for: `plan-kind-${k}`, text: t(`plKind_${k}`) })));
    }
    kinds.append(field('plan-top', t('plTop'), input('plan-top', { type: 'number', min: 1, step: 1 }, prev?.top ?? 10)),
      h('p', { class: 'field-error', id: 'plan-targets-error', hidden: true }));
    form.append(kinds,
      h('div', { id: 'plan-form-status', role: 'alert', class: 'form-message' }),
      h('button', { type: 'submit', class: 'button primary', id: 'plan-submit', text: t('plSubmit') }));
    form.addEventListener('submit', (e) => { e.preventDefault(); this.submit(); });
    c.replaceChildren(heading, form, this.plansBox());
  }

  /** formState reads the form (null before it exists). */
  formState() {
    const f = this.els.controls.querySelector('#plan-form');
    if (!f) return null;
    const caps = {};
    for (const el of f.querySelectorAll('input[data-actor]')) caps[el.dataset.actor] = el.value;
    return {
      name: f.querySelector('#plan-name').value, caps, weeks: f.querySelector('#plan-weeks').value,
      visit: f.querySelector('#plan-visit').value, top: f.querySelector('#plan-top').value, start: f.querySelector('#plan-start').value,
      kind: f.querySelector('input[name="plan-kind"]:checked')?.value ?? 'places',
    };
  }

  /** request builds the body of POST /deployment/plans, with the field each member came from. */
  request() {
    const st = this.formState();
    const numOr = (v) => (v === '' ? undefined : Number(v));
    const actors = [];
    this.actorFields = [];
    for (const a of this.actorTypes) {
      const v = st.caps[a.id];
      if (v === '') continue;
      actors.push({ type: a.id, capacity: Number(v) });
      this.actorFields.push(`plan-cap-${a.id}`);
    }
    const targets = { top: numOr(st.top) };
    if (st.kind === 'cells' || st.kind === 'forecast') targets.kind = st.kind;
    const body = { actors, weeks: numOr(st.weeks), visit_minutes: numOr(st.visit), targets };
    if (st.name.trim()) body.name = st.name.trim();
    if (st.start) body.start = mondayOf(st.start);
    return body;
  }

  /** fieldOf maps a problem's param to the form control it names. */
  fieldOf(param) {
    const m = /^actors\[(\d+)\]/.exec(param ?? '');
    if (m) return this.actorFields[Number(m[1])] ?? 'plan-capacities';
    if (param === 'actors') return 'plan-capacities';
    if (param === 'weeks') return 'plan-weeks';
    if (param === 'visit_minutes') return 'plan-visit';
    if (param === 'targets.top') return 'plan-top';
    if (param?.startsWith('targets')) return 'plan-targets';
    if (param === 'name') return 'plan-name';
    if (param === 'start') return 'plan-start';
    return null;
  }

  clearErrors(root) {
    for (const e of root.querySelectorAll('.field-error')) { e.hidden = true; e.textContent = ''; }
    for (const e of root.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
    for (const e of root.querySelectorAll('[data-error-for]')) {
      e.setAttribute('aria-describedby', e.dataset.describedby ?? '');
      if (!e.dataset.describedby) e.removeAttribute('aria-describedby');
      e.removeAttribute('data-error-for');
    }
  }

  /** showFieldError puts the API's message next to the control with id (true if there is one). */
  showFieldError(root, id, reason) {
    const input = id && root.querySelector(`#${CSS.escape(id)}`);
    const err = id && root.querySelector(`#${CSS.escape(id)}-error`);
    if (!input || !err) return false;
    err.textContent = t('plFieldInvalid', { reason });
    err.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    const before = input.getAttribute('aria-describedby') ?? '';
    input.dataset.describedby = before;
    input.dataset.errorFor = id;
    input.setAttribute('aria-describedby', `${before} ${err.id}`.trim());
    (input.matches('fieldset') ? input.querySelector('input') : input).focus();
    return true;
  }

  async submit() {
    if (this.state.busy) return;
    const form = this.els.controls.querySelector('#plan-form');
    this.clearErrors(form);
    const statusBox = form.querySelector('#plan-form-status');
    statusBox.classList.remove('error');
    statusBox.textContent = t('plPlanning');
    this.state.busy = true;
    this.state.ready = false;
    let res;
    try {
      res = await send('deployment/plans', this.request());
    } catch (err) {
      res = { ok: false, status: 0, body: { detail: err.message } };
    }
    this.state.busy = false;
    this.state.lastStatus = res.status;
    this.state.lastProblem = res.ok ? null : res.body;
    if (!res.ok) {
      const reason = reasonText(res.status, res.body) || String(res.status);
      statusBox.classList.add('error');
      statusBox.textContent = t('plFormError', { msg: reason });
      this.showFieldError(form, this.fieldOf(res.body?.param), reason);
      this.state.ready = true;
      return;
    }
    statusBox.textContent = '';
    await this.show(res.body);
    this.loadPlans().then(() => this.els.controls.querySelector('#plan-list')?.replaceWith(this.plansBox()), () => {});
  }

  /** show draws a stored plan: map, summary, tables and its delivery. */
  async show(plan) {
    this.plan = plan;
    this.state.plan = plan;
    this.state.ready = false;
    const [geo] = await Promise.all([
      getJSON(`deployment/plans/${plan.id}`, { f: 'geojson' }, { fresh: true }),
      this.loadDelivery(),
    ]);
    this.geo = geo;
    this.state.features = geo.features.map((f) => f.id);
    this.map.getSource('plan-targets').setData(geo);
    if (geo.features.length) this.map.fitBounds(bounds(geo.features), { padding: 50, duration: 0, maxZoom: 15 });
    this.renderSide();
    this.renderResults();
    if (this.app.view === 'plan') this.status(t('plShown', { id: plan.id, n: geo.features.length }));
    await whenIdle(this.map);
    if (this.plan === plan) this.state.ready = true;
  }

  async loadDelivery() {
    const d = await getJSON(`deployment/plans/${this.plan.id}/delivery`, {}, { fresh: true });
    this.delivery = d;
    this.state.delivery = d;
  }

  // ---- results ----

  targetName(id) { return this.plan?.targets.find((x) => x.id === id)?.name ?? id; }
  actorName(type) { const a = this.plan?.actors.find((x) => x.type === type) ?? this.actorTypes.find((x) => x.id === type); return a ? this.name(a) : type; }

  renderSide() {
    const side = this.els.side;
    const heading = side.querySelector('h2');
    const p = this.plan;
    if (!p) {
      side.replaceChildren(heading, h('p', { class: 'hint', id: 'plan-summary', text: t('plNothing') }));
      return;
    }
    const lang = getLang();
    const day = (x) => new Date(x).toLocaleDateString(lang === 'en' ? 'en-GB' : 'sv-SE');
    const summary = h('div', { id: 'plan-summary', 'data-plan': p.id },
      h('h3', { text: (p.name ? `${p.name}: ` : '') + t('plSummary', { id: p.id, start: p.start, weeks: p.weeks }) }),
      h('p', { id: 'plan-reduction', 'data-reduction': p.expected_reduction, 'data-share': p.share,
        text: t('plReduction', { red: num(p.expected_reduction, 0), risk: num(p.risk, 0), share: num(100 * (p.share ?? 0), 1) }) }),
      p.risk_period ? h('p', { class: 'hint', text: t('plRiskPeriod', { from: day(p.risk_period.start), to: day(p.risk_period.end) }) }) : null);
    const link = (f, text) => h('li', {}, h('a', { href: apiURL(`deployment/plans/${p.id}`, { f }), download: `plan-${p.id}.${f}`, id: `plan-dl-${f}`, text }));
    const downloads = h('div', {}, h('h3', { text: t('plDownloads') }),
      h('ul', { class: 'links' }, link('csv', t('plCSV')), link('ics', t('plICS')), link('geojson', t('plGeoJSON')),
        h('li', {}, h('a', { href: 'pass.html', id: 'plan-pass', text: t('plPass') }))));
    // What was left uncovered, and why.
    const unc = h('div', { id: 'plan-uncovered' }, h('h3', { text: t('plUncovered') }));
    if (!p.uncovered.length) unc.append(h('p', { class: 'hint', text: t('plAllCovered') }));
    else {
      const ul = h('ul', { class: 'reasons' });
      for (const u of p.uncovered) {
        const reasons = Object.entries(u.weeks_without_dose ?? {}).filter(([, n]) => n > 0).map(([r, n]) => t(`plReason_${r}`, { n }));
        if (u.categories_without_actor?.length) reasons.push(t('plNoActorCats', { list: u.categories_without_actor.map(label).join(', ') }));
        if (u.residual_harm != null) reasons.push(t('plResidual', { v: num(u.residual_harm, 0) }));
        ul.append(h('li', { 'data-target': u.target_id }, h('strong', { text: this.targetName(u.target_id) }), `: ${reasons.join('; ')}`));
      }
      unc.append(ul);
    }
    if (p.max_dose_reached?.length) {
      unc.append(h('p', { class: 'hint', id: 'plan-maxdose',
        text: t('plMaxDose', { max: num(p.parameters.max_dose, 0), list: p.max_dose_reached.map((id) => this.targetName(id)).join(', ') }) }));
    }
    side.replaceChildren(heading, summary, downloads, unc, canWrite() ? this.doseForm() : null);
  }

  /** doseForm logs one visit actually made; the unit is a code, never a name. */
  doseForm() {
    const p = this.plan;
    const keep = this.doseValues();
    const form = h('form', { id: 'dose-form', novalidate: true, 'aria-labelledby': 'dose-title' });
    form.append(h('h3', { id: 'dose-title', text: t('plDose') }), h('p', { class: 'hint', id: 'dose-hint', text: t('plDoseHint') }));
    const field = (name, control) => {
      control.id = `dose-${name}`;
      control.name = name;
      return h('div', { class: 'field', 'data-field': name }, h('label', { for: control.id, text: t(`plD_${name}`) }), control,
        h('p', { class: 'field-error', id: `dose-${name}-error`, hidden: true }));
    };
    const sel = (opts, value) => {
      const e = h('select', {}, ...opts.map(([v, text]) => h('option', { value: v, text })));
      if (value != null && opts.some(([v]) => v === value)) e.value = value;
      return e;
    };
    const inp = (attrs, value) => { const e = h('input', attrs); e.value = value; return e; };
    // Default start: the plan's first Monday at the police shift start, local time.
    const start = `${p.start}T17:00`;
    form.append(
      field('unit_code', inp({ type: 'text', autocomplete: 'off', 'aria-describedby': 'dose-hint', placeholder: 'P12' }, keep?.unit_code ?? 'P12')),
      field('target_id', sel(p.targets.map((x) => [x.id, x.name]), keep?.target_id)),
      field('actor_type', sel(p.actors.map((a) => [a.type, this.name(a)]), keep?.actor_type)),
      field('started_at', inp({ type: 'datetime-local' }, keep?.started_at ?? start)),
      field('minutes', inp({ type: 'number', min: 1, max: 240, step: 1 }, keep?.minutes ?? 15)),
      field('tactic', sel(tactics.map((x) => [x, t(`plTactic_${x}`)]), keep?.tactic)),
      h('div', { id: 'dose-status', role: 'status', class: 'form-message' }),
      h('button', { type: 'submit', class: 'button', id: 'dose-save', text: t('plDoseSave') }));
    form.addEventListener('submit', (e) => { e.preventDefault(); this.logDose(); });
    return form;
  }

  doseValues() {
    const f = this.els.side.querySelector('#dose-form');
    if (!f) return null;
    const v = (n) => f.querySelector(`#dose-${n}`).value;
    return { unit_code: v('unit_code'), target_id: v('target_id'), actor_type: v('actor_type'), started_at: v('started_at'), minutes: v('minutes'), tactic: v('tactic') };
  }

  async logDose() {
    const form = this.els.side.querySelector('#dose-form');
    this.clearErrors(form);
    const v = this.doseValues();
    const box = form.querySelector('#dose-status');
    box.classList.remove('error');
    const at = new Date(v.started_at);
    const dose = {
      plan_id: this.plan.id, target_id: v.target_id, actor_type: v.actor_type, unit_code: v.unit_code.trim() || null,
      started_at: Number.isNaN(at.getTime()) ? v.started_at : at.toISOString(), minutes: Number(v.minutes), tactic: v.tactic,
    };
    this.state.ready = false;
    const res = await send('deployment/doses', { doses: [dose] }).catch((err) => ({ ok: false, status: 0, body: { detail: err.message } }));
    this.state.lastDoseStatus = res.status;
    if (!res.ok) {
      const reason = reasonText(res.status, res.body) || String(res.status);
      box.classList.add('error');
      box.textContent = t('plDoseError', { msg: reason });
      const name = (res.body?.param ?? '').replace(/^doses\[\d+\]\./, '');
      this.showFieldError(form, `dose-${name}`, reason);
      this.state.ready = true;
      return;
    }
    this.state.doses = (this.state.doses ?? 0) + 1;
    await this.loadDelivery();
    this.renderResults();
    box.textContent = t('plDoseSaved', { target: this.targetName(v.target_id) });
    this.state.ready = true;
  }

  renderResults() {
    const box = this.els.results;
    const heading = box.querySelector('h2');
    const p = this.plan;
    if (!p) { box.replaceChildren(heading); return; }
    const th = (text, attrs = {}) => h('th', { scope: 'col', ...attrs, text });
    const weekHead = (w) => th(t('plWeek', { n: w.week }), { title: t('plWeekStart', { n: w.week, start: w.start }) });

    // Capacity used per actor type and week, against the capacity.
    const cap = h('table', { id: 'plan-capacity', class: 'data' }, h('caption', { text: t('plCapacityTable') }),
      h('thead', {}, h('tr', {}, th(t('plActor')), ...p.plan.map(weekHead))));
    const cb = h('tbody');
    for (const a of p.actors) {
      const capMin = a.visits_per_week * a.visit_minutes;
      const tr = h('tr', { 'data-actor': a.type }, h('th', { scope: 'row', text: this.name(a) }));
      for (const w of p.plan) {
        const min = w.items.filter((it) => it.actor_type === a.type).reduce((acc, it) => acc + it.minutes, 0);
        tr.append(h('td', { class: 'num', 'data-week': w.week, 'data-minutes': min, 'data-capacity': capMin },
          `${num(min, 0)} / ${num(capMin, 0)}`));
      }
      cb.append(tr);
    }
    cap.append(cb);

    // Week-by-week plan per target and actor type.
    const items = h('table', { id: 'plan-items', class: 'data' }, h('caption', { text: t('plItemsTable') }),
      h('thead', {}, h('tr', {}, th(t('plTarget')), th(t('plActor')), ...p.plan.map(weekHead), th(t('plTotal')))));
    const ib = h('tbody');
    for (const tg of p.targets) {
      const types = p.actors.filter((a) => p.plan.some((w) => w.items.some((it) => it.target_id === tg.id && it.actor_type === a.type)));
      if (!types.length) {
        ib.append(h('tr', { 'data-target': tg.id }, h('th', { scope: 'row', text: tg.name }), h('td', { text: '–' }),
          ...p.plan.map((w) => h('td', { class: 'num', text: (w.resting ?? []).includes(tg.id) ? '·' : '0' })), h('td', { class: 'num', text: '0' })));
        continue;
      }
      types.forEach((a) => {
        const tr = h('tr', { 'data-target': tg.id, 'data-actor': a.type }, h('th', { scope: 'row', text: tg.name }), h('td', { text: this.name(a) }));
        let total = 0;
        for (const w of p.plan) {
          const it = w.items.find((x) => x.target_id === tg.id && x.actor_type === a.type);
          total += it?.minutes ?? 0;
          tr.append(h('td', { class: 'num', 'data-week': w.week, 'data-minutes': it?.minutes ?? 0 },
            it ? `${num(it.minutes, 0)} (${it.visits})` : (w.resting ?? []).includes(tg.id) ? '·' : '0'));
        }
        tr.append(h('td', { class: 'num', text: num(total, 0) }));
        ib.append(tr);
      });
    }
    items.append(ib);
    box.replaceChildren(heading, h('div', { class: 'table-wrap' }, cap), h('div', { class: 'table-wrap' }, items), this.deliveryTable());
  }

  /** deliveryTable is planned against delivered per target, with a crime-and-dosage chart per row. */
  deliveryTable() {
    const d = this.delivery;
    if (!d) return null;
    const th = (text) => h('th', { scope: 'col', text });
    const table = h('table', { id: 'plan-delivery', class: 'data' }, h('caption', { text: t('plDelivery') }),
      h('thead', {}, h('tr', {}, th(t('plTarget')), th(t('plPlanned')), th(t('plDelivered')), th(t('plDeliveredShare')), th(t('plCrimeDose')))));
    const body = h('tbody');
    const maxObs = Math.max(1, ...d.targets.flatMap((x) => x.weeks.map((w) => w.observations)));
    const maxDose = Math.max(1, this.plan.parameters.max_dose, ...d.targets.flatMap((x) => x.weeks.map((w) => Math.max(w.planned_minutes, w.delivered_minutes))));
    for (const tg of d.targets) {
      const inPlan = tg.weeks.filter((w) => w.week >= 1);
      const planned = inPlan.reduce((a, w) => a + w.planned_minutes, 0);
      const delivered = inPlan.reduce((a, w) => a + w.delivered_minutes, 0);
      body.append(h('tr', { 'data-target': tg.target_id },
        h('th', { scope: 'row', text: tg.name }),
        h('td', { class: 'num planned', 'data-minutes': planned, text: num(planned, 0) }),
        h('td', { class: 'num delivered', 'data-minutes': delivered, text: num(delivered, 0) }),
        h('td', { class: 'num', text: planned > 0 ? `${num(100 * delivered / planned, 0)} %` : '–' }),
        h('td', {}, crimeDose(tg, maxObs, maxDose))));
    }
    table.append(body);
    return h('div', { class: 'table-wrap', id: 'plan-delivery-wrap' }, table,
      h('p', { class: 'hint', text: t('plDeliveryNote', { radius: num(d.radius, 0), baseline: d.baseline_weeks }) }));
  }

  renderLegend() {
    const dot = (r, hollow) => {
      const sz = 2 * r + 4;
      const svg = s('svg', { width: sz, height: sz, 'aria-hidden': 'true' });
      svg.append(s('circle', { cx: sz / 2, cy: sz / 2, r, fill: hollow ? '#ffffff' : doseColour, 'fill-opacity': hollow ? 0.6 : 0.7,
        stroke: hollow ? '#343a40' : '#14325c', 'stroke-width': hollow ? 2 : 1.5 }));
      return svg;
    };
    const ul = h('ul', { class: 'legend-list' });
    for (const m of [60, 210, 420]) ul.append(h('li', {}, dot(4 + 0.75 * Math.sqrt(m)), `${num(m, 0)} min`));
    ul.append(h('li', {}, dot(5, true), t('plLegendNone')));
    this.els.legend.replaceChildren(h('p', { class: 'legend-title', text: t('plLegend') }), ul);
  }

  relabel() {
    const busy = this.state.busy;
    this.renderForm();
    this.renderLegend();
    this.renderSide();
    this.renderResults();
    this.state.busy = busy;
  }
}

/** crimeDose draws one target's weeks: observations as bars, planned (outline) and delivered (filled) dose below. */
function crimeDose(tg, maxObs, maxDose) {
  const n = tg.weeks.length;
  const bw = 10, W = Math.max(60, n * bw), H = 46, top = 28;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', class: 'crime-dose' });
  const list = tg.weeks.map((w) => t('plCrimeDoseWeek', { week: w.week, obs: w.observations, planned: num(w.planned_minutes, 0), delivered: num(w.delivered_minutes, 0) })).join('; ');
  svg.setAttribute('aria-label', t('plCrimeDoseDesc', { name: tg.name, list }));
  tg.weeks.forEach((w, i) => {
    const x = i * bw + 1;
    const hObs = (w.observations / maxObs) * (top - 2);
    svg.append(s('rect', { x, y: top - hObs, width: bw - 2, height: hObs, class: w.week >= 1 ? 'obs' : 'obs baseline', 'data-week': w.week }));
    const hp = (w.planned_minutes / maxDose) * 14, hd = (w.delivered_minutes / maxDose) * 14;
    if (w.planned_minutes > 0) svg.append(s('rect', { x, y: H - hp, width: bw - 2, height: hp, class: 'dose-planned' }));
    if (w.delivered_minutes > 0) svg.append(s('rect', { x: x + 1, y: H - hd, width: bw - 4, height: hd, class: 'dose-delivered', 'data-week': w.week }));
  });
  const start = tg.weeks.findIndex((w) => w.week >= 1);
  if (start > 0) svg.append(s('line', { x1: start * bw, x2: start * bw, y1: 0, y2: H, class: 'plan-start' }));
  return svg;
}
