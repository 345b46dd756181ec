package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	"github.com/pkg/errors"
)

// Epoch holds the metrics of one training epoch. Accuracies are fractions in [0, 1].
type Epoch struct {
	Epoch     int     `json:"epoch"` // 1-based
	TrainLoss float64 `json:"train_loss"`
	TrainAcc  float64 `json:"train_acc"`
	TestLoss  float64 `json:"test_loss"`
	TestAcc   float64 `json:"test_acc"`
	LearnRate float64 `json:"lr"`      // learning rate of the epoch's last step
	Seconds   float64 `json:"seconds"` // wall time of the epoch's training and evaluation
}

// csvHeader is the header row of the metrics CSV.
var csvHeader = []string{"epoch", "train_loss", "train_acc", "test_loss", "test_acc", "lr", "seconds"}

// WriteCSV writes one header row and one row per epoch.
func WriteCSV(w io.Writer, epochs []Epoch) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	for _, e := range epochs {
		row := []string{strconv.Itoa(e.Epoch), f(e.TrainLoss), f(e.TrainAcc), f(e.TestLoss), f(e.TestAcc), f(e.LearnRate), strconv.FormatFloat(e.Seconds, 'f', 3, 64)}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// SaveCSV writes the metrics CSV atomically to path.
func SaveCSV(path string, epochs []Epoch) error {
	return WriteFileAtomic(path, func(w io.Writer) error { return WriteCSV(w, epochs) })
}

// ReadCSV reads a metrics CSV written by WriteCSV.
func ReadCSV(path string) ([]Epoch, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.Wrap(err, "report")
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, errors.Wrapf(err, "report: %s", path)
	}
	if len(rows) == 0 || fmt.Sprint(rows[0]) != fmt.Sprint(csvHeader) {
		return nil, errors.Errorf("report: %s: missing header %v", path, csvHeader)
	}
	var out []Epoch
	for i, r := range rows[1:] {
		var v [7]float64
		for j := range v {
			if v[j], err = strconv.ParseFloat(r[j], 64); err != nil {
				return nil, errors.Wrapf(err, "report: %s: row %d column %s", path, i+2, csvHeader[j])
			}
		}
		out = append(out, Epoch{Epoch: int(v[0]), TrainLoss: v[1], TrainAcc: v[2], TestLoss: v[3], TestAcc: v[4], LearnRate: v[5], Seconds: v[6]})
	}
	return out, nil
}

// Confusion is a confusion matrix: M[label][prediction] counts examples.
type Confusion struct {
	K int
	M [][]int
}

// NewConfusion returns an empty k×k confusion matrix.
func NewConfusion(k int) *Confusion {
	c := &Confusion{K: k, M: make([][]int, k)}
	for i := range c.M {
		c.M[i] = make([]int, k)
	}
	return c
}

// Add counts one example with the given true label and prediction.
func (c *Confusion) Add(label, pred int) { c.M[label][pred]++ }

// Reset zeroes all counts.
func (c *Confusion) Reset() {
	for _, r := range c.M {
		clear(r)
	}
}

// Total returns the number of examples counted.
func (c *Confusion) Total() int {
	n := 0
	for _, r := range c.M {
		for _, v := range r {
			n += v
		}
	}
	return n
}

// Accuracy returns the fraction of examples on the diagonal (NaN when empty).
func (c *Confusion) Accuracy() float64 {
	d := 0
	for i := range c.M {
		d += c.M[i][i]
	}
	n := c.Total()
	if n == 0 {
		return math.NaN()
	}
	return float64(d) / float64(n)
}

// ArgmaxRows writes, for each row of the row-major (rows, cols) matrix x, the index of its
// largest entry into dst (the first one on ties; a NaN entry loses to any number).
func ArgmaxRows[T float32 | float64](dst []int, x []T, rows, cols int) {
	for i := 0; i < rows; i++ {
		row := x[i*cols : i*cols+cols]
		best := 0
		for j := 1; j < cols; j++ {
			if row[j] > row[best] || row[best] != row[best] {
				best = j
			}
		}
		dst[i] = best
	}
}

// CrossEntropySum returns the summed cross-entropy −Σ log softmax(x_i)[label_i] of the rows of
// the (rows, cols) logits x, computed stably in float64. It is used for evaluation metrics.
func CrossEntropySum[T float32 | float64](x []T, labels []int, rows, cols int) float64 {
	var sum float64
	for i := 0; i < rows; i++ {
		row := x[i*cols : i*cols+cols]
		m := math.Inf(-1)
		for _, v := range row {
			m = math.Max(m, float64(v))
		}
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v) - m)
		}
		sum += m + math.Log(s) - float64(row[labels[i]])
	}
	return sum
}
