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
# -march=i486 -fpie) for -m32, next to an -march=i686 build of it. zlib
# and libdeflate for -m32 are Debian's i386 run-time libraries, linked by
# path (bench/install-deps.sh).
BENCH_LIB_OBJS_64 := $(patsubst %,$(B)/host/lib/%.cpp.o,inflate-host inflate gzip crc32 crc32-host)
BENCH_LIB_OBJS_32 := $(patsubst %,$(B)/stage/lib/%.cpp.o,inflate-stage inflate gzip crc32)
BENCH_I386_LIBS := $(I386_LIBZ) /usr/lib/i386-linux-gnu/libdeflate.so.0
BENCH_INFLATE := $(BENCH_DIR)/inflate-bench-64 $(BENCH_DIR)/inflate-bench-32

# The stage's decoder built for the i686, where GCC may use CMOV, for the
# -m32 table only: the stage is built for the i486 and does not carry it
# (the table shows why). Its entries are renamed: InflateRaw becomes
# InflateRawI686, InflateRawSse2 InflateRawSse2I686 (unused: the stage's
# own InflateRawSse2 is measured).
BENCH_I686_OBJ := $(BENCH_DIR)/inflate-stage-i686.o
BENCH_INFLATE_RAW := _ZN5bzelf10InflateRawEPKhjPhjNS_10InflateEndE
BENCH_INFLATE_RAW_I686 := _ZN5bzelf14InflateRawI686EPKhjPhjNS_10InflateEndE
BENCH_INFLATE_RAW_SSE2 := _ZN5bzelf14InflateRawSse2EPKhjPhjNS_10InflateEndE
BENCH_INFLATE_RAW_SSE2_I686 := _ZN5bzelf18InflateRawSse2I686EPKhjPhjNS_10InflateEndE
$(BENCH_I686_OBJ): lib/inflate-stage.cpp | $(B)/gen/asm-offsets.h
	@mkdir -p $(@D)
	$(STAGE_CXX) $(STAGE32_CXXFLAGS) -march=i686 -O2 -c -o $@.tmp $<
	$(STAGE_OBJCOPY) --redefine-sym $(BENCH_INFLATE_RAW)=$(BENCH_INFLATE_RAW_I686) \
	  --redefine-sym $(BENCH_INFLATE_RAW_SSE2)=$(BENCH_INFLATE_RAW_SSE2_I686) $@.tmp $@
	rm -f $@.tmp

.PHONY: bench-run bench-deps
bench-deps: $(BENCH_DIR)/.deps-ok
$(BENCH_DIR)/.deps-ok: bench/install-deps.sh
	@mkdir -p $(@D)
	./bench/install-deps.sh
	@touch $@

$(BENCH_DIR)/inflate-bench-64: bench/inflate-bench.cpp $(BENCH_LIB_OBJS_64)
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) -o $@ $< $(BENCH_LIB_OBJS_64) -lz -ldeflate
$(BENCH_DIR)/inflate-bench-32: bench/inflate-bench.cpp $(BENCH_LIB_OBJS_32) $(BENCH_I686_OBJ) | $(BENCH_DIR)/.deps-ok
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) -m32 -o $@ $< $(BENCH_LIB_OBJS_32) $(BENCH_I686_OBJ) $(BENCH_I386_LIBS)


bench-run: $(BENCH_DIR)/.deps-ok $(BZELF) $(BENCH_INFLATE)
	BZELF=$(BZELF) WORK=$(BENCH_DIR) KERNEL_DIR=$(B)/linux/kernel \
	  BENCH_RUNS=$(BENCH_RUNS) BENCH_REPS=$(BENCH_REPS) EXTRACT_RUNS=$(EXTRACT_RUNS) \
	  INFLATE_BENCHES="$(BENCH_INFLATE)" ./bench/run.sh
