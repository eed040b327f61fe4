// Fuzzes PacketParser over every link type (packet_input.h has the input
// format) and checks the contract in packet_parser.h on every result.
//
// Each frame is copied into a heap buffer of exactly its length, so ASan
// catches any read past the captured bytes.

#include <cstdint>
#include <cstring>
#include <memory>

#include "fuzz/check.h"
#include "fuzz/packet_input.h"
#include "services/probe/packet_parser.h"

namespace {

using goprobe::fuzz::Check;
using goprobe::probe::Direction;
using goprobe::probe::LinkType;
using goprobe::probe::PacketInfo;
using goprobe::probe::ParseResult;

void CheckContract(LinkType link, ParseResult result, const PacketInfo& info) {
  if (result != ParseResult::kFlow) return;
  // Ports only for TCP and UDP.
  if (info.proto != 6 && info.proto != 17) Check(info.sport == 0 && info.dport == 0);
  // An IPv4 address fills 4 bytes; the rest stay zero.
  if (info.is_v4) {
    for (int i = 4; i < 16; ++i) Check(info.src[i] == 0 && info.dst[i] == 0);
  }
  // Only Linux cooked framings know the direction.
  if (link != LinkType::kLinuxSll && link != LinkType::kLinuxSll2) {
    Check(info.direction == Direction::kUnknown);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const LinkType link = goprobe::fuzz::LinkTypeFromByte(data[0]);
  // A small fragment table so eviction is reached too.
  goprobe::probe::PacketParser parser(link, /*fragment_capacity=*/4);
  goprobe::fuzz::FrameReader frames(data + 1, size - 1);
  const uint8_t* frame;
  size_t len;
  int64_t ts_ns = 1'700'000'000'000'000'000;
  while (frames.Next(&frame, &len)) {
    std::unique_ptr<uint8_t[]> copy(new uint8_t[len]);
    if (len > 0) memcpy(copy.get(), frame, len);
    PacketInfo info;
    ParseResult result = parser.Parse(copy.get(), len, ts_ns, &info);
    CheckContract(link, result, info);
    ts_ns += 1'000'000;  // 1 ms apart: fragments stay within their lifetime
  }
  return 0;
}
