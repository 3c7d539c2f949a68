// Phones (issue 14, point 3): below 40rem (phone.css) the page is the map under a compact
// header. The views are in a menu behind one button; a view's panels (its choices, its
// details, its results) are sheets over the lower part of the map, one at a time, chosen in a
// bar under the map. On wider screens the menu button and the bar are not shown and the
// panels stand beside the map as before.
import { t, addTexts, onLangChange } from './i18n.js';

addTexts({
  sv: {
    sheetBar: 'Paneler', sheetMap: 'Karta', sheetControls: 'Val', sheetSide: 'Uppgifter', sheetResults: 'Resultat',
    viewsMenu: 'Vyer: {view}', tableRegion: 'Tabell',
  },
  en: {
    sheetBar: 'Panels', sheetMap: 'Map', sheetControls: 'Choices', sheetSide: 'Details', sheetResults: 'Results',
    viewsMenu: 'Views: {view}', tableRegion: 'Table',
  },
});

// The kinds of panel a view has, by their class, in the bar's order.
const kinds = [['controls', 'sheetControls'], ['side', 'sheetSide'], ['results', 'sheetResults']];

/**
 * PhoneLayout keeps the views menu and the sheet bar in step with the view on screen. els:
 * header, nav (the views' links), toggle (the menu button), layout (the panels' parent), bar
 * (the sheet bar's element) and map (the MapLibre map the sheets cover); viewTitle names a
 * view's text key.
 */
export class PhoneLayout {
  constructor(els, viewTitle) {
    this.els = els;
    this.viewTitle = viewTitle;
    this.view = null;
    this.open = null; // the kind of panel shown as a sheet, or null: the map alone
    els.toggle.setAttribute('aria-controls', els.nav.id);
    els.toggle.addEventListener('click', () => this.menu(els.toggle.getAttribute('aria-expanded') !== 'true'));
    els.nav.addEventListener('click', (e) => { if (e.target.closest('a')) this.menu(false); });
    document.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      if (els.toggle.getAttribute('aria-expanded') === 'true') { this.menu(false); els.toggle.focus(); }
    });
    document.addEventListener('click', (e) => {
      if (!els.header.contains(e.target)) this.menu(false);
    });
    onLangChange(() => this.render());
    this.menu(false);
    // Tables wider than their panel scroll in their box: such a box must be reachable by keyboard.
    let queued = false;
    const regions = () => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => { queued = false; scrollRegions(els.layout); });
    };
    new MutationObserver(regions).observe(els.layout, { childList: true, subtree: true });
    window.addEventListener('resize', regions);
    window.addEventListener('resize', () => this.uncover());
  }

  /** menu opens or closes the views menu. */
  menu(open) {
    this.els.toggle.setAttribute('aria-expanded', String(open));
    this.els.header.classList.toggle('menu-open', open);
  }

  /** panels are the view's panels by kind. */
  panels() {
    const out = [];
    for (const [kind, key] of kinds) {
      const el = this.els.layout.querySelector(`:scope > .${kind}[data-view="${this.view}"]`);
      if (el) out.push({ kind, key, el });
    }
    return out;
  }

  /** showView follows a change of view: the map alone, the menu closed. */
  showView(v) {
    this.view = v;
    this.open = null;
    this.menu(false);
    this.render();
    this.uncover();
  }

  /** show opens the sheet of kind (null: none, the map alone). */
  show(kind) {
    this.open = kind;
    this.render();
    this.uncover();
  }

  /**
   * uncover tells the map how much of it an open sheet covers (MapLibre's camera padding), so
   * its centre — what a view fitted to its data — moves into the part above the sheet, and
   * back when the sheet closes. Only on a phone: elsewhere panels sit beside the map.
   */
  uncover() {
    const map = this.els.map;
    if (!map) return;
    const phone = getComputedStyle(this.els.bar).display !== 'none';
    const sheet = phone && this.open && this.els.layout.querySelector(':scope > .sheet-open');
    const box = map.getContainer().getBoundingClientRect();
    const bottom = sheet ? Math.max(0, Math.min(box.height * 0.8, box.bottom - sheet.getBoundingClientRect().top)) : 0;
    if (Math.abs((map.getPadding().bottom ?? 0) - bottom) > 0.5) map.easeTo({ padding: { top: 0, right: 0, bottom, left: 0 }, duration: 0 });
  }

  render() {
    if (!this.view) return;
    this.els.toggle.textContent = t('viewsMenu', { view: t(this.viewTitle[this.view]) });
    this.els.bar.setAttribute('aria-label', t('sheetBar'));
    const panels = this.panels();
    for (const el of this.els.layout.querySelectorAll(':scope > .sheet-open')) {
      el.classList.remove('sheet-open');
      el.removeAttribute('tabindex');
    }
    const button = (key, kind, controls) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = t(key);
      b.dataset.sheet = kind ?? 'map';
      b.setAttribute('aria-pressed', String(this.open === kind));
      if (controls) b.setAttribute('aria-controls', controls);
      b.addEventListener('click', () => {
        this.show(kind);
        this.els.bar.querySelector(`[data-sheet="${kind ?? 'map'}"]`)?.focus();
      });
      return b;
    };
    const buttons = [button('sheetMap', null)];
    for (const p of panels) {
      // The open sheet scrolls: focusable, so a keyboard can scroll it too.
      if (p.kind === this.open) { p.el.classList.add('sheet-open'); p.el.tabIndex = 0; }
      buttons.push(button(p.key, p.kind, p.el.id));
    }
    this.els.bar.replaceChildren(...buttons);
    document.body.dataset.sheet = this.open ?? 'map';
    scrollRegions(this.els.layout);
  }
}

/**
 * scrollRegions makes every table box under root that scrolls sideways a named region in the
 * tab order (its table's caption, else the heading before it), so a keyboard can scroll it;
 * a box the page made a region itself is left as it is.
 */
export function scrollRegions(root) {
  for (const box of root.querySelectorAll('.table-wrap')) {
    if (box.hasAttribute('tabindex') && !box.dataset.region) continue; // made a region by its view
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (!scrolls) {
      if (box.dataset.region) { box.removeAttribute('tabindex'); box.removeAttribute('role'); box.removeAttribute('aria-label'); delete box.dataset.region; }
      continue;
    }
    let name = box.querySelector('caption')?.textContent.trim();
    for (let e = box.previousElementSibling; !name && e; e = e.previousElementSibling) {
      if (/^H[2-6]$/.test(e.tagName)) name = e.textContent.trim();
    }
    box.dataset.region = 'phone';
    box.tabIndex = 0;
    box.setAttribute('role', 'region');
    box.setAttribute('aria-label', name || t('tableRegion'));
  }
}
