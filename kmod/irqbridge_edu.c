// SPDX-License-Identifier: GPL-2.0
/*
 * irqbridge: QEMU's edu PCI device (1234:11e8) as a real interrupt source.
 *
 * The probe is the WdfInterruptCreate of the Windows model: MSI if the
 * device offers it, INTx otherwise, and a handler pair registered with
 * request_threaded_irq(). The session's hrtimer writes the device's
 * interrupt-raise register; the device sends the interrupt; the hard handler
 * reads and acknowledges the device's interrupt status first (the ISR saves
 * the volatile state and clears the interrupt), then runs the top half.
 *
 * A device raises no new interrupt before the old one is serviced: the timer
 * skips a period while an interrupt is outstanding (counted as source_busy),
 * so every raise is exactly one top half and nothing merges unseen.
 *
 * Every bound edu device is kept, in probe order; sessions raise the first.
 * When it is removed (sysfs remove or unbind, hot-unplug) during a run, the
 * run ends with ENODEV and the next device takes its place for new runs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/err.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/rcupdate.h>

#include "compat.h"
#include "irqbridge.h"

/* The register map, aligned: kept out of clang-format. */
/* clang-format off */
#define IRQBRIDGE_EDU_VENDOR		0x1234
#define IRQBRIDGE_EDU_DEVICE		0x11e8

#define IRQBRIDGE_EDU_REG_IDENT		0x00	/* 0xRRrr00ed */
#define IRQBRIDGE_EDU_REG_IRQ_STATUS	0x24
#define IRQBRIDGE_EDU_REG_IRQ_RAISE	0x60
#define IRQBRIDGE_EDU_REG_IRQ_ACK	0x64

#define IRQBRIDGE_EDU_IRQ_BIT		0x1

/* How long STOP waits for the last raise's interrupt to arrive. */
#define IRQBRIDGE_EDU_INFLIGHT_US	1000000
/* clang-format on */

/**
 * struct irqbridge_edu - a bound edu device
 * @node:	in irqbridge_edu_list while bound
 * @pdev:	the PCI device
 * @regs:	BAR 0
 * @irq:	its Linux interrupt number (MSI vector or INTx line)
 * @session:	the session raising it, or NULL; written under
 *		irqbridge_edu_lock, read locklessly by the handlers
 *
 * irqbridge_edu_lock also protects irqbridge_edu_list and the writes of
 * &irqbridge_session.edu of every session. Lock order: a session's lock,
 * then irqbridge_edu_lock.
 */
struct irqbridge_edu {
	struct list_head node;
	struct pci_dev *pdev;
	void __iomem *regs;
	int irq;
	struct irqbridge_session *session;
};

static DEFINE_MUTEX(irqbridge_edu_lock);
/* Bound devices in probe order; sessions use the first. */
static LIST_HEAD(irqbridge_edu_list);

static irqreturn_t irqbridge_edu_hardirq(int irq, void *dev_id)
{
	struct irqbridge_edu *edu = dev_id;
	u64 start = ktime_get_ns();
	struct irqbridge_session *s;
	irqreturn_t ret;
	u32 status;

	/* First the device: read its volatile state, then clear it. */
	status = readl(edu->regs + IRQBRIDGE_EDU_REG_IRQ_STATUS);
	if (!status)
		return IRQ_NONE; /* a shared INTx line, not ours */
	writel(status, edu->regs + IRQBRIDGE_EDU_REG_IRQ_ACK);

	s = READ_ONCE(edu->session);
	if (!s)
		return IRQ_HANDLED; /* raised for a session that is gone */
	ret = irqbridge_top_half(s, status);
	/*
	 * The CPU-time guard (irqbridge_source.c): the MSI's CPU is the one
	 * this work keeps busy, wherever the raising timer runs.
	 */
	WRITE_ONCE(s->run.top_cpu, raw_smp_processor_id());
	irqbridge_cpu_charge(READ_ONCE(s->run.raise_ns), start);
	return ret;
}

static irqreturn_t irqbridge_edu_thread(int irq, void *dev_id)
{
	struct irqbridge_edu *edu = dev_id;
	struct irqbridge_session *s = READ_ONCE(edu->session);

	if (!s)
		return IRQ_NONE;
	return irqbridge_bh_thread_fn(s);
}

