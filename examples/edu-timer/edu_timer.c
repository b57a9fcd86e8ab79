// SPDX-License-Identifier: GPL-2.0
/*
 * edu_timer: the WDF timer driver, ported to Linux (docs/porting.md).
 *
 * A timer makes QEMU's edu PCI device raise an interrupt every period. The
 * ISR reads and acknowledges the device, then defers; the deferred routine
 * signals the eventfd that a user program waits on. The module parameter
 * "mode" picks the deferral, as a KMDF driver picks its callbacks:
 *
 *   dpc       ISR in hard IRQ, tasklet_schedule()   (QueueDpcForIsr)
 *   workitem  ISR in hard IRQ, queue_work()         (QueueWorkItemForIsr)
 *   passive   NULL primary handler + IRQF_ONESHOT:  (PassiveHandling = TRUE)
 *             the whole ISR runs in the IRQ thread and signals itself
 *
 * The timer never raises while the previous interrupt is still being
 * handled, so every raise is one ISR run, one deferred run and one signal.
 * The counters only exist so that the test can check exactly that.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "uapi/edu_timer.h"

/* QEMU's edu device (docs/specs/edu.rst in QEMU): BAR 0, 32-bit registers. */
/* clang-format off */
#define EDU_TIMER_VENDOR	0x1234
#define EDU_TIMER_DEVICE	0x11e8
#define EDU_TIMER_REG_IDENT	0x00	/* 0xRRrr00ed */
#define EDU_TIMER_REG_STATUS	0x24	/* interrupt status */
#define EDU_TIMER_REG_RAISE	0x60	/* write: raise these status bits */
#define EDU_TIMER_REG_ACK	0x64	/* write: clear these status bits */
#define EDU_TIMER_IRQ_TICK	0x1	/* the status bit the timer raises */
/* clang-format on */

static char *mode = "dpc";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "dpc (tasklet), workitem or passive (threaded ISR)");

static u32 edu_timer_mode;
static DEFINE_IDA(edu_timer_ida);

/**
 * struct edu_timer - a bound edu device: the WDF device context
 * @pdev:	the PCI device
 * @regs:	BAR 0
 * @irq:	its Linux interrupt number (MSI vector or INTx line)
 * @index:	N in /dev/edu_timerN
 * @name:	"edu_timerN"
 * @misc:	the character device the user program opens
 * @ref:	the device's references: probe's and one per open file
 * @dpc:	the DPC (dpc mode)
 * @work:	the work item (workitem mode)
 * @wq:		the work item's and the timer's workqueue
 * @tick:	the timer that makes the device interrupt
 * @idle:	woken when the last raised interrupt has been handled
 * @inflight:	1 from a raise until its interrupt's deferred routine ends
 * @lock:	the interrupt spin lock (WdfInterruptAcquireLock): taken in
 *		the ISR; protects @event and @counts
 * @event:	the eventfd, or NULL; written under @mutex and @lock
 * @counts:	what happened, for EDU_TIMER_IOC_GET_COUNTS
 * @mutex:	serialises the ioctls, open, release and remove; protects
 *		@open, @removed, @running, @ticks and @period
 * @open:	a file has the device open (one at a time)
 * @removed:	the PCI device is gone: ioctls fail with -ENODEV
 * @running:	the timer is armed
 * @ticks:	how many interrupts this run raises
 * @period:	the timer period in jiffies
 *
 * @ticks and @period are written under @mutex before the timer is armed
 * and only read by the timer until it is cancelled.
 */
struct edu_timer {
	struct pci_dev *pdev;
	void __iomem *regs;
	int irq;
	int index;
	char name[24];
	struct miscdevice misc;
	struct kref ref;

	struct tasklet_struct dpc;
	struct work_struct work;
	struct workqueue_struct *wq;
	struct delayed_work tick;
	wait_queue_head_t idle;
	atomic_t inflight;

	spinlock_t lock; /* shared with the ISR, see above */
	struct eventfd_ctx *event;
	struct edu_timer_counts counts;

	struct mutex mutex; /* the device's state, see above */
	bool open;
	bool removed;
	bool running;
	u32 ticks;
	unsigned long period;
};

static u32 edu_timer_context(void)
{
	if (in_hardirq())
		return EDU_TIMER_CTX_HARDIRQ;
	if (in_serving_softirq())
		return EDU_TIMER_CTX_SOFTIRQ;
	return EDU_TIMER_CTX_TASK;
}

