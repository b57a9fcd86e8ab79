// SPDX-License-Identifier: GPL-2.0
/*
 * irqbridge: interrupts of the module's own, through the generic IRQ layer.
 *
 * An irq_domain with one interrupt per possible CPU (of each set, below) and
 * a minimal irq_chip
 * gives the module real Linux interrupt numbers (they show in
 * /proc/interrupts). A session's hrtimer raises its interrupt with
 * generic_handle_irq() from hard-IRQ context, as a demultiplexing interrupt
 * controller does for its children, so the handler registered with
 * request_threaded_irq() runs exactly as for a device: the IRQ core calls
 * the hard handler, and wakes the handler thread when it returns
 * IRQ_WAKE_THREAD. This is the timer source's way to the threaded mode
 * (PassiveHandling = TRUE).
 *
 * One interrupt per CPU is what a multi-queue device has (a vector per
 * queue): each channel of a per-CPU run takes one, and its affinity is set
 * to the CPU whose timer raises it, so the handler thread follows.
 *
 * The chip behaves like a level-triggered controller with a mask register
 * (handle_level_irq): each line has a level (raised, not yet acknowledged by
 * the hard handler, which reads and clears it as the edu handler does the
 * device's status) and a mask bit that the IRQ core sets and clears through
 * irq_mask/irq_unmask. The core masks the line on entry; with IRQF_ONESHOT
 * it stays masked until the handler thread returns, as PassiveHandling
 * keeps the interrupt from firing again before the passive ISR is done. A
 * raise while the line is masked is held by the chip (line_held) and
 * delivered when the line is unmasked (line_redelivered), from a hard-IRQ
 * irq_work: a level line that is still asserted fires at unmask.
 *
 * A storm (irqbridge_config.burst > 1) gets a line of a second set, an
 * MSI-like one: edge (handle_edge_irq) on a chip flagged
 * IRQCHIP_ONESHOT_SAFE, as x86's PCI MSI chip is. The request is the same
 * (IRQF_ONESHOT, which keeps the hard handler out of forced threading), but
 * the IRQ core drops the flag for such a chip, so the line is not masked
 * while the thread runs: the next raise of the burst runs the hard handler
 * again at once, whose IRQ_WAKE_THREAD sets IRQTF_RUNTHREAD again, and the
 * thread's next pass takes every top half counted meanwhile (a batch). This
 * is where the threaded mode departs from PassiveHandling, whose ISR the
 * interrupt cannot preempt: a level line that must stay masked cannot
 * storm, an MSI can (the edu device's threaded mode is the same, see
 * irqbridge_edu.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irq_work.h>
#include <linux/irqdomain.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include "compat.h"
#include "irqbridge.h"

/**
 * struct irqbridge_chip_line - one interrupt of the domain
 * @virq:	its Linux interrupt number, 0 if not mapped
 * @session:	the session it belongs to, or NULL; set and cleared under
 *		irqbridge_chip_lock and that session's lock while its timer is
 *		not armed, read by the handlers
 * @lock:	protects @level and @masked, the chip's "hardware" state
 * @level:	raised and not yet acknowledged by the hard handler
 * @masked:	the chip's mask bit, set and cleared by the IRQ core
 * @redeliver:	hard-IRQ irq_work that delivers a raise held while masked
 * @storm:	an MSI-like line of the storm set (not masked while its thread
 *		runs); constant after irqbridge_irqchip_init()
 */
struct irqbridge_chip_line {
	unsigned int virq;
	bool storm;
	struct irqbridge_session *session;
	raw_spinlock_t lock; /* see above: @level and @masked */
	bool level;
	bool masked;
	struct irq_work redeliver;
};

/**
 * struct irqbridge_irqchip - the module's interrupt controller
 * @fwnode:	names the domain
 * @domain:	2 * @nr hwirqs, numbered from 0
 * @lines:	2 * @nr interrupts, the handlers' dev_id: @nr level lines
 *		(PassiveHandling), then @nr MSI-like storm lines
 * @nr:		number of lines of each set: the possible CPUs
 *
 * Created at module load, destroyed at unload; only @lines[].session
 * changes in between (see struct irqbridge_chip_line).
 */
