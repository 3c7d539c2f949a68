package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/geo/tiles"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/featurefile"
)

// caller is one row of the access matrix: an organisation kind and role, with its token.
type caller struct {
	name, org, kind, role string
	header                http.Header
	clearance             layers.DataClass
	canWrite              bool
	admin                 bool
	// rightsOnly: a caller added for the rules on writing and the audit log (issue 12), whose
	// reads are its organisation's reader's.
	rightsOnly bool
}

// classesUpTo lists the data classes a caller of clearance c may read, as the SQL below
// compares them.
func classesUpTo(c layers.DataClass) []string {
	switch c {
	case layers.Restricted:
		return []string{"open", "internal", "restricted"}
	case layers.Internal:
		return []string{"open", "internal"}
	}
	return []string{"open"}
}

func accessCallers(t *testing.T) []caller {
	db := testDB
	// mkIn makes a caller of organisation org; mk one of the matrix's organisation of its kind.
	mkIn := func(name, org, kind, role string, clearance layers.DataClass) caller {
		c := caller{name: name, org: org, kind: kind, role: role, clearance: clearance,
			canWrite: kind != "public" && (role == "editor" || role == "admin"), admin: role == "admin"}
		if kind == "" {
			c.header = http.Header{anonymousHeader: {"1"}}
		} else {
			c.header = http.Header{"Authorization": {"Bearer " + callerToken(t, db, org, kind, role)}}
		}
		return c
	}
	mk := func(name, kind, role string, clearance layers.DataClass) caller {
		org := ""
		if kind != "" {
			org = "acc-" + strings.ReplaceAll(kind, "_", "-")
		}
		return mkIn(name, org, kind, role, clearance)
	}
	// A derived token: minted with an admin's token of the organisation, it acts as its own
	// scopes say, no more (issue 12, finding 3).
	derived := func(name, kind, role string, clearance layers.DataClass) caller {
		c := mk(name, kind, role, clearance)
		ctx, now := context.Background(), time.Now()
		store := layers.NewStore(db.AppPool)
		parent, _, err := store.TokenPrincipal(ctx, callerToken(t, db, "acc-"+strings.ReplaceAll(kind, "_", "-"), kind, "admin"), now)
		if err != nil {
			t.Fatal(err)
		}
		_, secret, err := store.MintToken(layers.WithPrincipal(ctx, parent), layers.MintSpec{Owner: layers.OwnerOrganisation,
			Name: "derived " + role, Scopes: layers.ScopesOf(layers.RolesOf(role)), ExpiresAt: now.Add(time.Hour)}, now)
		if err != nil {
			t.Fatal(err)
		}
		c.header = http.Header{"Authorization": {"Bearer " + secret}}
		return c
	}
	rights := func(c caller) caller { c.rightsOnly = true; return c }
	return []caller{
		derived("housing company reader, derived token", "housing", "reader", layers.Internal),
		derived("police reader, derived token", "police", "reader", layers.Restricted),
		mk("anonymous", "", "", layers.Open),
		mk("public reader", "public", "reader", layers.Open),
		mk("civil-society editor", "civil_society", "editor", layers.Open),
		mk("housing company reader", "housing", "reader", layers.Internal),
		rights(mk("housing company editor", "housing", "editor", layers.Internal)),
		mk("region reader", "region", "reader", layers.Internal),
		mk("municipality reader", "municipality", "reader", layers.Internal),
		mk("municipality editor", "municipality", "editor", layers.Internal),
		rights(mk("municipality admin", "municipality", "admin", layers.Internal)),
		mk("police reader", "police", "reader", layers.Restricted),
		rights(mk("police editor", "police", "editor", layers.Restricted)),
		mk("police admin", "police", "admin", layers.Restricted),
		rights(mkIn("other police organisation's admin", "acc-police-2", "police", "admin", layers.Restricted)),
	}
}

// refusal is the status a caller gets for something it may not have: 401 without a
// credential, 403 with one.
func (c caller) refusal() int {
	if c.kind == "" {
		return 401
	}
	return 403
}

// may says whether the caller may read class, from the matrix's own clearance column (not
// from layers.Principal, whose mapping of organisation kinds to clearances is under test).
func (c caller) may(class layers.DataClass) bool {
	return slices.Contains(classesUpTo(c.clearance), string(class))
}

