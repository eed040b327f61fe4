#ifndef GOPROBE_SERVICES_PROBE_PCAP_FILE_H_
#define GOPROBE_SERVICES_PROBE_PCAP_FILE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/probe/link_type.h"
#include "services/probe/packet.h"

namespace goprobe::probe {

// One packet as the capture file holds it. `data` stays valid until the next
// call to Next().
struct RawPacket {
  int64_t ts_ns = 0;  // unix nanoseconds
  const uint8_t* data = nullptr;
  uint32_t caplen = 0;
  uint32_t wire_len = 0;
  // The framing of this packet: pcapng gives each interface its own. False
  // when the interface's link type is not one the parser reads; such packets
  // count as not placeable.
  bool link_known = true;
  LinkType link_type = LinkType::kEthernet;
  // False for pcapng simple packet blocks, which carry no timestamp (ts_ns is
  // then the previous packet's, or 0).
  bool has_time = true;
  // pcapng's epb_flags may say which way the packet went; classic pcap
  // cannot (Linux cooked framing carries it in the packet instead).
  Direction direction = Direction::kUnknown;
};

class ByteSource;

// Reads a capture file: classic pcap (microsecond, nanosecond or the
// modified/Kuznetzov variant, either byte order) or pcapng (any number of
// sections and interfaces, each with its own link type, timestamp resolution
// and offset; enhanced, simple and obsolete packet blocks; the enhanced
// block's inbound/outbound flag), each optionally
// gzip-compressed (recognised by content, not by name). libpcap 1.10 refuses
// pcapng files whose interfaces differ in link type, which real captures
// (tcpdump -i any on BSD, Wireshark on several interfaces) have; hence a
// reader of our own. Every error message starts with the file's path.
class PcapFile {
 public:
  // NotFound / PermissionDenied if the file cannot be opened;
  // InvalidArgument if it is not a capture, or a classic pcap file's link
  // type is not one the parser understands.
  static absl::StatusOr<std::unique_ptr<PcapFile>> Open(const std::string& path);
  ~PcapFile();

  // The next packet into *packet: true, or false at the end of the file.
  // DataLoss if the file is cut short or corrupt after the packets read so
  // far (they stay valid).
  absl::StatusOr<bool> Next(RawPacket* packet);

  const std::string& path() const { return path_; }
  bool gzipped() const;
  bool pcapng() const { return pcapng_; }
  uint64_t packets_read() const { return packets_; }
  // The link type of the first interface (classic pcap: of every packet).
  LinkType link_type() const { return first_link_type_; }

 private:
  struct Interface {
    bool known = false;
    LinkType link_type = LinkType::kEthernet;
    uint32_t snaplen = 0;
    // Timestamps are units of 10^-decimal or 2^-binary seconds.
    bool binary = false;
    int exponent = 6;
    int64_t offset_s = 0;
  };

  explicit PcapFile(std::string path, std::unique_ptr<ByteSource> source);
  absl::Status ReadHeader();
  absl::StatusOr<bool> NextPcap(RawPacket* packet);
  absl::StatusOr<bool> NextPcapng(RawPacket* packet);
  absl::Status ReadSectionHeader(const uint8_t* first8);
  absl::Status AddInterface(const uint8_t* body, size_t len);
  int64_t ToNanos(const Interface& itf, uint64_t ts) const;
  Direction EpbDirection(const uint8_t* options, const uint8_t* end) const;
  uint32_t U32(const uint8_t* p) const;
  uint16_t U16(const uint8_t* p) const;
  // Makes `n` bytes available at Data(); false at a clean end of file
  // (nothing left), DataLoss if the file ends inside them.
  absl::StatusOr<bool> Want(size_t n, bool eof_ok);
  absl::Status Cut(const std::string& why) const;

  std::string path_;
  std::unique_ptr<ByteSource> source_;
  std::vector<uint8_t> buf_;        // empty when the file is mapped
  const uint8_t* base_ = nullptr;   // the mapping, or buf_.data()
  size_t pos_ = 0;  // start of unread bytes at base_
  size_t end_ = 0;  // end of valid bytes at base_
  bool swapped_ = false;
  bool pcapng_ = false;
  // Classic pcap.
  bool nanosecond_ = false;
  size_t record_header_ = 16;
  Interface pcap_interface_;
  // pcapng.
  std::vector<Interface> interfaces_;
  LinkType first_link_type_ = LinkType::kEthernet;
  uint64_t packets_ = 0;
  int64_t last_ts_ns_ = 0;
};

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_PCAP_FILE_H_
