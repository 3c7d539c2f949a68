// The lifecycle the page's views share (Prioritering, Brännpunkter, Insatser, Insatsplan,
// Uppföljning): built once on first activation, a failed first load shown in the view's
// status line, and asked again when the caller changes (login, logout, an ended session).

import { t } from './i18n.js';

export class View {
  /** titleKey names the view in messages (a text key such as 'viewPlan'). */
  constructor(titleKey) {
    this.titleKey = titleKey;
  }

  /** activate builds the view the first time (init) and resolves when it is ready. */
  activate() {
    this.started ??= this.init().catch((err) => this.status(t('loadError', { what: t(this.titleKey), msg: err.message })));
    return this.started;
  }

  /**
   * reload asks the API again after the caller changed: a built view reruns its data
   * (refresh); one whose first load failed (401/403) is forgotten, so it starts over on its
   * next activation. Returns false when the view must be activated anew.
   */
  reload() {
    if (!this.started) return true;
    if (!this.built) { this.started = null; return false; }
    this.refresh();
    return true;
  }
}
