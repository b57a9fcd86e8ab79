# irqbridge: top-level build.
#
#   make demo     install what is missing, build, boot the test box, compare
#                 tasklet and workqueue; table on stdout, JSON, pictures and
#                 one self-contained page (index.html) in build/report
#   make check    every test: unit tests, then the module's end-to-end tests
#                 in the test box (ctest's summary is the last thing printed)
#   make bench    highest sustained rate per mode, top-half and reader costs,
#                 a rate sweep: build/report/bench.json, sweep.json, pictures;
#                 one more boot under TCG -icount gives the records overhead
#                 in guest instructions (records_overhead_icount)
#   make soak     every mode (or SOAK_MODES) for SOAK_SECONDS (default 600)
#                 at the rate bench found sustainable: exact counts, no loss,
#                 no slab growth
#   make lint     checkpatch, sparse/W=1 on every kernel, clang-tidy, ...
#   make sanitize the unit tests under ASan+UBSan, then TSan
#   make hotplug  CPU hotplug during per-CPU runs (outside check; part of
#                 make e2e on KERNEL=stable and stable-rt)
#   make docs-data  the measurements behind README.md and docs/ (test box
#                 boots: compare, per-CPU, bench, 1 CPU) into docs/data/
#   make docs     rewrite every generated block of the docs from docs/data/
#   make docs-check  fail if a generated block or a cited test is stale
#   make fuzz-full  the seeded fuzzer's full run (100,000 calls, 200 edu
#                 remove/rescan cycles, CPU hotplug; docs/reliability.md's
#                 docs/data/fuzz-debug.json comes from
#                 make fuzz-full KERNEL=debug IRQBRIDGE_DEBUG_SOURCE=stable)
#   make ratios   issue 16's P1 ratios: RATIO_RUNS (3) demo runs in one boot,
#                 median timer_to_user / cyclictest and the stage breakdown
#
# Variables: KERNEL=6.12|6.12-rt|6.1|stable|stable-rt|debug (test box kernel;
# stable = the newest Debian kernel, from Debian 13 backports), EVENTS, PERIOD_US,
# REPEAT, WARMUP, SMP (guest CPUs), DEMO_ARGS (more compare options, e.g.
# "--cpus all --modes all") for the demo run, BENCH_EVENTS,
# BENCH_ICOUNT_EVENTS (bench's -icount boot), SOAK_SECONDS,
# BUILD (build directory), IRQBRIDGE_CACHE (downloaded kernels),
# IRQBRIDGE_DEBUG_SOURCE=6.12|stable (KERNEL=debug's source: 6.12, CI's, by
# default; stable = the newest linux-source-X.Y of Debian 13 backports, 7.3
# in November 2026: tests/testbox/debug-kernel.sh).

KERNEL    ?= 6.12
EVENTS    ?= 2000
PERIOD_US ?= 1000
REPEAT    ?= 3
SMP       ?= 2
DEMO_ARGS ?=
WARMUP    ?= 50
BENCH_EVENTS ?= 2000
BENCH_ICOUNT_EVENTS ?= 4000
RATIO_RUNS ?= 3
SOAK_SECONDS ?= 600
PLOT      := userspace/tools/irqbridge-plot
BUILD     ?= build
REPORT    := $(BUILD)/report
KMOD_OUT  := $(BUILD)/kmod/$(KERNEL)
VERSION   := $(shell git describe --always --dirty --tags 2>/dev/null || echo 0.0.0-unknown)
TESTBOX   := tests/testbox/testbox.sh
export IRQBRIDGE_CACHE ?= $(HOME)/.cache/irqbridge

# Everything the build, the test box and the tests need, from Debian.
DEBS := build-essential cmake pkgconf gcc-12 libelf1 libssl3 zlib1g pahole \
	flex bison bc libssl-dev libelf-dev ccache \
	liburing-dev libcli11-dev nlohmann-json3-dev libfmt-dev libgtest-dev \
	qemu-system-x86 busybox-static cpio gzip python3 python3-jsonschema git dkms sparse shellcheck \
	debootstrap debian-archive-keyring util-linux \
	clang-format clang-tidy cppcheck perl rt-tests rtla gnuplot-nox chromium gcc-multilib

