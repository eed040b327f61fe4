// Writes seeds for packet_parser_fuzzer from capture files:
//
//   make_packet_seeds OUT_DIR CAPTURE...
//
// From each capture, up to kSeedsPerFile seeds of kFramesPerSeed consecutive
// frames each (consecutive, so fragments of a datagram arrive together),
// frames cut at kMaxFrame bytes. Packets of link types the parser does not
// read are skipped. Seeds are written at test time, never committed.

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "fuzz/packet_input.h"
#include "services/probe/pcap_file.h"

namespace {

constexpr int kSeedsPerFile = 24;
constexpr int kFramesPerSeed = 4;
constexpr size_t kMaxFrame = 1024;

bool WriteSeed(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  return bool(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s OUT_DIR CAPTURE...\n", argv[0]);
    return 2;
  }
  const std::string out_dir = argv[1];
  int written = 0;
  for (int i = 2; i < argc; ++i) {
    auto file = goprobe::probe::PcapFile::Open(argv[i]);
    if (!file.ok()) {
      // Captures of link types the parser refuses are expected; say so and go
      // on.
      fprintf(stderr, "make_packet_seeds: skipping %s\n",
              std::string(file.status().message()).c_str());
      continue;
    }
    goprobe::probe::RawPacket packet;
    std::string seed;
    int frames = 0;
    int seeds = 0;
    while (seeds < kSeedsPerFile) {
      auto more = (*file)->Next(&packet);
      if (!more.ok() || !*more) break;
      if (!packet.link_known) continue;
      uint8_t link = goprobe::fuzz::LinkTypeByte(packet.link_type);
      if (frames > 0 && uint8_t(seed[0]) != link) frames = kFramesPerSeed;  // flush below
      if (frames == kFramesPerSeed) {
        if (!WriteSeed(absl::StrCat(out_dir, "/pcap-", i, "-", seeds), seed)) return 1;
        ++seeds;
        ++written;
        frames = 0;
      }
      if (frames == 0) seed.assign(1, char(link));
      size_t len = packet.caplen < kMaxFrame ? packet.caplen : kMaxFrame;
      seed.push_back(char(len & 0xff));
      seed.push_back(char(len >> 8));
      seed.append(reinterpret_cast<const char*>(packet.data), len);
      ++frames;
    }
    if (frames > 0 && seeds < kSeedsPerFile) {
      if (!WriteSeed(absl::StrCat(out_dir, "/pcap-", i, "-", seeds), seed)) return 1;
      ++written;
    }
  }
  fprintf(stderr, "make_packet_seeds: %d seeds\n", written);
  return written > 0 ? 0 : 1;
}
