package report

import (
	"bytes"
	"errors"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f.txt")
	if err := WriteFileAtomic(p, func(w io.Writer) error { _, err := io.WriteString(w, "old"); return err }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFileAtomic(p, func(w io.Writer) error {
		io.WriteString(w, "partial new content")
		return boom
	})
	if err == nil || !strings.Contains(err.Error(), "boom") || !strings.Contains(err.Error(), p) {
		t.Fatalf("error %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("after a failed write the file holds %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("temporary files left behind: %v", ents)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "no/such/dir/f"), func(io.Writer) error { return nil }); err == nil {
		t.Error("missing directory: no error")
	}
}

func TestCSVRoundTrip(t *testing.T) {
	ep := []Epoch{
		{Epoch: 1, TrainLoss: 0.25, TrainAcc: 0.9312, TestLoss: 0.125, TestAcc: 0.961, LearnRate: 1e-3, Seconds: 12.5},
		{Epoch: 2, TrainLoss: 0.0625, TrainAcc: 0.98, TestLoss: 0.08, TestAcc: 0.975, LearnRate: 5e-4, Seconds: 11},
	}
	p := filepath.Join(t.TempDir(), "m.csv")
	if err := SaveCSV(p, ep); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 3 || lines[0] != "epoch,train_loss,train_acc,test_loss,test_acc,lr,seconds" ||
		lines[1] != "1,0.25,0.9312,0.125,0.961,0.001,12.500" {
		t.Fatalf("csv:\n%s", b)
	}
	got, err := ReadCSV(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[1] != ep[1] || got[0] != ep[0] {
		t.Errorf("read back %+v", got)
	}
	os.WriteFile(p, []byte("a,b\n1,2\n"), 0o644)
	if _, err := ReadCSV(p); err == nil {
		t.Error("bad header: no error")
	}
}

func TestConfusionAndArgmax(t *testing.T) {
	x := []float32{0, 2, 1, 5, float32(math.NaN()), 3, 1, 1, 1, float32(math.NaN()), 0, -1}
	pred := make([]int, 4)
	ArgmaxRows(pred, x, 4, 3)
	if want := []int{1, 0, 0, 1}; !slices.Equal(pred, want) {
		t.Errorf("argmax %v, want %v", pred, want)
	}
	c := NewConfusion(3)
	labels := []int{1, 2, 0, 1}
	for i := range pred {
		c.Add(labels[i], pred[i])
	}
	if c.Total() != 4 || c.Accuracy() != 0.75 || c.M[2][0] != 1 || c.M[1][1] != 2 {
		t.Errorf("confusion %v total %d acc %v", c.M, c.Total(), c.Accuracy())
	}
	c.Reset()
	if c.Total() != 0 || !math.IsNaN(c.Accuracy()) {
		t.Error("Reset")
	}
}

func TestCrossEntropySum(t *testing.T) {
	// Rows: probabilities [0.2, 0.7, 0.1] as logits log p (CE of class 1 = -log 0.7), and a
	// large-logit row that must not overflow.
	x := []float64{math.Log(0.2), math.Log(0.7), math.Log(0.1), 1000, 0, -1000}
	got := CrossEntropySum(x, []int{1, 1}, 2, 3)
	want := -math.Log(0.7) + 1000 + math.Log1p(math.Exp(-1000)+math.Exp(-2000))
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("got %v, want %v", got, want)
	}
}

func checkPNG(t *testing.T, p string, w, h int) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("%s: not a PNG", p)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != w || img.Bounds().Dy() != h {
		t.Errorf("%s: %v, want %d×%d", p, img.Bounds(), w, h)
	}
	// A blank image would be a single colour.
	c0 := img.At(0, 0)
	for y := 0; y < h; y += 7 {
		for x := 0; x < w; x += 7 {
			if img.At(x, y) != c0 {
				return
			}
		}
	}
	t.Errorf("%s is blank", p)
}

func TestPlots(t *testing.T) {
	dir := t.TempDir()
	ep := []Epoch{{1, 0.4, 0.9, 0.2, 0.95, 1e-3, 1}, {2, 0.2, 0.95, 0.15, 0.96, 1e-3, 1}, {3, 0.1, 0.97, 0.1, 0.975, 1e-3, 1}}
	if err := PlotLoss(filepath.Join(dir, "loss.png"), "loss", ep); err != nil {
		t.Fatal(err)
	}
	if err := PlotAccuracy(filepath.Join(dir, "acc.png"), "acc", ep[:1]); err != nil {
		t.Fatal(err)
	}
	c := NewConfusion(3)
	for i := range 30 {
		c.Add(i%3, (i%3+i/25)%3)
	}
	if err := PlotConfusion(filepath.Join(dir, "cm.png"), "cm", c, []string{"a", "b", "c"}); err != nil {
		t.Fatal(err)
	}
	// 6×4 and 6×6 inches at gonum/plot's default 96 dpi.
	checkPNG(t, filepath.Join(dir, "loss.png"), 576, 384)
	checkPNG(t, filepath.Join(dir, "acc.png"), 576, 384)
	checkPNG(t, filepath.Join(dir, "cm.png"), 576, 576)
	if err := PlotLoss(filepath.Join(dir, "x.png"), "", nil); err == nil {
		t.Error("no epochs: no error")
	}
	if err := PlotConfusion(filepath.Join(dir, "x.png"), "", c, []string{"a"}); err == nil {
		t.Error("wrong names: no error")
	}
}

func TestProgressDisabledAndEnabled(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgress(&buf, false, 10, "epoch 1/1")
	p.Set(5, 0.5)
	p.Finish()
	if buf.Len() != 0 {
		t.Errorf("disabled progress wrote %q", buf.String())
	}
	p = NewProgress(&buf, true, 10, "epoch 1/1")
	p.Set(5, 0.5)
	if !strings.Contains(buf.String(), "epoch 1/1 loss 0.5000") || !strings.Contains(buf.String(), "5/10") {
		t.Errorf("progress output %q", buf.String())
	}
	p.Finish()
}
