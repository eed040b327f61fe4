#ifndef GOPROBE_CLIENTS_GOCONVERT_GODB_SINK_H_
#define GOPROBE_CLIENTS_GOCONVERT_GODB_SINK_H_

// Imported blocks written straight into a goDB directory.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "clients/goconvert/block_sink.h"
#include "lib/godb/db_writer.h"

namespace goprobe::goconvert {

// Holds the database's writer lock for its lifetime, so it cannot run beside
// a gostore writing the same directory; the error says so.
class GodbSink : public BlockSink {
 public:
  // Creates the directory if needed. FailedPrecondition if another writer
  // holds the lock.
  static absl::StatusOr<std::unique_ptr<GodbSink>> Open(const std::string& db_path,
                                                        godb::WriterOptions options = {});

  // Imported blocks carry no capture statistics: the CSV has none, and
  // zeros say "nothing was dropped", which is what is known.
  absl::Status WriteBlock(absl::string_view iface, int64_t time,
                          absl::Span<const flow::FlowRow> rows, const BlockOrigin&) override;

 private:
  explicit GodbSink(std::unique_ptr<godb::DbWriter> writer) : writer_(std::move(writer)) {}
  std::unique_ptr<godb::DbWriter> writer_;
};

}  // namespace goprobe::goconvert

#endif  // GOPROBE_CLIENTS_GOCONVERT_GODB_SINK_H_
