// Package lru is a least-recently-used map bounded in bytes, for the server's in-memory
// caches and counters (every cache bounded in bytes, whatever a caller sends), and SharedDo,
// which fills an entry once for the concurrent callers that miss it (shared.go).
//
// Assumptions: an entry's cost, given by the caller's cost function, is fixed while it is
// held (it is counted when put and when dropped); the caller serialises access (a Cache is
// not safe for concurrent use, as each user guards it together with state of its own under
// one mutex).
package lru

import "container/list"

// Cache maps keys to values, holding at most MaxBytes by the cost of its entries; the least
// recently used go first. The zero value is not usable; create one with New.
type Cache[K comparable, V any] struct {
	maxBytes int64
	cost     func(K, V) int64
	bytes    int64
	order    *list.List // of *entry[K, V]; front: most recently used
	items    map[K]*list.Element
}

type entry[K comparable, V any] struct {
	key K
	val V
}

// New returns an empty cache holding at most maxBytes, where cost(k, v) is what one entry
// takes (its key, its value and the cache's own bookkeeping).
func New[K comparable, V any](maxBytes int64, cost func(K, V) int64) *Cache[K, V] {
	return &Cache[K, V]{maxBytes: maxBytes, cost: cost, order: list.New(), items: map[K]*list.Element{}}
}

// Get returns k's value and marks it the most recently used.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	el, ok := c.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*entry[K, V]).val, true
}

// Peek returns k's value without marking it used.
func (c *Cache[K, V]) Peek(k K) (V, bool) {
	el, ok := c.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	return el.Value.(*entry[K, V]).val, true
}

// Put sets k to v as the most recently used entry, replacing k's value if held, then drops
// the least recently used entries until the cache is within its bound, and returns how many
// it dropped. An entry costing more than the whole bound is not kept (and drops nothing).
func (c *Cache[K, V]) Put(k K, v V) (dropped int) {
	cost := c.cost(k, v)
	if cost > c.maxBytes {
		c.Remove(k) // the old value must not outlive the new one
		return 0
	}
	if el, ok := c.items[k]; ok {
		e := el.Value.(*entry[K, V])
		c.bytes += cost - c.cost(e.key, e.val)
		e.val = v
		c.order.MoveToFront(el)
	} else {
		c.items[k] = c.order.PushFront(&entry[K, V]{key: k, val: v})
		c.bytes += cost
	}
	for c.bytes > c.maxBytes {
		el := c.order.Back()
		e := el.Value.(*entry[K, V])
		c.order.Remove(el)
		delete(c.items, e.key)
		c.bytes -= c.cost(e.key, e.val)
		dropped++
	}
	return dropped
}

// Remove drops k's entry, if held.
func (c *Cache[K, V]) Remove(k K) {
	if el, ok := c.items[k]; ok {
		e := el.Value.(*entry[K, V])
		c.order.Remove(el)
		delete(c.items, k)
		c.bytes -= c.cost(e.key, e.val)
	}
}

// Len is the number of entries held.
func (c *Cache[K, V]) Len() int { return len(c.items) }

// Bytes is what the entries held cost, never more than the bound.
func (c *Cache[K, V]) Bytes() int64 { return c.bytes }
