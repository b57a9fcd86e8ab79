// SPDX-License-Identifier: GPL-2.0
/*
 * irqbridge: the table of interrupt sources, and the simplest one: the
 * hrtimer callback itself as the top half.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "irqbridge.h"

static bool irqbridge_timer_available(void)
{
	return true;
}

static int irqbridge_timer_raise(struct irqbridge_session *s)
{
	/* Already in hard-IRQ context: the callback is the top half. */
	irqbridge_top_half(s, 0);
	return 0;
}

static const struct irqbridge_source_ops irqbridge_source_timer = {
	.source = IRQBRIDGE_SOURCE_TIMER,
	.name = "timer",
	.available = irqbridge_timer_available,
	.raise = irqbridge_timer_raise,
};

static const struct irqbridge_source_ops *const irqbridge_sources[] = {
	&irqbridge_source_timer,
	&irqbridge_source_irqchip,
	&irqbridge_source_edu,
};

/**
 * irqbridge_source_lookup() - find a source by number
 * @source: IRQBRIDGE_SOURCE_*
 *
 * Return: its ops, or NULL for an unknown number.
 */
const struct irqbridge_source_ops *irqbridge_source_lookup(u32 source)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(irqbridge_sources); i++)
		if (irqbridge_sources[i]->source == source)
			return irqbridge_sources[i];
	return NULL;
}

/**
 * irqbridge_sources_available() - the sources usable right now
 *
 * Return: a mask with bit (1 << source) set for each.
 */
u32 irqbridge_sources_available(void)
{
	u32 mask = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(irqbridge_sources); i++)
		if (irqbridge_sources[i]->available())
			mask |= BIT(irqbridge_sources[i]->source);
	return mask;
}

static_assert(ARRAY_SIZE(irqbridge_sources) <= IRQBRIDGE_CATALOGUE_SOURCES);

/**
 * irqbridge_source_catalogue() - describe every source of the table
 * @cat: the reply of GET_CATALOGUE, zeroed by the caller
 *
 * Fills @cat->sources and @cat->nr_sources, one entry per source, marked
 * IRQBRIDGE_SOURCE_CAP_PRESENT when it is usable now.
 */
void irqbridge_source_catalogue(struct irqbridge_catalogue *cat)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(irqbridge_sources); i++) {
		const struct irqbridge_source_ops *src = irqbridge_sources[i];
		struct irqbridge_source_desc *d = &cat->sources[i];

		d->source = src->source;
		if (src->available())
			d->flags |= IRQBRIDGE_SOURCE_CAP_PRESENT;
		strscpy(d->name, src->name, sizeof(d->name));
	}
	cat->nr_sources = ARRAY_SIZE(irqbridge_sources);
}