.PHONY: all deps kernel kmod userspace demo check unit e2e clean help \
	install dkms-install lint bench soak hotplug sanitize docs docs-data docs-check ratios \
	fuzz-full

all: kmod userspace

help:
	@sed -n '2,21p' Makefile | sed 's/^# \{0,1\}//'

deps:
	@missing=; for p in $(DEBS); do \
		dpkg-query -W -f='$${db:Status-Status}' $$p 2>/dev/null | grep -qx installed || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "deps: installing$$missing"; \
		[ "$$(id -u)" = 0 ] || { echo "deps: missing$$missing: run as root or install them" >&2; exit 1; }; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# Downloads (once, cached by version) the newest kernel of the series.
kernel: deps
	@tests/testbox/kernel.sh fetch $(KERNEL) >/dev/null

# The kernel resolved once for a whole recipe (tests/testbox/kernel.sh memo):
# each kmake.sh, run_e2e.sh and testbox.sh below it gets the answer from
# IRQBRIDGE_KERNEL_FETCHED instead of asking apt again (each fetch costs
# several seconds of apt-cache where apt keeps no binary cache).
MEMO = fetched=$$(tests/testbox/kernel.sh memo $(KERNEL)) && export IRQBRIDGE_KERNEL_FETCHED="$$fetched"

# stable/stable-rt build inside a cached Debian 13 root (kmake.sh).
kmod: kernel
	@$(MEMO) && eval "$$fetched" && \
	tests/testbox/kmake.sh $(KERNEL) $(CURDIR) -s W=1 IRQBRIDGE_VERSION=$(VERSION) modules && \
	mkdir -p $(KMOD_OUT) && cp irqbridge.ko $(KMOD_OUT)/ && echo "$$KREL" > $(KMOD_OUT)/release && \
	echo "kmod: $(KMOD_OUT)/irqbridge.ko for $$KREL" && \
	tests/testbox/kmake.sh $(KERNEL) $(CURDIR)/examples/edu-timer -s W=1 modules && \
	cp examples/edu-timer/edu_timer.ko $(KMOD_OUT)/ && \
	echo "kmod: $(KMOD_OUT)/edu_timer.ko (the worked port, docs/porting.md)" && \
	tests/testbox/kmake.sh $(KERNEL) $(CURDIR)/tests/verifier -s W=1 modules && \
	cp tests/verifier/irqbridge_planted.ko $(KMOD_OUT)/ && \
	echo "kmod: $(KMOD_OUT)/irqbridge_planted.ko (planted bugs for e2e.verifier, test only)"

userspace: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DIRQBRIDGE_E2E=ON -DIRQBRIDGE_KERNEL=$(KERNEL) >/dev/null
	@MAKEFLAGS= cmake --build $(BUILD) -j$$(nproc) -- --no-print-directory

demo: kmod userspace
	@mkdir -p $(REPORT)
	@echo "demo: booting the $(KERNEL) test box: $(EVENTS) events every $(PERIOD_US) us, tasklet then workqueue"
	@$(TESTBOX) --kernel $(KERNEL) --smp $(SMP) --out $(REPORT) --log $(REPORT)/console.log \
		--file $(KMOD_OUT)/irqbridge.ko --file $(BUILD)/userspace/irqbridge \
		-- 'insmod irqbridge.ko && irqbridge compare --quiet --events $(EVENTS) --period-us $(PERIOD_US) --repeat $(REPEAT) --warmup $(WARMUP) $(DEMO_ARGS) --json /out/compare.json > /out/compare.txt; rc=$$?; rmmod irqbridge; exit $$rc' \
		> $(REPORT)/testbox.log 2>&1 || \
		{ rc=$$?; tail -n 40 $(REPORT)/testbox.log; echo "demo: the test box failed ($$rc); full log: $(REPORT)/testbox.log" >&2; exit $$rc; }
	@cat $(REPORT)/compare.txt
	@echo
	@$(PLOT) $(REPORT)/compare.json | sed 's/^/demo: picture /'
	@userspace/tools/irqbridge-report $(REPORT)/compare.json | sed 's/^/demo: one page, pictures inline: /'
	@echo "demo: report $(REPORT)/compare.json, guest console $(REPORT)/console.log"

