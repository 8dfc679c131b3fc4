// The Linux x86 boot protocol objects, with the names boot.rst and
// zero-page.rst give them (Linux: arch/x86/include/uapi/asm/bootparam.h).
// Shared by the real-mode setup, the decompressor, the host tool and the
// tests; depends on nothing but the compiler's freestanding headers.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace bzelf::linuxboot {

// setup_header.header: "HdrS".
inline constexpr uint32_t kHeaderMagic = 0x53726448;
// setup_header.boot_flag.
inline constexpr uint16_t kBootFlag = 0xAA55;
// We implement boot protocol 2.15 (Linux 5.5 and later).
inline constexpr uint16_t kProtocolVersion = 0x020F;
// The versions that added fields we read only when a loader's protocol
// has them (boot.rst marks each field "Protocol: 2.xx+").
inline constexpr uint16_t kProtocolCmdlineSize = 0x0206;  // cmdline_size
inline constexpr uint16_t kProtocolSetupData = 0x0209;    // setup_data

// Where setup_header starts, in the image's first sector and in
// boot_params alike (boot.rst, "The Real-Mode Kernel Header").
inline constexpr size_t kSetupHeaderOffset = 0x1f1;

// setup_header.cmdline_size: the longest command line we take, NUL not
// counted (Linux's COMMAND_LINE_SIZE - 1 on x86).
inline constexpr uint32_t kCmdlineSize = 0x7ff;
// The longest command line, NUL not counted, under protocols before
// cmdline_size (2.05 and earlier, boot.rst).
inline constexpr uint32_t kOldCmdlineSize = 255;

// setup_header.loadflags.
inline constexpr uint8_t LOADED_HIGH = 1 << 0;
inline constexpr uint8_t KASLR_FLAG = 1 << 1;
inline constexpr uint8_t QUIET_FLAG = 1 << 5;
inline constexpr uint8_t KEEP_SEGMENTS = 1 << 6;
inline constexpr uint8_t CAN_USE_HEAP = 1 << 7;

// setup_header.xloadflags.
inline constexpr uint16_t XLF_KERNEL_64 = 1 << 0;
inline constexpr uint16_t XLF_CAN_BE_LOADED_ABOVE_4G = 1 << 1;
inline constexpr uint16_t XLF_EFI_HANDOVER_32 = 1 << 2;
inline constexpr uint16_t XLF_EFI_HANDOVER_64 = 1 << 3;
inline constexpr uint16_t XLF_EFI_KEXEC = 1 << 4;

// Segment selectors of the 32- and 64-bit boot protocols.
inline constexpr uint16_t BOOT_CS = 0x10;
inline constexpr uint16_t BOOT_DS = 0x18;

// setup_data types we know of.
inline constexpr uint32_t SETUP_NONE = 0;
inline constexpr uint32_t SETUP_E820_EXT = 1;
// A node whose data is a setup_indirect: the data itself lies elsewhere
// (Linux 5.8+, arch/x86/include/uapi/asm/bootparam.h).
inline constexpr uint32_t SETUP_INDIRECT = 1u << 31;

// setup_header.type_of_loader as Linux's own EFI stub sets it
// (drivers/firmware/efi/libstub/x86-stub.c): the kernel sees the same value
// from ours.
inline constexpr uint8_t kLoaderTypeEfiStub = 0x21;

// E820 memory types.
inline constexpr uint32_t E820_TYPE_RAM = 1;
inline constexpr uint32_t E820_TYPE_RESERVED = 2;
inline constexpr uint32_t E820_TYPE_ACPI = 3;
inline constexpr uint32_t E820_TYPE_NVS = 4;
inline constexpr uint32_t E820_TYPE_UNUSABLE = 5;
// Persistent memory: 7 is the ACPI type, 12 the older non-standard one
// (legacy NVDIMMs, and what Linux's memmap=nn!ss marks); Linux prints both
// as "persistent (type N)".
inline constexpr uint32_t E820_TYPE_PMEM = 7;
inline constexpr uint32_t E820_TYPE_PRAM = 12;
// Linux's own type for EFI "special purpose" memory; never in a firmware
// E820 map, but it is in the maps Linux's EFI stub builds.
inline constexpr uint32_t E820_TYPE_SOFT_RESERVED = 0xefffffff;
// (Values from Linux, arch/x86/include/asm/e820/types.h.)

