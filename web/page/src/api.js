// Access to the Lägesbild API. The page lives at <root>/karta/, so the API root is the
// page's parent: the page works behind a path prefix without configuration.

export const apiRoot = new URL('../', document.baseURI).href;

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

/**
 * getJSON fetches an API path; a problem answer becomes an Error carrying its detail.
 * opts.fresh revalidates with the server instead of using the browser's cached copy (the
 * API's answers may be cached for a minute), for data the page itself has just changed.
 */
export async function getJSON(path, params = {}, opts = {}) {
  const res = await fetch(apiURL(path, params), {
    headers: { Accept: 'application/geo+json, application/json' }, cache: opts.fresh ? 'no-cache' : 'default',
  });
  if (!res.ok) {
    let detail = res.statusText;
    try { const p = await res.json(); detail = p.detail || p.title || detail; } catch { /* not JSON */ }
    throw new Error(`${res.status} ${detail}`);
  }
  return res.json();
}