// TestAccessMatrix requests every kind of endpoint as every kind of caller and checks that
// each gets exactly what it should: the status, and for data the rows of the classes it may
// read — counted against the database read as its owner, which row-level security does not
// restrict.
func TestAccessMatrix(t *testing.T) {
	a := newTileAPI(t)
	callers := accessCallers(t)
	var restrictedID int64
	if err := testDB.Pool.QueryRow(context.Background(), `SELECT min(id) FROM observations WHERE sensitivity = 'restricted'`).Scan(&restrictedID); err != nil {
		t.Fatal(err)
	}
	var interventionID int64
	if err := testDB.Pool.QueryRow(context.Background(), `SELECT min(id) FROM interventions WHERE data_class = 'internal'`).Scan(&interventionID); err != nil {
		t.Fatal(err)
	}
	tile := tiles.TileContaining(centreLon, centreLat, 14)

	// A partner layer of the housing company, shared with the municipality only.
	partnerID := uniq("acc-overlay")
	fc, err := featurefile.Read(featurefile.GeoJSON, []byte(fmt.Sprintf(`{"type":"FeatureCollection","features":[
		{"type":"Feature","geometry":{"type":"Point","coordinates":[%g,%g]},"properties":{"dwellings":12}}]}`, centreLon, centreLat)),
		featurefile.Options{Limits: featurefile.DefaultLimits()})
	if err != nil {
		t.Fatal(err)
	}
	owner := layers.ActingAs(context.Background(), "acc-housing", "housing", "editor")
	if _, err := layers.NewStore(testDB.AppPool).UploadPartnerLayer(owner, layers.PartnerUpload{ID: partnerID, Title: "Overlay",
		SharedWith: []string{"acc-municipality"}, Filename: "o.geojson", Format: "geojson"}, fc); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = testDB.Pool.Exec(context.Background(), `DELETE FROM partner_layers WHERE id = $1`, partnerID)
	})
	// Histories, audit entries and interventions of each owner, made before anyone reads
	// (access_rights_test.go).
	rights := newRightsFixture(t, a, callers, restrictedID)

	status := func(c caller, class layers.DataClass) int {
		if c.may(class) {
			return 200
		}
		return c.refusal()
	}
	// Deployment plans of each class and scenario owners (access_plans_test.go).
	plans := newPlansFixture(t, a)

	for _, c := range callers {
		t.Run(c.name, func(t *testing.T) {
			classes := classesUpTo(c.clearance)
			get := func(path string, want int) []byte {
				t.Helper()
				res, body := a.raw("GET", path, c.header)
				if res.StatusCode != want {
					t.Fatalf("GET %s: status %d, want %d: %.300s", path, res.StatusCode, want, body)
				}
				if want >= 400 && res.Header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("GET %s: %d answered as %q", path, want, res.Header.Get("Content-Type"))
				}
				if c.kind != "" && want == 200 && strings.HasPrefix(res.Header.Get("Cache-Control"), "public") {
					t.Errorf("GET %s: an authenticated answer is cacheable by shared caches: %q", path, res.Header.Get("Cache-Control"))
				}
				return body
			}
			matched := func(path string, want int, sql string, args ...any) {
				t.Helper()
				body := get(path, want)
				if want != 200 {
					return
				}
				var fc struct {
					NumberMatched *int64 `json:"numberMatched"`
				}
				if err := json.Unmarshal(body, &fc); err != nil || fc.NumberMatched == nil {
					t.Fatalf("GET %s: no numberMatched: %v", path, err)
				}
				if n := count(t, sql, args...); *fc.NumberMatched != n {
					t.Errorf("GET %s: %d features, want %d (classes %v)", path, *fc.NumberMatched, n, classes)
				}
			}

			// History by the class of each version; audit entries by the class of what they
			// record; changing and declassifying by ownership.
			rights.checkHistory(t, c, get)
			rights.checkAudit(t, c, get)
			rights.checkChanges(t, a, c)
			if c.rightsOnly {
				return // what it reads is what its organisation's reader reads, checked in that row
			}

			// Feature items: open layers with rows filtered by class; internal layers refused.
			matched("/collections/districts/items?limit=1&numberMatched=true", 200, `SELECT count(*) FROM districts WHERE data_class = ANY($1)`, classes)
			matched("/collections/places/items?limit=1&numberMatched=true", 200, `SELECT count(*) FROM places WHERE data_class = ANY($1)`, classes)
			matched("/collections/indicator-values/items?limit=1&numberMatched=true", 200, `SELECT count(*) FROM indicator_values WHERE data_class = ANY($1)`, classes)
			matched("/collections/observations/items?limit=1&numberMatched=true", status(c, layers.Internal), `SELECT count(*) FROM observations WHERE sensitivity = ANY($1)`, classes)
			// Interventions carry their class per row: everyone reads the collection, and gets
			// the rows of its classes (anonymous callers the open ones).
			matched("/collections/interventions/items?limit=1&numberMatched=true", 200, `SELECT count(*) FROM interventions WHERE data_class = ANY($1)`, classes)

			// A restricted observation: the police read it; the others cleared for the layer
			// find nothing (row-level security hides it), the rest are refused the layer.
			single := fmt.Sprintf("/collections/observations/items/%d", restrictedID)
			switch {
			case c.clearance == layers.Restricted:
				get(single, 200)
			case c.may(layers.Internal):
				get(single, 404)
			default:
				get(single, c.refusal())
			}
			get(fmt.Sprintf("/collections/interventions/items/%d", interventionID), map[bool]int{true: 200, false: 404}[c.may(layers.Internal)]) // an internal one

			// Exports obey the same rules: CSV rows = the caller's rows.
			if body := get("/collections/observations/items?f=csv&limit=10000&datetime=2023-01-01/2023-03-31", status(c, layers.Internal)); c.may(layers.Internal) {
				rows := strings.Count(string(body), "\n") - 1
				want := count(t, `SELECT least(count(*), 10000) FROM observations WHERE sensitivity = ANY($1) AND observed_at BETWEEN '2023-01-01' AND '2023-03-31T23:59:59.999999Z'`, classes)
				if int64(rows) != want {
					t.Errorf("CSV export: %d rows, want %d", rows, want)
				}
				if c.clearance != layers.Restricted && strings.Contains(string(body), "restricted") {
					t.Error("CSV export holds a restricted row")
				}
			}
			// The Swedish Excel form (issue 14, point 11): the same status and the same rows.
			if body := get("/collections/observations/items?f=csv&dialect=excel-sv&limit=10000&datetime=2023-01-01/2023-03-31", status(c, layers.Internal)); c.may(layers.Internal) {
				rows := strings.Count(string(body), "\n") - 1
				want := count(t, `SELECT least(count(*), 10000) FROM observations WHERE sensitivity = ANY($1) AND observed_at BETWEEN '2023-01-01' AND '2023-03-31T23:59:59.999999Z'`, classes)
				if int64(rows) != want || !strings.HasPrefix(string(body), "\ufeffid;") {
					t.Errorf("CSV export for Swedish Excel: %d rows, want %d, starting %.20q", rows, want, body)
				}
				if c.clearance != layers.Restricted && strings.Contains(string(body), "restricted") {
					t.Error("CSV export for Swedish Excel holds a restricted row")
				}
			}

			// Tiles: points for those who may read the layer (their rows), counts per cell
			// with small counts suppressed for everyone else — never a point.
			body := get(tilePath("/collections/observations", tile)+"?aggregate=false", 200)
			l := layerNamed(decodeTile(t, body), "observations")
			if l == nil {
				t.Fatal("no observations layer in the tile")
			}
			if c.may(layers.Internal) {
				if want := tileCount(t, tile, "observations", "sensitivity = ANY($1)", classes); int64(len(l.Features)) != want {
					t.Errorf("observation tile: %d points, want %d", len(l.Features), want)
				}
			} else {
				total := 0.0
				for _, f := range l.Features {
					n, ok := f.Properties["count"].(float64)
					if !ok || f.Properties["category"] != nil {
						t.Fatalf("an anonymous tile holds a point: %v", f.Properties)
					}
					if n < 5 {
						t.Errorf("a cell of %v observations was not suppressed", n)
					}
					if int(n)%5 != 0 {
						t.Errorf("a cell's count %v is not rounded to a multiple of 5", n)
					}
					total += n
				}
				// Each shown count is rounded to the nearest 5: at most 2 more than the truth.
				if all := tileCount(t, tile, "observations", "sensitivity = ANY($1)", classes); total > float64(all)+2*float64(len(l.Features)) {
					t.Errorf("cells count %v observations, more than the %d open ones", total, all)
				}
			}
			mapID := tiles.TileContaining(centreLon, centreLat, 12)
			mapTile := decodeTile(t, get(tilePath("", mapID), 200))
			got := 0
			if l := layerNamed(mapTile, "interventions"); l != nil {
				got = len(l.Features)
			}
			if want := tileCount(t, mapID, "interventions", "t.geom IS NOT NULL AND data_class = ANY($1)", classes); int64(got) != want {
				t.Errorf("map tile: %d interventions, want %d", got, want)
			}

			// Partner overlays: the owner and the organisations it shares with; for everyone
			// else the layer does not exist.
			entitled := c.kind == "housing" || c.kind == "municipality"
			partner := map[bool]int{true: 200, false: 404}[entitled]
			if c.kind == "" {
				partner = 401
			}
			list := get("/partners/layers", map[bool]int{true: 401, false: 200}[c.kind == ""])
			if c.kind != "" && strings.Contains(string(list), partnerID) != entitled {
				t.Errorf("partner layer listed: %t, want %t", !entitled, entitled)
			}
			get("/partners/layers/"+partnerID+"/items", partner)
			get(tilePath("/partners/layers/"+partnerID, tiles.TileContaining(centreLon, centreLat, 12)), partner)
			get("/partners/layers/"+partnerID+"/districts?property=dwellings", partner)
			get("/partners/layers/"+partnerID+"/queryables", partner)

			// What a filter may name: the schema of a collection is read as the collection is.
			get("/collections/districts/queryables", 200)
			get("/collections/districts/sortables", 200)
			get("/collections/observations/queryables", status(c, layers.Internal))
			get("/collections/observations/sortables", status(c, layers.Internal))
			// A filter on the observation tiles: the rows for those who may read them; refused
			// where the tile holds counts per cell, which two filters could subtract below the
			// disclosure threshold.
			get(tilePath("/collections/observations", tile)+"?filter="+url.QueryEscape("category = 'open_drug_dealing'"),
				map[bool]int{true: 200, false: 400}[c.may(layers.Internal)])
			// The map style names layers and colours, no rows: the same for everyone.
			get("/styles", 200)
			get("/styles/karta", 200)

			// Analyses: hotspots for everyone, aggregated for those who may not see points.
			var hs struct {
				Summary struct {
					Disclosure string `json:"disclosure"`
				} `json:"summary"`
			}
			if err := json.Unmarshal(get("/analysis/hotspots?datetime=2023-01-01/2023-12-31", 200), &hs); err != nil {
				t.Fatal(err)
			}
			if want := map[bool]string{true: "full", false: "aggregated"}[c.may(layers.Internal)]; hs.Summary.Disclosure != want {
				t.Errorf("hotspots disclosure %q, want %q", hs.Summary.Disclosure, want)
			}
			get("/analysis/hotspots?method=kde&datetime=2023-01-01/2023-12-31", status(c, layers.Internal))
			checkForecastAccess(t, c, get, classes)
			get("/analysis/priority/scenarios", 200)
			get("/deployment/actor-types", status(c, layers.Internal))
			// Plans by their class, in every format; scenarios by their owner.
			plans.checkPlans(t, c, get)
			plans.checkPlanWrites(t, c)
			plans.checkScenarios(t, c)
			get(fmt.Sprintf("/analysis/followup/%d?draws=200", interventionID), status(c, layers.Internal))
			if !c.may(layers.Internal) {
				get("/report", c.refusal()) // the report itself is tested in report_test.go
				get("/report/week", c.refusal())
			}
			// The weekly meeting: internal data, and its answer says whose clearance it is made
			// with (week_test.go tests the rest).
			if body := get("/analysis/week?since=2024-12-28&to=2024-12-31", status(c, layers.Internal)); c.may(layers.Internal) {
				var w struct{ Clearance layers.DataClass }
				if err := json.Unmarshal(body, &w); err != nil || w.Clearance != c.clearance {
					t.Errorf("weekly meeting: clearance %q, want %q (%v)", w.Clearance, c.clearance, err)
				}
			}
			// API tokens: everyone with a credential lists their own; only admins the organisation's.
			switch {
			case c.kind == "":
				get("/auth/tokens", 401)
			case !c.admin:
				get("/auth/tokens", 200)
				get("/auth/tokens?all=true", 403)
			default:
				get("/auth/tokens?all=true", 200)
			}
			switch {
			case c.kind == "":
				get("/audit", 401)
			case !c.admin:
				get("/audit", 403)
			default:
				get("/audit?limit=5", 200)
			}

			// Writes: the write scope, of an organisation that may read the layer.
			var ids []int64
			cleanUp(t, &ids)
			want := 201
			switch {
			case c.kind == "":
				want = 401
			case !c.canWrite || !c.may(layers.Internal):
				want = 403
			}
			_, body = a.write("POST", "/collections/interventions/items", withHeader(c.header, "Content-Type", "application/geo+json"),
				newIntervention(`null`, nil), want)
			if want == 201 {
				ids = append(ids, decodeFeature(t, body).ID)
			}
		})
	}
}
