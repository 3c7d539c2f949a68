// "Spara kartbild" (issue 14, point 9): the current map as a PNG that can stand on its own in
// a slide or an e-mail: a title band (the view and what it shows), the map as drawn, its
// legend, and a footer with the date, a scale bar and the illustrative-data label (and the
// clearance line when the figures depend on who asked). Drawn with the 2D canvas from the
// map's WebGL canvas (created with preserveDrawingBuffer, so it can be read at any time).
import { t, num, getLang } from './i18n.js';
import { whenIdle } from './map.js';

/** niceLength is the longest 1, 2 or 5 × 10ⁿ metres not above max metres. */
export function niceLength(max) {
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [5, 2, 1]) if (m * p <= max) return m * p;
  return p;
}

/** metresPerPixel is the ground distance of one CSS pixel at the map's centre (512 px tiles). */
export function metresPerPixel(map) {
  const lat = map.getCenter().lat;
  return (40075016.686 * Math.cos((lat * Math.PI) / 180)) / (512 * 2 ** map.getZoom());
}

/**
 * legendOf reads a legend list of the page ([{colour, style, text}]) for the image: the
 * swatch's colour and whether it is hatched or an outline, and the item's text.
 */
function legendOf(list) {
  return [...list.querySelectorAll(':scope > li')].map((li) => {
    const sw = li.querySelector('.swatch');
    const style = sw?.classList.contains('hatched') ? 'hatched' : sw?.classList.contains('outline') ? 'outline'
      : sw?.classList.contains('dotted') ? 'outline' : sw?.classList.contains('circle') ? 'circle' : 'square';
    return { colour: li.dataset.colour || (sw ? getComputedStyle(sw).backgroundColor : '#cccccc'), style, text: li.textContent.trim() };
  });
}

/** visibleLegend finds the legend shown for view: its title and items, or null. */
export function visibleLegend(view) {
  const lists = view === 'karta'
    ? [document.getElementById('choropleth-legend')]
    : [...document.querySelectorAll(`[data-view="${view}"] .legend-list`)];
  const list = lists.find((l) => l && l.offsetParent !== null && l.querySelector('li'));
  if (!list) return null;
  const title = list.parentElement?.querySelector('.legend-title')?.textContent.trim() ?? '';
  return { title, items: legendOf(list) };
}

/**
 * mapImage draws the map with title, legend, date, scale bar, notice and (optional)
 * clearance line; it resolves to { blob, width, height, boxes, texts }: boxes are the
 * rectangles (device pixels) of the drawn parts, for the browser test.
 */
