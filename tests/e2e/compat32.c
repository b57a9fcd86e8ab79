// SPDX-License-Identifier: GPL-2.0
/*
 * The 32-bit ABI of /dev/irqbridge: built with -m32 -static and run in the
 * 64-bit test box, so every ioctl goes through the module's compat_ioctl
 * (compat_ptr_ioctl). The uapi structures must have the same layout as on
 * 64-bit (every __u64 at an 8-byte offset: i386 aligns them to 4 only), and
 * a whole run must count exactly through it.
 *
 * Prints "compat32: PASS ..." / "compat32: FAIL ..." lines; exit 0 only if
 * every check passed. Run by tests/e2e/guest/device_abi.sh.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "uapi/irqbridge.h"

/* The 64-bit layout, spelled out: a 32-bit build that differs fails here. */
_Static_assert(sizeof(void *) == 4, "build this with -m32");
_Static_assert(sizeof(struct irqbridge_info) == 64, "info layout");
_Static_assert(offsetof(struct irqbridge_info, ring_bytes) == 16, "info.ring_bytes");
_Static_assert(sizeof(struct irqbridge_config) == 56, "config layout");
_Static_assert(offsetof(struct irqbridge_config, burst) == IRQBRIDGE_CONFIG_SIZE_V1, "config v1");
_Static_assert(offsetof(struct irqbridge_config, period_ns) == 8, "config.period_ns");
_Static_assert(offsetof(struct irqbridge_config, source) == 32, "config.source");
_Static_assert(sizeof(struct irqbridge_stats) == 176, "stats layout");
_Static_assert(offsetof(struct irqbridge_stats, throttled) == 168, "stats.throttled");
_Static_assert(offsetof(struct irqbridge_stats, overlaps) == 160, "stats.overlaps");
_Static_assert(offsetof(struct irqbridge_stats, line_held) == 112, "stats.line_held");
_Static_assert(offsetof(struct irqbridge_stats, last_status) == 144, "stats.last_status");
_Static_assert(sizeof(struct irqbridge_irql_probe) == 584, "irql probe layout");
_Static_assert(sizeof(struct irqbridge_irql_probe) - 4 * sizeof(struct irqbridge_probe_step) ==
	       IRQBRIDGE_IRQL_PROBE_SIZE_V1, "irql probe v1");
_Static_assert(offsetof(struct irqbridge_irql_probe, steps) == 40, "irql probe steps");
_Static_assert(offsetof(struct irqbridge_stats, work_capped) == IRQBRIDGE_STATS_SIZE_V1, "stats v1");
_Static_assert(offsetof(struct irqbridge_stats, error) == 104, "stats.error");
_Static_assert(sizeof(struct irqbridge_cost) == 32, "cost layout");
_Static_assert(sizeof(struct irqbridge_record) == 112, "record layout");
_Static_assert(offsetof(struct irqbridge_ring_header, head) == 64, "ring head");
_Static_assert(offsetof(struct irqbridge_ring_header, tail) == 128, "ring tail");
_Static_assert(offsetof(struct irqbridge_ring_header, overruns) == 192, "ring overruns");

static int failures;

static void check(int ok, const char *what, long got)
{
	if (ok) {
		printf("compat32: PASS %s\n", what);
	} else {
		printf("compat32: FAIL %s (got %ld, errno %s)\n", what, got, strerror(errno));
		failures++;
	}
}

