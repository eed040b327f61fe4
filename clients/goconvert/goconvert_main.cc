// goconvert: imports flow rows from CSV into a goDB directory.
// The logic is in the libraries beside this file; this is flags and output.

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "clients/goconvert/block_sink.h"
#include "clients/goconvert/csv_reader.h"
#include "clients/goconvert/go_flags.h"
#include "clients/goconvert/godb_sink.h"
#include "clients/goconvert/import_summary.h"
#include "clients/goconvert/importer.h"
#include "lib/godb/layout.h"

namespace {

using goprobe::goconvert::BlockSink;

constexpr int kExitUsage = 2;
constexpr int kExitFailed = 1;
// Skipped lines beyond this are counted but not shown: a file with a broken
// column would otherwise bury the summary.
constexpr int kMaxSkipMessages = 20;

constexpr char kFooter[] = R"(
Input: a header line naming the columns, in any order, then one flow per line:
  bytes_rcvd,bytes_sent,dip,dport,packets_rcvd,packets_sent,proto,sip,tstamp
  40,72,172.23.34.171,8080,1,1,6,10.11.72.28,1392997558
tstamp is unix seconds or RFC 3339; proto a number or a name (tcp, udp, icmp,
icmpv6, ...). An optional iface column overrides --iface per row. goquery's
csv output is accepted too (time, "packets received", "data vol. sent", ...;
pkts_* and packets_* are the same; "%" and host columns are ignored). Lines
starting with '#' are comments; "# HEADER: ..." is a header.

Each distinct tstamp of an interface becomes one goDB block; rows with equal
sip, dip, dport and proto in a block are summed. An interface's timestamps must
not decrease. A bad line stops the import with FILE:LINE and the column, and
nothing of the blocks still being collected is written; blocks finished before
it are. Fix the input and rerun with --skip-existing to continue.

Examples:
  goconvert -i flows.csv -d /var/lib/goprobe/db --iface eth0
  zcat flows.csv.gz | goconvert -i - -d ./db --iface eth0 --skip-bad
  goconvert -in flows.csv -out ./db -iface eth0      (goConvert's spelling)

Exit status: 0 imported, 1 stopped by an error, 2 bad command line.)";

std::vector<char*> Argv(std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return argv;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);

  std::string input;
  std::string db_path;
  goprobe::goconvert::CsvReaderOptions reader_options;
  goprobe::goconvert::ImportOptions import_options;
  bool check_only = false;

  CLI::App app{"goconvert: import flow rows from CSV into a goDB database.", "goconvert"};
  app.footer(kFooter);
  app.add_option("-i,--in", input, "CSV file to read; - reads standard input")->required();
  app.add_option("-d,--db,--out", db_path,
                 "goDB directory to write (created if missing; takes the writer lock)");
  app.add_option("--iface", reader_options.default_iface,
                 "interface of rows without an iface column or value");
  app.add_option("--schema", reader_options.schema,
                 "column names, comma-separated, for input without a header line");
  app.add_option("-n,--rows", import_options.max_rows,
                 "stop after this many data lines (default: all)")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--skip-bad", import_options.skip_bad,
               "skip bad lines (reported and counted) instead of stopping at the first");
  app.add_flag("--skip-existing", import_options.skip_existing,
               "skip blocks the database already has instead of stopping there");
  app.add_flag("--check", check_only, "validate the input only; writes nothing, needs no -d");

  std::vector<std::string> args(argv, argv + argc);
  args = goprobe::goconvert::GoStyleLongFlags(std::move(args), {"in", "out", "iface", "schema"});
  std::vector<char*> fixed = Argv(args);
  try {
    app.parse(static_cast<int>(args.size()), fixed.data());
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << "goconvert: " << e.what() << " (goconvert --help explains)\n";
    return kExitUsage;
  }
  if (!reader_options.default_iface.empty()) {
    const absl::Status s = goprobe::godb::ValidateInterfaceName(reader_options.default_iface);
    if (!s.ok()) {
      std::cerr << "goconvert: --iface: " << s.message() << "\n";
      return kExitUsage;
    }
  }
  if (db_path.empty() && !check_only) {
    std::cerr << "goconvert: -d DIR is required: the goDB directory to import into "
                 "(or --check to only validate)\n";
    return kExitUsage;
  }

  std::ifstream file;
  std::istream* in = &std::cin;
  std::string source = "stdin";
  if (input != "-") {
    file.open(input);
    if (!file) {
      std::cerr << "goconvert: cannot open " << input << ": " << std::strerror(errno) << "\n";
      return kExitFailed;
    }
    in = &file;
    source = input;
  }

  auto reader = goprobe::goconvert::CsvFlowReader::Open(in, source, reader_options);
  if (!reader.ok()) {
    std::cerr << "goconvert: " << reader.status().message() << "\n";
    return kExitFailed;
  }

  std::unique_ptr<BlockSink> sink;
  if (check_only) {
    sink = std::make_unique<goprobe::goconvert::DiscardSink>();
  } else {
    auto godb = goprobe::goconvert::GodbSink::Open(db_path);
    if (!godb.ok()) {
      std::cerr << "goconvert: " << godb.status().message() << "\n";
      return kExitFailed;
    }
    sink = std::move(*godb);
  }

  int shown = 0;
  import_options.on_skip = [&shown](const absl::Status& why) {
    if (shown < kMaxSkipMessages) {
      std::cerr << "goconvert: skipped " << why.message() << "\n";
    } else if (shown == kMaxSkipMessages) {
      std::cerr << "goconvert: further skips are counted in the summary, not shown\n";
    }
    ++shown;
  };

  goprobe::goconvert::Importer importer(sink.get(), import_options);
  const absl::Status status = importer.Run(reader->get());
  const std::string summary =
      goprobe::goconvert::ImportSummary(importer.stats(), check_only ? "valid" : "written");
  if (!status.ok()) {
    std::cerr << "goconvert: " << status.message() << "\n";
    std::cerr << "goconvert: stopped: " << summary << "\n";
    return kExitFailed;
  }
  std::cout << "goconvert: " << summary << (check_only ? "; nothing written (--check)" : "")
            << "\n";
  return 0;
}
