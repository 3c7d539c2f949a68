package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/layers/layerstest"
)

// startServe runs serve with args on a free loopback port until the test ends and returns
// its address once /readyz answers.
func startServe(t *testing.T, url string, args ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", addr}, args...), env(url), io.Discard, io.Discard)
	}()
	t.Cleanup(func() { cancel(); <-done })
	for range 100 {
		res, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return addr
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve returned: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatal("server never became ready")
	return ""
}

// TestSlowBodiesDoNotStarveOthers is finding 9 of issue 12: clients that send a body one byte
// at a time held a connection (and a file descriptor) each for as long as they liked, and
// 21,000 of them took /healthz down. Here 48 such clients come from 127.0.0.2: beyond the
// per-address bound they are answered 503 at once, the others are cut off at the body
// deadline, and /healthz keeps answering 127.0.0.1 throughout.
func TestSlowBodiesDoNotStarveOthers(t *testing.T) {
	db := layerstest.Require(t, testDB)
	const slow, perIP, bodyTimeout = 48, 16, 3 * time.Second
	addr := startServe(t, db.URL, "--max-connections", "128", "--max-connections-per-ip", fmt.Sprint(perIP),
		"--body-timeout", bodyTimeout.String())

	type outcome struct {
		rejected bool          // answered 503 at once
		closedIn time.Duration // when the server closed the connection; 0: it did not
		err      error
	}
	out := make([]outcome, slow)
	var wg sync.WaitGroup
	dialer := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}, Timeout: 5 * time.Second}
	start := time.Now()
	conns := make([]net.Conn, slow)
	for i := range conns {
		c, err := dialer.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		conns[i] = c
	}
	dialled := time.Since(start)
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			t0 := time.Now()
			// The headers promise 10,000 bytes; then one byte every 100 ms, for at most 8 s.
			fmt.Fprintf(c, "POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{")
			read := make(chan []byte, 1)
			go func() {
				_ = c.SetReadDeadline(time.Now().Add(8 * time.Second))
				b, _ := io.ReadAll(c) // until the server closes, or the deadline
				read <- b
			}()
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case b := <-read:
					o := outcome{closedIn: time.Since(t0)}
					o.rejected = bytes.HasPrefix(b, []byte("HTTP/1.1 503")) && bytes.Contains(b, []byte("too many connections"))
					if o.closedIn >= 8*time.Second {
						o.closedIn, o.err = 0, errors.New("still open after 8 s")
					}
					out[i] = o
					return
				case <-tick.C:
					_, _ = c.Write([]byte(" "))
				}
			}
		}()
	}

	// Everyone else is served meanwhile.
	for range 5 {
		t0 := time.Now()
		res, err := (&http.Client{Timeout: 2 * time.Second}).Get("http://" + addr + "/healthz")
		if err != nil {
			t.Errorf("/healthz during the slow bodies: %v", err)
		} else {
			res.Body.Close()
			if res.StatusCode != 200 {
				t.Errorf("/healthz during the slow bodies: %d", res.StatusCode)
			}
			if d := time.Since(t0); d > time.Second {
				t.Errorf("/healthz took %v during the slow bodies", d)
			}
		}
		time.Sleep(300 * time.Millisecond)
	}
	wg.Wait()

	rejected := 0
	for i, o := range out {
		switch {
		case o.err != nil:
			t.Errorf("slow client %d: %v", i, o.err)
		case o.rejected:
			rejected++
		case o.closedIn > bodyTimeout+2*time.Second:
			t.Errorf("slow client %d: closed after %v, body timeout %v", i, o.closedIn, bodyTimeout)
		}
	}
	// All were open at once (dialled well within the body timeout): exactly perIP were let in.
	if dialled < bodyTimeout/2 && rejected != slow-perIP {
		t.Errorf("%d slow clients answered 503, want %d (the rest of %d past %d per address)", rejected, slow-perIP, slow, perIP)
	}
	if rejected == 0 {
		t.Error("no slow client was refused for its address")
	}
}

// TestServeLimitFlags checks that the connection bounds refuse what makes no sense.
func TestServeLimitFlags(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--max-connections", "-1"},
		{"serve", "--max-connections-per-ip", "-1"},
		{"serve", "--body-timeout", "-1s"},
	} {
		err := run(context.Background(), args, env(""), io.Discard, io.Discard)
		var u usageError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), strings.TrimPrefix(args[1], "--")) {
			t.Errorf("%v: %v, want a usage error naming the flag", args, err)
		}
	}
}
