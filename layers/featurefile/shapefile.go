package featurefile

func readShapefile(data []byte, opt Options) (*Collection, error) {
	return nil, fileErr("zipped Shapefiles are not read yet")
}