/* The timer: the stand-in for a device whose own timer interrupts. */
static void edu_timer_tick(struct work_struct *work)
{
	struct edu_timer *et =
		container_of(to_delayed_work(work), struct edu_timer, tick);
	unsigned long flags;
	u64 raised;

	spin_lock_irqsave(&et->lock, flags);
	raised = et->counts.raised;
	spin_unlock_irqrestore(&et->lock, flags);
	if (raised >= et->ticks)
		return; /* the run is over */

	/* A tick whose interrupt is still being handled is skipped. */
	if (!atomic_cmpxchg(&et->inflight, 0, 1)) {
		spin_lock_irqsave(&et->lock, flags);
		raised = ++et->counts.raised;
		spin_unlock_irqrestore(&et->lock, flags);
		writel(EDU_TIMER_IRQ_TICK, et->regs + EDU_TIMER_REG_RAISE);
		if (raised == et->ticks)
			return; /* the last one: the run is over */
	}
	queue_delayed_work(et->wq, &et->tick, et->period);
}

/*
 * Read the device's interrupt status and acknowledge it: the part of every
 * ISR that must run before anything else. Returns the bits that were set.
 */
static u32 edu_timer_ack(struct edu_timer *et)
{
	u32 status = readl(et->regs + EDU_TIMER_REG_STATUS);

	if (status)
		writel(status, et->regs + EDU_TIMER_REG_ACK);
	return status;
}

/* Called with et->lock held: the ISR's bookkeeping. */
static bool edu_timer_isr_count(struct edu_timer *et, u32 status)
{
	lockdep_assert_held(&et->lock);
	if (!status) {
		et->counts.isr_none++;
		return false;
	}
	et->counts.isr_runs++;
	et->counts.isr_context |= edu_timer_context();
	return true;
}

/*
 * KeSetEvent: signal the user program's event, if it gave one, and let
 * the timer raise the next interrupt.
 */
static void edu_timer_signal(struct edu_timer *et)
{
	unsigned long flags;

	spin_lock_irqsave(&et->lock, flags);
	if (et->event) {
		edu_timer_eventfd_signal(et->event);
		et->counts.signals++;
	}
	spin_unlock_irqrestore(&et->lock, flags);
	atomic_set_release(&et->inflight, 0);
	wake_up(&et->idle);
}

/**
 * edu_timer_isr() - the ISR (EvtInterruptIsr), in hard-IRQ context
 * @irq:	the interrupt
 * @dev_id:	the device
 *
 * Return: IRQ_NONE if the device did not interrupt (the line may be shared),
 * IRQ_HANDLED after acknowledging it and queueing the deferred routine.
 */
static irqreturn_t edu_timer_isr(int irq, void *dev_id)
{
	struct edu_timer *et = dev_id;
	bool ours;

	spin_lock(&et->lock);
	ours = edu_timer_isr_count(et, edu_timer_ack(et));
	spin_unlock(&et->lock);
	if (!ours)
		return IRQ_NONE;

	if (edu_timer_mode == EDU_TIMER_MODE_DPC)
		tasklet_schedule(&et->dpc);
	else
		queue_work(et->wq, &et->work);
	return IRQ_HANDLED;
}

/*
 * The deferred routine's bookkeeping, then the signal: common to the DPC
 * and the work item.
 */
static void edu_timer_deferred(struct edu_timer *et)
{
	unsigned long flags;

	spin_lock_irqsave(&et->lock, flags);
	et->counts.deferred_runs++;
	et->counts.deferred_context |= edu_timer_context();
	spin_unlock_irqrestore(&et->lock, flags);
	edu_timer_signal(et);
}

/**
 * edu_timer_dpc() - the DPC (EvtInterruptDpc), in softirq context
 * @t:	the tasklet
 */
static void edu_timer_dpc(struct tasklet_struct *t)
{
	struct edu_timer *et = from_tasklet(et, t, dpc);

	edu_timer_deferred(et);
}

/**
 * edu_timer_work() - the work item (EvtInterruptWorkItem), in a kworker
 * @work:	the work item
 */
static void edu_timer_work(struct work_struct *work)
{
	edu_timer_deferred(container_of(work, struct edu_timer, work));
}

/**
 * edu_timer_passive_isr() - the ISR with PassiveHandling, in the IRQ thread
 * @irq:	the interrupt
 * @dev_id:	the device
 *
 * The line stays masked from the interrupt until this returns
 * (IRQF_ONESHOT). At PASSIVE_LEVEL the ISR may signal the event itself.
 *
 * Return: IRQ_NONE if the device did not interrupt, else IRQ_HANDLED.
 */
