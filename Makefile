# ppad — plain Makefile. Targets: all (lib + CLI), test, asan, bench, demo, fuzz, install, clean.
# Sources are discovered by folder: src/<layer>/*.c form libppad.a, src/cli/*.c the CLI.

CC       ?= cc
# OpenBLAS: Debian's OpenMP build (libopenblas-openmp-dev), so that BLAS and
# ppad's own OpenMP loops share one thread pool instead of spinning against
# each other on few cores. rpath pins that build at run time whatever the
# system's libopenblas.so.0 alternative points to.
BLAS_DIR ?= /usr/lib/x86_64-linux-gnu/openblas-openmp
BLAS_INC ?= /usr/include/x86_64-linux-gnu/openblas-openmp
PKGS     := libzip libpng libjpeg zlib json-c
PKG_CFLAGS := -I$(BLAS_INC) $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := -L$(BLAS_DIR) -Wl,-rpath,$(BLAS_DIR) -lopenblas $(shell pkg-config --libs $(PKGS))
ARCH     ?= -march=native
OPT      ?= -O2 -fvect-cost-model=dynamic
CFLAGS   ?= $(OPT) $(ARCH) -g
SAN      ?=
# -std=c11 (not gnu11) also keeps the compiler from contracting a*b+c into FMA,
# which the pixel-exact Pillow resize relies on.
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -fopenmp -Iinclude -Isrc $(PKG_CFLAGS) $(CFLAGS) $(SAN)
LDLIBS   += $(PKG_LIBS) -ldnnl -lunistring -lm -fopenmp $(SAN)
BUILD    ?= build

# ---- MPI (issue 14): with Open MPI found (pkg-config ompi-c, else mpicc --showme),
# src/base/dist.c is compiled with -DPPAD_MPI and the binary links libmpi; it
# still runs alone. `make PPAD_MPI=0` (or no Open MPI) builds the one-process layer.
PPAD_MPI ?= $(shell pkg-config --exists ompi-c 2>/dev/null && echo 1 || \
              { mpicc --showme:link >/dev/null 2>&1 && echo 1; } || echo 0)
ifeq ($(PPAD_MPI),1)
MPI_CFLAGS := -DPPAD_MPI $(shell pkg-config --cflags ompi-c 2>/dev/null || mpicc --showme:compile)
MPI_LIBS   := $(shell pkg-config --libs ompi-c 2>/dev/null || mpicc --showme:link)
ALL_CFLAGS += $(MPI_CFLAGS)
LDLIBS     += $(MPI_LIBS)
endif
# ---- end MPI ----

