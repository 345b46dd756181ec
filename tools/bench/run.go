// Command bench is the side-by-side benchmark suite's driver: it runs every
// workload of tools/bench/stheno (Go) and tools/bench/torch_bench.py
// (PyTorch, the same work) in interleaved rounds — A B, B A, A B, … — at
// each thread count, and prints a Markdown table whose ratios are taken per
// round from process CPU time (getrusage / time.process_time), which holds
// on a shared machine where wall time does not.
//
//	tools/bench/setup.sh                          # once: OpenBLAS for PyTorch
//	go run ./tools/bench -threads 1,2 -rounds 2   # the whole table
//	go run ./tools/bench -only 'gemm|ce_'         # some rows
//
// It needs python3-torch when run; nothing in CI runs it.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/stheno-ml/stheno/data/mnist"
)

// row is one line of the table: a workload and what one timed call does.
type row struct {
	name, what string
	flops      float64 // per call, for GEMM rows (0: no GFLOP/s column)
}

var rows = []row{
	{"gemm_2048", "GEMM 2048³", 2 * 2048 * 2048 * 2048},
	{"gemm_64x512x784", "GEMM 64×512×784 (first MLP layer)", 2 * 64 * 512 * 784},
	{"gemm_64x10x256", "GEMM 64×10×256 (output layer)", 2 * 64 * 10 * 256},
	{"ce_128x10", "CrossEntropy fwd+bwd 128×10", 0},
	{"ce_4096x1000", "CrossEntropy fwd+bwd 4096×1000", 0},
	{"ce_65536x10", "CrossEntropy fwd+bwd 65536×10", 0},
	{"adam_10M", "Adam step, 10M params", 0},
	{"sgdm_10M", "SGD momentum step, 10M", 0},
	{"step_mlp128_b1", "training step MLP-128, batch 1", 0},
	{"step_mlp128_b64", "training step MLP-128, batch 64", 0},
	{"epoch_mlp128", "MNIST epoch, MLP 784-128-10, batch 64, Adam", 0},
	{"epoch_mlp512", "MNIST epoch, MLP 784-512-256-10", 0},
	{"epoch_cnn", "MNIST epoch, demo CNN (conv16-conv32-fc128)", 0},
}

// server is one contender: a long-lived process answering "NAME THREADS"
// with "NAME THREADS CPU WALL ITERS".
type server struct {
	name string
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Scanner
}

func start(name string, env []string, args ...string) *server {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		log.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		log.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		log.Fatalf("starting %s: %v", name, err)
	}
	return &server{name, cmd, in, bufio.NewScanner(out)}
}

// run returns the CPU and wall seconds per call of workload w at t threads.
func (s *server) run(w string, t int) (cpu, wall float64) {
	fmt.Fprintf(s.in, "%s %d\n", w, t)
	if !s.out.Scan() {
		log.Fatalf("%s died running %s: %v", s.name, w, s.out.Err())
	}
	f := strings.Fields(s.out.Text())
	if len(f) != 5 || f[2] == "unknown" {
		log.Fatalf("%s: bad answer %q", s.name, s.out.Text())
	}
	cpu, _ = strconv.ParseFloat(f[2], 64)
	wall, _ = strconv.ParseFloat(f[3], 64)
	return cpu, wall
}

func (s *server) close() {
	s.in.Close()
	s.cmd.Wait()
}

func median(x []float64) float64 {
	y := append([]float64(nil), x...)
	sort.Float64s(y)
	if n := len(y); n%2 == 1 {
		return y[n/2]
	} else {
		return (y[n/2-1] + y[n/2]) / 2
	}
}

// dur formats seconds with a unit.
func dur(s float64) string {
	switch {
	case s >= 1:
		return fmt.Sprintf("%.3g s", s)
	case s >= 1e-3:
		return fmt.Sprintf("%.3g ms", s*1e3)
	}
	return fmt.Sprintf("%.3g µs", s*1e6)
}

