#ifndef GOPROBE_CLIENTS_GOQUERY_QUERY_ARGS_H_
#define GOPROBE_CLIENTS_GOQUERY_QUERY_ARGS_H_

// What a user asked goquery for, as they said it: the command line and a
// stored query (stored_query.h) both fill this, and query_plan.h checks and
// turns it into a request. Mirrors goQuery's query.Args, so a stored query
// written for goQuery means the same here.

#include <cstdint>
#include <string>

namespace goprobe::goquery {

struct QueryArgs {
  // The attributes: "sip,dip", a preset ("talk_conv") or both mixed.
  std::string query;
  // goQuery's -i: "eth0,eth1", "any", "/regex/", "!excluded"; empty is all
  // interfaces, summed together.
  std::string ifaces;
  std::string condition;
  // --in / --out / --sum as goQuery combines them: sum wins; in and out
  // together, or neither, show both directions.
  bool in = false;
  bool out = false;
  bool sum = false;
  // -f / -l as typed (time_arg.h); empty takes goQuery's defaults: the last
  // 30 days, or the last day when the query has the time attribute, up to now.
  std::string first;
  std::string last;
  std::string format = "txt";
  // Comma-separated files the output is appended to; empty is stdout.
  std::string output;
  std::string sort_by = "bytes";
  bool sort_ascending = false;
  // Rows shown at most; 0 all. Unset: 1000, or all rows for time queries.
  uint64_t num_results = 1000;
  bool num_results_set = false;
  bool sort_set = false;  // -s or -a given: time queries keep them
  // Reverse DNS of the addresses in the first resolve_rows rows (txt only).
  bool resolve = false;
  std::string resolve_timeout = "1s";
  uint64_t resolve_rows = 25;
  // Time bin width with the time attribute: "5m" (each block), "1h",
  // "auto", ...
  std::string resolution;
  // Whole-query timeout, a duration (duration_arg.h); empty or 0 is none.
  std::string timeout;
  // Memory cap in percent of the answering host's memory (goQuery's
  // MaxMemPct).
  uint32_t max_mem_pct = 60;
  // Also count the probe's current, not yet written five-minute window
  // (goQuery's --live / Live). Only a goqueryd can: the window is held by the
  // probe, not in a goDB directory, so -d refuses it.
  bool live = false;
  // Who asked, for the server's logs (goQuery's Caller).
  std::string caller = "goquery";
};

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_QUERY_ARGS_H_
