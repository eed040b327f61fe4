#include "services/query/fan_out.h"

#include <grpcpp/grpcpp.h>

#include <thread>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "lib/query/query_proto.h"
#include "lib/rpc/api_keys.h"

namespace goprobe::query {
namespace {

LeafAnswer AskLeaf(const std::string& address, const v1::QueryRequest& request,
                   const std::string& api_key, absl::Duration host_timeout,
                   const std::atomic<bool>* cancelled) {
  LeafAnswer answer;
  answer.address = address;
  answer.status.set_address(address);
  auto stub = v1::Query::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  rpc::AddApiKey(api_key, &context);
  context.set_deadline(absl::ToChronoTime(absl::Now() + host_timeout));
  auto reader = stub->Run(&context, request);
  v1::QueryResponse m;
  bool have_status = false, bad_rows = false;
  while (reader->Read(&m)) {
    if (cancelled != nullptr && cancelled->load()) context.TryCancel();
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
      answer.status.set_address(address);
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

std::vector<LeafAnswer> FanOutRun(const std::vector<std::string>& leaves,
                                  const v1::QueryRequest& request, const std::string& api_key,
                                  absl::Duration host_timeout, int max_concurrent,
                                  const std::atomic<bool>* cancelled,
                                  const std::function<void(size_t done)>& done) {
  std::vector<LeafAnswer> answers(leaves.size());
  std::atomic<size_t> next{0}, finished{0};
  absl::Mutex done_mu;
  const auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < leaves.size();) {
      answers[i] = AskLeaf(leaves[i], request, api_key, host_timeout, cancelled);
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
