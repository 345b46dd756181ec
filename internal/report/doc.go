// Package report holds the output side of a training run: atomic file writes, per-epoch
// metrics as CSV, a confusion matrix, PNG plots of the learning curves and of the confusion
// matrix (gonum.org/v1/plot), and a terminal progress bar. It knows nothing about models.
package report
