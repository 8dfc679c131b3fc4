// The EFI stub: the image's PE entry point (efi_pe_entry in head.S, which
// adds part 5's address and its parameters to the firmware's two
// arguments). It does what a Linux boot loader does, from inside the
// image: a fresh boot_params with the image's setup header, the command
// line from LoadOptions (or the built-in one), the initrd, GOP's frame
// buffer, the RSDP, and at the end the E820 map from the final EFI memory
// map and efi_info, so that Linux keeps EFI runtime services. Then
// ExitBootServices and startup_64 with rsi = boot_params, the path every
// 64-bit loader takes (head.S): the planner checks the final map there
// and the kernel is placed and entered as on every other path.
//
// The same code serves the EFI handover entry (efi-handover.cpp), where
// the loader has filled a boot_params already: its setup header, command
// line and initrd are taken from there, and part 5 is never run in place
// (it lies inside the loader's file, next to whatever follows it).
//
// The kernel's ranges usually lie in memory the firmware still uses
// (OVMF keeps boot-services data at 9-21 MiB): they are checked to be
// memory the firmware gives up at ExitBootServices, and everything the
// stub keeps (part 5 if it must move, boot_params, the command line, the
// memory map, the initrd) is allocated clear of them, below 4 GiB, where
// the 32-bit stage reaches it.
#include "boot-params.h"
#include "efi-boot.h"
#include "efi-cmdline.h"
#include "efi-secure-boot.h"

