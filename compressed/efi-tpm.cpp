// Measured boot: what the stub was given that the firmware did not
// measure goes into PCR 9, and the firmware's event log goes on to Linux
// (efi-boot.h, EfiMeasure and EfiKeepEventLog; lib/efi-tcg2.h).
#include "efi-boot.h"

namespace bzelf {
namespace {

using namespace efi;

EFI_TCG2_PROTOCOL* Tcg2(const EfiBoot& boot) {
  EFI_TCG2_PROTOCOL* tcg2 = nullptr;
  if (boot.bs->LocateProtocol(&EFI_TCG2_PROTOCOL_GUID, nullptr, reinterpret_cast<void**>(&tcg2)) !=
      EFI_SUCCESS) {
    return nullptr;
  }
  return tcg2;
}

// "bzelf note: tpm: ..., boot goes on": a firmware call that failed, with
// its status; or something wrong with what a call that succeeded gave,
// which has no status to show.
void Note(const EfiConsole& console, const char* call, EFI_STATUS status) {
  Message m;
  m << call << " failed (EFI status " << Hex{status} << "), boot goes on";
  console.Note("tpm", m);
}
void Note(const EfiConsole& console, const char* what) {
  Message m;
  m << what << ", boot goes on";
  console.Note("tpm", m);
}

// A firmware's log is a few tens of KiB (OVMF reserves 64 KiB for it,
// PcdTcgLogAreaMinLen); no event of it is longer than this.
constexpr size_t kMaxEventRead = 1 << 20;

}  // namespace

void EfiMeasure(const EfiBoot& boot, const EfiConsole& console, uint64_t addr, uint64_t size,
                StubEvent event) {
  EFI_TCG2_PROTOCOL* tcg2 = Tcg2(boot);
  if (tcg2 == nullptr || size == 0) return;
  alignas(8) uint8_t buffer[kMaxTaggedEventSize];
  if (BuildTaggedEvent(event, buffer, sizeof(buffer)) == 0) {
    return Note(console, "the event does not fit its buffer: nothing measured");
  }
  // Flags 0: hash the data as given, extend and log (not PE_COFF_IMAGE).
  const EFI_STATUS s =
      tcg2->HashLogExtendEvent(tcg2, 0, addr, size, reinterpret_cast<EFI_TCG2_EVENT*>(buffer));
  if (s != EFI_SUCCESS) {
    Note(console, "HashLogExtendEvent", s);
    return;
  }
  Message m;
  m << "measured " << (event == StubEvent::kLoadOptions ? "LoadOptions" : "the initrd") << " ("
    << Dec{size} << " bytes) into PCR 9";
  console.Info(m.c_str());
}

void EfiKeepEventLog(const EfiBoot& boot, const EfiConsole& console) {
  EFI_TCG2_PROTOCOL* tcg2 = Tcg2(boot);
  if (tcg2 == nullptr) return;
  // The crypto-agile log, else the SHA-1 one of TPM 1.2-era firmware, as
  // Linux's stub asks.
  EFI_TCG2_EVENT_LOG_FORMAT format = EFI_TCG2_EVENT_LOG_FORMAT_TCG_2;
  EFI_PHYSICAL_ADDRESS first = 0, last = 0;
  BOOLEAN truncated = 0;
  EFI_STATUS s = tcg2->GetEventLog(tcg2, format, &first, &last, &truncated);
  if (s != EFI_SUCCESS || first == 0) {
    format = EFI_TCG2_EVENT_LOG_FORMAT_TCG_1_2;
    s = tcg2->GetEventLog(tcg2, format, &first, &last, &truncated);
    if (s != EFI_SUCCESS || first == 0) return;
  }
  const auto* log = reinterpret_cast<const uint8_t*>(static_cast<uintptr_t>(first));
  // An empty log (no last entry) is handed on too, as Linux's stub does.
  size_t log_size = 0;
  if (last != 0) {
    if (last < first) {
      return Note(console, "GetEventLog's last entry lies before its first: no log for Linux");
    }
    log_size = EventLogSize(format, log, last - first, last - first + kMaxEventRead);
    if (log_size == 0) {
      return Note(console, "the event log's last entry cannot be read: no log for Linux");
    }
  }

  // What the final events table already holds (events logged since the
  // first GetEventLog, ours included when a loader called it before us)
  // is in the copy too: Linux appends only what lies past it.
  uint64_t final_size = 0;
  if (format == EFI_TCG2_EVENT_LOG_FORMAT_TCG_2) {
    Tcg2DigestSizes sizes;
    const EFI_CONFIGURATION_TABLE* tables = boot.st->ConfigurationTable;
    for (UINTN i = 0; i < boot.st->NumberOfTableEntries; ++i) {
      if (!(tables[i].VendorGuid == EFI_TCG2_FINAL_EVENTS_TABLE_GUID)) continue;
      const auto* table = static_cast<const EFI_TCG2_FINAL_EVENTS_TABLE*>(tables[i].VendorTable);
      if (table->NumberOfEvents != 0 && !ReadTcg2DigestSizes(log, log_size, &sizes)) {
        return Note(console, "the event log has no Spec ID event: no log for Linux");
      }
      const auto* events = reinterpret_cast<const uint8_t*>(table + 1);
      for (uint64_t n = 0; n < table->NumberOfEvents; ++n) {
        const size_t size = Tcg2EventSize(events + final_size, kMaxEventRead, sizes);
        if (size == 0) {
          return Note(console,
                      "an event of the final events table cannot be read: no log for Linux");
        }
        final_size += size;
      }
    }
  }

  // ACPI reclaim memory, not loader data: the stage places a kernel that
  // moves (KASLR) anywhere in E820 RAM clear of what boot_params names,
  // and this table is named only in the configuration table. Linux
  // reserves it wherever it lies (drivers/firmware/efi/tpm.c).
  const uint64_t table_size = sizeof(linux_efi_tpm_eventlog) + log_size;
  uint64_t addr;
  if (Failure f = boot.Allocate(table_size, ~uint64_t{0}, "the TPM event log", &addr,
                                EfiACPIReclaimMemory)) {
    return console.Note("tpm", f.detail);
  }
  auto* table = reinterpret_cast<linux_efi_tpm_eventlog*>(static_cast<uintptr_t>(addr));
  table->size = static_cast<uint32_t>(log_size);
  table->final_events_preboot_size = static_cast<uint32_t>(final_size);
  table->version = static_cast<uint8_t>(format);
  __builtin_memcpy(table + 1, log, log_size);
  s = boot.bs->InstallConfigurationTable(&LINUX_EFI_TPM_EVENT_LOG_GUID, table);
  if (s != EFI_SUCCESS) Note(console, "InstallConfigurationTable", s);
}

}  // namespace bzelf