# In one boot: RATIO_RUNS demo runs (compare with the cyclictest floor),
# then the median ratios and stages (userspace/tools/irqbridge-ratios).
ratios: kmod userspace
	@mkdir -p $(REPORT)
	@echo "ratios: booting the $(KERNEL) test box: $(RATIO_RUNS) demo runs of $(EVENTS) events every $(PERIOD_US) us"
	@cut -d' ' -f1-3 /proc/loadavg > $(REPORT)/ratios-load-start.txt
	@$(TESTBOX) --kernel $(KERNEL) --smp $(SMP) --out $(REPORT) --log $(REPORT)/ratios-console.log --timeout 3000 \
		--file $(KMOD_OUT)/irqbridge.ko --file $(BUILD)/userspace/irqbridge \
		-- 'insmod irqbridge.ko && rc=0 && for i in $$(seq $(RATIO_RUNS)); do irqbridge compare --quiet --modes tasklet,workqueue --events $(EVENTS) --period-us $(PERIOD_US) --repeat $(REPEAT) --warmup $(WARMUP) $(DEMO_ARGS) --json /out/ratios-run$$i.json > /out/ratios-run$$i.txt || rc=$$?; done; rmmod irqbridge; exit $$rc' \
		> $(REPORT)/ratios-testbox.log 2>&1 || \
		{ rc=$$?; tail -n 40 $(REPORT)/ratios-testbox.log; echo "ratios: the test box failed ($$rc); full log: $(REPORT)/ratios-testbox.log" >&2; exit $$rc; }
	@userspace/tools/irqbridge-ratios --json $(REPORT)/ratios.json --load-start "$$(cat $(REPORT)/ratios-load-start.txt)" --command "make ratios KERNEL=$(KERNEL) EVENTS=$(EVENTS) PERIOD_US=$(PERIOD_US) REPEAT=$(REPEAT) RATIO_RUNS=$(RATIO_RUNS)" \
		$$(for i in $$(seq $(RATIO_RUNS)); do echo $(REPORT)/ratios-run$$i.json; done)
	@echo "ratios: $(REPORT)/ratios.json (with provenance), runs $(REPORT)/ratios-run*.json"

# In one boot: irqbridge bench (every mode), then a sweep of every mode.
bench: kmod userspace
	@mkdir -p $(REPORT)
	@echo "bench: booting the $(KERNEL) test box: every mode, $(BENCH_EVENTS) events per run (a few minutes under TCG)"
	@$(TESTBOX) --kernel $(KERNEL) --out $(REPORT) --log $(REPORT)/bench-console.log --timeout 3000 \
		--file $(KMOD_OUT)/irqbridge.ko --file $(BUILD)/userspace/irqbridge \
		-- 'insmod irqbridge.ko && irqbridge bench --quiet --modes all --events $(BENCH_EVENTS) --json /out/bench.json > /out/bench.txt && irqbridge sweep --quiet --modes all --events $(BENCH_EVENTS) --periods-us 1000,500,200,100,50,20,10 --json /out/sweep.json > /out/sweep.txt; rc=$$?; rmmod irqbridge; exit $$rc' \
		> $(REPORT)/bench-testbox.log 2>&1 || \
		{ rc=$$?; tail -n 40 $(REPORT)/bench-testbox.log; echo "bench: the test box failed ($$rc); full log: $(REPORT)/bench-testbox.log" >&2; exit $$rc; }
	@echo "bench: booting a 4-CPU test box: the reader on 1, 2 and 4 CPUs at once"
	@$(TESTBOX) --kernel $(KERNEL) --smp 4 --out $(REPORT) --log $(REPORT)/bench-cpus-console.log --timeout 1200 \
		--file $(KMOD_OUT)/irqbridge.ko --file $(BUILD)/userspace/irqbridge \
		-- 'insmod irqbridge.ko && irqbridge bench --quiet --scaling-only --modes tasklet --events $(BENCH_EVENTS) --json /out/bench-cpus.json > /out/bench-cpus.txt; rc=$$?; rmmod irqbridge; exit $$rc' \
		> $(REPORT)/bench-cpus-testbox.log 2>&1 || \
		{ rc=$$?; tail -n 40 $(REPORT)/bench-cpus-testbox.log; echo "bench: the 4-CPU test box failed ($$rc); full log: $(REPORT)/bench-cpus-testbox.log" >&2; exit $$rc; }
	@echo "bench: booting the test box under TCG -icount: the records overhead in guest instructions"
	@TESTBOX_ACCEL=tcg TESTBOX_ICOUNT=0 $(TESTBOX) --kernel $(KERNEL) --out $(REPORT) --log $(REPORT)/bench-icount-console.log --timeout 1500 \
		--file $(KMOD_OUT)/irqbridge.ko --file $(BUILD)/userspace/irqbridge \
		-- 'insmod irqbridge.ko && irqbridge bench --quiet --costs-only --modes tasklet --events $(BENCH_ICOUNT_EVENTS) --json /out/bench-icount.json > /out/bench-icount.txt; rc=$$?; rmmod irqbridge; exit $$rc' \
		> $(REPORT)/bench-icount-testbox.log 2>&1 || \
		{ rc=$$?; tail -n 40 $(REPORT)/bench-icount-testbox.log; echo "bench: the icount test box failed ($$rc); full log: $(REPORT)/bench-icount-testbox.log" >&2; exit $$rc; }
	@cat $(REPORT)/bench.txt
	@userspace/tools/irqbridge-bench-icount $(REPORT)/bench.json $(REPORT)/bench-icount.json
	@echo
	@cat $(REPORT)/bench-cpus.txt
	@echo
	@cat $(REPORT)/sweep.txt
	@$(PLOT) $(REPORT)/sweep.json | sed 's/^/bench: picture /'
	@echo "bench: $(REPORT)/bench.json, $(REPORT)/bench-cpus.json, $(REPORT)/bench-icount.json, $(REPORT)/sweep.json"

