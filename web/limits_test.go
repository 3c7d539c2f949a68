package web_test

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/web"
)

// TestLimitListenerBoundsConnections checks the total bound of web.Limits on a real loopback
// listener: 20 clients at once, 8 connections allowed, so never more than 8 requests are in
// the handler together, and all 20 are served once the first ones finish.
func TestLimitListenerBoundsConnections(t *testing.T) {
	const clients, limit = 20, 8
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lim := web.Limits{MaxConnections: limit, BodyTimeout: time.Second}
	var in, most atomic.Int32
	srv := lim.HTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := in.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
		in.Add(-1)
		w.Header().Set("Connection", "close")
	}))
	go func() { _ = srv.Serve(lim.Listener(ln)) }()
	t.Cleanup(func() { srv.Close() })

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true, MaxConnsPerHost: 0}}
	var wg sync.WaitGroup
	var ok atomic.Int32
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := client.Get("http://" + ln.Addr().String() + "/")
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			if res.StatusCode == 200 {
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	if got := most.Load(); got > limit {
		t.Errorf("%d requests in the handler at once, want at most %d", got, limit)
	}
	if got := ok.Load(); got != clients {
		t.Errorf("%d of %d clients served", got, clients)
	}
}
