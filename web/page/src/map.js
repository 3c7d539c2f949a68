// The MapLibre map: a plain background (no external basemap unless configured), the
// districts as a GeoJSON source fed by the choropleth, and the API's vector tiles for
// places, interventions and observations. The districts' names are drawn with glyphs the
// server itself serves (glyphs/, made by `make glyphs`), so nothing is fetched from outside.
import * as maplibregl from 'maplibre-gl';
import { tileURL, apiRoot } from './api.js';
import { t, getLang, onLangChange } from './i18n.js';

maplibregl.setWorkerUrl(new URL('maplibre-gl-worker.mjs', document.baseURI).href);

// labelFont is the font stack of the map's labels (web/page/glyphs/DejaVuSans-Bold).
export const labelFont = 'DejaVuSans-Bold';

// Which map layers each switch of the layer panel switches: filled in by addLayers for the
// declared layers the map draws.
export const layerGroups = {};

// Layers a click looks at, topmost first (the generic layers of other declarations are added
// after the districts', beneath the rest).
export const clickable = ['obs-points', 'obs-cells', 'places-circle', 'interventions-point', 'interventions-line',
  'interventions-fill', 'districts-fill', 'districts-missing'];

// layerOf maps a map layer drawn by the generic drawing to its declaration.
export const layerOf = new Map();

/** legendColours maps the values a declaration's legend keys to their colours. */
export function legendColours(d) {
  return Object.fromEntries(d.legend.filter((e) => e.value != null).map((e) => [e.value, e.colour]));
}

/**
 * colourOf is the paint colour of a declaration: its colour, or a match on its colourBy
 * property over the legend entries that key a value, with its colour for any other value.
 */
export function colourOf(d) {
  const keyed = d.legend.filter((e) => e.value != null);
  if (!d.colourBy || !keyed.length) return d.colour;
  return ['match', ['get', d.colourBy], ...keyed.flatMap((e) => [e.value, e.colour]), d.colour];
}

// hatch draws the pattern for districts without a value: grey diagonal lines on light grey.
function hatch() {
  const n = 8;
  const data = new Uint8Array(n * n * 4);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const on = (x + y) % n < 2;
      const i = (y * n + x) * 4;
      const v = on ? 0x70 : 0xdd;
      data.set([v, v, v, 255], i);
    }
  }
  return { width: n, height: n, data };
}

/**
 * createMap builds the map in container and resolves when the style and our layers are in.
 * cfg.basemapStyle, when set, is a style URL drawn under our layers; otherwise the
 * background is a plain colour and nothing outside this server is requested.
 */
export function createMap(container, cfg, observationsDatetime) {
  const style = cfg.basemapStyle || {
    version: 8,
    glyphs: new URL('glyphs/{fontstack}/{range}.pbf', document.baseURI).href.replace('%7Bfontstack%7D', '{fontstack}').replace('%7Brange%7D', '{range}'),
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f1f3f5' } }],
  };
  // The API lets browsers keep a tile for a minute. After the page itself has written (the
  // interventions register), tiles are revalidated for that minute instead, so the map
  // shows the change at once (the server's tile cache is already invalidated by then).
  let revalidateUntil = 0;
  const map = new maplibregl.Map({
    container,
    style,
    transformRequest: (url, type) => (type === 'Tile' && Date.now() < revalidateUntil && url.startsWith(apiRoot)
      ? { url, cache: 'no-cache' } : undefined),
    center: [16.54, 59.61],
    zoom: 10.5,
    minZoom: 7,
    maxZoom: 18,
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
    canvasContextAttributes: { preserveDrawingBuffer: true },
    locale: locale(),
  });
  map.touchZoomRotate.disableRotation();
  /**
   * refreshTiles reloads every vector tile source of the API (base, observations, partner
   * overlays) bypassing the browser's copies: after the page's own writes, and after the
   * caller changed (the server's tiles differ per clearance, and so do their ETags, so a
   * revalidation fetches the other caller's tile). The URLs stay as they are: the API refuses
   * unknown query parameters, so a cache-busting one is not an option.
   */
  map.refreshTiles = () => {
    revalidateUntil = Date.now() + 60_000;
    for (const [id, src] of Object.entries(map.getStyle().sources)) {
      if (src.type !== 'vector' || !src.tiles?.every((u) => u.startsWith(apiRoot))) continue;
      map.getSource(id).setTiles([...src.tiles]);
    }
  };
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');
  const setLabel = () => map.getCanvas().setAttribute('aria-label', t('mapLabel'));
  setLabel();
  onLangChange(setLabel);

  return new Promise((resolve) => {
    map.once('load', () => {
      addLayers(map, !!cfg.basemapStyle, observationsDatetime, cfg.layers ?? []);
      resolve(map);
    });
  });
}

