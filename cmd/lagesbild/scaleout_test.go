package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// childServeEnv makes the test binary a `lagesbild serve` process with the JSON-encoded
// arguments it holds (TestMain), so the scale-out tests run real separate server processes
// without building the command first.
const childServeEnv = "LAGESBILD_TEST_SERVE_ARGS"

// childServe is the whole life of such a child: serve until SIGTERM.
func childServe(encoded string) int {
	var args []string
	if err := json.Unmarshal([]byte(encoded), &args); err != nil {
		fmt.Fprintln(os.Stderr, "child serve:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, append([]string{"serve"}, args...), os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "child serve:", err)
		return 1
	}
	return 0
}

// serveProcess is one `lagesbild serve` child process of a test.
type serveProcess struct {
	name, addr, metrics string
	log                 *bytes.Buffer
}

// startServeProcess starts a serve process over db with args (besides --addr and --metrics-addr),
// waits until it is ready, and stops it (SIGTERM) when the test ends.
func startServeProcess(t *testing.T, db *layerstest.DB, name string, args ...string) *serveProcess {
	t.Helper()
	p := &serveProcess{name: name, addr: freeAddr(t), metrics: freeAddr(t), log: &bytes.Buffer{}}
	encoded, _ := json.Marshal(append([]string{"--addr", p.addr, "--metrics-addr", p.metrics}, args...))
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "DATABASE_URL="+db.URL, childServeEnv+"="+string(encoded))
	cmd.Stdout, cmd.Stderr = p.log, p.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("log of %s:\n%s", p.name, p.log.String())
		}
	})
	for range 200 {
		if res, err := http.Get("http://" + p.addr + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return p
			}
		}
		select {
		case err := <-done:
			t.Fatalf("%s exited: %v\n%s", name, err, p.log.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("%s never became ready:\n%s", name, p.log.String())
	return nil
}

// metric is the value of the sample of the serve process's /metrics whose line starts with
// prefix (a name with its labels), -1 when there is none.
func (p *serveProcess) metric(t *testing.T, prefix string) float64 {
	t.Helper()
	res, err := http.Get("http://" + p.metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, prefix) {
			v, err := strconv.ParseFloat(strings.TrimSpace(line[len(prefix):]), 64)
			if err == nil {
				return v
			}
		}
	}
	return -1
}

// startNginx runs Debian's nginx (the stock reverse proxy of docs/operations.md) in front of
// the upstream addresses, round robin, and returns its address and the path of its access
// log, which names the upstream of every request.
func startNginx(t *testing.T, upstreams ...string) (addr, accessLog string) {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		bin = "/usr/sbin/nginx"
		if _, serr := os.Stat(bin); serr != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("nginx is not installed (.ci/deps.sh test installs it)")
			}
			t.Skip("nginx is not installed; .ci/deps.sh test installs it")
		}
	}
	dir := t.TempDir()
	addr = freeAddr(t)
	var servers strings.Builder
	for _, u := range upstreams {
		fmt.Fprintf(&servers, "    server %s max_fails=0;\n", u)
	}
	accessLog = filepath.Join(dir, "access.log")
	conf := fmt.Sprintf(`worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 256; }
http {
  log_format upstream '$upstream_addr $status $request';
  access_log %[1]s/access.log upstream;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  upstream lagesbild {
%[2]s    keepalive 8;
  }
  server {
    listen %[3]s;
    location / {
      proxy_pass http://lagesbild;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
  }
}
`, dir, servers.String(), addr)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-e", filepath.Join(dir, "error.log"), "-c", filepath.Join(dir, "nginx.conf"), "-g", "daemon off;")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGQUIT)
		_ = cmd.Wait()
	})
	for range 100 {
		if res, err := http.Get("http://" + addr + "/readyz"); err == nil {
			res.Body.Close()
			return addr, accessLog
		}
		time.Sleep(50 * time.Millisecond)
	}
	errLog, _ := os.ReadFile(filepath.Join(dir, "error.log"))
	t.Fatalf("nginx does not answer: %s\n%s", out.String(), errLog)
	return "", ""
}

// client is a test's HTTP client with the session cookie and CSRF token of one login.
type client struct {
	t       *testing.T
	cookie  string
	csrf    string
	wrote   string // the last write's position (Lagesbild-Wrote-Position)
	noRedir http.Client
}

func (c *client) do(method, url, body string, header http.Header, want int) (*http.Response, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if c.cookie != "" && req.Header.Get("Authorization") == "" {
		req.Header.Set("Cookie", c.cookie)
		if method != http.MethodGet {
			req.Header.Set("X-CSRF-Token", c.csrf)
		}
	}
	res, err := c.noRedir.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if want != 0 && res.StatusCode != want {
		c.t.Fatalf("%s %s: %d %s, want %d", method, url, res.StatusCode, b, want)
	}
	if w := res.Header.Get("Lagesbild-Wrote-Position"); w != "" {
		c.wrote = w
	}
	return res, b
}

