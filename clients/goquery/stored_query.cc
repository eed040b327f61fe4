#include "clients/goquery/stored_query.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace goprobe::goquery {
namespace {

using nlohmann::json;

enum class Kind { kString, kBool, kCount, kSeconds, kNanos, kObject, kIgnored };

struct Key {
  const char* name;
  Kind kind;
};

// Canonical spellings, as goQuery's query.Args names its fields.
constexpr Key kKeys[] = {
    {"Query", Kind::kString},
    {"Output", Kind::kString},
    {"Ifaces", Kind::kString},
    {"Condition", Kind::kString},
    {"In", Kind::kBool},
    {"Out", Kind::kBool},
    {"Sum", Kind::kBool},
    {"First", Kind::kString},
    {"Last", Kind::kString},
    {"Format", Kind::kString},
    {"SortBy", Kind::kString},
    {"NumResults", Kind::kCount},
    {"SortAscending", Kind::kBool},
    {"Resolve", Kind::kBool},
    {"ResolveTimeout", Kind::kSeconds},
    {"ResolveRows", Kind::kCount},
    {"MaxMemPct", Kind::kCount},
    {"Live", Kind::kBool},
    {"Caller", Kind::kString},
    {"DBPath", Kind::kString},
    {"QueryTimeout", Kind::kNanos},
    {"DNSResolution", Kind::kObject},
    {"LowMem", Kind::kIgnored},
    {"External", Kind::kIgnored},
    {"List", Kind::kIgnored},
    {"Version", Kind::kIgnored},
};

const Key* FindKey(absl::string_view name) {
  for (const Key& k : kKeys) {
    if (absl::EqualsIgnoreCase(k.name, name)) return &k;
  }
  return nullptr;
}

std::string KnownKeys() {
  std::vector<std::string> names;
  for (const Key& k : kKeys) names.push_back(k.name);
  return absl::StrJoin(names, ", ");
}

const char* Describe(Kind kind) {
  switch (kind) {
    case Kind::kString:
      return "a string";
    case Kind::kBool:
      return "true or false";
    case Kind::kCount:
      return "a whole number >= 0";
    case Kind::kSeconds:
      return "seconds (a number) or a duration string (\"1s\")";
    case Kind::kNanos:
      return "nanoseconds (a number) or a duration string (\"30s\")";
    case Kind::kObject:
      return "an object";
    case Kind::kIgnored:
      return "anything";
  }
  return "?";
}

class Reader {
 public:
  Reader(absl::string_view source) : source_(source) {}

  absl::Status WrongType(absl::string_view key, Kind kind, const json& value) const {
    return absl::InvalidArgumentError(
        absl::StrCat(source_, ": \"", key, "\" must be ", Describe(kind), ", not ", value.dump()));
  }

  absl::StatusOr<std::string> String(absl::string_view key, const json& v) const {
    if (v.is_string()) return v.get<std::string>();
    return WrongType(key, Kind::kString, v);
  }
  absl::StatusOr<bool> Bool(absl::string_view key, const json& v) const {
    if (v.is_boolean()) return v.get<bool>();
    return WrongType(key, Kind::kBool, v);
  }
  absl::StatusOr<uint64_t> Count(absl::string_view key, const json& v) const {
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    if (v.is_number_integer() && v.get<int64_t>() >= 0) return uint64_t(v.get<int64_t>());
    return WrongType(key, Kind::kCount, v);
  }
  // A duration as text ParseDurationArg takes.
  absl::StatusOr<std::string> Duration(absl::string_view key, Kind kind, const json& v) const {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number() && v.get<double>() >= 0) {
      const absl::Duration d = kind == Kind::kSeconds ? absl::Seconds(v.get<double>())
                                                      : absl::Nanoseconds(v.get<double>());
      return absl::FormatDuration(d);
    }
    return WrongType(key, kind, v);
  }

 private:
  std::string source_;
};

}  // namespace