func main() {
	threads := flag.String("threads", "1,2", "comma-separated thread counts")
	rounds := flag.Int("rounds", 2, "rounds per row (each runs both contenders, order alternating: A B, B A, …)")
	only := flag.String("only", "", "regexp: run only the workloads it matches")
	python := flag.String("python", "/usr/bin/python3", "the Python with PyTorch")
	flag.Parse()
	re := regexp.MustCompile(*only)
	var ts []int
	for _, f := range strings.Split(*threads, ",") {
		t, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || t < 1 {
			log.Fatalf("bad -threads %q", *threads)
		}
		ts = append(ts, t)
	}

	_, self, _, _ := runtime.Caller(0)
	here := filepath.Dir(self)
	tmp, err := os.MkdirTemp("", "stheno-bench")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "stheno")
	build := exec.Command("go", "build", "-o", bin, "./stheno")
	build.Dir, build.Stderr = here, os.Stderr
	if err := build.Run(); err != nil {
		log.Fatalf("building the Go side: %v", err)
	}
	mnistDir, err := mnist.Dir()
	if err != nil {
		log.Fatal(err)
	}
	env := []string{"MNIST_DIR=" + mnistDir}
	// glibc's malloc settings keep PyTorch from returning and re-faulting its
	// buffers (Adam is 2.4× slower without); OMP_WAIT_POLICY and
	// OPENBLAS_THREAD_TIMEOUT stop PyTorch's two thread pools (OpenMP and
	// OpenBLAS's pthreads) spinning against each other on two cores, which
	// made a 2-thread MLP step 40× slower (25 ms instead of 0.6 ms).
	tenv := append([]string{"MALLOC_MMAP_MAX_=0", "MALLOC_TRIM_THRESHOLD_=68719476736",
		"OMP_WAIT_POLICY=PASSIVE", "OPENBLAS_THREAD_TIMEOUT=4"}, env...)
	ob := filepath.Join(here, "ob/usr/lib/x86_64-linux-gnu/openblas-pthread")
	if _, err := os.Stat(ob); err == nil {
		tenv = append(tenv, "LD_LIBRARY_PATH="+ob)
	} else {
		log.Printf("warning: %s missing (run tools/bench/setup.sh): PyTorch will use the reference BLAS", ob)
	}
	contenders := [2]*server{
		start("PyTorch", tenv, *python, filepath.Join(here, "torch_bench.py")),
		start("Stheno", env, bin),
	}
	defer contenders[0].close()
	defer contenders[1].close()

	// The anchor check: OpenBLAS gives ~100 GFLOP/s on one core, the reference BLAS ~6.
	if cpu, _ := contenders[0].run("gemm_64x512x784", 1); 2*64*512*784/cpu/1e9 < 30 {
		log.Printf("warning: PyTorch GEMM at %.1f GFLOP/s: OpenBLAS is not loaded", 2*64*512*784/cpu/1e9)
	}

	host, _ := os.Hostname()
	model := cpuModel()
	fmt.Printf("Command: `go run ./tools/bench -threads %s -rounds %d", *threads, *rounds)
	if *only != "" {
		fmt.Printf(" -only '%s'", *only)
	}
	fmt.Printf("`; %s UTC; %s (%s, %d CPUs, %s)\n\n", time.Now().UTC().Format("2006-01-02 15:04"), host, model, runtime.NumCPU(), runtime.Version())
	fmt.Println("| workload | threads | PyTorch (CPU) | Stheno (CPU) | Stheno/PyTorch CPU per round | median | wall PyTorch / Stheno | wall ratio |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		if !re.MatchString(r.name) {
			continue
		}
		for _, t := range ts {
			var cpu, wall [2][]float64
			var ratios, wratios []float64
			for k := 0; k < *rounds; k++ {
				order := []int{0, 1}
				if k%2 == 1 {
					order = []int{1, 0}
				}
				var c, w [2]float64
				for _, i := range order {
					c[i], w[i] = contenders[i].run(r.name, t)
					cpu[i], wall[i] = append(cpu[i], c[i]), append(wall[i], w[i])
				}
				ratios = append(ratios, c[1]/c[0])
				wratios = append(wratios, w[1]/w[0])
			}
			per := make([]string, len(ratios))
			for i, x := range ratios {
				per[i] = fmt.Sprintf("%.2f", x)
			}
			pt, st := median(cpu[0]), median(cpu[1])
			cell := func(s float64) string {
				if r.flops > 0 {
					return fmt.Sprintf("%s (%.0f GFLOP/s)", dur(s), r.flops/s/1e9)
				}
				return dur(s)
			}
			fmt.Printf("| %s | %d | %s | %s | %s | **%.2f×** | %s / %s | %.2f× |\n", r.what, t, cell(pt), cell(st),
				strings.Join(per, " "), median(ratios), dur(median(wall[0])), dur(median(wall[1])), median(wratios))
		}
	}
}

// cpuModel returns the CPU's model name from /proc/cpuinfo, if any.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}
