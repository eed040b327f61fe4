#include "clients/goquery/text_result.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goprobe::goquery {
namespace {

using query::Attribute;
using query::Direction;
using ::testing::HasSubstr;
using ::testing::Not;

flow::IpAddress Ip(const char* text) { return *flow::IpAddress::Parse(text); }

query::ResultRow Row(const char* sip, const char* dip, uint64_t pr, uint64_t ps, uint64_t br,
                     uint64_t bs) {
  query::ResultRow r;
  r.sip = Ip(sip);
  r.dip = Ip(dip);
  r.counters = {br, bs, pr, ps};
  return r;
}

void SetTotals(v1::Summary* s, uint64_t pr, uint64_t ps, uint64_t br, uint64_t bs) {
  s->mutable_totals()->set_packets_rcvd(pr);
  s->mutable_totals()->set_packets_sent(ps);
  s->mutable_totals()->set_bytes_rcvd(br);
  s->mutable_totals()->set_bytes_sent(bs);
}

int64_t Utc(int y, int mo, int d, int h, int mi, int s) {
  return absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone()));
}

TextOptions Utc() {
  TextOptions o;
  o.tz = absl::UTCTimeZone();
  return o;
}

// The seed README's example, row for row: the same numbers print the same
// table. Only the "Query stats" line is worded differently (goQuery printed
// "268.00   hits in 17ms").
TEST(TextResultTest, ReproducesGoQuerysReadmeExample) {
  QueryAnswer a;
  a.rows = {
      Row("125.167.76.152", "237.147.182.13", 308750, 576810, 18570281, 844659425),
      Row("121.18.119.116", "125.167.76.152", 149810, 24000, 207680963, 10108273),
      Row("125.167.76.152", "121.18.119.116", 116200, 27160, 158334976, 14868808),
      Row("125.167.76.152", "121.18.250.176", 15290, 22140, 22250783, 19146998),
      Row("125.167.76.152", "51.143.39.255", 3770, 2510, 5819597, 278508),
      Row("125.167.76.152", "55.135.93.254", 1230, 1840, 3208643, 202076),
      Row("125.167.76.152", "233.41.242.235", 813, 1150, 2359296, 147057),
      Row("125.167.76.152", "190.14.221.249", 503, 764, 1625293, 123474),
      Row("125.167.76.152", "11.26.172.240", 2130, 1520, 1468006, 238500),
      Row("125.167.76.152", "55.135.212.216", 571, 806, 1478492, 136643),
  };
  SetTotals(&a.summary, 630680, 692110, 445005169, 896815596);
  a.summary.set_hits_total(268);
  a.summary.set_hits_displayed(10);
  a.summary.set_time_first(Utc(2016, 2, 25, 19, 29, 35));
  a.summary.set_time_last(Utc(2016, 2, 26, 7, 44, 35));
  a.summary.add_interfaces("eth0");
  a.summary.mutable_timings()->set_query_duration_us(17000);
  ResultLayout layout;
  layout.attributes = {Attribute::kSip, Attribute::kDip};
  layout.condition = "dport = 443";

  EXPECT_EQ(FormatTextResult(a, layout, Utc()), R"(
                                   packets   packets             bytes      bytes
             sip             dip        in       out      %         in        out      %
  125.167.76.152  237.147.182.13  308.75 k  576.81 k  66.95   17.71 MB  805.53 MB  64.33
  121.18.119.116  125.167.76.152  149.81 k   24.00 k  13.14  198.06 MB    9.64 MB  16.23
  125.167.76.152  121.18.119.116  116.20 k   27.16 k  10.84  151.00 MB   14.18 MB  12.91
  125.167.76.152  121.18.250.176   15.29 k   22.14 k   2.83   21.22 MB   18.26 MB   3.09
  125.167.76.152   51.143.39.255    3.77 k    2.51 k   0.47    5.55 MB  271.98 kB   0.45
  125.167.76.152   55.135.93.254    1.23 k    1.84 k   0.23    3.06 MB  197.34 kB   0.25
  125.167.76.152  233.41.242.235  813.00      1.15 k   0.15    2.25 MB  143.61 kB   0.19
  125.167.76.152  190.14.221.249  503.00    764.00     0.10    1.55 MB  120.58 kB   0.13
  125.167.76.152   11.26.172.240    2.13 k    1.52 k   0.28    1.40 MB  232.91 kB   0.13
  125.167.76.152  55.135.212.216  571.00    806.00     0.10    1.41 MB  133.44 kB   0.12
                                       ...       ...               ...        ...
                                  630.68 k  692.11 k         424.39 MB  855.27 MB

         Totals:                              1.32 M                      1.25 GB

Timespan / Interface : [2016-02-25 19:29:35, 2016-02-26 07:44:35] / eth0
Sorted by            : accumulated data volume (sent and received)
Query stats          : 268 hits in 17ms (top 10 displayed)
Conditions:          : dport = 443

)");
}

