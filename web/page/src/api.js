// Access to the Lägesbild API. The page lives at <root>/karta/, so the API root is the
// page's parent: the page works behind a path prefix without configuration.
//
// Every request goes through apiFetch, which knows the session (issue 7): the cookie rides
// along by itself (same origin), and a write (POST, PUT, PATCH, DELETE) sends the CSRF token
// the login answer or /auth/me gave in X-CSRF-Token, as web/auth.go requires of every write
// on the cookie. A 401 or 403 answer is told to the listeners of onDenied, so the page can
// say "log in to see …" instead of showing a broken view.

import { problemText } from './i18n.js';

export const apiRoot = new URL('../', document.baseURI).href;

/** CSRF_HEADER is the header a cookie-authenticated write carries its token in (web/auth.CSRFHeader). */
export const CSRF_HEADER = 'X-CSRF-Token';

/** apiURL returns the absolute URL of an API path (without leading slash) with query params. */
export function apiURL(path, params = {}) {
  const u = new URL(path, apiRoot);
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') u.searchParams.set(k, v);
  return u.href;
}

/**
 * tileURL returns a tile URL template. It is built as a string because the URL parser
 * would percent-encode the {z}/{y}/{x} placeholders MapLibre substitutes.
 */
export function tileURL(path, params = {}) {
  const q = Object.entries(params).filter(([, v]) => v != null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${String(v).split('/').map(encodeURIComponent).join('/')}`);
  return apiRoot + path + (q.length ? '?' + q.join('&') : '');
}

// ---- the session ----

// session.me is the principal of /auth/me or the login answer (null: anonymous); csrf its token.
// Answers differ per caller but the API lets browsers keep them for a minute (without Vary:
// Cookie), so for a minute after the caller changed every GET revalidates (ETags differ).
const session = { me: null, csrf: '', freshUntil: 0 };
const deniedListeners = [];
const expiredListeners = [];

/** currentUser is the logged-in principal (credential, organisation, roles, username …), or null. */
export function currentUser() { return session.me; }

/** setSession records an /auth/me or login answer (anonymous, or null, logs out). */
export function setSession(me) {
  const before = session.me ? `${session.me.organisation}/${session.me.username}/${session.me.roles}` : '';
  session.me = me && me.credential && me.credential !== 'anonymous' ? me : null;
  session.csrf = session.me?.csrf_token ?? '';
  const after = session.me ? `${session.me.organisation}/${session.me.username}/${session.me.roles}` : '';
  if (before !== after) session.freshUntil = Date.now() + 60_000;
}

/** onDenied registers fn({status, path, method}) for every 401 or 403 answer outside /auth/. */
export function onDenied(fn) { deniedListeners.push(fn); }

/** onExpired registers fn() for a 401 while the page believes it is logged in (the session ended). */
export function onExpired(fn) { expiredListeners.push(fn); }

/** pathOf is an API URL's path below the API root ("collections/observations/items"). */
export function pathOf(url) {
  const u = String(url);
  return u.startsWith(apiRoot) ? u.slice(apiRoot.length).split('?')[0] : new URL(u, apiRoot).pathname.replace(/^\//, '');
}

/**
 * denied tells the listeners about a 401 or 403 (the page's own fetches, and the map's tile
 * requests, which MapLibre makes itself). Answers of /auth/ are the login form's business.
 */
export function denied(status, url, method = 'GET') {
  const path = pathOf(url);
  if (path.startsWith('auth/')) return;
  if (status === 401 && session.me) for (const fn of expiredListeners) fn();
  for (const fn of deniedListeners) fn({ status, path, method });
}

const safe = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * apiFetch is fetch for API URLs: the session's CSRF token on writes, the cookie on every
 * request (same origin), 401/403 told to onDenied's listeners.
 */
export async function apiFetch(url, init = {}) {
  const method = (init.method || 'GET').toUpperCase();
  const headers = new Headers(init.headers);
  if (!safe.has(method) && session.csrf && !headers.has(CSRF_HEADER)) headers.set(CSRF_HEADER, session.csrf);
  let res = await fetch(url, { credentials: 'same-origin', ...init, headers });
  // A busy server (every analysis slot taken, the database restarting) answers a read 503 with
  // Retry-After: wait as asked and ask again, a few times, before the view shows an error. Only
  // reads: a write is never repeated behind the user's back.
  for (let tries = 0; res.status === 503 && safe.has(method) && tries < busyRetries; tries++) {
    await new Promise((ok) => setTimeout(ok, retryDelay(res.headers.get('Retry-After'))));
    res = await fetch(url, { credentials: 'same-origin', ...init, headers });
  }
  if (res.status === 401 || res.status === 403) denied(res.status, url, method);
  return res;
}

/** busyRetries is how often a read answered 503 is asked again. */
const busyRetries = 3;

/** retryDelay is a Retry-After in seconds as milliseconds, 1 s when absent, at most 10 s. */
function retryDelay(header) {
  const s = Number(header);
  return (Number.isFinite(s) && s > 0 ? Math.min(s, 10) : 1) * 1000;
}

/** APIError is a problem answer: status, the problem document (or null) and its detail as message. */
export class APIError extends Error {
  constructor(status, problem, statusText) {
    super(problem ? problemText(status, problem) : `${status} ${statusText}`);
    this.status = status;
    this.problem = problem;
  }
}

/** problemOf reads a failed answer's problem document (null when it is not JSON). */
export async function problemOf(res) {
  try { return await res.json(); } catch { return null; }
}

/**
 * getJSON fetches an API path; a problem answer becomes an APIError carrying its detail.
 * opts.fresh revalidates with the server instead of using the browser's cached copy (the
 * API's answers may be cached for a minute), for data the page itself has just changed.
 */
export async function getJSON(path, params = {}, opts = {}) {
  const res = await apiFetch(apiURL(path, params), {
    headers: { Accept: 'application/geo+json, application/json' }, cache: opts.fresh || Date.now() < session.freshUntil ? 'no-cache' : 'default',
  });
  if (!res.ok) throw new APIError(res.status, await problemOf(res), res.statusText);
  return res.json();
}
