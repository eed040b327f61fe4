#include "clients/goquery/query_command.h"

#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/goquery/csv_result.h"
#include "clients/goquery/duration_arg.h"
#include "clients/goquery/embedded_query.h"
#include "clients/goquery/exit_codes.h"
#include "clients/goquery/json_result.h"
#include "clients/goquery/output_files.h"
#include "clients/goquery/progress_meter.h"
#include "clients/goquery/query_plan.h"
#include "clients/goquery/text_result.h"
#include "clients/goquery/units.h"
#include "lib/query/condition_error.h"

namespace goprobe::goquery {
namespace {

// Extra time a server gets beyond --timeout to say so itself, which names
// the cause better than a client-side deadline.
constexpr absl::Duration kServerTimeoutGrace = absl::Seconds(5);

// Gathers the answer; csv rows go out as they arrive instead, since csv
// needs neither totals nor column widths.
class CollectingSink : public AnswerSink {
 public:
  CollectingSink(const ResultLayout* layout, OutputFiles* csv, ProgressMeter* meter)
      : layout_(layout), csv_(csv), meter_(meter) {}

  absl::Status OnRows(std::vector<query::ResultRow> rows) override {
    rows_seen_ += rows.size();
    if (csv_ == nullptr) {
      answer_.rows.insert(answer_.rows.end(), std::make_move_iterator(rows.begin()),
                          std::make_move_iterator(rows.end()));
      return absl::OkStatus();
    }
    if (meter_ != nullptr) meter_->Clear();
    StartCsv();
    csv_->Write(CsvRows(rows, *layout_));
    return absl::OkStatus();
  }
  void OnProgress(const v1::Progress& progress) override {
    if (meter_ != nullptr) meter_->Update(progress);
  }
  void OnHostStatus(const v1::HostStatus& status) override { answer_.hosts.push_back(status); }
  absl::Status OnSummary(const v1::Summary& summary) override {
    answer_.summary = summary;
    return absl::OkStatus();
  }

  // The csv header, once, before the first row (or alone for no rows).
  void StartCsv() {
    if (csv_ != nullptr && !csv_started_) csv_->Write(CsvHeader(*layout_));
    csv_started_ = true;
  }
  QueryAnswer& answer() { return answer_; }
  size_t rows_seen() const { return rows_seen_; }

