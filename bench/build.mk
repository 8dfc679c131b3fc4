# Benchmarks (make bench -> bench-run): figures and ratios measured side by
# side in one run; nothing here passes or fails on time. See bench/README.md.
#   BENCH_RUNS    QEMU boots per variant, round robin (at least 5 for a median)
#   BENCH_REPS    timed inflate passes per decoder
#   EXTRACT_RUNS  timed runs of bzelf extract and of libdeflate-gunzip (at least 5)
BENCH_RUNS ?= 5
BENCH_REPS ?= 7
EXTRACT_RUNS ?= 21

BENCH_DIR := $(B)/bench

# The decoder under test is linked in as the very object the Makefile
# builds: the host tool's for -m64, the boot stage's (freestanding, -m32
# -march=i686 -fpie) for -m32. zlib and libdeflate for -m32 are Debian's
# i386 run-time libraries, linked by path (bench/install-deps.sh).
BENCH_LIB_OBJS_64 := $(patsubst %,$(B)/host/lib/%.cpp.o,inflate-host inflate gzip crc32 crc32-host)
BENCH_LIB_OBJS_32 := $(patsubst %,$(B)/stage/lib/%.cpp.o,inflate-stage inflate gzip crc32)
BENCH_I386_LIBS := $(I386_LIBZ) /usr/lib/i386-linux-gnu/libdeflate.so.0
BENCH_INFLATE := $(BENCH_DIR)/inflate-bench-64 $(BENCH_DIR)/inflate-bench-32

.PHONY: bench-run bench-deps
bench-deps: $(BENCH_DIR)/.deps-ok
$(BENCH_DIR)/.deps-ok: bench/install-deps.sh
	@mkdir -p $(@D)
	./bench/install-deps.sh
	@touch $@

$(BENCH_DIR)/inflate-bench-64: bench/inflate-bench.cpp $(BENCH_LIB_OBJS_64)
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) -o $@ $< $(BENCH_LIB_OBJS_64) -lz -ldeflate
$(BENCH_DIR)/inflate-bench-32: bench/inflate-bench.cpp $(BENCH_LIB_OBJS_32) | $(BENCH_DIR)/.deps-ok
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) -m32 -o $@ $< $(BENCH_LIB_OBJS_32) $(BENCH_I386_LIBS)

bench-run: $(BENCH_DIR)/.deps-ok $(BZELF) $(BENCH_INFLATE)
	BZELF=$(BZELF) WORK=$(BENCH_DIR) KERNEL_DIR=$(B)/linux/kernel \
	  BENCH_RUNS=$(BENCH_RUNS) BENCH_REPS=$(BENCH_REPS) EXTRACT_RUNS=$(EXTRACT_RUNS) \
	  INFLATE_BENCHES="$(BENCH_INFLATE)" ./bench/run.sh
