package report

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Progress shows a per-epoch progress bar (batches done, throughput, running loss, ETA). It is
// a no-op when disabled, so callers need no conditionals.
type Progress struct {
	bar   *progressbar.ProgressBar
	last  time.Time
	label string
}

// IsTerminal reports whether f is a terminal (a progress bar makes sense only there).
func IsTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// NewProgress starts a bar of total batches written to w; label prefixes the description
// (e.g. "epoch 2/5"). With enabled false it returns a Progress that draws nothing.
func NewProgress(w io.Writer, enabled bool, total int, label string) *Progress {
	p := &Progress{label: label}
	if !enabled {
		return p
	}
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(label),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("batch"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetWidth(25),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetRenderBlankState(true),
	)
	return p
}

// Set records that done batches are finished with the given running mean loss. The bar is
// redrawn at most ten times a second.
func (p *Progress) Set(done int, loss float64) {
	if p.bar == nil {
		return
	}
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond {
		p.last = now
		p.bar.Describe(fmt.Sprintf("%s loss %.4f", p.label, loss))
		p.bar.Set(done)
	}
}

// Finish removes the bar from the terminal.
func (p *Progress) Finish() {
	if p.bar == nil {
		return
	}
	p.bar.Finish()
	p.bar.Clear()
}
