// DEFLATE (RFC 1951) decoder shared by the decompressor (freestanding,
// -m32) and the host tool and tests (hosted). Whole-buffer: the output
// buffer is also the history window.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace bzelf {

enum class InflateError : uint8_t {
  kOk = 0,
  kTruncated,          // input ended inside a block
  kBadBlockType,       // BTYPE 11
  kBadStoredLength,    // LEN != ~NLEN
  kBadCodeLengths,     // over-subscribed / incomplete / bad repeat
  kBadSymbol,          // literal/length 286-287, distance 30-31, no code
  kDistanceTooFar,     // match reaches before the start of the output
  kOutputOverflow,     // more output than the buffer holds
  kNoFinalBlock,       // input ended at a block boundary, no BFINAL seen
  kUnexpectedFinal,    // BFINAL seen where the caller expected more
};

const char* InflateErrorString(InflateError error);

struct InflateResult {
  InflateError error;
  size_t in_used;   // input bytes consumed (whole bytes)
  size_t out_used;  // bytes written to the output
};

enum class InflateEnd : uint8_t {
  kFinalBlock,    // stop after the block with BFINAL set
  kEndOfInput,    // the input is a run of whole blocks without BFINAL,
                  // ending byte-aligned (as a zlib full/sync flush does)
};

// Decodes raw DEFLATE from in[0, in_len) into out[0, out_cap). Never reads
// or writes outside those ranges. Back-references may reach only into the
// bytes written by this call. Bytes of out[out_used, out_cap) may have been
// overwritten (match copies run in register-sized steps while there is
// room).
// Uses under 9 KiB of stack in the 32-bit stage and under 13 KiB on a
// 64-bit host (Huffman tables); no heap, no globals.
//
// in_used: with kFinalBlock, the bytes up to the end of the final block
// (its last byte counted whole); with kEndOfInput, in_len on success.
InflateResult InflateRaw(const uint8_t* in, size_t in_len, uint8_t* out,
                         size_t out_cap, InflateEnd end);

#if !defined(__x86_64__)
// The same for the 32-bit stage, with matches copied in 16-byte SSE2 steps
// where they do not overlap within 16 bytes (so up to 15 bytes may be
// written past a match, where InflateRaw() writes up to 7 in a 32-bit
// build). The caller must have made sure that
// the CPU has SSE2 and that it is enabled (CR0.EM and CR0.TS clear,
// CR4.OSFXSR set); %xmm0 is clobbered.
InflateResult InflateRawSse2(const uint8_t* in, size_t in_len, uint8_t* out,
                             size_t out_cap, InflateEnd end);
#endif

}  // namespace bzelf
