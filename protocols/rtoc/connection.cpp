#include "protocols/rtoc/connection.hpp"

#include <chrono>

#include <boost/asio/ip/address.hpp>
#include <caf/send.hpp>

#include "core/errors.hpp"
#include "protocols/rtoc/codec.hpp"
#include "protocols/rtoc/crypto.hpp"
#include "protocols/toolkit/ask.hpp"

namespace signalbox::rtoc {

namespace {

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

} // namespace

bool whitelisted(const std::vector<std::string>& whitelist,
                 const std::string& peer) {
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(peer, ec);
  for (auto& entry : whitelist) {
    if (entry == peer)
      return true;
    if (entry == "localhost" && !ec && addr.is_loopback())
      return true;
  }
  return false;
}

connection::connection(std::shared_ptr<const session_settings> settings,
                       std::shared_ptr<transport> t, const std::string& peer)
    : settings_(std::move(settings)), transport_(std::move(t)),
      encrypted_(!settings_->password_hash.empty() &&
                 !whitelisted(settings_->whitelist, peer)),
      authorized_(settings_->password_hash.empty()),
      requests_(
          settings_->max_pending_requests, settings_->max_pending_bytes,
          [this](std::string& frame) { return handle(frame); },
          [this](bool paused) {
            paused ? transport_->pause_input() : transport_->resume_input();
          }) {
  // nop
}

void connection::on_open() {
  std::weak_ptr<connection> weak = shared_from_this();
  // Pushes arrive on the sender's thread.
  sink_.open(*settings_->sys, [weak](const shared_frames& frames) {
    if (auto c = weak.lock())
      c->push(frames);
  });
  caf::anon_send(settings_->directory, rtoc_connect_atom_v, sink_.sink());
}

void connection::on_text(std::string_view text) {
  requests_.push(std::string{text});
}

void connection::on_binary() {
  answer(error_reply());
}

void connection::on_closed() {
  requests_.stop();
  sink_.retire(); // the directory sees it go down
}

bool connection::handle(std::string& frame) {
  std::string text;
  if (encrypted_) {
    auto plain = decrypt(settings_->aes_key, frame);
    if (!plain) {
      answer(error_reply());
      return true;
    }
    text = std::move(*plain);
  } else {
    text = std::move(frame);
  }
  auto req = parse_request(text, now_seconds());
  if (!req) {
    answer(error_reply());
    return true;
  }
  if (req->authorize && !authorize(*req->authorize))
    return true;
  if (!authorized_) {
    write(authorized_reply(false));
    return true;
  }
  ask_and_post<std::string>(
      *settings_->sys, settings_->directory, settings_->request_timeout,
      transport_, weak_from_this(),
      [](connection& c, std::string& reply) {
        c.write(reply);
        c.requests_.resume();
      },
      [](connection& c, caf::error&) {
        c.write(error_reply());
        c.requests_.resume();
      },
      rtoc_request_atom_v,
      request_ptr{std::make_shared<const request>(std::move(*req))},
      sink_.sink());
  return false;
}

bool connection::authorize(const std::string& hash) {
  auto& s = *settings_;
  // No password, or a whitelisted peer: any value is accepted, but it must
  // be sent.
  bool ok = s.password_hash.empty() || !encrypted_ ||
            equal_constant_time(hash, s.password_hash);
  authorized_ = ok;
  write(authorized_reply(ok));
  if (!ok)
    write(authorized_reply(false)); // RTOC says it twice
  return ok;
}

void connection::write(const std::string& text) {
  transport_->write(
      make_shared_frame(encrypted_ ? encrypt(settings_->aes_key, text) : text));
}

void connection::answer(const std::string& text) {
  write(authorized_ ? text : authorized_reply(false));
}

void connection::push(const shared_frames& frames) {
  // RTOC pushes to authorized clients only (quietAuth).
  if (!authorized_)
    return;
  if (encrypted_)
    for (auto& f : frames)
      write(*f); // a fresh IV per frame: a ciphertext per client
  else
    transport_->write_all(frames); // the encoding every subscriber shares
}

} // namespace signalbox::rtoc
