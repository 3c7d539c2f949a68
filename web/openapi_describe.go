package web

import (
	"sort"
	"strings"

	"github.com/lagesbild/lagesbild/layers"
)

// The API document is linted with Redocly's recommended and Spectral's oas rules
// (TestOpenAPILint): every operation has a description, every tag used is declared with one.
// An operation that brings its own description keeps it; the others get theirs here, the
// per-collection ones from the declaration. A new operation without either fails the lint.

// tagDescriptions declares the tags operations use.
var tagDescriptions = map[string]string{
	"Capabilities":     "What the API offers: landing page, conformance classes, this document, the collections.",
	"Data":             "The published collections (OGC API – Features): items, single features, queryables and sortables, writes where a layer takes them.",
	"Indicators":       "Socio-economic and follow-up indicators per area and year.",
	"Tiles":            "Mapbox vector tiles of the collections and of the map (OGC API – Tiles).",
	"Analysis":         "Analyses computed on request: hotspots, priority rankings, deployment plans.",
	"Operations":       "Liveness and readiness for the operators.",
	"Identity":         "Who a request acts for: sessions, API tokens, the audit of restricted reads.",
	"Partner overlays": "Layers partner organisations upload and share with chosen organisations.",
}

// operationDescriptions describes the operations that are not one per collection.
var operationDescriptions = map[string]string{
	"getLandingPage":          "Links to the API document, the conformance classes, the collections and the map's tiles.",
	"getConformance":          "The OGC conformance classes this server implements, among them OGC API – Features Part 3 (filtering) and the CQL2 classes it passes.",
	"getAPI":                  "This OpenAPI 3.0 document, derived from the layer declarations, as JSON; with f=html a redirect to the API browser.",
	"getCollections":          "Every published collection the caller may read, with its extent, CRS list and links to its items, queryables and tiles.",
	"getHealth":               "Answers 200 while the process runs; it does not ask the database.",
	"getReady":                "Answers 200 when the database answers, 503 when it does not.",
	"getIndicatorDistricts":   "The values of one indicator for one year, joined to the areas of one level, as GeoJSON for a choropleth.",
	"getHarmWeights":          "The weights per observation category that weighting=harm applies in the hotspot analysis, with their sources.",
	"getPriorityConfig":       "Everything the priority page needs before the first ranking: the indicator catalogue with themes and years, the stored scenarios and the methods.",
	"postPriorityCompare":     "Ranks the areas once per organisation's scenario and compares the rankings: side by side, their Borda consensus and Kendall's tau between each pair.",
	"getPriorityScenarios":    "The stored weight sets the caller may read, built-in ones first.",
	"createPriorityScenario":  "Stores a new weight set of the writer's organisation; at most 20 per organisation (409 beyond).",
	"getPriorityScenario":     "One stored weight set.",
	"updatePriorityScenario":  "Replaces a weight set of the writer's organisation; a built-in one or another organisation's answers 403.",
	"deletePriorityScenario":  "Deletes a weight set of the writer's organisation (a municipality's admin may delete any but the built-in ones).",
	"logout":                  "Ends the session (the request carries its CSRF token) and clears the cookie.",
	"getMe":                   "Who the request acts for, anonymous included; for a session also its CSRF token and expiry.",
	"revokeToken":             "Revokes an API token and every token minted from it: the caller's own, or as an admin any of the organisation's.",
	"getActorTypes":           "The actor types the deployment planner allocates, with the observation categories each acts on.",
	"getDoses":                "The visits logged against a plan, per target and week.",
	"recordDoses":             "Logs visits actually made against a plan; all of them are stored or none.",
	"createDeploymentPlan":    "Allocates the actors' capacity across the hotspots week by week and stores the plan.",
	"getDeploymentPlan":       "A stored plan as JSON, CSV, a GeoJSON map layer of its targets, or iCalendar visit slots.",
	"getDeploymentDelivery":   "Planned against delivered visits per target and week, with the observations there before and after.",
	"getPartnerLayers":        "The partner layers shared with the caller's organisation or owned by it.",
	"getPartnerLayer":         "One partner layer: its owner, sharing, current version and fields.",
	"deletePartnerLayer":      "Deletes a partner layer with all its versions (its owner's editors only).",
	"getPartnerLayerItems":    "A page of the features of one version (default the current one), in CRS84, with properties as uploaded; filter takes CQL2 on the fields (see queryables).",
	"getPartnerLayerVersions": "The uploaded versions of a partner layer, newest first, with who uploaded each and what was repaired.",
	"getMapTilesets":          "The tilesets of the map (one, in WebMercatorQuad).",
	"getMapTileset":           "The map tileset's metadata, or its TileJSON with f=tilejson.",
	"getMapTile":              "One vector tile of the map holding the layers districts, places and interventions.",
}