struct irqbridge_irqchip {
	struct fwnode_handle *fwnode;
	struct irq_domain *domain;
	struct irqbridge_chip_line *lines;
	unsigned int nr;
};

static struct irqbridge_irqchip irqbridge_chip_state;
/* Serialises attach and detach: which session owns which line. */
static DEFINE_MUTEX(irqbridge_chip_lock);

static void irqbridge_chip_mask(struct irq_data *d)
{
	struct irqbridge_chip_line *line = irq_data_get_irq_chip_data(d);

	raw_spin_lock(&line->lock);
	line->masked = true;
	raw_spin_unlock(&line->lock);
}

/*
 * Called by the IRQ core with the descriptor's lock held: a line still
 * asserted cannot be handled from here, so a hard-IRQ irq_work does it.
 */
static void irqbridge_chip_unmask(struct irq_data *d)
{
	struct irqbridge_chip_line *line = irq_data_get_irq_chip_data(d);
	bool fire;

	raw_spin_lock(&line->lock);
	line->masked = false;
	fire = line->level;
	raw_spin_unlock(&line->lock);
	if (fire)
		irq_work_queue(&line->redeliver);
}

/* A level held while masked: the line fires now that it is unmasked. */
static void irqbridge_chip_redeliver(struct irq_work *work)
{
	struct irqbridge_chip_line *line =
		container_of(work, struct irqbridge_chip_line, redeliver);
	struct irqbridge_session *s = READ_ONCE(line->session);
	bool fire;

	raw_spin_lock(&line->lock);
	fire = line->level && !line->masked;
	raw_spin_unlock(&line->lock);
	if (!fire)
		return;
	if (s)
		atomic_long_inc(&s->run.line_redelivered);
	generic_handle_irq(line->virq);
}

/*
 * Nothing to program: the line is raised by the timer of the CPU it is
 * routed to. Recording the mask is what moves the handler thread there.
 */
static int irqbridge_chip_set_affinity(struct irq_data *d,
				       const struct cpumask *mask, bool force)
{
	irq_data_update_effective_affinity(d, mask);
	return IRQ_SET_MASK_OK;
}

static struct irq_chip irqbridge_chip = {
	.name = "irqbridge",
	.irq_mask = irqbridge_chip_mask,
	.irq_unmask = irqbridge_chip_unmask,
	.irq_set_affinity = irqbridge_chip_set_affinity,
};

/* An MSI is a message: nothing to acknowledge at the controller. */
static void irqbridge_chip_ack(struct irq_data *d)
{
}

/*
 * The storm set: MSI-like, so the IRQ core needs no mask between the hard
 * handler and the end of the thread (IRQCHIP_ONESHOT_SAFE).
 */
static struct irq_chip irqbridge_chip_storm = {
	.name = "irqbridge-msi",
	.irq_ack = irqbridge_chip_ack,
	.irq_mask = irqbridge_chip_mask,
	.irq_unmask = irqbridge_chip_unmask,
	.irq_set_affinity = irqbridge_chip_set_affinity,
	.flags = IRQCHIP_ONESHOT_SAFE,
};

static int irqbridge_domain_map(struct irq_domain *d, unsigned int virq,
				irq_hw_number_t hw)
{
	struct irqbridge_irqchip *chip = d->host_data;

	irq_set_chip_data(virq, &chip->lines[hw]);
	if (chip->lines[hw].storm)
		irq_set_chip_and_handler(virq, &irqbridge_chip_storm,
					 handle_edge_irq);
	else
		irq_set_chip_and_handler(virq, &irqbridge_chip,
					 handle_level_irq);
	/*
	 * The module routes each line to the CPU whose timer raises it:
	 * irqbalance or a write to /proc/irq/N/smp_affinity (-EPERM now) would
	 * silently move the handler thread away and break the per-CPU claim.
	 */
	irq_set_status_flags(virq, IRQ_NO_BALANCING);
	irq_set_noprobe(virq);
	/*
	 * Affinity takes effect at once: no hardware vector to move, so no
	 * need to wait for the next interrupt as x86 otherwise would.
	 */
	irq_set_status_flags(virq, IRQBRIDGE_IRQ_MOVE_PCNTXT);
	return 0;
}

