#include "tools/load/rest_writer.hpp"

#include <rapidjson/document.h>
#include <rapidjson/writer.h>

#include "tools/load/stamp.hpp"
#include "tools/load/tcp_connect.hpp"

namespace signalbox::load {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

std::string value_body(const std::string& text, bool persistent) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.StartObject();
  w.Key("value");
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  w.Key("persistent");
  w.Bool(persistent);
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

std::string message_body(const std::string& text) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.StartObject();
  w.Key("message");
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  w.Key("type");
  w.String("info");
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

} // namespace

rest_writer::rest_writer(boost::asio::io_context& io,
                         boost::asio::ip::tcp::endpoint endpoint,
                         rest_writer_config cfg, run_stats& stats)
    : stream_(boost::asio::make_strand(io)), timer_(stream_.get_executor()),
      endpoint_(endpoint), cfg_(std::move(cfg)), stats_(stats),
      interval_(std::chrono::duration_cast<clock::duration>(
          std::chrono::duration<double>(1.0 / cfg_.rate))) {}

void rest_writer::connect() {
  connect_tcp(stream_.tcp(), endpoint_, stats_,
              [self = shared_from_this()](beast::error_code ec) {
                if (ec) {
                  self->on_connect(ec);
                  return;
                }
                self->stream_.async_handshake([self](beast::error_code tls_ec) {
                  self->on_connect(tls_ec);
                });
              });
}

void rest_writer::on_connect(beast::error_code ec) {
  if (ec || closing_) {
    stats_.connects_failed++;
    broken_ = true;
    return;
  }
  stats_.connects_made++;
  stats_.open++;
  connected_ = true;
  if (cfg_.line)
    read_initial_gpio();
  else
    stats_.ready++;
}

void rest_writer::read_initial_gpio() {
  request req{http::verb::get, "/api/gpios/" + cfg_.line->line(), 11};
  exchange(std::move(req), [self = shared_from_this()](beast::error_code ec) {
    if (self->closing_)
      return;
    rapidjson::Document doc;
    if (!ec && self->res_.result() == http::status::ok) {
      doc.Parse(self->res_.body().c_str());
    }
    auto value = doc.IsObject() ? doc.FindMember("value") : doc.MemberEnd();
    auto direction =
        doc.IsObject() ? doc.FindMember("direction") : doc.MemberEnd();
    if (ec || !doc.IsObject() || value == doc.MemberEnd() ||
        !value->value.IsInt() || direction == doc.MemberEnd() ||
        direction->value != "output") {
      // Not an output this run can toggle: the writer is a client that
      // could not be set up.
      self->stats_.connects_failed++;
      self->broken_ = true;
      self->disconnect();
      return;
    }
    self->cfg_.line->set_initial(value->value.GetInt());
    self->stats_.ready++;
  });
}

void rest_writer::start(clock::time_point until) {
  boost::asio::dispatch(
      stream_.get_executor(), [self = shared_from_this(), until] {
        if (self->broken_ || self->closing_)
          return;
        self->until_ = until;
        self->next_tick_ =
            clock::now() + std::chrono::duration_cast<clock::duration>(
                               self->interval_ * self->cfg_.phase);
        self->schedule();
      });
}

void rest_writer::schedule() {
  if (next_tick_ >= until_ || broken_ || closing_)
    return;
  timer_.expires_at(next_tick_);
  timer_.async_wait(
      [self = shared_from_this()](beast::error_code ec) { self->on_tick(ec); });
}

void rest_writer::on_tick(beast::error_code ec) {
  if (ec || broken_ || closing_)
    return;
  next_tick_ += interval_;
  if (in_flight_)
    ++owed_;
  else
    send();
  schedule();
}

void rest_writer::send() {
  auto t = now_ns();
  request req;
  req.method(http::verb::put);
  req.version(11);
  switch (cfg_.target) {
  case write_target::gpio: {
    int value = cfg_.line->next_write(t);
    req.target("/api/gpios/" + cfg_.line->line());
    req.body() = value ? R"({"value":1})" : R"({"value":0})";
    break;
  }
  case write_target::value:
    req.target("/api/values/" + cfg_.key);
    req.body() = value_body(encode_stamp({cfg_.run_id, cfg_.pub, ++seq_, t}),
                            cfg_.persistent);
    break;
  case write_target::message:
    req.method(http::verb::post);
    req.target("/api/messages");
    req.body() = message_body(encode_stamp({cfg_.run_id, cfg_.pub, ++seq_, t}));
    break;
  }
  req.set(http::field::content_type, "application/json");
  stats_.writes_sent++;
  exchange(std::move(req),
           [self = shared_from_this(), t](beast::error_code ec) {
             if (ec && self->closing_)
               return;
             if (ec) {
               self->stats_.writes_failed++;
               self->fail();
               return;
             }
             auto latency = now_ns() - t;
             bool ok = http::to_status_class(self->res_.result()) ==
                       http::status_class::successful;
             // The owed request goes out first, so that nobody watching the
             // counters sees "nothing in flight" in between.
             if (self->owed_ > 0 && !self->closing_) {
               if (clock::now() < self->until_) {
                 --self->owed_;
                 self->send();
               } else {
                 // The node could not keep up with the rate: what was not sent
                 // by the end of the run is not sent at all, so the drain
                 // measures delivery rather than a backlog of writes.
                 self->stats_.writes_skipped += self->owed_;
                 self->owed_ = 0;
               }
             }
             if (ok) {
               ++self->acked_;
               self->stats_.rest_write.record(latency);
               if (self->cfg_.target == write_target::message)
                 self->stats_.message_writes_ok++;
               else
                 self->stats_.ttm_writes_ok++;
               self->stats_.writes_ok++;
             } else {
               self->stats_.writes_failed++;
             }
           });
}

void rest_writer::exchange(request req,
                           std::function<void(beast::error_code)> done) {
  in_flight_ = true;
  req_ = std::move(req);
  req_.set(http::field::host, cfg_.host);
  req_.keep_alive(true);
  req_.prepare_payload();
  res_ = {};
  stream_.tcp().expires_after(std::chrono::seconds(30));
  http::async_write(stream_, req_,
                    [self = shared_from_this(), done = std::move(done)](
                        beast::error_code ec, size_t) mutable {
                      if (ec) {
                        self->in_flight_ = false;
                        done(ec);
                        return;
                      }
                      http::async_read(self->stream_, self->buffer_, self->res_,
                                       [self, done = std::move(done)](
                                           beast::error_code ec, size_t) {
                                         self->in_flight_ = false;
                                         self->stream_.tcp().expires_never();
                                         done(ec);
                                       });
                    });
}

void rest_writer::fail() {
  if (!broken_ && !closing_)
    stats_.dropped++;
  broken_ = true;
  owed_ = 0;
  disconnect();
}

void rest_writer::disconnect() {
  timer_.cancel();
  stream_.close();
  if (connected_) {
    connected_ = false;
    stats_.open--;
  }
}

void rest_writer::close() {
  boost::asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
    if (self->closing_)
      return;
    self->closing_ = true;
    // Anything still in flight now ends with an error that close() already
    // accounts for (the run is over).
    self->disconnect();
  });
}

} // namespace signalbox::load
