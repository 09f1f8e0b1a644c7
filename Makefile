# naap: `make demo` and `make test` do all the set-up on a fresh Debian 12 machine.
BUILD_DIR ?= build
JOBS ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: setup configure build test demo bench fuzz clean

setup:
	@scripts/setup.sh

configure: setup
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) >/dev/null

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
