#include "services/store/retention_policy.h"

#include <string>

#include "gtest/gtest.h"
#include "lib/godb/layout.h"

namespace goprobe::store {
namespace {

constexpr int64_t kToday = 1700006400;  // 2023-11-15 00:00 UTC
constexpr int64_t kDay = godb::kSecondsPerDay;

godb::StoredDay Day(const std::string& iface, int64_t start, uint64_t bytes) {
  return {{iface, start, iface + "/" + std::to_string(start)}, bytes};
}

std::vector<std::string> Names(const std::vector<DayToDelete>& plan) {
  std::vector<std::string> names;
  for (const DayToDelete& d : plan) {
    names.push_back(d.day.partition.dir + ":" + ReasonName(d.reason));
  }
  return names;
}

TEST(RetentionPolicyTest, NothingWithoutLimits) {
  EXPECT_TRUE(PlanDeletions({Day("eth0", kToday - 900 * kDay, 1 << 30)}, kToday, {}).empty());
}

TEST(RetentionPolicyTest, AgeKeepsTodayAndTheDaysBeforeIt) {
  RetentionPolicy policy;
  policy.max_age_days = 2;
  const std::vector<godb::StoredDay> days = {
      Day("eth0", kToday - 3 * kDay, 10), Day("eth1", kToday - 2 * kDay, 10),
      Day("eth0", kToday - 1 * kDay, 10), Day("eth0", kToday, 10)};
  // In the afternoon of today: today and yesterday stay.
  EXPECT_EQ(Names(PlanDeletions(days, kToday + 50000, policy)),
            (std::vector<std::string>{"eth0/" + std::to_string(kToday - 3 * kDay) + ":age",
                                      "eth1/" + std::to_string(kToday - 2 * kDay) + ":age"}));
}

TEST(RetentionPolicyTest, SizeDeletesOldestFirstButNeverTheNewestDayOfAnInterface) {
  RetentionPolicy policy;
  policy.max_bytes = 250;
  const std::vector<godb::StoredDay> days = {
      Day("eth1", kToday - 3 * kDay, 100),  // eth1's newest: being written
      Day("eth0", kToday - 2 * kDay, 100), Day("eth0", kToday - 1 * kDay, 100),
      Day("eth0", kToday, 100)};
  // 400 bytes: two days must go, and eth1's only day is not one of them.
  EXPECT_EQ(Names(PlanDeletions(days, kToday, policy)),
            (std::vector<std::string>{"eth0/" + std::to_string(kToday - 2 * kDay) + ":size",
                                      "eth0/" + std::to_string(kToday - 1 * kDay) + ":size"}));
  // Over the limit with nothing but newest days: nothing to delete.
  policy.max_bytes = 50;
  EXPECT_EQ(PlanDeletions({days[0], days[3]}, kToday, policy).size(), 0u);
}

TEST(RetentionPolicyTest, AgeFirstThenSize) {
  RetentionPolicy policy;
  policy.max_age_days = 3;
  policy.max_bytes = 150;
  const std::vector<godb::StoredDay> days = {
      Day("eth0", kToday - 5 * kDay, 100), Day("eth0", kToday - 1 * kDay, 100),
      Day("eth0", kToday, 100)};
  EXPECT_EQ(Names(PlanDeletions(days, kToday, policy)),
            (std::vector<std::string>{"eth0/" + std::to_string(kToday - 5 * kDay) + ":age",
                                      "eth0/" + std::to_string(kToday - 1 * kDay) + ":size"}));
}

}  // namespace
}  // namespace goprobe::store
