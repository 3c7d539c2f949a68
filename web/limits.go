package web

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Limits bound what a connection may hold: how many connections are open at once (in all
// and from one address), how long a client may take to send its headers and its body, how
// long an idle keep-alive connection is kept, and how large the headers may be. Without
// them a client that sends one byte at a time holds a connection, a goroutine and a file
// descriptor for as long as it likes, and a few thousand such clients take the server down
// for everyone (issue 12, finding 9).
type Limits struct {
	// MaxConnections bounds the open connections; past it, Accept waits for one to close
	// (the kernel's backlog holds the newcomers). 0: no bound.
	MaxConnections int
	// MaxConnectionsPerIP bounds the open connections from one remote address; a connection
	// past it is answered 503 and closed at once, so one client cannot take every slot.
	// Behind a reverse proxy every connection comes from the proxy: raise it to the proxy's
	// pool or set 0 (no bound) and let the proxy limit its clients. 0: no bound.
	MaxConnectionsPerIP int
	// ReadHeaderTimeout bounds the time to read a request's headers.
	ReadHeaderTimeout time.Duration
	// BodyTimeout bounds the time from the end of the headers to the end of the body; a
	// body not read by then fails, and the connection is closed. UploadTimeout replaces it
	// for partner layer uploads (PUT /partners/layers/{id}), whose bodies are large.
	BodyTimeout, UploadTimeout time.Duration
	// IdleTimeout bounds how long a keep-alive connection waits for its next request.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds the request line and headers together.
	MaxHeaderBytes int
}

// The defaults of Limits (see DefaultLimits).
const (
	DefaultMaxConnections      = 4096
	DefaultMaxConnectionsPerIP = 256
	DefaultReadHeaderTimeout   = 10 * time.Second
	DefaultBodyTimeout         = 30 * time.Second
	DefaultUploadTimeout       = 10 * time.Minute
	DefaultIdleTimeout         = 60 * time.Second
	// DefaultMaxHeaderBytes leaves room for a long area= list (every district code of a
	// large municipality) in the query string.
	DefaultMaxHeaderBytes = 256 << 10
)

// DefaultLimits returns the limits serve uses unless told otherwise.
func DefaultLimits() Limits {
	return Limits{MaxConnections: DefaultMaxConnections, MaxConnectionsPerIP: DefaultMaxConnectionsPerIP,
		ReadHeaderTimeout: DefaultReadHeaderTimeout, BodyTimeout: DefaultBodyTimeout, UploadTimeout: DefaultUploadTimeout,
		IdleTimeout: DefaultIdleTimeout, MaxHeaderBytes: DefaultMaxHeaderBytes}
}

// HTTPServer returns an http.Server for h with l's timeouts and header bound; serve it on
// l.Listener(ln). There is deliberately no WriteTimeout: an analysis may take a while to
// compute, and its own deadline (the request's context) bounds it.
func (l Limits) HTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           l.bodyDeadline(h),
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    l.MaxHeaderBytes,
	}
}

// bodyDeadline sets the connection's read deadline for the body when the headers are in.
// (http.Server.ReadTimeout would count the headers too and cannot differ per route.) A
// handler that never reads the body is covered as well: the server drains what is left of
// it after the answer, under the same deadline, and closes the connection when it passes.
func (l Limits) bodyDeadline(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := l.BodyTimeout
		if r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/partners/layers/") {
			d = l.UploadTimeout
		}
		if d > 0 {
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(d))
		}
		h.ServeHTTP(w, r)
	})
}

// Listener wraps ln with l's connection bounds.
func (l Limits) Listener(ln net.Listener) net.Listener {
	if l.MaxConnections <= 0 && l.MaxConnectionsPerIP <= 0 {
		return ln
	}
	ll := &limitListener{Listener: ln, perIP: l.MaxConnectionsPerIP, byIP: map[string]int{}, done: make(chan struct{})}
	if l.MaxConnections > 0 {
		ll.slots = make(chan struct{}, l.MaxConnections)
	}
	return ll
}

// limitListener is netutil.LimitListener with a bound per remote address as well. byIP has
// an entry per address with an open connection, so it is bounded by MaxConnections.
type limitListener struct {
	net.Listener
	slots chan struct{} // nil: no total bound
	perIP int

	mu   sync.Mutex
	byIP map[string]int

	closeOnce sync.Once
	done      chan struct{}
}

// tooManyFromAddress is the whole answer to a connection past the per-address bound.
const tooManyFromAddress = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 39\r\n\r\ntoo many connections from this address\n"

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		if l.slots != nil {
			select {
			case l.slots <- struct{}{}:
			case <-l.done:
				return nil, net.ErrClosed
			}
		}
		c, err := l.Listener.Accept()
		if err != nil {
			l.release()
			return nil, err
		}
		ip := remoteIP(c)
		if l.perIP > 0 {
			l.mu.Lock()
			full := l.byIP[ip] >= l.perIP
			if !full {
				l.byIP[ip]++
			}
			l.mu.Unlock()
			if full {
				// The answer fits the new socket's empty send buffer: the write does not wait
				// on the client, and the deadline makes sure of it.
				_ = c.SetWriteDeadline(time.Now().Add(time.Second))
				_, _ = c.Write([]byte(tooManyFromAddress))
				_ = c.Close()
				l.release()
				continue
			}
		}
		return &limitConn{Conn: c, l: l, ip: ip}, nil
	}
}

func (l *limitListener) release() {
	if l.slots != nil {
		<-l.slots
	}
}

func (l *limitListener) Close() error {
	err := l.Listener.Close()
	l.closeOnce.Do(func() { close(l.done) })
	return err
}

func remoteIP(c net.Conn) string {
	host, _, err := net.SplitHostPort(c.RemoteAddr().String())
	if err != nil {
		return c.RemoteAddr().String()
	}
	return host
}

// limitConn gives its slots back once, on the first Close.
type limitConn struct {
	net.Conn
	l    *limitListener
	ip   string
	once sync.Once
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		if c.l.perIP > 0 {
			c.l.mu.Lock()
			if c.l.byIP[c.ip]--; c.l.byIP[c.ip] <= 0 {
				delete(c.l.byIP, c.ip)
			}
			c.l.mu.Unlock()
		}
		c.l.release()
	})
	return err
}
