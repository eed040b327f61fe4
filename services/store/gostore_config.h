#ifndef GOPROBE_SERVICES_STORE_GOSTORE_CONFIG_H_
#define GOPROBE_SERVICES_STORE_GOSTORE_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "lib/godb/db_writer.h"
#include "lib/rpc/config_schema.h"
#include "lib/rpc/service_config.h"

namespace goprobe::store {

// gostore's settings: the shared ones (rpc/service_config.h) and its own:
//
//   compression    --compression    lz4 | zstd | none    block compression of new blocks (lz4)
//
// deploy/config/gostore.yaml shows every key.
struct GostoreConfig {
  rpc::ServiceConfig service;
  std::string compression = "lz4";

  // Declares every setting on `schema` (whose Origins should be
  // service.origins).
  void Register(rpc::ConfigSchema* schema);
  absl::Status Validate() const {
    absl::Status s = service.RequireDbPath();
    return s.ok() ? service.Validate() : s;
  }
  // The writer options the settings ask for.
  godb::WriterOptions WriterOptions() const;
};

}  // namespace goprobe::store

#endif  // GOPROBE_SERVICES_STORE_GOSTORE_CONFIG_H_
