// The service worker of the map page and "Mitt pass" (issue 14, point 6): it keeps the page
// itself (HTML, script, styles, icons, the map library) so that it opens without a
// connection. Network first: with a connection every file is asked for as usual (the server
// revalidates with ETags, so a new release shows at once) and the copy here is renewed;
// without one the copy is served. The API's answers are not kept here: the page keeps what it
// needs (the last shift, the queue of logged visits) itself, and a request of the API goes
// to the network untouched, so a write is never answered from a cache.
const CACHE = 'lagesbild-shell-1';
const SHELL = [
  'pass.html', 'pass.js', 'pass.css', 'manifest.json', 'favicon.svg', 'icon-192.png', 'icon-512.png',
  'maplibre-gl.css', 'maplibre-gl-worker.mjs', './', 'app.js', 'app.css', 'config.json',
];
const scope = new URL(self.registration.scope);
const shellURLs = new Set(SHELL.map((p) => new URL(p, scope).href));

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('lagesbild-shell-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET') return;
  const u = new URL(req.url);
  u.search = ''; // pass.html?unit=P1 is the page pass.html
  u.hash = '';
  if (!shellURLs.has(u.href) && u.href !== new URL('index.html', scope).href) return;
  const key = u.href === new URL('index.html', scope).href ? new URL('./', scope).href : u.href;
  e.respondWith(fetch(req).then((res) => {
    if (res.ok) {
      const copy = res.clone();
      e.waitUntil(caches.open(CACHE).then((c) => c.put(key, copy)));
    }
    return res;
  }).catch(() => caches.match(key).then((hit) => hit ?? Response.error())));
});
