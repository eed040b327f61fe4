#ifndef GOPROBE_FUZZ_PACKET_INPUT_H_
#define GOPROBE_FUZZ_PACKET_INPUT_H_

// The packet parser fuzzer's input format, shared with its seed generator:
//
//   byte 0            link type: LinkType value = byte % kNumLinkTypes
//   then, repeated:   2-byte little-endian length L, then L frame bytes
//                     (a last frame cut short keeps what is there)
//
// Several frames per input let fragments of one datagram meet in the
// parser's fragment table.

#include <cstddef>
#include <cstdint>

#include "services/probe/link_type.h"

namespace goprobe::fuzz {

inline constexpr int kNumLinkTypes = 9;  // LinkType::kEthernet .. kNflog

inline probe::LinkType LinkTypeFromByte(uint8_t b) {
  return static_cast<probe::LinkType>(b % kNumLinkTypes);
}

inline uint8_t LinkTypeByte(probe::LinkType type) { return static_cast<uint8_t>(type); }

// Walks the frames after the link type byte.
class FrameReader {
 public:
  FrameReader(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}

  // The next frame into (*frame, *len); false when the input is used up.
  bool Next(const uint8_t** frame, size_t* len) {
    if (end_ - p_ < 2) return false;
    size_t want = size_t(p_[0]) | size_t(p_[1]) << 8;
    p_ += 2;
    size_t have = size_t(end_ - p_);
    *len = want < have ? want : have;
    *frame = p_;
    p_ += *len;
    return true;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace goprobe::fuzz

#endif  // GOPROBE_FUZZ_PACKET_INPUT_H_
