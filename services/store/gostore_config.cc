#include "services/store/gostore_config.h"

#include "lib/godb/compression.h"

namespace goprobe::store {

void GostoreConfig::Register(rpc::ConfigSchema* schema) {
  service.Register(schema);
  schema->AddScalar("compression", "--compression", "block compression of new blocks: lz4, zstd or none",
                    rpc::setters::OneOf(&compression, {"lz4", "zstd", "none"}), compression);
  schema->AddScalar("retention.max_age_days", "--retention-max-age-days",
                    "delete the days that started this many days or more before today (UTC); "
                    "0 keeps them",
                    rpc::setters::Unsigned(&retention_max_age_days, 0, 100000), "0");
  schema->AddScalar("retention.max_bytes", "--retention-max-bytes",
                    "delete the oldest days while the database takes more disk space than this "
                    "(bytes, or with KiB, MiB, GiB); never the day being written; 0: no limit",
                    rpc::setters::Bytes(&retention_max_bytes, 0, int64_t{1} << 60), "0");
  schema->AddScalar("retention.check_interval_seconds", "--retention-check-interval",
                    "seconds between retention checks (also at start and after a write over "
                    "the size limit)",
                    rpc::setters::Unsigned(&retention_check_interval_seconds, 1, 86400), "600");
}

RetentionPolicy GostoreConfig::Retention() const {
  RetentionPolicy policy;
  policy.max_age_days = int64_t(retention_max_age_days);
  policy.max_bytes = retention_max_bytes;
  policy.check_interval = absl::Seconds(retention_check_interval_seconds);
  return policy;
}

godb::WriterOptions GostoreConfig::WriterOptions() const {
  godb::WriterOptions options;
  // OneOf admitted only names ParseCodec knows.
  options.codec = *godb::ParseCodec(compression);
  return options;
}

}  // namespace goprobe::store
