//go:build !race

package ops

// raceEnabled is true under the race detector.
const raceEnabled = false
