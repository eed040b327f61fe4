// Fuzzes the YAML configuration loaders of all three services with the same
// text: gostore's and goqueryd's settings schemas (lib/rpc/config_schema.h,
// then each service's Validate) and goprobe's ParseProbeConfig. goqueryd's
// peer list is parsed too when the text makes it a root.
//
// Every refusal must say something: an empty error message is a finding.

#include <cstdint>

#include "absl/strings/string_view.h"
#include "fuzz/check.h"
#include "lib/rpc/config_schema.h"
#include "services/probe/config.h"
#include "services/query/goqueryd_config.h"
#include "services/store/gostore_config.h"

namespace {

using goprobe::fuzz::Check;

void CheckRefusal(const absl::Status& s) { Check(s.ok() || !s.message().empty()); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view yaml(reinterpret_cast<const char*>(data), size);
  {
    goprobe::store::GostoreConfig config;
    goprobe::rpc::ConfigSchema schema("gostore", &config.service.origins);
    config.Register(&schema);
    absl::Status s = schema.LoadYaml(yaml, "gostore.yaml");
    CheckRefusal(s);
    if (s.ok()) CheckRefusal(config.Validate());
  }
  {
    goprobe::query::GoquerydConfig config;
    goprobe::rpc::ConfigSchema schema("goqueryd", &config.service.origins);
    config.Register(&schema);
    absl::Status s = schema.LoadYaml(yaml, "goqueryd.yaml");
    CheckRefusal(s);
    if (s.ok()) {
      absl::Status valid = config.Validate();
      CheckRefusal(valid);
      if (valid.ok() && config.root()) CheckRefusal(config.MakePeerSet().status());
    }
  }
  {
    auto config = goprobe::probe::ParseProbeConfig(yaml, "goprobe.yaml");
    CheckRefusal(config.status());
  }
  return 0;
}
