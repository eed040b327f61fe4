#include "services/store/gostore_config.h"

#include "lib/godb/compression.h"

namespace goprobe::store {

void GostoreConfig::Register(rpc::ConfigSchema* schema) {
  service.Register(schema);
  schema->AddScalar("compression", "--compression", "block compression of new blocks: lz4, zstd or none",
                    rpc::setters::OneOf(&compression, {"lz4", "zstd", "none"}), compression);
}

godb::WriterOptions GostoreConfig::WriterOptions() const {
  godb::WriterOptions options;
  // OneOf admitted only names ParseCodec knows.
  options.codec = *godb::ParseCodec(compression);
  return options;
}

}  // namespace goprobe::store
