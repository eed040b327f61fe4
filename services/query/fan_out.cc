#include "services/query/fan_out.h"

#include <grpcpp/grpcpp.h>

#include <thread>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "lib/query/query_proto.h"

namespace goprobe::query {
namespace {

LeafAnswer AskLeaf(const LeafClient* client, const Peer& peer, const v1::QueryRequest& request,
                   absl::Duration host_timeout, ClientCallCanceller* calls) {
  LeafAnswer answer;
  answer.address = peer.address;
  answer.status.set_address(peer.address);
  std::unique_ptr<v1::Query::Stub> stub = client->Stub(peer);
  grpc::ClientContext context;
  client->Prepare(&context, host_timeout);
  ScopedClientCall call(calls, &context);
  if (!call.may_start()) {
    answer.status.set_code(v1::HostStatus::CODE_ERROR);
    answer.status.set_message("not asked: the query was cancelled");
    return answer;
  }
  auto reader = stub->Run(&context, request);
  v1::QueryResponse m;
  bool have_status = false, bad_rows = false;
  while (reader->Read(&m)) {
    if (m.has_rows()) {
      absl::StatusOr<std::vector<ResultRow>> rows = RowsFromChunk(m.rows());
      if (!rows.ok()) {
        bad_rows = true;
        answer.status.set_message(std::string(rows.status().message()));
        context.TryCancel();
        continue;
      }
      answer.rows.insert(answer.rows.end(), rows->begin(), rows->end());
    } else if (m.has_host_status()) {
      answer.status = m.host_status();
      answer.status.set_address(peer.address);
      have_status = true;
    } else if (m.has_summary()) {
      answer.summary = m.summary();
    }
  }
  const grpc::Status s = reader->Finish();
  if (s.ok() && have_status && !bad_rows) {
    answer.ok = true;
    return answer;
  }
  answer.rows.clear();
  if (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    answer.status.set_code(v1::HostStatus::CODE_TIMEOUT);
    answer.status.set_message(
        absl::StrCat("no answer within ", absl::FormatDuration(host_timeout)));
  } else {
    answer.status.set_code(v1::HostStatus::CODE_ERROR);
    if (!bad_rows) {
      answer.status.set_message(s.ok() ? "answer ended without a host status"
                                       : absl::StrCat(s.error_message(), " (code ",
                                                      int(s.error_code()), ")"));
    }
  }
  return answer;
}

}  // namespace

std::vector<LeafAnswer> FanOutRun(const LeafClient* client, const std::vector<Peer>& leaves,
                                  const v1::QueryRequest& request, absl::Duration host_timeout,
                                  int max_concurrent, ClientCallCanceller* calls,
                                  const std::function<void(size_t done)>& done) {
  std::vector<LeafAnswer> answers(leaves.size());
  std::atomic<size_t> next{0}, finished{0};
  absl::Mutex done_mu;
  const auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < leaves.size();) {
      answers[i] = AskLeaf(client, leaves[i], request, host_timeout, calls);
      const size_t n = ++finished;
      if (done) {
        absl::MutexLock lock(&done_mu);
        done(n);
      }
    }
  };
  std::vector<std::thread> pool;
  const int threads = std::max(1, std::min<int>(max_concurrent, int(leaves.size())));
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (std::thread& t : pool) t.join();
  return answers;
}

std::vector<ResultRow> MergeRows(std::vector<std::vector<ResultRow>*> parts) {
  using Key = std::tuple<int64_t, std::string, uint64_t, std::string, flow::IpAddress,
                         flow::IpAddress, uint16_t, uint8_t>;
  absl::flat_hash_map<Key, size_t> index;
  std::vector<ResultRow> out;
  for (std::vector<ResultRow>* part : parts) {
    for (ResultRow& r : *part) {
      Key k{r.time, r.hostname, r.host_id, r.iface, r.sip, r.dip, r.dport, r.proto};
      auto [it, inserted] = index.emplace(std::move(k), out.size());
      if (inserted) {
        out.push_back(std::move(r));
      } else {
        out[it->second].counters += r.counters;
      }
    }
  }
  return out;
}

}  // namespace goprobe::query