inline constexpr size_t E820_MAX_ENTRIES_ZEROPAGE = 128;

struct [[gnu::packed]] setup_header {
  uint8_t setup_sects;
  uint16_t root_flags;
  uint32_t syssize;
  uint16_t ram_size;
  uint16_t vid_mode;
  uint16_t root_dev;
  uint16_t boot_flag;
  uint16_t jump;
  uint32_t header;
  uint16_t version;
  uint32_t realmode_swtch;
  uint16_t start_sys_seg;
  uint16_t kernel_version;
  uint8_t type_of_loader;
  uint8_t loadflags;
  uint16_t setup_move_size;
  uint32_t code32_start;
  uint32_t ramdisk_image;
  uint32_t ramdisk_size;
  uint32_t bootsect_kludge;
  uint16_t heap_end_ptr;
  uint8_t ext_loader_ver;
  uint8_t ext_loader_type;
  uint32_t cmd_line_ptr;
  uint32_t initrd_addr_max;
  uint32_t kernel_alignment;
  uint8_t relocatable_kernel;
  uint8_t min_alignment;
  uint16_t xloadflags;
  uint32_t cmdline_size;
  uint32_t hardware_subarch;
  uint64_t hardware_subarch_data;
  uint32_t payload_offset;
  uint32_t payload_length;
  uint64_t setup_data;
  uint64_t pref_address;
  uint32_t init_size;
  uint32_t handover_offset;
  uint32_t kernel_info_offset;
};

// Every setup_header field in order, for code that walks them all (the
// host tool's `info`): SETUP_HEADER_FIELDS(X) calls X(name) for each.
#define SETUP_HEADER_FIELDS(X) \
  X(setup_sects) X(root_flags) X(syssize) X(ram_size) X(vid_mode) \
  X(root_dev) X(boot_flag) X(jump) X(header) X(version) X(realmode_swtch) \
  X(start_sys_seg) X(kernel_version) X(type_of_loader) X(loadflags) \
  X(setup_move_size) X(code32_start) X(ramdisk_image) X(ramdisk_size) \
  X(bootsect_kludge) X(heap_end_ptr) X(ext_loader_ver) X(ext_loader_type) \
  X(cmd_line_ptr) X(initrd_addr_max) X(kernel_alignment) \
  X(relocatable_kernel) X(min_alignment) X(xloadflags) X(cmdline_size) \
  X(hardware_subarch) X(hardware_subarch_data) X(payload_offset) \
  X(payload_length) X(setup_data) X(pref_address) X(init_size) \
  X(handover_offset) X(kernel_info_offset)
// ...and none is missing: their sizes add up to the struct's.
#define SETUP_HEADER_FIELD_SIZE(field) +sizeof(setup_header::field)
static_assert(0 SETUP_HEADER_FIELDS(SETUP_HEADER_FIELD_SIZE) == sizeof(setup_header));
#undef SETUP_HEADER_FIELD_SIZE

struct [[gnu::packed]] screen_info {
  uint8_t orig_x;
  uint8_t orig_y;
  uint16_t ext_mem_k;
  uint16_t orig_video_page;
  uint8_t orig_video_mode;
  uint8_t orig_video_cols;
  uint8_t flags;
  uint8_t unused2;
  uint16_t orig_video_ega_bx;
  uint16_t unused3;
  uint8_t orig_video_lines;
  uint8_t orig_video_isVGA;
  uint16_t orig_video_points;
  uint16_t lfb_width;
  uint16_t lfb_height;
  uint16_t lfb_depth;
  uint32_t lfb_base;
  uint32_t lfb_size;
  uint16_t cl_magic;
  uint16_t cl_offset;
  uint16_t lfb_linelength;
  uint8_t red_size;
  uint8_t red_pos;
  uint8_t green_size;
  uint8_t green_pos;
  uint8_t blue_size;
  uint8_t blue_pos;
  uint8_t rsvd_size;
  uint8_t rsvd_pos;
  uint16_t vesapm_seg;
  uint16_t vesapm_off;
  uint16_t pages;
  uint16_t vesa_attributes;
  uint32_t capabilities;
  uint32_t ext_lfb_base;
  uint8_t _reserved[2];
};

