// Measured boot's events and the TCG_2 event log's framing
// (lib/efi-tcg2.h): the EFI_TCG2_EVENT the stub hands HashLogExtendEvent,
// byte for byte as Linux's stub builds it, and the sizes of a log's
// events, which decide how much of the firmware's log Linux gets.

#include "efi-tcg2.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace bzelf {
namespace {

using Bytes = std::vector<uint8_t>;

void Put32(Bytes& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void Put16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v));
  b.push_back(static_cast<uint8_t>(v >> 8));
}

TEST(TaggedEvent, LoadOptionsAsLinuxBuildsIt) {
  uint8_t out[kMaxTaggedEventSize + 8];
  std::memset(out, 0xAA, sizeof(out));
  const size_t n = BuildTaggedEvent(StubEvent::kLoadOptions, out, sizeof(out));
  const char description[] = "LOADED_IMAGE::LoadOptions";
  // Size, HeaderSize 14, HeaderVersion 1, PCR 9, EV_EVENT_TAG (6), then
  // the tag, the description's size and the description with its NUL.
  Bytes want;
  Put32(want, 18 + 8 + sizeof(description));
  Put32(want, 14);
  Put16(want, 1);
  Put32(want, 9);
  Put32(want, 6);
  Put32(want, 0x8F3B22ED);
  Put32(want, sizeof(description));
  want.insert(want.end(), description, description + sizeof(description));
  ASSERT_EQ(n, want.size());
  EXPECT_EQ(Bytes(out, out + n), want);
  EXPECT_EQ(out[n], 0xAA) << "wrote past the event";
  EXPECT_EQ(n, kMaxTaggedEventSize);
}

TEST(TaggedEvent, Initrd) {
  uint8_t out[kMaxTaggedEventSize];
  const size_t n = BuildTaggedEvent(StubEvent::kInitrd, out, sizeof(out));
  ASSERT_EQ(n, 18u + 8 + 13);
  uint32_t size, tag, length;
  std::memcpy(&size, out, 4);
  std::memcpy(&tag, out + 18, 4);
  std::memcpy(&length, out + 22, 4);
  EXPECT_EQ(size, n);
  EXPECT_EQ(tag, 0x8F3B22ECu);
  EXPECT_EQ(length, 13u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(out + 26)), "Linux initrd");
}

// One size rule: what the stub sizes its buffer by (kMaxTaggedEventSize,
// from TaggedEventSize) is what BuildTaggedEvent writes, for each event;
// a buffer of exactly that size is enough, one byte less is refused.
TEST(TaggedEvent, TheSizeRuleIsWhatIsWritten) {
  for (StubEvent event : {StubEvent::kLoadOptions, StubEvent::kInitrd}) {
    uint8_t out[kMaxTaggedEventSize];
    EXPECT_LE(TaggedEventSize(event), kMaxTaggedEventSize);
    EXPECT_EQ(BuildTaggedEvent(event, out, TaggedEventSize(event)), TaggedEventSize(event));
    EXPECT_EQ(BuildTaggedEvent(event, out, TaggedEventSize(event) - 1), 0u);
    uint32_t size;
    std::memcpy(&size, out, 4);
    EXPECT_EQ(size, TaggedEventSize(event)) << "EFI_TCG2_EVENT.Size";
  }
}

TEST(TaggedEvent, TooSmallWritesNothing) {
  uint8_t out[kMaxTaggedEventSize];
  std::memset(out, 0xAA, sizeof(out));
  EXPECT_EQ(BuildTaggedEvent(StubEvent::kLoadOptions, out, kMaxTaggedEventSize - 1), 0u);
  EXPECT_EQ(out[0], 0xAA);
}

// A log as OVMF writes one: the Spec ID event listing SHA-1 (20 bytes)
// and SHA-256 (32), then TCG_PCR_EVENT2 entries.
Bytes SpecIdEvent(std::vector<std::pair<uint16_t, uint16_t>> algs) {
  Bytes spec;
  const char sig[16] = "Spec ID Event03";
  spec.insert(spec.end(), sig, sig + 16);
  Put32(spec, 0);           // platformClass
  spec.push_back(0);        // specVersionMinor
  spec.push_back(2);        // specVersionMajor
  spec.push_back(0);        // specErrata
  spec.push_back(2);        // uintnSize
  Put32(spec, static_cast<uint32_t>(algs.size()));
  for (auto [alg, size] : algs) {
    Put16(spec, alg);
    Put16(spec, size);
  }
  spec.push_back(0);  // vendorInfoSize
  Bytes e;
  Put32(e, 0);  // PCRIndex
  Put32(e, 3);  // EV_NO_ACTION
  e.insert(e.end(), 20, 0);
  Put32(e, static_cast<uint32_t>(spec.size()));
  e.insert(e.end(), spec.begin(), spec.end());
  return e;
}

