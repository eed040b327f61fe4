#include "clients/goconvert/godb_sink.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace goprobe::goconvert {

absl::StatusOr<std::unique_ptr<GodbSink>> GodbSink::Open(const std::string& db_path,
                                                         godb::WriterOptions options) {
  absl::StatusOr<std::unique_ptr<godb::DbWriter>> writer =
      godb::DbWriter::Open(db_path, std::move(options));
  if (!writer.ok()) {
    absl::Status s = writer.status();
    if (absl::IsFailedPrecondition(s)) {
      return absl::FailedPreconditionError(absl::StrCat(
          s.message(), " (is a gostore writing to it? stop it first)"));
    }
    return absl::Status(s.code(), absl::StrCat("cannot open ", db_path, " for writing: ",
                                               s.message()));
  }
  return std::unique_ptr<GodbSink>(new GodbSink(std::move(*writer)));
}

absl::Status GodbSink::WriteBlock(absl::string_view iface, int64_t time,
                                  absl::Span<const flow::FlowRow> rows, const BlockOrigin&) {
  return writer_->WriteBlock(iface, time, rows, godb::CaptureStats{});
}

}  // namespace goprobe::goconvert
