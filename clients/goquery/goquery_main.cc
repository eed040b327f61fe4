// goquery: the command line to goProbe's flow data. The work is done by the
// libraries beside this file; this is flags, the choice of data source, and
// dispatch.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/goquery/bash_completion.h"
#include "clients/goquery/dash_values.h"
#include "clients/goquery/embedded_query.h"
#include "clients/goquery/exit_codes.h"
#include "clients/goquery/help_text.h"
#include "clients/goquery/list_command.h"
#include "clients/goquery/query_args.h"
#include "clients/goquery/query_command.h"
#include "clients/goquery/remote_client.h"
#include "clients/goquery/stored_query.h"

namespace {

using namespace goprobe::goquery;

// Where goquery looks when told neither -d nor --server: the goqueryd and
// the goDB of a standard installation (deploy/config).
constexpr char kDefaultServer[] = "unix:/run/goprobe/goqueryd.sock";
constexpr char kDefaultDb[] = "/var/lib/goprobe/db";

class Formatter : public CLI::Formatter {
 public:
  std::string make_usage(const CLI::App* app, std::string) const override {
    if (app->get_parent() != nullptr) {
      return absl::StrCat("Usage: goquery [-d DIR | --server ADDR] ", app->get_name(),
                          " [-i IFACES] [-f FIRST] [-l LAST] [-e txt|json|csv]\n");
    }
    return "Usage: goquery [OPTIONS] QUERY       group flows by QUERY (e.g. sip,dip)\n"
           "       goquery [OPTIONS] list        interfaces with data\n"
           "       goquery examples              worked examples\n"
           "       goquery completion bash       bash completion script\n";
  }
};

int Usage(const std::string& message) {
  std::cerr << "goquery: " << message << " (goquery --help explains)\n";
  return kExitUsage;
}

struct Flags {
  std::string query;
  std::string db_path;
  std::string server;
  std::string api_key_file;
  goprobe::rpc::ClientTlsOptions tls;
  std::string stored_query;
};

// The data source: -d or --server as given (not both), else GOQUERY_SERVER,
// a stored query's DBPath, the local goqueryd, the default goDB.
absl::StatusOr<QuerySource> ChooseSource(const Flags& flags, const std::string& stored_db) {
  if (!flags.db_path.empty() && !flags.server.empty()) {
    return absl::InvalidArgumentError("give -d DIR or --server ADDR, not both");
  }
  QuerySource source;
  std::string server = flags.server;
  if (flags.db_path.empty() && server.empty()) {
    if (const char* env = std::getenv("GOQUERY_SERVER"); env != nullptr && *env != '\0') {
      server = env;
    } else if (!stored_db.empty()) {
      source.db_path = stored_db;
      return source;
    } else {
      std::error_code ec;
      if (std::filesystem::exists(std::string(kDefaultServer).substr(5), ec)) {
        server = kDefaultServer;
      } else if (std::filesystem::is_directory(kDefaultDb, ec)) {
        source.db_path = kDefaultDb;
        return source;
      } else {
        return absl::InvalidArgumentError(absl::StrCat(
            "no data source: give -d DIR (a goDB directory) or --server ADDR (a goqueryd); "
            "neither ",
            kDefaultServer, " nor ", kDefaultDb, " exists"));
      }
    }
  }
  if (server.empty()) {
    source.db_path = flags.db_path;
    return source;
  }
  RemoteServer remote;
  remote.address = server;
  remote.tls = flags.tls;
  std::string key_file = flags.api_key_file;
  if (key_file.empty()) {
    if (const char* env = std::getenv("GOQUERY_API_KEY_FILE"); env != nullptr) key_file = env;
  }
  if (!key_file.empty()) {
    absl::StatusOr<std::string> key = ReadClientApiKey(key_file);
    if (!key.ok())
      return absl::InvalidArgumentError(absl::StrCat("--api-key-file: ", key.status().message()));
    remote.api_key = *key;
  }
  source.server = std::move(remote);
  return source;
}

// Every flag of `app`, for the completion script.
CompletionFlags FlagsOf(const CLI::App& app) {
  CompletionFlags flags;
  for (const CLI::Option* opt : app.get_options()) {
    std::vector<std::string>& into = opt->get_expected_max() != 0 ? flags.with_value : flags.switches;
    for (const std::string& s : opt->get_snames()) into.push_back("-" + s);
    for (const std::string& l : opt->get_lnames()) into.push_back("--" + l);
  }
  return flags;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  QueryArgs args;
  ListArgs list_args;
  CLI::App app{"goquery: look into the network flows goProbe recorded.", "goquery"};
  app.formatter(std::make_shared<Formatter>());
  app.get_formatter()->column_width(34);
  app.footer(HelpFooter());
  app.allow_extras();

  auto* query_opt =
      app.add_option("QUERY", flags.query, "attributes to group by: sip,dip, talk_conv, ...")
          ->type_name("");
  app.add_option("-d,--db-path", flags.db_path, "goDB directory to read in-process")
      ->type_name("DIR");
  app.add_option("--server", flags.server,
                 "goqueryd to ask: host:port or unix:/path ($GOQUERY_SERVER)")
      ->type_name("ADDR");
  app.add_option("--api-key-file", flags.api_key_file,
                 "file with the server's API key ($GOQUERY_API_KEY_FILE)")
      ->type_name("FILE");
  app.add_flag("--tls", flags.tls.enabled, "TLS to a TCP --server");
  app.add_option("--tls-ca", flags.tls.ca_file,
                 "PEM CAs for the server's certificate (default: system)")
      ->type_name("FILE");
  app.add_option("--tls-cert", flags.tls.cert_file, "PEM client certificate, if the server asks")
      ->type_name("FILE");
  app.add_option("--tls-key", flags.tls.key_file, "its PEM key")->type_name("FILE");
  app.add_option("--tls-server-name", flags.tls.server_name, "name in the server's certificate")
      ->type_name("NAME");
  auto* ifaces_opt =
      app.add_option("-i,--ifaces", args.ifaces, "interfaces: eth0,eth1, any, /regex/, !excluded")
          ->type_name("IFACES");
  auto* cond_opt = app.add_option("-c,--condition", args.condition,
                                  "condition, e.g. 'dport = 443 and snet = 10.0.0.0/8'")
                       ->type_name("CONDITION");
  auto* n_opt =
      app.add_option("-n,--limit", args.num_results, "rows shown at most; 0 all (default 1000)")
          ->type_name("N");
  auto* sort_opt =
      app.add_option("-s,--sort-by", args.sort_by, "bytes, packets or time (default bytes)")
          ->type_name("COLUMN");
  auto* asc_opt = app.add_flag("-a,--ascending", args.sort_ascending, "smallest first");
  auto* in_opt = app.add_flag("--in", args.in, "received only (with --out: both)");
  auto* out_opt = app.add_flag("--out", args.out, "sent only (with --in: both)");
  auto* sum_opt = app.add_flag("--sum", args.sum, "received and sent summed");
  auto* live_opt = app.add_flag(
      "--live", args.live, "also count the current five-minute window (needs --server)");
  auto* first_opt =
      app.add_option("-f,--first", args.first, "start: -7d, 2024-03-01 12:00, epoch, ...")
          ->type_name("TIME");
  auto* last_opt = app.add_option("-l,--last", args.last, "end (default now)")->type_name("TIME");
  auto* format_opt = app.add_option("-e,--format", args.format, "txt, json or csv (default txt)")
                         ->type_name("FORMAT");
  auto* output_opt =
      app.add_option("-o,--output", args.output, "append the result to FILE[,FILE] instead")
          ->type_name("FILE");
  auto* resolve_opt =
      app.add_flag("-r,--resolve", args.resolve, "reverse DNS names in the txt table");
  auto* rtimeout_opt = app.add_option("--resolve-timeout", args.resolve_timeout,
                                      "budget for all lookups (default 1s)")
                           ->type_name("DURATION");
  auto* rrows_opt = app.add_option("--resolve-rows", args.resolve_rows,
                                   "rows whose addresses are looked up (default 25)")
                        ->type_name("N");
  app.add_option("--resolution", args.resolution, "time bins: 5m (default), 15m, 1h, 1d, auto")
      ->type_name("DURATION");
  auto* timeout_opt =
      app.add_option("--timeout", args.timeout, "give up after: 30s, 5m, ... (default none)")
          ->type_name("DURATION");
  auto* mem_opt =
      app.add_option("--max-mem", args.max_mem_pct, "memory cap in % of the host's (default 60)")
          ->type_name("PERCENT");
  app.add_option("--stored-query", flags.stored_query,
                 "JSON query arguments from FILE (- for stdin)")
      ->type_name("FILE");
  CLI::App* list = app.add_subcommand(
      "list", "interfaces with traffic totals, flows, drops, blocks and time span");
  list->fallthrough();
  CLI::App* examples = app.add_subcommand("examples", "worked examples");
  CLI::App* help = app.add_subcommand("help", "this help");
  std::string shell;
  CLI::App* completion = app.add_subcommand(
      "completion", "print a bash completion script: source <(goquery completion bash)");
  completion->add_option("SHELL", shell, "bash")->type_name("");

  std::vector<std::string> argv_list(argv + 1, argv + argc);
  argv_list = AttachDashValues(std::move(argv_list));
  std::reverse(argv_list.begin(), argv_list.end());  // CLI11 takes them reversed
  try {
    app.parse(argv_list);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    return Usage(e.what());
  }
  if (help->parsed()) {
    std::cout << app.help();
    return kExitOk;
  }
  if (examples->parsed()) {
    std::cout << ExamplesText();
    return kExitOk;
  }
  if (completion->parsed()) {
    if (shell != "bash") {
      return Usage(shell.empty() ? "completion: name the shell: goquery completion bash"
                                 : absl::StrCat("completion: no script for \"", shell,
                                                "\"; there is one for bash"));
    }
    std::cout << BashCompletionScript(FlagsOf(app));
    return kExitOk;
  }
  const std::vector<std::string> extras = app.remaining(/*recurse=*/true);
  if (!extras.empty()) {
    if (extras[0].size() > 1 && extras[0][0] == '-') {
      return Usage(absl::StrCat("unknown option ", extras[0]));
    }
    return Usage(absl::StrCat("unexpected \"", extras[0], "\" after the query \"", flags.query,
                              "\": give attributes as one comma-separated word (sip,dip)"));
  }
  args.num_results_set = n_opt->count() > 0;
  args.sort_set = sort_opt->count() > 0 || asc_opt->count() > 0;

  std::string stored_db;
  if (!flags.stored_query.empty()) {
    if (list->parsed()) return Usage("--stored-query runs a query, not list");
    absl::StatusOr<std::string> text = ReadStoredQuery(flags.stored_query);
    if (!text.ok()) return Usage(std::string(text.status().message()));
    const std::map<std::string, const CLI::Option*> given = {
        {"Query", query_opt},       {"Output", output_opt},   {"Ifaces", ifaces_opt},
        {"Condition", cond_opt},    {"In", in_opt},           {"Out", out_opt},
        {"Sum", sum_opt},           {"First", first_opt},     {"Last", last_opt},
        {"Format", format_opt},     {"SortBy", sort_opt},     {"NumResults", n_opt},
        {"SortAscending", asc_opt}, {"Resolve", resolve_opt}, {"ResolveTimeout", rtimeout_opt},
        {"Live", live_opt},
        {"ResolveRows", rrows_opt}, {"MaxMemPct", mem_opt},   {"QueryTimeout", timeout_opt},
    };
    args.query = flags.query;
    absl::StatusOr<StoredQueryResult> stored = ApplyStoredQuery(
        *text, flags.stored_query == "-" ? "stored query (stdin)" : flags.stored_query,
        [&given](absl::string_view key) {
          auto it = given.find(std::string(key));
          return it != given.end() && it->second->count() > 0;
        },
        &args);
    if (!stored.ok()) return Usage(std::string(stored.status().message()));
    for (const std::string& w : stored->warnings) std::cerr << "goquery: warning: " << w << "\n";
    stored_db = stored->db_path;
    args.sort_set = args.sort_set || sort_opt->count() > 0;
  } else {
    args.query = flags.query;
  }
  if (list->parsed() && !flags.query.empty()) return Usage("list takes no query");
  if (!list->parsed() && args.query.empty()) {
    return Usage(
        "no query given: name what to group by (goquery sip,dip), or a command: list, "
        "examples");
  }
  absl::StatusOr<QuerySource> source = ChooseSource(flags, stored_db);
  if (!source.ok()) return Usage(std::string(source.status().message()));
  CommandEnv env;
  env.out = &std::cout;
  env.err = &std::cerr;
  env.progress = ::isatty(STDERR_FILENO) == 1;
  if (!source->server) env.identity = LocalIdentityForLabels();
  if (list->parsed()) {
    list_args.ifaces = args.ifaces;
    list_args.first = args.first;
    list_args.last = args.last;
    list_args.format = args.format;
    return RunListCommand(list_args, *source, env);
  }
  return RunQueryCommand(args, *source, env);
}