static irqreturn_t edu_timer_passive_isr(int irq, void *dev_id)
{
	struct edu_timer *et = dev_id;
	unsigned long flags;
	bool ours;

	spin_lock_irqsave(&et->lock, flags);
	ours = edu_timer_isr_count(et, edu_timer_ack(et));
	spin_unlock_irqrestore(&et->lock, flags);
	if (!ours)
		return IRQ_NONE;
	edu_timer_signal(et);
	return IRQ_HANDLED;
}

/*
 * Wait until the interrupt raised last has been handled to the end. One
 * that never arrives (the device is gone) is withdrawn.
 */
static void edu_timer_wait_idle(struct edu_timer *et)
{
	lockdep_assert_held(&et->mutex);
	if (wait_event_timeout(et->idle, !atomic_read_acquire(&et->inflight),
			       5 * HZ))
		return;
	dev_warn(&et->pdev->dev, "the last interrupt did not arrive\n");
	edu_timer_ack(et);
	synchronize_irq(et->irq);
	atomic_set(&et->inflight, 0);
}

/* Stop the timer: afterwards no interrupt of the run is pending. */
static void edu_timer_stop(struct edu_timer *et)
{
	lockdep_assert_held(&et->mutex);
	if (!et->running)
		return;
	cancel_delayed_work_sync(&et->tick);
	edu_timer_wait_idle(et);
	et->running = false;
}

/* Install @ctx as the event to signal; drop the old one (ObDereference). */
static void edu_timer_swap_event(struct edu_timer *et, struct eventfd_ctx *ctx)
{
	struct eventfd_ctx *old;
	unsigned long flags;

	lockdep_assert_held(&et->mutex);
	spin_lock_irqsave(&et->lock, flags);
	old = et->event;
	et->event = ctx;
	spin_unlock_irqrestore(&et->lock, flags);
	if (old)
		eventfd_ctx_put(old);
}

/* The IOCTL that passes the event HANDLE: ObReferenceObjectByHandle. */
static int edu_timer_ioc_set_event(struct edu_timer *et, s32 __user *argp)
{
	struct eventfd_ctx *ctx = NULL;
	s32 fd;

	if (get_user(fd, argp))
		return -EFAULT;
	if (fd != -1) {
		ctx = eventfd_ctx_fdget(fd);
		/* -EBADF, or -EINVAL if the file is no eventfd. */
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	}
	edu_timer_swap_event(et, ctx);
	return 0;
}

static int edu_timer_ioc_start(struct edu_timer *et,
			       struct edu_timer_start __user *argp)
{
	struct edu_timer_start start;
	unsigned long flags;

	lockdep_assert_held(&et->mutex);
	if (copy_from_user(&start, argp, sizeof(start)))
		return -EFAULT;
	if (!start.ticks || start.ticks > 1000000 || !start.period_ms ||
	    start.period_ms > 1000)
		return -EINVAL;
	if (et->running)
		return -EBUSY;
	if (!et->event)
		return -EINVAL; /* nothing to signal */

	spin_lock_irqsave(&et->lock, flags);
	memset(&et->counts, 0, sizeof(et->counts));
	et->counts.mode = edu_timer_mode;
	spin_unlock_irqrestore(&et->lock, flags);
	et->ticks = start.ticks;
	et->period = msecs_to_jiffies(start.period_ms) ?: 1;
	et->running = true;
	queue_delayed_work(et->wq, &et->tick, et->period);
	return 0;
}

static int edu_timer_ioc_get_counts(struct edu_timer *et,
				    struct edu_timer_counts __user *argp)
{
	struct edu_timer_counts counts;
	unsigned long flags;

	spin_lock_irqsave(&et->lock, flags);
	counts = et->counts;
	spin_unlock_irqrestore(&et->lock, flags);
	return copy_to_user(argp, &counts, sizeof(counts)) ? -EFAULT : 0;
}

static long edu_timer_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct edu_timer *et = file->private_data;
	void __user *argp = (void __user *)arg;
	long ret;

	mutex_lock(&et->mutex);
	if (et->removed) {
		ret = -ENODEV;
		goto out;
	}
	switch (cmd) {
	case EDU_TIMER_IOC_SET_EVENT:
		ret = edu_timer_ioc_set_event(et, argp);
		break;
	case EDU_TIMER_IOC_START:
		ret = edu_timer_ioc_start(et, argp);
		break;
	case EDU_TIMER_IOC_STOP:
		edu_timer_stop(et);
		ret = 0;
		break;
	case EDU_TIMER_IOC_GET_COUNTS:
		ret = edu_timer_ioc_get_counts(et, argp);
		break;
	default:
		ret = -ENOIOCTLCMD;
		break;
	}
out:
	mutex_unlock(&et->mutex);
	return ret;
}

