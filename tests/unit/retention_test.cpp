#include "reporters/retention.hpp"

#include <gtest/gtest.h>

namespace traild {
namespace {

constexpr int64_t kDay = 86'400'000;

std::vector<TrailFile> files(std::initializer_list<std::pair<int64_t, uint64_t>> age_days_and_size, int64_t now) {
  std::vector<TrailFile> out;
  uint64_t c = 0;
  for (auto [age, size] : age_days_and_size) {
    ++c;
    out.push_back({"f" + std::to_string(c), now - age * kDay, c, size});
  }
  return out;
}

std::vector<std::string> names(const std::vector<Deletion>& d) {
  std::vector<std::string> n;
  for (auto& x : d) n.push_back(x.file.name + ":" + x.reason);
  return n;
}

TEST(Retention, DeletesFilesOlderThanMaxAgeOldestFirst) {
  int64_t now = 1000 * kDay;
  auto f = files({{100, 10}, {95, 10}, {50, 10}}, now);
  RetentionConfig p{90 * kDay, 1 << 30, 0};
  EXPECT_EQ(names(select_for_deletion(f, 0, p, now, std::nullopt)), (std::vector<std::string>{"f1:max_age", "f2:max_age"}));
}

TEST(Retention, DeletesOldestUntilTotalFitsCountingTheActiveFile) {
  int64_t now = 1000 * kDay;
  auto f = files({{3, 100}, {2, 100}, {1, 100}}, now);
  RetentionConfig p{90 * kDay, 250, 0};
  // 300 closed + 50 active = 350 > 250: drop f1 (250 fits).
  EXPECT_EQ(names(select_for_deletion(f, 50, p, now, std::nullopt)), std::vector<std::string>{"f1:max_total_size"});
  EXPECT_EQ(names(select_for_deletion(f, 60, p, now, std::nullopt)),
            (std::vector<std::string>{"f1:max_total_size", "f2:max_total_size"}));
}

TEST(Retention, DeletesWhileFreeSpaceIsLow) {
  int64_t now = 1000 * kDay;
  auto f = files({{3, 100}, {2, 100}, {1, 100}}, now);
  RetentionConfig p{90 * kDay, 1 << 30, 1000};
  EXPECT_EQ(names(select_for_deletion(f, 0, p, now, 850)), (std::vector<std::string>{"f1:min_free", "f2:min_free"}));
  EXPECT_TRUE(select_for_deletion(f, 0, p, now, std::nullopt).empty());
}

TEST(Retention, NeverSelectsAnythingWhenWithinPolicy) {
  int64_t now = 1000 * kDay;
  auto f = files({{3, 100}}, now);
  EXPECT_TRUE(select_for_deletion(f, 0, RetentionConfig{}, now, 1ULL << 40).empty());
  EXPECT_TRUE(select_for_deletion({}, 1ULL << 40, RetentionConfig{90 * kDay, 1, 0}, now, 0).empty());
}

}  // namespace
}  // namespace traild
