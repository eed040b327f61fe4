#include "services/probe/pcap_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"

namespace goprobe::probe {

// Where the bytes come from: a plain file or a gzip stream.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Up to `n` bytes; 0 at the end; -1 on error (error() says why).
  virtual ssize_t Read(uint8_t* buf, size_t n) = 0;
  virtual bool gzipped() const = 0;
  // The whole content in memory, if the source can offer that cheaply (a
  // regular file, mapped): packets are then read in place, without copying.
  virtual const uint8_t* Map(size_t* size) { return nullptr; }
  // After the last Read returned 0: why the data ended early, if it did.
  virtual std::string early_end() const { return ""; }
  const std::string& error() const { return error_; }

 protected:
  std::string error_;
};

namespace {

// Packets larger than this are taken as corruption (libpcap's limit is
// 256 KiB; BIG TCP and jumbograms reach 64 KiB and a little more).
constexpr uint32_t kMaxPacket = 16 << 20;
constexpr uint32_t kMaxBlock = kMaxPacket + 4096;

class FdSource : public ByteSource {
 public:
  explicit FdSource(int fd, bool mappable = true) : fd_(fd), mappable_(mappable) {}
  ~FdSource() override {
    if (map_ != nullptr) ::munmap(map_, map_size_);
    ::close(fd_);
  }
  const uint8_t* Map(size_t* size) override {
    if (!mappable_) return nullptr;
    struct stat st;
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) return nullptr;
    void* m = ::mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd_, 0);
    if (m == MAP_FAILED) return nullptr;
    ::madvise(m, size_t(st.st_size), MADV_SEQUENTIAL);
    map_ = m;
    map_size_ = size_t(st.st_size);
    *size = map_size_;
    return static_cast<const uint8_t*>(m);
  }
  ssize_t Read(uint8_t* buf, size_t n) override {
    for (;;) {
      const ssize_t got = ::read(fd_, buf, n);
      if (got >= 0) return got;
      if (errno == EINTR) continue;
      error_ = std::strerror(errno);
      return -1;
    }
  }
  bool gzipped() const override { return false; }

 private:
  int fd_;
  bool mappable_;
  void* map_ = nullptr;
  size_t map_size_ = 0;
};

class GzSource : public ByteSource {
 public:
  explicit GzSource(gzFile gz) : gz_(gz) {}
  ~GzSource() override { gzclose(gz_); }
  ssize_t Read(uint8_t* buf, size_t n) override {
    const int got = gzread(gz_, buf, static_cast<unsigned>(n > (1u << 30) ? (1u << 30) : n));
    int err = Z_OK;
    const char* msg = gzerror(gz_, &err);
    if (got < 0) {
      error_ = absl::StrCat("gzip: ", msg);
      return -1;
    }
    if (got == 0 && err == Z_BUF_ERROR) truncated_ = true;
    return got;
  }
  bool gzipped() const override { return true; }
  std::string early_end() const override {
    return truncated_ ? "the gzip stream is cut short" : "";
  }

 private:
  gzFile gz_;
  bool truncated_ = false;
};

absl::Status OpenError(const std::string& path, int err) {
  const std::string msg = absl::StrCat(path, ": cannot open: ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(msg);
  if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(msg);
  return absl::InvalidArgumentError(msg);
}

inline uint32_t Swap32(uint32_t v) { return __builtin_bswap32(v); }

}  // namespace

PcapFile::PcapFile(std::string path, std::unique_ptr<ByteSource> source)
    : path_(std::move(path)), source_(std::move(source)) {
  size_t size = 0;
  base_ = source_->Map(&size);
  if (base_ != nullptr) {
    end_ = size;
  } else {
    buf_.resize(1 << 20);
    base_ = buf_.data();
  }
}

PcapFile::~PcapFile() = default;

bool PcapFile::gzipped() const { return source_->gzipped(); }

uint32_t PcapFile::U32(const uint8_t* p) const {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return swapped_ ? Swap32(v) : v;
}

uint16_t PcapFile::U16(const uint8_t* p) const {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return swapped_ ? uint16_t(v >> 8 | v << 8) : v;
}

absl::Status PcapFile::Cut(const std::string& why) const {
  return absl::DataLossError(
      absl::StrCat(path_, ": capture is cut short or corrupt after ", packets_, " packets: ", why));
}