/*
 * Every resource is device-managed (pcim_*, devm_*): released in reverse
 * order after remove() returns or when probe fails, so the error paths are
 * plain returns. The order they come back in is the one removal needs: the
 * interrupt handler, then the vectors, the mapping and the region, bus
 * mastering and the device (pcim_enable_device()), and last @edu itself.
 */
static int irqbridge_edu_probe(struct pci_dev *pdev,
			       const struct pci_device_id *id)
{
	struct irqbridge_edu *edu;
	u32 ident;
	int ret;

	edu = devm_kzalloc(&pdev->dev, sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	edu->pdev = pdev;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	edu->regs = irqbridge_pcim_iomap_region(pdev, 0, KBUILD_MODNAME);
	if (IS_ERR(edu->regs))
		return PTR_ERR(edu->regs);

	ident = readl(edu->regs + IRQBRIDGE_EDU_REG_IDENT);
	if ((ident & 0xff) != 0xed) {
		dev_err(&pdev->dev, "not an edu device (ident 0x%08x)\n",
			ident);
		return -ENODEV;
	}

	/* An MSI is a memory write by the device: it needs bus mastering. */
	pci_set_master(pdev);
	/* Managed: the device was enabled with pcim_enable_device(). */
	ret = pci_alloc_irq_vectors(pdev, 1, 1,
				    PCI_IRQ_MSI | IRQBRIDGE_PCI_IRQ_INTX);
	if (ret < 0)
		return ret;
	edu->irq = pci_irq_vector(pdev, 0);

	/* Whatever an earlier user left pending is not ours. */
	writel(readl(edu->regs + IRQBRIDGE_EDU_REG_IRQ_STATUS),
	       edu->regs + IRQBRIDGE_EDU_REG_IRQ_ACK);

	/* IRQF_ONESHOT: the thread is the PASSIVE_LEVEL half, see irqchip. */
	ret = devm_request_threaded_irq(&pdev->dev, edu->irq,
					irqbridge_edu_hardirq,
					irqbridge_edu_thread,
					IRQF_ONESHOT | IRQF_SHARED,
					"irqbridge-edu", edu);
	if (ret)
		return ret;

	pci_set_drvdata(pdev, edu);
	mutex_lock(&irqbridge_edu_lock);
	list_add_tail(&edu->node, &irqbridge_edu_list);
	mutex_unlock(&irqbridge_edu_lock);

	dev_info(&pdev->dev, "edu revision %u.%u, %s interrupt %d\n",
		 ident >> 24, (ident >> 16) & 0xff,
		 pdev->msi_enabled ? "MSI" : "INTx", edu->irq);
	return 0;
}

/*
 * Take @s off @edu once its timer raises no more: wait for the interrupt of
 * the last raise, which may still be on its way to its CPU (an MSI pending
 * in a LAPIC is invisible to synchronize_irq()), then for every handler of
 * @s, the thread included. An interrupt that does not arrive in time (a
 * device unplugged) is withdrawn: its status is acknowledged, so a late
 * delivery reads 0 and is not ours, and the raise is not counted.
 * Afterwards raised == fired and no handler of @s runs or will run.
 */
static void irqbridge_edu_quiesce(struct irqbridge_edu *edu,
				  struct irqbridge_session *s)
{
	int busy;

	lockdep_assert_held(&irqbridge_edu_lock);
	if (read_poll_timeout(atomic_read_acquire, busy, !busy, 20,
			      IRQBRIDGE_EDU_INFLIGHT_US, false,
			      &s->run.outstanding)) {
		writel(readl(edu->regs + IRQBRIDGE_EDU_REG_IRQ_STATUS),
		       edu->regs + IRQBRIDGE_EDU_REG_IRQ_ACK);
		synchronize_irq(edu->irq);
		/* The timer raises no more: nobody else writes these now. */
		if (atomic_read(&s->run.outstanding)) {
			WRITE_ONCE(s->run.raised, s->run.raised - 1);
			atomic_set(&s->run.outstanding, 0);
		}
	}
	synchronize_irq(edu->irq);
	WRITE_ONCE(edu->session, NULL);
	/* A handler that read @s before the line above has finished. */
	synchronize_irq(edu->irq);
}

/*
 * Removal during a run: stop raising and wait until the timer and every
 * handler are done with the device; the device-managed resources are
 * released after this returns (the handler first, @edu last). The session
 * is alive throughout: its STOP or close needs irqbridge_edu_lock to detach.
 */
static void irqbridge_edu_remove(struct pci_dev *pdev)
{
	struct irqbridge_edu *edu = pci_get_drvdata(pdev);
	struct irqbridge_session *s;

	mutex_lock(&irqbridge_edu_lock);
	/* No START attaches to it from now on; the next device takes over. */
	list_del(&edu->node);
	s = edu->session;
	if (s) {
		/* The run ends: its reader sees ENODEV in GET_STATS. */
		WRITE_ONCE(s->run.error, ENODEV);
		/*
		 * The timer finds no device and stops, also if START arms it
		 * after this; a callback that read the old pointer is over
		 * after the grace period, so nothing raises @edu any more.
		 */
		WRITE_ONCE(s->edu, NULL);
		synchronize_rcu();
		irqbridge_edu_quiesce(edu, s);
	}
	mutex_unlock(&irqbridge_edu_lock);
}

static const struct pci_device_id irqbridge_edu_ids[] = {
	{ PCI_DEVICE(IRQBRIDGE_EDU_VENDOR, IRQBRIDGE_EDU_DEVICE) },
	{}
};
MODULE_DEVICE_TABLE(pci, irqbridge_edu_ids);

static struct pci_driver irqbridge_edu_driver = {
	.name = "irqbridge-edu",
	.id_table = irqbridge_edu_ids,
	.probe = irqbridge_edu_probe,
	.remove = irqbridge_edu_remove,
};

/**
 * irqbridge_edu_register() - register the PCI driver
 *
 * Return: 0 or a negative errno. No device is not an error: the source is
 * then reported unavailable.
 */
int irqbridge_edu_register(void)
{
	return pci_register_driver(&irqbridge_edu_driver);
}

/**
 * irqbridge_edu_unregister() - unregister the PCI driver
 */
void irqbridge_edu_unregister(void)
{
	pci_unregister_driver(&irqbridge_edu_driver);
}

static bool irqbridge_edu_available(void)
{
	bool present;

	mutex_lock(&irqbridge_edu_lock);
	present = !list_empty(&irqbridge_edu_list);
	mutex_unlock(&irqbridge_edu_lock);
	return present;
}

static int irqbridge_edu_attach(struct irqbridge_session *s)
{
	struct irqbridge_edu *edu;
	int ret = 0;

	lockdep_assert_held(&s->lock);
	mutex_lock(&irqbridge_edu_lock);
	edu = list_first_entry_or_null(&irqbridge_edu_list,
				       struct irqbridge_edu, node);
	if (!edu) {
		ret = -ENODEV;
	} else if (edu->session) {
		ret = -EBUSY;
	} else {
		WRITE_ONCE(s->edu, edu);
		WRITE_ONCE(edu->session, s);
	}
	mutex_unlock(&irqbridge_edu_lock);
	return ret;
}

static bool irqbridge_edu_busy(struct irqbridge_session *s)
{
	/* Pairs with the top half's release once it has read the raise. */
	return atomic_read_acquire(&s->run.outstanding);
}

static int irqbridge_edu_raise(struct irqbridge_session *s)
{
	struct irqbridge_edu *edu;

	/*
	 * Removal clears s->edu and waits for an RCU grace period before it
	 * frees the device: a pointer read here stays valid until unlock.
	 */
	rcu_read_lock();
	edu = READ_ONCE(s->edu);
	if (edu)
		writel(IRQBRIDGE_EDU_IRQ_BIT,
		       edu->regs + IRQBRIDGE_EDU_REG_IRQ_RAISE);
	rcu_read_unlock();
	return edu ? 0 : -ENODEV;
}

static void irqbridge_edu_detach(struct irqbridge_session *s)
{
	lockdep_assert_held(&s->lock);
	mutex_lock(&irqbridge_edu_lock);
	/*
	 * NULL if the device was removed during the run: its removal did all
	 * of this already, under this lock.
	 */
	if (s->edu) {
		irqbridge_edu_quiesce(s->edu, s);
		WRITE_ONCE(s->edu, NULL);
	}
	mutex_unlock(&irqbridge_edu_lock);
}

const struct irqbridge_source_ops irqbridge_source_edu = {
	.source = IRQBRIDGE_SOURCE_EDU,
	.name = "edu",
	.irq = true,
	.available = irqbridge_edu_available,
	.attach = irqbridge_edu_attach,
	.busy = irqbridge_edu_busy,
	.raise = irqbridge_edu_raise,
	.detach = irqbridge_edu_detach,
};
