// Renders the API document with Redoc (web/page/node_modules/redoc, copied into web/static by
// build.mjs). A file of its own, not an inline script: the page's CSP allows scripts from
// 'self' only.
/* global Redoc */
Redoc.init('/api', { hideDownloadButton: false, expandResponses: '200', jsonSampleExpandLevel: 2 }, document.getElementById('redoc'));
