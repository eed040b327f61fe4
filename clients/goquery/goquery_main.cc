// goquery: the command line to goProbe's flow data. The work is done by the
// libraries beside this file; this is flags, dispatch and exit codes.

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "lib/query/interface_selector.h"
#include "clients/goquery/interface_lister.h"
#include "clients/goquery/list_printer.h"
#include "clients/goquery/output_format.h"
#include "clients/goquery/time_arg.h"
#include "lib/godb/db_reader.h"
#include "lib/godb/layout.h"

namespace {

using goprobe::goquery::OutputFormat;

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr char kCommands[] = "list";

constexpr char kFooter[] = R"(
list shows every interface with data: packets and bytes received (in) and
sent (out), IPv4 and IPv6 flows, packets dropped by the kernel and by the
interface, malformed packets, the number of five-minute blocks and the time of
the first and the last, and a Total row. It reads goDB's metadata only, so it
is fast on any amount of data.

Options -i, -f, -l and -e may come before or after the command.
  -i  comma-separated interfaces: eth0,eth1; /regex/; !excluded (default all)
  -f  -l  the time range, by block time: unix seconds or RFC 3339
          (2024-03-01T12:00:00Z); default everything
  -e  txt (table with k/M and kB/MB/GB units, local time), json (raw numbers,
      RFC 3339 UTC times) or csv (raw numbers, unix times)

Examples:
  goquery -d /var/lib/goprobe/db list
  goquery -d ./db list -i eth0,eth1 -f 2024-03-01T00:00:00Z -e json

Exit status: 0 done (also when there is no data; a message says so on
stderr), 1 the database could not be read, 2 bad command line.)";

// CLI11's generic "goquery [OPTIONS] [SUBCOMMAND]" hides that -d is needed.
class Formatter : public CLI::Formatter {
 public:
  std::string make_usage(const CLI::App* app, std::string) const override {
    const std::string command = app->get_parent() ? app->get_name() : "COMMAND";
    return "Usage: goquery -d DIR " + command +
           " [-i IFACES] [-f FIRST] [-l LAST] [-e txt|json|csv]\n";
  }
};

int Usage(const std::string& message) {
  std::cerr << "goquery: " << message << " (goquery --help explains)\n";
  return kExitUsage;
}

struct Flags {
  std::string db_path;
  std::string ifaces;
  std::string first;
  std::string last;
  std::string format = "txt";
};

int RunList(const Flags& flags) {
  absl::StatusOr<goprobe::query::InterfaceSelector> selector =
      goprobe::query::InterfaceSelector::Parse(flags.ifaces);
  if (!selector.ok()) return Usage(absl::StrCat("-i: ", selector.status().message()));
  int64_t first = 0, last = goprobe::godb::kMaxBlockTime;
  if (!flags.first.empty()) {
    absl::StatusOr<int64_t> t = goprobe::goquery::ParseTimeArg(flags.first);
    if (!t.ok()) return Usage(absl::StrCat("-f: ", t.status().message()));
    first = *t;
  }
  if (!flags.last.empty()) {
    absl::StatusOr<int64_t> t = goprobe::goquery::ParseTimeArg(flags.last);
    if (!t.ok()) return Usage(absl::StrCat("-l: ", t.status().message()));
    last = *t;
  }
  if (first > last) return Usage("-f is after -l");
  absl::StatusOr<OutputFormat> format = goprobe::goquery::ParseOutputFormat(flags.format);
  if (!format.ok()) return Usage(absl::StrCat("-e: ", format.status().message()));

  const goprobe::godb::DbReader db(flags.db_path);
  absl::StatusOr<goprobe::goquery::InterfaceListing> listing =
      goprobe::goquery::ListInterfaces(db, *selector, first, last);
  if (!listing.ok()) {
    std::cerr << "goquery: " << listing.status().message() << "\n";
    return kExitFailed;
  }
  for (const std::string& problem : listing->problems) {
    std::cerr << "goquery: warning: " << problem << "\n";
  }
  std::cout << goprobe::goquery::FormatInterfaceList(listing->interfaces, *format,
                                                     absl::LocalTimeZone());
  if (listing->interfaces.empty()) {
    std::string what = absl::StrCat("no data in ", flags.db_path);
    if (!flags.ifaces.empty()) absl::StrAppend(&what, " for -i ", flags.ifaces);
    if (!flags.first.empty() && !flags.last.empty()) {
      absl::StrAppend(&what, " between ", flags.first, " and ", flags.last);
    } else if (!flags.first.empty()) {
      absl::StrAppend(&what, " from ", flags.first, " on");
    } else if (!flags.last.empty()) {
      absl::StrAppend(&what, " up to ", flags.last);
    }
    std::cerr << "goquery: " << what << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  CLI::App app{"goquery: look into the network flows goProbe recorded.", "goquery"};
  app.formatter(std::make_shared<Formatter>());
  app.footer(kFooter);
  app.allow_extras();
  app.add_option("-d,--db-path", flags.db_path, "goDB directory to read (embedded mode)");
  app.add_option("-i,--ifaces", flags.ifaces, "interfaces: eth0,eth1, /regex/, !excluded");
  app.add_option("-f,--first", flags.first, "earliest block time: unix seconds or RFC 3339");
  app.add_option("-l,--last", flags.last, "latest block time: unix seconds or RFC 3339");
  app.add_option("-e,--format", flags.format, "output format: txt, json or csv (default txt)");
  CLI::App* list = app.add_subcommand(
      "list", "interfaces with traffic totals, flows, drops, blocks and time span");
  list->fallthrough();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    return Usage(e.what());
  }
  const std::vector<std::string> extras = app.remaining(/*recurse=*/true);
  if (!extras.empty()) {
    if (extras[0].size() > 1 && extras[0][0] == '-') {
      return Usage(absl::StrCat("unknown option ", extras[0]));
    }
    return Usage(absl::StrCat("unknown command \"", extras[0], "\"; commands: ", kCommands));
  }
  if (!list->parsed()) return Usage(absl::StrCat("no command given; commands: ", kCommands));
  if (flags.db_path.empty()) {
    return Usage("-d DIR is required: the goDB directory to read");
  }
  return RunList(flags);
}
