package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/layers/layerstest"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeMetricsAddrAndTrustedProxy: /metrics is served on --metrics-addr only, never on
// the API's address; with --trusted-proxy the client address of the request log is the one
// the proxy forwards, and a bad range is a usage error.
func TestServeMetricsAddrAndTrustedProxy(t *testing.T) {
	db := layerstest.Require(t, testDB)
	if err := run(context.Background(), []string{"serve", "--trusted-proxy", "10.0.0.0/33"}, env(db.URL), io.Discard, io.Discard); !errors.As(err, &usageError{}) {
		t.Errorf("--trusted-proxy 10.0.0.0/33: %v, want a usage error", err)
	}
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	var logs bytes.Buffer
	go func() {
		done <- run(ctx, []string{"serve", "--addr", addr, "--metrics-addr", metricsAddr, "--trusted-proxy", "192.0.2.0/24, 127.0.0.1"},
			env(db.URL), io.Discard, &logs)
	}()
	get := func(url string, header ...string) int {
		req, _ := http.NewRequest("GET", url, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
	for i := 0; i < 100 && get("http://"+addr+"/readyz") != 200; i++ {
		time.Sleep(50 * time.Millisecond)
	}
	if got := get("http://"+addr+"/healthz", "X-Forwarded-For", "198.51.100.23, 192.0.2.9"); got != 200 {
		t.Fatalf("healthz: %d", got)
	}
	if got := get("http://" + addr + "/metrics"); got != 404 {
		t.Errorf("/metrics on the API's address: %d, want 404", got)
	}
	res, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !bytes.Contains(body, []byte(`lagesbild_http_request_duration_seconds_bucket{method="GET",route="/healthz"`)) {
		t.Errorf("metrics address: %d, %d bytes without the request histogram", res.StatusCode, len(body))
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down")
	}
	found := false
	for _, line := range strings.Split(logs.String(), "\n") {
		var rec struct{ Msg, Path, Remote string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "request" && rec.Path == "/healthz" {
			found = true
			if rec.Remote != "198.51.100.23" {
				t.Errorf("remote %q, want 198.51.100.23 (the first hop that is not a trusted proxy)", rec.Remote)
			}
		}
	}
	if !found {
		t.Errorf("no request line for /healthz in:\n%s", logs.String())
	}
	if got := get(fmt.Sprintf("http://%s/metrics", metricsAddr)); got != 0 {
		t.Errorf("metrics still served after shutdown: %d", got)
	}
}
