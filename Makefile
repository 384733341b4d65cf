# WireSift build.  `make` builds build/wiresift; `make run` and `make test`
# first run contrib/setup.sh (packages, hugepages), then build and run.
# pkg-config is expanded lazily (=) so that `make run` on a machine without
# the libraries can install them before anything asks for their flags.

CC       ?= cc
BUILD    ?= build
PKGS      = libdpdk libhs libconfig jemalloc libpcap libpcre2-8 zlib
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
OPT      ?= -O2 -g
CFLAGS   += -std=gnu11 $(OPT) -Wall -Wextra -Werror -Wno-address-of-packed-member \
            -Wno-format-truncation \
            -D_GNU_SOURCE -I. $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDLIBS   += $(PKG_LIBS) -lm -lpthread $(EXTRA_LDFLAGS)

# Module sources; sensor/main.c holds main() and stays out of unit tests.
SRC_DIRS  = sensor capture detect rules export
SRCS      = $(filter-out sensor/main.c,$(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.c)))
OBJS      = $(SRCS:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ  = $(BUILD)/obj/sensor/main.o
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNITS     = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRCS = $(wildcard tests/tools/*.c)
TOOLS     = $(TOOL_SRCS:tests/tools/%.c=$(BUILD)/tools/%)

# Where `make bench` and coverage runs find the shared data (optional).
SHARED   ?= ../shared
RULESETS ?= $(SHARED)/rulesets
BENCH_PCAP ?= $(SHARED)/pcaps/mixed.pcap

.PHONY: all setup run test unit e2e tools bench clean install

all: $(BUILD)/wiresift

$(BUILD)/wiresift: $(OBJS) $(MAIN_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(OBJS) $(LDLIBS) -lcmocka

# Tools may use any module (rulecheck uses the rule front end).
$(BUILD)/tools/%: tests/tools/%.c $(OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(OBJS) $(LDLIBS)

tools: $(TOOLS)

setup:
	@sh contrib/setup.sh

run: setup
	@$(MAKE) --no-print-directory all tools
	@sh contrib/demo.sh

test: setup
	@$(MAKE) --no-print-directory all tools $(UNITS)
	@sh tests/run.sh

unit: all $(UNITS)
	@sh tests/run.sh unit

e2e: all tools
	@sh tests/run.sh e2e

bench: setup
	@$(MAKE) --no-print-directory all tools
	@sh contrib/bench.sh

clean:
	rm -rf $(BUILD)

-include $(OBJS:.o=.d) $(MAIN_OBJ:.o=.d)

# Fuzzing and sanitizers (tests/fuzz/README.md).  `make fuzz` builds the
# libFuzzer harnesses with clang into build/fuzz and runs each for
# FUZZ_SECONDS (FUZZ_TARGETS: a subset; FUZZ_JOBS: how many at once).
# `make asan` builds everything with ASan+UBSan into build/asan and runs the
# unit and end-to-end tests against it.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= rule decode match stream http
FUZZ_JOBS    ?= 1

.PHONY: fuzz asan
fuzz:
	@FUZZ_JOBS=$(FUZZ_JOBS) sh contrib/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

asan:
	@sh contrib/asan.sh
