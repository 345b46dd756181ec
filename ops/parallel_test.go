package ops

import (
	"math"
	"math/rand"
	"runtime"
	"testing"

	"github.com/stheno-ml/stheno/internal/golden"
	"github.com/stheno-ml/stheno/internal/num"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// lossOf returns the loss behind a loss node.
func lossOf[T num.Float](t *testing.T, n *G.Node) *lossOp[T] {
	t.Helper()
	op, ok := n.Op().(*lossOp[T])
	if !ok {
		t.Fatalf("%v is a %T", n.Op(), n.Op())
	}
	return op
}

// withProcs runs f with GOMAXPROCS set to n.
func withProcs(n int, f func()) {
	prev := runtime.GOMAXPROCS(n)
	defer runtime.GOMAXPROCS(prev)
	f()
}

// TestParallelMatchesSerial runs CrossEntropy and LogSoftmax on inputs
// large enough to be split into parts (internal/par) and compares with one
// serial kernel call: per-element results to rounding, and everything bit
// for bit whether the parts run on 1 or 2 threads.
func TestParallelMatchesSerial(t *testing.T) {
	t.Run("float32", testParallelMatchesSerial[float32])
	t.Run("float64", testParallelMatchesSerial[float64])
}

func testParallelMatchesSerial[T num.Float](t *testing.T) {
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
	dt := num.Dtype[T]()
	g := G.NewGraph()
	xv := floatTensor(dt, []int{n, c}, xd)
	yv := tensor.New(tensor.WithBacking(yd))
	x := G.NodeFromAny(g, xv, G.WithName("x"))
	y := G.NodeFromAny(g, yv, G.WithName("y"))
	ce := G.Must(CrossEntropy(x, y, WithIgnoreIndex(7), WithLabelSmoothing(0.05)))
	sm := G.Must(LogSoftmax(x, 1))
	ceOp, smOp := lossOf[T](t, ce), sm.Op()

	run := func() (loss float64, dx, y, dy []float64) {
		out, err := ceOp.Do(xv, yv)
		if err != nil {
			t.Fatal(err)
		}
		gr, err := ceOp.gradOp(0).Do(xv, yv, out, out)
		if err != nil {
			t.Fatal(err)
		}
		sy, err := smOp.Do(xv)
		if err != nil {
			t.Fatal(err)
		}
		sdx, err := backwardOf(smOp, 0).Do(sy, sy)
		if err != nil {
			t.Fatal(err)
		}
		return valueFloats(out)[0], valueFloats(gr), valueFloats(sy), valueFloats(sdx)
	}
	var loss, loss1 float64
	var dx, sy, sdx, dx1, sy1, sdx1 []float64
	withProcs(2, func() { loss, dx, sy, sdx = run() })
	withProcs(1, func() { loss1, dx1, sy1, sdx1 = run() })
	if loss != loss1 {
		t.Errorf("loss %v on 2 threads, %v on 1", loss, loss1)
	}
	for name, p := range map[string][2][]float64{"dx": {dx, dx1}, "logsoftmax": {sy, sy1}, "logsoftmax dx": {sdx, sdx1}} {
		for i := range p[0] {
			if p[0][i] != p[1][i] {
				t.Fatalf("%s[%d]: %v on 2 threads, %v on 1", name, i, p[0][i], p[1][i])
			}
		}
	}

	// against one serial kernel call over all rows, in float64
	x64 := valueFloats(xv)
	a := &ceOp.f.(*crossEntropy[T]).a
	e := make([]float64, n*c)
	invS := make([]float64, n)
	nll, smS, wsum, bad := ceIndexFwd(x64, yd, a, e, invS, nil, 0, n)
	if bad >= 0 {
		t.Fatal(bad)
	}
	want := ((1-a.eps)*nll + a.eps/float64(c)*smS) / wsum
	rtol, _ := golden.Tol(dt)
	if math.Abs(loss-want) > rtol*want {
		t.Errorf("loss %v, serial float64 kernel %v", loss, want)
	}
	wdx := make([]float64, n*c)
	ceIndexBwd(wdx, e, invS, yd, a, nil, loss/wsum, loss/wsum, 0, n)
	if i := golden.Diff(dx, wdx, rtol, 1e-6); i >= 0 {
		t.Errorf("dx[%d] = %v, serial float64 kernel %v", i, dx[i], wdx[i])
	}
}

// TestParallelBinary does the same for BCEWithLogits (with weight and
// pos_weight) and checks that BCE reports the first bad value when it lies
// in the last part.
func TestParallelBinary(t *testing.T) {
	t.Run("float32", testParallelBinary[float32])
	t.Run("float64", testParallelBinary[float64])
}

func testParallelBinary[T num.Float](t *testing.T) {
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
	dt := num.Dtype[T]()
	g := G.NewGraph()
	xv, yv := floatTensor(dt, []int{n, c}, xd), floatTensor(dt, []int{n, c}, yd)
	x := G.NodeFromAny(g, xv, G.WithName("x"))
	y := G.NodeFromAny(g, yv, G.WithName("y"))
	l := G.Must(BCEWithLogits(x, y, WithWeight(floatTensor(dt, []int{c}, wd)), WithPosWeight(floatTensor(dt, []int{c}, pwd))))
	op := lossOf[T](t, l)
	run := func() (float64, []float64) {
		out, err := op.Do(xv, yv)
		if err != nil {
			t.Fatal(err)
		}
		gr, err := op.gradOp(0).Do(xv, yv, out, out)
		if err != nil {
			t.Fatal(err)
		}
		return valueFloats(out)[0], valueFloats(gr)
	}
	var loss, loss1 float64
	var dx, dx1 []float64
	withProcs(2, func() { loss, dx = run() })
	withProcs(1, func() { loss1, dx1 = run() })
	if loss != loss1 {
		t.Errorf("loss %v on 2 threads, %v on 1", loss, loss1)
	}
	for i := range dx {
		if dx[i] != dx1[i] {
			t.Fatalf("dx[%d] %v on 2 threads, %v on 1", i, dx[i], dx1[i])
		}
	}
	bl := op.f.(*pairLoss[T]).k.(bceLogitsKernel[T])
	want := bceLogitsFwd(valueFloats(xv), valueFloats(yv), bl.w, bl.pw, nil, 0, n*c) / float64(n*c)
	rtol, _ := golden.Tol(dt)
	if math.Abs(loss-want) > rtol*math.Abs(want) {
		t.Errorf("loss %v, serial float64 kernel %v", loss, want)
	}

	// BCE: a bad probability in the last part is found and named
	pd[n*c-3] = 1.25
	g = G.NewGraph()
	pv, yv := floatTensor(dt, []int{n, c}, pd), floatTensor(dt, []int{n, c}, yd)
	p := G.NodeFromAny(g, pv, G.WithName("p"))
	y = G.NodeFromAny(g, yv, G.WithName("y"))
	bl2 := G.Must(BCE(p, y))
	_, err := bl2.Op().Do(pv, yv)
	if want := "ops: BCE: input[249 198] = 1.25 outside [0, 1]"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}
