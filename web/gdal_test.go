package web_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestGDALReadsTheAPI has a real OGC API – Features client, GDAL's OAPIF driver, list the
// collections and read features.
func TestGDALReadsTheAPI(t *testing.T) {
	a := newAPI(t)
	ogrinfo, err := exec.LookPath("ogrinfo")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ogrinfo not installed under CI (make test installs gdal-bin)")
		}
		t.Skip("ogrinfo not installed (apt-get install gdal-bin)")
	}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(ogrinfo, args...)
		cmd.Env = append(os.Environ(), "GDAL_HTTP_TIMEOUT=30", "CPL_DEBUG=OFF")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("ogrinfo %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	out := run("-ro", "OAPIF:"+a.srv.URL)
	for _, id := range []string{"districts", "places", "observations", "interventions", "indicators", "indicator-values"} {
		if !strings.Contains(out, id) {
			t.Errorf("ogrinfo does not list %s:\n%s", id, out)
		}
	}
	out = run("-ro", "-al", "-q", "OAPIF:"+a.srv.URL, "places")
	for _, want := range []string{"Vasaparken", "Bäckby torg", "kind (String) = park"} {
		if !strings.Contains(out, want) {
			t.Errorf("ogrinfo places lacks %q:\n%.2000s", want, out)
		}
	}
	if !strings.Contains(out, "POINT") && !strings.Contains(out, "POLYGON") {
		t.Errorf("ogrinfo read no geometries:\n%.2000s", out)
	}
	out = run("-ro", "-so", "OAPIF:"+a.srv.URL, "districts")
	if !strings.Contains(out, "Feature Count") || !strings.Contains(out, "police_class") {
		t.Errorf("ogrinfo summary of districts:\n%s", out)
	}
}
