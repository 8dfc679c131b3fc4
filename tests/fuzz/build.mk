# Fuzzing (tests/fuzz/), included by the top Makefile: it supplies B,
# HOST_LIB_SRCS, TOOL_SRCS and the stage blobs ($(B)/host/blobs.o).
#
# Targets (one LLVMFuzzerTestOneInput each):
#   inflate  InflateRaw (lib/inflate*) against zlib, output ending at a guard page
#   kernel   ParseKernel, ChoosePlacement, BuildPayload (the build side)
#   image    ParseImage, ExtractKernel, `bzelf info` (the read side)
#
# Two builds of each, both with AddressSanitizer and UBSan:
#   $(FZ)/<target>-fuzz    libFuzzer; `make fuzz` runs each for FUZZ_SECONDS
#   $(FZ)/replay-<target>  a plain main() that feeds it every input of the
#                          committed corpus, the regressions and the
#                          generated seeds once (tests/fuzz/run.sh, make check)
# plus $(FZ)/bzelf-asan, the whole tool under the same sanitizers, for
# tests/malformed/run.sh, and $(FZ)/replay-inflate-32: the inflate target
# built -m32 around the boot stage's own decoder object (built for the
# i486, as the stage is), so that both of its entries (InflateRaw,
# InflateRawSse2) meet the same inputs and zlib's verdicts. It has no sanitizers (the stage object has none either); the
# output buffer's guard pages still catch a write past either end.
#
# Corpora: tests/fuzz/corpus/<target>/ (small, committed), generated seeds
# in $(FZ)/seeds/<target>/ (make-seeds.cpp), and inputs that once found a
# bug in tests/fuzz/regressions/<target>/. `make fuzz` adds what it finds
# to $(FZ)/corpus/<target>/ and leaves crashing inputs in
# $(FZ)/artifacts/<target>/.

# libFuzzer needs clang (and Debian's libclang-rt-14-dev); the replay
# builds that make check uses need only the host compiler's sanitizers.
FUZZ_CXX ?= clang++
REPLAY_CXX ?= $(CXX)
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := inflate kernel image

FZ := $(B)/fuzz
FZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FZ_CXXFLAGS := -std=c++20 -O1 -g -fno-omit-frame-pointer -Wall -Wextra \
  -Wno-missing-field-initializers -Ilib -Itools -Itests/unit -I$(B)/gen -MMD -MP
# The code under test, without tools/main.cpp.
FZ_LIB_SRCS := $(HOST_LIB_SRCS) $(TOOL_SRCS)
FZ_REPLAY_LIB_OBJS := $(patsubst %,$(FZ)/replay/%.o,$(FZ_LIB_SRCS))
FZ_FUZZ_LIB_OBJS := $(patsubst %,$(FZ)/libfuzzer/%.o,$(FZ_LIB_SRCS))

FZ_REPLAYS := $(patsubst %,$(FZ)/replay-%,$(FUZZ_TARGETS))
FZ_FUZZERS := $(patsubst %,$(FZ)/%-fuzz,$(FUZZ_TARGETS))
FZ_SEEDS := $(FZ)/seeds/.done
# Objects of tests/fuzz/ itself: kept, not removed as intermediates.
FZ_OWN_OBJS := $(foreach v,replay libfuzzer,$(patsubst tests/fuzz/%.cpp,$(FZ)/$(v)/tests/fuzz/%.cpp.o,$(wildcard tests/fuzz/*.cpp)))
.SECONDARY: $(FZ_OWN_OBJS)
FZ_BZELF_ASAN := $(FZ)/bzelf-asan

$(FZ)/replay/%.cpp.o: %.cpp | $(GEN_HEADERS)
	@mkdir -p $(@D)
	$(REPLAY_CXX) $(FZ_CXXFLAGS) $(FZ_SAN) -c -o $@ $<
$(FZ)/libfuzzer/%.cpp.o: %.cpp | $(GEN_HEADERS)
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(FZ_CXXFLAGS) $(FZ_SAN) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FZ)/replay-%: $(FZ)/replay/tests/fuzz/%-fuzz.cpp.o $(FZ)/replay/tests/fuzz/replay-main.cpp.o \
    $(FZ_REPLAY_LIB_OBJS) $(B)/host/blobs.o
	$(REPLAY_CXX) $(FZ_SAN) -o $@ $^ $(HOST_LDLIBS)
$(FZ)/%-fuzz: $(FZ)/libfuzzer/tests/fuzz/%-fuzz.cpp.o $(FZ_FUZZ_LIB_OBJS) $(B)/host/blobs.o
	$(FUZZ_CXX) $(FZ_SAN) -fsanitize=fuzzer -o $@ $^ $(HOST_LDLIBS)
$(FZ_BZELF_ASAN): $(FZ)/replay/tools/main.cpp.o $(FZ_REPLAY_LIB_OBJS) $(B)/host/blobs.o
	$(REPLAY_CXX) $(FZ_SAN) -o $@ $^ $(HOST_LDLIBS)

$(FZ)/make-seeds: $(FZ)/replay/tests/fuzz/make-seeds.cpp.o $(FZ_REPLAY_LIB_OBJS) $(B)/host/blobs.o
	$(REPLAY_CXX) $(FZ_SAN) -o $@ $^ $(HOST_LDLIBS)
$(FZ_SEEDS): $(FZ)/make-seeds
	rm -rf $(FZ)/seeds
	$(FZ)/make-seeds $(FZ)/seeds
	@touch $@

# zlib for -m32: I386_LIBZ (Makefile). 64-bit file offsets, or stat()
# fails on a file system with large inode numbers.
FZ_REPLAY32 := $(FZ)/replay-inflate-32
$(FZ)/replay32/%.cpp.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) -m32 -D_FILE_OFFSET_BITS=64 $(FZ_CXXFLAGS) -c -o $@ $<
$(FZ_REPLAY32): $(FZ)/replay32/tests/fuzz/inflate-fuzz.cpp.o \
    $(FZ)/replay32/tests/fuzz/replay-main.cpp.o $(B)/stage/lib/inflate.cpp.o \
    $(B)/stage/lib/inflate-stage.cpp.o
	$(CXX) -m32 -o $@ $^ $(I386_LIBZ)

TEST_DEPS += $(FZ_REPLAYS) $(FZ_SEEDS) $(FZ_BZELF_ASAN) $(FZ_REPLAY32)

.PHONY: fuzz-build fuzz-run
fuzz-build: $(FZ_FUZZERS) $(FZ_SEEDS)

# Each target in turn, one process: FUZZ_SECONDS of fuzzing, starting from
# every corpus we have. -malloc_limit_mb turns an absurd allocation (an
# ISIZE of 4 GiB taken at its word) into a finding.
fuzz-run: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FZ)/corpus/$$t $(FZ)/artifacts/$$t; \
	  echo "== fuzz $$t ($(FUZZ_SECONDS) s)"; \
	  dirs=""; \
	  for d in tests/fuzz/corpus/$$t tests/fuzz/regressions/$$t $(FZ)/seeds/$$t; do \
	    [ -d $$d ] && dirs="$$dirs $$d"; \
	  done; \
	  $(FZ)/$$t-fuzz -max_total_time=$(FUZZ_SECONDS) -malloc_limit_mb=1024 \
	    -artifact_prefix=$(FZ)/artifacts/$$t/ -print_final_stats=1 \
	    $(FZ)/corpus/$$t $$dirs || exit 1; \
	done