absl::StatusOr<bool> PcapFile::Want(size_t n, bool eof_ok) {
  if (end_ - pos_ >= n) return true;
  if (buf_.empty()) {  // mapped: there is no more
    if (pos_ == end_ && eof_ok) return false;
    return Cut(absl::StrCat("the file ends inside a record (", end_ - pos_, " of ", n, " bytes)"));
  }
  if (pos_ > 0) {
    std::memmove(buf_.data(), base_ + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  if (buf_.size() < n) {
    buf_.resize(n);
    base_ = buf_.data();
  }
  while (end_ < n) {
    const ssize_t got = source_->Read(buf_.data() + end_, buf_.size() - end_);
    if (got < 0) return Cut(absl::StrCat("read error: ", source_->error()));
    if (got == 0) {
      const std::string early = source_->early_end();
      if (!early.empty()) return Cut(early);
      if (end_ == 0 && eof_ok) return false;
      return Cut(absl::StrCat("the file ends inside a record (", end_, " of ", n, " bytes)"));
    }
    end_ += size_t(got);
  }
  return true;
}

absl::StatusOr<std::unique_ptr<PcapFile>> PcapFile::Open(const std::string& path) {
  if (path == "-") {
    // Standard input: read as a stream (never mapped, never gzip: the magic
    // cannot be peeked at without consuming it).
    const int in = ::fcntl(0, F_DUPFD_CLOEXEC, 0);
    if (in < 0) return OpenError("standard input", errno);
    std::unique_ptr<PcapFile> file(
        new PcapFile("standard input", std::make_unique<FdSource>(in, /*mappable=*/false)));
    absl::Status s = file->ReadHeader();
    if (!s.ok()) return s;
    return file;
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OpenError(path, errno);
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory, not a capture file"));
  }
  uint8_t magic[2] = {0, 0};
  const ssize_t got = ::pread(fd, magic, 2, 0);
  std::unique_ptr<ByteSource> source;
  if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
    gzFile gz = gzdopen(fd, "rb");
    if (gz == nullptr) {
      ::close(fd);
      return absl::InternalError(absl::StrCat(path, ": cannot start gzip decompression"));
    }
    gzbuffer(gz, 256 * 1024);
    source = std::make_unique<GzSource>(gz);
  } else {
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    source = std::make_unique<FdSource>(fd);
  }
  std::unique_ptr<PcapFile> file(new PcapFile(path, std::move(source)));
  absl::Status s = file->ReadHeader();
  if (!s.ok()) return s;
  return file;
}

absl::Status PcapFile::ReadHeader() {
  const std::string kind = gzipped() ? " (gzip-compressed)" : "";
  absl::StatusOr<bool> have = Want(4, true);
  if (!have.ok() || !*have) {
    return absl::InvalidArgumentError(
        absl::StrCat(path_, ": not a pcap or pcapng capture", kind, ": too short"));
  }
  uint32_t magic;
  std::memcpy(&magic, base_ + pos_, 4);
  if (magic == 0x0a0d0d0a) {
    pcapng_ = true;
    have = Want(12, true);
    if (!have.ok() || !*have) {
      return absl::InvalidArgumentError(
          absl::StrCat(path_, ": not a pcapng capture", kind, ": section header cut short"));
    }
    absl::Status s = ReadSectionHeader(base_ + pos_);
    if (!s.ok()) return absl::InvalidArgumentError(s.message());
    return absl::OkStatus();
  }
  switch (magic) {
    case 0xa1b2c3d4: break;
    case 0xd4c3b2a1: swapped_ = true; break;
    case 0xa1b23c4d: nanosecond_ = true; break;
    case 0x4d3cb2a1: nanosecond_ = true; swapped_ = true; break;
    case 0xa1b2cd34: record_header_ = 24; break;  // Kuznetzov's modified pcap
    case 0x34cdb2a1: record_header_ = 24; swapped_ = true; break;
    default:
      if ((magic & 0xffff) == 0x8b1f) {  // gzip on standard input
        return absl::InvalidArgumentError(
            absl::StrCat(path_, ": gzip-compressed data is read from files only; pipe it "
                                "through zcat"));
      }
      return absl::InvalidArgumentError(absl::StrCat(
          path_, ": not a pcap or pcapng capture", kind, ": unknown file format"));
  }
  have = Want(24, true);
  if (!have.ok() || !*have) {
    return absl::InvalidArgumentError(
        absl::StrCat(path_, ": not a pcap capture", kind, ": file header cut short"));
  }
  const uint8_t* h = base_ + pos_;
  // The link type's upper bits may carry FCS information.
  const int dlt = int(U32(h + 20) & 0x03ffffff);
  pos_ += 24;
  absl::StatusOr<LinkType> link_type = LinkTypeFromDlt(dlt);
  if (!link_type.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path_, ": ", link_type.status().message()));
  }
  pcap_interface_.known = true;
  pcap_interface_.link_type = *link_type;
  pcap_interface_.exponent = nanosecond_ ? 9 : 6;
  first_link_type_ = *link_type;
  return absl::OkStatus();
}

