// Measured boot: EFI_TCG2_PROTOCOL, the events the stub measures into the
// TPM and the event log it hands to Linux. Names as in the TCG EFI
// Protocol Specification (family 2.0, rev 1.22: EFI_TCG2_PROTOCOL,
// EFI_TCG2_EVENT, EFI_TCG2_FINAL_EVENTS_TABLE) and the TCG PC Client
// Platform Firmware Profile (TCG_PCClientTaggedEvent, TCG_PCR_EVENT2,
// TCG_EfiSpecIDEventStruct, the event types); Linux's own configuration
// table as include/linux/efi.h names it (linux_efi_tpm_eventlog).
//
// What is measured is what Linux's EFI stub measures
// (drivers/firmware/efi/libstub/efi-stub-helper.c, efi_measure_tagged_event),
// so that a PCR 9 policy written for Linux holds for a bzelf image: the
// LoadOptions as the loader passed them (UCS-2, LoadOptionsSize bytes)
// and the initrd, each as an EV_EVENT_TAG event into PCR 9.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "efi.h"

namespace bzelf::efi {

inline constexpr EFI_GUID EFI_TCG2_PROTOCOL_GUID = {
    0x607f766c, 0x7455, 0x42be, {0x93, 0x0b, 0xe4, 0xd7, 0x6d, 0xb2, 0x72, 0x0f}};
// The firmware's table of the events logged after the first GetEventLog
// (EFI_TCG2_FINAL_EVENTS_TABLE_GUID; Linux: LINUX_EFI_TPM_FINAL_LOG_GUID).
inline constexpr EFI_GUID EFI_TCG2_FINAL_EVENTS_TABLE_GUID = {
    0x1e2ed096, 0x30e2, 0x4254, {0xbd, 0x89, 0x86, 0x3b, 0xbe, 0xf8, 0x23, 0x25}};
// Where Linux looks for the event log its EFI stub copied
// (include/linux/efi.h; drivers/firmware/efi/tpm.c reads it).
inline constexpr EFI_GUID LINUX_EFI_TPM_EVENT_LOG_GUID = {
    0xb7799cb0, 0xeca2, 0x4943, {0x96, 0x67, 0x1f, 0xae, 0x07, 0xb7, 0x47, 0xfa}};

using EFI_TCG2_EVENT_LOG_FORMAT = uint32_t;
inline constexpr EFI_TCG2_EVENT_LOG_FORMAT EFI_TCG2_EVENT_LOG_FORMAT_TCG_1_2 = 1;
inline constexpr EFI_TCG2_EVENT_LOG_FORMAT EFI_TCG2_EVENT_LOG_FORMAT_TCG_2 = 2;

inline constexpr uint16_t EFI_TCG2_EVENT_HEADER_VERSION = 1;
// PC Client Platform Firmware Profile, "Event Types".
inline constexpr uint32_t EV_NO_ACTION = 3;
inline constexpr uint32_t EV_EVENT_TAG = 6;

struct [[gnu::packed]] EFI_TCG2_EVENT_HEADER {
  uint32_t HeaderSize;
  uint16_t HeaderVersion;
  uint32_t PCRIndex;
  uint32_t EventType;
};
static_assert(sizeof(EFI_TCG2_EVENT_HEADER) == 14);

// What HashLogExtendEvent takes: Size counts all of it, Event[] included.
struct [[gnu::packed]] EFI_TCG2_EVENT {
  uint32_t Size;
  EFI_TCG2_EVENT_HEADER Header;
  // uint8_t Event[] follows: the event data the log keeps.
};
static_assert(sizeof(EFI_TCG2_EVENT) == 18);

// An EV_EVENT_TAG event's data.
struct [[gnu::packed]] TCG_PCClientTaggedEvent {
  uint32_t taggedEventID;
  uint32_t taggedEventDataSize;
  // uint8_t taggedEventData[] follows.
};
static_assert(sizeof(TCG_PCClientTaggedEvent) == 8);

struct EFI_TCG2_PROTOCOL {
  void* GetCapability;
  EFI_STATUS(EFIAPI* GetEventLog)(EFI_TCG2_PROTOCOL* This, EFI_TCG2_EVENT_LOG_FORMAT EventLogFormat,
                                  EFI_PHYSICAL_ADDRESS* EventLogLocation,
                                  EFI_PHYSICAL_ADDRESS* EventLogLastEntry,
                                  BOOLEAN* EventLogTruncated);
  EFI_STATUS(EFIAPI* HashLogExtendEvent)(EFI_TCG2_PROTOCOL* This, uint64_t Flags,
                                         EFI_PHYSICAL_ADDRESS DataToHash, uint64_t DataToHashLen,
                                         EFI_TCG2_EVENT* EfiTcgEvent);
  void* SubmitCommand;
  void* GetActivePcrBanks;
  void* SetActivePcrBanks;
  void* GetResultOfSetActivePcrBanks;
};
static_assert(offsetof(EFI_TCG2_PROTOCOL, GetEventLog) == 8);
static_assert(offsetof(EFI_TCG2_PROTOCOL, HashLogExtendEvent) == 16);
static_assert(sizeof(EFI_TCG2_PROTOCOL) == 56);

struct EFI_TCG2_FINAL_EVENTS_TABLE {
  uint64_t Version;
  uint64_t NumberOfEvents;
  // TCG_PCR_EVENT2 Event[] follows.
};
static_assert(sizeof(EFI_TCG2_FINAL_EVENTS_TABLE) == 16);

// Linux's copy of the log (include/linux/efi.h): the log as GetEventLog
// gave it, and how many bytes of the final events table were already in
// it, which Linux skips when it appends that table.
struct [[gnu::packed]] linux_efi_tpm_eventlog {
  uint32_t size;
  uint32_t final_events_preboot_size;
  uint8_t version;
  // uint8_t log[] follows.
};
static_assert(sizeof(linux_efi_tpm_eventlog) == 9);

}  // namespace bzelf::efi

