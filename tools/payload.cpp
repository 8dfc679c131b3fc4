#include "payload.h"

#include <zlib.h>

#include <algorithm>

#include "crc32.h"
#include "elf.h"

namespace bzelf {
namespace {

constexpr uint64_t kMaxHeaderBytes = 4096;
constexpr uint64_t kPage = 4096;

// The alignment the rewritten file keeps between p_offset and p_vaddr.
uint64_t FileAlign(const KernelPhdr& p) {
  uint64_t a = std::min(p.align, kPage);
  if (a == 0 || (a & (a - 1)) != 0) return 1;
  return a;
}

struct Piece {
  uint64_t offset;  // in the rewritten file
  uint64_t length;
  int segment;      // index into params.segments, -1 for scratch, kTablePiece
};
constexpr int kTablePiece = -2;

// True if the file bytes of `p` lie within those of `load`.
bool FileBytesWithin(const KernelPhdr& p, const KernelPhdr& load) {
  return p.offset >= load.offset && p.offset + p.filesz <= load.offset + load.filesz;
}

// The kernel's program headers with each PT_LOAD's trailing zero bytes
// moved from p_filesz into the p_memsz tail, which the stage zeroes: the
// segment's memory is the same, byte for byte, and neither the inflate nor
// the CRC check goes over those bytes. (Linux's vmlinux has .bss, .brk and
// .init.scratch inside its last PT_LOAD's file image: 24 MB of Debian's
// 60 MB. The stage zeroes 16 bytes a store, where inflating took a match
// per 258 bytes and the CRC a block check per 64.) The bytes of another
// header's contents inside a PT_LOAD, a note's say, stay in the file.
std::vector<KernelPhdr> TrimZeroTails(const KernelElf& k, const Bytes& file) {
  std::vector<KernelPhdr> phdrs = k.phdrs;
  for (KernelPhdr& l : phdrs) {
    if (l.type != elf::PT_LOAD || l.filesz == 0) continue;
    uint64_t keep = l.filesz;
    while (keep > 0 && file[l.offset + keep - 1] == 0) --keep;
    for (const KernelPhdr& p : k.phdrs) {
      if (p.type != elf::PT_LOAD && p.type != elf::PT_NULL && p.filesz != 0 &&
          FileBytesWithin(p, l)) {
        keep = std::max(keep, p.offset + p.filesz - l.offset);
      }
    }
    l.filesz = keep;
  }
  return phdrs;
}

template <typename Ehdr, typename Phdr>
Bytes WriteHeaders(const std::vector<KernelPhdr>& phdrs, const Bytes& file,
                   const std::vector<uint64_t>& new_offset, uint64_t total) {
  Bytes out(total, 0);
  Ehdr eh = Load<Ehdr>(file, 0);
  eh.e_phoff = sizeof(Ehdr);
  eh.e_shoff = 0;
  eh.e_shnum = 0;
  eh.e_shstrndx = 0;
  Store(out, 0, eh);
  for (size_t i = 0; i < phdrs.size(); ++i) {
    const KernelPhdr& p = phdrs[i];
    Phdr ph{};
    ph.p_type = p.type;
    ph.p_flags = p.flags;
    ph.p_offset = static_cast<decltype(ph.p_offset)>(new_offset[i]);
    ph.p_vaddr = static_cast<decltype(ph.p_vaddr)>(p.vaddr);
    ph.p_paddr = static_cast<decltype(ph.p_paddr)>(p.paddr);
    ph.p_filesz = static_cast<decltype(ph.p_filesz)>(p.filesz);
    ph.p_memsz = static_cast<decltype(ph.p_memsz)>(p.memsz);
    ph.p_align = static_cast<decltype(ph.p_align)>(p.align);
    Store(out, sizeof(Ehdr) + i * sizeof(Phdr), ph);
  }
  return out;
}

}  // namespace

Payload BuildPayload(const KernelElf& k, const Bytes& file, const Placement& pl,
                     const KernelRelocs& relocs, int level, const std::string& name) {
  Payload pay{};
  StageParams& sp = pay.params;
  sp.kernel_class = k.elf_class;
  sp.isa_needed = k.isa_needed;
  sp.placement_rule = static_cast<uint8_t>(pl.rule);
  sp.entry = pl.entry_phys;
  sp.paddr_offset = pl.offset;
  sp.reloc_source = static_cast<uint8_t>(relocs.source);
  sp.kernel_map = relocs.kernel_map;
  sp.move_align = relocs.move_align;
  if (relocs.source == RelocSource::kTable) {
    sp.reloc_format = static_cast<uint8_t>(relocs.parsed.layout);
    sp.reloc_bytes = static_cast<uint32_t>(relocs.table.size());
  } else if (relocs.source == RelocSource::kDynamic) {
    sp.reloc_format = static_cast<uint8_t>(relocs.dyn_format);
    sp.reloc_bytes = static_cast<uint32_t>(relocs.dyn_size);
    sp.reloc_addr = relocs.dyn_addr;
  }

  const std::vector<KernelPhdr> phdrs = TrimZeroTails(k, file);
  bool is64 = k.elf_class == elf::ELFCLASS64;
  uint64_t ehsize = is64 ? sizeof(elf::Elf64_Ehdr) : sizeof(elf::Elf32_Ehdr);
  uint64_t phsize = is64 ? sizeof(elf::Elf64_Phdr) : sizeof(elf::Elf32_Phdr);
  uint64_t cur = ehsize + phdrs.size() * phsize;
  auto headers_too_big = [&] {
    return ToolError(name, "ELF headers and notes outside PT_LOAD take " + std::to_string(cur) +
                               " bytes; at most " + std::to_string(kMaxHeaderBytes) +
                               " are supported");
  };
  // Before the quadratic search below: 65535 program headers are possible.
  if (cur > kMaxHeaderBytes) throw headers_too_big();

  // New file offsets. Contents of non-LOAD headers inside a PT_LOAD move
  // with it; others (notes, mostly) are copied after the program headers.
  std::vector<uint64_t> new_offset(phdrs.size(), 0);
  std::vector<std::pair<uint64_t, size_t>> header_blobs;  // new offset, phdr index
  auto containing_load = [&](const KernelPhdr& p) -> int {
    for (size_t j = 0; j < phdrs.size(); ++j) {
      const KernelPhdr& l = phdrs[j];
      if (l.type == elf::PT_LOAD && FileBytesWithin(p, l)) {
        return static_cast<int>(j);
      }
    }
    return -1;
  };
  for (size_t i = 0; i < phdrs.size(); ++i) {
    const KernelPhdr& p = phdrs[i];
    // PT_NULL entries are unused (gABI): their offset and size mean nothing.
    if (p.type == elf::PT_LOAD || p.type == elf::PT_NULL || p.filesz == 0 ||
        containing_load(p) >= 0)
      continue;
    cur = (cur + 7) & ~7ull;
    new_offset[i] = cur;
    header_blobs.emplace_back(cur, i);
    cur += p.filesz;
  }
  if (cur > kMaxHeaderBytes) throw headers_too_big();

  std::vector<Piece> pieces;
  pieces.push_back({0, cur, -1});
  for (size_t i = 0; i < phdrs.size(); ++i) {
    const KernelPhdr& p = phdrs[i];
    if (p.type != elf::PT_LOAD || p.memsz == 0) continue;
    int seg = sp.segment_count++;
    sp.segments[seg] = {p.paddr - pl.offset, p.filesz, p.memsz};
    uint64_t a = FileAlign(p);
    uint64_t off = cur + ((p.vaddr - cur) & (a - 1));
    new_offset[i] = off;
    if (p.filesz == 0) continue;
    if (off > cur) {
      if (pieces.back().segment < 0) {
        pieces.back().length += off - cur;
      } else {
        pieces.push_back({cur, off - cur, -1});
      }
    }
    pieces.push_back({off, p.filesz, seg});
    cur = off + p.filesz;
  }
  for (size_t i = 0; i < phdrs.size(); ++i) {
    const KernelPhdr& p = phdrs[i];
    if (p.type == elf::PT_LOAD || p.type == elf::PT_NULL || p.filesz == 0) continue;
    int l = containing_load(p);
    if (l >= 0) new_offset[i] = new_offset[l] + (p.offset - phdrs[l].offset);
  }
  // Linux's table right after the ELF's last byte, where Linux's payload
  // has it and where `bzelf build` finds it again in what `bzelf extract`
  // gives back.
  const uint64_t elf_size = cur;
  if (relocs.source == RelocSource::kTable && !relocs.table.empty()) {
    pieces.push_back({cur, relocs.table.size(), kTablePiece});
    cur += relocs.table.size();
  }
  if (pieces.size() > kMaxRegions) throw ToolError(name, "too many regions");

  pay.kernel_elf =
      is64 ? WriteHeaders<elf::Elf64_Ehdr, elf::Elf64_Phdr>(phdrs, file, new_offset, cur)
           : WriteHeaders<elf::Elf32_Ehdr, elf::Elf32_Phdr>(phdrs, file, new_offset, cur);
  Bytes& elf_out = pay.kernel_elf;
  std::copy(relocs.table.begin(), relocs.table.end(), elf_out.begin() + elf_size);
  for (auto [off, i] : header_blobs) {
    const KernelPhdr& p = phdrs[i];
    std::copy_n(file.begin() + p.offset, p.filesz, elf_out.begin() + off);
  }
  for (size_t i = 0; i < phdrs.size(); ++i) {
    const KernelPhdr& p = phdrs[i];
    if (p.type == elf::PT_LOAD && p.filesz != 0) {
      std::copy_n(file.begin() + p.offset, p.filesz, elf_out.begin() + new_offset[i]);
    }
  }

  // gzip header (RFC 1952): no name, mtime 0 so builds are reproducible,
  // XFL 2 = best compression, OS 3 = Unix.
  Bytes& gz = pay.gzip;
  gz = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, static_cast<uint8_t>(level >= 9 ? 2 : 0), 3};
  pay.deflate_offset = static_cast<uint32_t>(gz.size());

  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw ToolError(name, "zlib deflateInit2 failed");
  }
  Bytes buf(deflateBound(&zs, elf_out.size()) + 64 * pieces.size());
  zs.next_out = buf.data();
  zs.avail_out = static_cast<uInt>(buf.size());
  for (size_t r = 0; r < pieces.size(); ++r) {
    const Piece& pc = pieces[r];
    const RegionSink sink = pc.segment == kTablePiece ? RegionSink::kRelocTable
                            : pc.segment < 0          ? RegionSink::kScratch
                                                      : RegionSink::kSegment;
    sp.regions[r] = {static_cast<uint32_t>(zs.total_out), static_cast<uint32_t>(pc.length),
                     static_cast<uint8_t>(sink), static_cast<uint8_t>(pc.segment < 0 ? 0 : pc.segment),
                     0};
    if (sink == RegionSink::kScratch && pc.length > kScratchSize) {
      throw ToolError(name, "scratch region too large");
    }
    zs.next_in = elf_out.data() + pc.offset;
    zs.avail_in = static_cast<uInt>(pc.length);
    bool last = r + 1 == pieces.size();
    int rc = deflate(&zs, last ? Z_FINISH : Z_FULL_FLUSH);
    if ((last && rc != Z_STREAM_END) || (!last && rc != Z_OK) || zs.avail_in != 0) {
      deflateEnd(&zs);
      throw ToolError(name, "zlib deflate failed");
    }
  }
  sp.region_count = static_cast<uint8_t>(pieces.size());
  pay.deflate_length = static_cast<uint32_t>(zs.total_out);
  deflateEnd(&zs);
  gz.insert(gz.end(), buf.begin(), buf.begin() + pay.deflate_length);
  uint32_t crc = Crc32(0, elf_out.data(), elf_out.size());
  uint32_t isize = static_cast<uint32_t>(elf_out.size());
  for (int i = 0; i < 4; ++i) gz.push_back(static_cast<uint8_t>(crc >> (8 * i)));
  for (int i = 0; i < 4; ++i) gz.push_back(static_cast<uint8_t>(isize >> (8 * i)));
  return pay;
}

}  // namespace bzelf
