#define CAF_SUITE load_ws_frames

#include <string>

#include <caf/test/unit_test.hpp>

#include "tools/load/ws_frames.hpp"

using namespace signalbox::load;

namespace {

std::string unmasked(std::string head, std::string_view payload) {
  return head.append(payload);
}

} // namespace

CAF_TEST(the accept value is RFC 6455's example) {
  CAF_CHECK_EQUAL(ws::expected_accept("dGhlIHNhbXBsZSBub25jZQ=="),
                  "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

CAF_TEST(the upgrade request offers the protocol and the key) {
  auto req = ws::upgrade_request("h:1", "/", "ttmnotify", "KEY");
  CAF_CHECK_EQUAL(req, "GET / HTTP/1.1\r\nHost: h:1\r\nUpgrade: websocket\r\n"
                       "Connection: Upgrade\r\nSec-WebSocket-Key: KEY\r\n"
                       "Sec-WebSocket-Version: 13\r\n"
                       "Sec-WebSocket-Protocol: ttmnotify\r\n\r\n");
}

CAF_TEST(only a 101 with the right accept value opens the connection) {
  auto key = "dGhlIHNhbXBsZSBub25jZQ==";
  CAF_CHECK_EQUAL(ws::check_upgrade_response(
                      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket"
                      "\r\nsec-websocket-ACCEPT:  s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
                      "\r\n\r\n",
                      key),
                  "");
  CAF_CHECK_NOT_EQUAL(
      ws::check_upgrade_response(
          "HTTP/1.1 101 OK\r\nSec-WebSocket-Accept: x\r\n\r\n", key),
      "");
  CAF_CHECK_NOT_EQUAL(
      ws::check_upgrade_response("HTTP/1.1 400 Bad Request\r\n\r\n", key), "");
  CAF_CHECK_NOT_EQUAL(
      ws::check_upgrade_response("HTTP/1.1 101 OK\r\n\r\n", key), "");
}

CAF_TEST(server frames of every length encoding parse) {
  auto small = unmasked("\x81\x03", "abc");
  auto f = ws::parse_server_frame(small);
  CAF_CHECK(f.state == ws::server_frame::status::complete);
  CAF_CHECK_EQUAL(f.opcode, 1);
  CAF_CHECK(f.fin);
  CAF_CHECK_EQUAL(f.payload, "abc");
  CAF_CHECK_EQUAL(f.consumed, 5u);
  std::string mid(300, 'm');
  auto medium = unmasked(std::string{"\x82\x7e\x01\x2c", 4}, mid);
  f = ws::parse_server_frame(medium);
  CAF_CHECK_EQUAL(f.payload, mid);
  CAF_CHECK_EQUAL(f.opcode, 2);
  std::string big(70000, 'b');
  auto large = unmasked(std::string{"\x01\x7f\0\0\0\0\0\x01\x11\x70", 10}, big);
  f = ws::parse_server_frame(large);
  CAF_CHECK_EQUAL(f.payload.size(), big.size());
  CAF_CHECK(!f.fin);
  // Every strict prefix is incomplete.
  for (size_t n = 0; n < medium.size(); ++n)
    CAF_CHECK(
        ws::parse_server_frame(std::string_view{medium}.substr(0, n)).state ==
        ws::server_frame::status::incomplete);
  // Two frames in one read: the first is taken alone.
  f = ws::parse_server_frame(small + small);
  CAF_CHECK_EQUAL(f.consumed, 5u);
}

CAF_TEST(masked or extended server frames are invalid) {
  CAF_CHECK(ws::parse_server_frame(std::string{"\x81\x81\0\0\0\0x", 7}).state ==
            ws::server_frame::status::invalid);
  CAF_CHECK(ws::parse_server_frame("\xc1\x01x").state ==
            ws::server_frame::status::invalid);
}

CAF_TEST(client frames are masked with the given key) {
  auto frame = ws::masked_frame(0xA, "ping!", 0x01020304);
  CAF_REQUIRE_EQUAL(frame.size(), 2u + 4u + 5u);
  CAF_CHECK_EQUAL(static_cast<uint8_t>(frame[0]), 0x8A);
  CAF_CHECK_EQUAL(static_cast<uint8_t>(frame[1]), 0x80 | 5);
  std::string payload;
  for (size_t i = 0; i < 5; ++i)
    payload.push_back(static_cast<char>(frame[6 + i] ^ frame[2 + i % 4]));
  CAF_CHECK_EQUAL(payload, "ping!");
  auto long_frame = ws::masked_frame(0x1, std::string(200, 'x'), 0);
  CAF_CHECK_EQUAL(static_cast<uint8_t>(long_frame[1]), 0x80 | 126);
  CAF_CHECK_EQUAL(long_frame.size(), 4u + 4u + 200u);
}
