#include "protocols/rtoc/session.hpp"

#include <boost/asio/post.hpp>

namespace signalbox::rtoc {

/// The transport the connection writes through. It holds the session
/// weakly: the session owns the connection, not the other way round.
class session::adapter : public transport {
public:
  explicit adapter(std::weak_ptr<session> s) : session_(std::move(s)) {
    // nop
  }

  void write(shared_frame text) override {
    if (auto s = session_.lock()) {
      std::string_view bytes{*text};
      s->send({std::move(text), bytes});
    }
  }

  void write_all(const shared_frames& frames) override {
    auto s = session_.lock();
    if (!s)
      return;
    // Queued together, flushed once: one sendmsg for the lot.
    std::shared_ptr<http::ws_session> queued;
    for (auto& f : frames) {
      std::string_view bytes{*f};
      if (auto q = s->queue_frame({f, bytes}))
        queued = std::move(q);
    }
    if (queued)
      queued->flush_soon();
  }

  void post(std::function<void()> fn) override {
    if (auto s = session_.lock())
      boost::asio::post(s->executor(), std::move(fn));
  }

  void pause_input() override {
    if (auto s = session_.lock())
      s->pause_reading();
  }

  void resume_input() override {
    if (auto s = session_.lock())
      s->resume_reading();
  }

private:
  std::weak_ptr<session> session_;
};

session::session(http::wire&& stream, net_options limits,
                 std::shared_ptr<http::session_registry> sessions,
                 std::shared_ptr<const session_settings> settings,
                 std::string peer)
    : ws_session(std::move(stream), std::move(limits), std::move(sessions)),
      settings_(std::move(settings)), peer_(std::move(peer)) {
  // nop
}

void session::on_open() {
  auto self = std::static_pointer_cast<session>(shared_from_this());
  conn_ = std::make_shared<connection>(settings_,
                                       std::make_shared<adapter>(self), peer_);
  conn_->on_open();
}

void session::on_message(std::string_view text) {
  conn_->on_text(text);
}

void session::on_binary_message(std::string_view) {
  conn_->on_binary();
}

void session::on_closed() {
  if (conn_)
    conn_->on_closed();
  conn_.reset();
}

} // namespace signalbox::rtoc