// locale gives MapLibre's own controls their labels in the language at start-up.
function locale() {
  const en = getLang() === 'en';
  return {
    'Map.Title': t('mapLabel'),
    'NavigationControl.ZoomIn': en ? 'Zoom in' : 'Zooma in',
    'NavigationControl.ZoomOut': en ? 'Zoom out' : 'Zooma ut',
    'ScaleControl.Meters': 'm',
    'ScaleControl.Kilometers': 'km',
  };
}

/**
 * addLayers draws the declared layers. The districts (the choropleth's ground, which other
 * views draw on too), places, observations and interventions have drawings of their own;
 * any other declared layer is drawn by addDeclaredLayers. Colours come from the declarations.
 */
function addLayers(map, withBasemap, datetime, decls) {
  const decl = Object.fromEntries(decls.map((d) => [d.id, d]));
  map.addImage('hatch', hatch());
  map.addSource('districts', { type: 'geojson', data: { type: 'FeatureCollection', features: [] }, promoteId: 'code' });
  map.addSource('base', {
    type: 'vector', tiles: [tileURL('tiles/WebMercatorQuad/{z}/{y}/{x}')], minzoom: 0, maxzoom: 16,
  });

  const opacity = withBasemap ? 0.7 : 1;
  map.addLayer({
    id: 'districts-fill', type: 'fill', source: 'districts', filter: ['!=', ['get', 'value'], null],
    paint: { 'fill-color': decl.districts?.colour ?? '#cccccc', 'fill-opacity': opacity },
  });
  map.addLayer({
    id: 'districts-missing', type: 'fill', source: 'districts', filter: ['==', ['get', 'value'], null],
    paint: { 'fill-pattern': 'hatch', 'fill-opacity': opacity },
  });
  map.addLayer({
    id: 'districts-line', type: 'line', source: 'districts',
    paint: { 'line-color': '#343a40', 'line-width': 1 },
  });
  map.addLayer({
    id: 'districts-selected', type: 'line', source: 'districts',
    paint: {
      'line-color': '#000000',
      'line-width': ['case', ['boolean', ['feature-state', 'selected'], false], 4, 0],
    },
  });
  if (decl.districts) layerGroups.districts = ['districts-fill', 'districts-missing', 'districts-line', 'districts-selected'];
  // The districts' names, above every other layer in every view (a view's layers come later,
  // so the labels are moved back to the top). A configured basemap brings its own glyphs and
  // names its own places: the labels are drawn only over the page's plain background.
  if (!withBasemap) {
    map.addLayer({
      id: 'districts-label', type: 'symbol', source: 'districts',
      layout: {
        'text-field': ['get', 'name'], 'text-font': [labelFont],
        'text-size': ['interpolate', ['linear'], ['zoom'], 9, 12, 14, 15], 'text-max-width': 8, 'text-padding': 6,
      },
      paint: { 'text-color': '#1b1f23', 'text-halo-color': 'rgba(255, 255, 255, 0.92)', 'text-halo-width': 1.6 },
    });
    map.on('styledata', () => placeLabels(map));
  }
  addDeclaredLayers(map, decls.filter((d) => !['districts', 'places', 'observations', 'interventions'].includes(d.id)));
  if (decl.interventions) {
    addInterventionLayers(map, 'interventions', tileSource(map, decl.interventions), {}, colourOf(decl.interventions));
    layerGroups.interventions = ['interventions-fill', 'interventions-line', 'interventions-point'];
  }
  if (decl.observations) {
    const d = decl.observations;
    map.addSource('observations', {
      type: 'vector', tiles: [observationTiles(datetime)], minzoom: 0, maxzoom: 16,
    });
    map.addLayer({
      id: 'obs-cells', type: 'circle', source: 'observations', 'source-layer': 'observations',
      filter: ['has', 'count'],
      paint: {
        'circle-color': d.legend.find((e) => e.aggregate)?.colour ?? d.colour,
        'circle-opacity': 0.75,
        'circle-radius': ['interpolate', ['linear'], ['sqrt', ['get', 'count']], 1, 2, 10, 9, 40, 22],
        'circle-stroke-color': '#4a1d3a',
        'circle-stroke-width': 0.5,
      },
    });
    map.addLayer({
      id: 'obs-points', type: 'circle', source: 'observations', 'source-layer': 'observations',
      filter: ['!', ['has', 'count']],
      paint: {
        'circle-color': colourOf(d),
        'circle-radius': 4,
        'circle-stroke-color': '#333333',
        'circle-stroke-width': 0.5,
      },
    });
    layerGroups.observations = ['obs-cells', 'obs-points'];
  }
  if (decl.places) {
    map.addLayer({
      id: 'places-circle', type: 'circle', ...tileSource(map, decl.places),
      paint: { 'circle-color': colourOf(decl.places), 'circle-radius': 5, 'circle-stroke-color': '#1d3557', 'circle-stroke-width': 2 },
    });
    layerGroups.places = ['places-circle'];
  }
}

