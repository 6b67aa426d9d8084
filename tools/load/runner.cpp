#include "tools/load/runner.hpp"

#include <algorithm>
#include <cstdio>
#include <future>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "tools/load/flooder.hpp"
#include "tools/load/jmri_tcp_client.hpp"
#include "tools/load/jmri_ws_client.hpp"
#include "tools/load/rest_writer.hpp"
#include "tools/load/rtoc_client.hpp"
#include "tools/load/sio_monitor.hpp"
#include "tools/load/sio_user.hpp"
#include "tools/load/stats.hpp"
#include "tools/load/ttm_subscriber.hpp"
#include "tools/load/usage_tracker.hpp"

namespace signalbox::load {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::string random_hex(size_t digits) {
  std::random_device rd;
  std::ostringstream os;
  os << std::hex << std::setfill('0');
  for (size_t i = 0; i < digits; i += 8)
    os << std::setw(8) << rd();
  return os.str().substr(0, digits);
}

/// A monitor id of the relay's required length: the run id, then the
/// monitor's number, so that runs never collide.
std::string monitor_id(const std::string& run_id, size_t index) {
  std::ostringstream os;
  os << run_id << std::hex << std::setfill('0') << std::setw(32 - 16) << index;
  return os.str();
}

tcp::endpoint resolve(asio::io_context& io, const std::string& host,
                      uint16_t port) {
  tcp::resolver resolver{io};
  boost::system::error_code ec;
  auto found = resolver.resolve(host, std::to_string(port), ec);
  if (ec || found.empty())
    throw std::runtime_error{"cannot resolve " + host + ": " + ec.message()};
  return *found.begin();
}

double seconds(clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

class runner {
public:
  runner(const scenario& s, const run_options& opts)
      : s_(s), opts_(opts), control_(asio::make_strand(io_)), tick_(control_),
        run_id_(random_hex(16)), epoch_ns_(now_ns()), generator_(getpid()) {
    if (opts.server_pid)
      server_.emplace(*opts.server_pid);
    build();
  }

  results run() {
    if (server_ && !server_->start())
      throw std::runtime_error{"cannot read /proc/" +
                               std::to_string(*opts_.server_pid) +
                               "/stat: no such process"};
    generator_.start();
    auto work = asio::make_work_guard(io_);
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < std::max(1u, opts_.threads); ++i)
      threads.emplace_back([this] { io_.run(); });
    auto finished = finished_.get_future();
    asio::dispatch(control_, [this] {
      started_ = clock::now();
      phase_started_ = started_;
      last_progress_ = started_;
      last_rate_at_ = started_;
      control();
    });
    finished.wait();
    work.reset();
    io_.stop();
    for (auto& t : threads)
      t.join();
    return gather();
  }

private:
  enum class phase { connecting, running, draining, closing };

  void build() {
    tcp::endpoint realdds_ep;
    if (s_.count_of(client_type::realdds_subscriber) > 0)
      realdds_ep = resolve(io_, s_.host, s_.realdds_port);
    // Each port is resolved once; a group may name a port of its own.
    std::map<uint16_t, tcp::endpoint> endpoints;
    auto endpoint = [&](uint16_t port) {
      auto i = endpoints.find(port);
      if (i == endpoints.end())
        i = endpoints.emplace(port, resolve(io_, s_.host, port)).first;
      return i->second;
    };
    auto port_of = [](const client_group& g, uint16_t scenario_port) {
      return g.port != 0 ? g.port : scenario_port;
    };
    auto host_of = [&](uint16_t port) {
      return s_.host + ":" + std::to_string(port);
    };
    build_rtoc(host_of(s_.rtoc_port));
    // Writers first: subscribers need the list of gpio lines and the
    // number of value publishers, JMRI clients the number of message ones.
    uint32_t value_writers = 0;
    uint32_t message_writers = 0;
    for (auto& g : s_.clients) {
      if (g.type != client_type::rest_writer)
        continue;
      auto port = port_of(g, s_.ttm_port);
      for (uint32_t i = 0; i < g.count; ++i) {
        rest_writer_config cfg;
        cfg.host = host_of(port);
        cfg.run_id = run_id_;
        cfg.rate = g.rate;
        cfg.phase = static_cast<double>(i) / g.count;
        cfg.persistent = g.persistent;
        cfg.target = g.target;
        switch (g.target) {
        case write_target::gpio:
          cfg.line = std::make_shared<gpio_timeline>(g.gpios[i]);
          lines_.push_back(cfg.line);
          break;
        case write_target::value:
          cfg.pub = value_writers++;
          cfg.key = g.key.empty()
                        ? "load-" + run_id_ + "-" + std::to_string(cfg.pub)
                        : g.key;
          break;
        case write_target::message:
          cfg.pub = message_writers++;
          break;
        }
        writers_.push_back(
            std::make_shared<rest_writer>(io_, endpoint(port), cfg, stats_));
      }
    }
    uint32_t monitors = s_.count_of(client_type::sio_monitor);
    uint32_t users = s_.count_of(client_type::sio_user);
    users_per_monitor_.assign(monitors, 0);
    for (auto& g : s_.clients) {
      for (uint32_t i = 0; i < g.count; ++i) {
        switch (g.type) {
        case client_type::ttm_subscriber: {
          auto port = port_of(g, s_.ttm_port);
          subs_.push_back(std::make_shared<ttm_subscriber>(
              io_, endpoint(port), host_of(port), run_id_, value_writers,
              lines_, stats_));
          break;
        }
        case client_type::realdds_subscriber:
          subs_.push_back(std::make_shared<ttm_subscriber>(
              io_, realdds_ep, host_of(s_.realdds_port), run_id_, value_writers,
              lines_, stats_, notification_dialect::realdds));
          break;
        case client_type::sio_monitor: {
          auto port = port_of(g, s_.socketio_port);
          monitors_.push_back(std::make_shared<sio_monitor>(
              io_, endpoint(port), host_of(port), run_id_,
              monitor_id(run_id_, monitors_.size()), users, g.think_ms,
              stats_));
          break;
        }
        case client_type::sio_user: {
          auto id = static_cast<uint32_t>(users_.size());
          auto m = id % monitors;
          users_per_monitor_[m]++;
          auto port = port_of(g, s_.socketio_port);
          users_.push_back(std::make_shared<sio_user>(
              io_, endpoint(port), host_of(port), run_id_, id,
              monitor_id(run_id_, m), g.rate, static_cast<double>(i) / g.count,
              stats_));
          break;
        }
        case client_type::jmri_client: {
          // Client ids are unique across the node's connections: the run id
          // keeps concurrent runs apart.
          auto id = "load-" + run_id_ + "-" + std::to_string(jmri_.size());
          if (g.transport == jmri_transport::ws) {
            auto port = port_of(g, s_.jmri_port);
            jmri_.push_back(std::make_shared<jmri_ws_client>(
                io_, endpoint(port), host_of(port), run_id_, id,
                message_writers, stats_));
          } else {
            jmri_.push_back(std::make_shared<jmri_tcp_client>(
                io_, endpoint(port_of(g, s_.jmri_tcp_port)), run_id_, id,
                message_writers, stats_));
          }
          break;
        }
        case client_type::flooder:
          flooders_.push_back(build_flooder(g, endpoint, host_of));
          flooder_group_.push_back(static_cast<size_t>(&g - s_.clients.data()));
          break;
        case client_type::rest_writer:
        case client_type::rtoc_writer:
        case client_type::rtoc_subscriber:
          break;
        }
      }
    }
    // Receivers connect before senders, so that they are there when the
    // first message goes out (the run only starts when all are set up).
    for (auto& c : monitors_)
      order_.push_back(c);
    for (auto& c : subs_)
      order_.push_back(c);
    for (auto& c : jmri_)
      order_.push_back(c);
    for (auto& c : rtoc_subs_)
      order_.push_back(c);
    for (auto& c : writers_)
      order_.push_back(c);
    for (auto& c : rtoc_writers_)
      order_.push_back(c);
    for (auto& c : users_)
      order_.push_back(c);
    // Last: they are set up like the others, but need none of them.
    for (auto& c : flooders_)
      order_.push_back(c);
  }

  /// A flooder of group `g`, on the port of its interface; the flooders of
  /// one interface share one buffer of requests.
  template <class Endpoint, class HostOf>
  std::shared_ptr<flooder> build_flooder(const client_group& g,
                                         Endpoint& endpoint, HostOf& host_of) {
    uint16_t port = 0;
    switch (g.interface) {
    case flooder_interface::jmri_tcp:
      port = g.port != 0 ? g.port : s_.jmri_tcp_port;
      break;
    case flooder_interface::jmri_ws:
      port = g.port != 0 ? g.port : s_.jmri_port;
      break;
    case flooder_interface::rtoc:
      port = s_.rtoc_port;
      break;
    case flooder_interface::realdds:
      port = s_.realdds_port;
      break;
    }
    auto& requests = flood_buffers_[g.interface];
    if (!requests)
      requests = std::make_shared<const flood_buffer>(
          make_flood_buffer(g.interface, flood_buffer_bytes));
    flooder_config cfg;
    cfg.interface = g.interface;
    cfg.reads = g.reads;
    cfg.host = host_of(port);
    cfg.requests = requests;
    return std::make_shared<flooder>(io_, endpoint(port), std::move(cfg),
                                     stats_);
  }

  /// The RTOC writers (device "load<run id>", signals "w<n>" or
  /// "w<n>-<k>") and the subscribers, who need every writer's signals.
  void build_rtoc(const std::string& host) {
    if (s_.count_of(client_type::rtoc_writer) == 0)
      return;
    auto ep = resolve(io_, s_.host, s_.rtoc_port);
    std::vector<rtoc_writer_config> configs;
    for (auto& g : s_.clients) {
      if (g.type != client_type::rtoc_writer)
        continue;
      for (uint32_t i = 0; i < g.count; ++i) {
        rtoc_writer_config cfg;
        cfg.pub = static_cast<uint32_t>(configs.size());
        cfg.device = "load" + run_id_;
        for (uint32_t k = 0; k < g.signals; ++k)
          cfg.signals.push_back(
              "w" + std::to_string(cfg.pub) +
              (g.signals > 1 ? "-" + std::to_string(k) : std::string{}));
        cfg.rate = g.rate;
        cfg.phase = static_cast<double>(i) / g.count;
        cfg.batch = g.batch;
        cfg.window = g.window;
        cfg.samples = g.samples;
        cfg.epoch_ns = epoch_ns_;
        cfg.credentials = {g.password, g.aes};
        configs.push_back(cfg);
        rtoc_writers_.push_back(
            std::make_shared<rtoc_writer>(io_, ep, host, cfg, stats_));
      }
    }
    for (auto& g : s_.clients)
      if (g.type == client_type::rtoc_subscriber)
        for (uint32_t i = 0; i < g.count; ++i)
          rtoc_subs_.push_back(std::make_shared<rtoc_subscriber>(
              io_, ep, host, configs, epoch_ns_,
              rtoc_credentials{g.password, g.aes}, stats_));
  }

  // -- control loop (on control_) -------------------------------------------

  void control() {
    auto now = clock::now();
    switch (phase_) {
    case phase::connecting:
      connect_due(now);
      if (all_set_up() || now - phase_started_ >= ms(s_.connect_timeout_ms))
        begin_running(now);
      break;
    case phase::running:
      if (now >= run_until_ || publishers_done()) {
        publish_seconds_ = seconds(now - run_started_);
        enter(phase::draining, now);
      }
      break;
    case phase::draining:
      if (complete() || now - phase_started_ >= ms(s_.drain_ms)) {
        drained_ = complete();
        run_seconds_ = seconds(now - run_started_);
        if (server_)
          server_->end();
        generator_.end();
        for (auto& c : order_)
          c->close();
        enter(phase::closing, now);
      }
      break;
    case phase::closing:
      // A polite close needs the peer's answer; do not wait for ever.
      if (stats_.open.load() == 0 ||
          now - phase_started_ >= std::chrono::seconds(2)) {
        progress(now);
        finished_.set_value();
        return;
      }
      break;
    }
    if (now - last_progress_ >= std::chrono::seconds(1)) {
      last_progress_ = now;
      if (server_)
        server_->sample();
      generator_.sample();
      progress(now);
    }
    // Fine steps while connecting, so that a connect rate is smooth.
    tick_.expires_after(phase_ == phase::connecting
                            ? std::chrono::milliseconds(5)
                            : std::chrono::milliseconds(20));
    tick_.async_wait([this](boost::system::error_code ec) {
      if (!ec)
        control();
    });
  }

  static clock::duration ms(uint64_t n) { return std::chrono::milliseconds(n); }

  void enter(phase p, clock::time_point now) {
    phase_ = p;
    phase_started_ = now;
  }

  void connect_due(clock::time_point now) {
    size_t due = order_.size();
    if (s_.connect_rate > 0)
      due = std::min(
          due,
          static_cast<size_t>(seconds(now - started_) * s_.connect_rate) + 1);
    for (; next_connect_ < due; ++next_connect_)
      order_[next_connect_]->connect();
  }

  bool all_set_up() const {
    return next_connect_ == order_.size() &&
           stats_.ready.load() + stats_.connects_failed.load() >= order_.size();
  }

  void begin_running(clock::time_point now) {
    connect_seconds_ = seconds(now - started_);
    if (server_)
      server_->connected();
    generator_.connected();
    run_started_ = now;
    run_until_ = now + ms(s_.duration_ms);
    for (auto& c : order_)
      c->start(run_until_);
    enter(phase::running, now);
  }

  /// A run whose only publishers are RTOC writers with a samples cap ends
  /// once all of them are answered.
  bool publishers_done() const {
    if (!writers_.empty() || !users_.empty() || rtoc_writers_.empty())
      return false;
    return std::all_of(rtoc_writers_.begin(), rtoc_writers_.end(),
                       [](auto& w) { return w->finished(); });
  }

  /// Everything sent has been answered and delivered (counters only; the
  /// exact per-publisher accounting happens in gather()).
  bool complete() const {
    if (stats_.writes_sent.load() !=
        stats_.writes_ok.load() + stats_.writes_failed.load())
      return false;
    // Receivers see only the writes of their kind.
    auto receivers = stats_.subscribers_ready.load();
    auto jmri = std::min(stats_.jmri_ready.load(), receivers);
    if (stats_.delivered.load() <
        (receivers - jmri) * stats_.ttm_writes_ok.load())
      return false;
    if (stats_.jmri_delivered.load() < jmri * stats_.message_writes_ok.load())
      return false;
    if (stats_.rtoc_requests_sent.load() !=
        stats_.rtoc_requests_ok.load() + stats_.rtoc_requests_failed.load())
      return false;
    if (stats_.rtoc_delivered.load() <
        stats_.rtoc_subscribers_ready.load() * stats_.rtoc_samples_acked.load())
      return false;
    auto ok = stats_.commands_ok.load();
    if (stats_.commands_sent.load() != ok + stats_.commands_failed.load())
      return false;
    auto relayed = stats_.commands_do.load();
    if (relayed < ok || stats_.commands_done.load() < relayed)
      return false;
    return stats_.commands_finish.load() >= finishes_expected();
  }

  uint64_t finishes_expected() const {
    uint64_t n = 0;
    for (size_t m = 0; m < monitors_.size(); ++m)
      n += monitors_[m]->done() * users_per_monitor_[m];
    return n;
  }

  void progress(clock::time_point now) {
    if (opts_.quiet)
      return;
    static const char* names[] = {"connect", "run", "drain", "close"};
    auto delivered = stats_.delivered.load();
    auto jmri_delivered = stats_.jmri_delivered.load();
    double elapsed = std::max(1e-3, seconds(now - last_rate_at_));
    double rate = (delivered - last_delivered_) / elapsed;
    double jmri_rate = (jmri_delivered - last_jmri_delivered_) / elapsed;
    last_delivered_ = delivered;
    last_jmri_delivered_ = jmri_delivered;
    last_rate_at_ = now;
    std::ostringstream os;
    os << std::fixed << std::setprecision(1) << "[" << std::setw(6)
       << seconds(now - started_) << "s " << std::setw(7)
       << names[static_cast<int>(phase_)] << "] conn " << stats_.open.load()
       << " open " << stats_.connects_failed.load() << " failed";
    // Only what this scenario has.
    if (!subs_.empty())
      os << " | delivered " << delivered << " (" << std::setprecision(0) << rate
         << "/s)";
    if (!jmri_.empty())
      os << " | jmri " << jmri_delivered << " (" << std::setprecision(0)
         << jmri_rate << "/s)";
    if (!writers_.empty())
      os << " | writes " << stats_.writes_ok.load();
    if (!rtoc_writers_.empty())
      os << " | rtoc samples " << stats_.rtoc_samples_acked.load() << " acked, "
         << stats_.rtoc_delivered.load() << " pushed";
    if (!users_.empty())
      os << " | commands " << stats_.commands_ok.load() << "/"
         << stats_.commands_sent.load() << " ok, "
         << stats_.commands_finish.load() << " finished";
    if (!flooders_.empty())
      os << " | flooders " << std::setprecision(1)
         << stats_.flooder_bytes_written.load() / 1e6 << " MB written, "
         << stats_.flooder_replies.load() << " replies, "
         << stats_.flooders_closed.load() << " closed";
    if (server_)
      os << " | server " << std::setprecision(1) << server_->rss_kib() / 1024.0
         << " MiB " << std::setprecision(0) << server_->recent_cpu_percent()
         << "% cpu";
    // One line per second: logs stay readable and a terminal shows it all.
    std::cerr << os.str() << std::endl;
  }

  // -- after the io threads have stopped -------------------------------------

  results gather() {
    results r;
    r.scenario = s_.name;
    r.run_id = run_id_;
    r.connect_seconds = connect_seconds_;
    r.run_seconds = run_seconds_;
    r.drained = drained_;
    r.clients = order_.size();
    r.connects_made = stats_.connects_made;
    // Clients neither set up nor reported failed timed out while setting
    // up: they count as failed too.
    r.connects_failed = std::max<uint64_t>(stats_.connects_failed,
                                           order_.size() - stats_.ready);
    r.dropped = stats_.dropped;
    r.notifications = stats_.notifications;
    r.delivered = stats_.delivered;
    r.writes_sent = stats_.writes_sent;
    r.writes_ok = stats_.writes_ok;
    r.message_writes_ok = stats_.message_writes_ok;
    r.writes_failed = stats_.writes_failed;
    r.writes_skipped = stats_.writes_skipped;
    r.commands_sent = stats_.commands_sent;
    r.commands_ok = stats_.commands_ok;
    r.commands_failed = stats_.commands_failed;
    r.commands_do = stats_.commands_do;
    r.commands_done = stats_.commands_done;
    r.commands_finish = stats_.commands_finish;
    r.commands_finish_expected = finishes_expected();

    // Every subscriber must have received every write the node confirmed,
    // from every publisher.
    std::vector<uint64_t> acked_values;
    std::vector<uint64_t> acked_lines;
    std::vector<uint64_t> acked_messages;
    for (auto& w : writers_) {
      switch (w->config().target) {
      case write_target::value:
        acked_values.push_back(w->acknowledged());
        break;
      case write_target::gpio:
        acked_lines.push_back(w->acknowledged());
        break;
      case write_target::message:
        acked_messages.push_back(w->acknowledged());
        break;
      }
    }
    uint64_t acked_total = 0;
    for (auto n : acked_values)
      acked_total += n;
    for (auto n : acked_lines)
      acked_total += n;
    for (auto& sub : subs_) {
      if (!sub->subscribed())
        continue;
      ++r.subscribers;
      r.delivered_expected += acked_total;
      auto& seen = sub->values();
      for (uint32_t p = 0; p < acked_values.size(); ++p)
        if (acked_values[p] > seen.received(p))
          r.ttm_lost += acked_values[p] - seen.received(p);
      for (size_t l = 0; l < acked_lines.size(); ++l)
        if (acked_lines[l] > sub->gpio_received(l))
          r.ttm_lost += acked_lines[l] - sub->gpio_received(l);
      r.ttm_out_of_order += seen.out_of_order() + sub->gpio_sequence_errors();
    }
    r.delivered_per_second =
        r.run_seconds > 0 ? static_cast<double>(r.delivered) / r.run_seconds
                          : 0;

    // Likewise every subscribed JMRI client every confirmed message.
    uint64_t messages_acked = 0;
    for (auto n : acked_messages)
      messages_acked += n;
    r.jmri_ws = s_.jmri_clients_over(jmri_transport::ws);
    r.jmri_tcp = s_.jmri_clients_over(jmri_transport::tcp);
    r.jmri_messages = stats_.jmri_messages;
    r.jmri_delivered = stats_.jmri_delivered;
    r.jmri_other = stats_.jmri_other;
    r.jmri_errors = stats_.jmri_errors;
    for (auto& c : jmri_) {
      if (!c->subscribed())
        continue;
      ++r.jmri_clients;
      r.jmri_expected += messages_acked;
      auto& seen = c->messages();
      for (uint32_t p = 0; p < acked_messages.size(); ++p)
        if (acked_messages[p] > seen.received(p))
          r.jmri_lost += acked_messages[p] - seen.received(p);
      r.jmri_out_of_order += seen.out_of_order();
    }
    r.jmri_delivered_per_second =
        r.run_seconds > 0
            ? static_cast<double>(r.jmri_delivered) / r.run_seconds
            : 0;

    // Every command a user got `command ok` for must have reached its
    // monitor (users talk to monitor id % monitors).
    for (auto& u : users_) {
      auto& m = monitors_[u->user_id() % monitors_.size()];
      auto got = m->commands().received(u->user_id());
      if (u->commands_ok() > got)
        r.sio_lost += u->commands_ok() - got;
    }
    for (auto& m : monitors_)
      r.sio_out_of_order += m->commands().out_of_order();

    gather_rtoc(r);
    gather_flooders(r);

    r.latency["ttm_delivery"] = stats_.ttm_delivery.snapshot();
    r.latency["rest_write"] = stats_.rest_write.snapshot();
    r.latency["sio_command_do"] = stats_.sio_command_do.snapshot();
    r.latency["sio_command_ok"] = stats_.sio_command_ok.snapshot();
    r.latency["jmri_delivery"] = stats_.jmri_delivery.snapshot();
    r.latency["rtoc_write"] = stats_.rtoc_write.snapshot();
    r.latency["rtoc_delivery"] = stats_.rtoc_delivery.snapshot();
    if (server_)
      r.server = server_->usage();
    r.generator = generator_.usage();
    return r;
  }

  /// Every subscribed RTOC subscriber must have received every sample the
  /// node acknowledged, from every writer, in order.
  void gather_rtoc(results& r) {
    r.rtoc_writers = rtoc_writers_.size();
    r.rtoc_requests_sent = stats_.rtoc_requests_sent;
    r.rtoc_requests_ok = stats_.rtoc_requests_ok;
    r.rtoc_requests_failed = stats_.rtoc_requests_failed;
    r.rtoc_skipped = stats_.rtoc_skipped;
    r.rtoc_samples_sent = stats_.rtoc_samples_sent;
    r.rtoc_samples_acked = stats_.rtoc_samples_acked;
    r.rtoc_pushes = stats_.rtoc_pushes;
    r.rtoc_delivered = stats_.rtoc_delivered;
    for (auto& sub : rtoc_subs_) {
      if (!sub->subscribed())
        continue;
      ++r.rtoc_subscribers;
      auto& seen = sub->samples();
      for (auto& w : rtoc_writers_) {
        auto pub = w->config().pub;
        r.rtoc_expected += w->acknowledged();
        if (w->acknowledged() > seen.received(pub))
          r.rtoc_lost += w->acknowledged() - seen.received(pub);
      }
      r.rtoc_out_of_order += seen.out_of_order();
    }
    if (r.run_seconds > 0) {
      r.rtoc_acked_per_second =
          static_cast<double>(r.rtoc_samples_acked) / r.run_seconds;
      r.rtoc_delivered_per_second =
          static_cast<double>(r.rtoc_delivered) / r.run_seconds;
    }
  }

  /// Per flooder group, in scenario order: the sums of its connections.
  void gather_flooders(results& r) {
    std::map<size_t, flooder_group_result> groups;
    for (size_t i = 0; i < flooders_.size(); ++i) {
      auto& g = groups[flooder_group_[i]];
      add_outcome(g, flooders_[i]->outcome());
    }
    for (auto& [index, g] : groups) {
      auto& group = s_.clients[index];
      g.interface = to_string(group.interface);
      g.reads = group.reads;
      g.count = group.count;
      if (publish_seconds_ > 0)
        g.requests_per_second =
            static_cast<double>(g.requests_written) / publish_seconds_;
      r.flooders.push_back(std::move(g));
    }
  }

  static void add_outcome(flooder_group_result& g, const flooder_outcome& o) {
    g.connected += o.set_up ? 1 : 0;
    g.requests_written += o.requests_written;
    g.bytes_written += o.bytes_written;
    g.bytes_read += o.bytes_read;
    g.messages += o.messages;
    g.replies += o.replies;
    if (!o.closed_by_node) {
      g.open_at_end += o.set_up && o.close_reason.empty() ? 1 : 0;
      return;
    }
    auto at = o.bytes_written_at_close;
    g.closed_after_bytes_min =
        g.closed == 0 ? at : std::min(g.closed_after_bytes_min, at);
    g.closed_after_bytes_max = std::max(g.closed_after_bytes_max, at);
    ++g.closed;
    ++g.close_reasons[o.close_reason];
  }

  /// The size of a flooder's request buffer: 64 KiB of back-to-back
  /// requests, as much as a write takes into a socket's send buffer.
  static constexpr size_t flood_buffer_bytes = 64 * 1024;

  const scenario& s_;
  run_options opts_;
  asio::io_context io_;
  asio::strand<asio::io_context::executor_type> control_;
  asio::steady_timer tick_;
  std::string run_id_;
  /// The time base of RTOC samples' y (ns since it).
  uint64_t epoch_ns_;
  run_stats stats_;
  std::vector<std::shared_ptr<gpio_timeline>> lines_;
  std::vector<std::shared_ptr<rest_writer>> writers_;
  std::vector<std::shared_ptr<ttm_subscriber>> subs_;
  std::vector<std::shared_ptr<sio_monitor>> monitors_;
  std::vector<std::shared_ptr<sio_user>> users_;
  std::vector<std::shared_ptr<jmri_client>> jmri_;
  std::vector<std::shared_ptr<rtoc_writer>> rtoc_writers_;
  std::vector<std::shared_ptr<rtoc_subscriber>> rtoc_subs_;
  std::vector<uint64_t> users_per_monitor_;
  std::vector<std::shared_ptr<flooder>> flooders_;
  /// The scenario group of each flooder.
  std::vector<size_t> flooder_group_;
  std::map<flooder_interface, std::shared_ptr<const flood_buffer>>
      flood_buffers_;
  std::vector<std::shared_ptr<client>> order_;
  std::optional<usage_tracker> server_;
  usage_tracker generator_;
  std::promise<void> finished_;

  phase phase_ = phase::connecting;
  size_t next_connect_ = 0;
  clock::time_point started_;
  clock::time_point phase_started_;
  clock::time_point run_started_;
  clock::time_point run_until_;
  clock::time_point last_progress_;
  clock::time_point last_rate_at_;
  uint64_t last_delivered_ = 0;
  uint64_t last_jmri_delivered_ = 0;
  double connect_seconds_ = 0;
  double run_seconds_ = 0;
  double publish_seconds_ = 0;
  bool drained_ = false;
};

} // namespace

results run_scenario(const scenario& s, const run_options& opts) {
  runner r{s, opts};
  return r.run();
}

} // namespace signalbox::load
