// dom.js: h(), the one way the views build DOM elements.

/**
 * h(tag, attrs, ...kids) makes an element: attrs.text sets its text, attrs.class its class,
 * any other attribute is set as given (true as a bare attribute; null, undefined and false
 * are left out); kids that are null or undefined are skipped.
 */
export const h = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'text') e.textContent = v; else if (k === 'class') e.className = v; else e.setAttribute(k, v === true ? '' : v);
  }
  e.append(...kids.filter((k) => k != null));
  return e;
};
