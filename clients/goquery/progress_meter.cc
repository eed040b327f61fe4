#include "clients/goquery/progress_meter.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/goquery/units.h"

namespace goprobe::goquery {
namespace {

std::string Count(uint64_t n) {
  if (n < 1000) return absl::StrCat(n);
  return std::string(absl::StripTrailingAsciiWhitespace(FormatCount(n)));
}

}  // namespace

ProgressMeter::ProgressMeter(std::ostream* out, absl::Duration delay, absl::Duration interval,
                             std::function<absl::Time()> now)
    : out_(out), delay_(delay), interval_(interval), now_(std::move(now)), start_(now_()) {}

std::string ProgressMeter::Line(const v1::Progress& p) {
  const v1::ScanStats& s = p.scan();
  std::string line = absl::StrCat("goquery: ", Count(s.blocks_scanned()), " of ",
                                  Count(s.blocks_total()), " blocks");
  if (s.blocks_total() > 0) {
    absl::StrAppend(&line, " (", s.blocks_scanned() * 100 / s.blocks_total(), "%)");
  }
  absl::StrAppend(&line, ", ", Count(s.rows_scanned()), " rows");
  if (p.hosts_total() > 1) {
    absl::StrAppend(&line, ", ", p.hosts_done(), " of ", p.hosts_total(), " hosts");
  }
  absl::StrAppend(&line, ", ", absl::StrFormat("%.1fs", double(p.elapsed_us()) / 1e6));
  return line;
}

void ProgressMeter::Update(const v1::Progress& progress) {
  const absl::Time t = now_();
  absl::MutexLock lock(&mu_);
  if (t - start_ < delay_ || t - last_draw_ < interval_) return;
  last_draw_ = t;
  std::string line = Line(progress);
  // Pad over a longer previous line instead of relying on terminal escapes.
  const size_t width = line.size();
  if (width < drawn_width_) line.append(drawn_width_ - width, ' ');
  drawn_width_ = width;
  *out_ << '\r' << line << std::flush;
}

void ProgressMeter::Clear() {
  absl::MutexLock lock(&mu_);
  if (drawn_width_ == 0) return;
  *out_ << '\r' << std::string(drawn_width_, ' ') << '\r' << std::flush;
  drawn_width_ = 0;
}

}  // namespace goprobe::goquery
