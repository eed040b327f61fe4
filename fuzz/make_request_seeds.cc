// Writes seeds for the request fuzzers:
//
//   make_request_seeds OUT_DIR ingest|query
//
// `ingest`: FlowBatch streams (ingest_batch_fuzzer.cc has the format) of
// random rows of both families, whole and split into parts, built with the
// encoder the probe uses. `query`: QueryRequests covering every field the
// server checks. Seeds are written at test time, never committed.

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/flow/flow_proto.h"
#include "lib/godb/random_rows_for_test.h"
#include "proto/goprobe/v1/flow.pb.h"
#include "proto/goprobe/v1/query.pb.h"

namespace {

bool WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  return bool(out);
}

int Fail(const std::string& what) {
  fprintf(stderr, "make_request_seeds: %s\n", what.c_str());
  return -1;
}

int IngestSeeds(const std::string& out_dir) {
  goprobe::v1::FlowBatch header;
  header.set_host_id(0x1234abcd5678ef00u);
  header.set_hostname("probe-1");
  header.set_iface("eth0");
  header.set_block_time(1700000100);
  header.set_sequence(7);
  header.mutable_capture()->set_packets_received(100);
  header.mutable_capture()->set_packets_malformed(3);
  int written = 0;
  for (size_t n : {0, 1, 7, 40}) {
    for (size_t per_part : {size_t(1000), size_t(3)}) {
      auto rows = goprobe::godb::RandomRows(n, 0.3, n);
      // A row on the wire has packets; random counters may have none.
      for (auto& row : rows) {
        if (row.counters.pkts_rcvd == 0 && row.counters.pkts_sent == 0) row.counters.pkts_sent = 1;
      }
      auto parts = goprobe::flow::EncodeBatchParts(header, rows, per_part);
      if (!parts.ok()) return Fail(parts.status().ToString());
      std::string seed;
      for (const auto& part : *parts) {
        std::string bytes = part.SerializeAsString();
        if (bytes.size() > 0xffff) return Fail("a part is too large for the seed format");
        seed.push_back(char(bytes.size() & 0xff));
        seed.push_back(char(bytes.size() >> 8));
        seed += bytes;
      }
      if (!WriteFile(absl::StrCat(out_dir, "/ingest-", n, "-", per_part), seed)) {
        return Fail("write");
      }
      ++written;
    }
  }
  return written;
}

int QuerySeeds(const std::string& out_dir) {
  std::vector<goprobe::v1::QueryRequest> requests;
  goprobe::v1::QueryRequest talkers;
  talkers.add_attributes(goprobe::v1::ATTRIBUTE_SIP);
  talkers.add_attributes(goprobe::v1::ATTRIBUTE_DIP);
  talkers.set_first(1700000000);
  talkers.set_last(1700086400);
  talkers.set_limit(10);
  requests.push_back(talkers);

  goprobe::v1::QueryRequest full = talkers;
  full.add_attributes(goprobe::v1::ATTRIBUTE_DPORT);
  full.add_attributes(goprobe::v1::ATTRIBUTE_PROTO);
  full.add_attributes(goprobe::v1::ATTRIBUTE_IFACE);
  full.add_attributes(goprobe::v1::ATTRIBUTE_TIME);
  full.set_condition("dport = 443 and (sip = 10.0.0.1 or dnet = 2001:db8::/32) and dir = in");
  full.mutable_interfaces()->add_names("eth0");
  full.mutable_interfaces()->add_regexes("^eth[0-9]+$");
  full.mutable_interfaces()->add_exclude_regexes("^veth");
  full.set_sort_by(goprobe::v1::SORT_BY_PACKETS);
  full.set_ascending(true);
  full.set_direction(goprobe::v1::DIRECTION_SUM);
  full.set_resolution_seconds(900);
  full.set_max_memory_percent(10);
  full.set_max_memory_bytes(1 << 20);
  full.set_timeout_ms(5000);
  full.set_partial(true);
  full.set_progress_interval_ms(250);
  requests.push_back(full);

  goprobe::v1::QueryRequest texts;
  texts.add_attributes(goprobe::v1::ATTRIBUTE_PROTO);
  texts.set_first_text("-7d");
  texts.set_last_text("2023-11-15 12:00");
  texts.mutable_interfaces()->set_any(true);
  texts.set_condition("proto = udp or not dport < 1024");
  requests.push_back(texts);

  int written = 0;
  for (const auto& r : requests) {
    if (!WriteFile(absl::StrCat(out_dir, "/query-", written), r.SerializeAsString())) {
      return Fail("write");
    }
    ++written;
  }
  return written;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string kind = argc == 3 ? argv[2] : "";
  if (kind != "ingest" && kind != "query") {
    fprintf(stderr, "usage: %s OUT_DIR ingest|query\n", argv[0]);
    return 2;
  }
  int written = kind == "ingest" ? IngestSeeds(argv[1]) : QuerySeeds(argv[1]);
  if (written <= 0) return 1;
  fprintf(stderr, "make_request_seeds: %d seeds\n", written);
  return 0;
}
