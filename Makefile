# naap: `make demo` and `make test` do all the set-up on a fresh Debian 12 machine.
BUILD_DIR ?= build
JOBS ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release
# 1: the build is compiled with GCC profile feedback from a training run of an instrumented naap
# (scripts/pgo_train.sh, trained once per build directory); 0: without.
PGO ?= 1
PGO_DIR := $(abspath $(BUILD_DIR))/pgo

.PHONY: setup configure build test demo bench fuzz clean

setup:
	@scripts/setup.sh

configure: setup
ifeq ($(PGO),1)
	@scripts/pgo_train.sh $(PGO_DIR) $(JOBS)
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) -DNAAP_PGO=use \
	       -DNAAP_PGO_DIR=$(PGO_DIR)/profile >/dev/null
else
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) -DNAAP_PGO=off >/dev/null
endif

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS) --timeout 900

demo: build
	@scripts/demo.sh $(BUILD_DIR)/naap

bench: build
	@bench/run.sh $(BUILD_DIR)

# A longer libFuzzer run of the decoder (clang); CI only replays the checked-in corpus.
fuzz: setup
	@fuzz/run.sh $(or $(SECONDS_TO_FUZZ),300)

clean:
	rm -rf $(BUILD_DIR)
