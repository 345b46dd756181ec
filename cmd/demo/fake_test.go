package main

import (
	"encoding/binary"
	"io"
	"math"
	"math/rand"

	"github.com/pkg/errors"
	"gorgonia.org/tensor"

	"github.com/stheno-ml/stheno/internal/report"
)

// fakeProgram is a pure-Go softmax regression trained by SGD with momentum, so the training
// loop, checkpoints and resume can be tested without the graph packages.
type fakeProgram struct {
	in, k   int
	w, v    []float64 // weights (k, in+1) with the bias last; momentum buffer
	lr      float64
	steps   int
	nanAt   int // Step number (1-based) whose loss is NaN; 0 never
	out     *tensor.Dense
	outBuf  []float64
	gradBuf []float64
}

func newFakeProgram(nanAt int) newProgramFunc {
	return func(cfg Config, rows, cols, classes, _ int) (program, error) {
		in := rows * cols
		p := &fakeProgram{in: in, k: classes, lr: cfg.LR, nanAt: nanAt,
			w: make([]float64, classes*(in+1)), v: make([]float64, classes*(in+1))}
		r := rand.New(rand.NewSource(cfg.Seed))
		for i := range p.w {
			p.w[i] = 0.01 * r.NormFloat64()
		}
		p.outBuf = make([]float64, cfg.Batch*classes)
		p.out = tensor.New(tensor.WithBacking(p.outBuf), tensor.WithShape(cfg.Batch, classes))
		p.gradBuf = make([]float64, len(p.w))
		return p, nil
	}
}

func floats(x tensor.Tensor) []float64 {
	switch d := x.Data().(type) {
	case []float64:
		return d
	case []float32:
		f := make([]float64, len(d))
		for i, v := range d {
			f[i] = float64(v)
		}
		return f
	}
	panic("dtype")
}

func (p *fakeProgram) logits(x []float64, n int, dst []float64) {
	for i := 0; i < n; i++ {
		for c := 0; c < p.k; c++ {
			row := p.w[c*(p.in+1):]
			s := row[p.in]
			for j := 0; j < p.in; j++ {
				s += row[j] * x[i*p.in+j]
			}
			dst[i*p.k+c] = s
		}
	}
}

func (p *fakeProgram) Step(xt, yt tensor.Tensor) (float64, error) {
	x, y := floats(xt), yt.Data().([]int)
	n := len(y)
	p.logits(x, n, p.outBuf)
	loss := report.CrossEntropySum(p.outBuf[:n*p.k], y, n, p.k) / float64(n)
	clear(p.gradBuf)
	for i := 0; i < n; i++ {
		row := p.outBuf[i*p.k : (i+1)*p.k]
		m := math.Inf(-1)
		for _, v := range row {
			m = math.Max(m, v)
		}
		var s float64
		for _, v := range row {
			s += math.Exp(v - m)
		}
		for c := 0; c < p.k; c++ {
			g := math.Exp(row[c]-m) / s
			if c == y[i] {
				g--
			}
			g /= float64(n)
			gr := p.gradBuf[c*(p.in+1):]
			for j := 0; j < p.in; j++ {
				gr[j] += g * x[i*p.in+j]
			}
			gr[p.in] += g
		}
	}
	for i := range p.w {
		p.v[i] = 0.9*p.v[i] + p.gradBuf[i]
		p.w[i] -= p.lr * p.v[i]
	}
	p.steps++
	if p.steps == p.nanAt {
		return math.NaN(), nil
	}
	return loss, nil
}

func (p *fakeProgram) Output() tensor.Tensor { return p.out }

func (p *fakeProgram) Eval(xt tensor.Tensor) (tensor.Tensor, error) {
	n := xt.Shape()[0]
	buf := make([]float64, n*p.k)
	p.logits(floats(xt), n, buf)
	return tensor.New(tensor.WithBacking(buf), tensor.WithShape(n, p.k)), nil
}

func (p *fakeProgram) LR() float64 { return p.lr }

func (p *fakeProgram) SaveWeights(w io.Writer) error {
	return binary.Write(w, binary.LittleEndian, p.w)
}

func (p *fakeProgram) LoadWeights(r io.Reader) error { return binary.Read(r, binary.LittleEndian, p.w) }

func (p *fakeProgram) SaveSolver(w io.Writer) error {
	if err := binary.Write(w, binary.LittleEndian, int64(p.steps)); err != nil {
		return err
	}
	return binary.Write(w, binary.LittleEndian, p.v)
}

func (p *fakeProgram) LoadSolver(r io.Reader) error {
	var s int64
	if err := binary.Read(r, binary.LittleEndian, &s); err != nil {
		return errors.Wrap(err, "fake solver")
	}
	p.steps = int(s)
	return binary.Read(r, binary.LittleEndian, p.v)
}

func (p *fakeProgram) Close() error { return nil }
