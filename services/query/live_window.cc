#include "services/query/live_window.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "lib/flow/flow_proto.h"
#include "lib/godb/block.h"
#include "lib/rpc/api_keys.h"

namespace goprobe::query {
namespace {

absl::Status FromGrpc(const grpc::Status& s, const std::string& address) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      absl::StrCat("probe at ", address, ": ", s.error_message()));
}

// Whether `iface`'s block at `block_time` is stored. A day that cannot be
// read counts as not holding it: the live rows are then the only copy seen.
bool StoredBlockExists(const godb::DbReader& db, const std::string& iface, int64_t block_time) {
  absl::StatusOr<std::vector<godb::DayPartition>> days = db.Days(iface, block_time, block_time);
  if (!days.ok()) return false;
  for (const godb::DayPartition& day : *days) {
    absl::StatusOr<std::unique_ptr<godb::DayReader>> reader = godb::DayReader::Open(day);
    if (reader.ok() && (*reader)->metadata().Find(block_time) >= 0) return true;
  }
  return false;
}

// `rows` as the columns a condition reads: IPv4 rows first, as in a block.
void ToColumns(const std::vector<flow::FlowRow>& rows, godb::BlockColumns* out) {
  *out = godb::BlockColumns();
  for (int pass = 0; pass < 2; ++pass) {
    const bool v4 = pass == 0;
    for (const flow::FlowRow& r : rows) {
      if (r.key.is_v4() != v4) continue;
      if (v4) {
        out->sip4.push_back(r.key.sip.v4_value());
        out->dip4.push_back(r.key.dip.v4_value());
        ++out->v4_rows;
      } else {
        out->sip6.push_back(godb::V6Value(r.key.sip));
        out->dip6.push_back(godb::V6Value(r.key.dip));
      }
      out->dport.push_back(r.key.dport);
      out->proto.push_back(r.key.proto);
      out->bytes_rcvd.push_back(r.counters.bytes_rcvd);
      out->bytes_sent.push_back(r.counters.bytes_sent);
      out->pkts_rcvd.push_back(r.counters.pkts_rcvd);
      out->pkts_sent.push_back(r.counters.pkts_sent);
      ++out->rows;
    }
  }
}

}  // namespace

ProbeLiveSource::ProbeLiveSource(std::shared_ptr<grpc::Channel> channel, std::string address,
                                 std::string api_key, absl::Duration timeout)
    : stub_(v1::Probe::NewStub(std::move(channel))),
      address_(std::move(address)),
      api_key_(std::move(api_key)),
      timeout_(timeout) {}

absl::StatusOr<LiveWindow> ProbeLiveSource::Fetch(ClientCallCanceller* calls) const {
  grpc::ClientContext context;
  rpc::AddApiKey(api_key_, &context);
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
  ScopedClientCall call(calls, &context);
  if (!call.may_start()) return absl::CancelledError("query cancelled");
  auto reader = stub_->LiveFlows(&context, v1::LiveFlowsRequest());
  LiveWindow window;
  flow::BatchAssembler assembler;
  v1::LiveFlowsResponse m;
  absl::Status broken;
  while (broken.ok() && reader->Read(&m)) {
    absl::StatusOr<flow::BatchAssembler::Progress> progress = assembler.Add(m.batch());
    if (!progress.ok()) {
      broken = absl::InvalidArgumentError(absl::StrCat("probe at ", address_,
                                                       ": bad live batch: ",
                                                       progress.status().message()));
      context.TryCancel();
      break;
    }
    if (*progress != flow::BatchAssembler::Progress::kComplete) continue;
    LiveWindow::Interface& w = window.interfaces.emplace_back();
    w.iface = assembler.header().iface();
    w.block_time = assembler.header().block_time();
    w.rows = std::move(assembler.rows());
  }
  const grpc::Status s = reader->Finish();
  if (!broken.ok()) return broken;
  if (!s.ok()) return FromGrpc(s, address_);
  if (assembler.pending()) {
    return absl::InvalidArgumentError(
        absl::StrCat("probe at ", address_, ": live stream ended inside a batch"));
  }
  return window;
}

std::vector<ResultRow> AggregateLiveWindow(const QuerySpec& spec, const LiveWindow& window,
                                           const godb::DbReader& db,
                                           std::vector<std::string>* used_ifaces,
                                           std::vector<int64_t>* block_times) {
  const AttributeSet& a = spec.attributes;
  const bool time = a.Has(Attribute::kTime), iface = a.Has(Attribute::kIface),
             sip = a.Has(Attribute::kSip), dip = a.Has(Attribute::kDip),
             dport = a.Has(Attribute::kDport), proto = a.Has(Attribute::kProto);
  const int64_t resolution = spec.resolution == 0 ? 300 : spec.resolution;
  std::vector<ResultRow> out;

  std::vector<std::string> names;
  for (const LiveWindow::Interface& w : window.interfaces) names.push_back(w.iface);
  const std::vector<std::string> selected = spec.interfaces.Select(names);
  godb::BlockColumns columns;
  std::vector<uint32_t> matching;
  for (const LiveWindow::Interface& w : window.interfaces) {
    if (std::find(selected.begin(), selected.end(), w.iface) == selected.end()) continue;
    if (w.block_time < spec.first || (spec.last != 0 && w.block_time > spec.last)) continue;
    if (StoredBlockExists(db, w.iface, w.block_time)) continue;
    ToColumns(w.rows, &columns);
    if (spec.condition != nullptr) {
      spec.condition->Select(columns, &matching);
    } else {
      matching.resize(columns.rows);
      for (uint32_t i = 0; i < columns.rows; ++i) matching[i] = i;
    }
    const int64_t label_time = (w.block_time + resolution - 1) / resolution * resolution;
    bool contributed = false;
    for (uint32_t i : matching) {
      const flow::FlowRow r = columns.Row(i);
      ResultRow& row = out.emplace_back();
      if (time) row.time = label_time;
      if (iface) row.iface = w.iface;
      if (sip) row.sip = r.key.sip;
      if (dip) row.dip = r.key.dip;
      if (dport) row.dport = r.key.dport;
      if (proto) row.proto = r.key.proto;
      row.counters = r.counters;
      contributed = true;
    }
    if (contributed) {
      used_ifaces->push_back(w.iface);
      block_times->push_back(w.block_time);
    }
  }
  return out;
}

}  // namespace goprobe::query
