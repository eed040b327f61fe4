#include "clients/goquery/list_command.h"

#include "absl/strings/str_cat.h"
#include "clients/goquery/exit_codes.h"
#include "clients/goquery/interface_lister.h"
#include "clients/goquery/list_printer.h"
#include "clients/goquery/output_format.h"
#include "clients/goquery/time_arg.h"
#include "lib/godb/db_reader.h"
#include "lib/godb/layout.h"
#include "lib/query/interface_selector.h"

namespace goprobe::goquery {
namespace {

int Usage(const CommandEnv& env, absl::string_view message) {
  *env.err << "goquery: " << message << " (goquery --help explains)\n";
  return kExitUsage;
}

}  // namespace

int RunListCommand(const ListArgs& args, const QuerySource& source, const CommandEnv& env) {
  absl::StatusOr<query::InterfaceSelector> selector = query::InterfaceSelector::Parse(args.ifaces);
  if (!selector.ok()) return Usage(env, absl::StrCat("-i: ", selector.status().message()));
  int64_t first = 0, last = godb::kMaxBlockTime;
  if (!args.first.empty()) {
    absl::StatusOr<int64_t> t = ParseTimeArg(args.first, env.now, env.tz);
    if (!t.ok()) return Usage(env, absl::StrCat("-f: ", t.status().message()));
    first = *t;
  }
  if (!args.last.empty()) {
    absl::StatusOr<int64_t> t = ParseTimeArg(args.last, env.now, env.tz);
    if (!t.ok()) return Usage(env, absl::StrCat("-l: ", t.status().message()));
    last = *t;
  }
  if (first > last) return Usage(env, "-f is after -l");
  absl::StatusOr<OutputFormat> format = ParseOutputFormat(args.format);
  if (!format.ok()) return Usage(env, absl::StrCat("-e: ", format.status().message()));

  std::vector<v1::InterfaceSummary> interfaces;
  std::string where;
  if (source.server) {
    where = absl::StrCat("goqueryd at ", source.server->address);
    absl::StatusOr<RemoteInterfaces> listing =
        ListRemoteInterfaces(*source.server, selector->ToProto(), first,
                             last == godb::kMaxBlockTime ? 0 : last, env.now + absl::Minutes(1));
    if (!listing.ok()) {
      *env.err << "goquery: " << listing.status().message() << "\n";
      return ExitCodeFor(listing.status());
    }
    for (const v1::HostStatus& h : listing->hosts) {
      const std::string name = h.hostname().empty() ? h.address() : h.hostname();
      if (h.code() == v1::HostStatus::CODE_ERROR || h.code() == v1::HostStatus::CODE_TIMEOUT) {
        *env.err << "goquery: host " << name
                 << " failed: " << (h.message().empty() ? "timed out" : h.message()) << "\n";
      }
      for (const std::string& w : h.warnings())
        *env.err << "goquery: warning: " << name << ": " << w << "\n";
    }
    interfaces = std::move(listing->interfaces);
  } else {
    where = source.db_path;
    const godb::DbReader db(source.db_path);
    absl::StatusOr<InterfaceListing> listing = ListInterfaces(db, *selector, first, last);
    if (!listing.ok()) {
      *env.err << "goquery: " << listing.status().message() << "\n";
      return kExitFailed;
    }
    for (const std::string& problem : listing->problems) {
      *env.err << "goquery: warning: " << problem << "\n";
    }
    interfaces = std::move(listing->interfaces);
  }
  *env.out << FormatInterfaceList(interfaces, *format, env.tz);
  if (interfaces.empty()) {
    std::string what = absl::StrCat("no data in ", where);
    if (!args.ifaces.empty()) absl::StrAppend(&what, " for -i ", args.ifaces);
    if (!args.first.empty() && !args.last.empty()) {
      absl::StrAppend(&what, " between ", args.first, " and ", args.last);
    } else if (!args.first.empty()) {
      absl::StrAppend(&what, " from ", args.first, " on");
    } else if (!args.last.empty()) {
      absl::StrAppend(&what, " up to ", args.last);
    }
    *env.err << "goquery: " << what << "\n";
  }
  return kExitOk;
}

}  // namespace goprobe::goquery