soak: kmod userspace
	@$(MEMO) && IRQBRIDGE_KERNEL=$(KERNEL) IRQBRIDGE_KO=$(CURDIR)/$(KMOD_OUT)/irqbridge.ko \
		IRQBRIDGE_CLI=$(CURDIR)/$(BUILD)/userspace/irqbridge \
		IRQBRIDGE_DEVICE_TEST=$(CURDIR)/$(BUILD)/tests/e2e/device_test \
		IRQBRIDGE_FUZZ=$(CURDIR)/$(BUILD)/tests/e2e/ioctl_fuzz \
		IRQBRIDGE_E2E_OUT=$(CURDIR)/$(REPORT) SOAK_SECONDS=$(SOAK_SECONDS) SOAK_MODES="$(SOAK_MODES)" \
		SOAK_BENCH=$$( [ -f $(REPORT)/bench.json ] && echo $(CURDIR)/$(REPORT)/bench.json ) \
		tests/e2e/run_e2e.sh soak

# Test boxes in parallel, one per host CPU (CHECK_JOBS): most scenarios wait
# on timers at 1 ms, so two boxes share two cores; the CPU-bound ones
# (e2e.fuzz, e2e.device_abi: RUN_SERIAL in tests/e2e/CMakeLists.txt) run alone.
CHECK_JOBS ?= $(shell nproc)
check: kmod userspace
	@$(MEMO) && cd $(BUILD) && ctest --output-on-failure -j$(CHECK_JOBS) -LE hotplug

# The artifacts of docs/data/ (docs/generator/data.sh: one test box boot per
# phase, then summarize.py), then the docs regenerated from them. Another
# KERNEL adds its own artifacts (KERNEL=6.12-rt: the RT column of
# docs/preempt-rt.md).
DOCSGEN := docs/generator
docs-data: kmod userspace
	@EVENTS=$(EVENTS) PERIOD_US=$(PERIOD_US) REPEAT=$(REPEAT) WARMUP=$(WARMUP) \
		BENCH_EVENTS=$(BENCH_EVENTS) BENCH_ICOUNT_EVENTS=$(BENCH_ICOUNT_EVENTS) $(DOCSGEN)/data.sh $(KERNEL) $(BUILD)
	@python3 $(DOCSGEN)/summarize.py --tests $(BUILD) --out docs/data
	@python3 $(DOCSGEN)/docsgen.py generate

# The test listing is refreshed first when the test binaries are built.
docs:
	@[ ! -x $(BUILD)/tests/e2e/device_test ] || python3 $(DOCSGEN)/summarize.py --tests $(BUILD) --out docs/data
	@python3 $(DOCSGEN)/docsgen.py generate

