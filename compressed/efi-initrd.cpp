// The initrd, the two ways Linux's stub takes it (efi-stub-helper.c,
// efi_load_initrd; file.c, handle_cmdline_files): a loader's LoadFile2
// protocol on the vendor media device path LINUX_EFI_INITRD_MEDIA_GUID
// (QEMU's -initrd under OVMF, systemd-boot, GRUB 2.12), else the files
// that `initrd=` options name, read from the volume the image was loaded
// from (rEFInd 0.13, iPXE, the UEFI Shell) and concatenated.
#include "efi-boot.h"
#include "efi-cmdline.h"

namespace bzelf {
namespace {

using namespace efi;

// Linux's stub takes paths of up to 255 characters (file.c,
// MAX_FILENAME_SIZE).
constexpr size_t kMaxPath = 256;

// A path for a halt line: ASCII, anything else as '?'.
void AppendPath(Message& m, const CHAR16* path) {
  char text[kMaxPath];
  size_t n = 0;
  for (; path[n] != 0 && n + 1 < sizeof(text); ++n) {
    text[n] = path[n] < 0x80 ? static_cast<char>(path[n]) : '?';
  }
  text[n] = '\0';
  m << text;
}

Failure FileFail(const CHAR16* path, const char* what, EFI_STATUS status) {
  Message m;
  m << "\\";
  AppendPath(m, path);
  m << ": " << what << " (EFI status " << Hex{status} << ")";
  return Fail("initrd", m);
}

// EFI_NOT_FOUND (and nothing else) when no loader installed the protocol.
EFI_STATUS FromLoadFile2(const EfiBoot& boot, EfiInitrd* out, Failure* failure, uint64_t limit) {
  InitrdMediaDevicePath path = kInitrdMediaDevicePath;  // LocateDevicePath moves the pointer
  EFI_DEVICE_PATH_PROTOCOL* remaining = &path.vendor.Header;
  EFI_HANDLE handle;
  EFI_STATUS s = boot.bs->LocateDevicePath(&EFI_LOAD_FILE2_PROTOCOL_GUID, &remaining, &handle);
  if (s != EFI_SUCCESS) return EFI_NOT_FOUND;
  EFI_LOAD_FILE2_PROTOCOL* lf2;
  s = boot.bs->HandleProtocol(handle, &EFI_LOAD_FILE2_PROTOCOL_GUID, reinterpret_cast<void**>(&lf2));
  if (s != EFI_SUCCESS) return EFI_NOT_FOUND;
  // Ask for the size first: a loader answers BUFFER_TOO_SMALL with it.
  // The path LoadFile2 takes is what is left past the handle's own path
  // (the end node), as the spec's LoadFile2 has it; OVMF's answers
  // NOT_FOUND to anything else (QemuKernelLoaderFsDxe, InitrdLoadFile2).
  UINTN size = 0;
  s = lf2->LoadFile(lf2, remaining, 0, &size, nullptr);
  if (s != EFI_BUFFER_TOO_SMALL) {
    *failure = EfiFail("initrd", "LoadFile2 (size)", s);
    return s;
  }
  out->source = "LoadFile2";
  if (size == 0) return EFI_SUCCESS;  // an empty initrd is none
  uint64_t addr;
  if ((*failure = boot.Allocate(size, limit, "the initrd", &addr))) return EFI_OUT_OF_RESOURCES;
  s = lf2->LoadFile(lf2, remaining, 0, &size,
                    reinterpret_cast<void*>(static_cast<uintptr_t>(addr)));
  if (s != EFI_SUCCESS) {
    *failure = EfiFail("initrd", "LoadFile2", s);
    return s;
  }
  out->addr = addr;
  out->size = size;
  return EFI_SUCCESS;
}

Failure OpenFile(EFI_FILE_PROTOCOL* root, const CHAR16* path, EFI_FILE_PROTOCOL** file,
                 uint64_t* size) {
  if (path[0] == 0) return Fail("initrd", "initrd= with an empty path");
  EFI_STATUS s = root->Open(root, file, path, EFI_FILE_MODE_READ, 0);
  if (s != EFI_SUCCESS) return FileFail(path, "cannot open it", s);
  // EFI_FILE_INFO and its name: the name is at most the path we gave.
  alignas(8) uint8_t info[sizeof(EFI_FILE_INFO) + 2 * kMaxPath + 64];
  UINTN info_size = sizeof(info);
  s = (*file)->GetInfo(*file, &EFI_FILE_INFO_ID, &info_size, info);
  if (s != EFI_SUCCESS) {
    (*file)->Close(*file);
    return FileFail(path, "cannot read its size", s);
  }
  *size = reinterpret_cast<const EFI_FILE_INFO*>(info)->FileSize;
  return {};
}

Failure FromFiles(const EfiBoot& boot, const char* cmdline, uint64_t limit, EfiInitrd* out) {
  CHAR16 path[kMaxPath];
  // Pass 1: whether there are any, and their total size.
  InitrdPaths sizes(cmdline);
  if (!sizes.Next(path, kMaxPath)) {
    if (sizes.too_long()) return Fail("initrd", "an initrd= path is longer than 255 characters");
    return {};
  }
  EFI_SIMPLE_FILE_SYSTEM_PROTOCOL* fs;
  EFI_STATUS s = boot.bs->HandleProtocol(boot.loaded_image->DeviceHandle,
                                         &EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID,
                                         reinterpret_cast<void**>(&fs));
  if (s != EFI_SUCCESS) {
    return EfiFail("initrd", "the image's device has no file system for initrd=; HandleProtocol", s);
  }
  EFI_FILE_PROTOCOL* root;
  s = fs->OpenVolume(fs, &root);
  if (s != EFI_SUCCESS) return EfiFail("initrd", "OpenVolume", s);
  uint64_t total = 0;
  do {
    EFI_FILE_PROTOCOL* file;
    uint64_t size;
    if (Failure f = OpenFile(root, path, &file, &size)) return f;
    file->Close(file);
    total += size;
  } while (sizes.Next(path, kMaxPath));
  if (sizes.too_long()) return Fail("initrd", "an initrd= path is longer than 255 characters");

  out->source = "initrd= files";
  if (total == 0) return {};
  uint64_t addr;
  if (Failure f = boot.Allocate(total, limit, "the initrd", &addr)) return f;
  // Pass 2: each file's bytes after the last's.
  InitrdPaths reads(cmdline);
  uint64_t at = 0;
  while (reads.Next(path, kMaxPath)) {
    EFI_FILE_PROTOCOL* file;
    uint64_t size;
    if (Failure f = OpenFile(root, path, &file, &size)) return f;
    if (size > total - at) return FileFail(path, "it grew while being read", 0);
    uint64_t done = 0;
    while (done < size) {
      UINTN n = size - done;
      s = file->Read(file, &n, reinterpret_cast<void*>(static_cast<uintptr_t>(addr + at + done)));
      if (s != EFI_SUCCESS) return FileFail(path, "read error", s);
      if (n == 0) return FileFail(path, "shorter than its size", 0);
      done += n;
    }
    file->Close(file);
    at += size;
  }
  root->Close(root);
  out->addr = addr;
  out->size = total;
  return {};
}

}  // namespace

Failure LoadInitrd(const EfiBoot& boot, const char* cmdline, uint64_t limit, EfiInitrd* out) {
  if (HasCmdlineOption(cmdline, "noinitrd")) return {};
  Failure failure;
  const EFI_STATUS s = FromLoadFile2(boot, out, &failure, limit);
  if (s == EFI_SUCCESS || failure) return failure;
  return FromFiles(boot, cmdline, limit, out);
}

}  // namespace bzelf
