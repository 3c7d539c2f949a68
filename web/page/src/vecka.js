// Veckans lägesbild (#vecka): the weekly EST meeting's agenda from GET /analysis/week — what
// changed since the last meeting, every line with its numbers and a link to the answer they
// come from, and the printable page (GET /report/week). No map: a list to read at the meeting
// table or on a phone.

import { getJSON, apiURL } from './api.js';
import { t, addTexts, getLang, onLangChange, num, label } from './i18n.js';
import { h } from './dom.js';
import { View } from './view.js';

addTexts({
  sv: {
    viewWeek: 'Veckan', wkTitle: 'Veckans lägesbild', skipWeek: 'Hoppa till veckans dagordning',
    wkIntro: 'Dagordning för veckans EST-möte: vad som har ändrats sedan förra mötet.',
    wkSince: 'Senaste mötet', wkTo: 'Till och med', wkShow: 'Visa', wkPrint: 'Utskrift (A4)', wkJSON: 'Som data (JSON)',
    wkPeriod: 'Sedan senaste mötet: {since} – {to} ({days} dagar). Jämförs med {psince} – {pto}.',
    wkPeriod1: 'Sedan senaste mötet: {since} – {to} (1 dag). Jämförs med {psince} – {pto}.',
    wkBasis: 'Siffrorna bygger på de uppgifter din organisation får läsa ({clearance}) och kan skilja sig för organisationer med annan behörighet.',
    wkClearance_open: 'öppna uppgifter', wkClearance_internal: 'öppna och interna uppgifter', wkClearance_restricted: 'alla uppgifter, även polisens begränsade',
    wkPlaces: 'Platser', wkRising: 'Ökat mest', wkFalling: 'Minskat mest',
    wkPlaceLine: '{count} observationer (före {prev}), täthet {density} per km² (före {pdensity})',
    wkHotspots: 'Brännpunkter', wkNew: 'Nya signifikanta brännpunkter', wkEnded: 'Brännpunkter som upphört',
    wkCellLine: 'z {z}, {count} observationer inom 450 m (före {prev}), {cells} rutor',
    wkCellLine1: 'z {z}, {count} observationer inom 450 m (före {prev}), 1 ruta',
    wkEmerging: 'Framväxande mönster (12 månader)', wkEmergingLine: '{pattern}: trend z {trend}, {hot} månader som brännpunkt',
    wkPresence: 'Planerad mot genomförd närvaro', wkNoPlan: 'Ingen insatsplan gäller under perioden.',
    wkTargetLine: 'besök {dv} av {pv}, minuter {dm} av {pm}',
    wkInterventions: 'Insatser', wkStarting: 'Startar', wkEnding: 'Slutar', wkDue: 'Uppföljning att göra',
    wkReason_one_year: 'ett år sedan starten', wkReason_ended_still_open: 'slutdatum passerat men inte avslutad',
    wkNumbers: 'siffrorna', wkFollowup: 'uppföljningen', wkNone: 'Inga.', wkShown: 'Veckans lägesbild {since} – {to} visas.',
    wkBadDate: 'Ange datum som ÅÅÅÅ-MM-DD.',
  },
  en: {
    viewWeek: 'This week', wkTitle: "This week's situational picture", skipWeek: "Skip to this week's agenda",
    wkIntro: 'Agenda of the weekly EST meeting: what changed since the last meeting.',
    wkSince: 'Last meeting', wkTo: 'Up to', wkShow: 'Show', wkPrint: 'Printable (A4)', wkJSON: 'As data (JSON)',
    wkPeriod: 'Since the last meeting: {since} – {to} ({days} days). Compared with {psince} – {pto}.',
    wkPeriod1: 'Since the last meeting: {since} – {to} (1 day). Compared with {psince} – {pto}.',
    wkBasis: 'The figures are made from the data your organisation may read ({clearance}) and may differ for organisations with other clearance.',
    wkClearance_open: 'open data', wkClearance_internal: 'open and internal data', wkClearance_restricted: "all data, including the police's restricted data",
    wkPlaces: 'Places', wkRising: 'Rose most', wkFalling: 'Fell most',
    wkPlaceLine: '{count} observations (before {prev}), density {density} per km² (before {pdensity})',
    wkHotspots: 'Hot spots', wkNew: 'New significant hot spots', wkEnded: 'Hot spots that ended',
    wkCellLine: 'z {z}, {count} observations within 450 m (before {prev}), {cells} cells',
    wkCellLine1: 'z {z}, {count} observations within 450 m (before {prev}), 1 cell',
    wkEmerging: 'Emerging patterns (12 months)', wkEmergingLine: '{pattern}: trend z {trend}, {hot} months as a hot spot',
    wkPresence: 'Planned against delivered presence', wkNoPlan: 'No deployment plan is in force during the period.',
    wkTargetLine: 'visits {dv} of {pv}, minutes {dm} of {pm}',
    wkInterventions: 'Interventions', wkStarting: 'Starting', wkEnding: 'Ending', wkDue: 'Follow-up due',
    wkReason_one_year: 'a year since the start', wkReason_ended_still_open: 'end date passed but not completed',
    wkNumbers: 'the numbers', wkFollowup: 'the follow-up', wkNone: 'None.', wkShown: "This week's picture {since} – {to} shown.",
    wkBadDate: 'Give dates as YYYY-MM-DD.',
  },
});

