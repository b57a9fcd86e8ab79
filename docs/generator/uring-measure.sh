#!/bin/sh
# Guest side of docs/data/reader-uring-6.12.json's runs: bottom_to_user per
# reader variant, same boot, untraced, the variants alternating.
CLI=/testbox/irqbridge
rc=0
insmod /testbox/irqbridge.ko || exit 1
for i in 1 2; do
	for v in read uring-read uring-mshot uring-poll; do
		$CLI compare --quiet --no-floor --modes tasklet,workqueue --events 3000 --period-us 500 \
			--warmup 50 --reader "$v" --json "/out/u-$v-$i.json" > "/out/u-$v-$i.txt" || rc=1
	done
done
rmmod irqbridge || rc=1
exit $rc
