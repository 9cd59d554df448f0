# refugesim build.  GNU make; libraries found through pkg-config.
#   make                 release build of ./refugesim
#   make test            build and run every Criterion test (tests/test_*.c)
#   make asan            the test suite under AddressSanitizer + UBSan
#   make bench           build and run the benchmarks (tests/bench/)
#   make deps            apt-get install only what pkg-config cannot find
#   make deps-r / test-r R and rhdf5 (large, so apart) / the R reader test with them
#   make demo / check    deps, then build and run the default scenario / the tests
#   make docs            docs/report-first-page.png, the first page of a shipped report
#   make install PREFIX=/usr/local DESTDIR=   (and make uninstall, same variables)
#   make MPI=1           build with Open MPI (mpicc) for cluster sweeps

BUILD   ?= release
MPI     ?= 0
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
SHAREDIR ?= $(PREFIX)/share/refugesim
MANDIR  ?= $(PREFIX)/share/man
DOCDIR  ?= $(PREFIX)/share/doc/refugesim
PKG_CONFIG ?= pkg-config

CC      := gcc
ifeq ($(MPI),1)
  CC := mpicc
  BUILD_DIR := build/$(BUILD)-mpi
  HDF5_PC := hdf5-serial
  MPI_CPPFLAGS := -DRS_HAVE_MPI=1
else
  BUILD_DIR := build/$(BUILD)
  HDF5_PC := hdf5-serial
  MPI_CPPFLAGS :=
endif

PKGS     := gsl $(HDF5_PC) libcyaml
WARN     := -Wall -Wextra -Werror=int-conversion -Werror=incompatible-pointer-types -Werror=implicit-function-declaration -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CSTD     := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
GITREV   := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
VERSION  := 0.1.0

ifeq ($(BUILD),release)
  # Fat LTO objects: the program and the benchmark link with -flto (the
  # calendar and stream calls inline into the model: ~5% on M/M/1), test
  # binaries link the ordinary code in the same objects and stay quick.
  OPT := -O2 -g -flto=auto -ffat-lto-objects
  LTO_LDFLAGS := -flto=auto
else ifeq ($(BUILD),debug)
  OPT := -O0 -g3
else ifeq ($(BUILD),asan)
  OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
  SAN_LDFLAGS := -fsanitize=address,undefined
else ifeq ($(BUILD),fuzz)
  CC  := clang
  OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
  SAN_LDFLAGS := -fsanitize=address,undefined
else ifeq ($(BUILD),tsan)
  OPT := -O1 -g -fsanitize=thread
  SAN_LDFLAGS := -fsanitize=thread
else
  $(error BUILD must be release, debug, asan, tsan or fuzz)
endif

CPPFLAGS += -I. -Itests -Isim -Iexperiment -Imodels -Imodels/scenario -Imodels/queue -Imodels/points \
            -Ianalysis -Istudy -Icli $(MPI_CPPFLAGS) \
            -DRS_VERSION='"$(VERSION)"' -DRS_GIT_COMMIT='"$(GITREV)"' \
            -DRS_SCENARIO_DIR='"$(SHAREDIR)/scenarios"' \
            $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
