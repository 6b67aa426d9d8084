#define CAF_SUITE load_flood_frames

#include <string>
#include <vector>

#include <caf/test/unit_test.hpp>

#include "tools/load/flood_frames.hpp"
#include "tools/load/json_stream_splitter.hpp"
#include "tools/load/ws_frames.hpp"

using namespace signalbox::load;

namespace {

const flooder_interface all_interfaces[] = {
    flooder_interface::jmri_tcp, flooder_interface::jmri_ws,
    flooder_interface::rtoc, flooder_interface::realdds};

/// An unmasked server frame with `payload` (short or 16-bit length).
std::string server_frame(uint8_t opcode, std::string_view payload) {
  std::string out;
  out.push_back(static_cast<char>(0x80 | opcode));
  if (payload.size() <= 125) {
    out.push_back(static_cast<char>(payload.size()));
  } else {
    out.push_back(126);
    out.push_back(static_cast<char>(payload.size() >> 8));
    out.push_back(static_cast<char>(payload.size() & 0xFF));
  }
  return out.append(payload);
}

/// A client frame's payload, unmasked (a frame of at most 125 bytes).
std::string unmask(std::string_view frame) {
  std::string out;
  auto n = static_cast<size_t>(static_cast<uint8_t>(frame[1]) & 0x7F);
  auto key = frame.substr(2, 4);
  for (size_t i = 0; i < n; ++i)
    out.push_back(static_cast<char>(frame[6 + i] ^ key[i % 4]));
  return out;
}

struct seen {
  uint8_t opcode;
  uint64_t length;
  std::string head;
};

/// Feeds `stream` to a scanner in pieces of `piece` bytes.
std::vector<seen> scan(std::string_view stream, size_t piece) {
  ws_frame_scanner scanner;
  std::vector<seen> out;
  for (size_t pos = 0; pos < stream.size(); pos += piece)
    scanner.feed(stream.substr(pos, piece),
                 [&](const ws_frame_scanner::frame& f) {
                   out.push_back({f.opcode, f.length, std::string{f.head}});
                 });
  return out;
}

} // namespace

CAF_TEST(a request buffer holds whole requests only) {
  auto b = repeat_request("abc", 10);
  CAF_CHECK_EQUAL(b.request_size, 3u);
  CAF_CHECK_EQUAL(b.bytes, "abcabcabcabc"); // 4 copies: at least 10 bytes
  CAF_CHECK_EQUAL(repeat_request("abc", 9).bytes, "abcabcabc");
  CAF_CHECK_EQUAL(repeat_request("abc", 0).bytes, "abc"); // once at least
  for (auto interface : all_interfaces) {
    auto f = make_flood_buffer(interface, 64 * 1024);
    CAF_CHECK_GREATER_OR_EQUAL(f.bytes.size(), 64u * 1024);
    CAF_CHECK_LESS(f.bytes.size(), 64u * 1024 + f.request_size);
    CAF_CHECK_EQUAL(f.bytes.size() % f.request_size, 0u);
  }
}

CAF_TEST(raw tcp requests are json values back to back) {
  auto b = make_flood_buffer(flooder_interface::jmri_tcp, 1000);
  CAF_CHECK_EQUAL(b.request_size,
                  flood_request(flooder_interface::jmri_tcp).size());
  json_stream_splitter splitter;
  size_t pings = 0;
  CAF_CHECK(splitter.feed(b.bytes, [&](std::string_view v) {
    CAF_CHECK_EQUAL(v, R"({"type":"ping"})");
    ++pings;
  }));
  CAF_CHECK_EQUAL(pings, b.bytes.size() / b.request_size);
}

CAF_TEST(websocket requests are masked text frames of the request) {
  for (auto interface : {flooder_interface::jmri_ws, flooder_interface::rtoc,
                         flooder_interface::realdds}) {
    CAF_CHECK(flood_over_websocket(interface));
    auto b = make_flood_buffer(interface, 4096);
    auto json = flood_request(interface);
    // Header, mask key, payload.
    CAF_REQUIRE_EQUAL(b.request_size, 2 + 4 + json.size());
    for (size_t pos = 0; pos < b.bytes.size(); pos += b.request_size) {
      std::string_view frame{b.bytes.data() + pos, b.request_size};
      CAF_CHECK_EQUAL(static_cast<uint8_t>(frame[0]), 0x81); // FIN, text
      CAF_CHECK_EQUAL(static_cast<uint8_t>(frame[1]), 0x80 | json.size());
      CAF_CHECK_EQUAL(unmask(frame), json);
    }
    CAF_CHECK_EQUAL(b.bytes.substr(0, b.request_size),
                    ws::masked_frame(0x1, json, flood_mask));
  }
  CAF_CHECK(!flood_over_websocket(flooder_interface::jmri_tcp));
}