static const struct irq_domain_ops irqbridge_domain_ops = {
	.map = irqbridge_domain_map,
};

static irqreturn_t irqbridge_chip_hardirq(int irq, void *dev_id)
{
	struct irqbridge_chip_line *line = dev_id;
	struct irqbridge_session *s;
	bool level;

	/* Read and clear the line's state first, as a device's status. */
	raw_spin_lock(&line->lock);
	level = line->level;
	line->level = false;
	raw_spin_unlock(&line->lock);
	if (!level)
		return IRQ_NONE;
	s = READ_ONCE(line->session);
	if (!s)
		return IRQ_HANDLED;
	return irqbridge_top_half(s, 0);
}

static irqreturn_t irqbridge_chip_thread(int irq, void *dev_id)
{
	struct irqbridge_chip_line *line = dev_id;
	struct irqbridge_session *s = READ_ONCE(line->session);
	bool masked;

	if (!s)
		return IRQ_NONE;
	/*
	 * PassiveHandling: the line stays masked while the passive ISR runs,
	 * as the IRQ core records it and as the chip's mask bit says; a storm
	 * line is not (thread_unmasked).
	 */
	raw_spin_lock_irq(&line->lock);
	masked = line->masked;
	raw_spin_unlock_irq(&line->lock);
	if (masked && irqd_irq_masked(irq_get_irq_data(irq)))
		atomic_long_inc(&s->run.thread_masked);
	else
		atomic_long_inc(&s->run.thread_unmasked);
	return irqbridge_bh_thread_fn(s);
}

static void irqbridge_chip_lines_free(struct irqbridge_irqchip *chip)
{
	unsigned int i;

	for (i = 2 * chip->nr; i-- > 0;) {
		struct irqbridge_chip_line *line = &chip->lines[i];

		if (!line->virq)
			continue;
		free_irq(line->virq, line);
		irq_work_sync(&line->redeliver);
		irq_dispose_mapping(line->virq);
		line->virq = 0;
	}
}

/*
 * IRQF_ONESHOT keeps each handler pair together (and out of forced
 * threading on PREEMPT_RT): the hard handler stays in hard-IRQ context. On
 * the storm set the IRQ core drops it after that choice (the chip is
 * IRQCHIP_ONESHOT_SAFE): the line is not masked while the thread runs.
 */
static int irqbridge_chip_lines_request(struct irqbridge_irqchip *chip)
{
	unsigned int i;
	int ret;

	for (i = 0; i < 2 * chip->nr; i++) {
		struct irqbridge_chip_line *line = &chip->lines[i];
		unsigned int virq;

		line->storm = i >= chip->nr;
		raw_spin_lock_init(&line->lock);
		line->redeliver = IRQ_WORK_INIT_HARD(irqbridge_chip_redeliver);
		virq = irq_create_mapping(chip->domain, i);
		if (!virq) {
			ret = -EINVAL;
			goto err_free_lines;
		}
		ret = request_threaded_irq(virq, irqbridge_chip_hardirq,
					   irqbridge_chip_thread, IRQF_ONESHOT,
					   line->storm ? "irqbridge-storm" :
							 "irqbridge-irqchip",
					   line);
		if (ret) {
			irq_dispose_mapping(virq);
			goto err_free_lines;
		}
		line->virq = virq;
	}
	return 0;

err_free_lines:
	irqbridge_chip_lines_free(chip);
	return ret;
}

/**
 * irqbridge_irqchip_init() - create the domain and request its interrupts
 *
 * Return: 0 or a negative errno.
 */
