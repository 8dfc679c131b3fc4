// DEFLATE (RFC 1951) decoder, built three ways: freestanding -m32 into
// the boot stage, hosted -m64 into the host tool and the unit tests, and
// -m32 around the stage's own objects for the bench and the fuzz replay.
//
// The decoder's parts, each a private header with internal linkage,
// included by the one file that builds the decoder for its target:
//   inflate-table.h   decode-table entries; building tables from code
//                     lengths (canonical Huffman codes)
//   inflate-bits.h    bounds-checked bit input for headers and the careful
//                     loop; how much input a symbol may take
//   inflate-copy.h    match copies in word or SSE2 steps
//   inflate-block.h   the block loop: stored, fixed and dynamic blocks,
//                     the careful loop for a block's last bytes
//   inflate-fast.h    the stage's fast loop and its entry layout
//   inflate-stage.cpp the stage's InflateRaw() and InflateRawSse2()
//   inflate-host.cpp  the host's fast loop and entry layout (64-bit words,
//                     BMI), and its InflateRaw()
// Files named *-stage.cpp are built only into the stage, *-host.cpp only
// hosted (Makefile). One translation unit per build keeps the decoder's
// helpers internal, so the compiler may inline across them and, in the
// 32-bit stage, call the cold ones with arguments in registers.
//
// Only <stddef.h>/<stdint.h>: no library, no heap, no global
// constructors, no pointer tables (the stage is position-independent and
// does no relocation processing). Working memory is stack: about 8.5 KiB
// at the deepest in the stage (the decode tables plus BuildTable()'s
// frame), about 12.5 KiB on a 64-bit host, whose litlen root table is
// twice as large.
//
// This file: what both builds share outside the decoding itself.

#include "inflate.h"

namespace bzelf {

const char* InflateErrorString(InflateError error) {
  switch (error) {
    case InflateError::kOk:
      return "ok";
    case InflateError::kTruncated:
      return "input ends inside a block";
    case InflateError::kBadBlockType:
      return "invalid block type";
    case InflateError::kBadStoredLength:
      return "stored block length does not match its complement";
    case InflateError::kBadCodeLengths:
      return "invalid code lengths";
    case InflateError::kBadSymbol:
      return "invalid literal/length or distance code";
    case InflateError::kDistanceTooFar:
      return "distance reaches before the start of the output";
    case InflateError::kOutputOverflow:
      return "output does not fit the buffer";
    case InflateError::kNoFinalBlock:
      return "input ends without a final block";
    case InflateError::kUnexpectedFinal:
      return "final block where more input was expected";
  }
  return "unknown error";
}

}  // namespace bzelf
