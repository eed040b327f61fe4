#include "services/probe/live_capture.h"

#include <pcap/pcap.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstring>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "spdlog/spdlog.h"
#include "services/probe/window.h"

namespace goprobe::probe {
namespace {

constexpr int kTimeoutMs = 100;
// Packets per pcap_dispatch call, so a busy interface still checks the clock
// and the stop flag.
constexpr int kBatch = 4096;

int64_t NowSeconds() { return absl::ToUnixSeconds(absl::Now()); }

absl::Status PcapError(const std::string& iface, const char* what, int rc, pcap_t* h) {
  std::string why = rc == PCAP_ERROR_PERM_DENIED
                        ? "permission denied (goprobe needs root or CAP_NET_RAW)"
                        : std::string(h ? pcap_geterr(h) : "");
  if (why.empty()) why = pcap_statustostr(rc);
  const std::string msg = absl::StrCat("interface ", iface, ": ", what, ": ", why);
  if (rc == PCAP_ERROR_NO_SUCH_DEVICE) return absl::NotFoundError(msg);
  if (rc == PCAP_ERROR_PERM_DENIED) return absl::PermissionDeniedError(msg);
  return absl::UnavailableError(msg);
}

// An activated, non-blocking handle with the configured filter installed.
absl::StatusOr<pcap_t*> OpenHandle(const std::string& iface, const CaptureSettings& s) {
  const std::string& filter = s.bpf_filter;
  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  pcap_t* h = pcap_create(iface.c_str(), errbuf);
  if (h == nullptr) return absl::UnavailableError(absl::StrCat("interface ", iface, ": ", errbuf));
  pcap_set_snaplen(h, s.snaplen);
  pcap_set_promisc(h, s.promisc ? 1 : 0);
  pcap_set_buffer_size(h, static_cast<int>(s.buf_size));
  pcap_set_timeout(h, kTimeoutMs);
  pcap_set_tstamp_precision(h, PCAP_TSTAMP_PRECISION_NANO);
  const int rc = pcap_activate(h);
  if (rc < 0) {
    absl::Status st = PcapError(iface, "cannot start capturing", rc, h);
    pcap_close(h);
    return st;
  }
  if (rc > 0) spdlog::warn("interface {}: {}", iface, pcap_statustostr(rc));
  if (!filter.empty()) {
    struct bpf_program prog;
    if (pcap_compile(h, &prog, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      absl::Status st = absl::InvalidArgumentError(
          absl::StrCat("interface ", iface, ": bpf_filter \"", filter, "\": ", pcap_geterr(h)));
      pcap_close(h);
      return st;
    }
    const int set = pcap_setfilter(h, &prog);
    pcap_freecode(&prog);
    if (set != 0) {
      absl::Status st = PcapError(iface, "cannot install the filter", set, h);
      pcap_close(h);
      return st;
    }
  }
  if (pcap_setnonblock(h, 1, errbuf) != 0) {
    absl::Status st = absl::UnavailableError(absl::StrCat("interface ", iface, ": ", errbuf));
    pcap_close(h);
    return st;
  }
  return h;
}

bool InterfaceMac(const std::string& iface, std::array<uint8_t, 6>* mac) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  struct ifreq ifr;
  std::memset(&ifr, 0, sizeof ifr);
  std::strncpy(ifr.ifr_name, iface.c_str(), IFNAMSIZ - 1);
  const bool ok = ::ioctl(fd, SIOCGIFHWADDR, &ifr) == 0 && ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER;
  ::close(fd);
  if (!ok) return false;
  std::memcpy(mac->data(), ifr.ifr_hwaddr.sa_data, 6);
  // An all-zero address (some virtual devices) identifies nothing.
  for (uint8_t b : *mac) {
    if (b != 0) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<SystemInterfaces> ListSystemInterfaces() {
  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  pcap_if_t* devs = nullptr;
  if (pcap_findalldevs(&devs, errbuf) != 0) {
    return absl::UnavailableError(absl::StrCat("listing interfaces: ", errbuf));
  }
  SystemInterfaces out;
  for (pcap_if_t* d = devs; d != nullptr; d = d->next) {
    const std::string name = d->name;
    // libpcap's pseudo-devices are not interfaces to store flows of.
    if (name == "any" || name.rfind("bluetooth", 0) == 0 || name.rfind("dbus", 0) == 0 ||
        name.rfind("nflog", 0) == 0 || name.rfind("nfqueue", 0) == 0) {
      continue;
    }
    out.all.push_back(name);
    if ((d->flags & PCAP_IF_UP) && !(d->flags & PCAP_IF_LOOPBACK)) out.up_non_loopback.push_back(name);
  }
  pcap_freealldevs(devs);
  return out;
}

absl::StatusOr<std::unique_ptr<LiveCapture>> LiveCapture::Start(
    const ResolvedInterface& itf, AggregatorOptions options, WindowSink sink,
    std::optional<ProbeMetrics::Interface> metrics) {
  const CaptureSettings& s = itf.settings;
  absl::StatusOr<pcap_t*> plain = OpenHandle(itf.name, s);
  if (!plain.ok()) return plain.status();
  const int dlt = pcap_datalink(*plain);
  absl::StatusOr<LinkType> link_type = LinkTypeFromDlt(dlt);
  if (!link_type.ok()) {
    pcap_close(*plain);
    return absl::FailedPreconditionError(
        absl::StrCat("interface ", itf.name, ": ", link_type.status().message()));
  }
  std::array<uint8_t, 6> mac{};
  bool have_mac = false;
  if (*link_type == LinkType::kEthernet) {
    have_mac = InterfaceMac(itf.name, &mac);
    if (!have_mac) {
      spdlog::warn("interface {}: no hardware address; sent/received follow the client rule",
                   itf.name);
    }
  }
  std::unique_ptr<LiveCapture> c(
      new LiveCapture(itf.name, *plain, *link_type, options, std::move(sink)));
  c->have_mac_ = have_mac;
  c->cooked_ = *link_type == LinkType::kLinuxSll || *link_type == LinkType::kLinuxSll2;
  c->mac_ = mac;
  c->metrics_ = metrics;
  c->started_at_ = NowSeconds();
  c->window_end_ = WindowEnd(c->started_at_);
  c->thread_ = std::thread([p = c.get()] { p->Run(); });
  spdlog::info("interface {}: capturing ({}{}, snaplen {}, buffer {} bytes{}{})", itf.name,
               LinkTypeName(*link_type), c->knows_direction() ? ", direction known" : "", s.snaplen,
               s.buf_size, s.promisc ? ", promiscuous" : "",
               s.bpf_filter.empty() ? "" : absl::StrCat(", filter \"", s.bpf_filter, "\""));
  return c;
}

LiveCapture::LiveCapture(std::string name, pcap_t* handle, LinkType link_type,
                         AggregatorOptions options, WindowSink sink)
    : name_(std::move(name)),
      handle_(handle),
      sink_(std::move(sink)),
      aggregator_(link_type, options) {}

LiveCapture::~LiveCapture() {
  Stop();
  pcap_close(handle_);
}

void LiveCapture::Stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

void LiveCapture::Query(std::shared_ptr<CaptureQuery> query) { queries_.Post(std::move(query)); }

absl::StatusOr<CaptureSnapshot> LiveCapture::Answer(const CaptureQuery& query) {
  CaptureSnapshot s;
  s.taken = absl::Now();
  s.capture_started_at = started_at_;
  const FlowTable::WindowSoFar so_far =
      aggregator_.CurrentWindow(query.with_rows() ? &s.rows : nullptr);
  if (query.with_rows()) SortAndMergeRows(&s.rows);
  s.window = aggregator_.current();
  s.total = total_;
  s.total += s.window;
  s.traffic = so_far.traffic;
  s.active_flows = so_far.conversations;
  s.window_block_time = window_end_;
  s.last_block_time = last_block_time_;
  return s;
}

void LiveCapture::ServeQueries() {
  queries_.Serve([this](const CaptureQuery& q) { return Answer(q); });
}

void LiveCapture::PublishMetrics() {
  if (!metrics_.has_value()) return;
  WindowStats total = total_;
  total += aggregator_.current();
  published_.Publish(total, aggregator_.conversations(), *metrics_);
}

absl::Status LiveCapture::failure() const {
  absl::MutexLock lock(&mu_);
  return failure_;
}

void LiveCapture::Fail(const std::string& why) {
  spdlog::error("interface {}: capture failed: {}", name_, why);
  absl::MutexLock lock(&mu_);
  failure_ = absl::UnavailableError(absl::StrCat("interface ", name_, ": ", why));
}

void LiveCapture::OnPacket(const ::pcap_pkthdr* h, const uint8_t* data) {
  Direction direction = Direction::kUnknown;
  // An Ethernet frame left through this interface exactly when it carries
  // the interface's own source address.
  if (have_mac_ && h->caplen >= 12) {
    direction = std::memcmp(data + 6, mac_.data(), 6) == 0 ? Direction::kOutbound
                                                            : Direction::kInbound;
  }
  const int64_t ts_ns = int64_t(h->ts.tv_sec) * 1'000'000'000 + int64_t(h->ts.tv_usec);
  // A packet stamped at or after the window's end closes it first, so the
  // boundary follows packet time exactly while traffic flows.
  if (int64_t(h->ts.tv_sec) >= window_end_) Rotate(h->ts.tv_sec);
  aggregator_.Add(ts_ns, data, h->caplen, h->len, direction);
}

void LiveCapture::AddDrops() {
  struct pcap_stat ps;
  if (pcap_stats(handle_, &ps) != 0) return;
  // libpcap's counters only grow (32-bit, wrapping).
  aggregator_.AddDrops(uint32_t(ps.ps_drop - last_drops_kernel_),
                       uint32_t(ps.ps_ifdrop - last_drops_iface_));
  last_drops_kernel_ = ps.ps_drop;
  last_drops_iface_ = ps.ps_ifdrop;
}

void LiveCapture::Emit(ClosedWindow w) {
  // A window that saw nothing at all is not worth a block.
  const WindowStats& s = w.stats;
  total_ += s;
  if (s.packets == 0 && s.dropped_kernel == 0 && s.dropped_iface == 0) return;
  last_block_time_ = w.block_time;
  if (metrics_.has_value()) metrics_->blocks->Increment();
  sink_(name_, std::move(w));
}

void LiveCapture::Rotate(int64_t now_seconds) {
  AddDrops();
  Emit(aggregator_.EndWindow(window_end_));
  window_end_ = WindowEnd(ClampPacketSeconds(now_seconds));
}

void LiveCapture::Drain(bool to_the_end) {
  int n;
  do {
    n = pcap_dispatch(
        handle_, kBatch,
        [](unsigned char* user, const ::pcap_pkthdr* ph, const unsigned char* data) {
          reinterpret_cast<LiveCapture*>(user)->OnPacket(ph, data);
        },
        reinterpret_cast<unsigned char*>(this));
    // Between two reads: a consistent point to answer queries at.
    if (queries_.pending()) ServeQueries();
  } while (n == kBatch && (to_the_end || !stop_.load(std::memory_order_relaxed)));
  if (n == PCAP_ERROR) Fail(pcap_geterr(handle_));
}

void LiveCapture::Run() {
  struct pollfd pfd = {pcap_get_selectable_fd(handle_), POLLIN, 0};
  while (!stop_.load(std::memory_order_relaxed) && failure().ok()) {
    const int ready = ::poll(&pfd, 1, kTimeoutMs);
    if (ready < 0 && errno != EINTR) {
      Fail(absl::StrCat("poll: ", std::strerror(errno)));
      break;
    }
    // Read whatever is there, whatever poll said: TPACKET_V3 also hands over
    // partly filled blocks on its own timeout.
    Drain(/*to_the_end=*/false);
    aggregator_.Flush();
    const int64_t now = NowSeconds();
    if (now >= window_end_) Rotate(now);
    PublishMetrics();
  }
  if (failure().ok()) {
    // Packets that arrived before Stop() sit in a block the kernel hands
    // over when its timeout runs out: wait that long, then take them.
    ::poll(&pfd, 1, 2 * kTimeoutMs);
    Drain(/*to_the_end=*/true);
  }
  // Final block: what the window holds so far.
  aggregator_.Flush();
  AddDrops();
  int64_t t = EarlyFlushTime(NowSeconds(), window_end_);
  if (t >= window_end_) t = window_end_ - 1;
  Emit(aggregator_.EndWindow(t));
  PublishMetrics();
  // Whoever still asks learns the capture is over, not a stale window.
  queries_.Close(failure().ok() ? absl::UnavailableError(absl::StrCat("interface ", name_,
                                                                      ": capture stopped"))
                                : failure());
  spdlog::info("interface {}: stopped", name_);
}

}  // namespace goprobe::probe
