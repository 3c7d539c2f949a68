package request

import (
	"errors"
	"testing"
	"time"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/layers"
)

func ts(s string) *time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func TestParseDatetime(t *testing.T) {
	tests := []struct {
		in         string
		start, end *time.Time
		wantErr    bool
	}{
		{in: "2023-05-01T18:00:00Z", start: ts("2023-05-01T18:00:00Z"), end: ts("2023-05-01T18:00:00Z")},
		{in: "2023-05-01T20:00:00+02:00", start: ts("2023-05-01T18:00:00Z"), end: ts("2023-05-01T18:00:00Z")},
		{in: "2023-05-01", start: ts("2023-05-01T00:00:00Z"), end: ts("2023-05-01T23:59:59.999999999Z")},
		{in: "2023-01-01T00:00:00Z/2023-12-31T23:59:59Z", start: ts("2023-01-01T00:00:00Z"), end: ts("2023-12-31T23:59:59Z")},
		{in: "2023-01-01/2023-12-31", start: ts("2023-01-01T00:00:00Z"), end: ts("2023-12-31T23:59:59.999999999Z")},
		{in: "../2023-12-31T00:00:00Z", end: ts("2023-12-31T00:00:00Z")},
		{in: "2023-01-01T00:00:00Z/..", start: ts("2023-01-01T00:00:00Z")},
		{in: "/2023-12-31T00:00:00Z", end: ts("2023-12-31T00:00:00Z")},
		{in: "2023-01-01T00:00:00Z/", start: ts("2023-01-01T00:00:00Z")},
		{in: "2024-01-01T00:00:00Z/2023-01-01T00:00:00Z", wantErr: true}, // reversed
		{in: "../..", wantErr: true},
		{in: "yesterday", wantErr: true},
		{in: "2023-13-01", wantErr: true},
		{in: "2023-01-01T00:00:00", wantErr: true}, // no offset: ambiguous
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Datetime(tt.in)
			if tt.wantErr {
				var inv *layers.InvalidError
				if !errors.As(err, &inv) || inv.Param != "datetime" {
					t.Fatalf("Datetime(%q) error = %v, want an invalid datetime", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Datetime(%q): %v", tt.in, err)
			}
			if !sameTime(got.Start, tt.start) || !sameTime(got.End, tt.end) {
				t.Errorf("Datetime(%q) = %v..%v, want %v..%v", tt.in, got.Start, got.End, tt.start, tt.end)
			}
		})
	}
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func TestParseBBox(t *testing.T) {
	tests := []struct {
		in      string
		c       crs.CRS
		want    layers.BBox
		wantErr bool
	}{
		{in: "16.4,59.5,16.7,59.7", c: crs.CRS84, want: layers.BBox{MinX: 16.4, MinY: 59.5, MaxX: 16.7, MaxY: 59.7, CRS: crs.CRS84}},
		{in: "16.4,59.5,0,16.7,59.7,100", c: crs.CRS84, want: layers.BBox{MinX: 16.4, MinY: 59.5, MaxX: 16.7, MaxY: 59.7, CRS: crs.CRS84}},
		{in: "580000,6600000,600000,6620000", c: crs.SWEREF99TM, want: layers.BBox{MinX: 580000, MinY: 6600000, MaxX: 600000, MaxY: 6620000, CRS: crs.SWEREF99TM}},
		{in: "16.7,59.5,16.4,59.7", c: crs.CRS84, wantErr: true}, // reversed
		{in: "16.4,59.5,16.7", c: crs.CRS84, wantErr: true},
		{in: "a,b,c,d", c: crs.CRS84, wantErr: true},
		{in: "16.4,59.5,16.7,NaN", c: crs.CRS84, wantErr: true},
		{in: "16.4,-95,16.7,59.7", c: crs.CRS84, wantErr: true},
		{in: "", c: crs.CRS84, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := BBox(tt.in, tt.c)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("BBox(%q) = %+v, want error", tt.in, got)
				}
				return
			}
			if err != nil || *got != tt.want {
				t.Errorf("BBox(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}
