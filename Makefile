# SPDX-License-Identifier: GPL-2.0
# rmapbench build. `make` → build/rmapbench, `make STATIC=1` → build/static/rmapbench,
# `make test` → every test, `make bench` → overhead benchmarks. V=1 shows the commands.

CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
ARCH     := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
VERSION  := 0.1.0

ifeq ($(STATIC),1)
OUT      := build/static
LDFLAGS  += -static
else
OUT      := build
endif
GEN      := build/gen
OBJ      := $(OUT)/obj

ifeq ($(V),1)
Q   :=
msg :=
else
Q   := @
msg  = @printf '  %-7s %s\n' "$(1)" "$(2)";
endif

# CFLAGS (optimisation, debug info) is the user's: `make CFLAGS=-O0` changes
# only that. What the build needs (warnings as errors, include paths, header
# dependencies) is in RMB_CFLAGS, added after it.
CFLAGS   ?= -O2 -g
# -Wno-format-truncation as in the kernel: snprintf truncation is intended
RMB_CFLAGS := -Wall -Wextra -Werror -Wno-format-truncation -std=gnu11 -D_GNU_SOURCE \
	    -DRMAPBENCH_VERSION='"$(VERSION)"' -I$(GEN) -Ibench -Iworkloads -Ibpf -Ireport
# nettle: its archive even in the dynamic build, like libperf below: one more
# shared library would add its mappings to every process, and so VMAs to the
# exact counts of workloads that fork (fork duplicates them all)
LIBS     := -lbpf -lelf -lz -lzstd -ljansson -linih -lgsl -lgslcblas -l:libnettle.a -lm -lpthread
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -I$(GEN) -Ibpf -Wall -Werror

# libperf: perf counters (bench/perfcount.c). Not packaged by Debian: built from
# linux-source-6.12's tools/lib/perf by scripts/build-libperf.sh into build/libperf
# (cached, shared by the dynamic and the STATIC=1 build; archives, so always static).
LIBPERF  := build/libperf
RMB_CFLAGS += -I$(LIBPERF)/include
ALL_CFLAGS = $(CFLAGS) $(RMB_CFLAGS) $(EXTRA_CFLAGS)
# -MMD -MP: each object's header dependencies, generated as it compiles
DEPFLAGS   = -MMD -MP -MF $(@:.o=.d)
LIBS     := $(LIBPERF)/lib/libperf.a $(LIBPERF)/lib/libapi.a $(LIBS)

