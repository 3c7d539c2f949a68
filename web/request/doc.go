// Package request is how every room of web reads a request and bounds its cost: the query
// parameters OGC API – Features defines (crs, bbox, datetime, lists, formats), CQL2 filters
// and their canonical form for cache keys (filter.go), strict JSON bodies (jsonbody.go), tile
// ids of the WebMercatorQuad matrix set (tile.go), the whole-day windows of the aggregated
// view, and the gate of analysis slots (gate.go) that web's bounds and the analyses share.
//
// Assumptions: every refusal is a *layers.InvalidError naming the parameter (a 400 from web's
// one error mapper), or layers.ErrNotFound for a tile matrix set not served; times are UTC.
package request
