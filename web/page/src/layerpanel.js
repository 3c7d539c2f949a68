// The map view's layer panel, built from the catalogue's declarations (config.json's layers,
// web/page_layers.go): one switch per declared layer, titled in the current language, with
// the legend the declaration gives. A layer whose legend the page draws itself (the
// districts' choropleth) declares none, and its legend box is left to that view.
import { t, getLang, onLangChange } from './i18n.js';
import { swatch } from './choropleth.js';

/** title is a declaration's (or legend entry's) title in the current language. */
export function title(d) { return getLang() === 'en' ? d.titleEn : d.title; }

/** swatchShape is the legend swatch of a geometry type: squares for areas and lines, else circles. */
function swatchShape(geometryType) {
  return /Polygon|LineString/.test(geometryType) ? 'square' : 'circle';
}

/**
 * LayerPanel builds the switches of decls into el (after its <legend>) and keeps their
 * titles and legends in the current language. extras maps a layer id to an element the
 * page adds to that layer's entry (the observations' time window).
 */
export class LayerPanel {
  constructor(el, decls, extras = {}) {
    this.decls = decls;
    this.labels = new Map();
    const entries = decls.map((d) => {
      const div = document.createElement('div');
      div.className = 'layer';
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.id = `layer-${d.id}`;
      box.dataset.group = d.id;
      box.checked = true;
      const lab = document.createElement('label');
      lab.htmlFor = box.id;
      this.labels.set(d.id, lab);
      const legend = document.createElement('div');
      legend.className = 'legend';
      legend.id = `legend-${d.id}`;
      // A legend the page draws itself changes with the user's choices: announce it.
      if (!d.legend.length) legend.setAttribute('aria-live', 'polite');
      div.append(box, lab, legend);
      if (extras[d.id]) div.append(extras[d.id]);
      return div;
    });
    el.append(...entries);
    this.render();
    onLangChange(() => this.render());
  }

  /** box returns the switch of layer id, or null when it is not in the panel. */
  box(id) { return document.getElementById(`layer-${id}`); }

  render() {
    for (const d of this.decls) {
      this.labels.get(d.id).textContent = title(d);
      if (!d.legend.length) continue;
      const ul = document.createElement('ul');
      ul.className = 'legend-list';
      for (const e of d.legend) {
        const li = document.createElement('li');
        li.append(swatch(e.colour, e.aggregate ? 'circle' : swatchShape(d.geometryType)), document.createTextNode(title(e)));
        ul.append(li);
      }
      document.getElementById(`legend-${d.id}`).replaceChildren(ul);
    }
  }
}

/** timeWindowFieldset builds the month window of a temporal layer's entry (ids time-from, time-to). */
export function timeWindowFieldset() {
  const fs = document.createElement('fieldset');
  fs.className = 'time';
  const text = (tag, key, attrs = {}) => {
    const e = document.createElement(tag);
    e.dataset.i18n = key;
    e.textContent = t(key);
    Object.assign(e, attrs);
    return e;
  };
  const month = (id) => {
    const i = document.createElement('input');
    i.type = 'month';
    i.id = id;
    return i;
  };
  fs.append(text('legend', 'timeWindow'), text('label', 'from', { htmlFor: 'time-from' }), month('time-from'),
    text('label', 'to', { htmlFor: 'time-to' }), month('time-to'));
  return fs;
}