CAF_TEST(the requests are the ones the node answers) {
  CAF_CHECK_EQUAL(flood_request(flooder_interface::jmri_tcp),
                  R"({"type":"ping"})");
  CAF_CHECK_EQUAL(flood_request(flooder_interface::rtoc),
                  R"({"getPluginList":true})");
  CAF_CHECK_EQUAL(flood_request(flooder_interface::realdds),
                  R"({"id":"query-options","sensor-name":"flood"})");
  CAF_CHECK_EQUAL(flood_reply_prefix(flooder_interface::jmri_ws),
                  R"({"type":"pong")");
  CAF_CHECK_EQUAL(flood_reply_prefix(flooder_interface::rtoc), R"({"error")");
  CAF_CHECK_EQUAL(flood_reply_prefix(flooder_interface::realdds),
                  R"({"control")");
}

CAF_TEST(every cut of a frame stream gives the same frames) {
  std::string long_payload(300, 'x');
  long_payload.replace(0, 8, R"({"error")");
  auto stream = server_frame(0x1, R"({"type":"pong"})") +
                server_frame(0x1, "") + server_frame(0x2, long_payload) +
                server_frame(0x9, "hi") +
                server_frame(0x8, std::string{"\x03\xf0", 2} + "slow consumer");
  for (size_t piece = 1; piece <= stream.size(); ++piece) {
    auto frames = scan(stream, piece);
    CAF_REQUIRE_EQUAL(frames.size(), 5u);
    CAF_CHECK_EQUAL(frames[0].head, R"({"type":"pong"})");
    CAF_CHECK_EQUAL(frames[1].length, 0u);
    CAF_CHECK_EQUAL(frames[1].head, "");
    // Only the first bytes of a long payload are kept.
    CAF_CHECK_EQUAL(frames[2].opcode, 0x2);
    CAF_CHECK_EQUAL(frames[2].length, 300u);
    CAF_CHECK_EQUAL(frames[2].head, long_payload.substr(0, 125));
    CAF_CHECK_EQUAL(frames[3].opcode, 0x9);
    CAF_CHECK_EQUAL(frames[4].opcode, 0x8);
    CAF_CHECK_EQUAL(ws_close_reason(frames[4].head), "ws 1008 slow consumer");
  }
}

CAF_TEST(a 64 bit length is read) {
  std::string frame{"\x81\x7f\0\0\0\0\0\0\0\x03"
                    "abc",
                    13};
  auto frames = scan(frame + server_frame(0x1, "d"), 2);
  CAF_REQUIRE_EQUAL(frames.size(), 2u);
  CAF_CHECK_EQUAL(frames[0].length, 3u);
  CAF_CHECK_EQUAL(frames[0].head, "abc");
  CAF_CHECK_EQUAL(frames[1].head, "d");
}

CAF_TEST(a masked or extended frame breaks the stream) {
  ws_frame_scanner scanner;
  size_t frames = 0;
  auto count = [&](const ws_frame_scanner::frame&) { ++frames; };
  CAF_CHECK(scanner.feed(server_frame(0x1, "ok"), count));
  CAF_CHECK(!scanner.feed(ws::masked_frame(0x1, "no", 1), count));
  CAF_CHECK(scanner.failed());
  CAF_CHECK(!scanner.feed(server_frame(0x1, "ignored"), count));
  CAF_CHECK_EQUAL(frames, 1u);
  ws_frame_scanner rsv;
  CAF_CHECK(!rsv.feed(std::string{"\xc1\x00", 2}, count)); // RSV1
}

CAF_TEST(close reasons say the code and the reason) {
  CAF_CHECK_EQUAL(ws_close_reason(""), "ws");
  CAF_CHECK_EQUAL(ws_close_reason(std::string{"\x03\xe9", 2}), "ws 1001");
  CAF_CHECK_EQUAL(ws_close_reason(std::string{"\x03\xf1", 2} + "too big"),
                  "ws 1009 too big");
}