int main(void)
{
	enum { EVENTS = 200 };
	struct irqbridge_info info;
	struct irqbridge_config cfg;
	struct irqbridge_stats st;
	struct irqbridge_cost cost;
	uint64_t total = 0, n;
	int32_t efd;
	void *ring;
	int fd, ret;

	fd = open("/dev/irqbridge", O_RDWR | O_CLOEXEC);
	check(fd >= 0, "open /dev/irqbridge", fd);
	if (fd < 0)
		return 1;

	memset(&info, 0xcc, sizeof(info));
	ret = ioctl(fd, IRQBRIDGE_IOC_GET_INFO, &info);
	check(ret == 0, "GET_INFO", ret);
	check(info.abi_version == IRQBRIDGE_ABI_VERSION, "info.abi_version", (long)info.abi_version);
	check(info.record_size == sizeof(struct irqbridge_record), "info.record_size",
	      (long)info.record_size);
	check(info.ring_records && !(info.ring_records & (info.ring_records - 1)),
	      "info.ring_records a power of two", (long)info.ring_records);
	check(info.modes & (1u << IRQBRIDGE_MODE_TASKLET), "info.modes has tasklet", (long)info.modes);
	check(info.sources & (1u << IRQBRIDGE_SOURCE_TIMER), "info.sources has timer",
	      (long)info.sources);
	check(info.reserved == 0, "info.reserved 0", (long)info.reserved);
	check(info.ring_bytes >= IRQBRIDGE_RING_RECORDS_OFFSET +
				 (uint64_t)info.ring_records * sizeof(struct irqbridge_record),
	      "info.ring_bytes", (long)info.ring_bytes);

	ret = ioctl(fd, _IO(IRQBRIDGE_IOC_MAGIC, 0x7f), 0);
	check(ret == -1 && errno == ENOTTY, "unknown ioctl ENOTTY", ret);
	ret = ioctl(fd, IRQBRIDGE_IOC_GET_STATS, (void *)8);
	check(ret == -1 && errno == EFAULT, "bad pointer EFAULT", ret);

	memset(&cfg, 0, sizeof(cfg));
	cfg.size = sizeof(cfg);
	cfg.mode = IRQBRIDGE_MODE_TASKLET;
	cfg.period_ns = 1000000;
	cfg.events = EVENTS;
	cfg.source = IRQBRIDGE_SOURCE_TIMER;
	/* Two top halves per expiry: the appended field through compat. */
	cfg.burst = 2;
	cfg.reserved2 = 1;
	ret = ioctl(fd, IRQBRIDGE_IOC_CONFIGURE, &cfg);
	check(ret == -1 && errno == EINVAL, "CONFIGURE reserved2 set EINVAL", ret);
	cfg.reserved2 = 0;
	ret = ioctl(fd, IRQBRIDGE_IOC_CONFIGURE, &cfg);
	check(ret == 0, "CONFIGURE", ret);

	ring = mmap(NULL, (size_t)info.ring_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check(ring != MAP_FAILED, "mmap the ring", 0);
	efd = eventfd(0, EFD_CLOEXEC);
	ret = ioctl(fd, IRQBRIDGE_IOC_SET_EVENTFD, &efd);
	check(ret == 0, "SET_EVENTFD", ret);
	ret = ioctl(fd, IRQBRIDGE_IOC_START, 0);
	check(ret == 0, "START", ret);
	while (ret == 0 && total < EVENTS && read(efd, &n, sizeof(n)) == sizeof(n))
		total += n;
	check(total == EVENTS, "the eventfd counted every event", (long)total);
	ret = ioctl(fd, IRQBRIDGE_IOC_STOP, 0);
	check(ret == 0, "STOP", ret);

	memset(&st, 0xcc, sizeof(st));
	ret = ioctl(fd, IRQBRIDGE_IOC_GET_STATS, &st);
	check(ret == 0, "GET_STATS", ret);
	check(st.size == sizeof(st), "stats.size", (long)st.size);
	check(st.fired == EVENTS && st.counted == EVENTS, "stats fired == counted == events",
	      (long)st.counted);
	check(st.records == EVENTS && st.records_lost == 0, "stats.records", (long)st.records);
	check(st.error == 0 && st.work_capped == 0 && st.reserved == 0, "stats.error, work_capped",
	      (long)st.error);
	if (ring != MAP_FAILED) {
		const struct irqbridge_ring_header *hdr = ring;
		const struct irqbridge_record *last =
			(const void *)((const char *)ring + IRQBRIDGE_RING_RECORDS_OFFSET +
				       (EVENTS - 1) * sizeof(struct irqbridge_record));

		check(hdr->head == EVENTS, "ring head", (long)hdr->head);
		check(last->seq == EVENTS - 1, "the last record's seq", (long)last->seq);
	}

	memset(&cost, 0xcc, sizeof(cost));
	ret = ioctl(fd, IRQBRIDGE_IOC_GET_COST, &cost);
	check(ret == 0 && cost.size == sizeof(cost) && cost.reserved == 0 &&
		      cost.top_halves == EVENTS,
	      "GET_COST", (long)cost.top_halves);

	printf("compat32: %d failed\n", failures);
	return failures ? 1 : 0;
}
