package featurefile_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/layers/featurefile"
)

// fuzzLimits are small so that the fuzzers reach the limits.
var fuzzLimits = featurefile.Limits{MaxBytes: 1 << 20, MaxFeatures: 50, MaxVertices: 2000, MaxDepth: 16, MaxFields: 20}

// checkRead is the fuzzers' property: Read never panics (the fuzzer catches that), every
// error is an *Error, and a result respects the limits and the documented shape.
func checkRead(t *testing.T, f featurefile.Format, data []byte) {
	c, err := featurefile.Read(f, data, featurefile.Options{Limits: fuzzLimits})
	if err != nil {
		var e *featurefile.Error
		if !errors.As(err, &e) {
			t.Fatalf("error %v is a %T, not *featurefile.Error", err, err)
		}
		if e.Feature < 0 || e.Msg == "" {
			t.Fatalf("error %#v: bad feature number or empty message", e)
		}
		return
	}
	if c.SRID != 3006 && c.SRID != 4326 {
		t.Fatalf("SRID %d", c.SRID)
	}
	if len(c.Features) == 0 || len(c.Features) > fuzzLimits.MaxFeatures || len(c.Fields) > fuzzLimits.MaxFields {
		t.Fatalf("%d features, %d fields: beyond the limits", len(c.Features), len(c.Fields))
	}
	vertices, last := 0, 0
	for _, ft := range c.Features {
		if ft.Number <= last {
			t.Fatalf("feature numbers not increasing: %d after %d", ft.Number, last)
		}
		last = ft.Number
		if ft.Geometry == nil || ft.Geometry.SRID() != c.SRID {
			t.Fatalf("feature %d: geometry %v without the collection's SRID", ft.Number, ft.Geometry)
		}
		vertices += len(ft.Geometry.FlatCoords()) / 2
		if len(ft.Properties) != len(c.Fields) {
			t.Fatalf("feature %d: %d properties for %d fields", ft.Number, len(ft.Properties), len(c.Fields))
		}
		for _, fd := range c.Fields {
			v, ok := ft.Properties[fd.Name]
			if !ok {
				t.Fatalf("feature %d: no property %s", ft.Number, fd.Name)
			}
			if v == nil {
				continue
			}
			okType := false
			switch v.(type) {
			case string:
				okType = fd.Type == featurefile.String
			case int64:
				okType = fd.Type == featurefile.Integer
			case float64:
				okType = fd.Type == featurefile.Number
			case bool:
				okType = fd.Type == featurefile.Boolean
			case time.Time:
				okType = fd.Type == featurefile.Date || fd.Type == featurefile.DateTime
			}
			if !okType {
				t.Fatalf("feature %d: %s = %#v is not of type %s", ft.Number, fd.Name, v, fd.Type)
			}
		}
	}
	if vertices > fuzzLimits.MaxVertices {
		t.Fatalf("%d vertices beyond the limit", vertices)
	}
}

