#include "clients/goquery/query_plan.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "clients/goquery/duration_arg.h"
#include "clients/goquery/time_arg.h"
#include "lib/query/condition_row_selector.h"
#include "lib/query/interface_selector.h"

namespace goprobe::goquery {
namespace {

absl::Status Bad(absl::string_view flag, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(flag, ": ", message));
}

v1::Attribute ToProto(query::Attribute a) {
  switch (a) {
    case query::Attribute::kSip:
      return v1::ATTRIBUTE_SIP;
    case query::Attribute::kDip:
      return v1::ATTRIBUTE_DIP;
    case query::Attribute::kDport:
      return v1::ATTRIBUTE_DPORT;
    case query::Attribute::kProto:
      return v1::ATTRIBUTE_PROTO;
    case query::Attribute::kIface:
      return v1::ATTRIBUTE_IFACE;
    case query::Attribute::kTime:
      return v1::ATTRIBUTE_TIME;
    case query::Attribute::kHost:
      return v1::ATTRIBUTE_HOST;
    case query::Attribute::kHostId:
      return v1::ATTRIBUTE_HOSTID;
  }
  return v1::ATTRIBUTE_UNSPECIFIED;
}

// goQuery calls the host label "hostname"; the engine's parser knows it as
// "host".
std::string GoQueryAttributeWords(absl::string_view query) {
  std::vector<std::string> words;
  for (absl::string_view w : absl::StrSplit(query, ',')) {
    std::string word(absl::StripAsciiWhitespace(w));
    if (absl::AsciiStrToLower(word) == "hostname") word = "host";
    words.push_back(std::move(word));
  }
  return absl::StrJoin(words, ",");
}

// Whether -i can select more than one interface: then, as in goQuery, each
// interface gets its own rows. Without -i all interfaces are summed.
bool SeveralInterfaces(const v1::InterfaceSelector& s) {
  return s.any() || s.names_size() > 1 || s.regexes_size() > 0 ||
         ((s.exclude_names_size() > 0 || s.exclude_regexes_size() > 0));
}

}  // namespace