absl::Status PcapFile::ReadSectionHeader(const uint8_t* first12) {
  uint32_t bom;
  std::memcpy(&bom, first12 + 8, 4);
  if (bom == 0x1a2b3c4d) {
    swapped_ = false;
  } else if (bom == 0x4d3c2b1a) {
    swapped_ = true;
  } else {
    return Cut("a pcapng section header has no valid byte-order magic");
  }
  const uint32_t len = U32(first12 + 4);
  if (len < 28 || len % 4 != 0 || len > kMaxBlock) {
    return Cut(absl::StrCat("bad pcapng section header length ", len));
  }
  absl::StatusOr<bool> have = Want(len, false);
  if (!have.ok()) return have.status();
  const uint8_t* b = base_ + pos_;
  if (U16(b + 12) != 1) {
    return Cut(absl::StrCat("pcapng major version ", U16(b + 12), " is not supported"));
  }
  pos_ += len;
  interfaces_.clear();  // interface numbers are per section
  return absl::OkStatus();
}

absl::Status PcapFile::AddInterface(const uint8_t* body, size_t len) {
  if (len < 8) return Cut("pcapng interface block too short");
  Interface itf;
  const int dlt = U16(body);
  absl::StatusOr<LinkType> lt = LinkTypeFromDlt(dlt);
  itf.known = lt.ok();
  if (lt.ok()) itf.link_type = *lt;
  itf.snaplen = U32(body + 4);
  // Options: code, length, value padded to 4.
  size_t o = 8;
  while (o + 4 <= len) {
    const uint16_t code = U16(body + o), olen = U16(body + o + 2);
    if (code == 0) break;
    if (o + 4 + olen > len) break;
    const uint8_t* v = body + o + 4;
    if (code == 9 && olen >= 1) {  // if_tsresol
      itf.binary = (v[0] & 0x80) != 0;
      itf.exponent = v[0] & 0x7f;
    } else if (code == 14 && olen >= 8) {  // if_tsoffset, seconds
      const uint64_t lo = U32(swapped_ ? v + 4 : v), hi = U32(swapped_ ? v : v + 4);
      itf.offset_s = int64_t(hi << 32 | lo);
    }
    o += 4 + ((size_t(olen) + 3) & ~size_t(3));
  }
  if (interfaces_.empty() && packets_ == 0 && itf.known) first_link_type_ = itf.link_type;
  interfaces_.push_back(itf);
  return absl::OkStatus();
}

Direction PcapFile::EpbDirection(const uint8_t* opt, const uint8_t* end) const {
  // Options: code, length, value padded to 4; epb_flags (2) holds the
  // direction in its two low bits: 1 inbound, 2 outbound.
  while (opt + 4 <= end) {
    const uint16_t code = U16(opt), len = U16(opt + 2);
    if (code == 0 || opt + 4 + len > end) break;
    if (code == 2 && len == 4) {
      switch (U32(opt + 4) & 3) {
        case 1: return Direction::kInbound;
        case 2: return Direction::kOutbound;
        default: return Direction::kUnknown;
      }
    }
    opt += 4 + ((size_t(len) + 3) & ~size_t(3));
  }
  return Direction::kUnknown;
}