 private:
  const ResultLayout* layout_;
  OutputFiles* csv_;
  ProgressMeter* meter_;
  QueryAnswer answer_;
  size_t rows_seen_ = 0;
  bool csv_started_ = false;
};

std::string Time(int64_t t, absl::TimeZone tz) { return FormatTime(t, tz); }

std::string WhereAndWhen(const QueryArgs& args, const QueryPlan& plan, absl::TimeZone tz) {
  return absl::StrCat(args.ifaces.empty() ? "on any interface" : absl::StrCat("on ", args.ifaces),
                      " between ", Time(plan.layout.first, tz), " and ",
                      Time(plan.layout.last, tz));
}

// Why there is nothing to show, for stderr.
std::string NoDataMessage(const QueryArgs& args, const QueryPlan& plan, const QueryAnswer& answer,
                          const QuerySource& source, absl::TimeZone tz) {
  const std::string where =
      source.server ? absl::StrCat("goqueryd at ", source.server->address) : source.db_path;
  if (DataAvailable(answer.summary)) {
    return absl::StrCat(
        "no flows matched",
        plan.layout.condition.empty() ? "" : absl::StrCat(" -c '", plan.layout.condition, "'"),
        plan.request.direction() == v1::DIRECTION_IN    ? " with traffic in"
        : plan.request.direction() == v1::DIRECTION_OUT ? " with traffic out"
                                                        : "",
        " ", WhereAndWhen(args, plan, tz), " (", where, ")");
  }
  std::string message = absl::StrCat("no data in ", where, " ", WhereAndWhen(args, plan, tz));
  if (plan.first_defaulted) {
    const bool timed = absl::c_linear_search(plan.layout.attributes, query::Attribute::kTime);
    absl::StrAppend(&message, "; without -f goquery looks back ", timed ? "1 day" : "30 days",
                    ", give -f for older data");
  }
  return message;
}

std::string HostName(const v1::HostStatus& h) {
  if (!h.hostname().empty() && !h.address().empty()) {
    return absl::StrCat(h.hostname(), " (", h.address(), ")");
  }
  return !h.hostname().empty()  ? h.hostname()
         : !h.address().empty() ? h.address()
                                : absl::StrCat(h.host_id());
}

// Failed and slow hosts and skipped damage go to stderr, so a partial
// answer is never mistaken for a whole one.
void ReportHosts(const std::vector<v1::HostStatus>& hosts, std::ostream& err) {
  for (const v1::HostStatus& h : hosts) {
    if (h.code() == v1::HostStatus::CODE_ERROR) {
      err << "goquery: host " << HostName(h) << " failed: " << h.message() << "\n";
    } else if (h.code() == v1::HostStatus::CODE_TIMEOUT) {
      err << "goquery: host " << HostName(h) << " did not answer in time"
          << (h.message().empty() ? "" : ": ") << h.message() << "\n";
    }
    for (const std::string& w : h.warnings()) {
      err << "goquery: warning: " << (hosts.size() > 1 ? HostName(h) + ": " : "") << w << "\n";
    }
  }
}

// One line for a failed query, with the hint that helps in each case.
std::string FailureMessage(const absl::Status& status, const QueryArgs& args,
                           const QueryPlan& plan) {
  const std::string message(status.message());
  switch (status.code()) {
    case absl::StatusCode::kDeadlineExceeded:
      return absl::StrCat("the query did not finish within --timeout ", HumanDuration(plan.timeout),
                          "; narrow it with -f/-l or -i, or allow more time");
    case absl::StatusCode::kResourceExhausted:
      return absl::StrCat(
          message, " (--max-mem ", args.max_mem_pct,
          "%); narrow the query with -f/-l, -i or -c, or group by fewer attributes");
    default:
      return message;
  }
}

}  // namespace

int RunQueryCommand(const QueryArgs& args, const QuerySource& source, const CommandEnv& env) {
  std::ostream& err = *env.err;
  absl::StatusOr<QueryPlan> plan = BuildQueryPlan(args, env.now, env.tz);
  if (!plan.ok()) {
    if (query::ConditionErrorPosition(plan.status())) {
      err << "goquery: " << query::FormatConditionError(args.condition, plan.status());
    } else {
      err << "goquery: " << plan.status().message() << " (goquery --help explains)\n";
    }
    return kExitUsage;
  }
  if (plan->request.live() && !source.server) {
    err << "goquery: --live needs a goqueryd (--server ADDR): the current five-minute window is "
           "held by the probe, not in the goDB directory "
        << source.db_path << "\n";
    return kExitUsage;
  }
  if (plan->dns.enabled && plan->format != OutputFormat::kTxt) {
    err << "goquery: warning: -r names addresses in the txt table only; "
        << (plan->format == OutputFormat::kCsv ? "csv" : "json") << " keeps them as addresses\n";
  }
  absl::StatusOr<OutputFiles> output = OutputFiles::Open(plan->outputs, env.out);
  if (!output.ok()) {
    err << "goquery: " << output.status().message() << "\n";
    return kExitFailed;
  }
  std::optional<ProgressMeter> meter;
  if (env.progress) {
    meter.emplace(env.err);
    plan->request.set_progress_interval_ms(250);
  }
  CollectingSink sink(&plan->layout, plan->format == OutputFormat::kCsv ? &*output : nullptr,
                      meter ? &*meter : nullptr);

  absl::Status status;
  if (source.server) {
    const absl::Time deadline = plan->timeout > absl::ZeroDuration()
                                    ? env.now + plan->timeout + kServerTimeoutGrace
                                    : absl::InfiniteFuture();
    status = RunRemoteQuery(*source.server, plan->request, deadline, &sink);
  } else {
    EmbeddedSource embedded{source.db_path, env.identity, env.threads};
    status = RunEmbeddedQuery(embedded, plan->request, &sink);
  }
  if (meter) meter->Clear();
  QueryAnswer& answer = sink.answer();
  ReportHosts(answer.hosts, err);
  if (!status.ok()) {
    if (query::ConditionErrorPosition(status)) {
      err << "goquery: " << query::FormatConditionError(args.condition, status);
    } else {
      err << "goquery: " << FailureMessage(status, args, *plan) << "\n";
    }
    return ExitCodeFor(status);
  }

  switch (plan->format) {
    case OutputFormat::kCsv:
      sink.StartCsv();
      break;
    case OutputFormat::kJson:
      output->Write(FormatJsonResult(answer, plan->layout));
      break;
    case OutputFormat::kTxt: {
      TextOptions text;
      text.tz = env.tz;
      dns::AddressNames names;
      if (plan->dns.enabled && !answer.rows.empty()) {
        std::vector<flow::IpAddress> addresses;
        const bool sip = absl::c_linear_search(plan->layout.attributes, query::Attribute::kSip);
        const bool dip = absl::c_linear_search(plan->layout.attributes, query::Attribute::kDip);
        for (size_t i = 0; i < answer.rows.size() && i < plan->dns.max_rows; ++i) {
          if (sip) addresses.push_back(answer.rows[i].sip);
          if (dip) addresses.push_back(answer.rows[i].dip);
        }
        const absl::Time start = absl::Now();
        names = dns::ResolveAddresses(addresses, {plan->dns.timeout, 16, env.lookup});
        text.dns = true;
        text.dns_duration = absl::Now() - start;
        text.dns_timeout = plan->dns.timeout;
        text.names = &names;
      }
      output->Write(FormatTextResult(answer, plan->layout, text));
      break;
    }
  }
  if (absl::Status s = output->Finish(); !s.ok()) {
    err << "goquery: " << s.message() << "\n";
    return kExitFailed;
  }
  if (sink.rows_seen() == 0) {
    err << "goquery: " << NoDataMessage(args, *plan, answer, source, env.tz) << "\n";
  }
  return kExitOk;
}

}  // namespace goprobe::goquery