// screen_info.orig_video_isVGA values (Linux: uapi/linux/screen_info.h).
inline constexpr uint8_t VIDEO_TYPE_MDA = 0x10;
inline constexpr uint8_t VIDEO_TYPE_CGA = 0x11;
inline constexpr uint8_t VIDEO_TYPE_EGAM = 0x20;
inline constexpr uint8_t VIDEO_TYPE_EGAC = 0x21;
inline constexpr uint8_t VIDEO_TYPE_VGAC = 0x22;
inline constexpr uint8_t VIDEO_TYPE_EFI = 0x70;  // a linear frame buffer from EFI's GOP
// screen_info.capabilities.
inline constexpr uint32_t VIDEO_CAPABILITY_SKIP_QUIRKS = 1 << 0;
inline constexpr uint32_t VIDEO_CAPABILITY_64BIT_BASE = 1 << 1;  // ext_lfb_base is valid

// boot_params.efi_info: where an EFI loader left the system table and the
// final memory map, so that the kernel can use runtime services (Linux:
// struct efi_info in arch/x86/include/uapi/asm/bootparam.h).
struct [[gnu::packed]] efi_info {
  uint32_t efi_loader_signature;
  uint32_t efi_systab;
  uint32_t efi_memdesc_size;
  uint32_t efi_memdesc_version;
  uint32_t efi_memmap;
  uint32_t efi_memmap_size;
  uint32_t efi_systab_hi;
  uint32_t efi_memmap_hi;
};
static_assert(sizeof(efi_info) == 0x20);
static_assert(offsetof(efi_info, efi_memmap) == 0x10);
static_assert(offsetof(efi_info, efi_memmap_hi) == 0x1c);
// efi_loader_signature of a 64-bit EFI loader: "EL64" (Linux:
// arch/x86/include/asm/efi.h, EFI64_LOADER_SIGNATURE).
inline constexpr uint32_t EFI64_LOADER_SIGNATURE = 0x34364c45;
// ... and of a 32-bit one, "EL32" (EFI32_LOADER_SIGNATURE there).
inline constexpr uint32_t EFI32_LOADER_SIGNATURE = 0x32334c45;

struct [[gnu::packed]] e820_entry {
  uint64_t addr;
  uint64_t size;
  uint32_t type;
};

struct [[gnu::packed]] setup_data {
  uint64_t next;
  uint32_t type;
  uint32_t len;
  // uint8_t data[len] follows.
};

// The data of a SETUP_INDIRECT node. Its type is SETUP_INDIRECT | the
// type of what it points at; Linux reserves [addr, addr + len) when that
// is not SETUP_INDIRECT alone (kaslr.c mem_avoid_overlap, setup.c
// memblock_x86_reserve_range_setup_data, Linux 6.1).
struct [[gnu::packed]] setup_indirect {
  uint32_t type;
  uint32_t reserved;
  uint64_t len;
  uint64_t addr;
};