// IPv6 addresses widen their columns; nothing was cut, so no "..." row;
// several interfaces each get rows and are all named in the footer.
TEST(TextResultTest, Ipv6MultiInterfaceUncut) {
  QueryAnswer a;
  query::ResultRow r1 = Row("2001:db8::1", "2001:db8::53", 2, 2, 300, 120);
  r1.iface = "eth1";
  r1.dport = 53;
  r1.proto = 17;
  query::ResultRow r2 = Row("10.0.0.1", "8.8.8.8", 1, 1, 90, 70);
  r2.iface = "eth0";
  r2.dport = 53;
  r2.proto = 17;
  a.rows = {r1, r2};
  SetTotals(&a.summary, 3, 3, 390, 190);
  a.summary.set_hits_total(2);
  a.summary.set_time_first(Utc(2023, 11, 14, 22, 15, 0));
  a.summary.set_time_last(Utc(2023, 11, 14, 22, 20, 0));
  a.summary.add_interfaces("eth0");
  a.summary.add_interfaces("eth1");
  a.summary.mutable_timings()->set_query_duration_us(1500);
  ResultLayout layout;
  layout.attributes = {Attribute::kIface, Attribute::kSip, Attribute::kDip, Attribute::kDport,
                       Attribute::kProto};
  EXPECT_EQ(FormatTextResult(a, layout, Utc()), R"(
                                                    packets  packets             bytes      bytes
    iface          sip           dip  dport  proto       in      out      %         in        out      %
     eth1  2001:db8::1  2001:db8::53     53    UDP   2.00     2.00    66.67  300.00  B  120.00  B  72.41
     eth0     10.0.0.1       8.8.8.8     53    UDP   1.00     1.00    33.33   90.00  B   70.00  B  27.59
                                                     3.00     3.00           390.00  B  190.00  B

  Totals:                                                     6.00                      580.00  B

Timespan / Interface : [2023-11-14 22:15:00, 2023-11-14 22:20:00] / eth0,eth1
Sorted by            : accumulated data volume (sent and received)
Query stats          : 2 hits in 1ms

)");
}

TEST(TextResultTest, InOutAndSumShowTheirOwnColumns) {
  QueryAnswer a;
  query::ResultRow r;
  r.dport = 443;
  r.proto = 6;
  r.counters = {2048, 0, 4, 0};
  a.rows = {r};
  SetTotals(&a.summary, 8, 0, 4096, 0);
  a.summary.set_hits_total(3);
  a.summary.set_time_first(Utc(2024, 3, 1, 12, 5, 0));
  a.summary.set_time_last(Utc(2024, 3, 1, 12, 5, 0));
  a.summary.add_interfaces("eth0");
  a.summary.mutable_timings()->set_query_duration_us(2500000);
  ResultLayout layout;
  layout.attributes = {Attribute::kDport, Attribute::kProto};
  layout.direction = Direction::kIn;
  layout.sort_by = query::SortBy::kPackets;
  EXPECT_EQ(FormatTextResult(a, layout, Utc()), R"(
                packets           bytes
  dport  proto       in      %       in      %
    443    TCP   4.00    50.00  2.00 kB  50.00
                    ...             ...
                 8.00           4.00 kB

Timespan / Interface : [2024-03-01 12:05:00, 2024-03-01 12:05:00] / eth0
Sorted by            : accumulated packets (received only)
Query stats          : 3 hits in 2.50s (top 1 displayed)

)");
  layout.direction = Direction::kOut;
  a.rows[0].counters = {0, 1024, 0, 1};
  SetTotals(&a.summary, 0, 4, 0, 1024);
  EXPECT_THAT(FormatTextResult(a, layout, Utc()),
              HasSubstr("  dport  proto      out      %      out       %\n"
                        "    443    TCP   1.00    25.00  1.00 kB  100.00\n"));
  EXPECT_THAT(FormatTextResult(a, layout, Utc()), HasSubstr("(sent only)"));
  layout.direction = Direction::kSum;
  a.rows[0].counters = {1000, 1048, 1, 1};
  SetTotals(&a.summary, 1, 3, 1000, 3096);
  const std::string sum = FormatTextResult(a, layout, Utc());
  EXPECT_THAT(sum, HasSubstr("  dport  proto   in+out      %   in+out      %\n"
                             "    443    TCP   2.00    50.00  2.00 kB  50.00\n"));
  EXPECT_THAT(sum, Not(HasSubstr("Totals:")));  // the sums are the column totals already
}