// tileOf is the WebMercatorQuad tile path of zoom z holding lon, lat.
func tileOf(z int, lon, lat float64) string {
	n := math.Exp2(float64(z))
	x := int((lon + 180) / 360 * n)
	r := lat * math.Pi / 180
	y := int((1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * n)
	return fmt.Sprintf("/collections/interventions/tiles/WebMercatorQuad/%d/%d/%d", z, y, x)
}

// waitStandby waits until the standby has the test's database and replays: it was created
// on the primary just before the tests ran.
func waitStandby(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		conn, err := pgx.Connect(context.Background(), url)
		if err == nil {
			if _, err = conn.Exec(context.Background(), `SELECT pg_wal_replay_resume()`); err == nil {
				return conn
			}
			conn.Close(context.Background())
		}
		if time.Now().After(deadline) {
			t.Fatalf("standby %s: %v", url, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// standbyCtl stops or starts the test cluster's standby (.ci/standby.sh).
func standbyCtl(t *testing.T, action string) {
	t.Helper()
	out, err := exec.Command("../../.ci/standby.sh", action).CombinedOutput()
	if err != nil {
		t.Fatalf("standby %s: %v\n%s", action, err, out)
	}
}

// TestScaleOutBehindNginx (issue 16): two `lagesbild serve` processes behind Debian's nginx,
// both reading from a streaming standby of the test database. Checked across the processes:
// a login through one is valid on the other, and so is its CSRF token; a token revoked
// through one is refused by the other; wrong passwords spread over both count together (the
// sixth of one attacker's guesses is refused, where each process alone had seen three);
// reads that may lag go to the standby and writes to the primary; with the standby's replay
// paused — so a read from it would certainly be stale — a write through one process is read
// back through the other at once by the writer (read-your-writes), every tile made after
// the change notification comes from the primary (no stale tile, cached or new), and the
// standby, lagging beyond a process's bound, is out of use there until it catches up; a
// standby reached as the schema owner (not bound by row-level security) is never used; and
// when the standby stops, reads go to the primary and it comes back by itself when it starts.
func TestScaleOutBehindNginx(t *testing.T) {
	db := layerstest.Require(t, testDB)
	standbyURL := layerstest.RequireStandby(t, db)
	ctx := context.Background()
	standby := waitStandby(t, standbyURL)
	defer standby.Close(ctx)
	t.Cleanup(func() {
		standbyCtl(t, "start")
		if c, err := pgx.Connect(context.Background(), standbyURL); err == nil {
			_, _ = c.Exec(context.Background(), `SELECT pg_wal_replay_resume()`)
			c.Close(context.Background())
		}
	})
	replicaURL, err := layers.ServerURL(standbyURL)
	if err != nil {
		t.Fatal(err)
	}

	// An editor of a municipality, with a password.
	store := layers.NewStore(db.Pool)
	org, user, password := fmt.Sprintf("scale%d", os.Getpid()), fmt.Sprintf("editor.scale%d", os.Getpid()), "correct horse battery staple"
	if err := store.CreateOrganisation(ctx, layers.Organisation{Code: org, Name: "Test " + org, Kind: "municipality"}); err != nil {
		t.Fatal(err)
	}
	hash, err := layers.HashPassword(password, layers.Argon2Params{Memory: 1024, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateUser(ctx, layers.NewUser{Organisation: org, Username: user, Role: "editor", PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, q := range []string{`DELETE FROM interventions WHERE lead_org = $1`, `DELETE FROM api_tokens WHERE organisation = $1`,
			`DELETE FROM users WHERE organisation = $1`, `DELETE FROM organisations WHERE code = $1`} {
			arg := org
			if strings.Contains(q, "lead_org") {
				arg = "scale-" + org
			}
			if _, err := db.Pool.Exec(context.Background(), q, arg); err != nil {
				t.Errorf("clean up: %v", err)
			}
		}
	})
	if _, err := db.Pool.Exec(ctx, `DELETE FROM login_limits`); err != nil {
		t.Fatal(err)
	}

	args := []string{"--trusted-proxy", "127.0.0.1", "--read-database-url", replicaURL, "--tile-cache-mb", "16"}
	a := startServeProcess(t, db, "process A", args...)
	b := startServeProcess(t, db, "process B", append(args, "--replica-max-lag", "1s")...) // B gives up on a lagging standby sooner
	// A standby reached as the schema owner, who is not bound by row-level security, is never used.
	owner := startServeProcess(t, db, "process C", "--read-database-url", standbyURL)
	front, accessLog := startNginx(t, a.addr, b.addr)
	A, B, N := "http://"+a.addr, "http://"+b.addr, "http://"+front
	jsonH := http.Header{"Content-Type": {"application/json"}}

	// A login through the proxy holds on both processes, and so does its CSRF token.
	c := &client{t: t, noRedir: http.Client{Timeout: 30 * time.Second}}
	res, body := c.do("POST", N+"/auth/login", jsonBody(map[string]string{"username": user, "password": password}), jsonH, 200)
	for _, ck := range res.Cookies() {
		if ck.Name == "lagesbild_session" {
			c.cookie = ck.Name + "=" + ck.Value
		}
	}
	var login struct {
		CSRF string `json:"csrf_token"`
	}
	if err := jsonUnmarshal(body, &login); err != nil || c.cookie == "" || login.CSRF == "" {
		t.Fatalf("login answer: %s (%v)", body, err)
	}
	c.csrf = login.CSRF
	c.do("GET", A+"/auth/me", "", nil, 200)
	c.do("GET", B+"/auth/me", "", nil, 200)

	// A token minted through B works on A; revoked through A, B refuses it.
	_, body = c.do("POST", B+"/auth/tokens", jsonBody(map[string]any{"name": "scale-out", "scopes": []string{"read"}}), jsonH, 201)
	var tok struct {
		ID     int64  `json:"id"`
		Secret string `json:"secret"`
	}
	if err := jsonUnmarshal(body, &tok); err != nil {
		t.Fatal(err)
	}
	bearer := http.Header{"Authorization": {"Bearer " + tok.Secret}}
	c.do("GET", A+"/collections/interventions/items?limit=1", "", bearer, 200)
	c.do("GET", B+"/collections/interventions/items?limit=1", "", bearer, 200)
	c.do("DELETE", fmt.Sprintf("%s/auth/tokens/%d", A, tok.ID), "", nil, 204)
	// Revocation reaches B by the database (and any cache of B by the change notification,
	// which takes milliseconds): it must hold within a second.
	for deadline := time.Now().Add(time.Second); ; time.Sleep(20 * time.Millisecond) {
		if res, _ := c.do("GET", B+"/collections/interventions/items?limit=1", "", bearer, 0); res.StatusCode == 401 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("process B still accepts a token revoked through A a second ago: %d", res.StatusCode)
		}
	}

	// One attacker's wrong passwords through the proxy, which spreads them over A and B: the
	// five free failures are counted together, and the sixth attempt waits.
	attacker := withHeader(jsonH, "X-Forwarded-For", "203.0.113.77")
	wrong := jsonBody(map[string]string{"username": user, "password": "not the password"})
	anon := &client{t: t, noRedir: http.Client{Timeout: 30 * time.Second}}
	for i := range 5 {
		if res, _ := anon.do("POST", N+"/auth/login", wrong, attacker, 0); res.StatusCode != 401 {
			t.Fatalf("wrong password %d: %d, want 401", i+1, res.StatusCode)
		}
	}
	if res, _ := anon.do("POST", N+"/auth/login", wrong, attacker, 0); res.StatusCode != 429 || res.Header.Get("Retry-After") == "" {
		t.Errorf("sixth wrong password over two processes: %d (Retry-After %q), want 429: the processes count apart", res.StatusCode, res.Header.Get("Retry-After"))
	}
	logText, _ := os.ReadFile(accessLog)
	if !strings.Contains(string(logText), a.addr+" 401 POST /auth/login") || !strings.Contains(string(logText), b.addr+" 401 POST /auth/login") {
		t.Errorf("nginx did not spread the logins over both processes:\n%s", logText)
	}

	// Reads that may lag go to the standby (the standby answers for both processes).
	for range 4 {
		c.do("GET", A+"/collections/districts/items?limit=5", "", nil, 200)
		c.do("GET", B+"/collections/districts/items?limit=5", "", nil, 200)
	}
	sc, err := pgx.ParseConfig(standbyURL)
	if err != nil {
		t.Fatal(err)
	}
	replica := fmt.Sprintf(`lagesbild_replica_reads_total{replica="%s:%d/%s"}`, sc.Host, sc.Port, sc.Database)
	for _, p := range []*serveProcess{a, b} {
		if n := p.metric(t, replica); n < 1 {
			t.Errorf("%s: %s = %v, want reads answered by the standby", p.name, replica, n)
		}
	}
	c.do("GET", "http://"+owner.addr+"/collections/districts/items?limit=5", "", nil, 200)
	if n, in := owner.metric(t, replica), owner.metric(t, strings.Replace(replica, "reads_total", "in_use", 1)); n != 0 || in != 0 {
		t.Errorf("%s reads from a standby it reaches as the schema owner: reads %v, in use %v", owner.name, n, in)
	}

	// The standby stops replaying: whatever is written now, a read from it would be stale.
	if _, err := standby.Exec(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	lon, lat := 16.487, 59.622 // Bäckby, Västerås
	t1, t2 := tileOf(14, lon, lat), tileOf(12, lon, lat)
	_, before := c.do("GET", B+t1, "", nil, 0) // now cached by B
	title := fmt.Sprintf("Skalningstest %d", time.Now().UnixNano())
	if bytes.Contains(before, []byte(title)) {
		t.Fatal("the tile holds the title before the write")
	}
	feature := jsonBody(map[string]any{"type": "Feature", "geometry": map[string]any{"type": "Point", "coordinates": []float64{lon, lat}},
		"properties": map[string]any{"title": title, "category": "night_walkers", "horizon": "vinna_slaget", "approach": "preventive",
			"lead_org": "scale-" + org, "status": "active", "start_date": "2026-01-01", "target_districts": []string{"1980-BACKBY"}}})
	res, _ = c.do("POST", A+"/collections/interventions/items", feature, http.Header{"Content-Type": {"application/geo+json"}}, 201)
	if c.wrote == "" || !strings.Contains(res.Header.Get("Set-Cookie"), "lagesbild_wrote=") {
		t.Fatalf("the write's answer carries no position: header %q, cookie %q", c.wrote, res.Header.Get("Set-Cookie"))
	}
	var onStandby int
	if err := standby.QueryRow(ctx, `SELECT count(*) FROM interventions WHERE title = $1`, title).Scan(&onStandby); err != nil || onStandby != 0 {
		t.Fatalf("the paused standby has the write (%d, %v): the test could not tell a stale read", onStandby, err)
	}
	// The writer reads its write through B at once, whatever B has cached or the standby holds.
	mine := http.Header{"Lagesbild-Wrote-Position": {c.wrote}}
	if _, got := c.do("GET", B+t1, "", mine, 200); !bytes.Contains(got, []byte(title)) {
		t.Errorf("read-your-writes: B's tile %s lacks the write made through A", t1)
	}
	if _, got := c.do("GET", B+"/collections/interventions/items?limit=1000", "", mine, 200); !bytes.Contains(got, []byte(title)) {
		t.Error("read-your-writes: B's items lack the write made through A")
	}
	// Anyone: once B has the change notification (milliseconds), its tile is never stale again.
	fresh := false
	for deadline := time.Now().Add(2 * time.Second); !fresh && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		_, got := c.do("GET", B+t1, "", nil, 200)
		fresh = bytes.Contains(got, []byte(title))
	}
	if !fresh {
		t.Fatalf("B's cached tile %s is still stale two seconds after the write through A", t1)
	}
	for _, p := range []string{B + t1, A + t1, B + t2, A + t2} { // t2 was never made: made now, from the primary
		if _, got := c.do("GET", p, "", nil, 200); !bytes.Contains(got, []byte(title)) {
			t.Errorf("stale tile %s after the write while the standby lags", p)
		}
	}
	// Lagging beyond B's bound (1 s), the standby is out of use for B; for A (30 s) it is not.
	inUse := strings.Replace(replica, "lagesbild_replica_reads_total", "lagesbild_replica_in_use", 1)
	waitMetric(t, b, inUse, 0, 5*time.Second)
	if got := a.metric(t, inUse); got != 1 {
		t.Errorf("%s: %s = %v, want 1 (within its 30 s bound)", a.name, inUse, got)
	}
	if _, err := standby.Exec(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	waitMetric(t, b, inUse, 1, 10*time.Second)

	// The standby stops: reads go to the primary; it starts: it is back in use by itself.
	standbyCtl(t, "stop")
	for range 3 {
		for _, base := range []string{A, B} {
			c.do("GET", base+"/collections/districts/items?limit=5", "", nil, 200)
			c.do("GET", base+t2, "", nil, 200)
		}
	}
	for _, p := range []*serveProcess{a, b} {
		waitMetric(t, p, inUse, 0, 5*time.Second)
	}
	standbyCtl(t, "start")
	for _, p := range []*serveProcess{a, b} {
		waitMetric(t, p, inUse, 1, 20*time.Second)
	}
}

// waitMetric waits until p's metric is want.
func waitMetric(t *testing.T, p *serveProcess, prefix string, want float64, within time.Duration) {
	t.Helper()
	var got float64
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if got = p.metric(t, prefix); got == want {
			return
		}
	}
	t.Errorf("%s: %s = %v after %v, want %v", p.name, prefix, got, within, want)
}

func jsonBody(v any) string { b, _ := json.Marshal(v); return string(b) }

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func withHeader(h http.Header, kv ...string) http.Header {
	out := h.Clone()
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}
