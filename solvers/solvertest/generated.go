package solvertest

import (
	"fmt"
	"math"
	"path"
	"strconv"
)

// generated describes parameters and gradients computed from a hash
// instead of stored (tools/golden/solvers_f32.py writes the same numbers).
type generated struct {
	Kind      string   `json:"kind"`
	Names     []string `json:"names"`
	Sizes     []int    `json:"sizes"`
	InitScale float64  `json:"init_scale"`
	Grads     []string `json:"grads"`
	Samples   [][]int  `json:"samples"`
}

// mix is splitmix64's finaliser.
func mix(z uint64) uint64 {
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

// gen returns n float32 values in [-1, 1) (as float64) from seed: the top
// 24 bits of mix(seed<<32 + j + golden gamma), exactly representable.
func gen(seed uint64, n int) []float64 {
	out := make([]float64, n)
	for j := range out {
		u := int64(mix(seed<<32+uint64(j)+0x9E3779B97F4A7C15)>>40) - 1<<23
		out[j] = float64(u) / (1 << 23)
	}
	return out
}

// genGrad is the gradient of parameter i (n elements) at step k.
func genGrad(kind string, i, k, n int) []float64 {
	g := gen(uint64(1000*i+k+1), n)
	huge := func(x float64) float64 { return float64(float32(x) * float32(1e4)) }
	tiny := func(x float64) float64 { return float64(float32(x) * float32(1e-6)) }
	for j, x := range g {
		switch kind {
		case "zero":
			g[j] = 0
		case "huge":
			g[j] = huge(x)
		case "tiny":
			g[j] = tiny(x)
		case "mixed":
			switch j % 3 {
			case 0:
				g[j] = 0
			case 1:
				g[j] = huge(x)
			case 2:
				g[j] = tiny(x)
			}
		}
	}
	return g
}

// bitsHash is the order-sensitive hash of a float32 parameter the
// generated goldens record: the top 32 bits of Σ mix(bits ^ j<<32).
func bitsHash(v []float32) uint32 {
	var h uint64
	for j, x := range v {
		h += mix(uint64(math.Float32bits(x)) ^ uint64(j)<<32)
	}
	return uint32(h >> 32)
}

func loadGenerated(name string, f *file) ([]*Case, error) {
	g := f.Generated
	if g.Kind != "splitmix" || len(g.Names) != len(g.Sizes) || len(g.Samples) != len(g.Sizes) {
		return nil, fmt.Errorf("%s: bad generated section", name)
	}
	var params []Param
	for i, n := range g.Sizes {
		init := gen(uint64(1000*i), n)
		for j := range init {
			init[j] = float64(float32(init[j]) * float32(g.InitScale))
		}
		params = append(params, Param{Name: g.Names[i], Shape: []int{n}, Init: init})
	}
	var out []*Case
	for ci, fc := range f.Cases {
		c := &Case{Name: fmt.Sprintf("%s/%d", path.Base(name), ci), Solver: fc.Solver, Options: fc.Options,
			Schedule: fc.Schedule, LRs: fc.LRs, Steps: len(fc.Values), Params: params}
		if err := c.setDtype(fc.Dtype, fc.Exact); err != nil {
			return nil, fmt.Errorf("%s: case %d: %w", name, ci, err)
		}
		if c.Dtype.Name() != "float32" || len(fc.Hashes) != c.Steps || len(c.LRs) != c.Steps || len(g.Grads) < c.Steps {
			return nil, fmt.Errorf("%s: case %d: %d steps, %d hashes, %d learning rates, %d gradients",
				name, ci, c.Steps, len(fc.Hashes), len(c.LRs), len(g.Grads))
		}
		if fc.Clip != nil {
			c.Clip = *fc.Clip
		}
		for k := 0; k < c.Steps; k++ {
			if len(fc.Values[k]) != len(params) || len(fc.Hashes[k]) != len(params) {
				return nil, fmt.Errorf("%s: case %d step %d: %d values, %d hashes for %d parameters", name, ci, k, len(fc.Values[k]), len(fc.Hashes[k]), len(params))
			}
			var ws []tensorData
			var hs []uint32
			for i := range params {
				if len(fc.Values[k][i]) != len(g.Samples[i]) {
					return nil, fmt.Errorf("%s: case %d step %d: parameter %d has %d values for %d samples", name, ci, k, i, len(fc.Values[k][i]), len(g.Samples[i]))
				}
				ws = append(ws, tensorData{idx: g.Samples[i], vals: fc.Values[k][i]})
				h, err := strconv.ParseUint(fc.Hashes[k][i], 16, 32)
				if err != nil {
					return nil, fmt.Errorf("%s: case %d step %d: %w", name, ci, k, err)
				}
				hs = append(hs, uint32(h))
			}
			c.want = append(c.want, ws)
			c.hashes = append(c.hashes, hs)
		}
		kinds, sizes := g.Grads, g.Sizes
		c.grad = func(k, i int) []float64 { return genGrad(kinds[k], i, k, sizes[i]) }
		out = append(out, c)
	}
	return out, nil
}
