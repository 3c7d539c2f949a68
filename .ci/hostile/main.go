// Command hostile sends the hostile requests of issue 12 (findings 7–10) to a Lägesbild server
// on this machine while `make soak` loads it, and prints what it got back. Loopback only: the
// target must be a 127.0.0.0/8 address, the counts and the duration are bounded, and it stops
// by itself.
//
//	go run ./.ci/hostile -addr 127.0.0.1:18090 -duration 60s [-token T] [-user U -password P]
//
// Each kind of hostility comes from its own loopback address, as separate clients would:
//   - slow bodies (finding 9), from 127.0.0.2: -slow connections, each sending headers that
//     promise a 10,000-byte body, then one byte a second; a connection the server closes is
//     opened again;
//   - memory (finding 7), from 127.0.0.4, anonymous: hotspot tiles of 120 m hexagons (about
//     30 MB each kept for tiles, the largest the memo keeps) for twelve
//     distinct datetime windows, and eight emerging analyses at once, over and over;
//   - cost (finding 8), from 127.0.0.4 with the token: method=kde&cell=10&bandwidth=5000;
//   - lockout (finding 10), from 127.0.0.3: wrong passwords for -user, then, from 127.0.0.1,
//     the right one (its status is printed: it should log in).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		os.Exit(1)
	}
}

// tally counts outcomes by kind and status.
type tally struct {
	mu sync.Mutex
	n  map[string]map[string]int
}

func (t *tally) add(kind, outcome string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n[kind] == nil {
		t.n[kind] = map[string]int{}
	}
	t.n[kind][outcome]++
}

func from(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 70 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 16}}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:18090", "the server (a loopback address)")
	duration := flag.Duration("duration", 60*time.Second, "how long to keep at it (at most 5 min)")
	slow := flag.Int("slow", 1000, "slow-body connections held at once (at most 5,000)")
	token := flag.String("token", "", "an API token for the cost requests (kde needs a caller who may see points)")
	user := flag.String("user", "kommun.lasare", "account whose login is attacked")
	password := flag.String("password", "lagesbild-demo", "its right password")
	flag.Parse()
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s is not a loopback address", *addr)
	}
	if *duration > 5*time.Minute || *slow > 5000 {
		return fmt.Errorf("-duration at most 5m, -slow at most 5000")
	}
	ctx, cancel := context.WithTimeout(context.Background(), *duration)
	defer cancel()
	base := "http://" + *addr
	t := &tally{n: map[string]map[string]int{}}
	var wg sync.WaitGroup
	status := func(kind string, c *http.Client, req *http.Request) {
		res, err := c.Do(req)
		if err != nil {
			if ctx.Err() == nil {
				t.add(kind, "error")
			}
			return
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		t.add(kind, fmt.Sprint(res.StatusCode))
	}

	// Slow bodies.
	for range *slow {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}, Timeout: 5 * time.Second}
			for ctx.Err() == nil {
				c, err := d.DialContext(ctx, "tcp", *addr)
				if err != nil {
					t.add("slow-body", "dial-error")
					time.Sleep(time.Second)
					continue
				}
				fmt.Fprintf(c, "POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{")
				closed := make(chan string, 1)
				go func() {
					b := make([]byte, 512)
					n, _ := c.Read(b)
					if strings.HasPrefix(string(b[:n]), "HTTP/1.1 503") {
						closed <- "refused-503"
						return
					}
					_, _ = io.Copy(io.Discard, c)
					closed <- "cut-by-server"
				}()
				tick := time.NewTicker(time.Second)
			send:
				for {
					select {
					case how := <-closed:
						t.add("slow-body", how)
						break send
					case <-ctx.Done():
						break send
					case <-tick.C:
						_, _ = c.Write([]byte(" "))
					}
				}
				tick.Stop()
				c.Close()
				time.Sleep(100 * time.Millisecond) // a rejected client comes back, not in a busy loop
			}
		}()
	}

	// Memory: twelve distinct windows of 50 m hexagon tiles, and eight emerging analyses.
	anon := from("127.0.0.4")
	wg.Add(1)
	go func() {
		defer wg.Done()
		for round := 0; ctx.Err() == nil; round++ {
			for k := range 12 {
				q := url.Values{"side": {"120"}, "datetime": {fmt.Sprintf("2022-%02d-01T00:00:00Z/2024-12-31T00:00:00Z", k+1)}}
				req, _ := http.NewRequestWithContext(ctx, "GET", base+"/analysis/hotspots/tiles/WebMercatorQuad/12/1206/2236?"+q.Encode(), nil)
				status("memory-tiles", anon, req)
			}
		}
	}()
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; ctx.Err() == nil; round++ {
				q := url.Values{"method": {"emerging"}, "slice": {"month"},
					"datetime": {fmt.Sprintf("2022-01-%02dT00:00:00Z/2024-12-31T00:00:00Z", 1+(w+8*round)%28)}}
				req, _ := http.NewRequestWithContext(ctx, "GET", base+"/analysis/hotspots?"+q.Encode(), nil)
				status("memory-emerging", anon, req)
			}
		}()
	}

	// Cost.
	costly := from("127.0.0.4")
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			req, _ := http.NewRequestWithContext(ctx, "GET", base+"/analysis/hotspots?method=kde&cell=10&bandwidth=5000", nil)
			if *token != "" {
				req.Header.Set("Authorization", "Bearer "+*token)
			}
			status("cost-kde", costly, req)
			time.Sleep(50 * time.Millisecond)
		}
	}()

	// Lockout: wrong passwords from another address, then the owner logs in.
	attacker := from("127.0.0.3")
	login := func(c *http.Client, pw string) *http.Request {
		body, _ := json.Marshal(map[string]string{"username": *user, "password": pw})
		req, _ := http.NewRequestWithContext(ctx, "POST", base+"/auth/login", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		return req
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for k := 0; k < 200 && ctx.Err() == nil; k++ {
			status("lockout-wrong-password", attacker, login(attacker, fmt.Sprintf("wrong-%d", k)))
			time.Sleep(100 * time.Millisecond)
		}
	}()

	wg.Wait()
	// The owner, from their own address, with the right password, after the attack.
	owner := from("127.0.0.1")
	octx, ocancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer ocancel()
	body, _ := json.Marshal(map[string]string{"username": *user, "password": *password})
	req, _ := http.NewRequestWithContext(octx, "POST", base+"/auth/login", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if res, err := owner.Do(req); err != nil {
		t.add("lockout-owner-login", "error")
	} else {
		res.Body.Close()
		t.add("lockout-owner-login", fmt.Sprint(res.StatusCode))
	}

	kinds := make([]string, 0, len(t.n))
	for k := range t.n {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		outs := make([]string, 0, len(t.n[k]))
		for o, n := range t.n[k] {
			outs = append(outs, fmt.Sprintf("%s=%d", o, n))
		}
		sort.Strings(outs)
		fmt.Printf("HOSTILE %s %s\n", k, strings.Join(outs, " "))
	}
	return nil
}