# every folder of src/ but cli/ is a layer of the library (see README "How it is built")
LIB_DIRS := base formats tokenizer image data synth clip ppad report
LIB_SRC  := $(foreach d,$(LIB_DIRS),$(wildcard src/$(d)/*.c))
CLI_SRC  := $(wildcard src/cli/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
# ---- DICOM (DCMTK) ---------------------------------------------------------
# src/image/*.cc (one file: dicom_read.cc) is C++ and joins the library.
# DCMTK's libraries are named explicitly (Debian 12's dcmtk.pc is broken):
# dcmdata parses, dcmjpeg (ijg8/12/16) / dcmjpls (CharLS) / dcmdata's RLE
# decode, oflog is silenced. -ffp-contract=off: no FMA, as in the C files.
CXX      ?= c++
DCMTK_LIBS := -ldcmjpls -ldcmjpeg -ldcmimage -ldcmimgle -ldcmdata -loflog -lofstd -lz -lstdc++
ALL_CXXFLAGS = -std=c++17 -Wall -Wextra -ffp-contract=off -Iinclude -Isrc $(CFLAGS) $(SAN)
LIB_CXX_SRC := $(wildcard src/image/*.cc)
LIB_OBJ  += $(LIB_CXX_SRC:%.cc=$(BUILD)/%.o)
LDLIBS   += $(DCMTK_LIBS)
$(BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) -MMD -MP -c $< -o $@
# ---- end DICOM -------------------------------------------------------------
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
# C unit tests live beside the layer they test (tests/unit/<layer>/test_*.c); binaries are flat
UNIT_SRC := $(wildcard tests/unit/*/test_*.c)
UNIT_BIN := $(addprefix $(BUILD)/tests/,$(basename $(notdir $(UNIT_SRC))))
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: all test asan bench demo clean fixtures
all: $(BUILD)/ppad $(UNIT_BIN) $(TOOL_BIN) $(BENCH_BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libppad.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	@rm -f $@ && ar rcs $@ $^

$(BUILD)/ppad: $(CLI_OBJ) $(BUILD)/libppad.a
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libppad.a $(LDLIBS)

vpath test_%.c $(sort $(dir $(UNIT_SRC)))
$(BUILD)/tests/%: %.c tests/unit/check.h $(BUILD)/libppad.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -Itests/unit -o $@ $< $(BUILD)/libppad.a $(LDLIBS)

$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libppad.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -o $@ $< $(BUILD)/libppad.a $(LDLIBS)

$(BUILD)/bench/%: bench/%.c bench/bench.h $(BUILD)/libppad.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libppad.a $(LDLIBS)

# Test fixtures (random-initialised CheXzero-layout checkpoints etc.), written by
# Debian's PyTorch. Made once per build folder.
FIXTURES := $(BUILD)/fixtures/.done
$(FIXTURES): tests/fixtures/make_fixtures.py tests/lib/clip_ref.py
	@mkdir -p $(BUILD)
	rm -rf $(BUILD)/fixtures.tmp
	/usr/bin/python3 tests/fixtures/make_fixtures.py $(BUILD)/fixtures.tmp
	touch $(BUILD)/fixtures.tmp/.done
	rm -rf $(BUILD)/fixtures && mv $(BUILD)/fixtures.tmp $(BUILD)/fixtures
fixtures: $(FIXTURES)

test: all $(FIXTURES)
	BUILD=$(BUILD) bash tests/run.sh

# AddressSanitizer + UBSan build in its own folder; runs the C unit tests and CLI tests.
ASAN_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
asan:
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g $(ARCH)" SAN="$(ASAN_SAN)" all fixtures
	BUILD=build-asan PPAD_ASAN=1 PPAD_SAN="$(ASAN_SAN)" ASAN_OPTIONS=detect_leaks=1 bash tests/run.sh

bench: all $(FIXTURES)
	BUILD=$(BUILD) bash bench/run.sh

demo:
	bash tools/demo.sh

# ---- install (README "Installing"): PREFIX (default /usr/local) and DESTDIR (staging root).
# bin/ppad, include/ppad.h, lib/libppad.a and lib/pkgconfig/ppad.pc; the library is static,
# so ppad.pc's Libs carry everything it links against (pkg-config --libs ppad is enough).
PREFIX  ?= /usr/local
DESTDIR ?=
PPAD_VERSION = $(shell sed -n 's/^\#define PPAD_VERSION "\(.*\)"/\1/p' include/ppad.h)
.PHONY: install uninstall
install: $(BUILD)/ppad $(BUILD)/libppad.a
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(BUILD)/ppad $(DESTDIR)$(PREFIX)/bin/ppad
	install -m 644 include/ppad.h $(DESTDIR)$(PREFIX)/include/ppad.h
	install -m 644 $(BUILD)/libppad.a $(DESTDIR)$(PREFIX)/lib/libppad.a
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
	  'Name: ppad' 'Description: PPAD anomaly detection in chest X-rays on a frozen CheXzero CLIP' \
	  'Version: $(PPAD_VERSION)' 'Cflags: -I$${includedir}' 'Libs: -L$${libdir} -lppad $(strip $(LDLIBS))' \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/ppad.pc
	chmod 644 $(DESTDIR)$(PREFIX)/lib/pkgconfig/ppad.pc
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/ppad $(DESTDIR)$(PREFIX)/include/ppad.h $(DESTDIR)$(PREFIX)/lib/libppad.a \
	  $(DESTDIR)$(PREFIX)/lib/pkgconfig/ppad.pc
# ---- end install

# ---- fuzzing (tests/fuzz/, README "Fuzzing"): libFuzzer targets built with clang,
# ASan and UBSan into build-fuzz/; the library is rebuilt there with the same
# sources, flags and LDLIBS (plus the sanitizers' coverage instrumentation).
FUZZ_CC  ?= clang
FUZZ_CXX ?= clang++
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build-fuzz/%,$(filter-out tests/fuzz/fuzz_common.c,$(wildcard tests/fuzz/fuzz_*.c)))
.PHONY: fuzz fuzz-bins
fuzz:
	$(MAKE) BUILD=build-fuzz CC=$(FUZZ_CC) CXX=$(FUZZ_CXX) CFLAGS="-O1 -g $(ARCH) -Wno-pass-failed" \
	  SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" fuzz-bins
fuzz-bins: $(FUZZ_BIN)
# linked by clang++: the library holds C++ (DCMTK's reader), whose UBSan checks
# (vptr) need the C++ half of the sanitizer runtime
build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.c tests/fuzz/fuzz_common.h build-fuzz/libppad.a
	$(CC) $(ALL_CFLAGS) -c -o $@.o $<
	$(CC) $(ALL_CFLAGS) -c -o $@.common.o tests/fuzz/fuzz_common.c
	$(CXX) -fopenmp $(SAN) -fsanitize=fuzzer -o $@ $@.o $@.common.o build-fuzz/libppad.a $(LDLIBS)
	rm -f $@.o $@.common.o
# ---- end fuzzing

clean:
	rm -rf build build-asan build-fuzz

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_BIN:=.d) $(TOOL_BIN:=.d) $(BENCH_BIN:=.d)