absl::StatusOr<QueryPlan> BuildQueryPlan(const QueryArgs& args, absl::Time now, absl::TimeZone tz) {
  QueryPlan plan;
  v1::QueryRequest& req = plan.request;
  ResultLayout& layout = plan.layout;

  if (absl::StripAsciiWhitespace(args.query).empty()) {
    return absl::InvalidArgumentError(
        "no query: name the attributes to group by, e.g. goquery sip,dip or goquery talk_conv");
  }
  absl::StatusOr<query::AttributeSet> attributes =
      query::ParseAttributes(GoQueryAttributeWords(args.query));
  if (!attributes.ok()) return attributes.status();

  absl::StatusOr<query::InterfaceSelector> ifaces = query::InterfaceSelector::Parse(args.ifaces);
  if (!ifaces.ok()) return Bad("-i", ifaces.status().message());
  *req.mutable_interfaces() = ifaces->ToProto();
  if (args.ifaces.empty()) req.mutable_interfaces()->set_any(true);
  if (SeveralInterfaces(ifaces->ToProto())) attributes->Add(query::Attribute::kIface);
  layout.attributes = attributes->InDisplayOrder();
  for (query::Attribute a : layout.attributes) req.add_attributes(ToProto(a));
  const bool timed = attributes->Has(query::Attribute::kTime);

  if (!args.condition.empty()) {
    absl::StatusOr<query::CompiledCondition> condition = query::CompileCondition(args.condition);
    if (!condition.ok()) return condition.status();
    req.set_condition(args.condition);
    layout.condition = condition->text;
  }

  // Directions as goQuery combines its flags.
  if (args.sum) {
    layout.direction = query::Direction::kSum;
    req.set_direction(v1::DIRECTION_SUM);
  } else if (args.in && !args.out) {
    layout.direction = query::Direction::kIn;
    req.set_direction(v1::DIRECTION_IN);
  } else if (args.out && !args.in) {
    layout.direction = query::Direction::kOut;
    req.set_direction(v1::DIRECTION_OUT);
  } else {
    layout.direction = query::Direction::kBoth;
    req.set_direction(v1::DIRECTION_BOTH);
  }

  const std::string sort = absl::AsciiStrToLower(absl::StripAsciiWhitespace(args.sort_by));
  if (sort == "bytes" || sort.empty()) {
    layout.sort_by = query::SortBy::kBytes;
  } else if (sort == "packets") {
    layout.sort_by = query::SortBy::kPackets;
  } else if (sort == "time") {
    if (!timed) {
      return Bad("-s", "sorting by time needs the time attribute in the query (e.g. time,sip)");
    }
    layout.sort_by = query::SortBy::kTime;
  } else {
    return Bad("-s", absl::StrCat("\"", args.sort_by, "\" is not one of bytes, packets, time"));
  }
  layout.ascending = args.sort_ascending;
  // goQuery lists time queries in time order, oldest first, and whole;
  // here an explicit -s, -a or -n still counts.
  if (timed && !args.sort_set) {
    layout.sort_by = query::SortBy::kTime;
    layout.ascending = true;
  }
  req.set_sort_by(layout.sort_by == query::SortBy::kTime      ? v1::SORT_BY_TIME
                  : layout.sort_by == query::SortBy::kPackets ? v1::SORT_BY_PACKETS
                                                              : v1::SORT_BY_BYTES);
  req.set_ascending(layout.ascending);
  req.set_limit(args.num_results_set || !timed ? args.num_results : 0);

  // Time range.
  plan.first_defaulted = args.first.empty();
  int64_t first, last;
  if (args.last.empty()) {
    last = absl::ToUnixSeconds(now);
  } else {
    absl::StatusOr<int64_t> t = ParseTimeArg(args.last, now, tz);
    if (!t.ok()) return Bad("-l", t.status().message());
    last = *t;
  }
  if (args.first.empty()) {
    first = absl::ToUnixSeconds(now - (timed ? kDefaultTimeSpan : kDefaultSpan));
  } else {
    absl::StatusOr<int64_t> t = ParseTimeArg(args.first, now, tz);
    if (!t.ok()) return Bad("-f", t.status().message());
    first = *t;
  }
  if (first < 0 || last < 0) return Bad(first < 0 ? "-f" : "-l", "times before 1970 hold no flows");
  if (first > last) {
    return Bad(
        "-f",
        absl::StrCat("the start (",
                     absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixSeconds(first), tz),
                     ") is after the end -l (",
                     absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixSeconds(last), tz), ")"));
  }
  layout.first = first;
  layout.last = last;
  req.set_first(first);
  // 0 would mean "no end" on the wire; a range ending at the epoch has no data anyway.
  req.set_last(std::max<int64_t>(last, 1));
  req.set_first_text(args.first.empty() ? "(default)" : args.first);
  req.set_last_text(args.last.empty() ? "(now)" : args.last);

  if (!args.resolution.empty()) {
    if (!timed) {
      return Bad("--resolution", "time bins need the time attribute in the query (e.g. time,sip)");
    }
    absl::StatusOr<int64_t> r = ParseResolutionArg(args.resolution);
    if (!r.ok()) return Bad("--resolution", r.status().message());
    req.set_resolution_seconds(uint32_t(*r));
  } else if (timed) {
    req.set_resolution_seconds(300);  // goQuery shows every five-minute block
  }

  if (!args.timeout.empty()) {
    absl::StatusOr<absl::Duration> d = ParseDurationArg(args.timeout);
    if (!d.ok()) return Bad("--timeout", d.status().message());
    if (*d > absl::Hours(24 * 7)) return Bad("--timeout", "at most a week (168h)");
    plan.timeout = *d;
    req.set_timeout_ms(uint32_t(absl::ToInt64Milliseconds(*d)));
  }
  if (args.max_mem_pct == 0 || args.max_mem_pct > 100) {
    return Bad("--max-mem", absl::StrCat(args.max_mem_pct, " is not a percentage from 1 to 100"));
  }
  req.set_max_memory_percent(args.max_mem_pct);
  req.set_caller(args.caller);
  req.set_live(args.live);

  absl::StatusOr<OutputFormat> format = ParseOutputFormat(args.format);
  if (!format.ok()) return Bad("-e", format.status().message());
  plan.format = *format;
  for (absl::string_view file : absl::StrSplit(args.output, ',', absl::SkipWhitespace())) {
    plan.outputs.emplace_back(absl::StripAsciiWhitespace(file));
  }

  plan.dns.enabled = args.resolve;
  if (args.resolve) {
    absl::StatusOr<absl::Duration> d = ParseDurationArg(args.resolve_timeout);
    if (!d.ok()) return Bad("--resolve-timeout", d.status().message());
    if (*d <= absl::ZeroDuration()) return Bad("--resolve-timeout", "must be more than 0");
    plan.dns.timeout = *d;
    if (args.resolve_rows == 0) return Bad("--resolve-rows", "must be more than 0");
    plan.dns.max_rows = args.resolve_rows;
  }
  return plan;
}

}  // namespace goprobe::goquery
