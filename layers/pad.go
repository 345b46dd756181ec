package layers

import (
	"math"

	"github.com/pkg/errors"
	"github.com/stheno-ml/stheno/graph"
	"gorgonia.org/gorgonia"
)

// ZeroPad2D pads the last two dimensions of an (N, C, H, W) or (C, H, W) input with zeros
// (torch.nn.ZeroPad2d(padding)). Padding is PyTorch's int form, the same on all four sides;
// PaddingLRTB its tuple form (left, right, top, bottom). Set one or the other; the zero value
// pads nothing.
type ZeroPad2D struct {
	Padding     int
	PaddingLRTB [4]int
}

// Forward implements graph.Module.
func (l ZeroPad2D) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	return padLayer("ZeroPad2D", b, x, l.Padding, l.PaddingLRTB, padConstant, 0)
}

// ConstantPad2D pads like ZeroPad2D with Value (torch.nn.ConstantPad2d(padding, value)).
type ConstantPad2D struct {
	Padding     int
	PaddingLRTB [4]int
	Value       float64
}

// Forward implements graph.Module.
func (l ConstantPad2D) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	if math.IsNaN(l.Value) || math.IsInf(l.Value, 0) {
		return nil, errors.Errorf("layers: %s: Value=%v is not finite", where("ConstantPad2D", b), l.Value)
	}
	return padLayer("ConstantPad2D", b, x, l.Padding, l.PaddingLRTB, padConstant, l.Value)
}

// ReflectionPad2D pads with the reflection of the input at its edges, the edge itself not
// repeated (torch.nn.ReflectionPad2d(padding)); each padding must be smaller than the dimension
// it pads. Padding and PaddingLRTB are those of ZeroPad2D.
type ReflectionPad2D struct {
	Padding     int
	PaddingLRTB [4]int
}

// Forward implements graph.Module.
func (l ReflectionPad2D) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	return padLayer("ReflectionPad2D", b, x, l.Padding, l.PaddingLRTB, padReflect, 0)
}

// ReplicationPad2D pads by repeating the input's edge values (torch.nn.ReplicationPad2d(padding)).
// Padding and PaddingLRTB are those of ZeroPad2D.
type ReplicationPad2D struct {
	Padding     int
	PaddingLRTB [4]int
}

// Forward implements graph.Module.
func (l ReplicationPad2D) Forward(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	return padLayer("ReplicationPad2D", b, x, l.Padding, l.PaddingLRTB, padReplicate, 0)
}

// padLRTB resolves the int and (left, right, top, bottom) forms of a padding.
func padLRTB(sq int, lrtb [4]int) ([4]int, error) {
	if lrtb != [4]int{} {
		if sq != 0 {
			return lrtb, errors.Errorf("Padding=%d and PaddingLRTB=%v are both set", sq, lrtb)
		}
		for _, v := range lrtb {
			if v < 0 {
				return lrtb, errors.Errorf("PaddingLRTB=%v, want no negative padding", lrtb)
			}
		}
		return lrtb, nil
	}
	if sq < 0 {
		return lrtb, errors.Errorf("Padding=%d is negative", sq)
	}
	return [4]int{sq, sq, sq, sq}, nil
}

func padLayer(name string, b *graph.Builder, x *gorgonia.Node, sq int, lrtb [4]int, mode padMode, value float64) (*gorgonia.Node, error) {
	if err := checkInput(name, b, x, b.Dtype()); err != nil {
		return nil, err
	}
	fail := func(err error) (*gorgonia.Node, error) { return nil, errors.Wrapf(err, "layers: %s", where(name, b)) }
	s := x.Shape()
	if len(s) != 4 && len(s) != 3 {
		return nil, errors.Errorf("layers: %s: input has shape %v, want (N, C, H, W) or (C, H, W)", where(name, b), s)
	}
	p, err := padLRTB(sq, lrtb)
	if err != nil {
		return fail(err)
	}
	if x, err = toBatch(x); err != nil {
		return fail(err)
	}
	y, err := pad2d(x, mode, value, p)
	if err == nil {
		y, err = fromBatch(y, len(s) == 3)
	}
	if err != nil {
		return fail(err)
	}
	return y, nil
}

// pad2d pads the (N, C, H, W) node x by p = (left, right, top, bottom) in the given mode.
func pad2d(x *gorgonia.Node, mode padMode, value float64, p [4]int) (*gorgonia.Node, error) {
	if p == [4]int{} {
		return x, nil
	}
	s := x.Shape()
	g := padGeom{n: s[0], c: s[1], h: s[2], w: s[3], l: p[0], r: p[1], t: p[2], b: p[3]}
	switch mode {
	case padReflect:
		if g.l >= g.w || g.r >= g.w || g.t >= g.h || g.b >= g.h {
			return nil, errors.Errorf("reflection padding %v must be smaller than the input's %d×%d", p, g.h, g.w)
		}
	case padCircular:
		if g.l > g.w || g.r > g.w || g.t > g.h || g.b > g.h {
			return nil, errors.Errorf("circular padding %v must be at most the input's %d×%d", p, g.h, g.w)
		}
	}
	return gorgonia.ApplyOp(&padOp{opBase: newBase("pad2d" + padNames[mode]), mode: mode, value: value, g: g}, x)
}

// padModeOf is the mode of a Conv2D's PaddingMode.
func padModeOf(s string) (padMode, error) {
	for m, name := range padModes {
		if s == name {
			return padMode(m), nil
		}
	}
	if s == "" {
		return padConstant, nil
	}
	return 0, errors.Errorf("PaddingMode=%q, want \"zeros\", \"reflect\", \"replicate\" or \"circular\"", s)
}
