package lru

import (
	"context"
	"time"

	"golang.org/x/sync/singleflight"
)

// sharedWorkTimeout bounds work done on behalf of several requests, which no single
// request's context bounds any more.
const sharedWorkTimeout = 60 * time.Second

// SharedDo runs work once for the concurrent callers of key. The work runs detached from the
// first caller's context, bounded by sharedWorkTimeout, so a caller that gives up does not
// fail the others; each caller stops waiting when its own context ends.
func SharedDo[T any](ctx context.Context, g *singleflight.Group, key string, work func(context.Context) (T, error)) (T, error) {
	ch := g.DoChan(key, func() (any, error) {
		shared, cancel := context.WithTimeout(context.WithoutCancel(ctx), sharedWorkTimeout)
		defer cancel()
		return work(shared)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			var zero T
			return zero, r.Err
		}
		return r.Val.(T), nil
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}
