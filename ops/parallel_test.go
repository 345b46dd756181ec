package ops

import (
	"math"
	"math/rand"
	"runtime"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestParallelMatchesSerial runs CrossEntropy and Softmax on inputs large
// enough to be split over two goroutines and compares with the serial
// kernels: per-element results bit for bit, reduced losses to rounding,
// and the same loss bit for bit whether the halves run in parallel or
// one after the other (GOMAXPROCS=1).
func TestParallelMatchesSerial(t *testing.T) {
	const n, c = 301, 200 // 60200 elements > parMinWork
	r := rand.New(rand.NewSource(3))
	xd := make([]float64, n*c)
	for i := range xd {
		xd[i] = r.NormFloat64() * 3
	}
	yd := make([]int, n)
	for i := range yd {
		yd[i] = r.Intn(c)
	}
	yd[5] = 7 // ignored
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		g := G.NewGraph()
		xv := floatTensor(dt, []int{n, c}, xd)
		yv := tensor.New(tensor.WithBacking(yd))
		x := G.NodeFromAny(g, xv, G.WithName("x"))
		y := G.NodeFromAny(g, yv, G.WithName("y"))
		ce := G.Must(CrossEntropy(x, y, WithIgnoreIndex(7), WithLabelSmoothing(0.05)))
		sm := G.Must(LogSoftmax(x, 1))
		ceOp, smOp := ce.Op().(*lossOp), sm.Op().(*softmaxOp)

		run := func() (loss float64, dx, y, dy []float64) {
			out, err := ceOp.Do(xv, yv)
			if err != nil {
				t.Fatal(err)
			}
			gr, err := ceOp.gradOp().Do(xv, yv, out, out.(G.Scalar))
			if err != nil {
				t.Fatal(err)
			}
			sy, err := smOp.Do(xv)
			if err != nil {
				t.Fatal(err)
			}
			sdx, err := smOp.gradOp().Do(sy, sy)
			if err != nil {
				t.Fatal(err)
			}
			return valueFloats(out)[0], valueFloats(gr), valueFloats(sy), valueFloats(sdx)
		}
		loss, dx, sy, sdx := run()
		prev := runtime.GOMAXPROCS(1)
		loss1, dx1, sy1, sdx1 := run()
		runtime.GOMAXPROCS(prev)
		if loss != loss1 {
			t.Errorf("%v: loss %v in parallel, %v serially", dt, loss, loss1)
		}
		for name, p := range map[string][2][]float64{"dx": {dx, dx1}, "logsoftmax": {sy, sy1}, "logsoftmax dx": {sdx, sdx1}} {
			for i := range p[0] {
				if p[0][i] != p[1][i] {
					t.Fatalf("%v %s[%d]: %v in parallel, %v serially", dt, name, i, p[0][i], p[1][i])
				}
			}
		}

		// against one serial kernel call over all rows
		x64 := valueFloats(xv)
		a := &ceOp.args
		e := make([]float64, n*c)
		invS := make([]float64, n)
		nll, smS, wsum, bad := ceIndexFwd(x64, yd, a, e, invS, nil, 0, n)
		if bad >= 0 {
			t.Fatal(bad)
		}
		want := ((1-a.eps)*nll + a.eps/float64(c)*smS) / wsum
		rtol, _ := tolFor(dt)
		if math.Abs(loss-want) > rtol*want {
			t.Errorf("%v: loss %v, serial float64 kernel %v", dt, loss, want)
		}
		wdx := make([]float64, n*c)
		ceIndexBwd(wdx, e, invS, yd, a, nil, loss/wsum, loss/wsum, 0, n)
		if i, ok := closeTo(dx, wdx, rtol, 1e-6); !ok {
			t.Errorf("%v: dx[%d] = %v, serial float64 kernel %v", dt, i, dx[i], wdx[i])
		}
	}
}

// TestParallelBinary does the same for BCEWithLogits (with weight and
// pos_weight) and checks that BCE reports the first bad value when it lies
// in the second half.
func TestParallelBinary(t *testing.T) {
	const n, c = 250, 201 // 50250 elements > parMinWork
	r := rand.New(rand.NewSource(5))
	xd, yd, pd := make([]float64, n*c), make([]float64, n*c), make([]float64, n*c)
	for i := range xd {
		xd[i] = r.NormFloat64() * 4
		yd[i] = r.Float64()
		pd[i] = r.Float64()
	}
	wd, pwd := make([]float64, c), make([]float64, c)
	for i := range wd {
		wd[i], pwd[i] = r.Float64()+0.5, r.Float64()*3
	}
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		g := G.NewGraph()
		xv, yv := floatTensor(dt, []int{n, c}, xd), floatTensor(dt, []int{n, c}, yd)
		x := G.NodeFromAny(g, xv, G.WithName("x"))
		y := G.NodeFromAny(g, yv, G.WithName("y"))
		l := G.Must(BCEWithLogits(x, y, WithWeight(floatTensor(dt, []int{c}, wd)), WithPosWeight(floatTensor(dt, []int{c}, pwd))))
		op := l.Op().(*lossOp)
		run := func() (float64, []float64) {
			out, err := op.Do(xv, yv)
			if err != nil {
				t.Fatal(err)
			}
			gr, err := op.gradOp().Do(xv, yv, out, out)
			if err != nil {
				t.Fatal(err)
			}
			return valueFloats(out)[0], valueFloats(gr)
		}
		loss, dx := run()
		prev := runtime.GOMAXPROCS(1)
		loss1, dx1 := run()
		runtime.GOMAXPROCS(prev)
		if loss != loss1 {
			t.Errorf("%v: loss %v in parallel, %v serially", dt, loss, loss1)
		}
		for i := range dx {
			if dx[i] != dx1[i] {
				t.Fatalf("%v: dx[%d] %v in parallel, %v serially", dt, i, dx[i], dx1[i])
			}
		}
		x64, y64 := valueFloats(xv), valueFloats(yv)
		want := bceLogitsFwd(x64, y64, op.w, op.pw, op.last, nil, 0, n*c) / float64(n*c)
		rtol, _ := tolFor(dt)
		if math.Abs(loss-want) > rtol*math.Abs(want) {
			t.Errorf("%v: loss %v, serial float64 kernel %v", dt, loss, want)
		}
	}
	// BCE: a bad probability in the second half is found and named
	pd[n*c-3] = 1.25
	g := G.NewGraph()
	pv, yv := floatTensor(tensor.Float64, []int{n, c}, pd), floatTensor(tensor.Float64, []int{n, c}, yd)
	p := G.NodeFromAny(g, pv, G.WithName("p"))
	y := G.NodeFromAny(g, yv, G.WithName("y"))
	l := G.Must(BCE(p, y))
	_, err := l.Op().Do(pv, yv)
	if want := "ops: BCE: input[249 198] = 1.25 outside [0, 1]"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}
