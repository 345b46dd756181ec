package layers

import (
	"testing"

	"github.com/stheno-ml/stheno/graph"
	"github.com/stheno-ml/stheno/internal/golden"
	"gorgonia.org/tensor"
)

// At sizes where the float32 assembly kernel runs (output channels and spatial size ≥ 16), the
// float32 convolution and its gradients agree with the float64 one (checked against PyTorch and
// finite differences elsewhere).
func TestConv2DFloat32MatchesFloat64(t *testing.T) {
	match32to64(t, Conv2D{In: 5, Out: 20, Kernel: 3, Padding: 1}, tensor.Shape{3, 5, 6, 7}, tensor.Shape{3, 20, 6, 7})
}

// Depthwise convolutions (stride 1, and stride 2 through the phased planes) with rows long enough
// for the float32 row kernels, float32 against float64.
func TestDepthwiseFloat32MatchesFloat64(t *testing.T) {
	match32to64(t, Conv2D{In: 4, Out: 8, Kernel: 3, Padding: 1, Groups: 4}, tensor.Shape{2, 4, 5, 21}, tensor.Shape{2, 8, 5, 21})
	match32to64(t, Conv2D{In: 3, Out: 3, Kernel: 3, Stride: 2, Padding: 1, Groups: 3}, tensor.Shape{2, 3, 7, 37}, tensor.Shape{2, 3, 4, 19})
}

// Linear at a size where the float32 kernel runs and the rows are split over the cores.
func TestLinearFloat32MatchesFloat64(t *testing.T) {
	match32to64(t, Linear{In: 300, Out: 45}, tensor.Shape{37, 300}, tensor.Shape{37, 45})
	match32to64(t, Linear{In: 300, Out: 45, NoBias: true}, tensor.Shape{37, 300}, tensor.Shape{37, 45})
}

// match32to64 checks that m's output and gradients in float32 agree with float64 to 1e-5.
func match32to64(t *testing.T, m graph.Module, xShape, outShape tensor.Shape) {
	t.Helper()
	rng := newTestRand(21)
	x := randDense(rng, xShape)
	r := randDense(rng, outShape)
	lg64 := buildLoss(t, m, tensor.Float64, true, x, r)
	lg32 := buildLoss(t, m, tensor.Float32, true, dense32(x), dense32(r))
	for i, n := range lg64.wrt[1:] {
		v := n.Value().Data().([]float64)
		for j := range v {
			v[j] = rng.NormFloat64()
		}
		copy(lg32.wrt[i+1].Value().Data().([]float32), to32(v))
	}
	lg64.run(t)
	lg32.run(t)
	pairs := [][2][]float64{{float64s(lg32.out.Value()), float64s(lg64.out.Value())}}
	for i := range lg64.grads {
		pairs = append(pairs, [2][]float64{float64s(lg32.grads[i].Value()), float64s(lg64.grads[i].Value())})
	}
	for i, p := range pairs {
		if err := golden.Close(p[0], p[1], tensor.Float32); err != nil {
			t.Errorf("value %d: float32 vs float64: %v", i, err)
		}
	}
}

func dense32(d *tensor.Dense) *tensor.Dense {
	return tensor.New(tensor.WithShape(d.Shape().Clone()...), tensor.WithBacking(to32(d.Data().([]float64))))
}

// col2im (row-vectorised for stride-1 columns) and im2col against a plain scatter of every column element
// in the same order, bit for bit, over kernel sizes, strides, paddings and dilations, both dtypes.
func TestCol2im(t *testing.T) {
	t.Run("float32", testCol2im[float32])
	t.Run("float64", testCol2im[float64])
}

func testCol2im[T float32 | float64](t *testing.T) {
	rng := newTestRand(13)
	for _, h := range []int{1, 5, 14} {
		for _, w := range []int{1, 7, 28} {
			for k := 1; k <= 3; k++ {
				for s := 1; s <= 2; s++ {
					for pd := 0; pd <= 2; pd++ {
						for d := 1; d <= 2; d++ {
							oh, ow := (h+2*pd-d*(k-1)-1)/s+1, (w+2*pd-d*(k-1)-1)/s+1
							if oh <= 0 || ow <= 0 {
								continue
							}
							g := convGeom{n: 1, c: 2, h: h, w: w, o: 1, kh: k, kw: k, sh: s, sw: s, ph: pd, pw: pd, dh: d, dw: d, groups: 1, oh: oh, ow: ow}
							col := make([]T, g.ckk()*g.p())
							for i := range col {
								col[i] = T(rng.NormFloat64())
							}
							want, got := make([]T, g.c*h*w), make([]T, g.c*h*w)
							for i := range got {
								got[i] = 7 // col2im zeroes first
							}
							for c := 0; c < g.c; c++ {
								for ki := 0; ki < k; ki++ {
									for kj := 0; kj < k; kj++ {
										for o1 := 0; o1 < oh; o1++ {
											for o2 := 0; o2 < ow; o2++ {
												ih, iw := o1*s-pd+ki*d, o2*s-pd+kj*d
												if ih >= 0 && ih < h && iw >= 0 && iw < w {
													want[(c*h+ih)*w+iw] += col[((c*k+ki)*k+kj)*g.p()+o1*ow+o2]
												}
											}
										}
									}
								}
							}
							col2im(got, col, g)
							for i := range want {
								if got[i] != want[i] {
									t.Fatalf("%+v: element %d = %v, want %v", g, i, got[i], want[i])
								}
							}
							// im2col (row copies for stride-1 columns) against a plain gather of x = want.
							gotCol, wantCol := make([]T, len(col)), make([]T, len(col))
							for i := range gotCol {
								gotCol[i] = 7 // every element is written
							}
							for c := 0; c < g.c; c++ {
								for ki := 0; ki < k; ki++ {
									for kj := 0; kj < k; kj++ {
										for o1 := 0; o1 < oh; o1++ {
											for o2 := 0; o2 < ow; o2++ {
												ih, iw := o1*s-pd+ki*d, o2*s-pd+kj*d
												if ih >= 0 && ih < h && iw >= 0 && iw < w {
													wantCol[((c*k+ki)*k+kj)*g.p()+o1*ow+o2] = want[(c*h+ih)*w+iw]
												}
											}
										}
									}
								}
							}
							im2col(gotCol, want, g)
							for i := range wantCol {
								if gotCol[i] != wantCol[i] {
									t.Fatalf("%+v: im2col element %d = %v, want %v", g, i, gotCol[i], wantCol[i])
								}
							}
						}
					}
				}
			}
		}
	}
}

// fill sets every element, at every length up to 70, and nothing past its slice.
func TestFill(t *testing.T) {
	for n := 0; n <= 70; n++ {
		x := make([]float32, n+1)
		x[n] = 42
		fill(x[:n], -1.5)
		for i, v := range x[:n] {
			if v != -1.5 {
				t.Fatalf("n=%d: element %d = %v, want -1.5", n, i, v)
			}
		}
		if x[n] != 42 {
			t.Fatalf("n=%d: fill wrote past its slice", n)
		}
	}
}
