#!/usr/bin/python3
"""Side-by-side CPU-time comparison of two `go test -c` binaries of package
ops (A = before, B = after), for the machine being shared: rounds run
A B B A ..., each benchmark is timed by the process CPU time (user + sys,
from wait4) of a run with -benchtime=Nx minus a run with -benchtime=1x of
the same binary, so start-up and set-up cancel; the ratio B/A is taken per
round and the median reported.

    go test -c -o /tmp/a.test ./ops      # at the old commit
    go test -c -o /tmp/b.test ./ops      # at the new one
    tools/bench/ops_ab.py /tmp/a.test /tmp/b.test [rounds]
"""
import os
import statistics
import subprocess
import sys

BENCHES = [
    ("BenchmarkKernelCrossEntropy/4096x1000$", 40),
    ("BenchmarkKernelSoftmax/4096x1000/log=false$", 40),
    ("BenchmarkKernelSoftmax/4096x1000/log=true$", 40),
    ("BenchmarkCrossEntropy/4096x1000/ops$", 40),
    ("BenchmarkCrossEntropy/65536x10/ops$", 40),
    ("BenchmarkCrossEntropy/128x10/ops$", 4000),
    ("BenchmarkKernelBCEWithLogits$", 10),
    ("BenchmarkKernelSoftmaxBackward/4096x1000/log=false$", 40),
    ("BenchmarkKernelSoftmaxBackward/4096x1000/log=true$", 40),
]


def cpu(binary, bench, n):
    """CPU seconds of one run of bench with -benchtime=nx on one thread."""
    p = subprocess.Popen([binary, "-test.run", "^$", "-test.bench", bench, "-test.benchtime", "%dx" % n,
                          "-test.cpu", "1"], stdout=subprocess.DEVNULL, env=dict(os.environ, GOMAXPROCS="1"))
    _, status, ru = os.wait4(p.pid, 0)
    if status != 0:
        sys.exit("%s %s failed" % (binary, bench))
    return ru.ru_utime + ru.ru_stime


def per_op(binary, bench, n):
    return (cpu(binary, bench, n) - cpu(binary, bench, 1)) / (n - 1)


def main():
    a, b = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    print("| benchmark (1 thread, CPU time per op) | A | B | B/A (median of %d rounds) |" % rounds)
    print("|---|---|---|---|")
    for bench, n in BENCHES:
        ta, tb, ratios = [], [], []
        for r in range(rounds):
            order = [(a, ta), (b, tb)] if r % 2 == 0 else [(b, tb), (a, ta)]
            for binary, acc in order:
                acc.append(per_op(binary, bench, n))
            ratios.append(tb[-1] / ta[-1])
        ma, mb = statistics.median(ta), statistics.median(tb)
        print("| %s | %.3g ms | %.3g ms | %.2f |" % (bench.rstrip("$"), ma * 1e3, mb * 1e3, statistics.median(ratios)))


if __name__ == "__main__":
    main()