/**
 * tileSource is where a declared layer's features come from: the combined map tile when the
 * declaration puts it there, else the collection's own tiles (a source of their own).
 */
function tileSource(map, d) {
  if (d.mapTile) return { source: 'base', 'source-layer': d.id };
  const id = `collection-${d.id}`;
  if (!map.getSource(id)) {
    map.addSource(id, {
      type: 'vector', tiles: [tileURL(`collections/${d.id}/tiles/WebMercatorQuad/{z}/{y}/{x}`)], minzoom: 0, maxzoom: 16,
    });
  }
  return { source: id, 'source-layer': d.id };
}

/**
 * addDeclaredLayers draws declared layers the page has no drawing of its own for, in
 * catalogue order: areas filled (a quarter opaque) and outlined, lines, and points as
 * circles, coloured as the declaration says. Their map layers are `${id}-fill`, `${id}-line`
 * and `${id}-circle`; a click shows the feature's tile attributes.
 */
function addDeclaredLayers(map, decls) {
  for (const d of decls) {
    const source = tileSource(map, d);
    const colour = colourOf(d);
    const ids = [`${d.id}-fill`, `${d.id}-line`, `${d.id}-circle`];
    map.addLayer({
      id: ids[0], type: 'fill', ...source, filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'fill-color': colour, 'fill-opacity': 0.25 },
    });
    map.addLayer({
      id: ids[1], type: 'line', ...source, filter: ['in', ['geometry-type'], ['literal', ['Polygon', 'LineString']]],
      paint: { 'line-color': colour, 'line-width': 2 },
    });
    map.addLayer({
      id: ids[2], type: 'circle', ...source, filter: ['==', ['geometry-type'], 'Point'],
      paint: { 'circle-color': colour, 'circle-radius': 6, 'circle-stroke-color': '#000000', 'circle-stroke-width': 1 },
    });
    layerGroups[d.id] = ids;
    for (const id of ids) layerOf.set(id, d);
    clickable.splice(clickable.indexOf('districts-fill'), 0, ids[2], ids[1], ids[0]);
  }
}

