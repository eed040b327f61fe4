#ifndef GOPROBE_CLIENTS_GOQUERY_FIXTURE_DB_FOR_TEST_H_
#define GOPROBE_CLIENTS_GOQUERY_FIXTURE_DB_FOR_TEST_H_

// A small goDB with known contents for goquery's tests: the flows of
// clients/testdata/flows.csv (IPv4 and IPv6, two interfaces, three blocks),
// so every expected number can be checked by hand.
//
//   eth0 1700000100  10.0.0.1 -> 192.168.1.10:443 TCP   rcvd 2000 B/15 pkts, sent 65000 B/52
//                    10.0.0.2 -> 192.168.1.10:443 TCP   rcvd 800/4, sent 900/5
//   eth1 1700000100  2001:db8::1 -> 2001:db8::53:53 UDP rcvd 300/2, sent 120/2
//   eth0 1700000400  10.0.0.1 -> 8.8.8.8:53 UDP         rcvd 90/1, sent 70/1
//   eth1 1700000400  2001:db8::1 -> 2001:db8::53:53 UDP rcvd 150/1, sent 60/1
//                    fe80::1 -> ff02::1 ICMPv6          rcvd 0/0, sent 72/1
//   eth0 1700000700  10.0.0.3 -> 10.0.0.255 ICMP        rcvd 84/1, sent 84/1

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/godb/db_writer.h"

namespace goprobe::goquery {

inline flow::FlowRow FixtureRow(const char* sip, const char* dip, uint16_t dport, uint8_t proto,
                                uint64_t br, uint64_t bs, uint64_t pr, uint64_t ps) {
  flow::FlowRow r;
  r.key.sip = *flow::IpAddress::Parse(sip);
  r.key.dip = *flow::IpAddress::Parse(dip);
  r.key.dport = dport;
  r.key.proto = proto;
  r.counters = {br, bs, pr, ps};
  return r;
}

inline void WriteFixtureDb(const std::string& path) {
  auto writer = godb::DbWriter::Open(path);
  ASSERT_TRUE(writer.ok()) << writer.status();
  const auto write = [&](const char* iface, int64_t t, std::vector<flow::FlowRow> rows) {
    absl::Status s = (*writer)->WriteBlock(iface, t, rows, {});
    ASSERT_TRUE(s.ok()) << s;
  };
  write("eth0", 1700000100,
        {FixtureRow("10.0.0.1", "192.168.1.10", 443, 6, 2000, 65000, 15, 52),
         FixtureRow("10.0.0.2", "192.168.1.10", 443, 6, 800, 900, 4, 5)});
  write("eth1", 1700000100, {FixtureRow("2001:db8::1", "2001:db8::53", 53, 17, 300, 120, 2, 2)});
  write("eth0", 1700000400, {FixtureRow("10.0.0.1", "8.8.8.8", 53, 17, 90, 70, 1, 1)});
  write("eth1", 1700000400,
        {FixtureRow("2001:db8::1", "2001:db8::53", 53, 17, 150, 60, 1, 1),
         FixtureRow("fe80::1", "ff02::1", 0, 58, 0, 72, 0, 1)});
  write("eth0", 1700000700, {FixtureRow("10.0.0.3", "10.0.0.255", 0, 1, 84, 84, 1, 1)});
}

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_FIXTURE_DB_FOR_TEST_H_