func FuzzReadGeoJSON(f *testing.F) {
	f.Add([]byte(source))
	f.Add([]byte(fc(feat(square4326, `{"a":1,"b":"2024-01-01","c":[1,{"d":null}]}`), feat(`{"type":"MultiLineString","coordinates":[[[16,59],[17,60]]]}`, `{"a":2.5}`))))
	f.Add([]byte(`{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[16,59],[17,59],[17,60],[16,59]]]]},"properties":null}`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]`))
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, featurefile.GeoJSON, data) })
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("name,lon,lat,n\nA,16.5,59.6,1\nB,16.6,59.7,2.5\n"))
	f.Add([]byte("Område;sweref99_e;sweref99_n;andel\nBäckby;588000,5;6610000;0,25\n"))
	f.Add([]byte("id\twkt\n1\tPOLYGON ((16 59, 17 59, 17 60, 16 59))\n2\tMULTIPOINT ((16 59))\n"))
	f.Add([]byte("x,y,\"q\"\"\"\n6610000,588000,true\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, featurefile.CSV, data) })
}

func FuzzReadGeoPackage(f *testing.F) {
	for _, name := range []string{"testdata/mini.gpkg", "testdata/bomb.gpkg"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, featurefile.GPKG, data) })
}

func FuzzReadShapefile(f *testing.F) {
	for _, name := range []string{"testdata/seedshp.zip", "testdata/seedpt.zip"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkRead(t, featurefile.Shapefile, data) })
}

// TestHostileFiles are the uploads the issue names: a GeoPackage claiming far more than it
// holds, a geometry announcing 2^31 points, a zip bomb, paths escaping the zip.
func TestHostileFiles(t *testing.T) {
	mini, err := os.ReadFile("testdata/mini.gpkg")
	if err != nil {
		t.Fatal(err)
	}
	c, err := featurefile.Read(featurefile.GPKG, mini, featurefile.Options{})
	if err != nil {
		t.Fatalf("mini.gpkg: %v", err)
	}
	if p := c.Features[0].Properties; p["namn"] != "Bäckby" || p["antal"] != int64(12) || p["ok"] != true || p["andel"] != 0.25 {
		t.Errorf("mini.gpkg properties %v", p)
	}
	claims := bytes.Clone(mini)
	binary.BigEndian.PutUint32(claims[28:32], 1<<30) // 2^30 pages of 512 bytes
	_, err = featurefile.Read(featurefile.GPKG, claims, featurefile.Options{})
	wantErr(t, err, 0, true, "claims 549755813888 bytes")

	bomb, err := os.ReadFile("testdata/bomb.gpkg")
	if err != nil {
		t.Fatal(err)
	}
	_, err = featurefile.Read(featurefile.GPKG, bomb, featurefile.Options{})
	wantErr(t, err, 1, false, "2147483647 points announced")

	zipOf := func(files map[string][]byte, method uint16) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for name, b := range files {
			w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(b)
		}
		zw.Close()
		return buf.Bytes()
	}
	_, err = featurefile.Read(featurefile.Shapefile, zipOf(map[string][]byte{"a.shp": make([]byte, 60<<20)}, zip.Deflate), featurefile.Options{})
	wantErr(t, err, 0, true, "inflates to more than")
	_, err = featurefile.Read(featurefile.Shapefile, zipOf(map[string][]byte{"a.shp": make([]byte, 20<<20)}, zip.Deflate), featurefile.Options{})
	wantErr(t, err, 0, true, "zip bomb")
	_, err = featurefile.Read(featurefile.Shapefile, zipOf(map[string][]byte{"../a.shp": []byte("x")}, zip.Store), featurefile.Options{})
	wantErr(t, err, 0, false, "unsafe path")
	seed, err := os.ReadFile("testdata/seedshp.zip")
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(seed), int64(len(seed)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".prj") {
			rc, _ := f.Open()
			var b bytes.Buffer
			b.ReadFrom(rc)
			files[f.Name] = b.Bytes()
		}
	}
	_, err = featurefile.Read(featurefile.Shapefile, zipOf(files, zip.Deflate), featurefile.Options{})
	wantErr(t, err, 0, false, "no .prj", "CRS is unknown")
}

// TestGeoPackageMutations runs the fuzzers' property over seeded random mutations of the
// GeoPackage seeds. FuzzReadGeoPackage is slow under -fuzz (coverage instrumentation of the
// pure-Go SQLite makes one execution take seconds), so this test covers the SQLite page and
// record decoding on every ordinary test run: 1,000 files in about a second.
func TestGeoPackageMutations(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 1980))
	for _, name := range []string{"testdata/mini.gpkg", "testdata/bomb.gpkg"} {
		seed, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for range 500 {
			m := bytes.Clone(seed)
			for range 1 + r.IntN(8) {
				m[r.IntN(len(m))] = byte(r.IntN(256))
			}
			start := time.Now()
			checkRead(t, featurefile.GPKG, m)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("a mutated %s took %v", name, d)
			}
		}
	}
}