Bytes Event2(uint32_t pcr, std::vector<std::pair<uint16_t, uint16_t>> digests, uint32_t data) {
  Bytes e;
  Put32(e, pcr);
  Put32(e, 6);
  Put32(e, static_cast<uint32_t>(digests.size()));
  for (auto [alg, size] : digests) {
    Put16(e, alg);
    e.insert(e.end(), size, 0x5A);
  }
  Put32(e, data);
  e.insert(e.end(), data, 0x33);
  return e;
}

const std::vector<std::pair<uint16_t, uint16_t>> kOvmfBanks = {{0x0004, 20}, {0x000B, 32}};

TEST(EventLog, DigestSizesFromTheSpecIdEvent) {
  const Bytes log = SpecIdEvent(kOvmfBanks);
  Tcg2DigestSizes sizes;
  ASSERT_TRUE(ReadTcg2DigestSizes(log.data(), log.size(), &sizes));
  ASSERT_EQ(sizes.count, 2);
  EXPECT_EQ(sizes.alg[1], 0x000B);
  EXPECT_EQ(sizes.size[1], 32);
}

TEST(EventLog, NotASpecIdEvent) {
  Bytes log = SpecIdEvent(kOvmfBanks);
  log[32 + 14] = '2';  // "Spec ID Event02": a TPM 1.2 log
  Tcg2DigestSizes sizes;
  EXPECT_FALSE(ReadTcg2DigestSizes(log.data(), log.size(), &sizes));
  EXPECT_FALSE(ReadTcg2DigestSizes(log.data(), 40, &sizes));
}

TEST(EventLog, Event2SizeCountsEveryDigestAndTheData) {
  const Bytes log = SpecIdEvent(kOvmfBanks);
  Tcg2DigestSizes sizes;
  ASSERT_TRUE(ReadTcg2DigestSizes(log.data(), log.size(), &sizes));
  const Bytes e = Event2(9, kOvmfBanks, 39);
  EXPECT_EQ(e.size(), 12u + 22 + 34 + 4 + 39);
  EXPECT_EQ(Tcg2EventSize(e.data(), e.size(), sizes), e.size());
  EXPECT_EQ(Tcg2EventSize(e.data(), e.size() - 1, sizes), 0u) << "runs past what may be read";
  const Bytes unknown = Event2(9, {{0x000C, 48}}, 4);  // SHA-384, not in the log's banks
  EXPECT_EQ(Tcg2EventSize(unknown.data(), unknown.size(), sizes), 0u);
}

TEST(EventLog, SizeEndsAtTheLastEvent) {
  Bytes log = SpecIdEvent(kOvmfBanks);
  const size_t spec = log.size();
  EXPECT_EQ(EventLogSize(efi::EFI_TCG2_EVENT_LOG_FORMAT_TCG_2, log.data(), 0, log.size() + 100),
            spec)
      << "a log of the Spec ID event alone";
  const Bytes a = Event2(0, kOvmfBanks, 10), b = Event2(9, kOvmfBanks, 39);
  log.insert(log.end(), a.begin(), a.end());
  const size_t last = log.size();
  log.insert(log.end(), b.begin(), b.end());
  Bytes area = log;
  area.insert(area.end(), 4096, 0xFF);  // the firmware's unused log area
  EXPECT_EQ(EventLogSize(efi::EFI_TCG2_EVENT_LOG_FORMAT_TCG_2, area.data(), last, area.size()),
            log.size());
  EXPECT_EQ(EventLogSize(efi::EFI_TCG2_EVENT_LOG_FORMAT_TCG_2, area.data(), area.size(),
                         area.size()),
            0u);
}

TEST(EventLog, Tcg12EventsHaveTheSha1Layout) {
  Bytes log;
  for (uint32_t data : {5u, 9u}) {
    Put32(log, 0);
    Put32(log, 6);
    log.insert(log.end(), 20, 0x11);
    Put32(log, data);
    log.insert(log.end(), data, 0x22);
  }
  EXPECT_EQ(EventLogSize(efi::EFI_TCG2_EVENT_LOG_FORMAT_TCG_1_2, log.data(), 32 + 5, log.size()),
            log.size());
}

}  // namespace
}  // namespace bzelf