int irqbridge_irqchip_init(void)
{
	struct irqbridge_irqchip *chip = &irqbridge_chip_state;
	int ret;

	chip->nr = min_t(unsigned int, num_possible_cpus(),
			 IRQBRIDGE_SESSIONS_MAX);
	chip->lines = kcalloc(2 * chip->nr, sizeof(*chip->lines), GFP_KERNEL);
	if (!chip->lines)
		return -ENOMEM;

	chip->fwnode = irq_domain_alloc_named_fwnode("irqbridge");
	if (!chip->fwnode) {
		ret = -ENOMEM;
		goto err_free_lines_array;
	}

	chip->domain = irq_domain_create_linear(chip->fwnode, 2 * chip->nr,
						&irqbridge_domain_ops, chip);
	if (!chip->domain) {
		ret = -ENOMEM;
		goto err_free_fwnode;
	}

	ret = irqbridge_chip_lines_request(chip);
	if (ret)
		goto err_remove_domain;
	return 0;

err_remove_domain:
	irq_domain_remove(chip->domain);
err_free_fwnode:
	irq_domain_free_fwnode(chip->fwnode);
err_free_lines_array:
	kfree(chip->lines);
	return ret;
}

/**
 * irqbridge_irqchip_exit() - undo irqbridge_irqchip_init()
 */
void irqbridge_irqchip_exit(void)
{
	struct irqbridge_irqchip *chip = &irqbridge_chip_state;

	irqbridge_chip_lines_free(chip);
	irq_domain_remove(chip->domain);
	irq_domain_free_fwnode(chip->fwnode);
	kfree(chip->lines);
}

static bool irqbridge_irqchip_available(void)
{
	return true;
}

/*
 * Take a free line and route it to the CPU that arms the session's timer: a
 * storm line for a burst, a level line otherwise.
 * Return: 0, -EBUSY if every line of the set is taken, or the error of the
 * affinity change (the line stays free).
 */
static int irqbridge_irqchip_attach(struct irqbridge_session *s)
{
	struct irqbridge_irqchip *chip = &irqbridge_chip_state;
	unsigned int i, first = s->config.burst > 1 ? chip->nr : 0;
	int ret = -EBUSY;

	lockdep_assert_held(&s->lock);
	mutex_lock(&irqbridge_chip_lock);
	for (i = first; i < first + chip->nr; i++) {
		struct irqbridge_chip_line *line = &chip->lines[i];

		if (line->session)
			continue;
		/*
		 * Best effort: START runs here, so the pinned timer does too
		 * (unless the caller migrates in between; the context report
		 * shows where the thread really ran).
		 */
		ret = irq_set_affinity(line->virq,
				       cpumask_of(raw_smp_processor_id()));
		if (ret)
			break;
		s->line = line;
		WRITE_ONCE(line->session, s);
		break;
	}
	mutex_unlock(&irqbridge_chip_lock);
	return ret;
}

static bool irqbridge_irqchip_busy(struct irqbridge_session *s)
{
	/* Pairs with the top half's release once it has taken the raise. */
	return atomic_read_acquire(&s->run.outstanding);
}

static int irqbridge_irqchip_raise(struct irqbridge_session *s)
{
	struct irqbridge_chip_line *line = s->line;
	bool masked;

	raw_spin_lock(&line->lock);
	line->level = true;
	masked = line->masked;
	raw_spin_unlock(&line->lock);
	if (masked) {
		/* Held: delivered by irqbridge_chip_unmask(). */
		atomic_long_inc(&s->run.line_held);
		return 0;
	}
	/* Hard-IRQ context with interrupts off, as a chained handler. */
	generic_handle_irq(line->virq);
	return 0;
}

static void irqbridge_irqchip_detach(struct irqbridge_session *s)
{
	lockdep_assert_held(&s->lock);
	/*
	 * The timer is cancelled: wait for handlers still running, thread
	 * too; its return unmasks the line, which delivers a held raise from
	 * an irq_work, whose thread then runs too.
	 */
	synchronize_irq(s->line->virq);
	irq_work_sync(&s->line->redeliver);
	synchronize_irq(s->line->virq);
	mutex_lock(&irqbridge_chip_lock);
	WRITE_ONCE(s->line->session, NULL);
	mutex_unlock(&irqbridge_chip_lock);
	s->line = NULL;
}

const struct irqbridge_source_ops irqbridge_source_irqchip = {
	.source = IRQBRIDGE_SOURCE_IRQCHIP,
	.name = "irqchip",
	.irq = true,
	.available = irqbridge_irqchip_available,
	.attach = irqbridge_irqchip_attach,
	.busy = irqbridge_irqchip_busy,
	.raise = irqbridge_irqchip_raise,
	.detach = irqbridge_irqchip_detach,
};
