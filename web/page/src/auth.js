// Login and logout (issue 7): the header's account area and the login dialog. The session
// itself is the server's HttpOnly cookie; the page keeps only the principal /auth/me or the
// login answer describes and the CSRF token it carries (api.js setSession), so a reload of
// the page finds the session again through /auth/me. After a login, a logout or an expired
// session the listeners of onChange reload every view's data (main.js).
import { apiFetch, apiURL, currentUser, getJSON, onExpired, problemOf, setSession } from './api.js';
import { t, addTexts, onLangChange } from './i18n.js';
import { h } from './dom.js';

addTexts({
  sv: {
    login: 'Logga in',
    logout: 'Logga ut',
    loginTitle: 'Logga in på Lägesbild',
    username: 'Användarnamn',
    password: 'Lösenord',
    cancel: 'Avbryt',
    loggingIn: 'Loggar in…',
    account: 'Inloggad som',
    accountLabel: 'Konto',
    role_reader: 'läsare',
    role_editor: 'redaktör',
    role_admin: 'administratör',
    loginRequired: 'Fyll i {field}.',
    loginWrong: 'Fel användarnamn eller lösenord.',
    loginDenied: 'Inloggningen nekades: {msg}',
    loginLimited: 'För många misslyckade inloggningar. Försök igen om {wait}.',
    loginFailed: 'Inloggningen misslyckades: {msg}',
    loggedIn: 'Inloggad som {user} ({org}, {role}). Kartan och vyerna hämtas på nytt.',
    loggedOut: 'Utloggad. Kartan och vyerna visar nu det som är öppet för alla.',
    sessionEnded: 'Sessionen har gått ut. Logga in igen för att se mer än det öppna.',
    seconds: '{n} s',
    minutes: '{n} min',
  },
  en: {
    login: 'Log in',
    logout: 'Log out',
    loginTitle: 'Log in to Lägesbild',
    username: 'User name',
    password: 'Password',
    cancel: 'Cancel',
    loggingIn: 'Logging in…',
    account: 'Logged in as',
    accountLabel: 'Account',
    role_reader: 'reader',
    role_editor: 'editor',
    role_admin: 'administrator',
    loginRequired: 'Enter the {field}.',
    loginWrong: 'Wrong user name or password.',
    loginDenied: 'Login refused: {msg}',
    loginLimited: 'Too many failed logins. Try again in {wait}.',
    loginFailed: 'Login failed: {msg}',
    loggedIn: 'Logged in as {user} ({org}, {role}). The map and views are loaded again.',
    loggedOut: 'Logged out. The map and views now show what is open to everyone.',
    sessionEnded: 'The session has ended. Log in again to see more than the open data.',
    seconds: '{n} s',
    minutes: '{n} min',
  },
});

/** role is the highest of a principal's roles (reader ⊂ editor ⊂ admin). */
export function role(me) {
  const roles = me?.roles ?? [];
  return ['admin', 'editor', 'reader'].find((r) => roles.includes(r)) ?? '';
}

/** canWrite says whether the logged-in account may write (editor or admin, as the API's write scope). */
export function canWrite() { return (currentUser()?.scopes ?? []).includes('write'); }

/** waitText is a Retry-After in seconds as a short text ("45 s", "15 min"). */
export function waitText(sec) {
  return sec >= 90 ? t('minutes', { n: Math.ceil(sec / 60) }) : t('seconds', { n: sec });
}

export class Account {
  /** els: { box: header element, dialog: <dialog> }; announce(msg) says what happened. */
  constructor(els, announce) {
    this.els = els;
    this.announce = announce;
    this.listeners = [];
    this.state = { me: null, busy: false, error: null };
    this.orgNames = new Map(); // organisation code → name, when an API answer gave one
    this.buildDialog();
    this.render();
    onLangChange(() => { this.render(); this.relabelDialog(); });
    // A 401 while logged in: the session ended (idle or absolute timeout, disabled account).
    onExpired(() => { this.expiry ??= this.refresh(true).finally(() => { this.expiry = null; }); });
  }

  /** onChange registers fn(me) for every change of who the page acts for. */
  onChange(fn) { this.listeners.push(fn); }

  /** init asks /auth/me who the page acts for (a session cookie may survive a reload). */
  async init() {
    try {
      const me = await getJSON('auth/me', {}, { fresh: true });
      this.set(me, false);
    } catch { /* the API answers /auth/me to everyone; if it did not, stay anonymous */ }
  }

  /** refresh asks /auth/me again; expired says the session was found refused. */
  async refresh(expired) {
    const before = currentUser();
    await this.init();
    if (before && !currentUser()) {
      if (expired) this.announce(t('sessionEnded'));
      this.changed();
    }
  }

  set(me, notify = true) {
    setSession(me);
    this.state.me = currentUser();
    if (me?.organisation_name) this.orgNames.set(me.organisation, me.organisation_name);
    this.render();
    if (notify) this.changed();
  }

  changed() { for (const fn of this.listeners) fn(currentUser()); }

  orgName(code) { return this.orgNames.get(code) ?? code; }

  render() {
    const me = currentUser();
    const box = this.els.box;
    if (!me) {
      const b = h('button', { type: 'button', id: 'login-open', class: 'header-button', 'aria-haspopup': 'dialog', text: t('login') });
      b.addEventListener('click', () => this.open());
      box.replaceChildren(b);
      return;
    }
    const r = role(me);
    const who = h('p', { class: 'who', id: 'account-who' },
      h('span', { class: 'sr-only', text: `${t('account')} ` }),
      h('span', { id: 'account-user', text: me.username || me.organisation }), ' · ',
      h('span', { id: 'account-org', text: this.orgName(me.organisation) }), ' · ',
      h('span', { id: 'account-role', 'data-role': r, text: r ? t(`role_${r}`) : '' }));
    const out = h('button', { type: 'button', id: 'logout', class: 'header-button', text: t('logout') });
    out.addEventListener('click', () => this.logout());
    box.replaceChildren(who, out);
  }