# Also a ctest (docs.check, label unit): part of make check and make unit.
docs-check:
	@python3 $(DOCSGEN)/docsgen.py check

unit: userspace
	@cd $(BUILD) && ctest --output-on-failure -L unit

# The unit tests built and run under ASan + UBSan, then under TSan (two
# build trees beside $(BUILD); the CLI is not built: it links statically).
SANITIZERS ?= address,undefined thread
sanitize: deps
	@set -e; for s in $(SANITIZERS); do \
		dir=$(BUILD)/sanitize-$$(echo $$s | tr , -); \
		echo "sanitize: unit tests under -fsanitize=$$s ($$dir)"; \
		cmake -S . -B $$dir -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIRQBRIDGE_SANITIZE=$$s \
			-DIRQBRIDGE_STATIC_CLI=OFF -DIRQBRIDGE_E2E=OFF >/dev/null; \
		MAKEFLAGS= cmake --build $$dir -j$$(nproc) --target unit_tests -- --no-print-directory >/dev/null; \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
			tests/sanitize/run.sh $$dir/tests/unit/unit_tests; \
	done

# Side by side as in make check (CHECK_JOBS; e2e.fuzz and e2e.device_abi
# alone): CI runs this on five kernels.
e2e: kmod userspace
	@$(MEMO) && cd $(BUILD) && ctest --output-on-failure -j$(CHECK_JOBS) -L e2e

# The fuzzer's full run (outside check; on KERNEL=debug CI runs a shorter
# share of the same seeded sequence): its summary with provenance is
# $(BUILD)/e2e/fuzz/fuzz-$(KERNEL).json, docs/data's copy.
fuzz-full: kmod userspace
	@$(MEMO) && cd $(BUILD) && IRQBRIDGE_FUZZ_FULL=1 ctest --output-on-failure -R '^e2e\.fuzz$$'

# CPU hotplug during per-CPU runs of every mode, on any KERNEL (outside
# check; make e2e runs it too on stable and stable-rt, where the kernel
# stays quiet: see tests/e2e/CMakeLists.txt).
hotplug: kmod userspace
	@$(MEMO) && cd $(BUILD) && ctest --output-on-failure -L hotplug

# On a real Debian/Ubuntu host with headers for the running kernel.
HOST_KDIR ?= /lib/modules/$(shell uname -r)/build
install: userspace
	$(MAKE) -C $(HOST_KDIR) M=$(CURDIR) IRQBRIDGE_VERSION=$(VERSION) modules modules_install
	depmod -a
	getent group irqbridge >/dev/null || groupadd --system irqbridge
	install -D -m 0644 kmod/udev/60-irqbridge.rules /etc/udev/rules.d/60-irqbridge.rules
	install -D -m 0755 $(BUILD)/userspace/irqbridge /usr/local/bin/irqbridge
	udevadm control --reload-rules 2>/dev/null || true

DKMS_VERSION := $(shell echo $(VERSION) | tr -c 'A-Za-z0-9.+~\n' '.')
dkms-install:
	rm -rf /usr/src/irqbridge-$(DKMS_VERSION)
	mkdir -p /usr/src/irqbridge-$(DKMS_VERSION)
	cp -a Kbuild kmod /usr/src/irqbridge-$(DKMS_VERSION)/
	sed 's/@VERSION@/$(DKMS_VERSION)/' dkms.conf > /usr/src/irqbridge-$(DKMS_VERSION)/dkms.conf
	dkms install -m irqbridge -v $(DKMS_VERSION)
	getent group irqbridge >/dev/null || groupadd --system irqbridge
	install -D -m 0644 kmod/udev/60-irqbridge.rules /etc/udev/rules.d/60-irqbridge.rules
	udevadm control --reload-rules 2>/dev/null || true

lint: deps userspace
	@tests/lint/lint.sh $(BUILD)

clean:
	@tests/testbox/kmake.sh $(KERNEL) $(CURDIR) -s clean 2>/dev/null || true
	@tests/testbox/kmake.sh $(KERNEL) $(CURDIR)/examples/edu-timer -s clean 2>/dev/null || true
	@tests/testbox/kmake.sh $(KERNEL) $(CURDIR)/tests/verifier -s clean 2>/dev/null || true
	rm -rf $(BUILD)
