#include "tools/load/rtoc_client.hpp"

#include <algorithm>
#include <cmath>

#include "protocols/rtoc/crypto.hpp"

namespace signalbox::load {

// -- rtoc_client --------------------------------------------------------------

rtoc_client::rtoc_client(boost::asio::io_context& io,
                         boost::asio::ip::tcp::endpoint endpoint,
                         std::string host, const rtoc_credentials& credentials,
                         run_stats& stats)
    : raw_ws_client(io, endpoint, std::move(host), "/", "", stats) {
  auto hash = credentials.password.empty()
                  ? std::string{}
                  : rtoc::password_hash(credentials.password);
  if (credentials.aes)
    key_ = rtoc::aes_key(hash);
  // Without a password the node accepts any value, but it must be sent.
  authorize_ = "{\"authorize\":\"" + hash + "\"}";
}

void rtoc_client::on_open() {
  request(authorize_);
}

void rtoc_client::request(std::string_view json) {
  ++in_flight_;
  if (key_.empty())
    send_text(json);
  else
    send_text(rtoc::encrypt(key_, json));
}

void rtoc_client::on_message(std::string_view payload) {
  std::string plain;
  std::string_view text = payload;
  if (!key_.empty()) {
    auto decrypted = rtoc::decrypt(key_, payload);
    if (!decrypted) {
      // A frame we cannot read: the keys differ (a wrong password, which
      // fails the set-up); nothing after it counts.
      if (authorize_answered_)
        drop();
      else
        abandon_setup();
      return;
    }
    plain = std::move(*decrypted);
    text = plain;
  }
  auto f = reader_.read(text);
  switch (f.type) {
  case rtoc_frame::kind::authorized:
    if (!f.flag) {
      // A wrong password: the client never gets set up. Nothing is read
      // after that, so RTOC's second "authorized":false is not counted.
      abandon_setup();
      return;
    }
    authorized_ = true;
    return;
  case rtoc_frame::kind::reply:
    if (in_flight_ == 0)
      return; // not ours to count
    --in_flight_;
    if (!authorize_answered_) {
      // The node answers authorize with {"authorized":true} and then the
      // request's own reply: set up once both are in.
      authorize_answered_ = true;
      if (authorized_ && !f.flag)
        on_authorized();
      else
        abandon_setup();
      return;
    }
    on_reply(!f.flag);
    return;
  case rtoc_frame::kind::sample:
    stats().rtoc_pushes++;
    on_sample(f);
    return;
  case rtoc_frame::kind::other:
    stats().rtoc_pushes++;
    return;
  case rtoc_frame::kind::invalid:
    return;
  }
}

// -- rtoc_writer --------------------------------------------------------------

rtoc_writer::rtoc_writer(boost::asio::io_context& io,
                         boost::asio::ip::tcp::endpoint endpoint,
                         std::string host, rtoc_writer_config config,
                         run_stats& stats)
    : rtoc_client(io, endpoint, std::move(host), config.credentials, stats),
      cfg_(std::move(config)), builder_(cfg_.device, cfg_.signals),
      timer_(executor()) {}

void rtoc_writer::on_authorized() {
  set_up_ = true;
  stats().ready++;
}

void rtoc_writer::start(clock::time_point until) {
  boost::asio::dispatch(
      executor(),
      [self = std::static_pointer_cast<rtoc_writer>(shared_from_this()),
       until] {
        if (!self->set_up_)
          return; // refused or never connected: nothing to send on
        self->until_ = until;
        self->running_ = true;
        if (self->cfg_.rate <= 0) {
          // Closed loop: fill the window; each reply sends the next request.
          for (uint32_t i = 0; i < self->cfg_.window; ++i)
            self->send_batch();
          return;
        }
        auto period = std::chrono::duration<double>(1.0 / self->cfg_.rate);
        self->next_ =
            clock::now() + std::chrono::duration_cast<clock::duration>(
                               period * self->cfg_.phase);
        self->tick();
      });
}

void rtoc_writer::tick() {
  if (closing() || clock::now() >= until_ || capped()) {
    running_ = false;
    return;
  }
  if (sent_ns_.size() < cfg_.window)
    send_batch();
  else
    stats().rtoc_skipped++; // the node is slower than the rate
  auto period = std::chrono::duration<double>(1.0 / cfg_.rate);
  next_ += std::chrono::duration_cast<clock::duration>(period);
  timer_.expires_at(next_);
  timer_.async_wait([self = std::static_pointer_cast<rtoc_writer>(
                         shared_from_this())](boost::system::error_code ec) {
    if (!ec)
      self->tick();
  });
}

bool rtoc_writer::capped() const {
  return cfg_.samples > 0 && next_seq_ > cfg_.samples;
}

void rtoc_writer::send_batch() {
  if (closing() || clock::now() >= until_ || capped())
    return;
  // The last batch of a capped writer may be short.
  auto n = cfg_.batch;
  if (cfg_.samples > 0)
    n = static_cast<uint32_t>(
        std::min<uint64_t>(n, cfg_.samples - next_seq_ + 1));
  auto t = now_ns();
  request(builder_.data(next_seq_, n, t - cfg_.epoch_ns));
  next_seq_ += n;
  sent_ns_.push_back({t, n});
  stats().rtoc_requests_sent++;
  stats().rtoc_samples_sent += n;
}

void rtoc_writer::on_reply(bool ok) {
  if (sent_ns_.empty())
    return; // nothing of ours in flight: not ours to count
  auto [sent, n] = sent_ns_.front();
  auto latency = now_ns() - sent;
  sent_ns_.pop_front();
  answered_ += n;
  if (ok) {
    acked_ += n;
    stats().rtoc_requests_ok++;
    stats().rtoc_samples_acked += n;
    stats().rtoc_write.record(latency);
  } else {
    stats().rtoc_requests_failed++;
  }
  if (cfg_.samples > 0 && answered_ >= cfg_.samples)
    finished_ = true;
  if (running_ && cfg_.rate <= 0)
    send_batch();
}

// -- rtoc_subscriber ----------------------------------------------------------

rtoc_subscriber::rtoc_subscriber(
    boost::asio::io_context& io, boost::asio::ip::tcp::endpoint endpoint,
    std::string host, const std::vector<rtoc_writer_config>& writers,
    uint64_t epoch_ns, const rtoc_credentials& credentials, run_stats& stats)
    : rtoc_client(io, endpoint, std::move(host), credentials, stats),
      epoch_ns_(epoch_ns), samples_(writers.size()) {
  for (auto& w : writers) {
    device_ = w.device; // one device per run
    for (auto& s : w.signals) {
      writer_of_.emplace(s, w.pub);
      subscribe_requests_.push_back("{\"subscribe\":[\"signal\",\"" + w.device +
                                    "." + s + "\"]}");
    }
  }
}

void rtoc_subscriber::on_authorized() {
  for (auto& r : subscribe_requests_)
    request(r);
}

void rtoc_subscriber::on_reply(bool ok) {
  // One reply per subscription.
  if (subscribed_)
    return;
  if (!ok) {
    abandon_setup();
    return;
  }
  if (++subscribe_replies_ < subscribe_requests_.size())
    return;
  subscribed_ = true;
  stats().rtoc_subscribers_ready++;
  stats().ready++;
}

void rtoc_subscriber::on_sample(const rtoc_frame& f) {
  auto received = now_ns();
  if (f.device != device_)
    return; // a mirrored GPIO line, another run's writer
  name_.assign(f.signal);
  auto it = writer_of_.find(name_);
  if (it == writer_of_.end() || !(f.x >= 1) || !(f.y >= 0))
    return;
  if (!samples_.record(it->second, static_cast<uint64_t>(f.x)))
    return;
  stats().rtoc_delivered++;
  auto sent = epoch_ns_ + static_cast<uint64_t>(f.y);
  if (received >= sent)
    stats().rtoc_delivery.record(received - sent);
}

} // namespace signalbox::load
