#include "services/store/store_metrics.h"

namespace goprobe::store {
StoreMetrics::StoreMetrics(metrics::Registry* registry)
    : batches(registry->AddCounterFamily(
          "gostore_batches_total",
          "Flow batches acknowledged, by result: stored, duplicate (already stored: a resend), "
          "rejected (invalid or of another host; the sender drops it).",
          {"result"})),
      stored(batches.Labels({"stored"})),
      duplicates(batches.Labels({"duplicate"})),
      rejected(batches.Labels({"rejected"})),
      rows_written(registry->AddCounter("gostore_rows_written_total",
                                        "Flow rows of stored batches written to goDB.")),
      bytes_written(registry->AddCounter(
          "gostore_bytes_written_total",
          "Bytes by which stored batches grew goDB's files (column data, address dictionary, "
          "block metadata).")),
      write_seconds(registry->AddHistogram(
          "gostore_write_seconds",
          "Time to make one batch durable in goDB (encode, write, fsync data and metadata).",
          metrics::LatencyBuckets())),
      write_errors(registry->AddCounter(
          "gostore_write_errors_total",
          "Batches that could not be made durable (disk full, I/O error); the sender resends "
          "them.")),
      write_queue(registry->AddGauge("gostore_write_queue_batches",
                                     "Complete batches waiting for the writer thread.")),
      streams_open(registry->AddGauge("gostore_ingest_streams_open", "Ingest streams open now.")),
      last_write(registry->AddGauge(
          "gostore_last_write_timestamp_seconds",
          "Unix time at which the last batch was stored; 0 before the first.")),
      days_deleted(registry->AddCounterFamily(
          "gostore_retention_days_deleted_total",
          "Day partitions deleted by retention, by reason: age (older than the age limit), "
          "size (the database was over its size limit).",
          {"reason"})),
      bytes_freed(registry->AddCounter("gostore_retention_bytes_freed_total",
                                       "Disk space freed by deleting day partitions.")),
      retention_errors(registry->AddCounter(
          "gostore_retention_errors_total",
          "Retention checks or day deletions that failed (see the log).")),
      database_bytes(registry->AddGauge(
          "gostore_database_bytes",
          "Disk space taken by the day partitions, as of the last retention check plus the "
          "growth since; 0 without retention.")) {
  days_deleted.Labels({"age"});
  days_deleted.Labels({"size"});
}

}  // namespace goprobe::store