namespace bzelf {

// The two things the stub measures, with Linux's tags and descriptions
// (efi-stub-helper.c: LOAD_OPTIONS_EVENT_TAG_ID, INITRD_EVENT_TAG_ID).
enum class StubEvent { kLoadOptions, kInitrd };
inline constexpr uint32_t kMeasurePcr = 9;
inline constexpr uint32_t kLoadOptionsEventTag = 0x8F3B22ED;
inline constexpr uint32_t kInitrdEventTag = 0x8F3B22EC;

// Each event's description, NUL included in what is measured and logged,
// as Linux writes it.
inline constexpr char kLoadOptionsDescription[] = "LOADED_IMAGE::LoadOptions";
inline constexpr char kInitrdDescription[] = "Linux initrd";

// The one rule for an event's size: the EFI_TCG2_EVENT header, the tagged
// event's head and the description with its NUL (HashLogExtendEvent
// takes EFI_TCG2_EVENT.Size to be all of it).
constexpr size_t TaggedEventSize(StubEvent event) {
  return sizeof(efi::EFI_TCG2_EVENT) + sizeof(efi::TCG_PCClientTaggedEvent) +
         (event == StubEvent::kLoadOptions ? sizeof(kLoadOptionsDescription)
                                           : sizeof(kInitrdDescription));
}
// The largest event BuildTaggedEvent writes: a buffer for either.
inline constexpr size_t kMaxTaggedEventSize =
    TaggedEventSize(StubEvent::kLoadOptions) > TaggedEventSize(StubEvent::kInitrd)
        ? TaggedEventSize(StubEvent::kLoadOptions)
        : TaggedEventSize(StubEvent::kInitrd);

// Writes the EFI_TCG2_EVENT for `event` into `out`: header (PCR 9,
// EV_EVENT_TAG), then the tagged event with its description, NUL
// included, as Linux writes it. Returns its size (TaggedEventSize), or 0,
// having written nothing, when `capacity` is too small.
size_t BuildTaggedEvent(StubEvent event, void* out, size_t capacity);

// The digest sizes of a crypto-agile (TCG_2) event log, from its first
// event, the Spec ID event (TCG_EfiSpecIDEventStruct).
struct Tcg2DigestSizes {
  static constexpr int kMax = 8;
  uint16_t alg[kMax];
  uint16_t size[kMax];
  int count = 0;
};
// False when `log` (`size` bytes) does not start with a Spec ID event
// "Spec ID Event03" listing at most kMax algorithms.
bool ReadTcg2DigestSizes(const uint8_t* log, size_t size, Tcg2DigestSizes* out);

// The size of the TCG_PCR_EVENT2 at `event`, of which `available` bytes
// may be read; 0 when it is malformed (an algorithm the Spec ID event did
// not list, or more than `available`).
size_t Tcg2EventSize(const uint8_t* event, size_t available, const Tcg2DigestSizes& sizes);

// The size of the TCG_PCR_EVENT (SHA-1 layout: the TCG_1_2 log's events,
// and the TCG_2 log's first) at `event`; 0 when more than `available`.
size_t TcgPcrEventSize(const uint8_t* event, size_t available);

// The bytes from `log` to the end of its last event, which starts
// `last_offset` bytes in (GetEventLog's EventLogLastEntry - Location), of
// which `available` bytes may be read; 0 when it cannot be told.
size_t EventLogSize(efi::EFI_TCG2_EVENT_LOG_FORMAT format, const uint8_t* log, uint64_t last_offset,
                    size_t available);

}  // namespace bzelf
