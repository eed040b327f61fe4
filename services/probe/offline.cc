#include "services/probe/offline.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "lib/godb/layout.h"
#include "services/probe/pcap_file.h"
#include "services/probe/window.h"

namespace goprobe::probe {

std::string OfflineSummary::ToString() const {
  std::string s = absl::StrCat(totals.packets, " packets, ", totals.bytes, " bytes, ", flows,
                               " flows, ", blocks, " blocks, ", totals.not_ip, " skipped, ",
                               totals.malformed, " malformed");
  if (totals.untracked != 0) absl::StrAppend(&s, ", ", totals.untracked, " untracked");
  if (totals.ports_missing != 0) {
    absl::StrAppend(&s, ", ", totals.ports_missing, " without ports");
  }
  if (!truncated.empty()) absl::StrAppend(&s, ", ", truncated.size(), " truncated files");
  return s;
}

namespace {

class OfflineRun {
 public:
  OfflineRun(const OfflineOptions& options, BlockSink* sink, LinkType first)
      : options_(options), sink_(sink), aggregator_(first, options.aggregator) {}

  absl::Status Add(const RawPacket& p) {
    if (!p.has_time) {
      // No time of its own: it joins whatever window is open (or the one
      // the next timed packet opens).
      if (!open_) untimed_ = true;
      Count(p);
      return absl::OkStatus();
    }
    const int64_t seconds = ClampPacketSeconds(FloorSeconds(p.ts_ns));
    if (!open_) {
      window_end_ = WindowEnd(seconds);
      newest_ = seconds;
      open_ = true;
    } else if (seconds >= window_end_) {
      absl::Status s = Flush(window_end_);
      if (!s.ok()) return s;
      window_end_ = WindowEnd(seconds);
      newest_ = seconds;
      open_ = true;
    } else if (seconds > newest_) {
      newest_ = seconds;
    }
    Count(p);
    return absl::OkStatus();
  }

  absl::Status Finish() {
    if (!open_ && untimed_) {
      // Only packets without timestamps: the import time is all there is.
      const int64_t now = ClampPacketSeconds(absl::ToUnixSeconds(absl::Now()));
      window_end_ = WindowEnd(now);
      newest_ = now;
      open_ = true;
    }
    if (!open_) return absl::OkStatus();
    untimed_ = false;
    return Flush(EarlyFlushTime(newest_, window_end_));
  }

  OfflineSummary& summary() { return summary_; }

 private:
  void Count(const RawPacket& p) {
    if (!p.link_known) {
      aggregator_.AddUnframed(p.wire_len);
      return;
    }
    if (p.link_type != aggregator_.link_type()) aggregator_.set_link_type(p.link_type);
    aggregator_.Add(p.ts_ns, p.data, p.caplen, p.wire_len, p.direction);
  }

  static int64_t FloorSeconds(int64_t ns) {
    const int64_t q = ns / 1'000'000'000;
    return (ns % 1'000'000'000 < 0) ? q - 1 : q;
  }

  absl::Status Flush(int64_t block_time) {
    open_ = false;
    ClosedWindow closed = aggregator_.EndWindow(block_time);
    block_.iface = options_.iface;
    block_.block_time = block_time;
    block_.stats = closed.stats;
    block_.rows.clear();
    closed.flows->Drain(&block_.rows);
    absl::Status s = sink_->Write(block_);
    if (!s.ok()) return s;
    ++summary_.blocks;
    summary_.flows += block_.rows.size();
    summary_.totals += closed.stats;
    return absl::OkStatus();
  }

  const OfflineOptions& options_;
  BlockSink* sink_;
  Aggregator aggregator_;
  Block block_;  // reused: rows keep their capacity
  bool open_ = false;
  bool untimed_ = false;  // counted packets without a time before any window
  int64_t window_end_ = 0;
  int64_t newest_ = 0;
  OfflineSummary summary_;
};

}  // namespace

absl::StatusOr<OfflineSummary> RunOffline(const OfflineOptions& options, BlockSink* sink) {
  if (options.files.empty()) return absl::InvalidArgumentError("no capture file given");
  absl::Status s = godb::ValidateInterfaceName(options.iface);
  if (!s.ok()) return s;

  // Every file must be a capture before anything is written; they are then
  // opened again one at a time, so thousands of files need one descriptor.
  // Standard input ("-") can be read only once: it is checked when its turn
  // comes (and must come first to be checked before any block is written).
  LinkType first_link_type = LinkType::kEthernet;
  for (size_t i = 0; i < options.files.size(); ++i) {
    if (options.files[i] == "-") continue;
    absl::StatusOr<std::unique_ptr<PcapFile>> f = PcapFile::Open(options.files[i]);
    if (!f.ok()) return f.status();
    if (i == 0) first_link_type = (*f)->link_type();
  }

  OfflineRun run(options, sink, first_link_type);
  absl::Status cut;
  absl::Status unreadable;
  for (const std::string& path : options.files) {
    absl::StatusOr<std::unique_ptr<PcapFile>> opened = PcapFile::Open(path);
    if (!opened.ok()) {
      // Standard input, or a file changed since it was checked: stop there.
      unreadable = opened.status();
      break;
    }
    std::unique_ptr<PcapFile>& file = *opened;
    RawPacket packet;
    for (;;) {
      absl::StatusOr<bool> more = file->Next(&packet);
      if (!more.ok()) {
        if (options.allow_truncated) {
          run.summary().truncated.push_back(std::string(more.status().message()));
        } else if (cut.ok()) {
          cut = more.status();
        }
        break;
      }
      if (!*more) break;
      s = run.Add(packet);
      if (!s.ok()) return s;
    }
    ++run.summary().files;
    if (!cut.ok()) break;
  }
  s = run.Finish();
  if (!s.ok()) return s;
  if (!unreadable.ok()) return unreadable;
  if (!cut.ok()) {
    return absl::DataLossError(absl::StrCat(cut.message(), " (", run.summary().ToString(),
                                            " written up to there; --allow-truncated accepts "
                                            "such files)"));
  }
  return std::move(run.summary());
}

}  // namespace goprobe::probe