struct [[gnu::packed]] boot_params {
  struct screen_info screen_info;           // 0x000
  uint8_t apm_bios_info[0x14];              // 0x040
  uint8_t _pad2[4];                         // 0x054
  uint64_t tboot_addr;                      // 0x058
  uint8_t ist_info[0x10];                   // 0x060
  uint64_t acpi_rsdp_addr;                  // 0x070
  uint8_t _pad3[8];                         // 0x078
  uint8_t hd0_info[16];                     // 0x080
  uint8_t hd1_info[16];                     // 0x090
  uint8_t sys_desc_table[0x10];             // 0x0a0
  uint8_t olpc_ofw_header[0x10];            // 0x0b0
  uint32_t ext_ramdisk_image;               // 0x0c0
  uint32_t ext_ramdisk_size;                // 0x0c4
  uint32_t ext_cmd_line_ptr;                // 0x0c8
  uint8_t _pad4[112];                       // 0x0cc
  uint32_t cc_blob_address;                 // 0x13c
  uint8_t edid_info[0x80];                  // 0x140
  uint8_t efi_info[0x20];                   // 0x1c0
  uint32_t alt_mem_k;                       // 0x1e0
  uint32_t scratch;                         // 0x1e4
  uint8_t e820_entries;                     // 0x1e8
  uint8_t eddbuf_entries;                   // 0x1e9
  uint8_t edd_mbr_sig_buf_entries;          // 0x1ea
  uint8_t kbd_status;                       // 0x1eb
  uint8_t secure_boot;                      // 0x1ec
  uint8_t _pad5[2];                         // 0x1ed
  uint8_t sentinel;                         // 0x1ef
  uint8_t _pad6[1];                         // 0x1f0
  setup_header hdr;                         // 0x1f1
  uint8_t _pad7[0x290 - kSetupHeaderOffset - sizeof(setup_header)];
  uint32_t edd_mbr_sig_buffer[16];          // 0x290
  e820_entry e820_table[E820_MAX_ENTRIES_ZEROPAGE];  // 0x2d0
  uint8_t _pad8[48];                        // 0xcd0
  uint8_t eddbuf[6 * 82];                   // 0xd00
  uint8_t _pad9[276];                       // 0xeec
};

static_assert(sizeof(setup_header) == 0x26c - kSetupHeaderOffset);
static_assert(offsetof(setup_header, jump) == 0x200 - kSetupHeaderOffset);
static_assert(offsetof(setup_header, header) == 0x202 - kSetupHeaderOffset);
static_assert(offsetof(setup_header, code32_start) == 0x214 - kSetupHeaderOffset);
static_assert(offsetof(setup_header, heap_end_ptr) == 0x224 - kSetupHeaderOffset);
static_assert(offsetof(setup_header, cmd_line_ptr) == 0x228 - kSetupHeaderOffset);
static_assert(offsetof(setup_header, xloadflags) == 0x236 - kSetupHeaderOffset);
static_assert(offsetof(setup_header, payload_offset) == 0x248 - kSetupHeaderOffset);
static_assert(offsetof(setup_header, setup_data) == 0x250 - kSetupHeaderOffset);
static_assert(offsetof(setup_header, init_size) == 0x260 - kSetupHeaderOffset);
static_assert(offsetof(setup_header, kernel_info_offset) == 0x268 - kSetupHeaderOffset);
static_assert(sizeof(screen_info) == 0x40);
static_assert(sizeof(e820_entry) == 20);
static_assert(sizeof(setup_data) == 16);
static_assert(sizeof(setup_indirect) == 24);
static_assert(offsetof(boot_params, ext_ramdisk_image) == 0x0c0);
static_assert(offsetof(boot_params, cc_blob_address) == 0x13c);
static_assert(offsetof(boot_params, scratch) == 0x1e4);
static_assert(offsetof(boot_params, e820_entries) == 0x1e8);
static_assert(offsetof(boot_params, sentinel) == 0x1ef);
static_assert(offsetof(boot_params, hdr) == kSetupHeaderOffset);
static_assert(kSetupHeaderOffset == 0x1f1);
static_assert(offsetof(boot_params, edd_mbr_sig_buffer) == 0x290);
static_assert(offsetof(boot_params, e820_table) == 0x2d0);
static_assert(offsetof(boot_params, eddbuf) == 0xd00);
static_assert(sizeof(boot_params) == 0x1000);

}  // namespace bzelf::linuxboot