  buildDialog() {
    const d = this.els.dialog;
    d.setAttribute('aria-labelledby', 'login-title');
    const field = (id, name, type, autocomplete) => h('div', { class: 'field' },
      h('label', { for: id, id: `${id}-label` }),
      h('input', { id, name, type, autocomplete, required: true, autocapitalize: 'none', spellcheck: 'false' }));
    this.form = h('form', { id: 'login-form', novalidate: true },
      h('h2', { id: 'login-title' }),
      field('login-username', 'username', 'text', 'username'),
      field('login-password', 'password', 'password', 'current-password'),
      h('p', { id: 'login-error', class: 'form-error', role: 'alert', hidden: true }),
      h('div', { class: 'buttons' },
        h('button', { type: 'submit', id: 'login-submit', class: 'primary' }),
        h('button', { type: 'button', id: 'login-cancel' })));
    d.replaceChildren(this.form);
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.submit(); });
    d.querySelector('#login-cancel').addEventListener('click', () => this.close());
    d.addEventListener('close', () => {
      this.clearError();
      this.form.elements.password.value = '';
      // The close event comes later (a task): move the focus only if it is still nowhere,
      // not away from whatever the user went on to.
      const a = document.activeElement;
      if (a && a !== document.body && !d.contains(a)) return;
      (currentUser() ? document.getElementById('logout') : document.getElementById('login-open'))?.focus();
    });
    this.relabelDialog();
  }

  relabelDialog() {
    const d = this.els.dialog;
    d.querySelector('#login-title').textContent = t('loginTitle');
    d.querySelector('#login-username-label').textContent = t('username');
    d.querySelector('#login-password-label').textContent = t('password');
    d.querySelector('#login-submit').textContent = this.state.busy ? t('loggingIn') : t('login');
    d.querySelector('#login-cancel').textContent = t('cancel');
    if (this.state.error) this.showError(this.state.error.key, this.state.error.vars, this.state.error.field);
  }

  open() {
    const d = this.els.dialog;
    if (!d.open) d.showModal();
    this.form.elements.username.focus();
  }

  close() { if (this.els.dialog.open) this.els.dialog.close(); }

  clearError() {
    this.state.error = null;
    const p = this.els.dialog.querySelector('#login-error');
    p.hidden = true;
    p.textContent = '';
    for (const input of this.form.querySelectorAll('input')) {
      input.removeAttribute('aria-invalid');
      input.removeAttribute('aria-describedby');
    }
  }

  /** showError puts a message under the form, tied to the field it concerns (all fields when none). */
  showError(key, vars = {}, field = null) {
    this.state.error = { key, vars, field };
    const p = this.els.dialog.querySelector('#login-error');
    p.textContent = t(key, vars);
    p.hidden = false;
    const inputs = field ? [this.form.elements[field]] : [...this.form.querySelectorAll('input')];
    for (const input of inputs) {
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', 'login-error');
    }
  }

  async submit() {
    if (this.state.busy) return;
    this.clearError();
    const username = this.form.elements.username.value.trim();
    const password = this.form.elements.password.value;
    for (const [field, value] of [['username', username], ['password', password]]) {
      if (!value) {
        this.showError('loginRequired', { field: t(field).toLowerCase() }, field);
        this.form.elements[field].focus();
        return;
      }
    }
    this.state.busy = true;
    this.relabelDialog();
    let res;
    try {
      res = await apiFetch(apiURL('auth/login'), {
        method: 'POST', cache: 'no-store', body: JSON.stringify({ username, password }),
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      });
    } catch (err) {
      res = { ok: false, status: 0, statusText: err.message, headers: new Headers(), json: () => Promise.reject(err) };
    } finally {
      this.state.busy = false;
      this.relabelDialog();
    }
    if (res.ok) {
      const me = await res.json();
      this.form.elements.password.value = '';
      this.close();
      this.set(me);
      const u = currentUser();
      this.announce(t('loggedIn', { user: u.username, org: this.orgName(u.organisation), role: t(`role_${role(u)}`) }));
      return;
    }
    const problem = res.status ? await problemOf(res) : null;
    const msg = problem?.detail || problem?.title || res.statusText || String(res.status);
    if (res.status === 429) {
      const wait = Number(res.headers.get('Retry-After'));
      this.showError('loginLimited', { wait: Number.isFinite(wait) && wait > 0 ? waitText(wait) : '?' });
    } else if (res.status === 401) {
      this.showError('loginWrong');
    } else if (res.status === 400 && ['username', 'password'].includes(problem?.param)) {
      this.showError('loginRequired', { field: t(problem.param).toLowerCase() }, problem.param);
    } else if (res.status === 403) {
      this.showError('loginDenied', { msg });
    } else {
      this.showError('loginFailed', { msg: res.status ? `${res.status} ${msg}` : msg });
    }
    const first = this.form.querySelector('[aria-invalid="true"]');
    (first ?? this.form.elements.username).focus();
  }

  async logout() {
    try {
      const res = await apiFetch(apiURL('auth/logout'), { method: 'POST', cache: 'no-store' });
      if (!res.ok && res.status !== 401) {
        const p = await problemOf(res);
        this.announce(t('loginFailed', { msg: `${res.status} ${p?.detail ?? res.statusText}` }));
        return;
      }
    } catch (err) {
      this.announce(t('loginFailed', { msg: err.message }));
      return;
    }
    this.set(null);
    this.announce(t('loggedOut'));
    document.getElementById('login-open')?.focus();
  }
}
