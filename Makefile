# mlv — build with `make`, test with `make test`, sanitizers with `make asan`.
#
#   make                 bin/git-mlv, bin/git-remote-mlv (and build/libmlv.a)
#   make doc             the manual pages (scdoc) in build/man/man1, man5
#   make install PREFIX=/usr/local    (programs, pages, and the bash completion)
#   make test            unit + end-to-end tests against bin/
#   make asan            the same programs with -fsanitize=address,undefined
#                        in build/asan/bin
#   make test-asan       the test suite against the sanitizer build
#   make check-layout    each folder includes only what docs/architecture.md allows

PREFIX ?= /usr/local
CC ?= cc
PKGS = libgit2 libcurl openssl inih jansson yaml-0.1
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

CFLAGS ?= -O2 -g
WARN = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wshadow -Wformat=2
ALL_CFLAGS = $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -Iinclude \
	$(shell pkg-config --cflags $(PKGS)) -DMLV_VERSION='"$(VERSION)"' $(EXTRA_CFLAGS) $(OBJ_CFLAGS)
LIBS = $(shell pkg-config --libs $(PKGS)) -lpthread -lm
LDFLAGS ?=
ALL_LDFLAGS = $(LDFLAGS) $(EXTRA_LDFLAGS)

O ?= build
BIN ?= bin

# One line per folder (docs/architecture.md): the core, the three
# capabilities and the lineage queries all go into libmlv.a; commands/ and
# the remote helper's main() are the programs on top.
HELPER_MAIN = remote-helper/git-remote-mlv.c
CORE_SRC = $(wildcard lib/*.c)
FILTER_SRC = $(wildcard filter/*.c)
HOOKS_SRC = $(wildcard hooks/*.c)
REMOTE_SRC = $(filter-out $(HELPER_MAIN),$(wildcard remote-helper/*.c))
LINEAGE_SRC = $(wildcard lineage/*.c)
CMD_SRC = $(wildcard commands/*.c)
HELPER_SRC = $(HELPER_MAIN)

LIB_SRC = $(CORE_SRC) $(FILTER_SRC) $(HOOKS_SRC) $(REMOTE_SRC) $(LINEAGE_SRC)
UNIT_SRC = $(wildcard tests/unit/test_*.c)

LIB_OBJ = $(LIB_SRC:%.c=$(O)/%.o)
CMD_OBJ = $(CMD_SRC:%.c=$(O)/%.o)
HELPER_OBJ = $(HELPER_SRC:%.c=$(O)/%.o)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)
# Test-only programs the end-to-end tests run (never installed).
TEST_TOOLS = $(O)/tests/store-tool

LIBMLV = $(O)/libmlv.a
PROGRAMS = $(BIN)/git-mlv $(BIN)/git-remote-mlv

# Manual pages: docs/man/NAME.S.scd becomes build/man/manS/NAME.S, in one
# place whichever build (optimized, sanitizer) runs them.
MAN_O = build/man
MAN_SRC = $(wildcard docs/man/*.scd)
MAN1 = $(patsubst docs/man/%.1.scd,$(MAN_O)/man1/%.1,$(filter %.1.scd,$(MAN_SRC)))
MAN5 = $(patsubst docs/man/%.5.scd,$(MAN_O)/man5/%.5,$(filter %.5.scd,$(MAN_SRC)))

all: $(PROGRAMS)

# git-mlv opens the pages of its own build tree (commands/help.c).
$(O)/commands/help.o: OBJ_CFLAGS = -DMLV_BUILD_BIN='"$(CURDIR)/$(BIN)"' \
	-DMLV_BUILD_MAN='"$(CURDIR)/$(MAN_O)"'

$(O)/%.o: %.c $(wildcard include/mlv/*.h) commands/builtin.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBMLV): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN)/git-mlv: $(CMD_OBJ) $(LIBMLV)
	@mkdir -p $(BIN)
	$(CC) $(ALL_CFLAGS) -o $@ $(CMD_OBJ) $(LIBMLV) $(ALL_LDFLAGS) $(LIBS)

$(BIN)/git-remote-mlv: $(HELPER_OBJ) $(LIBMLV)
	@mkdir -p $(BIN)
	$(CC) $(ALL_CFLAGS) -o $@ $(HELPER_OBJ) $(LIBMLV) $(ALL_LDFLAGS) $(LIBS)

$(O)/tests/%: tests/unit/%.c $(LIBMLV)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIBMLV) $(ALL_LDFLAGS) $(LIBS) \
		$(shell pkg-config --libs cmocka)

unit: $(UNIT_BIN) $(TEST_TOOLS)

$(MAN_O)/man1/%.1: docs/man/%.1.scd
	@mkdir -p $(dir $@)
	scdoc <$< >$@

$(MAN_O)/man5/%.5: docs/man/%.5.scd
	@mkdir -p $(dir $@)
	scdoc <$< >$@

doc: $(MAN1) $(MAN5)

install: $(PROGRAMS) doc install-completion
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(MAN1) $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 $(MAN5) $(DESTDIR)$(PREFIX)/share/man/man5/

# Where bash-completion looks for a `git-mlv` file when git's completion
# meets `git mlv` (under /usr/local/share, /usr/share, ~/.local/share or
# $XDG_DATA_DIRS): see contrib/completion/git-mlv.bash.
BASH_COMPLETION_DIR ?= $(PREFIX)/share/bash-completion/completions

install-completion:
	install -d $(DESTDIR)$(BASH_COMPLETION_DIR)
	install -m 0644 contrib/completion/git-mlv.bash $(DESTDIR)$(BASH_COMPLETION_DIR)/git-mlv

test: all unit doc
	MLV_BUILD=$(O) MLV_BIN=$(CURDIR)/$(BIN) tests/run-all.sh

asan:
	$(MAKE) O=build/asan BIN=build/asan/bin \
		EXTRA_CFLAGS='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' \
		EXTRA_LDFLAGS='-fsanitize=address,undefined' all unit

test-asan: asan doc
	MLV_BUILD=build/asan MLV_BIN=$(CURDIR)/build/asan/bin \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 tests/run-all.sh

check-layout:
	tests/check-layout.sh

# libFuzzer targets (clang) for the parsers; fuzz-run runs each for
# FUZZ_SECONDS on a copy of its corpus in tests/fuzz/corpus/.
FUZZ_SECONDS ?= 15
FUZZ_TARGETS = build/fuzz/fuzz_sidecar build/fuzz/fuzz_pointer build/fuzz/fuzz_expr
FUZZ_LIB_SRC = $(filter %/sidecar.c %/pointer.c %/buf.c %/error.c %/util.c \
	%/problems.c %/sha256.c %/expr.c %/ini.c,$(LIB_SRC))
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 \
	-D_GNU_SOURCE -Iinclude -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wno-missing-field-initializers

build/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB_SRC) $(wildcard include/mlv/*.h)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB_SRC) -linih -lcrypto

fuzz: $(FUZZ_TARGETS)

fuzz-run: fuzz
	tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf build bin

.PHONY: all unit doc install install-completion test asan test-asan check-layout clean fuzz fuzz-run
.DELETE_ON_ERROR:
