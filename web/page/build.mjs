// Builds the map page into ../static, which the Go binary embeds (web/page.go), or into the
// folder PAGE_OUT names (web/static_test.go builds there and compares with ../static).
// Output names are fixed (no content hashes): the server gives every file a strong ETag,
// so browsers revalidate cheaply, and the committed assets stay diffable by name.
import { build } from 'esbuild';
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const out = process.env.PAGE_OUT ? process.env.PAGE_OUT.replace(/\/?$/, '/') : new URL('../static/', import.meta.url).pathname;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  entryPoints: ['src/main.js'],
  bundle: true,
  format: 'esm',
  minify: true,
  target: ['es2022'],
  outfile: out + 'app.js',
  legalComments: 'linked',
  logLevel: 'warning',
});
// "Mitt pass", the phone page of a unit's shift, is a page of its own: it opens without a
// connection (sw.js), so it loads no more than it needs.
await build({
  entryPoints: ['src/pass.js'],
  bundle: true,
  format: 'esm',
  minify: true,
  target: ['es2022'],
  outfile: out + 'pass.js',
  legalComments: 'linked',
  logLevel: 'warning',
});
await build({
  entryPoints: ['src/pass.css'],
  bundle: true,
  minify: true,
  outfile: out + 'pass.css',
  logLevel: 'warning',
});
await build({
  entryPoints: ['src/app.css'],
  bundle: true,
  minify: true,
  outfile: out + 'app.css',
  logLevel: 'warning',
});
// MapLibre 6 starts its worker from a module file next to the bundle; it is loaded as is.
copyFileSync('node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs', out + 'maplibre-gl-worker.mjs');
copyFileSync('node_modules/maplibre-gl/dist/maplibre-gl.css', out + 'maplibre-gl.css');
copyFileSync('node_modules/maplibre-gl/LICENSE.txt', out + 'maplibre-gl-LICENSE.txt');
copyFileSync('src/index.html', out + 'index.html');
// The API browser (/api?f=html): Redoc's standalone bundle as it is, with its start script.
// Its sidebar shows a logo from Redocly's CDN, which the CSP (and the promise of no outside
// calls at run time) refuses: the bundle gets the favicon instead. A Redoc whose bundle no
// longer names that logo fails the build here, so the change is noticed.
const cdnLogo = 'https://cdn.redoc.ly/redoc/logo-mini.svg';
const redoc = readFileSync('node_modules/redoc/bundles/redoc.standalone.js', 'utf8');
if (!redoc.includes(cdnLogo)) throw new Error('redoc.standalone.js no longer names ' + cdnLogo + ': check what it loads');
writeFileSync(out + 'redoc.standalone.js', redoc.replaceAll(cdnLogo, 'favicon.svg'));
copyFileSync('node_modules/redoc/bundles/redoc.standalone.js.LICENSE.txt', out + 'redoc.standalone.js.LICENSE.txt');
copyFileSync('node_modules/redoc/LICENSE', out + 'redoc-LICENSE.txt');
copyFileSync('src/apidoc.html', out + 'apidoc.html');
copyFileSync('src/apidoc.js', out + 'apidoc.js');
copyFileSync('src/favicon.svg', out + 'favicon.svg');
// The map's label glyphs (made by `make glyphs` from Debian's DejaVu Sans Bold), served by the server itself.
cpSync('glyphs', out + 'glyphs', { recursive: true });
for (const f of ['pass.html', 'sw.js', 'manifest.json', 'icon-192.png', 'icon-512.png']) copyFileSync('src/' + f, out + f);
