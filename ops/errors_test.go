package ops

import (
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// runErr builds a loss, binds values and returns the error of a run on
// both VMs (which must agree).
func runErr(t *testing.T, build func(x, y *G.Node) (*G.Node, error), xv, yv *tensor.Dense) string {
	t.Helper()
	var msgs []string
	for _, lisp := range []bool{false, true} {
		if lisp && raceEnabled {
			// Gorgonia 0.9.18's LispMachine.RunAll returns on an error
			// while its worker goroutine still reads m.q, which its
			// deferred cleanup writes: a data race in Gorgonia, not here.
			msgs = append(msgs, msgs[0])
			continue
		}
		g := G.NewGraph()
		x := G.NodeFromAny(g, xv, G.WithName("x"))
		y := G.NodeFromAny(g, yv, G.WithName("y"))
		loss, err := build(x, y)
		if err != nil {
			t.Fatalf("build: %v", err)
		}
		var vm G.VM
		if lisp {
			vm = G.NewLispMachine(g)
		} else {
			if _, err := G.Grad(loss, x); err != nil {
				t.Fatal(err)
			}
			vm = G.NewTapeMachine(g)
		}
		err = vm.RunAll()
		vm.Close()
		if err == nil {
			t.Fatalf("lisp=%v: no error", lisp)
		}
		msgs = append(msgs, err.Error())
	}
	return strings.Join(msgs, "\n")
}

func TestRunTimeErrors(t *testing.T) {
	x := tensor.New(tensor.WithShape(3, 10), tensor.WithBacking(make([]float64, 30)))
	cases := []struct {
		name  string
		build func(x, y *G.Node) (*G.Node, error)
		x, y  *tensor.Dense
		want  string
	}{
		{"CE label too large", func(x, y *G.Node) (*G.Node, error) { return CrossEntropy(x, y) },
			x, tensor.New(tensor.WithBacking([]int{1, 12, 3})), "ops: CrossEntropy: target[1] = 12 out of range [0, 10)"},
		{"CE negative label", func(x, y *G.Node) (*G.Node, error) { return CrossEntropy(x, y, WithIgnoreIndex(5)) },
			x, tensor.New(tensor.WithBacking([]int64{5, 2, -1})), "ops: CrossEntropy: target[2] = -1 out of range [0, 10)"},
		{"NLL label int32", func(x, y *G.Node) (*G.Node, error) { return NLL(x, y, WithReduction(Sum)) },
			x, tensor.New(tensor.WithBacking([]int32{10, 2, 1})), "ops: NLL: target[0] = 10 out of range [0, 10)"},
		{"CE spatial label", func(x, y *G.Node) (*G.Node, error) { return CrossEntropy(x, y) },
			tensor.New(tensor.WithShape(2, 3, 2), tensor.WithBacking(make([]float32, 12))),
			tensor.New(tensor.WithShape(2, 2), tensor.WithBacking([]int{0, 1, 2, 3})), "ops: CrossEntropy: target[1 1] = 3 out of range [0, 3)"},
		{"BCE prob > 1", func(x, y *G.Node) (*G.Node, error) { return BCE(x, y) },
			tensor.New(tensor.WithBacking([]float64{0.5, 1.5})), tensor.New(tensor.WithBacking([]float64{0, 1})), "ops: BCE: input[1] = 1.5 outside [0, 1]"},
		{"BCE prob < 0", func(x, y *G.Node) (*G.Node, error) { return BCE(x, y) },
			tensor.New(tensor.WithBacking([]float32{-0.25, 0.5})), tensor.New(tensor.WithBacking([]float32{0, 1})), "ops: BCE: input[0] = -0.25 outside [0, 1]"},
		{"BCE target", func(x, y *G.Node) (*G.Node, error) { return BCE(x, y) },
			tensor.New(tensor.WithBacking([]float64{0.5, 0.5})), tensor.New(tensor.WithBacking([]float64{0, 2})), "ops: BCE: target[1] = 2 outside [0, 1]"},
	}
	for _, c := range cases {
		got := runErr(t, c.build, c.x, c.y)
		if strings.Count(got, c.want) != 2 {
			t.Errorf("%s: error %q does not contain %q on both VMs", c.name, got, c.want)
		}
	}
}

func TestBuildErrors(t *testing.T) {
	g := G.NewGraph()
	x := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 5), G.WithName("x"))
	x32 := G.NewMatrix(g, tensor.Float32, G.WithShape(4, 5), G.WithName("x32"))
	xi := G.NewMatrix(g, tensor.Int, G.WithShape(4, 5), G.WithName("xi"))
	y := G.NewVector(g, tensor.Int, G.WithShape(4), G.WithName("y"))
	y3 := G.NewVector(g, tensor.Int, G.WithShape(3), G.WithName("y3"))
	yb := G.NewVector(g, tensor.Bool, G.WithShape(4), G.WithName("yb"))
	p := G.NewMatrix(g, tensor.Float64, G.WithShape(4, 5), G.WithName("p"))
	p32 := G.NewMatrix(g, tensor.Float32, G.WithShape(4, 5), G.WithName("p32"))
	p45 := G.NewMatrix(g, tensor.Float64, G.WithShape(5, 4), G.WithName("p54"))
	w5 := tensor.New(tensor.WithBacking([]float64{1, 2, 3, 4, 5}))
	w4 := tensor.New(tensor.WithBacking([]float64{1, 2, 3, 4}))
	w5f32 := tensor.New(tensor.WithBacking([]float32{1, 2, 3, 4, 5}))
	s := G.NewScalar(g, tensor.Float64, G.WithName("s"))
	cases := []struct {
		name string
		err  func() error
		want string
	}{
		{"CE target shape", func() error { _, err := CrossEntropy(x, y3); return err }, "class-index target has shape (3), want (4)"},
		{"CE target dtype", func() error { _, err := CrossEntropy(x, yb); return err }, "target has dtype bool"},
		{"CE input dtype", func() error { _, err := CrossEntropy(xi, y); return err }, "input has dtype int"},
		{"CE prob shape", func() error { _, err := CrossEntropy(x, p45); return err }, "probability target has shape (5, 4)"},
		{"CE prob dtype", func() error { _, err := CrossEntropy(x, p32); return err }, "probability target has dtype float32"},
		{"CE scalar input", func() error { _, err := CrossEntropy(s, y); return err }, "got a scalar"},
		{"CE weight shape", func() error { _, err := CrossEntropy(x, y, WithWeight(w4)); return err }, "weight has shape (4), want (5)"},
		{"CE weight dtype", func() error { _, err := CrossEntropy(x, y, WithWeight(w5f32)); return err }, "weight has dtype float32"},
		{"CE pos_weight", func() error { _, err := CrossEntropy(x, y, WithPosWeight(w5)); return err }, "option WithPosWeight does not apply to CrossEntropy"},
		{"CE smoothing > 1", func() error { _, err := CrossEntropy(x, y, WithLabelSmoothing(1.5)); return err }, "label smoothing must be in [0, 1], got 1.5"},
		{"CE reduction", func() error { _, err := CrossEntropy(x, y, WithReduction(Reduction(7))); return err }, "unknown reduction 7"},
		{"CE nil option", func() error { _, err := CrossEntropy(x, y, nil); return err }, "nil option"},
		{"NLL smoothing", func() error { _, err := NLL(x, y, WithLabelSmoothing(0.1)); return err }, "option WithLabelSmoothing does not apply to NLL"},
		{"NLL prob target", func() error { _, err := NLL(x, p); return err }, "NLL needs class indices"},
		{"BCE smoothing", func() error { _, err := BCE(x, p, WithLabelSmoothing(0.1)); return err }, "option WithLabelSmoothing does not apply to BCE"},
		{"BCE ignore", func() error { _, err := BCE(x, p, WithIgnoreIndex(0)); return err }, "option WithIgnoreIndex does not apply to BCE"},
		{"BCE pos_weight", func() error { _, err := BCE(x, p, WithPosWeight(w5)); return err }, "option WithPosWeight does not apply to BCE"},
		{"BCE target shape", func() error { _, err := BCE(x, p45); return err }, "target has shape (5, 4), want the input's shape (4, 5)"},
		{"BCE target dtype", func() error { _, err := BCE(x32, p); return err }, "target has dtype float64, want the input's dtype float32"},
		{"BCE weight broadcast", func() error { _, err := BCE(x, p, WithWeight(w4)); return err }, "shape (4) does not broadcast to (4, 5)"},
		{"BCEWithLogits pos_weight", func() error { _, err := BCEWithLogits(x, p, WithPosWeight(w4)); return err }, "pos_weight: shape (4) does not broadcast to (4, 5)"},
		{"BCEWithLogits smoothing", func() error { _, err := BCEWithLogits(x, p, WithLabelSmoothing(0.2)); return err }, "does not apply to BCEWithLogits"},
		{"Softmax axis", func() error { _, err := Softmax(x, 2); return err }, "axis 2 out of range for shape (4, 5)"},
		{"LogSoftmax axis", func() error { _, err := LogSoftmax(x, -3); return err }, "axis -3 out of range"},
		{"Softmax dtype", func() error { _, err := Softmax(xi, 0); return err }, "input has dtype int"},
	}
	for _, c := range cases {
		err := c.err()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
}
