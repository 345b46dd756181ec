#!/usr/bin/python3
"""Interleaved comparison (A B B A per round) of solver benchmarks in process CPU time.

Usage: python3 tools/bench/solvers_ab.py "<binary A>" "<binary B>" ROUNDS Benchmark/name@STEPS ...

Each run is one process: `<binary> -test.run ^$ -test.bench ^<bench>$ -test.benchtime <N>x -test.cpu 1`;
its cost is the benchmark's cpu-ns/op metric (getrusage user+sys over the timed loop, all
threads). Prints the median of each side and the median of the per-round ratios B/A.
"""
import re, statistics, subprocess, sys

def run(binary, bench, n):
    out = subprocess.run(binary + ["-test.run", "^$", "-test.bench", "^" + bench + "$", "-test.benchtime", "%dx" % n,
                          "-test.cpu", "1"], check=True, capture_output=True, text=True).stdout
    m = re.search(r"([\d.]+) cpu-ns/op", out)
    return float(m.group(1))

def main():
    a, b, rounds = sys.argv[1].split(), sys.argv[2].split(), int(sys.argv[3])
    print("| benchmark (float32, 1 thread) | before CPU/op | after CPU/op | after/before |")
    print("|---|---|---|---|")
    for spec in sys.argv[4:]:
        bench, n = spec.rsplit("@", 1)
        ta, tb, ratios = [], [], []
        for _ in range(rounds):
            a1 = run(a, bench, int(n)); b1 = run(b, bench, int(n)); b2 = run(b, bench, int(n)); a2 = run(a, bench, int(n))
            ta += [a1, a2]; tb += [b1, b2]; ratios.append((b1 + b2) / (a1 + a2))
        f = lambda ns: "%.3g ms" % (ns / 1e6) if ns >= 1e6 else "%.3g µs" % (ns / 1e3)
        print("| %s | %s | %s | %.2f× (%.2f–%.2f) |" % (bench.replace("BenchmarkStep/", "").replace("/stheno", ""),
              f(statistics.median(ta)), f(statistics.median(tb)), statistics.median(ratios), min(ratios), max(ratios)), flush=True)

main()
