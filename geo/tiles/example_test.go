package tiles_test

import (
	"fmt"

	"github.com/lagesbild/lagesbild/geo/tiles"
)

func ExampleTileContaining() {
	t := tiles.TileContaining(16.545, 59.61, 14) // Västerås centre
	if err := t.Valid(18); err != nil {
		fmt.Println(err)
		return
	}
	minX, minY, maxX, maxY := t.Bounds()
	fmt.Println(t)
	fmt.Printf("%.1f %.1f %.1f %.1f\n", minX, minY, maxX, maxY)
	// Output:
	// 14/8944/4793
	// 1839380.6 8311456.7 1841826.6 8313902.7
}

func ExampleTileID_Valid() {
	fmt.Println(tiles.TileID{Z: 2, X: 4, Y: 1}.Valid(18))
	fmt.Println(tiles.TileID{Z: 19, X: 0, Y: 0}.Valid(18))
	// Output:
	// tile 2/4/1: column x 4 out of range 0..3 at zoom 2
	// tile 19/0/0: zoom 19 out of range 0..18
}
