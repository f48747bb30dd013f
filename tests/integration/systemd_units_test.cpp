// The shipped systemd units: systemd-analyze verifies them, and rates the service's
// exposure at most 2.0 ("OK" or better). ExecStart is pointed at the built binary, which
// verify checks exists.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "harness.hpp"

namespace traild::test {
namespace {

class SystemdUnits : public ::testing::Test {
 protected:
  void SetUp() override {
    if (run_command("command -v systemd-analyze").exit_code != 0) GTEST_SKIP() << "systemd-analyze is not installed";
    dir = fs::temp_directory_path() / ("traild-units-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const fs::path src = fs::path(TRAILD_SOURCE_DIR) / "systemd";
    std::string service = read_file(src / "traild.service");
    service.replace(service.find("/usr/sbin/traild"), 16, TRAILD_BIN);
    std::ofstream(dir / "traild.service") << service;
    fs::copy_file(src / "traild.socket", dir / "traild.socket");
  }
  void TearDown() override { fs::remove_all(dir); }
  fs::path dir;
};

TEST_F(SystemdUnits, VerifyFindsNothingToReport) {
  auto r = run_command("systemd-analyze verify " + (dir / "traild.socket").string() + " " +
                       (dir / "traild.service").string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "");
}

TEST_F(SystemdUnits, ServiceExposureIsAtMostTwo) {
  auto r = run_command("systemd-analyze security --offline=yes " + (dir / "traild.service").string());
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.output, m, std::regex("Overall exposure level for traild.service: ([0-9.]+)")))
      << r.output;
  EXPECT_LE(std::stod(m[1]), 2.0) << r.output;
}

}  // namespace
}  // namespace traild::test