export async function mapImage(map, { title, subtitle, legend, clearance }) {
  await whenIdle(map);
  const src = map.getCanvas();
  const s = src.width / src.clientWidth || 1; // device pixels per CSS pixel
  const pad = 12 * s, head = 56 * s, foot = (clearance ? 58 : 40) * s;
  const W = src.width, H = head + src.height + foot;
  const c = document.createElement('canvas');
  c.width = W;
  c.height = H;
  const g = c.getContext('2d');
  const font = (px, bold) => `${bold ? 'bold ' : ''}${Math.round(px * s)}px system-ui, "DejaVu Sans", sans-serif`;
  const boxes = {}, texts = [];
  const text = (str, x, y, px, bold, colour = '#1b1f23', align = 'left') => {
    g.font = font(px, bold);
    g.fillStyle = colour;
    g.textAlign = align;
    g.textBaseline = 'alphabetic';
    g.fillText(str, x, y);
    texts.push(str);
    const w = g.measureText(str).width;
    const x0 = align === 'right' ? x - w : x;
    return [Math.floor(x0), Math.floor(y - px * s), Math.ceil(w), Math.ceil(px * s * 1.3)];
  };
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, W, H);

  // Title band.
  boxes.title = text(title, pad, 26 * s, 20, true);
  if (subtitle) boxes.subtitle = text(subtitle, pad, 46 * s, 14, false, '#343a40');

  // The map as drawn.
  g.drawImage(src, 0, head);
  boxes.map = [0, head, W, src.height];

  // Legend: a white box in the map's lower left corner.
  if (legend?.items.length) {
    const items = legend.items.slice(0, 18);
    g.font = font(13, false);
    const tw = Math.max(...items.map((i) => g.measureText(i.text).width), legend.title ? (g.font = font(13, true), g.measureText(legend.title).width) : 0);
    const lh = 20 * s, bw = Math.min(tw + 40 * s, W * 0.6);
    const bh = (items.length + (legend.title ? 1 : 0)) * lh + 12 * s;
    const x = pad, y = head + src.height - bh - pad;
    g.fillStyle = 'rgba(255,255,255,0.92)';
    g.fillRect(x, y, bw, bh);
    g.strokeStyle = '#343a40';
    g.lineWidth = s;
    g.strokeRect(x, y, bw, bh);
    let ly = y + 6 * s;
    if (legend.title) { text(legend.title, x + 8 * s, ly + 15 * s, 13, true); ly += lh; }
    for (const it of items) {
      const sx = x + 8 * s, sy = ly + 3 * s, sz = 14 * s;
      if (it.style === 'hatched') {
        g.fillStyle = '#dddddd';
        g.fillRect(sx, sy, sz, sz);
        g.strokeStyle = '#707070';
        g.save();
        g.beginPath();
        g.rect(sx, sy, sz, sz);
        g.clip();
        for (let d = -sz; d < sz; d += 5 * s) { g.beginPath(); g.moveTo(sx + d, sy + sz); g.lineTo(sx + d + sz, sy); g.stroke(); }
        g.restore();
      } else if (it.style === 'outline') {
        g.lineWidth = 3 * s;
        g.strokeStyle = '#000000';
        g.strokeRect(sx + s, sy + s, sz - 2 * s, sz - 2 * s);
        g.lineWidth = s;
      } else {
        g.fillStyle = it.colour;
        g.beginPath();
        if (it.style === 'circle') g.arc(sx + sz / 2, sy + sz / 2, sz / 2, 0, 2 * Math.PI); else g.rect(sx, sy, sz, sz);
        g.fill();
        g.strokeStyle = '#343a40';
        g.stroke();
      }
      text(it.text, sx + sz + 6 * s, ly + 15 * s, 13, false);
      ly += lh;
    }
    boxes.legend = [Math.floor(x), Math.floor(y), Math.ceil(bw), Math.ceil(bh)];
  }

  // Footer: date, scale bar, the illustrative-data label, the clearance line.
  const fy = head + src.height;
  const date = new Intl.DateTimeFormat(getLang() === 'en' ? 'en-GB' : 'sv-SE', { dateStyle: 'long' }).format(new Date());
  boxes.date = text(t('imgDate', { date }), pad, fy + 25 * s, 13, false);
  const mpp = metresPerPixel(map);
  const metres = niceLength(mpp * 120);
  const px = (metres / mpp) * s;
  const bx = W / 2 - px / 2, by = fy + 22 * s;
  g.fillStyle = '#1b1f23';
  g.fillRect(bx, by, px, 3 * s);
  g.fillRect(bx, by - 6 * s, 2 * s, 9 * s);
  g.fillRect(bx + px - 2 * s, by - 6 * s, 2 * s, 9 * s);
  const scaleText = metres >= 1000 ? `${num(metres / 1000, 1)} km` : `${num(metres, 0)} m`;
  text(scaleText, W / 2, by - 8 * s, 12, false, '#1b1f23', 'center');
  boxes.scale = [Math.floor(bx), Math.floor(by - 20 * s), Math.ceil(px), Math.ceil(24 * s)];
  boxes.label = text(t('notice'), W - pad, fy + 25 * s, 13, true, '#8a1c00', 'right');
  if (clearance) boxes.clearance = text(clearance, pad, fy + 47 * s, 12, false, '#343a40');

  const blob = await new Promise((ok) => c.toBlob(ok, 'image/png'));
  return { blob, width: W, height: H, boxes, texts, scale: { metres, pixels: px } };
}

/** download offers blob as a file named name. */
export function download(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