absl::StatusOr<StoredQueryResult> ApplyStoredQuery(
    absl::string_view text, absl::string_view source,
    const std::function<bool(absl::string_view key)>& on_command_line, QueryArgs* args) {
  json doc;
  try {
    doc = json::parse(text.begin(), text.end(), /*cb=*/nullptr, /*allow_exceptions=*/true,
                      /*ignore_comments=*/true);
  } catch (const json::parse_error& e) {
    // nlohmann's "[json.exception.parse_error.101] parse error at line 3,
    // column 5: ..." without its internal prefix.
    std::string what = e.what();
    const size_t at = what.find("parse error at ");
    if (at != std::string::npos) what = what.substr(at + 15);
    return absl::InvalidArgumentError(absl::StrCat(source, ": not JSON: ", what));
  }
  if (!doc.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ": a stored query is a JSON object ({\"Query\": \"sip,dip\", ...})"));
  }
  const Reader read(source);
  StoredQueryResult result;
  for (const auto& [name, value] : doc.items()) {
    const Key* key = FindKey(name);
    if (key == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": unknown key \"", name, "\"; stored queries know ", KnownKeys()));
    }
    const std::string k = key->name;
    if (key->kind == Kind::kIgnored) {
      result.warnings.push_back(absl::StrCat(
          source, ": \"", k, "\" steers goQuery's own process and has no effect here"));
      continue;
    }
    if (k == "DNSResolution") {
      // goQuery v4: {"Enabled": true, "Timeout": 1000000000, "MaxRows": 25}.
      if (!value.is_object()) return read.WrongType(k, Kind::kObject, value);
      for (const auto& [sub, v] : value.items()) {
        const std::string where = absl::StrCat(k, ".", sub);
        if (absl::EqualsIgnoreCase(sub, "Enabled")) {
          if (on_command_line("Resolve")) continue;
          absl::StatusOr<bool> b = read.Bool(where, v);
          if (!b.ok()) return b.status();
          args->resolve = *b;
        } else if (absl::EqualsIgnoreCase(sub, "Timeout")) {
          if (on_command_line("ResolveTimeout")) continue;
          absl::StatusOr<std::string> d = read.Duration(where, Kind::kNanos, v);
          if (!d.ok()) return d.status();
          args->resolve_timeout = *d;
        } else if (absl::EqualsIgnoreCase(sub, "MaxRows")) {
          if (on_command_line("ResolveRows")) continue;
          absl::StatusOr<uint64_t> n = read.Count(where, v);
          if (!n.ok()) return n.status();
          args->resolve_rows = *n;
        } else {
          return absl::InvalidArgumentError(
              absl::StrCat(source, ": unknown key \"", where,
                           "\"; DNSResolution knows Enabled, Timeout, MaxRows"));
        }
      }
      continue;
    }
    if (k != "DBPath" && on_command_line(k)) continue;
    absl::Status status;
    const auto set_string = [&](std::string* out) {
      absl::StatusOr<std::string> s = read.String(k, value);
      if (s.ok()) *out = *s;
      status = s.status();
    };
    const auto set_bool = [&](bool* out) {
      absl::StatusOr<bool> b = read.Bool(k, value);
      if (b.ok()) *out = *b;
      status = b.status();
    };
    if (k == "Query")
      set_string(&args->query);
    else if (k == "Output")
      set_string(&args->output);
    else if (k == "Ifaces")
      set_string(&args->ifaces);
    else if (k == "Condition")
      set_string(&args->condition);
    else if (k == "In")
      set_bool(&args->in);
    else if (k == "Out")
      set_bool(&args->out);
    else if (k == "Sum")
      set_bool(&args->sum);
    else if (k == "Live")
      set_bool(&args->live);
    else if (k == "Format")
      set_string(&args->format);
    else if (k == "Caller")
      set_string(&args->caller);
    else if (k == "DBPath")
      set_string(&result.db_path);
    else if (k == "SortBy") {
      set_string(&args->sort_by);
      args->sort_set = true;
    } else if (k == "SortAscending") {
      set_bool(&args->sort_ascending);
      args->sort_set = true;
    } else if (k == "Resolve") {
      set_bool(&args->resolve);
    } else if (k == "First" || k == "Last") {
      // Epoch seconds may come as a number.
      std::string* out = k == "First" ? &args->first : &args->last;
      if (value.is_number_integer()) {
        *out = value.dump();
      } else {
        set_string(out);
      }
    } else if (k == "NumResults" || k == "ResolveRows" || k == "MaxMemPct") {
      absl::StatusOr<uint64_t> n = read.Count(k, value);
      status = n.status();
      if (n.ok() && k == "NumResults") {
        args->num_results = *n;
        args->num_results_set = true;
      } else if (n.ok() && k == "ResolveRows") {
        args->resolve_rows = *n;
      } else if (n.ok()) {
        if (*n > 100) {
          return absl::InvalidArgumentError(
              absl::StrCat(source, ": \"MaxMemPct\" is a percentage (1 to 100), not ", *n));
        }
        args->max_mem_pct = uint32_t(*n);
      }
    } else if (k == "ResolveTimeout" || k == "QueryTimeout") {
      absl::StatusOr<std::string> d = read.Duration(k, key->kind, value);
      status = d.status();
      if (d.ok()) (k == "ResolveTimeout" ? args->resolve_timeout : args->timeout) = *d;
    }
    if (!status.ok()) return status;
  }
  return result;
}

absl::StatusOr<std::string> ReadStoredQuery(const std::string& path) {
  std::ostringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
    if (std::cin.bad())
      return absl::InvalidArgumentError("stored query: cannot read standard input");
    return text.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("stored query ", path, ": cannot open: ", std::strerror(errno)));
  }
  text << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("stored query ", path, ": read failed"));
  return text.str();
}

}  // namespace goprobe::goquery
