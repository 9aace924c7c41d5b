# medkg — see README.md. Targets: all (./medkg), test, check (sanitizers),
# fuzz, fuzz-smoke, fuzz-long (libFuzzer, clang), bench, bench-tools, demo,
# install PREFIX=..., clean, deps (Debian packages; needs root).

CC       ?= gcc
PREFIX   ?= /usr/local
PKGS     := sqlite3 libxml-2.0 libpcre2-8 libzstd libxxhash jansson spng libjpeg inih
OPT      ?= -O2 -g
# Recursive (=) so that pkg-config runs when compiling, not when make starts:
# 'make deps demo' installs the libraries first on a fresh machine.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
WARN     ?= -Wall -Wextra -Wshadow -Wmissing-prototypes -Wformat=2
# CI builds with WERROR=-Werror.
WERROR   ?=
CFLAGS   += $(OPT) -std=c11 $(WARN) $(WERROR) -fopenmp -MMD -MP $(PKG_CFLAGS)
# libcsv ships no pkg-config file.
LDLIBS   += $(PKG_LIBS) -lcsv -fopenmp -lm

# The build tree: build (./medkg), or build-asan for 'make check'. One set
# of rules serves both.
B        ?= build
ifeq ($(B),build)
MEDKG    := medkg
else
MEDKG    := $(B)/medkg
endif

# Files compiled into the binary (common/embedded.c lists them).
EMBEDDED := umls_schema.sql data/context_lexicon.tsv data/lexicon/anatomy.txt \
	train/python/arl_prepare.py data/lexicon/predicates.txt \
	data/lexicon/term_rules.tsv

LIB_SRC  := $(wildcard common/*.c store/*.c extract/*.c link/*.c embed/*.c train/*.c pipeline/*.c)
CLI_SRC  := medkg.c $(wildcard cli/*.c)
# The fuzz targets (fuzz/) are linked into the unit tests too, which replay
# their seeds and regression inputs.
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c) fuzz/fuzzhelp.c
TEST_SRC := $(wildcard tests/test_*.c) tests/testmain.c $(FUZZ_SRC)

OBJ      := $(patsubst %.c,$(B)/%.o,$(LIB_SRC) $(CLI_SRC))
LIB_OBJ  := $(patsubst %.c,$(B)/%.o,$(LIB_SRC))
TEST_OBJ := $(patsubst %.c,$(B)/%.o,$(TEST_SRC))

ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: all test check asan-test bench bench-tools demo install clean deps kill-test \
	fuzz fuzz-bin fuzz-smoke fuzz-long

all: $(MEDKG)

$(MEDKG): $(OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# With 'make deps ...', install the libraries before compiling anything.
$(OBJ) $(TEST_OBJ): | $(filter deps,$(MAKECMDGOALS))

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/common/embedded.o: $(EMBEDDED)

$(B)/tests/run_tests: $(TEST_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests (C) and command-line tests (shell, running ./medkg on fixtures).
test: $(MEDKG) $(B)/tests/run_tests $(B)/bench/ncbi_eval
	@tests/run.sh ./$(B)/tests/run_tests ./$(MEDKG)

# 'medkg build' and 'medkg ingest' killed with kill -9 at random moments
# and run again: the store and the export must equal an uninterrupted run's.
kill-test: $(MEDKG)
	@sh tests/pipeline_kill.sh ./$(MEDKG)

# The same tests with AddressSanitizer and UndefinedBehaviorSanitizer, in a
# separate build tree.
check:
	$(MAKE) B=build-asan OPT="-O1 -g $(ASAN_FLAGS)" asan-test

asan-test:
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $(MAKE) -s test

# Fuzz targets: one program per parser (fuzz/fuzz_NAME.c) built with clang,
# libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer into
# build-fuzz/fuzz/bin/NAME. 'make fuzz-smoke' runs each for FUZZ_S seconds
# (10); 'make fuzz-long' runs each, one at a time, to FUZZ_RUNS executions
# (1,000,000) or FUZZ_S seconds (1800), and prints a table of the figures.
FUZZ_CC      ?= clang
FUZZ_S       ?=
FUZZ_RUNS    ?= 1000000
FUZZ_NAMES   := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_OPT     := -O2 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined -DFUZZ_LIBFUZZER
fuzz:
	$(MAKE) B=build-fuzz CC=$(FUZZ_CC) OPT="$(FUZZ_OPT)" fuzz-bin

fuzz-bin: $(addprefix $(B)/fuzz/bin/,$(FUZZ_NAMES))

$(B)/fuzz/bin/%: $(B)/fuzz/fuzz_%.o $(B)/fuzz/fuzzhelp.o $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

fuzz-smoke: fuzz
	@sh fuzz/run.sh smoke $(FUZZ_S) $(FUZZ_NAMES)

fuzz-long: fuzz
	@FUZZ_RUNS=$(FUZZ_RUNS) sh fuzz/run.sh long $(FUZZ_S) $(FUZZ_NAMES)

# Benchmark programs (bench/*.c): generators of synthetic inputs and
# drivers of single library parts. The bench scripts build them with
# 'make bench-tools' and run them from $(B)/bench/.
BENCH_TOOLS := $(addprefix $(B)/bench/,gen_umls gen_mesh gen_kg gen_link gen_train neg_bench \
	negation_eval ncbi_eval insert_shapes)
bench-tools: $(BENCH_TOOLS)

$(B)/bench/gen_umls $(B)/bench/insert_shapes: $(B)/bench/%: $(B)/bench/%.o
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)
$(B)/bench/gen_mesh $(B)/bench/gen_kg: $(B)/bench/%: $(B)/bench/%.o
	$(CC) $(CFLAGS) -o $@ $^ -lm
$(B)/bench/gen_link $(B)/bench/gen_train: $(B)/bench/%: $(B)/bench/%.o
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) -lm
# drivers of library code link the library
$(B)/bench/neg_bench $(B)/bench/negation_eval $(B)/bench/ncbi_eval: $(B)/bench/%: $(B)/bench/%.o $(LIB_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

bench: $(MEDKG) bench-tools
	@bench/run.sh

# 'make deps demo' must install before it builds.
demo: $(filter deps,$(MAKECMDGOALS)) $(MEDKG)
	@scripts/demo.sh

deps:
	@scripts/deps.sh

install: $(MEDKG)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(MEDKG) $(DESTDIR)$(PREFIX)/bin/medkg

clean:
	rm -rf build build-asan build-fuzz medkg

-include $(OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(patsubst %,%.d,$(BENCH_TOOLS)) \
	$(patsubst %,$(B)/fuzz/fuzz_%.d,$(FUZZ_NAMES))