/**
 * addInterventionLayers draws interventions coloured by time horizon: polygons filled and
 * outlined, lines dashed, points as circles. The map view draws them from the tiles
 * (prefix 'interventions'); the Insatser view from the register's own GeoJSON. colour is
 * the paint colour, the interventions declaration's (colourOf).
 */
export function addInterventionLayers(map, prefix, source, layout, colour) {
  map.addLayer({
    id: `${prefix}-fill`, type: 'fill', ...source, layout,
    filter: ['==', ['geometry-type'], 'Polygon'],
    paint: { 'fill-color': colour, 'fill-opacity': 0.25 },
  });
  map.addLayer({
    id: `${prefix}-line`, type: 'line', ...source, layout,
    filter: ['in', ['geometry-type'], ['literal', ['Polygon', 'LineString']]],
    paint: { 'line-color': colour, 'line-width': 2, 'line-dasharray': [2, 1] },
  });
  map.addLayer({
    id: `${prefix}-point`, type: 'circle', ...source, layout,
    filter: ['==', ['geometry-type'], 'Point'],
    paint: { 'circle-color': colour, 'circle-radius': 7, 'circle-stroke-color': '#000000', 'circle-stroke-width': 1.5 },
  });
}

// labelsBeneath is the layer the districts' names go under (null: on top of every layer).
let labelsBeneath = null;

/**
 * labelsUnder puts the districts' names beneath layer id, in a view whose cells a name must
 * not hide (Brännpunkter), or on top of every layer (id null).
 */
export function labelsUnder(map, id) {
  labelsBeneath = id;
  placeLabels(map);
}

function placeLabels(map) {
  if (!map.getLayer('districts-label')) return;
  const ids = map.getStyle().layers.map((l) => l.id);
  if (labelsBeneath && map.getLayer(labelsBeneath)) {
    if (ids[ids.indexOf(labelsBeneath) - 1] !== 'districts-label') map.moveLayer('districts-label', labelsBeneath);
  } else if (ids.at(-1) !== 'districts-label') map.moveLayer('districts-label');
}

/**
 * hollowPlaces draws the places as rings (on) over a view's cells, so the cell under a place
 * keeps its colour, or as the filled circles of the map view (off).
 */
export function hollowPlaces(map, on) {
  if (!map.getLayer('places-circle')) return;
  map.setPaintProperty('places-circle', 'circle-opacity', on ? 0 : 1);
  map.setPaintProperty('places-circle', 'circle-radius', on ? 6 : 5);
  map.setPaintProperty('places-circle', 'circle-stroke-width', on ? 1.5 : 2);
}

/** observationTiles is the observation tile URL template for an OGC datetime interval (or none). */
export function observationTiles(datetime) {
  return tileURL('collections/observations/tiles/WebMercatorQuad/{z}/{y}/{x}', { datetime });
}

/** setVisible shows or hides one group of the layer panel. */
export function setVisible(map, group, on) {
  for (const id of layerGroups[group] ?? []) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
}

/** whenIdle resolves once the map has drawn everything it has loaded. */
export function whenIdle(map) {
  return new Promise((resolve) => {
    if (map.loaded() && !map.isMoving()) { map.once('idle', resolve); map.triggerRepaint(); } else map.once('idle', resolve);
  });
}

/** bounds returns the bounding box [[w,s],[e,n]] of GeoJSON features. */
export function bounds(features) {
  const b = [[Infinity, Infinity], [-Infinity, -Infinity]];
  const visit = (c) => {
    if (typeof c[0] === 'number') {
      b[0][0] = Math.min(b[0][0], c[0]); b[0][1] = Math.min(b[0][1], c[1]);
      b[1][0] = Math.max(b[1][0], c[0]); b[1][1] = Math.max(b[1][1], c[1]);
    } else c.forEach(visit);
  };
  for (const f of features) if (f.geometry) visit(f.geometry.coordinates);
  return b;
}