int64_t PcapFile::ToNanos(const Interface& itf, uint64_t ts) const {
  absl::int128 ns;
  if (itf.binary) {
    ns = (absl::int128(ts) * 1'000'000'000) >> itf.exponent;
  } else if (itf.exponent <= 9) {
    static constexpr int64_t kPow10[] = {1,      10,      100,      1000,      10000,
                                         100000, 1000000, 10000000, 100000000, 1000000000};
    ns = absl::int128(ts) * kPow10[9 - itf.exponent];
  } else {
    absl::int128 d = 1;
    for (int i = 9; i < itf.exponent && i < 40; ++i) d *= 10;
    ns = absl::int128(ts) / d;
  }
  ns += absl::int128(itf.offset_s) * 1'000'000'000;
  if (ns > absl::int128(INT64_MAX)) return INT64_MAX;
  return static_cast<int64_t>(ns);
}

absl::StatusOr<bool> PcapFile::Next(RawPacket* packet) {
  return pcapng_ ? NextPcapng(packet) : NextPcap(packet);
}

absl::StatusOr<bool> PcapFile::NextPcap(RawPacket* packet) {
  absl::StatusOr<bool> have = Want(record_header_, true);
  if (!have.ok() || !*have) return have;
  const uint8_t* h = base_ + pos_;
  const uint32_t sec = U32(h), frac = U32(h + 4), caplen = U32(h + 8), len = U32(h + 12);
  if (caplen > kMaxPacket) return Cut(absl::StrCat("record of ", caplen, " bytes"));
  pos_ += record_header_;
  have = Want(caplen, false);
  if (!have.ok()) return have.status();
  packet->ts_ns = int64_t(sec) * 1'000'000'000 + int64_t(frac) * (nanosecond_ ? 1 : 1000);
  packet->data = base_ + pos_;
  packet->caplen = caplen;
  // A record claiming less on the wire than was captured is taken at its
  // captured size: bytes are never undercounted below what is there.
  packet->wire_len = len < caplen ? caplen : len;
  packet->link_known = true;
  packet->link_type = pcap_interface_.link_type;
  packet->has_time = true;
  packet->direction = Direction::kUnknown;
  pos_ += caplen;
  ++packets_;
  return true;
}

absl::StatusOr<bool> PcapFile::NextPcapng(RawPacket* packet) {
  for (;;) {
    absl::StatusOr<bool> have = Want(12, true);
    if (!have.ok() || !*have) return have;
    const uint8_t* b = base_ + pos_;
    uint32_t type;
    std::memcpy(&type, b, 4);
    if (type == 0x0a0d0d0a) {
      absl::Status s = ReadSectionHeader(b);
      if (!s.ok()) return s;
      continue;
    }
    type = U32(b);
    const uint32_t len = U32(b + 4);
    if (len < 12 || len % 4 != 0 || len > kMaxBlock) {
      return Cut(absl::StrCat("pcapng block of type ", type, " has bad length ", len));
    }
    have = Want(len, false);
    if (!have.ok()) return have.status();
    b = base_ + pos_;
    if (U32(b + len - 4) != len) {
      return Cut(absl::StrCat("pcapng block of type ", type, " has mismatched lengths"));
    }
    const uint8_t* body = b + 8;
    const size_t body_len = len - 12;
    pos_ += len;
    switch (type) {
      case 1: {  // interface description
        absl::Status s = AddInterface(body, body_len);
        if (!s.ok()) return s;
        continue;
      }
      case 6:    // enhanced packet
      case 2: {  // obsolete packet block: 16-bit interface and drops count
        if (body_len < 20) return Cut("pcapng packet block too short");
        const uint32_t itf_id = type == 6 ? U32(body) : U16(body);
        const uint64_t ts = uint64_t(U32(body + 4)) << 32 | U32(body + 8);
        const uint32_t caplen = U32(body + 12), len_wire = U32(body + 16);
        if (itf_id >= interfaces_.size()) {
          return Cut(absl::StrCat("packet of undeclared interface ", itf_id));
        }
        if (caplen > body_len - 20) return Cut("packet longer than its block");
        const Interface& itf = interfaces_[itf_id];
        packet->ts_ns = ToNanos(itf, ts);
        packet->data = body + 20;
        packet->caplen = caplen;
        packet->wire_len = len_wire < caplen ? caplen : len_wire;
        packet->link_known = itf.known;
        packet->link_type = itf.link_type;
        packet->has_time = true;
        packet->direction = type == 6 ? EpbDirection(body + 20 + ((size_t(caplen) + 3) & ~size_t(3)),
                                                     body + body_len)
                                      : Direction::kUnknown;
        last_ts_ns_ = packet->ts_ns;
        ++packets_;
        return true;
      }
      case 3: {  // simple packet: interface 0, no timestamp
        if (body_len < 4) return Cut("pcapng simple packet block too short");
        if (interfaces_.empty()) return Cut("simple packet before any interface");
        const Interface& itf = interfaces_[0];
        const uint32_t len_wire = U32(body);
        uint32_t caplen = len_wire;
        if (itf.snaplen != 0 && caplen > itf.snaplen) caplen = itf.snaplen;
        if (caplen > body_len - 4) caplen = uint32_t(body_len - 4);
        packet->ts_ns = last_ts_ns_;
        packet->has_time = false;
        packet->direction = Direction::kUnknown;
        packet->data = body + 4;
        packet->caplen = caplen;
        packet->wire_len = len_wire < caplen ? caplen : len_wire;
        packet->link_known = itf.known;
        packet->link_type = itf.link_type;
        ++packets_;
        return true;
      }
      default:  // statistics, name resolution, custom, journal, ...: not packets
        continue;
    }
  }
}

}  // namespace goprobe::probe
