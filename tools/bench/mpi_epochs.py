#!/usr/bin/env python3
"""Times one MNIST MLP epoch of the demo (60000 images, batch 64, AdamW) in three set-ups,
interleaved A B C C B A ... so that the load of a shared machine hits all alike:

  A  1 process  x 1 thread    ./demo     -threads 1
  B  1 process  x 2 threads   ./demo     -threads 2
  C  2 ranks    x 1 thread    mpirun -np 2 ./demo-mpi -threads 1   (same global batch 64)

For each run it records the demo's own epoch time (wall: training + evaluation of the 10000 test
images), the CPU time of the whole process tree (getrusage of the children: mpirun and both
ranks included) and, for C, the demo's all-reduce time per step. Usage (from the repo root):

  go build -o /tmp/demo ./cmd/demo && go build -tags mpi -o /tmp/demo-mpi ./cmd/demo
  python3 tools/bench/mpi_epochs.py /tmp/demo /tmp/demo-mpi 3
"""
import os, re, resource, subprocess, sys, tempfile, time

demo, demo_mpi, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 3
flags = ["-epochs", "1"]
mpirun = ["mpirun", "-np", "2", "--oversubscribe", "--mca", "btl", "self,vader"]
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
setups = {
    "A 1 proc x 1 thread": lambda out: [demo, *flags, "-threads", "1", "-out", out],
    "B 1 proc x 2 threads": lambda out: [demo, *flags, "-threads", "2", "-out", out],
    "C 2 ranks x 1 thread": lambda out: [*mpirun, demo_mpi, *flags, "-threads", "1", "-out", out],
    # one rank's share of C's work per step, without communication (for the scaling model)
    "D 1 proc x 1 thread, batch 32": lambda out: [demo, *flags, "-threads", "1", "-batch", "32", "-out", out],
}
names = list(setups)
res = {n: [] for n in names}
for r in range(rounds):
    order = names if r % 2 == 0 else names[::-1]
    for n in order:
        out = tempfile.mkdtemp(prefix="stheno-bench-")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.time()
        p = subprocess.run(setups[n](out), env=env, capture_output=True, text=True, timeout=900)
        wall = time.time() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if p.returncode != 0:
            sys.exit(f"{n}: exit {p.returncode}\n{p.stdout}\n{p.stderr}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        ep = float(re.search(r"epoch 1/1 .*?([\d.]+) s\n", p.stdout).group(1))
        acc = re.search(r"done: test accuracy ([\d.]+)%", p.stdout).group(1)
        m = re.search(r"all-reduce and broadcasts ([\d.]+) ms per step", p.stdout)
        ar = float(m.group(1)) if m else float("nan")
        res[n].append((ep, cpu, wall, ar))
        print(f"round {r+1} {n}: epoch {ep:.1f} s, process-tree CPU {cpu:.1f} s, wall {wall:.1f} s, "
              f"comm {ar:.2f} ms/step, test acc {acc}%", flush=True)
print()
print("| set-up | epoch wall (s), median | CPU of the process tree (s), median / min | comm per step (ms), median |")
print("|---|---|---|---|")
for n in names:
    med = lambda i: sorted(x[i] for x in res[n])[len(res[n]) // 2]
    print(f"| {n} | {med(0):.1f} | {med(1):.1f} / {min(x[1] for x in res[n]):.1f} | {med(3):.2f} |")
