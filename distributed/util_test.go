package distributed

import (
	"fmt"
	"slices"
)

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

func sortedKeys(m map[string][]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