CFLAGS   += $(CSTD) $(OPT) $(WARN) -fopenmp -MMD -MP
HDF5_LIBDIR := $(shell $(PKG_CONFIG) --variable=libdir $(HDF5_PC) 2>/dev/null)
LDLIBS   += $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lhdf5_hl -lm
LDFLAGS  += -fopenmp $(SAN_LDFLAGS) $(if $(HDF5_LIBDIR),-L$(HDF5_LIBDIR))
# The release program and benchmark link GSL, HDF5 and libcyaml from their
# static archives (Debian's -dev packages ship them), when all are there:
# the shared HDF5 brings 32 more shared libraries (curl, TLS, Kerberos, LDAP:
# its S3 driver, which refugesim never uses), so the program loaded 41 of
# them, and loading, relocating and lazily binding them was about 20 M
# instructions of every start (a sixth of a one-replication run).  Now 4:
# libc, libm, libgomp and the loader.  The test binaries link the shared
# libraries.  STATIC=0 links the program that way too.
STATIC  ?= $(if $(filter release,$(BUILD)),1,0)
cc_finds = $(filter /%,$(shell $(CC) -print-file-name=$(1) 2>/dev/null))
STATIC_ARCHIVES := libgsl.a libgslcblas.a libcyaml.a libyaml.a libsz.a libaec.a libz.a
HDF5_LDIRS := $(patsubst -L%,%,$(shell $(PKG_CONFIG) --libs-only-L $(HDF5_PC) 2>/dev/null))
STATIC_FOUND := $(foreach a,libhdf5.a libhdf5_hl.a $(STATIC_ARCHIVES),$(if $(strip $(foreach d,$(HDF5_LDIRS),$(wildcard $(d)/$(a))) $(call cc_finds,$(a))),$(a)))
ifeq ($(STATIC)-$(words $(STATIC_FOUND)),1-9)
  # HDF5's own dependencies (szip through libaec, zlib) are not in its .pc
  PROG_LDLIBS := -Wl,-Bstatic -lhdf5_hl $(shell $(PKG_CONFIG) --libs $(HDF5_PC) 2>/dev/null) \
                 $(filter-out -lm,$(shell $(PKG_CONFIG) --static --libs-only-l gsl libcyaml 2>/dev/null)) \
                 -lsz -laec -lz -Wl,-Bdynamic -lm -ldl
else
  PROG_LDLIBS := $(LDLIBS)
endif
TEST_CFLAGS := $(shell $(PKG_CONFIG) --cflags criterion 2>/dev/null)
TEST_LIBS   := $(shell $(PKG_CONFIG) --libs criterion 2>/dev/null)

