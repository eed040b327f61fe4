#ifndef GOPROBE_SERVICES_STORE_GOSTORE_CONFIG_H_
#define GOPROBE_SERVICES_STORE_GOSTORE_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "lib/godb/db_writer.h"
#include "lib/rpc/config_schema.h"
#include "lib/rpc/service_config.h"
#include "services/store/retention_policy.h"

namespace goprobe::store {

// gostore's settings: the shared ones (rpc/service_config.h) and its own:
//
//   compression    --compression    lz4 | zstd | none    block compression of new blocks (lz4)
//   retention.max_age_days          --retention-max-age-days   delete days this old (0: never)
//   retention.max_bytes             --retention-max-bytes      keep the database under this (0: no limit)
//   retention.check_interval_seconds --retention-check-interval how often to check (600)
//
// deploy/config/gostore.yaml shows every key.
struct GostoreConfig {
  rpc::ServiceConfig service;
  std::string compression = "lz4";
  uint64_t retention_max_age_days = 0;
  int64_t retention_max_bytes = 0;
  uint64_t retention_check_interval_seconds = 600;

  // Declares every setting on `schema` (whose Origins should be
  // service.origins).
  void Register(rpc::ConfigSchema* schema);
  absl::Status Validate() const {
    absl::Status s = service.RequireDbPath();
    return s.ok() ? service.Validate() : s;
  }
  // The writer options the settings ask for.
  godb::WriterOptions WriterOptions() const;
  RetentionPolicy Retention() const;
};

}  // namespace goprobe::store

#endif  // GOPROBE_SERVICES_STORE_GOSTORE_CONFIG_H_
