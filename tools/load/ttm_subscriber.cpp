#include "tools/load/ttm_subscriber.hpp"

#include <rapidjson/memorystream.h>

namespace signalbox::load {

namespace {

/// Fills the fields of each notification of a frame (a notification
/// object's cmd/id, key, value, gpio/line) from SAX events, into strings
/// the subscriber keeps: no DOM and, once the strings have grown, no
/// allocation per frame. A notification is the root object, or (realdds)
/// each object of a root array; `done` is called at its end.
template <class Fields, class Done>
class frame_handler
    : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>,
                                          frame_handler<Fields, Done>> {
public:
  frame_handler(Fields& out, notification_dialect dialect, Done done)
      : out_(out), realdds_(dialect == notification_dialect::realdds),
        done_(done) {}

  bool StartObject() {
    if (++depth_ == 1 || (root_array_ && depth_ == 2))
      reset();
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    if (depth_-- == notification_depth())
      done_(out_);
    return true;
  }
  bool StartArray() {
    if (++depth_ == 1)
      root_array_ = true;
    return true;
  }
  bool EndArray(rapidjson::SizeType) { return --depth_, true; }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    // The reader's copy of the name is gone by the next event: keep which
    // member it is, not the text.
    if (depth_ == notification_depth()) {
      std::string_view name{s, n};
      key_ = name == (realdds_ ? "id" : "cmd")      ? member::cmd
             : name == "key"                        ? member::key
             : name == (realdds_ ? "line" : "gpio") ? member::gpio
             : name == "value"                      ? member::value
                                                    : member::other;
    }
    return true;
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (depth_ != notification_depth())
      return true;
    if (key_ == member::cmd)
      out_.cmd.assign(s, n);
    else if (key_ == member::key)
      out_.key.assign(s, n);
    else if (key_ == member::gpio)
      out_.gpio.assign(s, n);
    else if (key_ == member::value) {
      out_.text.assign(s, n);
      out_.has_text = true;
    }
    return true;
  }
  bool Int(int v) { return number(v); }
  bool Uint(unsigned v) { return number(static_cast<int>(v)); }
  bool Default() { return true; }

private:
  int notification_depth() const { return root_array_ ? 2 : 1; }

  void reset() {
    out_.cmd.clear();
    out_.has_text = out_.has_number = false;
    key_ = member::other;
  }

  bool number(int v) {
    if (depth_ == notification_depth() && key_ == member::value) {
      out_.number = v;
      out_.has_number = true;
    }
    return true;
  }

  enum class member { other, cmd, key, gpio, value };

  Fields& out_;
  bool realdds_;
  Done done_;
  int depth_ = 0;
  bool root_array_ = false;
  member key_ = member::other;
};

} // namespace

ttm_subscriber::ttm_subscriber(
    boost::asio::io_context& io, boost::asio::ip::tcp::endpoint endpoint,
    std::string host, std::string run_id, size_t publishers,
    std::vector<std::shared_ptr<gpio_timeline>> lines, run_stats& stats,
    notification_dialect dialect)
    : raw_ws_client(io, endpoint, std::move(host), "/",
                    dialect == notification_dialect::realdds ? "realdds-json"
                                                             : "ttmnotify",
                    stats),
      run_id_(std::move(run_id)), values_(publishers), lines_(std::move(lines)),
      gpio_seen_(lines_.size(), 0), gpio_last_(lines_.size(), -1),
      dialect_(dialect) {
  for (size_t i = 0; i < lines_.size(); ++i)
    line_index_.emplace(lines_[i]->line(), i);
}

void ttm_subscriber::on_open() {
  // Subscribed from the first frame on: nothing else to set up.
  subscribed_ = true;
  stats().subscribers_ready++;
  stats().ready++;
}

void ttm_subscriber::on_message(std::string_view frame) {
  auto received = now_ns();
  auto done = [this, received](const frame_fields& f) { handle(f, received); };
  frame_handler<frame_fields, decltype(done)> handler{fields_, dialect_, done};
  rapidjson::MemoryStream in{frame.data(), frame.size()};
  reader_.Parse(in, handler);
}

void ttm_subscriber::handle(const frame_fields& f, uint64_t received) {
  stats().notifications++;
  bool realdds = dialect_ == notification_dialect::realdds;
  if (f.cmd == (realdds ? "value" : "dbchange")) {
    if (!f.has_text)
      return;
    // Values of other runs or other writers are not ours to check.
    if (!stamps_.read(f.text, stamp_) || stamp_.run != run_id_ ||
        !values_.record(stamp_.pub, stamp_.seq))
      return;
    stats().delivered++;
    if (received >= stamp_.t_ns)
      stats().ttm_delivery.record(received - stamp_.t_ns);
  } else if (f.cmd == (realdds ? "gpio" : "gpioupdate")) {
    if (f.gpio.empty() || !f.has_number)
      return;
    handle_gpio(f.gpio, f.number);
  }
}

void ttm_subscriber::handle_gpio(const std::string& line, int value) {
  auto it = line_index_.find(line);
  if (it == line_index_.end())
    return;
  auto i = it->second;
  auto received = now_ns();
  // Every change flips the line: the same value twice in a row means a
  // change in between was not reported.
  int previous = gpio_last_[i] < 0 ? lines_[i]->initial() : gpio_last_[i];
  if (value == previous)
    ++gpio_errors_;
  gpio_last_[i] = value;
  auto k = ++gpio_seen_[i];
  stats().delivered++;
  stats().gpio_delivered++;
  if (auto sent = lines_[i]->sent_at(k); sent && received >= *sent)
    stats().ttm_delivery.record(received - *sent);
}

} // namespace signalbox::load
