// Where everything is in an image, for scripts (`bzelf info --json`,
// "layout"): tests that damage an image or cut a piece out of it read the
// offsets here instead of decoding the header and notes themselves.
#pragma once

#include "common.h"
#include "image.h"
#include "info-tree.h"

namespace bzelf {

// The layout of `image` as ParseImage read it, in bytes. Conventions:
//   file_offset  from the start of the image file
//   offset       from the start of part 5 (as payload_offset counts)
//   bytes        a length
// Offsets are given as the image states them, also where they point past
// its end (a damaged image); what cannot be found (the stage parameters of
// an image not made by `bzelf build`) is left out.
InfoNode ImageLayout(const Bytes& image, const ImageView& view);

}  // namespace bzelf
