// goconvert: imports flow rows from CSV into a goDB directory, or through a
// gostore. The logic is in the libraries beside this file; this is flags and
// output.

#include <stdlib.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_split.h"
#include "clients/goconvert/block_sink.h"
#include "clients/goconvert/csv_reader.h"
#include "clients/goconvert/go_flags.h"
#include "clients/goconvert/godb_sink.h"
#include "clients/goconvert/import_summary.h"
#include "clients/goconvert/importer.h"
#include "clients/goconvert/store_sink.h"
#include "lib/godb/layout.h"
#include "lib/host/host_identity.h"
#include "lib/rpc/api_keys.h"
#include "spdlog/spdlog.h"

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

With --store ADDR the blocks go through that gostore instead (its writer
lock stays with it): they are spooled on disk, shipped as goprobe ships them,
and goconvert exits 0 only once the store has acknowledged every block. The
batches carry this host's id (from /etc/machine-id, or --host-id): the store
accepts only its own host's. A block the store rejects is reported with its
lines and time, and nothing of it is written; a block it already has is
kept as it is (an error unless --skip-existing).

Examples:
  goconvert -i flows.csv -d /var/lib/goprobe/db --iface eth0
  goconvert -i flows.csv --store unix:/run/goprobe/gostore.sock --iface eth0
  zcat flows.csv.gz | goconvert -i - -d ./db --iface eth0 --skip-bad
  goconvert -in flows.csv -out ./db -iface eth0      (goConvert's spelling)

Exit status: 0 imported, 1 stopped by an error (or blocks not stored), 2 bad
command line.)";

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
  std::string store_address, api_key_file, spool_dir;
  goprobe::rpc::ClientTlsOptions tls;
  uint64_t host_id = 0;
  std::string hostname;
  double store_timeout_s = 60;

  CLI::App app{"goconvert: import flow rows from CSV into a goDB database.", "goconvert"};
  app.footer(kFooter);
  app.add_option("-i,--in", input, "CSV file to read; - reads standard input")->required();
  auto* db_opt = app.add_option("-d,--db,--out", db_path,
                                "goDB directory to write (created if missing; takes the writer lock)");
  auto* store_opt =
      app.add_option("--store", store_address,
                     "gostore to write through instead (host:port or unix:/path)")
          ->excludes(db_opt);
  app.add_option("--api-key-file", api_key_file, "with --store: file whose first key is sent")
      ->needs(store_opt);
  app.add_flag("--tls", tls.enabled, "with --store: TLS to a TCP address")->needs(store_opt);
  app.add_option("--tls-ca", tls.ca_file,
                 "with --store: PEM CAs for the store's certificate (implies --tls; default: "
                 "the system's)")
      ->needs(store_opt);
  app.add_option("--tls-cert", tls.cert_file,
                 "with --store: PEM client certificate, if the store asks (implies --tls)")
      ->needs(store_opt);
  app.add_option("--tls-key", tls.key_file, "with --tls-cert: its PEM key")->needs(store_opt);
  app.add_option("--tls-server-name", tls.server_name,
                 "with --store: name in the store's certificate (implies --tls)")
      ->needs(store_opt);
  app.add_option("--host-id", host_id,
                 "with --store: the host whose flows these are (default: from /etc/machine-id)")
      ->needs(store_opt);
  app.add_option("--hostname", hostname, "with --store: its name (default: this host's)")
      ->needs(store_opt);
  app.add_option("--spool", spool_dir,
                 "with --store: spool directory, kept with what the store did not acknowledge "
                 "(default: a fresh one under $TMPDIR, removed at exit)")
      ->needs(store_opt);
  app.add_option("--store-timeout", store_timeout_s,
                 "with --store: seconds without any acknowledgement before giving up (default "
                 "60)")
      ->check(CLI::PositiveNumber)
      ->needs(store_opt);
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
  if (db_path.empty() && store_address.empty() && !check_only) {
    std::cerr << "goconvert: -d DIR or --store ADDR is required: the goDB directory or the "
                 "gostore to import into (or --check to only validate)\n";
    return kExitUsage;
  }
  if (check_only && !store_address.empty()) {
    std::cerr << "goconvert: --check writes nothing; leave out --store\n";
    return kExitUsage;
  }
  // The shipper logs for a daemon; goconvert reports what matters itself.
  spdlog::set_level(spdlog::level::off);
  goprobe::goconvert::StoreSinkOptions store_options;
  std::string temporary_spool;
  if (!store_address.empty()) {
    tls.enabled |= !tls.ca_file.empty() || !tls.cert_file.empty() || !tls.key_file.empty() ||
                   !tls.server_name.empty();
    store_options.shipper.address = store_address;
    store_options.shipper.tls = tls;
    store_options.stall_timeout = absl::Seconds(store_timeout_s);
    if (!api_key_file.empty()) {
      auto keys = goprobe::rpc::LoadApiKeys(api_key_file);
      if (!keys.ok()) {
        std::cerr << "goconvert: --api-key-file: " << keys.status().message() << "\n";
        return kExitUsage;
      }
      store_options.shipper.api_key = keys->front();
    }
    auto identity = goprobe::host::ResolveHostIdentity(host_id, hostname, "/etc/machine-id");
    if (!identity.ok()) {
      std::cerr << "goconvert: " << identity.status().message()
                << "; give the store's host with --host-id\n";
      return kExitUsage;
    }
    store_options.identity = *identity;
    if (spool_dir.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/goconvert-spool.XXXXXX";
      if (::mkdtemp(dir.data()) == nullptr) {
        std::cerr << "goconvert: cannot create a spool directory: " << std::strerror(errno)
                  << "\n";
        return kExitFailed;
      }
      spool_dir = temporary_spool = dir;
    }
    store_options.spool_dir = spool_dir;
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
  goprobe::goconvert::StoreSink* store = nullptr;
  if (check_only) {
    sink = std::make_unique<goprobe::goconvert::DiscardSink>();
  } else if (!store_address.empty()) {
    auto opened = goprobe::goconvert::StoreSink::Open(store_options);
    if (!opened.ok()) {
      std::cerr << "goconvert: " << opened.status().message() << "\n";
      if (!temporary_spool.empty()) std::filesystem::remove_all(temporary_spool);
      return kExitFailed;
    }
    store = opened->get();
    sink = std::move(*opened);
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
  goprobe::goconvert::ImportStats stats = importer.stats();
  // Blocks queued before an error are the store's to settle, as a goDB
  // directory keeps the blocks written before it.
  const absl::Status stored =
      store != nullptr ? store->Finish(import_options.skip_existing, &stats) : absl::OkStatus();
  sink.reset();
  // The input is what a rerun starts from; a spool of the user's (--spool)
  // keeps unacknowledged blocks for the next run to send first.
  if (!temporary_spool.empty()) std::filesystem::remove_all(temporary_spool);
  const std::string summary =
      goprobe::goconvert::ImportSummary(stats, check_only ? "valid" : "written");
  if (!status.ok() || !stored.ok()) {
    if (!status.ok()) std::cerr << "goconvert: " << status.message() << "\n";
    if (!stored.ok()) {
      for (absl::string_view line : absl::StrSplit(stored.message(), '\n')) {
        std::cerr << "goconvert: " << line << "\n";
      }
    }
    std::cerr << "goconvert: stopped: " << summary << "\n";
    return kExitFailed;
  }
  std::cout << "goconvert: " << summary << (check_only ? "; nothing written (--check)" : "")
            << "\n";
  return 0;
}
