# kdmc: build, test and run. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := build

# Open MPI refuses root unless told; only export these when we are root.
ifeq ($(shell id -u),0)
export OMPI_ALLOW_RUN_AS_ROOT := 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM := 1
endif
# One BLAS thread per rank: the ranks already fill the cores.
export OPENBLAS_NUM_THREADS ?= 1

MPIRUN   := mpirun --oversubscribe
TESTBIN  := .build/debug/kdmcPackageTests.xctest
# Test modules whose suites enter collectives, run again under mpirun at several rank counts.
# Each runs in its own mpirun call: Swift Testing runs suites of different modules in
# parallel, and two modules entering collectives at once could interleave differently per rank.
MPI_SUITES := MPITests

.PHONY: deps test-deps build test test-mpi test-multihost run bench bench-deps clean

# The main job: a short default suite under mpirun.
NP     ?= 2
PRESET ?= default
OUT    ?= runs/$(PRESET)
KDMC   := .build/release/kdmc

# What building and running need; test-deps adds what only the tests need (Chromium, Slurm,
# munge, iproute2), so `make run` installs no test tools.
deps:
	@bash scripts/deps.sh

test-deps:
	@bash scripts/deps.sh --test

build: deps
	swift build -c release

test: test-deps
	swift build --build-tests
	swift test --skip-build
	$(MAKE) --no-print-directory test-mpi
	$(MAKE) --no-print-directory test-multihost

test-mpi:
	@for suite in $(MPI_SUITES); do for np in 2 3; do \
	  echo "== $$suite under mpirun -np $$np =="; \
	  $(MPIRUN) -np $$np $(TESTBIN) --testing-library swift-testing --filter "^$$suite\\." || exit 1; \
	done; done

# Ranks on two hosts made of network namespaces (needs root and iproute2; see Tests/MultiHost).
test-multihost:
	swift build
	bash Tests/MultiHost/run.sh

run: build
	$(MPIRUN) -np $(NP) $(KDMC) run $(PRESET) --out $(OUT)
	@echo "report: $(abspath $(OUT))/report.html"

# The benchmark (not a test): kdmc bench beside the NumPy/SciPy comparator in bench/, each
# workload under the same mpirun -np $(NP); see bench/README.md. BENCH_ONLY=W1,W2 runs some rows.
bench-deps:
	@python3 -c 'import mpi4py' 2>/dev/null || python3 -m pip install mpi4py \
	  || python3 -m pip install --break-system-packages mpi4py

bench: build bench-deps
	python3 bench/run.py --np $(NP) $(if $(BENCH_ONLY),--only $(BENCH_ONLY))

clean:
	swift package clean
	rm -rf .build
