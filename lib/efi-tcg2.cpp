// Measured boot's events and the TCG_2 event log's framing (lib/efi-tcg2.h).
#include "efi-tcg2.h"

namespace bzelf {

using namespace efi;

namespace {

uint32_t Le32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
uint16_t Le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }

// TCG_PCR_EVENT, the first event's SHA-1 layout: PCRIndex, EventType,
// a 20-byte digest, EventSize; TCG_EfiSpecIDEventStruct follows.
constexpr size_t kPcrEventHeader = 4 + 4 + 20 + 4;
constexpr uint8_t kSpecIdSignature[16] = "Spec ID Event03";
// signature[16], platformClass, specVersionMinor, specVersionMajor,
// specErrata, uintnSize, numberOfAlgorithms: then the algorithms.
constexpr size_t kSpecIdAlgorithms = 16 + 4 + 1 + 1 + 1 + 1 + 4;

}  // namespace

size_t BuildTaggedEvent(StubEvent event, void* out, size_t capacity) {
  const bool options = event == StubEvent::kLoadOptions;
  const char* description = options ? kLoadOptionsDescription : kInitrdDescription;
  const size_t size = TaggedEventSize(event);
  const auto length =
      static_cast<uint32_t>(size - sizeof(EFI_TCG2_EVENT) - sizeof(TCG_PCClientTaggedEvent));
  if (capacity < size) return 0;
  EFI_TCG2_EVENT head;
  head.Size = static_cast<uint32_t>(size);
  head.Header.HeaderSize = sizeof(EFI_TCG2_EVENT_HEADER);
  head.Header.HeaderVersion = EFI_TCG2_EVENT_HEADER_VERSION;
  head.Header.PCRIndex = kMeasurePcr;
  head.Header.EventType = EV_EVENT_TAG;
  TCG_PCClientTaggedEvent tagged;
  tagged.taggedEventID = options ? kLoadOptionsEventTag : kInitrdEventTag;
  tagged.taggedEventDataSize = length;
  auto* p = static_cast<uint8_t*>(out);
  __builtin_memcpy(p, &head, sizeof(head));
  __builtin_memcpy(p + sizeof(head), &tagged, sizeof(tagged));
  __builtin_memcpy(p + sizeof(head) + sizeof(tagged), description, length);
  return size;
}

bool ReadTcg2DigestSizes(const uint8_t* log, size_t size, Tcg2DigestSizes* out) {
  out->count = 0;
  if (size < kPcrEventHeader + kSpecIdAlgorithms || Le32(log + 4) != EV_NO_ACTION) return false;
  const uint32_t event_size = Le32(log + kPcrEventHeader - 4);
  if (event_size > size - kPcrEventHeader || event_size < kSpecIdAlgorithms) return false;
  const uint8_t* spec = log + kPcrEventHeader;
  for (size_t i = 0; i < sizeof(kSpecIdSignature); ++i) {
    if (spec[i] != kSpecIdSignature[i]) return false;
  }
  const uint32_t n = Le32(spec + kSpecIdAlgorithms - 4);
  if (n == 0 || n > Tcg2DigestSizes::kMax || n * 4 > event_size - kSpecIdAlgorithms) return false;
  for (uint32_t i = 0; i < n; ++i) {
    out->alg[i] = Le16(spec + kSpecIdAlgorithms + 4 * i);
    out->size[i] = Le16(spec + kSpecIdAlgorithms + 4 * i + 2);
  }
  out->count = static_cast<int>(n);
  return true;
}

size_t Tcg2EventSize(const uint8_t* event, size_t available, const Tcg2DigestSizes& sizes) {
  // PCRIndex, EventType, TPML_DIGEST_VALUES.count.
  size_t at = 12;
  if (available < at) return 0;
  const uint32_t digests = Le32(event + 8);
  if (digests > static_cast<uint32_t>(sizes.count)) return 0;
  for (uint32_t d = 0; d < digests; ++d) {
    if (available - at < 2) return 0;
    const uint16_t alg = Le16(event + at);
    int i = 0;
    while (i < sizes.count && sizes.alg[i] != alg) ++i;
    if (i == sizes.count || available - at - 2 < sizes.size[i]) return 0;
    at += 2 + sizes.size[i];
  }
  if (available - at < 4) return 0;
  const uint32_t event_size = Le32(event + at);
  at += 4;
  if (event_size > available - at) return 0;
  return at + event_size;
}

size_t TcgPcrEventSize(const uint8_t* event, size_t available) {
  if (available < kPcrEventHeader) return 0;
  const uint32_t event_size = Le32(event + kPcrEventHeader - 4);
  if (event_size > available - kPcrEventHeader) return 0;
  return kPcrEventHeader + event_size;
}

size_t EventLogSize(EFI_TCG2_EVENT_LOG_FORMAT format, const uint8_t* log, uint64_t last_offset,
                    size_t available) {
  if (last_offset >= available) return 0;
  const uint8_t* last = log + last_offset;
  size_t last_size;
  if (format == EFI_TCG2_EVENT_LOG_FORMAT_TCG_2 && last_offset != 0) {
    // Events past the first are TCG_PCR_EVENT2, whose digests the first
    // event lists.
    Tcg2DigestSizes sizes;
    if (!ReadTcg2DigestSizes(log, available, &sizes)) return 0;
    last_size = Tcg2EventSize(last, available - last_offset, sizes);
  } else {
    last_size = TcgPcrEventSize(last, available - last_offset);
  }
  return last_size == 0 ? 0 : last_offset + last_size;
}

}  // namespace bzelf
