// Every header form in shared/wire/ (the records below are copied from those captures of
// real clients), plus the malformed headers a hostile or broken sender may produce.
#include "daemon/syslog_header.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace traild {
namespace {

using Format = SyslogHeader::Format;

struct Case {
  const char* name;
  std::string record;
  Format format;
  int priority;
  std::string hostname, appname, procid, msgid, structured_data;
  std::string msg;
  int version = 0;
};

class SyslogHeaderCases : public ::testing::TestWithParam<Case> {};

TEST_P(SyslogHeaderCases, Decodes) {
  const Case& c = GetParam();
  SyslogHeader h;
  std::string_view msg;
  std::string error;
  ASSERT_TRUE(decode_syslog(c.record, h, msg, error)) << error;
  EXPECT_EQ(h.format, c.format);
  EXPECT_EQ(h.priority, c.priority);
  EXPECT_EQ(h.hostname, c.hostname);
  EXPECT_EQ(h.appname, c.appname);
  EXPECT_EQ(h.procid, c.procid);
  EXPECT_EQ(h.msgid, c.msgid);
  EXPECT_EQ(h.structured_data, c.structured_data);
  EXPECT_EQ(h.version, c.version);
  EXPECT_EQ(msg, c.msg);
}

const std::string kJson = R"({"id":1})";

INSTANTIATE_TEST_SUITE_P(
    Wire, SyslogHeaderCases,
    ::testing::Values(
        Case{"raw_json", kJson, Format::None, -1, "", "", "", "", "", kJson},
        Case{"pri_only_python", R"(<14>{"id": 10})", Format::PriOnly, 14, "", "", "", "", "", R"({"id": 10})"},
        Case{"rfc3164_local", "<13>Nov 21 20:48:41 root: " + kJson, Format::Rfc3164, 13, "", "root", "", "", "", kJson},
        Case{"rfc3164_hostname", "<156>Nov 21 20:48:41 vm audittag: " + kJson, Format::Rfc3164, 156, "vm", "audittag", "",
             "", "", kJson},
        Case{"rfc3164_day_padded", "<13>Mar  5 07:08:09 padtest: " + kJson, Format::Rfc3164, 13, "", "padtest", "", "",
             "", kJson},
        Case{"rfc3164_day_padded_host", "<13>Mar  5 07:08:09 vm padtest: " + kJson, Format::Rfc3164, 13, "vm", "padtest",
             "", "", "", kJson},
        Case{"rfc3164_pid", "<13>Nov 21 21:18:52 tag[4242]: " + kJson, Format::Rfc3164, 13, "", "tag", "4242", "", "",
             kJson},
        Case{"rfc3164_host_pid", "<13>Nov 21 21:18:52 vm tag[4242]: " + kJson, Format::Rfc3164, 13, "vm", "tag", "4242",
             "", "", kJson},
        Case{"rfc3164_cee", "<13>Nov 21 20:51:12 vm audittag: @cee:" + kJson, Format::Rfc3164, 13, "vm", "audittag", "",
             "", "", kJson},
        Case{"rfc3164_cee_space", "<164>Nov 21 20:52:06 perlaudit[17966]: @cee: " + kJson, Format::Rfc3164, 164, "",
             "perlaudit", "17966", "", "", kJson},
        Case{"rfc3164_host_then_json", "<12>Nov 21 20:51:12 vm " + kJson + " ", Format::Rfc3164, 12, "vm", "", "", "", "",
             kJson + " "},
        Case{"rsyslog_tag_without_colon", "<173>Nov 21 20:51:12 vm imfiletag " + kJson, Format::Rfc3164, 173, "vm",
             "imfiletag", "", "", "", kJson},
        Case{"syslog_ng_iso", "<38>2026-11-21T20:52:41 localhost prg00000[1234]: " + kJson, Format::Rfc3164, 38,
             "localhost", "prg00000", "1234", "", "", kJson},
        Case{"python_asctime", "<12>2026-03-05 07:08:09,886 myapp: " + kJson, Format::Rfc3164, 12, "", "myapp", "", "",
             "", kJson},
        Case{"rfc5424_nil", "<37>1 2026-11-21T20:51:12.181095+00:00 vm audittag - - -  " + kJson, Format::Rfc5424, 37,
             "vm", "audittag", "", "", "", kJson, 1},
        Case{"rfc5424_cee", "<13>1 2026-11-21T20:51:12.186191+00:00 vm audittag - - -  @cee:" + kJson, Format::Rfc5424,
             13, "vm", "audittag", "", "", "", kJson, 1},
        Case{"rfc5424_sd", "<13>1 2026-11-21T20:52:27.685983+00:00 vm audittag - LOGIN [timeQuality tzKnown=\"1\" "
                           "isSynced=\"0\"][zoo@123 tiger=\"hungry\"] " + kJson,
             Format::Rfc5424, 13, "vm", "audittag", "", "LOGIN",
             "[timeQuality tzKnown=\"1\" isSynced=\"0\"][zoo@123 tiger=\"hungry\"]", kJson, 1},
        Case{"rfc5424_procid", "<13>1 2026-11-21T21:18:52.708809+00:00 vm tag 17552 - [timeQuality tzKnown=\"1\" "
                               "isSynced=\"0\"] " + kJson,
             Format::Rfc5424, 13, "vm", "tag", "17552", "", "[timeQuality tzKnown=\"1\" isSynced=\"0\"]", kJson, 1},
        Case{"rfc5424_long_msgid", "<13>1 2026-11-21T21:18:52.711453+00:00 vm tag - WAY-TOO-LONG-MSGID-0123456789012345 - " +
                                       kJson,
             Format::Rfc5424, 13, "vm", "tag", "", "WAY-TOO-LONG-MSGID-0123456789012345", "", kJson, 1},
        Case{"rfc5424_bom", "<38>1 2026-11-21T20:52:41+00:00 localhost prg00000 1234 - - \xEF\xBB\xBF" + kJson,
             Format::Rfc5424, 38, "localhost", "prg00000", "1234", "", "", kJson, 1},
        Case{"rfc5424_no_msg", "<13>1 - - - - - -", Format::Rfc5424, 13, "", "", "", "", "", "", 1},
        Case{"pri_zero", "<0>" + kJson, Format::PriOnly, 0, "", "", "", "", "", kJson},
        Case{"pri_max", "<191>" + kJson, Format::PriOnly, 191, "", "", "", "", "", kJson}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(SyslogHeader, RejectsMalformedHeadersWithAReason) {
  for (std::string bad : std::vector<std::string>{"<192>{}", "<>{}", "<013>{}", "<1234>{}", "<13{}", "<x>{}", "<", "<13>1 2026-11-21T00:00:00Z vm",
                          "<13>1 2026-11-21T00:00:00Z vm app - - [broken {}", "<13>1 - - - - - [id k=\"v\"{}",
                          "<13>1 - - - - - [id k=v] {}", std::string("<13>Nov 21 20:48:41 h\xff\xfe: {}")}) {
    SyslogHeader h;
    std::string_view msg;
    std::string error;
    EXPECT_FALSE(decode_syslog(bad, h, msg, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(SyslogHeader, NonJsonMessageIsLeftForTheCallerToJudge) {
  SyslogHeader h;
  std::string_view msg;
  std::string error;
  ASSERT_TRUE(decode_syslog("<13>Nov 21 20:48:54 deftype: to-dgram", h, msg, error));
  EXPECT_EQ(h.appname, "deftype");
  EXPECT_EQ(msg, "to-dgram");
}

std::string fields_of(const std::string& record) {
  SyslogHeader h;
  std::string_view msg;
  std::string error;
  EXPECT_TRUE(decode_syslog(record, h, msg, error)) << error;
  std::string out;
  append_syslog_fields(h, out);
  return out;
}

TEST(SyslogHeader, EcsFieldsIncludeNamesAndStructuredData) {
  EXPECT_EQ(fields_of("<13>1 2026-11-21T20:52:27Z vm audittag 42 LOGIN [timeQuality tzKnown=\"1\"][zoo@123 tiger=\"hungry\"] {}"),
            R"({"priority":13,"facility":{"code":1,"name":"user"},"severity":{"code":5,"name":"Notice"},)"
            R"("hostname":"vm","appname":"audittag","procid":"42","msgid":"LOGIN","structured_data":{"timeQuality":)"
            R"({"tzKnown":"1"},"zoo@123":{"tiger":"hungry"}},"version":"1"})");
  EXPECT_EQ(fields_of("<134>{}"),
            R"({"priority":134,"facility":{"code":16,"name":"local0"},"severity":{"code":6,"name":"Informational"}})");
}

TEST(SyslogHeader, StructuredDataEscapesAndRepeatedParams) {
  EXPECT_EQ(fields_of(R"(<0>1 - - - - - [a q="x\"y\]z\\" b="1" b="2"][a dup="ignored"][c] {})"),
            R"({"priority":0,"facility":{"code":0,"name":"kern"},"severity":{"code":0,"name":"Emergency"},)"
            R"("structured_data":{"a":{"q":"x\"y]z\\","b":["1","2"]},"c":{}},"version":"1"})");
}

}  // namespace
}  // namespace traild
