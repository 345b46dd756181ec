#!/usr/bin/env bash
# MPI tests of distributed/ (issue 14): install Open MPI, build the test binary with -tags mpi,
# run the collectives and 2-rank equivalence tests under mpirun -np 2 on shared memory, then the
# fault tests (the binary starts mpirun itself and kills/fails/hangs one rank). Every step has a
# timeout, so a hang fails CI instead of stalling it.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v mpirun >/dev/null || ! pkg-config --exists ompi-c; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y openmpi-bin libopenmpi-dev pkg-config
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# A short watchdog: in these tests no collective legitimately waits more than a second.
export STHENO_MPI_TIMEOUT=60s

bin=$(mktemp -d)/distributed.test
trap 'rm -rf "$(dirname "$bin")"' EXIT
echo "== race detector on the goroutine-rank tests (default build)"
go test -race -short ./distributed/

echo "== go vet -tags mpi"
go vet -tags mpi ./distributed/ ./cmd/demo/
go test -tags mpi -c -o "$bin" ./distributed/

echo "== MPI tests on 2 ranks (collectives, DDP equivalence with 1 process)"
timeout 300 mpirun -np 2 --oversubscribe --mca btl self,vader "$bin" -test.run '^TestMPI' -test.v -test.timeout 240s

echo "== fault tests (a killed, failed or hung rank ends the job)"
timeout 300 "$bin" -test.run '^TestFault' -test.v -test.timeout 240s

echo "== demo on 2 ranks: same weights as 1 process; interrupted on one rank and resumed = uninterrupted"
go test -tags mpi -c -o "$(dirname "$bin")/demo.test" ./cmd/demo/
timeout 300 mpirun -np 2 --oversubscribe --mca btl self,vader "$(dirname "$bin")/demo.test" -test.run '^TestMPI' -test.v -test.timeout 240s

echo "== demo: 2 ranks train MNIST data-parallel (a short run)"
demo=$(dirname "$bin")/demo
go build -tags mpi -o "$demo" ./cmd/demo
timeout 600 mpirun -np 2 --oversubscribe --mca btl self,vader "$demo" -epochs 1 -limit 6400 -threads 1 -out "$(dirname "$bin")/run"
