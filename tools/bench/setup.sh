#!/bin/sh
# Fetches the fair PyTorch anchor: Debian's OpenBLAS (pthread build), extracted
# into tools/bench/ob (gitignored). PyTorch as Debian installs it links the
# reference BLAS (~6 GFLOP/s); run.go puts this OpenBLAS on LD_LIBRARY_PATH.
# Needs python3-torch (apt-get install -y python3-torch).
set -e
cd "$(dirname "$0")"
if [ ! -d ob/usr/lib/x86_64-linux-gnu/openblas-pthread ]; then
	apt-get download libopenblas0-pthread
	dpkg -x libopenblas0-pthread_*.deb ob
	rm -f libopenblas0-pthread_*.deb
fi
ls ob/usr/lib/x86_64-linux-gnu/openblas-pthread
