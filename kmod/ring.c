// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-CPU rings. The data pages are mapped twice, back to back, both in the
 * kernel (vmap) and in the consumer (mmap of 2 * size bytes), so an event
 * that wraps past the end of the ring is contiguous for both sides.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/gfp.h>
#include <linux/topology.h>
#include "falcon.h"
#include "compat.h"

bool falcon_ring_size_valid(unsigned long size)
{
	return size > 2 * PAGE_SIZE && size <= (1UL << 30) &&
	       is_power_of_2(size);
}

int falcon_ring_alloc(struct falcon_ring *ring, int cpu, u32 size)
{
	u32 i, n = size >> PAGE_SHIFT;
	int node = cpu_to_node(cpu);

	memset(ring, 0, sizeof(*ring));
	ring->cpu = cpu;
	ring->size = size;
	ring->npages = n;
	atomic_set(&ring->busy, 0);

	ring->info = (void *)get_zeroed_page(GFP_KERNEL);
	if (!ring->info)
		return -ENOMEM;

	ring->pages = kvcalloc(2 * n, sizeof(*ring->pages), GFP_KERNEL);
	if (!ring->pages)
		goto fail;
	for (i = 0; i < n; i++) {
		ring->pages[i] = alloc_pages_node(node, GFP_KERNEL | __GFP_ZERO,
						  0);
		if (!ring->pages[i])
			goto fail;
		ring->pages[n + i] = ring->pages[i];
	}
	ring->data = vmap(ring->pages, 2 * n, VM_MAP, PAGE_KERNEL);
	if (!ring->data)
		goto fail;
	return 0;

fail:
	falcon_ring_free(ring);
	return -ENOMEM;
}

void falcon_ring_free(struct falcon_ring *ring)
{
	u32 i;

	if (ring->data)
		vunmap(ring->data);
	if (ring->pages) {
		for (i = 0; i < ring->npages && ring->pages[i]; i++)
			__free_page(ring->pages[i]);
		kvfree(ring->pages);
	}
	if (ring->info)
		free_page((unsigned long)ring->info);
	memset(ring, 0, sizeof(*ring));
}

/*
 * Length <= PAGE_SIZE maps the info page read-write (the consumer writes
 * tail); length == 2 * size maps the data pages twice, read-only.
 */
int falcon_ring_mmap(struct falcon_ring *ring, struct vm_area_struct *vma)
{
	unsigned long len = vma->vm_end - vma->vm_start;
	unsigned long addr = vma->vm_start;
	u32 i;
	int err;

	if (vma->vm_pgoff)
		return -EINVAL;

	if (len <= PAGE_SIZE) {
		falcon_vma_set_flags(vma, VM_DONTEXPAND | VM_DONTDUMP, 0);
		return vm_insert_page(vma, addr, virt_to_page(ring->info));
	}

	if (len != 2 * (unsigned long)ring->size)
		return -EINVAL;
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	falcon_vma_set_flags(vma, VM_DONTEXPAND | VM_DONTDUMP, VM_MAYWRITE);
	for (i = 0; i < 2 * ring->npages; i++) {
		err = vm_insert_page(vma, addr + (unsigned long)i * PAGE_SIZE,
				     ring->pages[i]);
		if (err)
			return err;
	}
	return 0;
}
