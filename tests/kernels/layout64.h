/*
 * Where the 64-bit test kernel lives, shared by test64.ld.S and entry64.S
 * (both go through the C preprocessor).
 *
 * Like Linux's vmlinux: linked at __START_KERNEL_map + physical address,
 * loaded at CONFIG_PHYSICAL_START (16 MiB), with p_paddr carrying the
 * physical addresses. KERNEL_DATA_GAP moves .data and .bss that far up
 * (physically and virtually) for the widely-spread layout.
 *
 * The placement kernels (build.mk) move KERNEL_PHYS_START, add
 * KERNEL_PADDR_OFFSET to every p_paddr (p_paddr = physical + offset),
 * make e_entry virtual (KERNEL_ENTRY_VIRTUAL) and carry Xen's ELF notes
 * (KERNEL_XEN_NOTES, xen-notes.S).
 */
#pragma once

/* Linux's __START_KERNEL_map: the top 2 GiB map physical memory from 0. */
#define KERNEL_VIRT_BASE 0xffffffff80000000
/* Linux's CONFIG_PHYSICAL_START default. */
#ifndef KERNEL_PHYS_START
#define KERNEL_PHYS_START 0x1000000
#endif

/* p_paddr minus the physical address: 0, as in Linux's vmlinux. */
#ifndef KERNEL_PADDR_OFFSET
#define KERNEL_PADDR_OFFSET 0
#endif

#ifndef KERNEL_DATA_GAP
#define KERNEL_DATA_GAP 0
#endif
