// `.env` loading (the quickstarts' load_dotenv(find_dotenv(), override=True)).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "test_support.hpp"

namespace approov::test {
namespace {

namespace fs = std::filesystem;

class DotenvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "approov-dotenv-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& text, const std::string& name = ".env") {
    const fs::path path = fs::path(dir_) / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }

  static std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v == nullptr ? "<unset>" : v;
  }

  std::string dir_;
};

TEST_F(DotenvTest, ParsesTheUsualForms) {
  ScopedEnv guards[] = {{"ADT_A", nullptr}, {"ADT_B", nullptr}, {"ADT_C", nullptr},
                        {"ADT_D", nullptr}, {"ADT_E", nullptr}, {"ADT_F", nullptr},
                        {"ADT_G", nullptr}, {"ADT_H", nullptr}, {"ADT_I", nullptr}};
  const std::string path = write(
      "# a comment line\n"
      "\n"
      "export ADT_A=exported\n"
      "ADT_B=plain # trailing comment\n"
      "ADT_C=\"double # not a comment\"\n"
      "ADT_D='single \"quoted\"'\n"
      "ADT_E=\n"
      "  ADT_F  =  spaced  \n"
      "ADT_G=h+CX0tOzdAAR9l15bWAqvq7w==\n"
      "ADT_H=crlf\r\n"
      "ADT_I=\"quoted\" # comment after quotes\n");
  auto n = load_dotenv(path);
  ASSERT_TRUE(n) << n.error();
  EXPECT_EQ(n.value(), 9);
  EXPECT_EQ(env("ADT_A"), "exported");
  EXPECT_EQ(env("ADT_B"), "plain");
  EXPECT_EQ(env("ADT_C"), "double # not a comment");
  EXPECT_EQ(env("ADT_D"), "single \"quoted\"");
  EXPECT_EQ(env("ADT_E"), "");
  EXPECT_EQ(env("ADT_F"), "spaced");
  EXPECT_EQ(env("ADT_G"), "h+CX0tOzdAAR9l15bWAqvq7w==");  // '=' inside values is kept
  EXPECT_EQ(env("ADT_H"), "crlf");
  EXPECT_EQ(env("ADT_I"), "quoted");
}

TEST_F(DotenvTest, OverridesExistingVariables) {
  ScopedEnv guard("ADT_OVERRIDE", "old");
  auto n = load_dotenv(write("ADT_OVERRIDE=new\n"));
  ASSERT_TRUE(n) << n.error();
  EXPECT_EQ(env("ADT_OVERRIDE"), "new");
}

TEST_F(DotenvTest, MalformedLineNamesTheLineNotTheValue) {
  ScopedEnv guard("ADT_OK", nullptr);
  struct Case {
    const char* text;
    const char* secret_part;
  };
  for (const Case& c :
       {Case{"ADT_OK=1\nthis line has no equals SECRETVALUE123\n", "SECRETVALUE123"},
        Case{"ADT_OK=1\nBAD KEY=SECRETVALUE123\n", "SECRETVALUE123"},
        Case{"ADT_OK=1\nADT_X=\"SECRETVALUE123\n", "SECRETVALUE123"},
        Case{"ADT_OK=1\nADT_X='SECRETVALUE123' trailing\n", "SECRETVALUE123"},
        Case{"ADT_OK=1\n1ADT=SECRETVALUE123\n", "SECRETVALUE123"}}) {
    auto n = load_dotenv(write(c.text));
    ASSERT_FALSE(n) << c.text;
    EXPECT_NE(n.error().find("line 2"), std::string::npos) << n.error();
    EXPECT_EQ(n.error().find(c.secret_part), std::string::npos) << n.error();
    EXPECT_EQ(n.error().find("SECRET"), std::string::npos) << n.error();
  }
}

TEST_F(DotenvTest, MissingFileIsAnError) {
  auto n = load_dotenv(dir_ + "/does-not-exist.env");
  ASSERT_FALSE(n);
  EXPECT_NE(n.error().find("does-not-exist.env"), std::string::npos);
}

TEST_F(DotenvTest, FindDotenvSearchesParentDirectories) {
  const std::string path = write("ADT_FOUND=1\n");
  fs::create_directories(fs::path(dir_) / "a" / "b");
  const auto found = find_dotenv((fs::path(dir_) / "a" / "b").string());
  ASSERT_TRUE(found);
  EXPECT_EQ(fs::canonical(*found), fs::canonical(path));
  ScopedEnv guard("ADT_FOUND", nullptr);
  auto n = load_dotenv_if_present((fs::path(dir_) / "a").string());
  ASSERT_TRUE(n) << n.error();
  EXPECT_EQ(n.value(), 1);
  EXPECT_EQ(env("ADT_FOUND"), "1");
}

TEST_F(DotenvTest, RelativeStartDirectoryIsResolvedFromTheWorkingDirectory) {
  const std::string path = write("ADT_REL=1\n");
  fs::create_directories(fs::path(dir_) / "sub" / "deeper");
  const fs::path old_cwd = fs::current_path();
  fs::current_path(dir_);
  const auto from_sub = find_dotenv("sub/deeper");
  const auto from_dot = find_dotenv(".");
  fs::current_path(old_cwd);
  ASSERT_TRUE(from_sub);
  EXPECT_EQ(fs::canonical(*from_sub), fs::canonical(path));
  ASSERT_TRUE(from_dot);
  EXPECT_EQ(fs::canonical(*from_dot), fs::canonical(path));
}

TEST_F(DotenvTest, NoFileIsNotAnError) {
  fs::create_directories(fs::path(dir_) / "empty");
  const std::string start = (fs::path(dir_) / "empty").string();
  if (find_dotenv(start)) GTEST_SKIP() << "a parent directory of the temp dir has a .env";
  auto n = load_dotenv_if_present(start);
  ASSERT_TRUE(n) << n.error();
  EXPECT_EQ(n.value(), 0);
}

TEST_F(DotenvTest, SecretFromADotenvFileVerifiesTheQuickstartToken) {
  ScopedEnv a("APPROOV_BASE64_SECRET", nullptr);
  ScopedEnv b("APPROOV_BASE64URL_SECRET", nullptr);
  auto n = load_dotenv(write("APPROOV_BASE64_SECRET=" + data("APPROOV_BASE64_SECRET") + "\n"));
  ASSERT_TRUE(n) << n.error();
  auto secret = secret_from_environment();
  ASSERT_TRUE(secret) << secret.error();
  VerifierConfig config;
  config.secrets.push_back(std::move(secret).value());
  auto v = TokenVerifier::create(std::move(config));
  ASSERT_TRUE(v) << v.error();
  EXPECT_EQ(v.value().verify(data("TOKEN_SMALL"), kNow).reason(), Reason::ok);
}

}  // namespace
}  // namespace approov::test
