// Fuzz target: the image side of the host tool -- ParseImage and
// ExtractKernel (tools/image.cpp), and `bzelf info` (tools/info.cpp) as a
// whole, text and JSON.
//
// Input: an image file. Each step must either throw ToolError or succeed;
// anything else is a finding. `bzelf info` reads a file, so the input is
// handed over through a memfd named by /proc/self/fd; its report goes to
// /dev/null.
//
// An input that crashes inside `bzelf info` shows its sanitizer report
// only with IMAGE_FUZZ_VERBOSE=1 in the environment (the crash itself is
// caught either way).
//
// An extracted kernel must be exactly what the gzip trailer promises
// (ISIZE bytes with that CRC32), whatever the image says elsewhere.
#include <sys/mman.h>
#include <unistd.h>
#include <fcntl.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common.h"
#include "crc32.h"
#include "gzip.h"
#include "image.h"
#include "info.h"

namespace {

using namespace bzelf;

int g_fd = -1;
int g_null = -1;
int g_stderr = -1;
bool g_verbose = false;
std::string g_path;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "image-fuzz: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_fd = memfd_create("image-fuzz", 0);
  if (g_fd < 0) Fail("memfd_create");
  g_path = "/proc/self/fd/" + std::to_string(g_fd);
  // `bzelf info` prints its report on stdout; the fuzzer's own output is
  // on stderr.
  g_null = open("/dev/null", O_WRONLY);
  if (g_null < 0 || dup2(g_null, STDOUT_FILENO) < 0) Fail("/dev/null");
  g_stderr = dup(STDERR_FILENO);
  g_verbose = std::getenv("IMAGE_FUZZ_VERBOSE") != nullptr;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Bytes image(data, data + size);
  try {
    ImageView v = ParseImage(image, "image");
    Bytes kernel = ExtractKernel(image, v, "image");
    const uint8_t* member = image.data() + v.part5_offset + v.hdr.payload_offset;
    GzipMember gz = ParseGzipMember(member, v.hdr.payload_length);
    if (gz.error != GzipError::kOk || kernel.size() != gz.isize ||
        Crc32(0, kernel.data(), kernel.size()) != gz.crc32)
      Fail("extracted kernel does not match the gzip trailer");
  } catch (const ToolError&) {
  }

  if (ftruncate(g_fd, 0) != 0 || pwrite(g_fd, data, size, 0) != static_cast<ssize_t>(size))
    Fail("memfd write");
  // `bzelf info` also says what is wrong on stderr; that line would flood
  // the fuzzer's log, so it goes to /dev/null unless IMAGE_FUZZ_VERBOSE is
  // set (to see a sanitizer report from in here, set it).
  std::fflush(stderr);
  if (!g_verbose) dup2(g_null, STDERR_FILENO);
  for (bool json : {false, true}) {
    try {
      RunInfo(g_path, json);
    } catch (const ToolError&) {
    }
  }
  std::fflush(stdout);
  std::fflush(stderr);
  if (!g_verbose) dup2(g_stderr, STDERR_FILENO);
  return 0;
}
