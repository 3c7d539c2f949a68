package featurefile

func readGeoJSON(data []byte, opt Options) (*Collection, error) { return nil, fileErr("GeoJSON: not yet") }
func readCSV(data []byte, opt Options) (*Collection, error)     { return nil, fileErr("CSV: not yet") }
func readGPKG(data []byte, opt Options) (*Collection, error)    { return nil, fileErr("GeoPackage: not yet") }
func readShapefile(data []byte, opt Options) (*Collection, error) {
	return nil, fileErr("Shapefile: not yet")
}
