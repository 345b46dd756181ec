package report

import (
	"fmt"
	"image/color"
	"io"
	"math"

	"github.com/pkg/errors"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
)

// PlotLoss writes a PNG of the train and test loss per epoch to path (atomically).
func PlotLoss(path, title string, epochs []Epoch) error {
	return plotCurves(path, title, "loss (cross-entropy)", epochs, 1, true,
		func(e Epoch) float64 { return e.TrainLoss }, func(e Epoch) float64 { return e.TestLoss })
}

// PlotAccuracy writes a PNG of the train and test accuracy (in %) per epoch to path (atomically).
func PlotAccuracy(path, title string, epochs []Epoch) error {
	return plotCurves(path, title, "accuracy (%)", epochs, 100, false,
		func(e Epoch) float64 { return e.TrainAcc }, func(e Epoch) float64 { return e.TestAcc })
}

var (
	trainColor = color.RGBA{R: 31, G: 119, B: 180, A: 255} // the matplotlib blue and orange
	testColor  = color.RGBA{R: 255, G: 127, B: 14, A: 255}
)

// plotCurves draws the train and test curves; the legend goes top right (legendTop, for
// falling curves) or bottom right (for rising ones), where the curves usually are not.
func plotCurves(path, title, ylabel string, epochs []Epoch, scale float64, legendTop bool, train, test func(Epoch) float64) error {
	if len(epochs) == 0 {
		return errors.Errorf("report: plot %s: no epochs", path)
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = ylabel
	p.Add(plotter.NewGrid())
	p.Legend.Top = legendTop
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(8), vg.Points(8)
	if legendTop {
		p.Legend.YOffs = -vg.Points(8)
	}
	for _, s := range []struct {
		name string
		f    func(Epoch) float64
		c    color.Color
	}{{"train", train, trainColor}, {"test", test, testColor}} {
		xy := make(plotter.XYs, len(epochs))
		for i, e := range epochs {
			xy[i].X, xy[i].Y = float64(e.Epoch), scale*s.f(e)
		}
		l, pts, err := plotter.NewLinePoints(xy)
		if err != nil {
			return errors.Wrapf(err, "report: plot %s", path)
		}
		l.Color, pts.Color = s.c, s.c
		l.Width = vg.Points(2)
		p.Add(l, pts)
		p.Legend.Add(s.name, l, pts)
	}
	ticks := make([]plot.Tick, 0, len(epochs))
	step := max(1, len(epochs)/10)
	for _, e := range epochs {
		if e.Epoch%step == 0 || len(epochs) == 1 {
			ticks = append(ticks, plot.Tick{Value: float64(e.Epoch), Label: fmt.Sprint(e.Epoch)})
		}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	if len(epochs) == 1 {
		p.X.Min, p.X.Max = float64(epochs[0].Epoch)-1, float64(epochs[0].Epoch)+1
	}
	return savePNG(p, path, 6*vg.Inch, 4*vg.Inch)
}

// confusionGrid adapts a Confusion to plotter.GridXYZ: column = prediction, row = true label,
// z = log(1+count) so that the off-diagonal errors stay visible next to the large diagonal.
type confusionGrid struct{ c *Confusion }

func (g confusionGrid) Dims() (c, r int)   { return g.c.K, g.c.K }
func (g confusionGrid) Z(c, r int) float64 { return math.Log1p(float64(g.c.M[r][c])) }
func (g confusionGrid) X(c int) float64    { return float64(c) }
func (g confusionGrid) Y(r int) float64    { return float64(r) }

// blues is a sequential white-to-dark-blue palette.
type blues int

func (b blues) Colors() []color.Color {
	lo, hi := [3]float64{247, 251, 255}, [3]float64{8, 48, 107}
	cs := make([]color.Color, int(b))
	for i := range cs {
		t := float64(i) / float64(len(cs)-1)
		cs[i] = color.RGBA{
			R: uint8(lo[0] + t*(hi[0]-lo[0])), G: uint8(lo[1] + t*(hi[1]-lo[1])), B: uint8(lo[2] + t*(hi[2]-lo[2])), A: 255}
	}
	return cs
}

// PlotConfusion writes a PNG of the confusion matrix c (rows: true class, columns: predicted
// class, each cell annotated with its count) to path (atomically). names labels the classes.
func PlotConfusion(path, title string, c *Confusion, names []string) error {
	if len(names) != c.K {
		return errors.Errorf("report: plot %s: %d class names for %d classes", path, len(names), c.K)
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "predicted class"
	p.Y.Label.Text = "true class"
	hm := plotter.NewHeatMap(confusionGrid{c}, blues(256))
	hm.Min = 0
	hm.Max = math.Log1p(float64(maxCount(c)))
	p.Add(hm)
	var lab plotter.XYLabels
	for r := range c.K {
		for col := range c.K {
			v := c.M[r][col]
			lab.XYs = append(lab.XYs, plotter.XY{X: float64(col), Y: float64(r)})
			lab.Labels = append(lab.Labels, fmt.Sprint(v))
		}
	}
	labels, err := plotter.NewLabels(lab)
	if err != nil {
		return errors.Wrapf(err, "report: plot %s", path)
	}
	for i := range labels.TextStyle {
		r, col := i/c.K, i%c.K
		st := labels.TextStyle[i]
		st.XAlign, st.YAlign = text.XCenter, text.YCenter
		st.Font.Size = vg.Points(8)
		if math.Log1p(float64(c.M[r][col])) > 0.6*hm.Max {
			st.Color = color.White
		} else {
			st.Color = color.Black
		}
		labels.TextStyle[i] = st
	}
	p.Add(labels)
	p.NominalX(names...)
	p.NominalY(names...)
	p.Y.Scale = plot.InvertedScale{Normalizer: p.Y.Scale}
	p.X.Min, p.X.Max = -0.5, float64(c.K)-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(c.K)-0.5
	return savePNG(p, path, 6*vg.Inch, 6*vg.Inch)
}

func maxCount(c *Confusion) int {
	m := 1
	for _, r := range c.M {
		for _, v := range r {
			m = max(m, v)
		}
	}
	return m
}

func savePNG(p *plot.Plot, path string, w, h vg.Length) error {
	wt, err := p.WriterTo(w, h, "png")
	if err != nil {
		return errors.Wrapf(err, "report: plot %s", path)
	}
	return WriteFileAtomic(path, func(w io.Writer) error {
		_, err := wt.WriteTo(w)
		return err
	})
}
