#ifndef GOPROBE_SERVICES_PROBE_BLOCK_WRITER_H_
#define GOPROBE_SERVICES_PROBE_BLOCK_WRITER_H_

#include <cstdint>
#include <deque>
#include <string>
#include <thread>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "services/probe/aggregator.h"
#include "services/probe/block_sink.h"

namespace goprobe::probe {

// The one thread that turns closed windows of every interface into blocks
// and hands them to the sink (which, like goDB's writer, takes one caller at
// a time). Capture threads only queue: draining, sorting and writing happen
// here, while they go on counting.
//
// A block the sink refuses is logged and counted, never retried: retrying is
// the business of a sink that can (a spooling shipper).
class BlockWriter {
 public:
  explicit BlockWriter(BlockSink* sink);
  // Close()s.
  ~BlockWriter();

  // Queues a window; any thread.
  void Submit(const std::string& iface, ClosedWindow window);
  // Writes everything submitted so far, then ends the thread. Submit must not
  // be called afterwards.
  void Close();

  uint64_t written() const;
  uint64_t failed() const;

 private:
  void Run();

  BlockSink* sink_;
  mutable absl::Mutex mu_;
  std::deque<std::pair<std::string, ClosedWindow>> queue_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t written_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t failed_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_BLOCK_WRITER_H_
