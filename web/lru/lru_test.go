package lru

import (
	"fmt"
	"testing"
)

// byLen costs an entry its string's length.
func byLen(_ int, v string) int64 { return int64(len(v)) }

func TestBoundedInBytes(t *testing.T) {
	c := New[int, string](100, byLen)
	for i := range 1000 {
		c.Put(i, fmt.Sprintf("%0*d", 1+i%30, i)) // 1 to 30 bytes
		if c.Bytes() > 100 {
			t.Fatalf("after %d puts: %d bytes, want at most 100", i+1, c.Bytes())
		}
	}
	var sum int64
	for k := range c.items {
		v, _ := c.Peek(k)
		sum += int64(len(v))
	}
	if sum != c.Bytes() || c.order.Len() != c.Len() {
		t.Errorf("Bytes %d, entries cost %d; list %d, map %d", c.Bytes(), sum, c.order.Len(), c.Len())
	}
}

func TestLeastRecentlyUsedGoesFirst(t *testing.T) {
	c := New[int, string](30, byLen)
	c.Put(1, "aaaaaaaaaa")
	c.Put(2, "bbbbbbbbbb")
	c.Put(3, "cccccccccc")
	c.Get(1)  // 1 is used: 2 is now the oldest
	c.Peek(2) // a peek does not count as use
	if dropped := c.Put(4, "dddddddddd"); dropped != 1 {
		t.Errorf("Put dropped %d, want 1", dropped)
	}
	for k, want := range map[int]bool{1: true, 2: false, 3: true, 4: true} {
		if _, ok := c.Peek(k); ok != want {
			t.Errorf("key %d held %v, want %v", k, ok, want)
		}
	}
}

func TestReplaceAndRemove(t *testing.T) {
	c := New[string, string](50, func(k, v string) int64 { return int64(len(k) + len(v)) })
	c.Put("k", "0123456789")
	c.Put("k", "01234")
	if c.Bytes() != 6 || c.Len() != 1 {
		t.Errorf("after a replace: %d bytes, %d entries; want 6, 1", c.Bytes(), c.Len())
	}
	if v, _ := c.Get("k"); v != "01234" {
		t.Errorf("Get = %q, want the new value", v)
	}
	c.Put("k", string(make([]byte, 60))) // larger than the bound: not kept, and the old value goes
	if _, ok := c.Peek("k"); ok || c.Bytes() != 0 {
		t.Errorf("an entry over the bound: held %v, %d bytes; want neither", ok, c.Bytes())
	}
	c.Put("a", "1")
	c.Remove("a")
	c.Remove("absent")
	if c.Len() != 0 || c.Bytes() != 0 {
		t.Errorf("after Remove: %d entries, %d bytes", c.Len(), c.Bytes())
	}
}
