// The side panel: attributes of the selected district or feature, and for a district its
// time series of the chosen indicator. Its heading is announced through an aria-live region.
import { getJSON } from './api.js';
import { t, label, num, getLang } from './i18n.js';
import { lineChart } from './chart.js';

export class Panel {
  constructor(els) {
    this.els = els; // { body: <div>, live: <div aria-live> }
    this.current = null;
    this.seq = 0;
    this.clear();
  }

  clear() {
    this.current = null;
    const p = document.createElement('p');
    p.className = 'hint';
    p.textContent = t('nothingSelected');
    this.els.body.replaceChildren(p);
  }

  announce(text) {
    this.els.live.textContent = text;
  }

  /** showDistrict shows district props (from the choropleth source) with the series of indicator ind. */
  async showDistrict(props, ind, year) {
    const seq = ++this.seq;
    this.current = { type: 'district', props, ind, year };
    const name = props.name;
    const h = heading(name);
    const dl = list([
      [t('code'), props.code],
      [t('partOfTown'), props.part_of_town],
      [t('population'), props.population != null ? num(props.population, 0) : null],
      [`${indName(ind)} ${year}`, props.value != null ? `${num(props.value)} ${ind.unit}` : t('missing')],
    ]);
    const fig = document.createElement('figure');
    fig.className = 'series';
    const cap = document.createElement('figcaption');
    cap.textContent = `${t('timeSeries')}: ${indName(ind)} (${ind.unit})`;
    const loading = document.createElement('p');
    loading.textContent = t('loading');
    fig.append(cap, loading);
    this.els.body.replaceChildren(h, dl, fig);
    this.announce(t('shownDistrict', { name }));

    const fc = await getJSON('collections/indicator-values/items', {
      district_code: props.code, indicator_key: ind.key, sortby: 'year', limit: 1000,
    });
    if (seq !== this.seq) return; // another selection came first
    const points = fc.features.map((f) => ({ year: f.properties.year, value: f.properties.value }));
    if (points.length === 0) {
      loading.textContent = t('noSeries');
      return;
    }
    loading.replaceWith(lineChart(points, { name, indicator: indName(ind), unit: ind.unit, highlightYear: year }));
  }

  /**
   * showFeature shows the tile attributes of a place, intervention or observation, or (kind
   * 'feature') of a feature of another declared layer decl, named by its name or title. id is
   * the feature's id where it has one (places and interventions: the address keeps it).
   */
  showFeature(kind, props, decl, id = null) {
    this.seq++;
    this.current = { type: kind, props, decl, id };
    let title, rows;
    switch (kind) {
      case 'feature':
        title = String(props.name ?? props.title ?? props.id ?? '');
        rows = Object.entries(props).filter(([k]) => !['name', 'title'].includes(k)).map(([k, v]) => [k, label(v)]);
        break;
      case 'place':
        title = props.name;
        rows = [[t('kind'), label(props.kind)], [t('district'), props.district_code]];
        break;
      case 'intervention':
        title = props.title;
        rows = [
          [t('category'), label(props.category)], [t('horizon'), label(props.horizon)],
          [t('approach'), label(props.approach)], [t('leadOrg'), props.lead_org], [t('status'), label(props.status)],
          [t('period'), `${props.start_date ?? '?'} – ${props.end_date ?? t('openEnded')}`],
        ];
        break;
      case 'cell':
        title = t('cell');
        rows = [[t('count'), num(props.count, 0)], [t('severitySum'), num(props.severity_sum, 0)]];
        break;
      default:
        title = `${t('observation')}: ${label(props.category)}`;
        rows = [
          [t('observedAt'), formatTime(props.observed_at)], [t('category'), label(props.category)],
          [t('severity'), props.severity], [t('source'), label(props.source)],
        ];
    }
    this.els.body.replaceChildren(heading(title), list(rows));
    const kindName = { place: t('place'), intervention: t('intervention'), cell: t('cell') }[kind]
      ?? (kind === 'feature' ? (getLang() === 'en' ? decl.titleEn : decl.title) : t('observation'));
    this.announce(t('shownFeature', { kind: kindName, name: title }));
  }
}

function indName(ind) { return getLang() === 'en' ? ind.name_en : ind.name_sv; }

function heading(text) {
  const h = document.createElement('h3');
  h.id = 'selected-title';
  h.tabIndex = -1;
  h.textContent = text;
  return h;
}

function list(rows) {
  const dl = document.createElement('dl');
  for (const [k, v] of rows) {
    if (v == null || v === '') continue;
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = String(v);
    dl.append(dt, dd);
  }
  return dl;
}

function formatTime(s) {
  if (!s) return '';
  const d = new Date(typeof s === 'number' ? s * 1000 : s);
  if (Number.isNaN(d.getTime())) return String(s);
  return d.toLocaleString(getLang() === 'en' ? 'en-GB' : 'sv-SE', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Stockholm' });
}
