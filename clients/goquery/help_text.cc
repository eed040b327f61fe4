#include "clients/goquery/help_text.h"

#include "absl/strings/str_cat.h"
#include "clients/goquery/time_arg.h"

namespace goprobe::goquery {

std::string HelpFooter() {
  return absl::StrCat(R"(
QUERY: what to group the flows by, comma-separated
  sip (src)  dip (dst)  dport (port)  proto          flow attributes
  iface  time  hostname (host)  hostid               labels
  talk_conv = sip,dip      talk_src = sip      talk_dst = dip
  apps_port = dport,proto  agg_talk_port = sip,dip,dport,proto
  raw = time,iface,sip,dip,dport,proto
  Rows are sorted by data volume, largest first, and cut after -n (1000).
  Queries with time list every five-minute block (--resolution widens the
  bins) oldest first and uncut, unless -s, -a or -n say otherwise.
  Without -i all interfaces are summed; -i with several interfaces, a
  /regex/, !exclusions or "any" gives each interface its own rows.
  --live also counts the current five-minute window, which the probe has
  not written yet; only a goqueryd (--server) can ask its probe for it.

CONDITIONS (-c): goQuery's language
  sip dip host (either side) = != ADDRESS      snet dnet net = != CIDR
  dport proto = != < > <= >= VALUE (proto by name or number)
  dir = in|out|uni|bi (rows that only received, only sent, either, both)
  not !   and && &   or || |   ( )    e.g. 'dport = 443 and not snet = 10.0.0.0/8'

TIMES (-f, -l; default: the last 30 days, 1 day for time queries, up to now)
)",
                      TimeArgHelp(), R"(

OUTPUT (-e)
  txt   goQuery's table: k/M/G counts, kB/MB/GB sizes, percentages, totals
  json  goQuery v4's result document (summary, hosts_statuses, rows)
  csv   header and raw numbers, readable by goconvert

WHERE THE DATA IS
  -d DIR          read a goDB directory in-process, no server needed
  --server ADDR   ask a goqueryd (host:port or unix:/path; a root goqueryd
                  answers for many hosts); also $GOQUERY_SERVER. Its API
                  key: --api-key-file (or $GOQUERY_API_KEY_FILE).
  Neither: the local goqueryd at unix:/run/goprobe/goqueryd.sock if it
  runs, else /var/lib/goprobe/db.

LIST: goquery list shows every interface with data: packets and bytes
  received (in) and sent (out), IPv4 and IPv6 flows, packets dropped by the
  kernel and by the interface, malformed packets, the number of five-minute
  blocks, the first and the last, and a Total row. It reads goDB's metadata
  only, so it is fast on any amount of data. -i, -f, -l and -e apply
  (default: everything).

STORED QUERIES (--stored-query FILE, - for stdin): goQuery's JSON arguments
  {"Query": "sip,dip", "Ifaces": "eth0", "Condition": "dport = 443",
   "First": "-1d", "Format": "csv", "NumResults": 10, "Output": "/tmp/q.csv"}
  Flags given beside it override its keys.

EXIT STATUS
  0 results (or no data, said on stderr)   1 the query or database failed
  2 bad command line, stored query or condition   3 server unreachable
  4 server refused the API key   5 timed out

goquery examples shows worked examples.)");
}

std::string ExamplesText() {
  return R"(Worked examples. Add -d DIR to read a goDB directory, or --server ADDR to
ask a goqueryd; without either goquery uses the local goqueryd or
/var/lib/goprobe/db.

Who talked most on eth0 today?
  goquery -i eth0 -f -1d talk_conv

The top 10 conversations on port 443, as in goQuery's README:
  goquery -i eth0 -c 'dport = 443' -n 10 sip,dip

Which applications (port and protocol) used the most packets, received only?
  goquery -i eth0 -s packets --in apps_port

Traffic of one host, either side, over a fixed range (local time):
  goquery -c 'host = 192.168.1.34' -f '01.03.2024 08:00' -l '01.03.2024 18:00' sip,dip,dport

Everything except a network, per interface:
  goquery -i any -c 'not net = 10.0.0.0/8' talk_src

Servers that only ever received (scans, blocked replies):
  goquery -c 'dir = in' dip,dport

Volume per hour over the last week, oldest first:
  goquery -f -7d --resolution 1h time

Every flow of the last hour as CSV, e.g. for goconvert or a spreadsheet:
  goquery -f -1h -e csv raw > flows.csv

The same as JSON for a program, with names for the top 25 addresses in txt:
  goquery -e json -n 100 sip,dip | jq '.rows[0]'
  goquery -r sip,dip

Across many hosts through a root goqueryd, with the host as a column:
  goquery --server goquery.example.net:8145 --api-key-file ~/.goquery.key hostname,sip

A scheduled report from a stored query (see goquery --help):
  goquery --stored-query /etc/goprobe/daily-top-talkers.json -f -1d

Which interfaces have data, and since when?
  goquery list
)";
}

}  // namespace goprobe::goquery
