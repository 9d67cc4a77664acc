// .env reloads (core/dotenv_reload.hpp): each load acts as if it were the first.
#include "core/dotenv_reload.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "test_files.hpp"

namespace approov::authd {
namespace {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::nullopt : std::optional<std::string>(v);
}

TEST(DotenvReload, ARemovedOrRenamedVariableIsNotKept) {
  test::TempDir dir;
  ::unsetenv("AUTHD_UNIT_A");
  ::unsetenv("AUTHD_UNIT_B");
  const std::string file = dir.write(".env", "AUTHD_UNIT_A=1\n");
  DotenvReload dotenv;
  ASSERT_TRUE(dotenv.reload(file));
  EXPECT_EQ(env("AUTHD_UNIT_A"), "1");
  dir.write(".env", "AUTHD_UNIT_B=2\n");  // renamed
  ASSERT_TRUE(dotenv.reload(file));
  EXPECT_EQ(env("AUTHD_UNIT_A"), std::nullopt);
  EXPECT_EQ(env("AUTHD_UNIT_B"), "2");
  dir.write(".env", "");
  ASSERT_TRUE(dotenv.reload(file));
  EXPECT_EQ(env("AUTHD_UNIT_B"), std::nullopt);
}

TEST(DotenvReload, ARemovedVariableFallsBackToTheProcessEnvironment) {
  test::TempDir dir;
  ::setenv("AUTHD_UNIT_C", "from-process", 1);
  const std::string file = dir.write(".env", "AUTHD_UNIT_C=from-file\n");
  DotenvReload dotenv;
  ASSERT_TRUE(dotenv.reload(file));
  EXPECT_EQ(env("AUTHD_UNIT_C"), "from-file");  // .env overrides, as the quickstarts do
  dir.write(".env", "AUTHD_UNIT_C=changed\n");
  ASSERT_TRUE(dotenv.reload(file));
  EXPECT_EQ(env("AUTHD_UNIT_C"), "changed");
  dir.write(".env", "# gone\n");
  ASSERT_TRUE(dotenv.reload(file));
  EXPECT_EQ(env("AUTHD_UNIT_C"), "from-process");
  ::unsetenv("AUTHD_UNIT_C");
}

TEST(DotenvReload, AnUnreadableFileIsAnErrorAndSnapshotsSeeTheEnvironment) {
  test::TempDir dir;
  DotenvReload dotenv;
  EXPECT_FALSE(dotenv.reload(dir.path("missing.env")));
  ::setenv("AUTHD_UNIT_D", "x=y", 1);
  const auto snapshot = environment_snapshot();
  ASSERT_EQ(snapshot.count("AUTHD_UNIT_D"), 1u);
  EXPECT_EQ(snapshot.at("AUTHD_UNIT_D"), "x=y");
  ::unsetenv("AUTHD_UNIT_D");
}

}  // namespace
}  // namespace approov::authd