LIB_SRC  := $(wildcard sim/*.c experiment/*.c models/*.c models/*/*.c analysis/*.c study/*.c) $(filter-out cli/main.c,$(wildcard cli/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD_DIR)/%.o)
MAIN_OBJ := $(BUILD_DIR)/cli/main.o
# The objects that say which build they are (--version, the results file's
# git_commit, the checkpoints' key) are rebuilt when the commit changes:
# the stamp is rewritten only then.
BUILD_ID := $(BUILD_DIR)/build-id
$(shell mkdir -p $(BUILD_DIR) && echo '$(VERSION) $(GITREV)' | cmp -s - $(BUILD_ID) \
        || echo '$(VERSION) $(GITREV)' > $(BUILD_ID))
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD_DIR)/tests/%)
BENCH_SRC := $(wildcard tests/bench/*.c)
BENCH_BIN := $(BUILD_DIR)/tests/bench/rsbench
PROGRAM  := refugesim$(if $(filter 1,$(MPI)),-mpi)


.PHONY: mpi-program
.PHONY: valgrind
.PHONY: all test asan tsan bench deps deps-r test-r demo check docs install uninstall clean lint fuzz fuzz-build
.DELETE_ON_ERROR:

all: $(PROGRAM)

# Release binaries sit at the top level so README commands stay short:
# ./refugesim, or ./refugesim-mpi for the MPI build.
ifeq ($(BUILD),release)
$(PROGRAM): $(BUILD_DIR)/$(PROGRAM)
	cp $< $@
else
$(PROGRAM): $(BUILD_DIR)/$(PROGRAM)
endif

$(BUILD_DIR)/$(PROGRAM): $(MAIN_OBJ) $(BUILD_DIR)/librefugesim.a
	$(CC) $(LDFLAGS) $(LTO_LDFLAGS) -o $@ $^ $(PROG_LDLIBS)

$(BUILD_DIR)/librefugesim.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD_DIR)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD_DIR)/tests/%: tests/%.c $(BUILD_DIR)/librefugesim.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(TEST_CFLAGS) $(CFLAGS) -fno-lto $(LDFLAGS) -o $@ $< $(BUILD_DIR)/librefugesim.a $(LDLIBS) $(TEST_LIBS)

$(BENCH_BIN): $(BENCH_SRC) $(BUILD_DIR)/librefugesim.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -DRS_BENCH_CFLAGS='"$(OPT)"' $(LDFLAGS) $(LTO_LDFLAGS) -o $@ $(BENCH_SRC) $(BUILD_DIR)/librefugesim.a $(PROG_LDLIBS)

# Every test binary runs even if an earlier one fails; the status is the worst.
# Tests find the program and scenarios through RS_ROOT / RS_PROGRAM.
# The release test run also builds the MPI program (when mpicc exists) so the
# tests can check that K ranks give the single-process bits.
ifeq ($(BUILD)-$(MPI),release-0)
MPI_TEST_PROGRAM := $(if $(shell command -v mpicc 2>/dev/null),$(CURDIR)/build/release-mpi/refugesim-mpi)
endif
mpi-program:
	$(if $(MPI_TEST_PROGRAM),$(MAKE) MPI=1 all)

test: $(TEST_BIN) $(BUILD_DIR)/$(PROGRAM) $(if $(MPI_TEST_PROGRAM),mpi-program)
	@status=0; log=$(BUILD_DIR)/tests/last-run.log; : > $$log; for t in $(TEST_BIN); do \
	  echo "== $$t"; RS_ROOT=$(CURDIR) RS_PROGRAM=$(CURDIR)/$(BUILD_DIR)/$(PROGRAM) \
	    RS_MPI_PROGRAM=$(MPI_TEST_PROGRAM) \
	    $$t --jobs=2 $(TEST_ARGS) > $$log.one 2>&1 || status=1; cat $$log.one; cat $$log.one >> $$log; \
	done; rm -f $$log.one; \
	sed -n 's/.*Synthesis: Tested: \([0-9]*\) | Passing: \([0-9]*\) | Failing: \([0-9]*\) | Crashing: \([0-9]*\).*/\2 \3 \4/p' $$log \
	  | awk -v st=$$status '{p+=$$1; f+=$$2+$$3} END {if (st && !f) f=1; printf "$(BUILD): %d passed, %d failed\n", p, f}'; \
	exit $$status

asan:
	$(MAKE) BUILD=asan test ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp

tsan:
	$(MAKE) BUILD=tsan test

# Every test binary under memcheck (debug build, Criterion workers followed):
# leaks and invalid accesses are errors.  Slow: minutes, not seconds.
# Tools the tests start through a shell (python, mpirun) are not traced; the
# program itself is then checked on its own commands.
VALGRIND ?= valgrind --quiet --error-exitcode=99 --leak-check=full \
  --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
  --trace-children=yes \
  --trace-children-skip='*python3*,*/sh,*mpirun*,*timeout'
VG_DIR := build/valgrind-out
valgrind:
	$(MAKE) BUILD=debug $(patsubst build/release/%,build/debug/%,$(TEST_BIN)) build/debug/$(PROGRAM)
	@status=0; for t in $(patsubst build/release/%,build/debug/%,$(TEST_BIN)); do \
	  echo "== valgrind $$t"; RS_ROOT=$(CURDIR) RS_PROGRAM=$(CURDIR)/build/debug/$(PROGRAM) \
	    $(VALGRIND) $$t --jobs=1 $(TEST_ARGS) || status=1; done; \
	rm -rf $(VG_DIR); mkdir -p $(VG_DIR); P=build/debug/$(PROGRAM); S=scenarios; \
	for c in "validate --reps 4" "run $$S/leicester-city-2021.yaml --reps 4 --services --groups" \
	         "sweep $$S/leicestershire-county.yaml --vary spaces=10,20 --reps 4 -o $(VG_DIR)/s.h5" \
	         "report $(VG_DIR)/s.h5 --csv $(VG_DIR)/csv" "rerun $(VG_DIR)/s.h5" \
	         "capacity $$S/mmcc.yaml --target refused_no_space<=0.05 --reps 4 --max 12" \
	         "check $$S/leicestershire-county-70.yaml" "check tests/bad_scenarios/multi_semantic.yaml"; do \
	  echo "== valgrind refugesim $$c"; $(VALGRIND) $$P $$c > $(VG_DIR)/last.log 2>&1; \
	  st=$$?; if [ $$st -eq 99 ]; then cat $(VG_DIR)/last.log; status=1; fi; done; \
	if [ $$status -eq 0 ]; then echo "valgrind: no errors, no leaks"; fi; exit $$status

# The bench also times the MPI program (built when mpicc exists).
bench: $(BENCH_BIN) $(BUILD_DIR)/$(PROGRAM) $(if $(MPI_TEST_PROGRAM),mpi-program)
	RS_ROOT=$(CURDIR) RS_PROGRAM=$(CURDIR)/$(BUILD_DIR)/$(PROGRAM) RS_MPI_PROGRAM=$(MPI_TEST_PROGRAM) \
	  $(BENCH_BIN) $(BENCH_ARGS)

# Fuzzing (libFuzzer, clang): every tests/fuzz/fuzz_*.c is one target, run for
# FUZZ_SECONDS each from the seed corpus tests/fuzz/corpus/<target>/ (plus
# the shipped scenarios for scenario targets).  New crashers land in
# tests/fuzz/crashes/; copy them to tests/fuzz/regressions/<target>/ once
# fixed so `make test` replays them for ever.
FUZZ_SECONDS ?= 20
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/tests/fuzz/%)
fuzz:
	$(MAKE) BUILD=fuzz fuzz-build
	@mkdir -p tests/fuzz/crashes build/fuzz/corpus
	@for b in $(FUZZ_BIN); do t=$$(basename $$b); c=build/fuzz/corpus/$$t; mkdir -p $$c; \
	  cp -n tests/fuzz/corpus/$$t/* $$c/ 2>/dev/null || true; \
	  case $$t in *scenario*) cp -n scenarios/*.yaml tests/bad_scenarios/*.yaml $$c/ 2>/dev/null || true;; esac; \
	  echo "== fuzzing $$t for $(FUZZ_SECONDS)s"; \
	  $$b -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	      -artifact_prefix=tests/fuzz/crashes/$$t- $$c > build/fuzz/$$t.log 2>&1; st=$$?; \
	  grep -E '^Done|^#[0-9]+ *DONE' build/fuzz/$$t.log | tail -n 1; \
	  if [ $$st -ne 0 ]; then tail -n 40 build/fuzz/$$t.log; echo "fuzz target $$t FAILED"; exit 1; fi; \
	done
ifeq ($(BUILD),fuzz)
fuzz-build: $(FUZZ_BIN)
build/fuzz/tests/fuzz/%: tests/fuzz/%.c $(BUILD_DIR)/librefugesim.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(BUILD_DIR)/librefugesim.a $(LDLIBS)
endif

# Every folder's include rules (ARCHITECTURE.md), e.g. sim/ and experiment/
# never include a model header, models/ never the results file.
lint:
	@sh tests/lint_includes.sh

# Debian packages for whatever pkg-config (or a header / command check) cannot find.
DEPS_PC  := gsl:libgsl-dev hdf5-serial:libhdf5-dev criterion:libcriterion-dev libcyaml:libcyaml-dev
SUDO     := $(shell [ "$$(id -u)" = 0 ] || command -v sudo >/dev/null 2>&1 && { [ "$$(id -u)" = 0 ] || echo sudo; })
deps:
	@missing=""; \
	command -v $(PKG_CONFIG) >/dev/null 2>&1 || missing="$$missing pkg-config"; \
	command -v gcc >/dev/null 2>&1 || missing="$$missing gcc"; \
	for p in $(DEPS_PC); do pc=$${p%%:*}; deb=$${p#*:}; \
	  $(PKG_CONFIG) --exists $$pc 2>/dev/null || missing="$$missing $$deb"; done; \
	[ -f /usr/include/Random123/philox.h ] || missing="$$missing librandom123-dev"; \
	command -v gnuplot >/dev/null 2>&1 || missing="$$missing gnuplot-nox"; \
	command -v h5diff >/dev/null 2>&1 || missing="$$missing hdf5-tools"; \
	/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1 || missing="$$missing python3-h5py"; \
	/usr/bin/python3 -c 'import pandas' >/dev/null 2>&1 || missing="$$missing python3-pandas"; \
	/usr/bin/python3 -c 'import tables' >/dev/null 2>&1 || missing="$$missing python3-tables"; \
	command -v mpicc >/dev/null 2>&1 || missing="$$missing libopenmpi-dev openmpi-bin"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){return 0;}' > /tmp/rs-fuzz-probe.c; \
	clang -fsanitize=fuzzer -fopenmp -o /tmp/rs-fuzz-probe /tmp/rs-fuzz-probe.c >/dev/null 2>&1 \
	  || missing="$$missing clang libclang-rt-14-dev libomp-14-dev"; rm -f /tmp/rs-fuzz-probe /tmp/rs-fuzz-probe.c; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "all dependencies present"; fi

# R with rhdf5, for the R reader test: large (R itself), so apart from deps.
# make test-r installs it and runs that test, failing (not skipping) without R.
deps-r:
	@if Rscript -e 'suppressMessages(library(rhdf5))' >/dev/null 2>&1; then echo "R and rhdf5 present"; \
	else echo "installing: r-base-core r-bioc-rhdf5"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	    --no-install-recommends r-base-core r-bioc-rhdf5; fi

test-r: deps-r $(BUILD_DIR)/tests/test_readers $(BUILD_DIR)/$(PROGRAM)
	RS_ROOT=$(CURDIR) RS_PROGRAM=$(CURDIR)/$(BUILD_DIR)/$(PROGRAM) RS_REQUIRE_R=1 \
	  $(BUILD_DIR)/tests/test_readers --filter='readers/rhdf5*' $(TEST_ARGS)

demo: deps
	$(MAKE) all
	./$(PROGRAM) run

# After deps, the rendering test may not skip for want of Chromium.
check: deps
	RS_REQUIRE_CHROMIUM=1 $(MAKE) test

# docs/report-first-page.png: the first page of the shipped comparison's
# HTML report (refugesim run: the county at 21 and at 70 spaces) as
# Chromium prints it to A4, rendered the way tests/test_render.c does.
docs: $(PROGRAM)
	@command -v chromium >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 \
	  || { echo "make docs needs chromium and poppler-utils: run make deps"; exit 1; }
	@mkdir -p docs
	d=$$(mktemp -d) && cd $$d && "$(CURDIR)/$(PROGRAM)" run -o county.h5 > /dev/null \
	  && "$(CURDIR)/$(PROGRAM)" report county.h5 --html county.html > /dev/null \
	  && sh "$(CURDIR)/tests/render_html.sh" county.html county.pdf county.png \
	  && pdftoppm -f 1 -l 1 -r 80 -png -singlefile county.pdf "$(CURDIR)/docs/report-first-page" \
	  && cd / && rm -rf $$d

# The program finds the installed scenarios relative to itself
# (BINDIR/../share/refugesim/scenarios), so PREFIX needs no rebuild.
# uninstall removes exactly what install wrote (directories it made stay).
install: $(PROGRAM)
	install -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(SHAREDIR)/scenarios/cluster" \
	  "$(DESTDIR)$(MANDIR)/man1" "$(DESTDIR)$(DOCDIR)/scenarios" "$(DESTDIR)$(DOCDIR)/analysis/examples" \
	  "$(DESTDIR)$(DOCDIR)/docs"
	install -m 755 $(BUILD_DIR)/$(PROGRAM) "$(DESTDIR)$(BINDIR)/$(PROGRAM)"
	install -m 644 scenarios/*.yaml scenarios/*.csv scenarios/README.md "$(DESTDIR)$(SHAREDIR)/scenarios/"
	install -m 755 scenarios/cluster/*.sbatch "$(DESTDIR)$(SHAREDIR)/scenarios/cluster/"
	install -m 644 scenarios/cluster/*.sh "$(DESTDIR)$(SHAREDIR)/scenarios/cluster/"
	install -m 644 cli/refugesim.1 "$(DESTDIR)$(MANDIR)/man1/refugesim.1"
	install -m 644 README.md "$(DESTDIR)$(DOCDIR)/README.md"
	install -m 644 docs/*.png "$(DESTDIR)$(DOCDIR)/docs/"
	install -m 644 scenarios/README.md "$(DESTDIR)$(DOCDIR)/scenarios/README.md"
	install -m 644 analysis/README.md "$(DESTDIR)$(DOCDIR)/analysis/README.md"
	install -m 755 analysis/examples/read_results.py "$(DESTDIR)$(DOCDIR)/analysis/examples/"

uninstall:
	rm -f "$(DESTDIR)$(BINDIR)/refugesim" "$(DESTDIR)$(BINDIR)/refugesim-mpi" \
	  "$(DESTDIR)$(MANDIR)/man1/refugesim.1"
	rm -rf "$(DESTDIR)$(SHAREDIR)" "$(DESTDIR)$(DOCDIR)"

clean:
	rm -rf build $(PROGRAM) $(PROGRAM)-mpi

$(addprefix $(BUILD_DIR)/,experiment/ex_ckpt.o analysis/an_h5.o study/study.o) $(MAIN_OBJ): $(BUILD_ID)
-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_BIN:=.d)
