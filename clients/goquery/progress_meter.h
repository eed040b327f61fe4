#ifndef GOPROBE_CLIENTS_GOQUERY_PROGRESS_METER_H_
#define GOPROBE_CLIENTS_GOQUERY_PROGRESS_METER_H_

// A one-line progress display on a terminal's stderr while a long query
// scans:
//
//   goquery: 1.20 k of 4.03 k blocks (29%), 12.41 M rows, 3 of 5 hosts, 2.1s
//
// Quiet for the first `delay` (a quick query shows nothing), then redrawn
// in place with '\r' at most every `interval`; Clear() erases it before the
// result is printed. Thread-safe: the in-process engine reports from a
// scanning thread.

#include <functional>
#include <ostream>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "proto/goprobe/v1/query.pb.h"

namespace goprobe::goquery {

class ProgressMeter {
 public:
  // `out` (stderr) must outlive the meter. `now` is the clock, for tests.
  ProgressMeter(std::ostream* out, absl::Duration delay = absl::Seconds(1),
                absl::Duration interval = absl::Milliseconds(200),
                std::function<absl::Time()> now = absl::Now);

  void Update(const v1::Progress& progress);
  // Erases the line, if one was drawn.
  void Clear();

  // The text of one progress line (no '\r').
  static std::string Line(const v1::Progress& progress);

 private:
  std::ostream* const out_;
  const absl::Duration delay_, interval_;
  const std::function<absl::Time()> now_;
  const absl::Time start_;
  absl::Mutex mu_;
  absl::Time last_draw_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  size_t drawn_width_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_PROGRESS_METER_H_
