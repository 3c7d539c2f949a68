package web

import (
	"github.com/labstack/echo/v4"

	"github.com/lagesbild/lagesbild/geo/crs"
	"github.com/lagesbild/lagesbild/layers"
	"github.com/lagesbild/lagesbild/web/request"
	"github.com/lagesbild/lagesbild/web/respond"
)

type extent struct {
	Spatial  *spatialExtent  `json:"spatial,omitempty"`
	Temporal *temporalExtent `json:"temporal,omitempty"`
}

type spatialExtent struct {
	BBox [][4]float64 `json:"bbox"`
	CRS  string       `json:"crs"`
}

type temporalExtent struct {
	Interval [][2]*string `json:"interval"`
	TRS      string       `json:"trs"`
}

type collectionDoc struct {
	ID          string         `json:"id"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Links       []respond.Link `json:"links"`
	Extent      *extent        `json:"extent,omitempty"`
	ItemType    string         `json:"itemType"`
	CRS         []string       `json:"crs"`
	StorageCRS  string         `json:"storageCrs,omitempty"`
	// Lägesbild's own members: the English title, the data class of the layer, and the
	// notice that demo rows are illustrative.
	TitleEN      string `json:"titleEn"`
	DataClass    string `json:"dataClass"`
	Illustrative bool   `json:"illustrative"`
	Notice       string `json:"notice,omitempty"`
}

// collections serves GET /collections.
func (s *Server) collections(c echo.Context) error {
	if err := respond.OnlyParams(c, "f"); err != nil {
		return err
	}
	base := s.baseURL(c)
	var docs []collectionDoc
	for _, l := range s.cat.Layers() {
		d, err := s.collectionDoc(c, base, l)
		if err != nil {
			return err
		}
		docs = append(docs, d)
	}
	return s.out.SendJSON(c, respond.MediaJSON, respond.CacheMeta, map[string]any{
		"links": []respond.Link{
			{Href: base + "/collections", Rel: "self", Type: respond.MediaJSON, Title: "Collections"},
		},
		"collections": docs,
		"crs":         []string{crs.CRS84.URI(), crs.SWEREF99TM.URI()},
	})
}

// collection serves GET /collections/{collectionId}.
func (s *Server) collection(c echo.Context) error {
	if err := respond.OnlyParams(c, "f"); err != nil {
		return err
	}
	l, err := s.cat.Layer(c.Param("collectionId"))
	if err != nil {
		return err
	}
	d, err := s.collectionDoc(c, s.baseURL(c), l)
	if err != nil {
		return err
	}
	return s.out.SendJSON(c, respond.MediaJSON, respond.CacheMeta, d)
}

func (s *Server) collectionDoc(c echo.Context, base string, l *layers.Layer) (collectionDoc, error) {
	ext, err := s.extentFor(c.Request().Context(), l)
	if err != nil {
		return collectionDoc{}, err
	}
	href := base + "/collections/" + l.ID
	d := collectionDoc{
		ID: l.ID, Title: l.Title, TitleEN: l.TitleEN, Description: l.Description,
		ItemType: "feature", DataClass: string(l.Class),
		CRS:          []string{crs.CRS84.URI(), crs.SWEREF99TM.URI()},
		StorageCRS:   crs.SWEREF99TM.URI(),
		Illustrative: ext.Illustrative,
		Links: []respond.Link{
			{Href: href, Rel: "self", Type: respond.MediaJSON, Title: l.Title},
			{Href: href + "/items", Rel: "items", Type: respond.MediaGeoJSON, Title: l.Title + " (GeoJSON)"},
			{Href: href + "/items?f=csv", Rel: "items", Type: "text/csv", Title: l.Title + " (CSV)"},
			// OGC API – Features Part 3; GDAL 3.8+ looks for the plain "queryables".
			{Href: href + "/queryables", Rel: "http://www.opengis.net/def/rel/ogc/1.0/queryables", Type: respond.MediaJSONSchema, Title: l.Title + " (queryables)"},
			{Href: href + "/sortables", Rel: "http://www.opengis.net/def/rel/ogc/1.0/sortables", Type: respond.MediaJSONSchema, Title: l.Title + " (sortables)"},
		},
	}
	if !l.HasGeometry() {
		d.CRS, d.StorageCRS = []string{}, ""
	} else {
		d.Links = append(d.Links,
			respond.Link{Href: href + "/tiles", Rel: "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", Type: respond.MediaJSON, Title: l.Title + " (vektortiles)"},
			respond.Link{Href: href + "/tiles/" + request.WebMercatorID + "?f=tilejson", Rel: "alternate", Type: respond.MediaJSON, Title: l.Title + " (TileJSON)"})
	}
	if ext.Illustrative {
		d.Notice = respond.IllustrativeNotice
	}
	if ext.BBox != nil || ext.Start != nil || ext.End != nil {
		d.Extent = &extent{}
		if ext.BBox != nil {
			d.Extent.Spatial = &spatialExtent{BBox: [][4]float64{*ext.BBox}, CRS: crs.CRS84.URI()}
		}
		if ext.Start != nil || ext.End != nil {
			iv := [2]*string{}
			if ext.Start != nil {
				v := ext.Start.UTC().Format("2006-01-02T15:04:05Z")
				iv[0] = &v
			}
			if ext.End != nil {
				v := ext.End.UTC().Format("2006-01-02T15:04:05Z")
				iv[1] = &v
			}
			d.Extent.Temporal = &temporalExtent{Interval: [][2]*string{iv}, TRS: "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
		}
	}
	return d, nil
}