namespace bzelf {
namespace {

using namespace efi;
using linuxboot::boot_params;

uint64_t Phys(const void* p) { return reinterpret_cast<uintptr_t>(p); }
template <typename T>
T* At(uint64_t addr) {
  return reinterpret_cast<T*>(static_cast<uintptr_t>(addr));
}

// What the stub keeps across ExitBootServices, in one allocation: the
// zero page, the command line, the final memory map (Linux reads it from
// efi_info) and a SETUP_E820_EXT node for entries past 128.
constexpr uint64_t kKeepCmdlineOffset = 0x1000;
constexpr uint64_t kKeepMapOffset = 0x2000;
static_assert(linuxboot::kCmdlineSize + 1 <= kKeepMapOffset - kKeepCmdlineOffset);

[[noreturn]] void EnterStartup64(uint64_t part5, boot_params* bp) {
  asm volatile("cli; jmp *%0" : : "r"(part5 + kStageHeadSize), "S"(bp) : "memory");
  __builtin_unreachable();
}

// A command line longer than the kernel takes (cmdline_size) is cut
// after its last whole option, and said, as Linux's stub does for
// LoadOptions (efi_convert_cmdline, Linux 6.1: "Command line is too long:
// truncated to N bytes"): the kernel then boots with less than it was
// given.
void NoteCut(const EfiConsole& console, const char* source, size_t kept) {
  Message m;
  m << source << " longer than " << Dec{linuxboot::kCmdlineSize}
    << " bytes: cut after its last whole option, to " << Dec{kept} << " bytes";
  console.Note("command line", m);
}

// The command line: LoadOptions when the loader passed any, else the
// image's built-in one (firmware starting \EFI\BOOT\BOOTX64.EFI passes
// none, nor does UEFI network boot).
const char* Cmdline(const EfiConsole& console, const EFI_LOADED_IMAGE_PROTOCOL& li,
                    const uint8_t* part5, const StageParams& params, char* out,
                    size_t capacity) {
  bool truncated;
  if (li.LoadOptionsSize != 0 && li.LoadOptions != nullptr) {
    const size_t kept = LoadOptionsToCmdline(static_cast<const uint16_t*>(li.LoadOptions),
                                             li.LoadOptionsSize, out, capacity, &truncated);
    if (truncated) NoteCut(console, "LoadOptions", kept);
    return "LoadOptions";
  }
  size_t n = 0;
  const char* builtin = reinterpret_cast<const char*>(part5 + params.cmdline_offset);
  for (; n + 1 < capacity && n < params.cmdline_size && builtin[n] != '\0'; ++n) out[n] = builtin[n];
  out[n] = '\0';
  return "built in";
}

void FillVideo(const EfiBoot& boot, boot_params* bp) {
  EFI_GRAPHICS_OUTPUT_PROTOCOL* gop;
  if (boot.bs->LocateProtocol(&EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID, nullptr,
                              reinterpret_cast<void**>(&gop)) != EFI_SUCCESS ||
      gop == nullptr || gop->Mode == nullptr || gop->Mode->Info == nullptr) {
    return;
  }
  ScreenInfoFromGop(*gop->Mode->Info, gop->Mode->FrameBufferBase, gop->Mode->FrameBufferSize,
                    bp->screen_info);
}

// Where part 5 runs: in place when the loaded image holds it and its
// arena, page-aligned, below 4 GiB and clear of the kernel; else a copy in
// pages of our own (a kernel at 1 MiB, firmware that loaded the image
// high, or a setup whose size leaves part 5 off a page boundary: the
// arena's page tables must be page-aligned, and the arena lies at a fixed
// offset from part 5).
// Entered through the handover entry, the loaded image is the loader's
// (a UKI's, with part 5 somewhere inside one of its sections): never in
// place then.
Failure PlaceStage(const EfiBoot& boot, const EfiConsole& console, uint64_t part5,
                   const StageParams& params, bool handover, uint64_t* run_at) {
  const uint64_t size = uint64_t{params.arena_offset} + params.arena_size;
  const Range stage{part5, part5 + size};
  const uint64_t image = Phys(boot.loaded_image->ImageBase);
  bool in_place = !handover && stage.start >= image &&
                  stage.end <= image + boot.loaded_image->ImageSize && stage.end <= k4GiB &&
                  part5 % kPageSize == 0;
  for (int i = 0; i < boot.kernel_count; ++i) {
    if (stage.Overlaps(boot.kernel[i])) in_place = false;
  }
  *run_at = part5;
  if (in_place) return MakeStageExecutable(boot, console, true, part5, params.file_size);
  // Loader code: what it runs under the firmware's page tables is code
  // (lib/efi-memory-attribute.h).
  if (Failure f = boot.Allocate(size, k4GiB, "the boot stage", run_at, EfiLoaderCode)) return f;
  __builtin_memcpy(At<void>(*run_at), At<void>(part5), params.file_size);
  __builtin_memset(At<uint8_t>(*run_at) + params.file_size, 0, size - params.file_size);
  return MakeStageExecutable(boot, console, false, *run_at, params.file_size);
}

Failure CheckParams(const StageParams& params) {
  if (params.magic != kStageParamsMagic || params.version != kStageParamsVersion ||
      params.segment_count > kMaxSegments || params.cmdline_offset > params.file_size ||
      params.cmdline_size > params.file_size - params.cmdline_offset ||
      params.file_size > params.arena_offset) {
    return Fail("image", "stage parameters missing or damaged: this image was not made by `bzelf build`");
  }
  return {};
}

Failure CheckImage(const EFI_LOADED_IMAGE_PROTOCOL& li, uint64_t part5) {
  const uint64_t image = Phys(li.ImageBase);
  const auto& hdr = *At<const linuxboot::setup_header>(image + linuxboot::kSetupHeaderOffset);
  const uint64_t setup_sects = hdr.setup_sects == 0 ? 4 : hdr.setup_sects;
  if (li.ImageSize < 0x1000 || hdr.header != linuxboot::kHeaderMagic ||
      part5 != image + (setup_sects + 1) * 512) {
    Message m;
    m << "the loaded image at " << Hex{image} << " does not hold part 5 at " << Hex{part5};
    return Fail("image", m);
  }
  return {};
}

// What the handover entry needs of the loader's boot_params: a setup
// header (Linux's stub trusts it blindly; a zero page with no "HdrS" is
// a loader that called the wrong address or passed the wrong argument).
Failure CheckLoaderParams(const boot_params& loader) {
  if (loader.hdr.header != linuxboot::kHeaderMagic) {
    Message m;
    m << "the loader's boot_params at " << Hex{Phys(&loader)} << " has no setup header (HdrS)";
    return Fail("efi handover", m);
  }
  return {};
}

// The loader's command line (cmd_line_ptr and ext_cmd_line_ptr, a
// NUL-terminated ASCII string, as boot.rst puts it), copied: the stage
// is 32-bit and keeps what it reads below 4 GiB. Linux's handover entry
// leaves the loader's string where it is (the kernel copies at most
// COMMAND_LINE_SIZE of it); ours copies into a buffer of cmdline_size,
// so one too long is cut, our rule, the way LoadOptions are.
const char* LoaderCmdline(const EfiConsole& console, const boot_params& loader, char* out,
                          size_t capacity) {
  const uint64_t at = CmdlineAddress(loader);
  bool truncated;
  const size_t kept = CopyCmdline(at == 0 ? "" : At<const char>(at), out, capacity, &truncated);
  if (truncated) NoteCut(console, "the loader's cmd_line_ptr", kept);
  return at == 0 ? "none from the loader" : "the loader's cmd_line_ptr";
}

// The initrd the loader put in memory and named in boot_params (with the
// high halves a 64-bit loader may set: InitrdAddress, InitrdSize). It
// stays where it is (inside the loader's file for a UKI) when it lies
// below `limit` (initrd_addr_max, at most 4 GiB: the 32-bit stage and a
// 32-bit kernel reach it there) and clear of the kernel, which is written
// over whatever is there after ExitBootServices; else it is copied into
// pages of our own that are, while the loader's memory still holds it.
Failure LoaderInitrd(const EfiBoot& boot, const boot_params& loader, uint64_t limit,
                     EfiInitrd* out) {
  const uint64_t addr = InitrdAddress(loader);
  const uint64_t size = InitrdSize(loader);
  if (addr + size < addr) {
    Message m;
    m << "the loader's initrd at " << Hex{addr} << " (" << Dec{size} << " bytes) wraps past 2^64";
    return Fail("initrd", m);
  }
  bool in_place = addr + size <= limit;
  for (int i = 0; i < boot.kernel_count; ++i) {
    if (boot.kernel[i].Overlaps(Range{addr, addr + size})) in_place = false;
  }
  out->size = size;
  if (in_place) {
    out->addr = addr;
    out->source = "the loader's boot_params";
    return {};
  }
  if (Failure f = boot.Allocate(size, limit, "the loader's initrd", &out->addr)) return f;
  __builtin_memcpy(At<void>(out->addr), At<void>(addr), size);
  out->source = "the loader's boot_params, copied";
  return {};
}

}  // namespace

[[noreturn]] void EfiStub(efi::EFI_HANDLE image, efi::EFI_SYSTEM_TABLE* st, uint8_t* part5,
                          const StageParams* params, const boot_params* loader) {
  EfiBoot boot;
  boot.image = image;
  boot.st = st;
  boot.bs = st->BootServices;
  EfiConsole console(st->ConOut);
  console.Info(loader == nullptr ? "entered at efi_pe_entry"
                                 : "entered at efi_handover_entry, boot_params from the loader");

  EFI_STATUS s = boot.bs->HandleProtocol(image, &EFI_LOADED_IMAGE_PROTOCOL_GUID,
                                         reinterpret_cast<void**>(&boot.loaded_image));
  if (s != EFI_SUCCESS) console.Halt(EfiFail("efi", "HandleProtocol(LoadedImage)", s));
  if (Failure f = CheckParams(*params)) console.Halt(f);
  if (loader == nullptr) {
    if (Failure f = CheckImage(*boot.loaded_image, Phys(part5))) console.Halt(f);
  } else {
    if (Failure f = CheckLoaderParams(*loader)) console.Halt(f);
  }

  // The kernel's link ranges: the stub's allocations stay clear of them
  // (the kernel may go there after ExitBootServices). A kernel that
  // cannot move must find them free once boot services exit; one with
  // relocations goes elsewhere when they are not (compressed/kernel-place.cpp
  // chooses from the final map), so it is not refused here.
  for (unsigned i = 0; i < params->segment_count; ++i) {
    const StageSegment& seg = params->segments[i];
    boot.kernel[boot.kernel_count++] = {seg.paddr, seg.paddr + seg.memsz};
  }
  if (static_cast<RelocSource>(params->reloc_source) == RelocSource::kNone) {
    void* buffer;
    uint64_t size, desc_size;
    if (Failure f = boot.GetMap(&buffer, &size, &desc_size)) console.Halt(f);
    const EfiMemoryMap map(buffer, size, desc_size);
    for (int i = 0; i < boot.kernel_count; ++i) {
      if (Failure f = CheckKernelRange(map, boot.kernel[i], "kernel segment", i)) console.Halt(f);
    }
    boot.bs->FreePool(buffer);
  }

  uint64_t stage;
  if (Failure f = PlaceStage(boot, console, Phys(part5), *params, loader != nullptr, &stage)) {
    console.Halt(f);
  }

  // The setup header the kernel and the stage read: the image's own, or
  // the loader's copy of it.
  const auto* image_hdr =
      loader != nullptr ? &loader->hdr
                        : At<const linuxboot::setup_header>(Phys(boot.loaded_image->ImageBase) +
                                                            linuxboot::kSetupHeaderOffset);
  char cmdline[linuxboot::kCmdlineSize + 1];
  const char* cmdline_source =
      loader != nullptr
          ? LoaderCmdline(console, *loader, cmdline, sizeof(cmdline))
          : Cmdline(console, *boot.loaded_image, part5, *params, cmdline, sizeof(cmdline));
  // The LoadOptions as the loader passed them, as Linux's stub measures
  // them; a built-in command line is part of the image, which the
  // firmware measured. From the handover entry the loader's boot_params
  // carry the command line: the loader's to measure.
  if (loader == nullptr && boot.loaded_image->LoadOptions != nullptr) {
    EfiMeasure(boot, console, Phys(boot.loaded_image->LoadOptions),
               boot.loaded_image->LoadOptionsSize, StubEvent::kLoadOptions);
  }

  uint64_t initrd_limit = uint64_t{image_hdr->initrd_addr_max} + 1;
  if (initrd_limit > k4GiB) initrd_limit = k4GiB;
  EfiInitrd initrd;
  const bool loader_initrd = loader != nullptr && InitrdSize(*loader) != 0;
  if (loader_initrd) {
    if (Failure f = LoaderInitrd(boot, *loader, initrd_limit, &initrd)) console.Halt(f);
  } else if (Failure f = LoadInitrd(boot, cmdline, initrd_limit, &initrd)) {
    console.Halt(f);
  }
  // What the stub loaded itself, whether from LoadFile2 or initrd= files:
  // Linux measured only the first until 6.13 (commit c004703ed7ae,
  // "efi/libstub: measure initrd to PCR9 independent of source"), both
  // since. An initrd a loader placed is the loader's to measure.
  if (!loader_initrd) EfiMeasure(boot, console, initrd.addr, initrd.size, StubEvent::kInitrd);
  EfiKeepEventLog(boot, console);

  // The kept block, sized for the map as it is now plus slack.
  void* probe;
  uint64_t map_now, desc_size;
  if (Failure f = boot.GetMap(&probe, &map_now, &desc_size)) console.Halt(f);
  boot.bs->FreePool(probe);
  const uint64_t map_capacity = map_now + 2 * kMapSlack * desc_size;
  const uint64_t ext_capacity = map_capacity / desc_size;
  const uint64_t ext_offset = kKeepMapOffset + ((map_capacity + 7) & ~uint64_t{7});
  const uint64_t keep_size =
      ext_offset + sizeof(linuxboot::setup_data) + ext_capacity * sizeof(linuxboot::e820_entry);
  uint64_t keep;
  if (Failure f = boot.Allocate(keep_size, k4GiB, "boot_params and the memory map", &keep)) {
    console.Halt(f);
  }
  __builtin_memset(At<void>(keep), 0, keep_size);
  auto* bp = At<boot_params>(keep);
  uint64_t loader_setup_data = 0;
  if (loader != nullptr) {
    // The loader's zero page as it filled it (its setup header with its
    // type_of_loader, whatever else it set); the command line, the
    // initrd, the maps and efi_info are the stub's below, as in Linux's
    // efi_stub_entry, which works on the loader's boot_params.
    __builtin_memcpy(bp, loader, sizeof(*bp));
    bp->ext_cmd_line_ptr = 0;
    bp->ext_ramdisk_image = 0;
    loader_setup_data = loader->hdr.setup_data;
  } else {
    __builtin_memcpy(&bp->hdr, image_hdr, sizeof(bp->hdr));
    bp->hdr.type_of_loader = linuxboot::kLoaderTypeEfiStub;
  }
  bp->hdr.code32_start = static_cast<uint32_t>(stage);
  bp->hdr.setup_data = loader_setup_data;
  char* kept_cmdline = At<char>(keep + kKeepCmdlineOffset);
  for (size_t i = 0; cmdline[i] != '\0'; ++i) kept_cmdline[i] = cmdline[i];
  bp->hdr.cmd_line_ptr = static_cast<uint32_t>(keep + kKeepCmdlineOffset);
  bp->hdr.ramdisk_image = static_cast<uint32_t>(initrd.addr);
  bp->hdr.ramdisk_size = static_cast<uint32_t>(initrd.size);
  bp->ext_ramdisk_size = static_cast<uint32_t>(initrd.size >> 32);
  FillVideo(boot, bp);
  bp->secure_boot = SecureBootField(bp->secure_boot, *st->RuntimeServices);
  bp->acpi_rsdp_addr = FindRsdp(st->ConfigurationTable, st->NumberOfTableEntries);

  {
    Message m;
    m << "command line " << cmdline_source << ", initrd " << Dec{initrd.size} << " bytes ("
      << initrd.source << "), stage at " << Hex{stage};
    console.Info(m.c_str());
  }

  // The final map, then ExitBootServices; a map key that went stale in
  // between (an event allocated memory) gets one more try with a fresh
  // map, as the spec allows and Linux's stub does.
  auto* map_buffer = At<EFI_MEMORY_DESCRIPTOR>(keep + kKeepMapOffset);
  UINTN map_size = 0, key = 0, final_desc_size = 0;
  uint32_t desc_version = 0;
  for (int attempt = 0;; ++attempt) {
    map_size = map_capacity;
    s = boot.bs->GetMemoryMap(&map_size, map_buffer, &key, &final_desc_size, &desc_version);
    if (s != EFI_SUCCESS) console.Halt(EfiFail("memory", "the final GetMemoryMap", s));
    s = boot.bs->ExitBootServices(image, key);
    if (s == EFI_SUCCESS) break;
    if (s != EFI_INVALID_PARAMETER || attempt == 1) {
      console.Halt(EfiFail("efi", "ExitBootServices", s));
    }
  }
  // Boot services are gone: ConOut with them.
  const EfiConsole serial(nullptr);

  auto* ext = At<linuxboot::setup_data>(keep + ext_offset);
  const E820Fill fill = FillE820(EfiMemoryMap(map_buffer, map_size, final_desc_size), *bp, ext,
                                 static_cast<uint32_t>(ext_capacity));
  if (!fill.fits) serial.Halt("memory", Message() << "the E820 map outgrew its buffer");
  if (fill.ext_entries != 0) {
    ext->next = loader_setup_data;
    bp->hdr.setup_data = keep + ext_offset;
  }

  linuxboot::efi_info info{};
  info.efi_loader_signature = linuxboot::EFI64_LOADER_SIGNATURE;
  info.efi_systab = static_cast<uint32_t>(Phys(st));
  info.efi_systab_hi = static_cast<uint32_t>(Phys(st) >> 32);
  info.efi_memdesc_size = static_cast<uint32_t>(final_desc_size);
  info.efi_memdesc_version = desc_version;
  info.efi_memmap = static_cast<uint32_t>(Phys(map_buffer));
  info.efi_memmap_hi = static_cast<uint32_t>(Phys(map_buffer) >> 32);
  info.efi_memmap_size = static_cast<uint32_t>(map_size);
  __builtin_memcpy(bp->efi_info, &info, sizeof(info));

  EnterStartup64(stage, bp);
}

}  // namespace bzelf

// The PE entry point's C++ half (compressed/head.S, efi_pe_entry): the
// firmware's image handle and system table, part 5's address and its
// parameters. Never returns.
extern "C" [[gnu::ms_abi, gnu::section(".text.efi")]] bzelf::efi::EFI_STATUS EfiMain(
    bzelf::efi::EFI_HANDLE image, bzelf::efi::EFI_SYSTEM_TABLE* st, uint8_t* part5,
    const bzelf::StageParams* params) {
  bzelf::EfiStub(image, st, part5, params, nullptr);
}
