// Fuzzes the condition language end to end: lexer, parser, normaliser and
// compiler (CompileCondition), then runs the compiled selector over a small
// block of IPv4 and IPv6 rows.
//
// Checked beyond "no crash": the canonical text of an accepted condition
// compiles again to the same canonical text, and Select returns ascending
// row indices inside the block.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/string_view.h"
#include "fuzz/check.h"
#include "lib/godb/block.h"
#include "lib/query/condition_row_selector.h"

namespace {

using goprobe::fuzz::Check;

// Two IPv4 rows, then two IPv6 rows, every column filled.
goprobe::godb::BlockColumns MakeBlock() {
  goprobe::godb::BlockColumns b;
  b.time = 1'700'000'100;
  b.rows = 4;
  b.v4_rows = 2;
  b.sip4 = {0x0a000001, 0xc0a80111};
  b.dip4 = {0x08080808, 0x0a000002};
  b.sip6 = {absl::MakeUint128(0x20010db800000000, 1), absl::MakeUint128(0, 1)};
  b.dip6 = {absl::MakeUint128(0xfe80000000000000, 0x1234),
            absl::MakeUint128(0x20010db800000000, 2)};
  b.dport = {443, 53, 80, 0};
  b.proto = {6, 17, 6, 58};
  b.bytes_rcvd = {100, 0, 5, 7};
  b.bytes_sent = {0, 200, 5, 9};
  b.pkts_rcvd = {1, 0, 1, 1};
  b.pkts_sent = {0, 2, 1, 1};
  return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const goprobe::godb::BlockColumns block = MakeBlock();
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto compiled = goprobe::query::CompileCondition(text);
  if (!compiled.ok()) {
    Check(!compiled.status().message().empty());
    return 0;
  }
  auto again = goprobe::query::CompileCondition(compiled->text);
  Check(again.ok());
  Check(again->text == compiled->text);
  if (compiled->rows != nullptr) {
    std::vector<uint32_t> rows;
    compiled->rows->Select(block, &rows);
    for (size_t i = 0; i < rows.size(); ++i) {
      Check(rows[i] < block.rows);
      if (i > 0) Check(rows[i - 1] < rows[i]);
    }
  }
  return 0;
}
