// SPDX-License-Identifier: GPL-2.0
/*
 * irqbridge: the single-producer/single-consumer record ring shared with
 * userspace through mmap().
 *
 * The producer is the bottom half; the consumer is the session's reader.
 * Free-running 64-bit head/tail counters live on separate cache lines of the
 * header page. The producer never waits: when the ring is full the record
 * is dropped and counted in hdr->overruns, the event itself is still
 * counted exactly through the eventfd.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "irqbridge.h"

static_assert(sizeof(struct irqbridge_ring_header) <=
	      IRQBRIDGE_RING_RECORDS_OFFSET);
static_assert(IRQBRIDGE_RING_RECORDS_OFFSET % PAGE_SIZE == 0);
static_assert(sizeof(struct irqbridge_record) % sizeof(u64) == 0);

/**
 * irqbridge_ring_alloc() - allocate a ring of @nr record slots
 * @ring: the ring to set up
 * @nr: number of slots, a power of two
 *
 * The memory is zeroed (it is mapped into userspace) and accounted to the
 * caller's memory cgroup.
 *
 * Return: 0, -EINVAL if @nr is not a power of two, or -ENOMEM.
 */
int irqbridge_ring_alloc(struct irqbridge_ring *ring, u32 nr)
{
	if (!is_power_of_2(nr))
		return -EINVAL;

	ring->bytes = PAGE_ALIGN(IRQBRIDGE_RING_RECORDS_OFFSET +
				 (size_t)nr * sizeof(struct irqbridge_record));
	/*
	 * Charged to the opener's memory cgroup (vmalloc_user() has no way to
	 * say so); mapped page by page, so VM_USERMAP is not needed.
	 */
	ring->mem = __vmalloc(ring->bytes, GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!ring->mem)
		return -ENOMEM;

	ring->nr = nr;
	ring->hdr = ring->mem;
	ring->slots = ring->mem + IRQBRIDGE_RING_RECORDS_OFFSET;
	ring->hdr->abi_version = IRQBRIDGE_ABI_VERSION;
	ring->hdr->record_size = sizeof(struct irqbridge_record);
	ring->hdr->nr_records = nr;
	ring->head = 0;
	return 0;
}

/**
 * irqbridge_ring_free() - free a ring's memory
 * @ring: the ring
 *
 * Only at release: every mapping holds a reference to the file, so no
 * userspace mapping of @ring can exist any more.
 */
void irqbridge_ring_free(struct irqbridge_ring *ring)
{
	vfree(ring->mem);
	ring->mem = NULL;
}

/**
 * irqbridge_ring_reset() - empty the ring before a run
 * @ring: the ring
 *
 * Called under the session lock while no bottom half can run.
 */
void irqbridge_ring_reset(struct irqbridge_ring *ring)
{
	ring->head = 0;
	WRITE_ONCE(ring->hdr->overruns, 0);
	WRITE_ONCE(ring->hdr->tail, 0);
	/* Orders the resets above before the reader can see an empty ring. */
	smp_store_release(&ring->hdr->head, 0);
}

/**
 * irqbridge_ring_push() - publish one record
 * @ring: the ring
 * @rec: the record to copy in
 *
 * Context: the bottom half (the only producer). Never sleeps.
 * Return: true if the record was published, false if the ring was full
 * (or userspace wrote a tail the producer cannot trust).
 */
bool irqbridge_ring_push(struct irqbridge_ring *ring,
			 const struct irqbridge_record *rec)
{
	struct irqbridge_ring_header *hdr = ring->hdr;
	/* Pairs with the reader's release store of tail after its copy. */
	u64 tail = smp_load_acquire(&hdr->tail);

	/* A tail ahead of head wraps to a huge fill level: treated as full. */
	if (ring->head - tail >= ring->nr) {
		WRITE_ONCE(hdr->overruns, READ_ONCE(hdr->overruns) + 1);
		return false;
	}

	memcpy(&ring->slots[ring->head & (ring->nr - 1)], rec, sizeof(*rec));
	ring->head++;
	/* Pairs with the reader's acquire load of head before its copy. */
	smp_store_release(&hdr->head, ring->head);
	return true;
}

/**
 * irqbridge_ring_mmap() - map the whole ring into a process
 * @ring: the ring
 * @vma: the mapping; it must start at offset 0, cover exactly the ring and
 *	be shared
 *
 * The mapping can never become executable: VM_MAYEXEC is cleared, so a
 * later mprotect(PROT_EXEC) fails with -EACCES. A private mapping is
 * refused: its first write would copy the page, and the module would never
 * see the reader's tail.
 *
 * Return: 0, -EINVAL for another offset or length or a private mapping,
 * -EPERM for PROT_EXEC, or the error of inserting a page.
 */
int irqbridge_ring_mmap(struct irqbridge_ring *ring, struct vm_area_struct *vma)
{
	unsigned long off;
	int ret;

	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff != 0 || vma->vm_end - vma->vm_start != ring->bytes)
		return -EINVAL;

	/* What remap_vmalloc_range() sets, and never executable. */
	irqbridge_vm_flags_mod(vma, VM_DONTEXPAND | VM_DONTDUMP, VM_MAYEXEC);
	for (off = 0; off < ring->bytes; off += PAGE_SIZE) {
		ret = vm_insert_page(vma, vma->vm_start + off,
				     vmalloc_to_page(ring->mem + off));
		if (ret)
			return ret;
	}
	return 0;
}