// The emerging analysis's hot spot patterns, in words.
const patterns = {
  sv: {
    new_hot_spot: 'ny brännpunkt', consecutive_hot_spot: 'sammanhängande brännpunkt', intensifying_hot_spot: 'intensifierad brännpunkt',
    persistent_hot_spot: 'ihållande brännpunkt', diminishing_hot_spot: 'avtagande brännpunkt', sporadic_hot_spot: 'sporadisk brännpunkt',
    oscillating_hot_spot: 'växlande brännpunkt', historical_hot_spot: 'historisk brännpunkt',
  },
  en: {
    new_hot_spot: 'new hot spot', consecutive_hot_spot: 'consecutive hot spot', intensifying_hot_spot: 'intensifying hot spot',
    persistent_hot_spot: 'persistent hot spot', diminishing_hot_spot: 'diminishing hot spot', sporadic_hot_spot: 'sporadic hot spot',
    oscillating_hot_spot: 'oscillating hot spot', historical_hot_spot: 'historical hot spot',
  },
};

const isDate = (s) => /^\d{4}-\d\d-\d\d$/.test(s);

export class WeekView extends View {
  /** els: root (the view's section). */
  constructor(els, app, status) {
    super('viewWeek');
    this.els = els;
    this.app = app;
    this.status = status;
    this.state = { ready: false, week: null };
    app.week = this.state;
    onLangChange(() => { if (this.built) this.render(); });
  }

  refresh() { this.load(); }