static void edu_timer_free(struct kref *ref)
{
	kfree(container_of(ref, struct edu_timer, ref));
}

/* EvtDeviceFileCreate: one user at a time. */
static int edu_timer_open(struct inode *inode, struct file *file)
{
	/* misc_open() points private_data at the miscdevice. */
	struct edu_timer *et =
		container_of(file->private_data, struct edu_timer, misc);
	int ret = 0;

	mutex_lock(&et->mutex);
	if (et->open) {
		ret = -EBUSY;
	} else {
		et->open = true;
		kref_get(&et->ref);
		file->private_data = et;
	}
	mutex_unlock(&et->mutex);
	return ret ?: nonseekable_open(inode, file);
}

/* EvtFileCleanup/EvtFileClose: stop, and ObDereferenceObject the event. */
static int edu_timer_release(struct inode *inode, struct file *file)
{
	struct edu_timer *et = file->private_data;

	mutex_lock(&et->mutex);
	edu_timer_stop(et);
	edu_timer_swap_event(et, NULL);
	et->open = false;
	mutex_unlock(&et->mutex);
	kref_put(&et->ref, edu_timer_free);
	return 0;
}

static const struct file_operations edu_timer_fops = {
	.owner = THIS_MODULE,
	.open = edu_timer_open,
	.release = edu_timer_release,
	.unlocked_ioctl = edu_timer_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* WdfInterruptCreate with the callbacks the mode asks for. */
static int edu_timer_connect(struct edu_timer *et)
{
	if (edu_timer_mode == EDU_TIMER_MODE_PASSIVE)
		return request_threaded_irq(et->irq, NULL,
					    edu_timer_passive_isr,
					    IRQF_ONESHOT | IRQF_SHARED,
					    et->name, et);
	return request_threaded_irq(et->irq, edu_timer_isr, NULL, IRQF_SHARED,
				    et->name, et);
}

/**
 * edu_timer_probe() - EvtDriverDeviceAdd and EvtDevicePrepareHardware
 * @pdev:	the edu device
 * @id:		its entry in edu_timer_ids
 *
 * Return: 0, or a negative errno with everything undone.
 */
static int edu_timer_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edu_timer *et;
	u32 ident;
	int ret;

	et = kzalloc(sizeof(*et), GFP_KERNEL);
	if (!et)
		return -ENOMEM;
	et->pdev = pdev;
	kref_init(&et->ref);
	mutex_init(&et->mutex);
	spin_lock_init(&et->lock);
	init_waitqueue_head(&et->idle);
	tasklet_setup(&et->dpc, edu_timer_dpc); /* WdfDpcCreate */
	INIT_WORK(&et->work, edu_timer_work); /* WdfWorkItemCreate */
	INIT_DELAYED_WORK(&et->tick, edu_timer_tick);

	ret = ida_alloc(&edu_timer_ida, GFP_KERNEL);
	if (ret < 0)
		goto err_free;
	et->index = ret;
	snprintf(et->name, sizeof(et->name), "edu_timer%d", et->index);

	ret = pci_enable_device(pdev);
	if (ret)
		goto err_ida;
	ret = pci_request_region(pdev, 0, KBUILD_MODNAME);
	if (ret)
		goto err_disable;
	et->regs = pci_iomap(pdev, 0, 0);
	if (!et->regs) {
		ret = -ENOMEM;
		goto err_region;
	}
	ident = readl(et->regs + EDU_TIMER_REG_IDENT);
	if ((ident & 0xff) != 0xed) {
		dev_err(&pdev->dev, "not an edu device (0x%08x)\n", ident);
		ret = -ENODEV;
		goto err_unmap;
	}

	et->wq = alloc_workqueue("%s", WQ_UNBOUND, 0, et->name);
	if (!et->wq) {
		ret = -ENOMEM;
		goto err_unmap;
	}

	/* An MSI is a memory write by the device: bus mastering. */
	pci_set_master(pdev);
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_ALL_TYPES);
	if (ret < 0)
		goto err_master;
	et->irq = pci_irq_vector(pdev, 0);
	edu_timer_ack(et); /* what an earlier driver left is not ours */

	ret = edu_timer_connect(et);
	if (ret)
		goto err_vectors;

	pci_set_drvdata(pdev, et);
	et->misc.minor = MISC_DYNAMIC_MINOR;
	et->misc.name = et->name;
	et->misc.fops = &edu_timer_fops;
	et->misc.parent = &pdev->dev;
	ret = misc_register(&et->misc);
	if (ret)
		goto err_irq;

	dev_info(&pdev->dev, "/dev/%s: %s interrupt %d, mode %s\n", et->name,
		 pdev->msi_enabled ? "MSI" : "INTx", et->irq, mode);
	return 0;

