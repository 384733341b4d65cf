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

# Every test, then every test again on the ASan/UBSan build (contrib/asan.sh).
test: setup
	@$(MAKE) --no-print-directory all tools $(UNITS)
	@sh tests/run.sh
	@sh contrib/asan.sh

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

# Installation (docs/operating.md: Installing).  `make install` copies the
# built sensor (it does not build: run `make` first) and its files; PREFIX
# and DESTDIR as usual, DESTDIR being a staging root for packaging.  Paths
# follow Debian: the sensor in sbin (it is a daemon that needs root), the
# configuration in /etc/wiresift whatever the PREFIX, the unit in
# /lib/systemd/system, gzipped man pages.  Configuration files (wiresift.conf,
# rules) that already exist and differ are never overwritten: the new
# version goes next to them as FILE.new.  The installed wiresift.conf names
# its files by absolute path under CONFDIR ("conf/..." becomes "CONFDIR/...").
PREFIX         ?= /usr/local
DESTDIR        ?=
SBINDIR        ?= $(PREFIX)/sbin
LIBEXECDIR     ?= $(PREFIX)/lib/wiresift
MANDIR         ?= $(PREFIX)/share/man
DOCDIR         ?= $(PREFIX)/share/doc/wiresift
SYSCONFDIR     ?= /etc
CONFDIR        ?= $(SYSCONFDIR)/wiresift
SYSTEMDUNITDIR ?= /lib/systemd/system
INSTALL        ?= install
CONF_FILES      = $(filter-out conf/wiresift.conf,$(wildcard conf/*.conf conf/*.config conf/rules/*.rules))
DOC_FILES       = README.md $(wildcard docs/*.md)

install:
	@test -x $(BUILD)/wiresift || { echo "install: $(BUILD)/wiresift is not built; run make first" >&2; exit 1; }
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(CONFDIR)/rules \
	    $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(DOCDIR)
	$(INSTALL) -m 0755 $(BUILD)/wiresift $(DESTDIR)$(SBINDIR)/wiresift
	$(INSTALL) -m 0755 contrib/wiresift-hugepages.sh $(DESTDIR)$(LIBEXECDIR)/wiresift-hugepages
	sed -e 's|/usr/sbin/wiresift|$(SBINDIR)/wiresift|g' -e 's|/usr/lib/wiresift/|$(LIBEXECDIR)/|g' \
	    -e 's|/etc/wiresift/|$(CONFDIR)/|g' -e 's|/etc/default/wiresift|$(SYSCONFDIR)/default/wiresift|g' \
	    contrib/wiresift.service > $(DESTDIR)$(SYSTEMDUNITDIR)/wiresift.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/wiresift.service
	gzip -9n < man/wiresift.8 > $(DESTDIR)$(MANDIR)/man8/wiresift.8.gz
	gzip -9n < man/wiresift.conf.5 > $(DESTDIR)$(MANDIR)/man5/wiresift.conf.5.gz
	chmod 0644 $(DESTDIR)$(MANDIR)/man8/wiresift.8.gz $(DESTDIR)$(MANDIR)/man5/wiresift.conf.5.gz
	$(INSTALL) -m 0644 $(DOC_FILES) $(DESTDIR)$(DOCDIR)/
	@set -e; \
	conf_put() { \
	    if [ ! -e "$$2" ]; then mv "$$1" "$$2"; echo "install: $$2"; \
	    elif cmp -s "$$1" "$$2"; then rm -f "$$1"; echo "install: $$2 (unchanged)"; \
	    else mv "$$1" "$$2.new"; \
	         echo "install: kept your $$2; the shipped version is $$2.new"; fi; \
	}; \
	sed -e 's|"conf/|"$(CONFDIR)/|g' -e 's|-c conf/wiresift.conf|-c $(CONFDIR)/wiresift.conf|g' \
	    conf/wiresift.conf > $(DESTDIR)$(CONFDIR)/.wiresift.conf.tmp; \
	chmod 0644 $(DESTDIR)$(CONFDIR)/.wiresift.conf.tmp; \
	conf_put $(DESTDIR)$(CONFDIR)/.wiresift.conf.tmp $(DESTDIR)$(CONFDIR)/wiresift.conf; \
	for f in $(CONF_FILES); do \
	    rel=$${f#conf/}; \
	    $(INSTALL) -d "$(DESTDIR)$(CONFDIR)/$$(dirname "$$rel")"; \
	    $(INSTALL) -m 0644 "$$f" "$(DESTDIR)$(CONFDIR)/$$rel.tmp"; \
	    conf_put "$(DESTDIR)$(CONFDIR)/$$rel.tmp" "$(DESTDIR)$(CONFDIR)/$$rel"; \
	done