  async init() {
    const root = this.els.root;
    this.since = h('input', { type: 'date', id: 'wk-since', name: 'wk-since' });
    this.to = h('input', { type: 'date', id: 'wk-to', name: 'wk-to' });
    this.sinceLabel = h('label', { for: 'wk-since' });
    this.toLabel = h('label', { for: 'wk-to' });
    this.show = h('button', { type: 'submit', class: 'primary' });
    this.print = h('a', { id: 'wk-print', class: 'wk-print' });
    this.json = h('a', { id: 'wk-json', class: 'wk-print' });
    this.form = h('form', { id: 'wk-form', class: 'wk-form' },
      h('div', { class: 'field' }, this.sinceLabel, this.since), h('div', { class: 'field' }, this.toLabel, this.to), this.show);
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.load(); });
    for (const el of [this.since, this.to]) el.addEventListener('change', () => this.load());
    this.heading = h('h2', { id: 'wk-title' });
    this.intro = h('p', { class: 'hint' });
    this.body = h('div', { id: 'wk-body', 'aria-live': 'polite' });
    root.replaceChildren(this.heading, this.intro, this.form, h('p', { class: 'wk-links' }, this.print, ' ', this.json), this.body);
    this.built = true;
    await this.load();
  }

  async load() {
    const since = this.since.value, to = this.to.value;
    if ((since && !isDate(since)) || (to && !isDate(to))) {
      this.status(t('wkBadDate'));
      return;
    }
    const params = {};
    if (since) params.since = since;
    if (to) params.to = to;
    const seq = (this.seq = (this.seq ?? 0) + 1);
    this.state.ready = false;
    try {
      const w = await getJSON('analysis/week', params, { fresh: true });
      if (seq !== this.seq) return;
      this.state.week = w;
      if (!since) this.since.defaultValue = this.since.value = w.since;
      if (!to) this.to.defaultValue = this.to.value = w.to;
      this.render();
      this.status(t('wkShown', { since: w.since, to: w.to }));
      this.state.ready = true;
    } catch (err) {
      if (seq !== this.seq) return;
      this.body.replaceChildren();
      this.status(t('loadError', { what: t('wkTitle'), msg: err.message }));
      throw err;
    }
  }

  render() {
    this.heading.textContent = t('wkTitle');
    this.intro.textContent = t('wkIntro');
    this.sinceLabel.textContent = t('wkSince');
    this.toLabel.textContent = t('wkTo');
    this.show.textContent = t('wkShow');
    const w = this.state.week;
    if (!w) return;
    const lang = getLang();
    this.print.href = apiURL('report/week', { since: w.since, to: w.to, lang });
    this.print.textContent = t('wkPrint');
    this.json.href = apiURL('analysis/week', { since: w.since, to: w.to });
    this.json.textContent = t('wkJSON');
    const n = (x, d = 0) => num(x, d);
    const link = (href, key) => h('a', { href, class: 'wk-source' }, t(key));
    const list = (items, line) => (items.length ? h('ul', { class: 'wk-list' }, ...items.map(line)) : h('p', { text: t('wkNone') }));
    const section = (id, title, ...kids) => h('section', { id, class: 'wk-section', 'aria-labelledby': `${id}-h` }, h('h3', { id: `${id}-h`, text: title }), ...kids);
    const sub = (title) => h('h4', { text: title });

    const place = (p) => h('li', { 'data-id': p.id },
      h('a', { href: p.item, class: 'wk-name' }, p.name), p.district ? ` (${p.district})` : '', ': ',
      t('wkPlaceLine', { count: n(p.count), prev: n(p.previous_count), density: n(p.density, 1), pdensity: n(p.previous_density, 1) }),
      p.change_pct != null ? `, ${p.change_pct > 0 ? '+' : ''}${n(p.change_pct)} %` : '', ' – ', link(p.link, 'wkNumbers'));
    const cell = (c) => h('li', { 'data-cell': c.cell },
      h('strong', { text: c.place || c.district }), c.place ? ` (${c.district})` : '', ': ',
      t(c.cells === 1 ? 'wkCellLine1' : 'wkCellLine', { z: n(c.z, 1), count: n(c.count), prev: n(c.previous_count), cells: n(c.cells) }),
      ' – ', link(c.link, 'wkNumbers'));
    const emerging = (c) => h('li', { 'data-cell': c.cell },
      h('strong', { text: c.place || c.district }), c.place ? ` (${c.district})` : '', ': ',
      t('wkEmergingLine', { pattern: patterns[lang][c.pattern] ?? c.pattern, trend: n(c.trend_z, 1), hot: n(c.hot_slices) }),
      ' – ', link(c.link, 'wkNumbers'));
    const iv = (i) => h('li', { 'data-id': i.id },
      h('a', { href: i.link, class: 'wk-name' }, i.title), ` (${label(i.status)}${i.start ? `, ${i.start}` : ''}${i.end ? ` – ${i.end}` : ''})`,
      i.reason ? `: ${t(`wkReason_${i.reason}`)}` : '', ' – ', link(i.followup, 'wkFollowup'));
    const plans = w.presence.length ? w.presence.map((p) => h('div', { class: 'wk-plan' },
      sub(p.name), list(p.targets, (tg) => h('li', {}, h('strong', { text: tg.name }), ': ',
        t('wkTargetLine', { dv: n(tg.delivered_visits), pv: n(tg.planned_visits), dm: n(tg.delivered_minutes), pm: n(tg.planned_minutes) }))),
      link(p.link, 'wkNumbers'))) : [h('p', { text: t('wkNoPlan') })];

    this.body.replaceChildren(
      h('p', { id: 'wk-period', text: t(w.days === 1 ? 'wkPeriod1' : 'wkPeriod', { since: w.since, to: w.to, days: n(w.days), psince: w.previous.since, pto: w.previous.to }) }),
      h('p', { id: 'wk-basis', class: 'hint', text: t('wkBasis', { clearance: t(`wkClearance_${w.clearance}`) }) }),
      section('wk-places', t('wkPlaces'), sub(t('wkRising')), list(w.places.rising, place), sub(t('wkFalling')), list(w.places.falling, place)),
      section('wk-hotspots', t('wkHotspots'), sub(t('wkNew')), list(w.hotspots.new, cell), sub(t('wkEnded')), list(w.hotspots.ended, cell),
        sub(t('wkEmerging')), list(w.emerging, emerging)),
      section('wk-presence', t('wkPresence'), ...plans),
      section('wk-interventions', t('wkInterventions'), sub(t('wkStarting')), list(w.interventions.starting, iv),
        sub(t('wkEnding')), list(w.interventions.ending, iv), sub(t('wkDue')), list(w.interventions.followup_due, iv)),
    );
  }
}