err_irq:
	free_irq(et->irq, et);
err_vectors:
	pci_free_irq_vectors(pdev);
err_master:
	pci_clear_master(pdev);
	destroy_workqueue(et->wq);
err_unmap:
	pci_iounmap(pdev, et->regs);
err_region:
	pci_release_region(pdev, 0);
err_disable:
	pci_disable_device(pdev);
err_ida:
	ida_free(&edu_timer_ida, et->index);
err_free:
	kfree(et);
	return ret;
}

/**
 * edu_timer_remove() - EvtDeviceReleaseHardware and the device's cleanup
 * @pdev:	the edu device
 *
 * In the reverse order of the probe. A file still open keeps the device
 * structure (not the hardware) until it is closed; its ioctls fail.
 */
static void edu_timer_remove(struct pci_dev *pdev)
{
	struct edu_timer *et = pci_get_drvdata(pdev);

	misc_deregister(&et->misc);
	mutex_lock(&et->mutex);
	edu_timer_stop(et);
	et->removed = true;
	mutex_unlock(&et->mutex);

	free_irq(et->irq, et); /* IoDisconnectInterrupt */
	tasklet_kill(&et->dpc); /* no DPC queued or running */
	pci_free_irq_vectors(pdev);
	pci_clear_master(pdev);
	destroy_workqueue(et->wq); /* flushes the work item */
	pci_iounmap(pdev, et->regs);
	pci_release_region(pdev, 0);
	pci_disable_device(pdev);
	ida_free(&edu_timer_ida, et->index);
	kref_put(&et->ref, edu_timer_free);
}

/* D0Exit, with EvtInterruptDisable before it: the device goes quiet. */
static int edu_timer_suspend(struct device *dev)
{
	struct edu_timer *et = dev_get_drvdata(dev);

	mutex_lock(&et->mutex);
	if (et->running) {
		cancel_delayed_work_sync(&et->tick);
		edu_timer_wait_idle(et);
	}
	mutex_unlock(&et->mutex);
	disable_irq(et->irq); /* WdfInterruptDisable */
	dev_dbg(dev, "D0Exit: interrupt %d disabled\n", et->irq);
	return 0;
}

/* D0Entry, with EvtInterruptEnable after it: the run goes on. */
static int edu_timer_resume(struct device *dev)
{
	struct edu_timer *et = dev_get_drvdata(dev);

	enable_irq(et->irq); /* WdfInterruptEnable */
	dev_dbg(dev, "D0Entry: interrupt %d enabled\n", et->irq);
	mutex_lock(&et->mutex);
	if (et->running)
		queue_delayed_work(et->wq, &et->tick, et->period);
	mutex_unlock(&et->mutex);
	return 0;
}

static DEFINE_SIMPLE_DEV_PM_OPS(edu_timer_pm, edu_timer_suspend,
				edu_timer_resume);

static const struct pci_device_id edu_timer_ids[] = {
	{ PCI_DEVICE(EDU_TIMER_VENDOR, EDU_TIMER_DEVICE) },
	{}
};
MODULE_DEVICE_TABLE(pci, edu_timer_ids);

static struct pci_driver edu_timer_driver = {
	.name = KBUILD_MODNAME,
	.id_table = edu_timer_ids,
	.probe = edu_timer_probe,
	.remove = edu_timer_remove,
	.driver.pm = pm_sleep_ptr(&edu_timer_pm),
};

static const char *const edu_timer_modes[] = {
	[EDU_TIMER_MODE_DPC] = "dpc",
	[EDU_TIMER_MODE_WORKITEM] = "workitem",
	[EDU_TIMER_MODE_PASSIVE] = "passive",
};

/* DriverEntry: check the parameters, register the PCI driver. */
static int __init edu_timer_init(void)
{
	int ret = sysfs_match_string(edu_timer_modes, mode);

	if (ret < 0) {
		pr_err("mode=%s: not dpc, workitem or passive\n", mode);
		return ret;
	}
	edu_timer_mode = ret;
	return pci_register_driver(&edu_timer_driver);
}
module_init(edu_timer_init);

/* EvtDriverUnload. */
static void __exit edu_timer_exit(void)
{
	pci_unregister_driver(&edu_timer_driver);
	ida_destroy(&edu_timer_ida);
}
module_exit(edu_timer_exit);

MODULE_DESCRIPTION("A WDF timer driver ported to Linux (QEMU edu)");
MODULE_LICENSE("GPL");
