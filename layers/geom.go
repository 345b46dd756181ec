package layers

import (
	"github.com/pkg/errors"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// convGeom is the geometry of a 2-D convolution or pooling over NCHW inputs: kernel kh×kw,
// strides sh, sw, top and left padding ph, pw (the bottom and right padding only show in oh and
// ow), dilations dh, dw, and groups (convolution only).
type convGeom struct {
	n, c, h, w     int // input
	o, oh, ow      int // output channels (convolution) and spatial size
	kh, kw, sh, sw int
	ph, pw, dh, dw int
	groups         int
}

func (g convGeom) kk() int  { return g.kh * g.kw }
func (g convGeom) ckk() int { return g.c * g.kk() }
func (g convGeom) p() int   { return g.oh * g.ow }

// pair resolves a setting given either as one number for both spatial dimensions (sq, PyTorch's
// int form) or as an (height, width) pair (hw, PyTorch's tuple form); the zero pair is unset, and
// both unset is def. Giving both is an error, as is a value below least.
func pair(name string, sq int, hw [2]int, def, least int) ([2]int, error) {
	switch {
	case hw != [2]int{}:
		if sq != 0 {
			return hw, errors.Errorf("%s=%d and %sHW=%v are both set", name, sq, name, hw)
		}
		if hw[0] < least || hw[1] < least {
			return hw, errors.Errorf("%sHW=%v, want both ≥ %d", name, hw, least)
		}
		return hw, nil
	case sq == 0:
		return [2]int{def, def}, nil
	case sq < least:
		return [2]int{sq, sq}, errors.Errorf("%s=%d, want ≥ %d", name, sq, least)
	}
	return [2]int{sq, sq}, nil
}

// outSize is PyTorch's output size of a convolution or pooling along one dimension of size in
// with total padding pad, kernel k, stride s and dilation d; ceil is pooling's ceil_mode, where
// the last window must start inside the input or its left padding (padL).
func outSize(in, pad, padL, k, s, d int, ceil bool) int {
	span := in + pad - d*(k-1) - 1
	if span < 0 {
		return 0
	}
	if !ceil {
		return span/s + 1
	}
	o := (span+s-1)/s + 1
	if (o-1)*s >= in+padL {
		o--
	}
	return o
}

// toBatch reshapes an unbatched (C, H, W) node to a batch of one, (1, C, H, W), and returns
// any other node as it is.
func toBatch(x *gorgonia.Node) (*gorgonia.Node, error) {
	s := x.Shape()
	if len(s) != 3 {
		return x, nil
	}
	return gorgonia.Reshape(x, tensor.Shape{1, s[0], s[1], s[2]})
}

// fromBatch reshapes a layer's (1, C, H, W) output back to (C, H, W) when its input was
// unbatched.
func fromBatch(y *gorgonia.Node, unbatched bool) (*gorgonia.Node, error) {
	if !unbatched {
		return y, nil
	}
	s := y.Shape()
	return gorgonia.Reshape(y, tensor.Shape{s[1], s[2], s[3]})
}
