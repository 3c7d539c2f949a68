// The MapLibre map: a plain background (no external basemap unless configured), the
// districts as a GeoJSON source fed by the choropleth, and the API's vector tiles for
// places, interventions and observations. No layer draws text, so no glyphs are needed.
import * as maplibregl from 'maplibre-gl';
import { tileURL, apiRoot } from './api.js';
import { t, getLang, onLangChange } from './i18n.js';

maplibregl.setWorkerUrl(new URL('maplibre-gl-worker.mjs', document.baseURI).href);

// Colour-blind safe palettes: ColorBrewer YlOrRd for severity, Okabe–Ito for the horizons.
export const severityColours = ['#ffffb2', '#fecc5c', '#fd8d3c', '#f03b20', '#bd0026'];
export const horizonColours = { vinna_slaget: '#d55e00', vinna_kriget: '#0072b2', bygga_freden: '#009e73' };
export const placeColour = '#ffffff';
export const cellColour = '#cc79a7';

// Which map layers each toggle of the layer panel switches.
export const layerGroups = {
  districts: ['districts-fill', 'districts-missing', 'districts-line', 'districts-selected'],
  places: ['places-circle'],
  observations: ['obs-cells', 'obs-points'],
  interventions: ['interventions-fill', 'interventions-line', 'interventions-point'],
};

// Layers a click looks at, topmost first.
export const clickable = ['obs-points', 'obs-cells', 'places-circle', 'interventions-point', 'interventions-line',
  'interventions-fill', 'districts-fill', 'districts-missing'];

export const horizonMatch = ['match', ['get', 'horizon'],
  'vinna_slaget', horizonColours.vinna_slaget, 'vinna_kriget', horizonColours.vinna_kriget,
  'bygga_freden', horizonColours.bygga_freden, '#666666'];

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
      addLayers(map, !!cfg.basemapStyle, observationsDatetime);
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

function addLayers(map, withBasemap, datetime) {
  map.addImage('hatch', hatch());
  map.addSource('districts', { type: 'geojson', data: { type: 'FeatureCollection', features: [] }, promoteId: 'code' });
  map.addSource('base', {
    type: 'vector', tiles: [tileURL('tiles/WebMercatorQuad/{z}/{y}/{x}')], minzoom: 0, maxzoom: 16,
  });
  map.addSource('observations', {
    type: 'vector', tiles: [observationTiles(datetime)], minzoom: 0, maxzoom: 16,
  });

  const opacity = withBasemap ? 0.7 : 1;
  map.addLayer({
    id: 'districts-fill', type: 'fill', source: 'districts', filter: ['!=', ['get', 'value'], null],
    paint: { 'fill-color': '#cccccc', 'fill-opacity': opacity },
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
  addInterventionLayers(map, 'interventions', { source: 'base', 'source-layer': 'interventions' });
  map.addLayer({
    id: 'obs-cells', type: 'circle', source: 'observations', 'source-layer': 'observations',
    filter: ['has', 'count'],
    paint: {
      'circle-color': cellColour,
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
      'circle-color': ['match', ['get', 'severity'], 1, severityColours[0], 2, severityColours[1], 3, severityColours[2],
        4, severityColours[3], 5, severityColours[4], '#999999'],
      'circle-radius': 4,
      'circle-stroke-color': '#333333',
      'circle-stroke-width': 0.5,
    },
  });
  map.addLayer({
    id: 'places-circle', type: 'circle', source: 'base', 'source-layer': 'places',
    paint: { 'circle-color': placeColour, 'circle-radius': 5, 'circle-stroke-color': '#1d3557', 'circle-stroke-width': 2 },
  });
}

/**
 * addInterventionLayers draws interventions coloured by time horizon: polygons filled and
 * outlined, lines dashed, points as circles. The map view draws them from the tiles
 * (prefix 'interventions'); the Insatser view from the register's own GeoJSON.
 */
export function addInterventionLayers(map, prefix, source, layout = {}) {
  map.addLayer({
    id: `${prefix}-fill`, type: 'fill', ...source, layout,
    filter: ['==', ['geometry-type'], 'Polygon'],
    paint: { 'fill-color': horizonMatch, 'fill-opacity': 0.25 },
  });
  map.addLayer({
    id: `${prefix}-line`, type: 'line', ...source, layout,
    filter: ['in', ['geometry-type'], ['literal', ['Polygon', 'LineString']]],
    paint: { 'line-color': horizonMatch, 'line-width': 2, 'line-dasharray': [2, 1] },
  });
  map.addLayer({
    id: `${prefix}-point`, type: 'circle', ...source, layout,
    filter: ['==', ['geometry-type'], 'Point'],
    paint: { 'circle-color': horizonMatch, 'circle-radius': 7, 'circle-stroke-color': '#000000', 'circle-stroke-width': 1.5 },
  });
}

/** observationTiles is the observation tile URL template for an OGC datetime interval (or none). */
export function observationTiles(datetime) {
  return tileURL('collections/observations/tiles/WebMercatorQuad/{z}/{y}/{x}', { datetime });
}

/** setVisible shows or hides one group of the layer panel. */
export function setVisible(map, group, on) {
  for (const id of layerGroups[group]) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
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
