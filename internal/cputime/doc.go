// Package cputime reads the process's CPU time, the measure Stheno's
// benchmarks report beside wall time: on a shared machine wall time counts
// the waits for a core, CPU time only the work.
package cputime
