package layerstest

import (
	"os"
	"os/exec"
	"testing"
)

// OGR2OGR runs GDAL's ogr2ogr with args, which the tests use to write GeoPackages and
// Shapefiles as real tools do. Without ogr2ogr the test is skipped, or fails under CI (CI
// set), where make test installs gdal-bin.
func OGR2OGR(t testing.TB, args ...string) {
	t.Helper()
	ogr, err := exec.LookPath("ogr2ogr")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ogr2ogr not installed under CI (make test installs gdal-bin)")
		}
		t.Skip("ogr2ogr not installed (apt-get install gdal-bin)")
	}
	if out, err := exec.Command(ogr, args...).CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr %q: %v\n%s", args, err, out)
	}
}
