// SPDX-License-Identifier: GPL-2.0
/*
 * irqbridge: an interrupt of the module's own, through the generic IRQ layer.
 *
 * A one-interrupt irq_domain with a minimal irq_chip gives the module a real
 * Linux interrupt number (it shows in /proc/interrupts). The hrtimer raises
 * it with generic_handle_irq() from hard-IRQ context, as a demultiplexing
 * interrupt controller does for its children, so the handler registered
 * with request_threaded_irq() runs exactly as for a device: the IRQ core
 * calls the hard handler, and wakes the handler thread when it returns
 * IRQ_WAKE_THREAD. This is the timer source's way to the threaded mode
 * (PassiveHandling = TRUE).
 *
 * The chip has no mask register: like irq_sim it uses handle_simple_irq,
 * and each raise runs the hard handler once.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>

#include "irqbridge.h"

/**
 * struct irqbridge_irqchip - the module's interrupt controller
 * @fwnode:	names the domain
 * @domain:	one hwirq, number 0
 * @virq:	its Linux interrupt number
 * @session:	the session the interrupt belongs to, or NULL; set and
 *		cleared under that session's lock while its timer is not
 *		armed, read by the handlers
 *
 * Created at module load, destroyed at unload.
 */
struct irqbridge_irqchip {
	struct fwnode_handle *fwnode;
	struct irq_domain *domain;
	unsigned int virq;
	struct irqbridge_session *session;
};

static struct irqbridge_irqchip irqbridge_chip_state;

static void irqbridge_chip_noop(struct irq_data *d)
{
}

static struct irq_chip irqbridge_chip = {
	.name = "irqbridge",
	.irq_mask = irqbridge_chip_noop,
	.irq_unmask = irqbridge_chip_noop,
};

static int irqbridge_domain_map(struct irq_domain *d, unsigned int virq,
				irq_hw_number_t hw)
{
	irq_set_chip_and_handler(virq, &irqbridge_chip, handle_simple_irq);
	irq_set_noprobe(virq);
	return 0;
}

static const struct irq_domain_ops irqbridge_domain_ops = {
	.map = irqbridge_domain_map,
};

static irqreturn_t irqbridge_chip_hardirq(int irq, void *dev_id)
{
	struct irqbridge_irqchip *chip = dev_id;
	struct irqbridge_session *s = READ_ONCE(chip->session);

	if (!s)
		return IRQ_NONE;
	return irqbridge_top_half(s, 0);
}

static irqreturn_t irqbridge_chip_thread(int irq, void *dev_id)
{
	struct irqbridge_irqchip *chip = dev_id;
	struct irqbridge_session *s = READ_ONCE(chip->session);

	if (!s)
		return IRQ_NONE;
	return irqbridge_bh_thread_fn(s);
}

/**
 * irqbridge_irqchip_init() - create the domain and request its interrupt
 *
 * Return: 0 or a negative errno.
 */
int irqbridge_irqchip_init(void)
{
	struct irqbridge_irqchip *chip = &irqbridge_chip_state;
	int ret;

	chip->fwnode = irq_domain_alloc_named_fwnode("irqbridge");
	if (!chip->fwnode)
		return -ENOMEM;

	chip->domain = irq_domain_create_linear(chip->fwnode, 1,
						&irqbridge_domain_ops, chip);
	if (!chip->domain) {
		ret = -ENOMEM;
		goto err_free_fwnode;
	}

	chip->virq = irq_create_mapping(chip->domain, 0);
	if (!chip->virq) {
		ret = -EINVAL;
		goto err_remove_domain;
	}

	/*
	 * IRQF_ONESHOT keeps the handler pair together (and out of forced
	 * threading on PREEMPT_RT): the hard handler stays in hard-IRQ context.
	 */
	ret = request_threaded_irq(chip->virq, irqbridge_chip_hardirq,
				   irqbridge_chip_thread, IRQF_ONESHOT,
				   "irqbridge-irqchip", chip);
	if (ret)
		goto err_dispose_mapping;
	return 0;

err_dispose_mapping:
	irq_dispose_mapping(chip->virq);
err_remove_domain:
	irq_domain_remove(chip->domain);
err_free_fwnode:
	irq_domain_free_fwnode(chip->fwnode);
	return ret;
}

/**
 * irqbridge_irqchip_exit() - undo irqbridge_irqchip_init()
 */
void irqbridge_irqchip_exit(void)
{
	struct irqbridge_irqchip *chip = &irqbridge_chip_state;

	free_irq(chip->virq, chip);
	irq_dispose_mapping(chip->virq);
	irq_domain_remove(chip->domain);
	irq_domain_free_fwnode(chip->fwnode);
}

static bool irqbridge_irqchip_available(void)
{
	return true;
}

static int irqbridge_irqchip_attach(struct irqbridge_session *s)
{
	lockdep_assert_held(&s->lock);
	WRITE_ONCE(irqbridge_chip_state.session, s);
	return 0;
}

static void irqbridge_irqchip_raise(struct irqbridge_session *s)
{
	/* Hard-IRQ context with interrupts off, as a chained handler. */
	generic_handle_irq(irqbridge_chip_state.virq);
}

static void irqbridge_irqchip_detach(struct irqbridge_session *s)
{
	lockdep_assert_held(&s->lock);
	/* The timer is cancelled: wait for handlers still running, thread too. */
	synchronize_irq(irqbridge_chip_state.virq);
	WRITE_ONCE(irqbridge_chip_state.session, NULL);
}

const struct irqbridge_source_ops irqbridge_source_irqchip = {
	.source = IRQBRIDGE_SOURCE_IRQCHIP,
	.name = "irqchip",
	.available = irqbridge_irqchip_available,
	.attach = irqbridge_irqchip_attach,
	.raise = irqbridge_irqchip_raise,
	.detach = irqbridge_irqchip_detach,
};
