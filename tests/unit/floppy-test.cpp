// `bzelf build --floppy`: the image padded to a floppy's size, read back
// as the same image, and a kernel too big for any floppy refused with the
// sizes in the message.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "image.h"
#include "test-elf.h"

namespace bzelf {
namespace {

// A kernel whose segment holds `bytes` of random (incompressible) data.
Bytes RandomKernel(size_t bytes) {
  std::mt19937 rng(7);
  std::vector<uint8_t> data(bytes);
  for (uint8_t& b : data) b = static_cast<uint8_t>(rng());
  return testing::MakeKernel(elf::ELFCLASS32, 0x200000,
                             {{.vaddr = 0x200000, .paddr = 0x200000, .filesz = bytes,
                               .memsz = bytes, .contents = data}});
}

TEST(Floppy, SmallImagePadsTo144AndReadsBack) {
  BuiltImage plain = BuildImage(RandomKernel(0x1000), "k.elf", {});
  BuiltImage img = BuildImage(RandomKernel(0x1000), "k.elf", {.floppy = true});
  ASSERT_EQ(img.bytes.size(), kFloppy144);
  // The image itself is unchanged; zeros follow it.
  ASSERT_LT(plain.bytes.size(), kFloppy144);
  EXPECT_TRUE(std::equal(plain.bytes.begin(), plain.bytes.end(), img.bytes.begin()));
  EXPECT_TRUE(std::all_of(img.bytes.begin() + plain.bytes.size(), img.bytes.end(),
                          [](uint8_t b) { return b == 0; }));
  ImageView v = ParseImage(img.bytes, "img");
  ImageView p = ParseImage(plain.bytes, "img");
  EXPECT_EQ(v.part5_size, p.part5_size);
  EXPECT_EQ(v.padding, kFloppy144 - plain.bytes.size());
  EXPECT_EQ(v.crc_stored, v.crc_computed);
  EXPECT_EQ(p.padding, 0u);
}

TEST(Floppy, BiggerImagePadsTo288) {
  BuiltImage img = BuildImage(RandomKernel(1600 * 1024), "k.elf", {.floppy = true});
  EXPECT_EQ(img.bytes.size(), kFloppy288);
  ImageView v = ParseImage(img.bytes, "img");
  EXPECT_EQ(v.crc_stored, v.crc_computed);
}

TEST(Floppy, TooBigIsRefusedWithTheSizes) {
  Bytes k = RandomKernel(3 * 1024 * 1024);
  size_t size = BuildImage(k, "k.elf", {}).bytes.size();
  try {
    BuildImage(k, "k.elf", {.floppy = true});
    FAIL() << "a " << size << "-byte image was put on a floppy";
  } catch (const ToolError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find(std::to_string(size)), std::string::npos) << what;
    EXPECT_NE(what.find(std::to_string(kFloppy288)), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace bzelf
