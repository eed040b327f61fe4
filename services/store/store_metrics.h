#ifndef GOPROBE_SERVICES_STORE_STORE_METRICS_H_
#define GOPROBE_SERVICES_STORE_STORE_METRICS_H_

#include "lib/metrics/metrics.h"

namespace goprobe::store {

// gostore's own Prometheus metrics (the gRPC ones, refused API keys included,
// come from rpc::RpcMetrics):
//
//   gostore_batches_total{result}            batches acknowledged: stored, duplicate, rejected
//   gostore_rows_written_total               flow rows of stored batches
//   gostore_bytes_written_total              growth of goDB's files by stored batches
//   gostore_write_seconds                    histogram: DbWriter::WriteBlock, fsyncs included
//   gostore_write_errors_total               batches that could not be made durable (disk
//                                            full, I/O error): the sender keeps and resends them
//   gostore_write_queue_batches              complete batches waiting for the writer thread
//   gostore_ingest_streams_open              Ingest streams open now
//   gostore_last_write_timestamp_seconds     wall clock of the last stored batch (0: none yet)
//   gostore_retention_days_deleted_total{reason}  days deleted by retention: age, size
//   gostore_retention_bytes_freed_total      disk space those deletions freed
//   gostore_retention_errors_total           retention checks or deletions that failed
//   gostore_database_bytes                   disk space of the day partitions (with retention)
//
// Every series exists from the start (at zero), so rate() and absent-data
// alerts work before the first batch.
struct StoreMetrics {
  explicit StoreMetrics(metrics::Registry* registry);

  metrics::Family<metrics::Counter>& batches;  // by result; the three below are its children
  metrics::Counter& stored;
  metrics::Counter& duplicates;
  metrics::Counter& rejected;
  metrics::Counter& rows_written;
  metrics::Counter& bytes_written;
  metrics::Histogram& write_seconds;
  metrics::Counter& write_errors;
  metrics::Gauge& write_queue;
  metrics::Gauge& streams_open;
  metrics::Gauge& last_write;
  metrics::Family<metrics::Counter>& days_deleted;  // by reason: age, size
  metrics::Counter& bytes_freed;
  metrics::Counter& retention_errors;
  metrics::Gauge& database_bytes;
};

}  // namespace goprobe::store

#endif  // GOPROBE_SERVICES_STORE_STORE_METRICS_H_
