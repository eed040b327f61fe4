#ifndef GOPROBE_SERVICES_PROBE_LIVE_CAPTURE_H_
#define GOPROBE_SERVICES_PROBE_LIVE_CAPTURE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/probe/aggregator.h"
#include "services/probe/capture_query.h"
#include "services/probe/config.h"
#include "services/probe/probe_metrics.h"

struct pcap;
struct pcap_pkthdr;

namespace goprobe::probe {

// The interfaces libpcap can capture on: all of them, and those that are up
// and not loopback (what "any" in the configuration selects).
struct SystemInterfaces {
  std::vector<std::string> all;
  std::vector<std::string> up_non_loopback;
};
absl::StatusOr<SystemInterfaces> ListSystemInterfaces();

// Where closed windows go: called on the capture thread, must not block for
// long (hand the window to a writer thread).
using WindowSink = std::function<void(const std::string& iface, ClosedWindow window)>;

// Something the CaptureManager can stop and ask: a running capture of one
// interface.
class CaptureHandle {
 public:
  virtual ~CaptureHandle() = default;
  // Ends the capture; its current window goes out as a final block.
  virtual void Stop() = 0;
  // Why the capture ended on its own (the interface went away, ...), or OK.
  virtual absl::Status failure() const = 0;
  bool failed() const { return !failure().ok(); }
  // Hands `query` to the capture thread, which answers it with a consistent
  // snapshot of its state (capture_query.h); a capture that has ended
  // answers at once with why. Any thread; does not wait.
  virtual void Query(std::shared_ptr<CaptureQuery> query) = 0;
};

// Captures one interface with libpcap on a thread of its own, with its own
// Aggregator: nothing is shared on the packet path.
//
// Direction: libpcap gives no packet type for an Ethernet interface (its
// Linux datalink list has no cooked framing for one, and a kernel filter on
// the packet type was seen to lose packets after idle periods), so a frame
// counts as sent exactly when its source address is the interface's own.
// That is right on hosts and routers; on a bridge port, frames the bridge
// forwards out keep their sender's address and count as received. Cooked
// captures (SLL/SLL2) carry the kernel's packet type; other framings count
// by the client rule (flow_table.h).
//
// Windows follow the wall clock: a window closes at each multiple of 300 s
// (checked against packet timestamps as they arrive and against the clock
// whenever the capture is idle for 100 ms), and goes to the sink with block
// time = its end; a window without any packet or drop is not sent. Stop()
// sends the current window as a final block at the wall clock rounded up to
// whole seconds, kept below the window's aligned end so that a capture
// restarted for the same interface within the window can still write its
// aligned block. Kernel drops (pcap_stats) go into each window's statistics.
//
// Queries (Query) are answered on the capture thread between two reads of
// the kernel's ring (after at most 4096 packets, or the 100 ms poll timeout
// when idle), so the flow table stays single-writer and the packet path
// gains nothing; an answer is consistent: every packet read so far is in
// it, none after.
class LiveCapture : public CaptureHandle {
 public:
  // Opens and activates the capture and starts its thread. Errors name the
  // interface: no such device, permission (needs CAP_NET_RAW), bad filter.
  // With `metrics` (may be null), the capture thread publishes its counters
  // there once per read loop.
  static absl::StatusOr<std::unique_ptr<LiveCapture>> Start(
      const ResolvedInterface& itf, AggregatorOptions options, WindowSink sink,
      std::optional<ProbeMetrics::Interface> metrics = std::nullopt);
  ~LiveCapture() override;
  void Stop() override;
  void Query(std::shared_ptr<CaptureQuery> query) override;

  const std::string& name() const { return name_; }
  // Whether the capture tells sent from received.
  bool knows_direction() const { return have_mac_ || cooked_; }
  absl::Status failure() const override;

 private:
  LiveCapture(std::string name, ::pcap* handle, LinkType link_type, AggregatorOptions options,
              WindowSink sink);
  void Run();
  // Reads the packets the kernel has handed over: all of them, or until
  // Stop() when not `to_the_end`.
  void Drain(bool to_the_end);
  void OnPacket(const ::pcap_pkthdr* h, const uint8_t* data);
  void Rotate(int64_t now_seconds);
  void Emit(ClosedWindow w);
  void AddDrops();
  void Fail(const std::string& why);
  // Capture thread: answers waiting queries, publishes metrics.
  void ServeQueries();
  absl::StatusOr<CaptureSnapshot> Answer(const CaptureQuery& query);
  void PublishMetrics();

  std::string name_;
  ::pcap* handle_;
  uint64_t last_drops_kernel_ = 0;
  uint64_t last_drops_iface_ = 0;
  bool have_mac_ = false;
  bool cooked_ = false;
  std::array<uint8_t, 6> mac_{};
  WindowSink sink_;
  Aggregator aggregator_;
  int64_t window_end_ = 0;
  // Capture thread only.
  int64_t started_at_ = 0;
  int64_t last_block_time_ = 0;
  WindowStats total_;  // closed windows since the start
  std::optional<ProbeMetrics::Interface> metrics_;
  PublishedCounts published_;
  QueryMailbox queries_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable absl::Mutex mu_;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
};

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_LIVE_CAPTURE_H_
