#ifndef GOPROBE_TESTS_TERMINAL_PACED_QUERY_SERVER_H_
#define GOPROBE_TESTS_TERMINAL_PACED_QUERY_SERVER_H_

// A slow goqueryd for client tests: a Query service on a loopback port that
// answers every Run with a Progress message every `step` for `duration`
// (the scan of a big database, as goquery sees it), then one row
// (sip 10.1.2.3, 1.5 MB received) and its summary. It keeps the last
// request, so a test can check what goquery asked for.

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "proto/goprobe/v1/query.grpc.pb.h"

namespace goprobe::testing {

class PacedQueryServer final : public v1::Query::Service {
 public:
  PacedQueryServer(absl::Duration duration, absl::Duration step)
      : duration_(duration), step_(step) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(this);
    server_ = builder.BuildAndStart();
  }
  ~PacedQueryServer() override { server_->Shutdown(absl::ToChronoTime(absl::Now())); }

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  v1::QueryRequest last_request() {
    absl::MutexLock lock(&mu_);
    return last_request_;
  }

  grpc::Status Run(grpc::ServerContext* context, const v1::QueryRequest* request,
                   grpc::ServerWriter<v1::QueryResponse>* writer) override {
    {
      absl::MutexLock lock(&mu_);
      last_request_ = *request;
    }
    constexpr uint64_t kBlocks = 4032;  // two weeks of five-minute blocks
    const absl::Time start = absl::Now();
    v1::QueryResponse response;
    for (absl::Duration t; t < duration_; t += step_) {
      if (context->IsCancelled()) return grpc::Status::CANCELLED;
      v1::Progress* p = response.mutable_progress();
      p->mutable_scan()->set_blocks_total(kBlocks);
      const double done = absl::FDivDuration(t, duration_);
      p->mutable_scan()->set_blocks_scanned(uint64_t(kBlocks * done));
      p->mutable_scan()->set_rows_scanned(uint64_t(20e6 * done));
      p->set_hosts_total(1);
      p->set_elapsed_us(absl::ToInt64Microseconds(absl::Now() - start));
      writer->Write(response);
      absl::SleepFor(step_);
    }
    response.Clear();
    v1::RowsChunk* rows = response.mutable_rows();
    rows->set_row_count(1);
    rows->set_sip(std::string("\x0a\x01\x02\x03", 4));
    rows->add_sip_is_v6(false);
    rows->add_bytes_rcvd(1500000);
    rows->add_bytes_sent(0);
    rows->add_packets_rcvd(1000);
    rows->add_packets_sent(0);
    writer->Write(response);
    response.Clear();
    v1::Summary* s = response.mutable_summary();
    s->set_hostname("paced");
    s->mutable_totals()->set_bytes_rcvd(1500000);
    s->mutable_totals()->set_packets_rcvd(1000);
    s->set_hits_displayed(1);
    s->set_hits_total(1);
    s->set_time_first(request->first());
    s->set_time_last(request->last());
    s->add_interfaces("eth0");
    writer->Write(response);
    return grpc::Status::OK;
  }

 private:
  const absl::Duration duration_, step_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  absl::Mutex mu_;
  v1::QueryRequest last_request_ ABSL_GUARDED_BY(mu_);
};

}  // namespace goprobe::testing

#endif  // GOPROBE_TESTS_TERMINAL_PACED_QUERY_SERVER_H_
