#include "lib/dns/reverse_dns.h"

#include <atomic>
#include <thread>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace goprobe::dns {
namespace {

flow::IpAddress Ip(const char* text) { return *flow::IpAddress::Parse(text); }

TEST(ReverseDnsTest, NamesWhatAnswersAndSkipsWhatHasNoName) {
  std::atomic<int> calls{0};
  ReverseDnsOptions options;
  options.timeout = absl::Seconds(10);
  options.lookup = [&calls](const flow::IpAddress& a) -> std::optional<std::string> {
    ++calls;
    if (a == Ip("192.0.2.1")) return "one.example.org";
    if (a == Ip("2001:db8::1")) return "six.example.org";
    return std::nullopt;
  };
  const AddressNames names = ResolveAddresses(
      {Ip("192.0.2.1"), Ip("192.0.2.2"), Ip("2001:db8::1"), Ip("192.0.2.1")}, options);
  EXPECT_EQ(names.size(), 2u);
  EXPECT_EQ(names.at(Ip("192.0.2.1")), "one.example.org");
  EXPECT_EQ(names.at(Ip("2001:db8::1")), "six.example.org");
  EXPECT_EQ(calls.load(), 3);  // each distinct address once
}

// A resolver that hangs must not hold up the output beyond the budget.
TEST(ReverseDnsTest, GivesUpAtTheTimeout) {
  auto release = std::make_shared<absl::Notification>();
  ReverseDnsOptions options;
  options.timeout = absl::Milliseconds(100);
  options.lookup = [release](const flow::IpAddress& a) -> std::optional<std::string> {
    if (a == Ip("192.0.2.66")) release->WaitForNotification();
    return "fast.example.org";
  };
  const absl::Time start = absl::Now();
  const AddressNames names = ResolveAddresses({Ip("192.0.2.66"), Ip("192.0.2.1")}, options);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_EQ(names.size(), 1u);
  EXPECT_EQ(names.count(Ip("192.0.2.1")), 1u);
  release->Notify();  // let the abandoned lookup finish
}

TEST(ReverseDnsTest, NothingToResolve) {
  EXPECT_TRUE(ResolveAddresses({}, ReverseDnsOptions{}).empty());
}

TEST(ReverseDnsTest, SystemLookupOfLoopback) {
  // /etc/hosts names 127.0.0.1 on any sane system; without network access
  // the lookup must still return promptly with a name or nothing.
  const std::optional<std::string> name = SystemReverseLookup(Ip("127.0.0.1"));
  if (name) {
    EXPECT_FALSE(name->empty());
  }
}

}  // namespace
}  // namespace goprobe::dns