// collectionOperation describes an operation of one collection from the declaration: the
// operation id is the collection's schema name between a verb and a kind.
func collectionOperation(cat *layers.Catalogue, id string) string {
	for _, l := range cat.Layers() {
		name := schemaName(l.ID)
		i := strings.Index(id, name)
		if i < 0 {
			continue
		}
		verb, kind := id[:i], id[i+len(name):]
		what := l.TitleEN + " (" + l.ID + ")"
		switch verb + "/" + kind {
		case "describe/Collection":
			return "Metadata of " + what + ": extent, CRS list, links to its items, queryables, sortables and tiles."
		case "get/Features":
			return "A page of " + what + " as GeoJSON (or CSV), filtered by bbox, datetime, the declared properties or a CQL2 filter on its queryables, with next and prev links. " + l.Description
		case "get/Feature":
			return "One feature of " + what + " by its id, as GeoJSON."
		case "get/Queryables":
			return "The properties a filter on " + what + " may name, as a JSON Schema derived from the declaration."
		case "get/Sortables":
			return "The properties sortby on " + what + " may name, as a JSON Schema."
		case "get/Tilesets":
			return "The tilesets of " + what + " (one, in WebMercatorQuad)."
		case "get/Tileset":
			return "The tileset metadata of " + what + ", or its TileJSON with f=tilejson."
		case "get/Tile":
			return "One Mapbox vector tile of " + what + ", in the layer " + l.ID + "."
		case "create/Feature":
			return "Creates a feature of " + what + " (the writer's organisation's editors)."
		case "replace/Feature":
			return "Replaces a feature of " + what + "; If-Match with its ETag guards against a lost update."
		case "update/Feature":
			return "Changes some properties of a feature of " + what + " (JSON merge patch); If-Match with its ETag guards against a lost update."
		case "delete/Feature":
			return "Deletes a feature of " + what + "; its history stays."
		}
	}
	return ""
}

// describeOperations gives each operation of paths without a description its own, and
// returns the declared tags of the operations.
func describeOperations(cat *layers.Catalogue, paths obj) []obj {
	used := map[string]bool{}
	for _, item := range paths {
		for _, op := range item.(obj) {
			o, ok := op.(obj)
			if !ok {
				continue
			}
			if tags, ok := o["tags"].([]string); ok {
				for _, t := range tags {
					used[t] = true
				}
			}
			if d, _ := o["description"].(string); d != "" {
				continue
			}
			id, _ := o["operationId"].(string)
			d := operationDescriptions[id]
			if d == "" {
				d = collectionOperation(cat, id)
			}
			if d != "" {
				o["description"] = d
			}
		}
	}
	var names []string
	for t := range used {
		names = append(names, t)
	}
	sort.Strings(names)
	tags := make([]obj, 0, len(names))
	for _, t := range names {
		tag := obj{"name": t}
		if d := tagDescriptions[t]; d != "" {
			tag["description"] = d
		}
		tags = append(tags, tag)
	}
	return tags
}
