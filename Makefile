# Postern top-level Makefile (GNU make, no autotools).
#
#   make                  build every library, program and daemon into build/
#   make check            install missing test packages, build with -Werror,
#                         run unit tests (plain and ASan/UBSan), fuzz targets
#                         for a short time, then the system tests
#   make install DESTDIR=DIR
#   make run              build and start a self-contained instance in ./run/
#
# Conventions (so that adding a file never means editing this file):
#   lib/NAME/*.c          -> build/lib/libNAME.a (except *_test.c, *_fuzz.c)
#   PROG/PROG.c exists    -> PROG is a program built from PROG/*.c
#   DIR/*_test.c          -> a unit test binary build/test/DIR/X_test, linked
#                            with every library (and, for a program directory,
#                            the program's objects other than PROG.o)
#   DIR/*_fuzz.c          -> a fuzz target (LLVMFuzzerTestOneInput), linked
#                            with tests/fuzz/driver.c for make check
# Commands listed in COMMANDS install into /usr/sbin, the rest of the programs
# are daemons and install into /usr/lib/postern.

SHELL := /bin/bash
.SUFFIXES:
.DELETE_ON_ERROR:

ifeq ($(SAN),1)
BUILD ?= build/san
else
BUILD ?= build
endif

CC ?= cc
WARN := -Wall -Wextra -Wformat=2 -Wshadow -Wvla -Wimplicit-fallthrough \
        -Wno-unused-parameter -Wno-format-nonliteral -Werror
HARDEN := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
LDHARDEN := -pie -Wl,-z,relro,-z,now -Wl,--as-needed
OPT ?= -O2 -g
ifeq ($(SAN),1)
HARDEN := -fPIE
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDHARDEN := -pie -fsanitize=address,undefined -Wl,--as-needed
endif

PKGS := libssl libcrypto libsasl2 libbsd libpcre2-8 lmdb libcdb
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -ldb -lresolv

# Link order: higher layers first.  Only directories that hold code count.
LIBORDER := server milter tls sasl dns global dict util
LIBS := $(foreach l,$(LIBORDER),$(if $(wildcard lib/$l/*.c),$l))
LIBA := $(foreach l,$(LIBS),$(BUILD)/lib/lib$l.a)
INCS := $(foreach l,$(LIBS),-Ilib/$l) -I$(BUILD)/gen

CFLAGS := -std=gnu17 $(OPT) $(WARN) $(HARDEN) $(INCS) $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS := $(LDHARDEN) $(EXTRA_LDFLAGS)
LDLIBS := -Wl,--start-group $(LIBA) -Wl,--end-group $(PKG_LIBS) -lcrypt

COMMANDS := postfix sendmail postdrop postqueue postsuper postcat postconf \
            postmap postalias postkick postlock postlog qshape postmulti

PROGRAMS := $(foreach d,$(patsubst %/,%,$(dir $(wildcard */*.c))),$(if $(wildcard $d/$d.c),$d))
PROGRAMS := $(sort $(PROGRAMS))

notest = $(filter-out %_test.c %_fuzz.c,$(1))
obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIB_SRCS = $(call notest,$(wildcard lib/$(1)/*.c))
PROG_SRCS = $(call notest,$(wildcard $(1)/*.c))
TEST_SRCS := $(wildcard lib/*/*_test.c) $(foreach p,$(PROGRAMS),$(wildcard $p/*_test.c))
TESTS := $(patsubst %.c,$(BUILD)/test/%,$(TEST_SRCS))
FUZZ_SRCS := $(wildcard lib/*/*_fuzz.c) $(foreach p,$(PROGRAMS),$(wildcard $p/*_fuzz.c))
FUZZERS := $(patsubst %.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
BINS := $(foreach p,$(PROGRAMS),$(BUILD)/bin/$p)

.PHONY: all deps tests fuzzers check install run clean
all: deps $(BINS)

deps:
	@sh mk/deps.sh

tests: $(TESTS)
fuzzers: $(FUZZERS)

# --- libraries ---------------------------------------------------------------
define lib_rule
$(BUILD)/lib/lib$(1).a: $(call obj,$(call LIB_SRCS,$(1)))
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach l,$(LIBS),$(eval $(call lib_rule,$l)))

# --- programs ----------------------------------------------------------------
define prog_rule
$(BUILD)/bin/$(1): $(call obj,$(call PROG_SRCS,$(1))) $(LIBA)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $(call obj,$(call PROG_SRCS,$(1))) $$(LDLIBS)
endef
$(foreach p,$(PROGRAMS),$(eval $(call prog_rule,$p)))

# --- unit tests and fuzz targets ---------------------------------------------
# A test in a program directory links the program's modules except its main.
topdir = $(firstword $(subst /, ,$(1)))
helper_objs = $(if $(filter lib,$(call topdir,$(1))),,$(call obj,$(filter-out $(call topdir,$(1))/$(call topdir,$(1)).c,$(call PROG_SRCS,$(call topdir,$(1))))))

define test_rule
$(BUILD)/$(2)/$(1): $(BUILD)/obj/$(1).o $(3) $(call helper_objs,$(1)) $(LIBA)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $$(LDLIBS)
endef
$(foreach t,$(TEST_SRCS:.c=),$(eval $(call test_rule,$t,test,)))
$(foreach t,$(FUZZ_SRCS:.c=),$(eval $(call test_rule,$t,fuzz,$(BUILD)/obj/tests/fuzz/driver.o)))

# --- objects -----------------------------------------------------------------
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# --- check -------------------------------------------------------------------
check:
	@sh mk/deps.sh check
	$(MAKE) --no-print-directory -j$$(nproc) all tests fuzzers
	$(MAKE) --no-print-directory -j$$(nproc) SAN=1 tests fuzzers
	@sh mk/testsetup.sh
	/usr/bin/python3 tests/run.py

# --- install -----------------------------------------------------------------
DESTDIR ?=
install: all
	sh mk/install.sh "$(DESTDIR)" "$(BUILD)" "$(COMMANDS)" "$(PROGRAMS)"

run: all
	sh mk/run.sh "$(BUILD)"

clean:
	rm -rf build
