#include "services/probe/pcap_file.h"

#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/probe/test_packets.h"

namespace goprobe::probe {
namespace {

using namespace ::goprobe::probe::testing;  // NOLINT: test builders
using ::testing::HasSubstr;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out.write(data.data(), std::streamsize(data.size()));
}

void Gzip(const std::string& from, const std::string& to, size_t keep = SIZE_MAX) {
  const std::string data = ReadAll(from);
  gzFile gz = gzopen(to.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  gzwrite(gz, data.data(), unsigned(data.size()));
  gzclose(gz);
  if (keep != SIZE_MAX) WriteAll(to, ReadAll(to).substr(0, keep));
}

std::vector<FilePacket> ThreePackets() {
  const Bytes f = Ethernet(0x0800, Ipv4("10.0.0.1", "10.0.0.2", 17, Udp(1, 2, 100)));
  return {{1'700'000'000'123'456'789, f, 0, 0},
          {1'700'000'001'000'000'001, f, 2000, 64},
          {1'700'000'002'999'999'999, f, 0, 0}};
}

TEST(PcapFileTest, ReadsMicroAndNanosecondFiles) {
  const std::string dir = TestDir();
  for (bool nano : {false, true}) {
    const std::string path = dir + (nano ? "/n.pcap" : "/u.pcap");
    ASSERT_TRUE(WritePcap(path, 1, ThreePackets(), nano).ok());
    absl::StatusOr<std::unique_ptr<PcapFile>> f = PcapFile::Open(path);
    ASSERT_TRUE(f.ok()) << f.status();
    EXPECT_EQ((*f)->link_type(), LinkType::kEthernet);
    EXPECT_FALSE((*f)->gzipped());
    RawPacket p;
    ASSERT_TRUE(*(*f)->Next(&p));
    EXPECT_EQ(p.ts_ns, nano ? 1'700'000'000'123'456'789 : 1'700'000'000'123'456'000);
    ASSERT_TRUE(*(*f)->Next(&p));
    EXPECT_EQ(p.caplen, 64u);
    EXPECT_EQ(p.wire_len, 2000u);
    ASSERT_TRUE(*(*f)->Next(&p));
    absl::StatusOr<bool> more = (*f)->Next(&p);
    ASSERT_TRUE(more.ok());
    EXPECT_FALSE(*more);
    EXPECT_EQ((*f)->packets_read(), 3u);
  }
}

TEST(PcapFileTest, ReadsGzippedFiles) {
  const std::string dir = TestDir();
  ASSERT_TRUE(WritePcap(dir + "/a.pcap", 1, ThreePackets(), true).ok());
  Gzip(dir + "/a.pcap", dir + "/a.pcap.gz");
  absl::StatusOr<std::unique_ptr<PcapFile>> f = PcapFile::Open(dir + "/a.pcap.gz");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE((*f)->gzipped());
  RawPacket p;
  int n = 0;
  while (*(*f)->Next(&p)) ++n;
  EXPECT_EQ(n, 3);
}

TEST(PcapFileTest, ReadsHandMadePcapng) {
  // SHB, IDB (Ethernet), one EPB with epb_flags "outbound".
  const Bytes frame = Ethernet(0x0800, Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(1, 2, kSyn)));
  std::string s;
  auto u32 = [&](uint32_t v) { s.append(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](uint16_t v) { s.append(reinterpret_cast<const char*>(&v), 2); };
  u32(0x0a0d0d0a); u32(28); u32(0x1a2b3c4d); u16(1); u16(0);
  u32(0xffffffff); u32(0xffffffff); u32(28);
  u32(1); u32(20); u16(1); u16(0); u32(0); u32(20);
  const uint32_t padded = uint32_t((frame.size() + 3) & ~size_t(3));
  u32(6); u32(32 + padded + 8); u32(0);
  const uint64_t us = 1'600'000'000'000'000ull;
  u32(uint32_t(us >> 32)); u32(uint32_t(us)); u32(uint32_t(frame.size())); u32(1000);
  s.append(reinterpret_cast<const char*>(frame.data()), frame.size());
  s.append(padded - frame.size(), '\0');
  u16(2); u16(4); u32(2);  // epb_flags: outbound
  u32(32 + padded + 8);
  const std::string path = TestDir() + "/x.pcapng";
  WriteAll(path, s);
  absl::StatusOr<std::unique_ptr<PcapFile>> f = PcapFile::Open(path);
  ASSERT_TRUE(f.ok()) << f.status();
  RawPacket p;
  ASSERT_TRUE(*(*f)->Next(&p));
  EXPECT_EQ(p.ts_ns, 1'600'000'000'000'000'000);
  EXPECT_EQ(p.wire_len, 1000u);
  EXPECT_EQ(p.direction, Direction::kOutbound);
  EXPECT_FALSE(*(*f)->Next(&p));
}

TEST(PcapFileTest, ErrorsNameTheFile) {
  const std::string dir = TestDir();
  absl::StatusOr<std::unique_ptr<PcapFile>> f = PcapFile::Open(dir + "/missing.pcap");
  EXPECT_EQ(f.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(f.status().message(), HasSubstr(dir + "/missing.pcap"));

  WriteAll(dir + "/text.pcap", "this is not a capture file at all\n");
  f = PcapFile::Open(dir + "/text.pcap");
  EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(f.status().message(), HasSubstr(dir + "/text.pcap: not a pcap or pcapng capture"));

  WriteAll(dir + "/empty.pcap", "");
  f = PcapFile::Open(dir + "/empty.pcap");
  EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(f.status().message(), HasSubstr(dir + "/empty.pcap"));

  f = PcapFile::Open(dir);
  EXPECT_FALSE(f.ok());
  EXPECT_THAT(f.status().message(), HasSubstr(dir));

  // DLT_IEEE802_11 (105): a capture, but not a framing the probe reads.
  ASSERT_TRUE(WritePcap(dir + "/wifi.pcap", 105, {}).ok());
  f = PcapFile::Open(dir + "/wifi.pcap");
  EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(f.status().message(), HasSubstr("wifi.pcap: link type 105"));
}

TEST(PcapFileTest, CutShortFilesAreDataLossAfterTheGoodPackets) {
  const std::string dir = TestDir();
  ASSERT_TRUE(WritePcap(dir + "/whole.pcap", 1, ThreePackets()).ok());
  const std::string whole = ReadAll(dir + "/whole.pcap");
  WriteAll(dir + "/cut.pcap", whole.substr(0, whole.size() - 10));
  // Without its 8-byte trailer a gzip stream decompresses whole but is
  // still known to be cut.
  Gzip(dir + "/whole.pcap", dir + "/cut.pcap.gz");
  const std::string gz = ReadAll(dir + "/cut.pcap.gz");
  WriteAll(dir + "/cut.pcap.gz", gz.substr(0, gz.size() - 8));
  for (const auto& [name, want_good] : {std::pair<const char*, int>{"/cut.pcap", 2},
                                         std::pair<const char*, int>{"/cut.pcap.gz", 3}}) {
    absl::StatusOr<std::unique_ptr<PcapFile>> f = PcapFile::Open(dir + name);
    ASSERT_TRUE(f.ok()) << f.status();
    RawPacket p;
    int good = 0;
    absl::StatusOr<bool> more;
    while ((more = (*f)->Next(&p)).ok() && *more) ++good;
    EXPECT_EQ(good, want_good) << name;
    ASSERT_FALSE(more.ok()) << name;
    EXPECT_EQ(more.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(more.status().message(), HasSubstr(dir + name + ": capture is cut short"));
    EXPECT_THAT(more.status().message(), HasSubstr(absl::StrCat("after ", want_good, " packets")));
  }
}

// Damaged files: every byte may lie. Reading must end in packets or an
// error naming the file, never a crash or an out-of-bounds read (ASan).
TEST(PcapFileTest, DamagedFilesNeverCrash) {
  const std::string dir = TestDir();
  std::vector<FilePacket> packets;
  for (int i = 0; i < 20; ++i) {
    packets.push_back({int64_t(i) * 1'000'000'000,
                       Ethernet(0x0800, Ipv4("10.0.0.1", "10.0.0.2", 17, Udp(1, 2, 10 * i)))});
  }
  ASSERT_TRUE(WritePcap(dir + "/seed.pcap", 1, packets, true).ok());
  // A pcapng seed: section header, two interfaces, packets on both.
  std::string ng;
  auto u32 = [&](uint32_t v) { ng.append(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](uint16_t v) { ng.append(reinterpret_cast<const char*>(&v), 2); };
  u32(0x0a0d0d0a); u32(28); u32(0x1a2b3c4d); u16(1); u16(0);
  u32(0xffffffff); u32(0xffffffff); u32(28);
  for (uint16_t lt : {uint16_t(1), uint16_t(101)}) {
    u32(1); u32(28); u16(lt); u16(0); u32(0);
    u16(9); u16(1); ng.push_back(9); ng.append(3, '\0');  // if_tsresol: ns
    u32(28);
  }
  for (int i = 0; i < 10; ++i) {
    const Bytes f = i % 2 ? Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(1, 2, kSyn)) : packets[i].data;
    const uint32_t padded = uint32_t((f.size() + 3) & ~size_t(3));
    u32(6); u32(32 + padded); u32(i % 2); u32(0); u32(uint32_t(i)); u32(uint32_t(f.size()));
    u32(uint32_t(f.size()));
    ng.append(reinterpret_cast<const char*>(f.data()), f.size());
    ng.append(padded - f.size(), '\0');
    u32(32 + padded);
  }
  WriteAll(dir + "/seed.pcapng", ng);
  absl::BitGen gen;
  for (const char* seed : {"/seed.pcap", "/seed.pcapng"}) {
    const std::string original = ReadAll(dir + seed);
    // The seed itself reads cleanly.
    {
      absl::StatusOr<std::unique_ptr<PcapFile>> f = PcapFile::Open(dir + seed);
      ASSERT_TRUE(f.ok()) << f.status();
      RawPacket p;
      int n = 0;
      absl::StatusOr<bool> more;
      while ((more = (*f)->Next(&p)).ok() && *more) ++n;
      ASSERT_TRUE(more.ok()) << more.status();
      EXPECT_EQ(n, std::string(seed) == "/seed.pcap" ? 20 : 10);
    }
    for (int round = 0; round < 400; ++round) {
      std::string damaged = original;
      const int flips = absl::Uniform(gen, 1, 8);
      for (int i = 0; i < flips; ++i) {
        damaged[absl::Uniform<size_t>(gen, 0, damaged.size())] = char(absl::Uniform<int>(gen, 0, 256));
      }
      if (absl::Bernoulli(gen, 0.5)) damaged.resize(absl::Uniform<size_t>(gen, 0, damaged.size()));
      const std::string path = dir + "/damaged" + seed;
      WriteAll(path, damaged);
      absl::StatusOr<std::unique_ptr<PcapFile>> f = PcapFile::Open(path);
      if (!f.ok()) {
        EXPECT_THAT(f.status().message(), HasSubstr(path));
        continue;
      }
      RawPacket p;
      absl::StatusOr<bool> more;
      int n = 0;
      while ((more = (*f)->Next(&p)).ok() && *more && n < 100000) {
        ++n;
        ASSERT_LE(p.caplen, damaged.size());
        if (p.caplen > 0) {
          volatile uint8_t first = p.data[0], last = p.data[p.caplen - 1];
          (void)first;
          (void)last;
        }
      }
      if (!more.ok()) {
        EXPECT_THAT(more.status().message(), HasSubstr(path));
      }
    }
  }
}

}  // namespace
}  // namespace goprobe::probe
