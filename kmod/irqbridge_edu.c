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
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>

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
/* clang-format on */

/**
 * struct irqbridge_edu - the bound edu device
 * @pdev:	the PCI device
 * @regs:	BAR 0
 * @irq:	its Linux interrupt number (MSI vector or INTx line)
 * @session:	the session raising it, or NULL; written under
 *		irqbridge_edu_lock, read locklessly by the handlers
 *
 * irqbridge_edu_lock also protects irqbridge_edu (the one bound device) and
 * &irqbridge_session.edu of every session. Lock order: a session's lock,
 * then irqbridge_edu_lock.
 */
struct irqbridge_edu {
	struct pci_dev *pdev;
	void __iomem *regs;
	int irq;
	struct irqbridge_session *session;
};

static DEFINE_MUTEX(irqbridge_edu_lock);
static struct irqbridge_edu *irqbridge_edu;

static irqreturn_t irqbridge_edu_hardirq(int irq, void *dev_id)
{
	struct irqbridge_edu *edu = dev_id;
	struct irqbridge_session *s;
	u32 status;

	/* First the device: read its volatile state, then clear it. */
	status = readl(edu->regs + IRQBRIDGE_EDU_REG_IRQ_STATUS);
	if (!status)
		return IRQ_NONE; /* a shared INTx line, not ours */
	writel(status, edu->regs + IRQBRIDGE_EDU_REG_IRQ_ACK);

	s = READ_ONCE(edu->session);
	if (!s)
		return IRQ_HANDLED; /* raised for a session that is gone */
	return irqbridge_top_half(s, status);
}

static irqreturn_t irqbridge_edu_thread(int irq, void *dev_id)
{
	struct irqbridge_edu *edu = dev_id;
	struct irqbridge_session *s = READ_ONCE(edu->session);

	if (!s)
		return IRQ_NONE;
	return irqbridge_bh_thread_fn(s);
}

static int irqbridge_edu_probe(struct pci_dev *pdev,
			       const struct pci_device_id *id)
{
	struct irqbridge_edu *edu;
	u32 ident;
	int ret;

	edu = kzalloc(sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	edu->pdev = pdev;

	ret = pci_enable_device(pdev);
	if (ret)
		goto err_free;

	ret = pci_request_region(pdev, 0, KBUILD_MODNAME);
	if (ret)
		goto err_disable;

	edu->regs = pci_iomap(pdev, 0, 0);
	if (!edu->regs) {
		ret = -ENOMEM;
		goto err_release_region;
	}

	ident = readl(edu->regs + IRQBRIDGE_EDU_REG_IDENT);
	if ((ident & 0xff) != 0xed) {
		dev_err(&pdev->dev, "not an edu device (ident 0x%08x)\n",
			ident);
		ret = -ENODEV;
		goto err_unmap;
	}

	/* An MSI is a memory write by the device: it needs bus mastering. */
	pci_set_master(pdev);
	ret = pci_alloc_irq_vectors(pdev, 1, 1,
				    PCI_IRQ_MSI | IRQBRIDGE_PCI_IRQ_INTX);
	if (ret < 0)
		goto err_clear_master;
	edu->irq = pci_irq_vector(pdev, 0);

	/* Whatever an earlier user left pending is not ours. */
	writel(readl(edu->regs + IRQBRIDGE_EDU_REG_IRQ_STATUS),
	       edu->regs + IRQBRIDGE_EDU_REG_IRQ_ACK);

	/* IRQF_ONESHOT: the thread is the PASSIVE_LEVEL half, see irqchip. */
	ret = request_threaded_irq(edu->irq, irqbridge_edu_hardirq,
				   irqbridge_edu_thread,
				   IRQF_ONESHOT | IRQF_SHARED, "irqbridge-edu",
				   edu);
	if (ret)
		goto err_free_vectors;

	pci_set_drvdata(pdev, edu);
	mutex_lock(&irqbridge_edu_lock);
	if (!irqbridge_edu)
		irqbridge_edu = edu;
	mutex_unlock(&irqbridge_edu_lock);

	dev_info(&pdev->dev, "edu revision %u.%u, %s interrupt %d\n",
		 ident >> 24, (ident >> 16) & 0xff,
		 pdev->msi_enabled ? "MSI" : "INTx", edu->irq);
	return 0;

err_free_vectors:
	pci_free_irq_vectors(pdev);
err_clear_master:
	pci_clear_master(pdev);
err_unmap:
	pci_iounmap(pdev, edu->regs);
err_release_region:
	pci_release_region(pdev, 0);
err_disable:
	pci_disable_device(pdev);
err_free:
	kfree(edu);
	return ret;
}

static void irqbridge_edu_remove(struct pci_dev *pdev)
{
	struct irqbridge_edu *edu = pci_get_drvdata(pdev);
	struct irqbridge_session *s;

	mutex_lock(&irqbridge_edu_lock);
	s = edu->session;
	if (s) {
		/*
		 * Unbound during a run: stop raising. The timer cannot be armed
		 * again without attaching, which needs irqbridge_edu_lock; the
		 * run never completes, its reader times out and says so.
		 */
		hrtimer_cancel(&s->timer);
		WRITE_ONCE(edu->session, NULL);
		s->edu = NULL;
	}
	if (irqbridge_edu == edu)
		irqbridge_edu = NULL;
	mutex_unlock(&irqbridge_edu_lock);

	free_irq(edu->irq, edu);
	pci_free_irq_vectors(pdev);
	pci_clear_master(pdev);
	pci_iounmap(pdev, edu->regs);
	pci_release_region(pdev, 0);
	pci_disable_device(pdev);
	kfree(edu);
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
	present = irqbridge_edu;
	mutex_unlock(&irqbridge_edu_lock);
	return present;
}

static int irqbridge_edu_attach(struct irqbridge_session *s)
{
	int ret = 0;

	lockdep_assert_held(&s->lock);
	mutex_lock(&irqbridge_edu_lock);
	if (!irqbridge_edu) {
		ret = -ENODEV;
	} else if (irqbridge_edu->session) {
		ret = -EBUSY;
	} else {
		s->edu = irqbridge_edu;
		WRITE_ONCE(irqbridge_edu->session, s);
	}
	mutex_unlock(&irqbridge_edu_lock);
	return ret;
}

static bool irqbridge_edu_busy(struct irqbridge_session *s)
{
	/* Pairs with the top half's release once it has read the raise. */
	return atomic_read_acquire(&s->outstanding);
}

static void irqbridge_edu_raise(struct irqbridge_session *s)
{
	/* s->edu is stable here: removal cancels this timer before clearing it. */
	writel(IRQBRIDGE_EDU_IRQ_BIT,
	       s->edu->regs + IRQBRIDGE_EDU_REG_IRQ_RAISE);
}

static void irqbridge_edu_detach(struct irqbridge_session *s)
{
	lockdep_assert_held(&s->lock);
	mutex_lock(&irqbridge_edu_lock);
	if (s->edu) {
		/* The last raise's interrupt may still be on its way. */
		synchronize_irq(s->edu->irq);
		WRITE_ONCE(s->edu->session, NULL);
		synchronize_irq(s->edu->irq);
		s->edu = NULL;
	}
	mutex_unlock(&irqbridge_edu_lock);
}

const struct irqbridge_source_ops irqbridge_source_edu = {
	.source = IRQBRIDGE_SOURCE_EDU,
	.name = "edu",
	.available = irqbridge_edu_available,
	.attach = irqbridge_edu_attach,
	.busy = irqbridge_edu_busy,
	.raise = irqbridge_edu_raise,
	.detach = irqbridge_edu_detach,
};
