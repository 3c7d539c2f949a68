package layers

// For the external tests: the JSON writers of features_json.go.
var (
	AppendJSONString = appendJSONString
	AppendJSONTime   = appendJSONTime
)
