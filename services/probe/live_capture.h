#ifndef GOPROBE_SERVICES_PROBE_LIVE_CAPTURE_H_
#define GOPROBE_SERVICES_PROBE_LIVE_CAPTURE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/probe/aggregator.h"
#include "services/probe/config.h"

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

// Something the CaptureManager can stop: a running capture of one interface.
class CaptureHandle {
 public:
  virtual ~CaptureHandle() = default;
  // Ends the capture; its current window goes out as a final block.
  virtual void Stop() = 0;
  // Whether the capture ended on its own (the interface went away, ...).
  virtual bool failed() const = 0;
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
class LiveCapture : public CaptureHandle {
 public:
  // Opens and activates the capture and starts its thread. Errors name the
  // interface: no such device, permission (needs CAP_NET_RAW), bad filter.
  static absl::StatusOr<std::unique_ptr<LiveCapture>> Start(const ResolvedInterface& itf,
                                                            AggregatorOptions options,
                                                            WindowSink sink);
  ~LiveCapture() override;
  void Stop() override;

  const std::string& name() const { return name_; }
  // Whether the capture tells sent from received.
  bool knows_direction() const { return have_mac_ || cooked_; }
  // Why the capture ended on its own (interface gone, ...), or OK.
  absl::Status failure() const;
  bool failed() const override { return !failure().ok(); }

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
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable absl::Mutex mu_;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
};

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_LIVE_CAPTURE_H_
