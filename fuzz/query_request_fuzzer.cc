// Fuzzes what goqueryd checks of a Run request: a QueryRequest in wire
// format through SpecFromRequest with the real condition compiler, as both
// a leaf and a root do before any work.
//
// Checked beyond "no crash": an accepted request has attributes, a time
// range that is not reversed, and a resolution that is 0 or a multiple of
// 300 seconds; a refused one says why.

#include <cstdint>

#include "fuzz/check.h"
#include "lib/query/condition_row_selector.h"
#include "lib/query/query_proto.h"
#include "proto/goprobe/v1/query.pb.h"

using goprobe::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  goprobe::v1::QueryRequest request;
  if (!request.ParseFromArray(data, int(size))) return 0;
  static const goprobe::query::ConditionCompiler compile = goprobe::query::CompileCondition;
  goprobe::query::ServerLimits limits;
  limits.max_memory_bytes = uint64_t(1) << 30;
  limits.physical_memory_bytes = uint64_t(8) << 30;
  auto spec = goprobe::query::SpecFromRequest(request, compile, limits);
  if (!spec.ok()) {
    Check(!spec.status().message().empty());
    return 0;
  }
  Check(!spec->attributes.empty());
  Check(spec->first <= spec->last);
  Check(spec->resolution >= 0 && spec->resolution % 300 == 0);
  return 0;
}