TEST(TextResultTest, TimeHostAndNamesFromReverseDns) {
  QueryAnswer a;
  query::ResultRow r = Row("192.0.2.1", "192.0.2.2", 1, 0, 60, 0);
  r.time = Utc(2024, 3, 1, 12, 5, 0);
  r.hostname = "probe-1";
  r.host_id = 42;
  a.rows = {r};
  SetTotals(&a.summary, 1, 0, 60, 0);
  a.summary.set_hits_total(1);
  a.summary.set_time_first(r.time);
  a.summary.set_time_last(r.time);
  a.summary.add_interfaces("eth0");
  a.hosts.resize(2);
  a.hosts[0].set_code(v1::HostStatus::CODE_OK);
  a.hosts[1].set_code(v1::HostStatus::CODE_ERROR);
  ResultLayout layout;
  layout.attributes = {Attribute::kTime, Attribute::kHost, Attribute::kHostId, Attribute::kSip,
                       Attribute::kDip};
  layout.sort_by = query::SortBy::kTime;
  layout.ascending = true;
  dns::AddressNames names{{Ip("192.0.2.2"), "www.example.org"}};
  TextOptions options = Utc();
  options.names = &names;
  options.dns = true;
  options.dns_duration = absl::Milliseconds(12);
  options.dns_timeout = absl::Seconds(1);
  const std::string out = FormatTextResult(a, layout, options);
  EXPECT_THAT(out,
              HasSubstr("                 time  hostname  hostid        sip              dip"));
  EXPECT_THAT(out,
              HasSubstr("  2024-03-01 12:05:00   probe-1      42  192.0.2.1  www.example.org"));
  EXPECT_THAT(out, HasSubstr("Sorted by            : time, ascending\n"));
  EXPECT_THAT(out, HasSubstr("Reverse DNS stats    : RDNS took 12ms, timeout was 1.00s\n"));
  EXPECT_THAT(out, HasSubstr("Hosts                : 2 hosts: 1 ok / 0 empty / 1 error\n"));
}

TEST(TextResultTest, NoRowsPrintNothing) {
  QueryAnswer a;
  a.summary.set_hits_total(0);
  ResultLayout layout;
  layout.attributes = {Attribute::kSip};
  EXPECT_EQ(FormatTextResult(a, layout, Utc()), "");
}

TEST(TextResultTest, ManyInterfacesAreCountedNotListed) {
  QueryAnswer a;
  a.rows = {Row("10.0.0.1", "10.0.0.2", 1, 1, 1, 1)};
  SetTotals(&a.summary, 1, 1, 1, 1);
  a.summary.set_hits_total(1);
  for (int i = 0; i < 12; ++i) a.summary.add_interfaces("veth" + std::to_string(i));
  ResultLayout layout;
  layout.attributes = {Attribute::kSip};
  EXPECT_THAT(FormatTextResult(a, layout, Utc()),
              HasSubstr("/ veth0,veth1,veth2,veth3,veth4,veth5,veth6,veth7,... (12 interfaces)\n"));
}

}  // namespace
}  // namespace goprobe::goquery
