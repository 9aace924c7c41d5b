# medkg — see README.md. Targets: all (./medkg), test, check (sanitizers),
# bench, demo, install PREFIX=..., clean, deps (Debian packages; needs root).

CC       ?= gcc
PREFIX   ?= /usr/local
PKGS     := sqlite3 libxml-2.0 libpcre2-8 libzstd libxxhash jansson spng libjpeg inih
OPT      ?= -O2 -g
# Recursive (=) so that pkg-config runs when compiling, not when make starts:
# 'make deps demo' installs the libraries first on a fresh machine.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
CFLAGS   += $(OPT) -std=c11 -Wall -Wextra -fopenmp -MMD -MP $(PKG_CFLAGS)
# libcsv ships no pkg-config file.
LDLIBS   += $(PKG_LIBS) -lcsv -fopenmp -lm

# Files compiled into the binary (common/embedded.c lists them).
EMBEDDED := umls_schema.sql data/context_lexicon.tsv data/lexicon/anatomy.txt

LIB_SRC  := $(wildcard common/*.c store/*.c extract/*.c link/*.c embed/*.c train/*.c pipeline/*.c)
CLI_SRC  := medkg.c $(wildcard cli/*.c)
TEST_SRC := $(wildcard tests/test_*.c) tests/testmain.c

OBJ      := $(patsubst %.c,build/%.o,$(LIB_SRC) $(CLI_SRC))
LIB_OBJ  := $(patsubst %.c,build/%.o,$(LIB_SRC))
TEST_OBJ := $(patsubst %.c,build/%.o,$(TEST_SRC))

ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: all test check asan-test bench demo install clean deps kill-test

all: medkg

medkg: $(OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# With 'make deps ...', install the libraries before compiling anything.
$(OBJ) $(TEST_OBJ): | $(filter deps,$(MAKECMDGOALS))

build/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

build/common/embedded.o: $(EMBEDDED)

build/tests/run_tests: $(TEST_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# Unit tests (C) and command-line tests (shell, running ./medkg on fixtures).
test: medkg build/tests/run_tests
	@tests/run.sh ./build/tests/run_tests ./medkg

# 'medkg build' and 'medkg ingest' killed with kill -9 at random moments
# and run again: the store and the export must equal an uninterrupted run's.
kill-test: medkg
	@sh tests/pipeline_kill.sh ./medkg

# The same tests with AddressSanitizer and UndefinedBehaviorSanitizer, in a
# separate build tree.
check:
	$(MAKE) OPT="-O1 -g $(ASAN_FLAGS)" asan-test

asan-test: build-asan/medkg build-asan/run_tests
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		tests/run.sh ./build-asan/run_tests ./build-asan/medkg

ASAN_OBJ      := $(patsubst %.c,build-asan/%.o,$(LIB_SRC) $(CLI_SRC))
ASAN_LIB_OBJ  := $(patsubst %.c,build-asan/%.o,$(LIB_SRC))
ASAN_TEST_OBJ := $(patsubst %.c,build-asan/%.o,$(TEST_SRC))

build-asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

build-asan/common/embedded.o: $(EMBEDDED)

build-asan/medkg: $(ASAN_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

build-asan/run_tests: $(ASAN_TEST_OBJ) $(ASAN_LIB_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

bench: medkg build/bench/negation_eval
	@bench/run.sh

# Negation quality on the NegEx test set (bench/negation.sh).
build/bench/negation_eval: build/bench/negation_eval.o $(LIB_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# 'make deps demo' must install before it builds.
demo: $(filter deps,$(MAKECMDGOALS)) medkg
	@scripts/demo.sh

deps:
	@scripts/deps.sh

install: medkg
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 medkg $(DESTDIR)$(PREFIX)/bin/medkg

clean:
	rm -rf build build-asan medkg

-include $(OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(ASAN_OBJ:.o=.d) $(ASAN_TEST_OBJ:.o=.d)