SRCS     := $(wildcard bench/*.c) $(wildcard workloads/*.c) $(wildcard report/*.c)
OBJS     := $(patsubst %.c,$(OBJ)/%.o,$(SRCS))
BPF_SRCS := $(wildcard bpf/*.bpf.c)
SKELS    := $(patsubst bpf/%.bpf.c,$(GEN)/%.skel.h,$(BPF_SRCS))
# kept: objects depend on them through their .d files
.SECONDARY: $(SKELS) $(SKELS:.skel.h=.bpf.o)

.PHONY: all clean test check-tools unit-tests bench deps validate validate-exact validate-verdict soak
all: $(OUT)/rmapbench

# libperf (see LIBPERF above)
$(LIBPERF)/.stamp: scripts/build-libperf.sh
	$(call msg,LIBPERF,$(LIBPERF))
	$(Q)scripts/build-libperf.sh
$(OBJ)/bench/perfcount.o $(OUT)/rmapbench: | $(LIBPERF)/.stamp

$(OUT)/rmapbench: $(OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

# Every object waits for the skeletons to exist (order-only: a skeleton is
# generated before the first compile can need it); which skeletons and headers
# an object really uses comes from its .d file, so touching one .bpf.c or .h
# rebuilds its users only.
$(OBJ)/%.o: %.c | $(SKELS) $(GEN)/vmlinux.h
	$(Q)mkdir -p $(dir $@)
	$(call msg,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

# vmlinux.h is generated from the build machine's BTF, not checked in: CO-RE relocates
# every field access at load time, so the BPF objects run on any BTF kernel (6.1 to 6.18
# are tested), and a generated header cannot drift from the kernel it was taken from.
$(GEN)/vmlinux.h:
	$(Q)mkdir -p $(GEN)
	$(call msg,BTF,$@)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv $@.tmp $@

$(GEN)/%.bpf.o: bpf/%.bpf.c $(GEN)/vmlinux.h
	$(call msg,BPF,$<)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -MF $@.d -MT $@ -c $< -o $@.tmp.o && \
		$(BPFTOOL) gen object $@ $@.tmp.o && rm -f $@.tmp.o

$(GEN)/%.skel.h: $(GEN)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(notdir $*)_bpf > $@.tmp && mv $@.tmp $@

deps:
	$(Q)scripts/deps.sh

# Header dependencies of every object, skeleton and test (see DEPFLAGS)
-include $(OBJS:.o=.d) $(patsubst %.skel.h,%.bpf.o.d,$(SKELS))

# Unit tests: tests/unit/test_*.c (cmocka), each linked with every object but main.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))
LIB_OBJS  := $(filter-out $(OBJ)/bench/main.o,$(OBJS))

$(OUT)/tests/%: tests/unit/%.c $(LIB_OBJS)
	$(Q)mkdir -p $(dir $@)
	$(call msg,TEST,$@)
	$(Q)mkdir -p $(OBJ)/tests
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -MF $(OBJ)/tests/$*.d -MT $@ -o $@ $< $(LIB_OBJS) \
		-lcmocka $(LIBS)

unit-tests: $(UNIT_BINS)
-include $(patsubst tests/unit/%.c,$(OBJ)/tests/%.d,$(UNIT_SRCS))

# tests/run.sh runs unit binaries, then tests/integration/*.sh (the product),
# tests/tools/*.sh (tooling: ASan, valgrind, short fuzz) and tests/guest/*.sh
# (each: exit 0 pass, 77 skip with the reason on stdout, anything else fail).
# `make test` runs them all; `make check-tools` only the tooling checks.
test: deps
	$(Q)$(MAKE) --no-print-directory all unit-tests
	$(Q)$(MAKE) --no-print-directory STATIC=1 all
	$(Q)tests/run.sh

check-tools: deps
	$(Q)$(MAKE) --no-print-directory all unit-tests
	$(Q)TESTS=tests/tools/ tests/run.sh

bench: deps all
	$(Q)scripts/bench-overhead.sh

# Exact metrics have one value across repetitions, runs and boots (host and
# Debian 6.1/6.12 guests under TCG): hours. VALIDATE_EXACT_ARGS="--kernel host".
validate-exact: deps
	$(Q)scripts/validate-exact.sh $(VALIDATE_EXACT_ARGS)

# Long reliability soak (about an hour): default suite on the host and in the
# Debian guests, machine-state workloads alone, kill trials (docs/reliability.md).
# SOAK_ARGS="--host 3 --guest 1" for a short one.
soak: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory STATIC=1 all
	$(Q)scripts/soak.sh $(SOAK_ARGS)

# The verdict on real runs (docs/compare.md): host and guest A/A, real slowdowns, an
# exact change (docs/compare.md, "Validation on real runs"). Hours at the
# defaults; VALIDATE_VERDICT_ARGS="--host-pairs 3 --guest-pairs 2" for a short one.
validate-verdict: deps
	$(Q)scripts/validate-verdict.sh $(VALIDATE_VERDICT_ARGS)

validate: validate-exact validate-verdict

clean:
	$(call msg,CLEAN,build)
	$(Q)rm -rf build

# --- fuzzing and sanitizers ---
# docs/reliability.md. `make fuzz`: libFuzzer harnesses tests/fuzz/fuzz_*.c
# → build/fuzz/, linked against the project's own sources built by clang with
# ASan and UBSan (an archive: a harness pulls in only what it uses), run by
# scripts/fuzz.sh [SECONDS]. `make check-asan`: rmapbench and the unit tests
# with ASan and UBSan in build/asan/, then the unit tests and the host
# integration tests (tests/integration/*.sh with RMB=build/asan/rmapbench).
FUZZ_OUT     := build/fuzz
SAN_FLAGS    := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS  := -O1 -g $(SAN_FLAGS) -Wall -Wextra -Wno-unused-parameter -Wno-unknown-warning-option \
		-std=gnu11 -D_GNU_SOURCE -DRMAPBENCH_VERSION='"$(VERSION)"' -I$(GEN) -Ibench -Iworkloads \
		-Ibpf -Ireport -I$(LIBPERF)/include
FUZZ_OBJS    := $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(filter-out bench/main.c,$(SRCS)))
FUZZ_BINS    := $(patsubst tests/fuzz/%.c,$(FUZZ_OUT)/%,$(wildcard tests/fuzz/fuzz_*.c))

.PHONY: fuzz asan check-asan
fuzz: $(FUZZ_BINS)

$(FUZZ_OUT)/obj/%.o: %.c | $(SKELS) $(GEN)/vmlinux.h
	$(Q)mkdir -p $(dir $@)
	$(call msg,FUZZCC,$<)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
-include $(FUZZ_OBJS:.o=.d)

$(FUZZ_OUT)/librmapbench.a: $(FUZZ_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OUT)/librmapbench.a | $(LIBPERF)/.stamp
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -MMD -MP -MF $(FUZZ_OUT)/obj/$*.d -MT $@ -fsanitize=fuzzer \
		-o $@ $< $(FUZZ_OUT)/librmapbench.a $(LIBS)
-include $(patsubst tests/fuzz/%.c,$(FUZZ_OUT)/obj/%.d,$(wildcard tests/fuzz/fuzz_*.c))

# build/asan/rmapbench and build/asan/tests/test_*
asan:
	$(Q)$(MAKE) --no-print-directory OUT=build/asan EXTRA_CFLAGS="$(SAN_FLAGS)" \
		LDFLAGS="$(SAN_FLAGS)" build/asan/rmapbench unit-tests

# Sanitizer reports of every process, re-executed workload children
# included, land in build/asan/reports/: any file there fails check-asan.
SAN_REPORTS  := $(CURDIR)/build/asan/reports
check-asan: asan
	$(Q)bash tests/tools/asan_unit.sh
	$(Q)rm -rf $(SAN_REPORTS) && mkdir -p $(SAN_REPORTS)
	$(Q)RMB="$(CURDIR)/build/asan/rmapbench" RMAPBENCH_CHECK_ASAN=1 TESTS=integration/ \
		ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:log_path=$(SAN_REPORTS)/asan \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/fuzz/lsan.supp:print_suppressions=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$(SAN_REPORTS)/ubsan \
		tests/run.sh
	$(Q)if [ -n "$$(ls -A $(SAN_REPORTS))" ]; then \
		for f in $(SAN_REPORTS)/*; do echo "--- $$f"; head -n 40 "$$f"; done; \
		echo "check-asan: sanitizer reports in $(SAN_REPORTS)"; exit 1; fi
	$(Q)echo "check-asan: unit and host integration tests clean under ASan and UBSan"
