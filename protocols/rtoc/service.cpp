#include "protocols/rtoc/service.hpp"

#include <chrono>

#include <boost/asio/io_context.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "config/option_group.hpp"
#include "core/errors.hpp"
#include "protocols/http/bound_listener.hpp"
#include "protocols/http/tls_server.hpp"
#include "protocols/rtoc/crypto.hpp"
#include "protocols/rtoc/directory.hpp"
#include "protocols/rtoc/events.hpp"
#include "protocols/rtoc/loader.hpp"
#include "protocols/rtoc/mirror.hpp"
#include "protocols/rtoc/options.hpp"
#include "protocols/rtoc/records.hpp"
#include "protocols/rtoc/rest_signals.hpp"
#include "protocols/rtoc/session.hpp"

namespace signalbox::rtoc {

namespace {

namespace bhttp = http::bhttp;

/// What port 5050 serves: the websocket at any path, as RTOC does.
class rtoc_site : public http::site {
public:
  rtoc_site(net_options limits, std::shared_ptr<const session_settings> s)
      : limits_(std::move(limits)), settings_(std::move(s)) {
    // nop
  }

  void handle(http::request_type&& req,
              http::response_callback respond) override {
    respond(http::make_upgrade_required("this is an RTOC websocket server",
                                        req.version(), req.keep_alive()));
  }

  std::optional<http::response_type>
  upgrade(http::wire& stream, http::request_type& req,
          const std::shared_ptr<http::session_registry>& sessions) override {
    boost::system::error_code ec;
    auto peer = stream.socket().remote_endpoint(ec).address().to_string();
    auto ws = std::make_shared<session>(std::move(stream), limits_, sessions,
                                        settings_, peer);
    ws->accept(std::move(req), "");
    return std::nullopt;
  }

private:
  net_options limits_;
  std::shared_ptr<const session_settings> settings_;
};

/// logger.info's "config": the settings an RTOC client reads, no password.
std::string config_json(const options& o, bool secure) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.StartObject();
  w.Key("global");
  w.StartObject();
  w.Key("recordLength");
  w.Uint64(o.record_length);
  w.EndObject();
  w.Key("websocket");
  w.StartObject();
  w.Key("active");
  w.Bool(true);
  w.Key("port");
  w.Uint(o.port);
  w.Key("ssl");
  w.Bool(secure);
  w.Key("password");
  w.Bool(!o.password.empty()); // whether there is one, never its value
  w.Key("host_whitelist");
  w.StartArray();
  for (auto& h : o.host_whitelist)
    w.String(h.c_str());
  w.EndArray();
  w.EndObject();
  w.Key("backup");
  w.StartObject();
  w.Key("active");
  w.Bool(false);
  w.EndObject();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

class rtoc_service : public service {
public:
  const char* name() const override { return "rtoc"; }

  void declare_options(caf::config_option_set& set) override {
    option_group{set, "rtoc"}
        .add(opts_.enabled, "enabled", "serve the RTOC websocket server")
        .add(opts_.port, "port", "RTOC websocket port (0: ephemeral)")
        .add(opts_.password, "password",
             "password clients authorize with (empty: none)")
        .add(opts_.host_whitelist, "host-whitelist",
             "peers that need no AES encryption (\"localhost\": loopback)")
        .add(opts_.record_length, "record-length",
             "samples per signal kept in RAM")
        .add(opts_.max_signals, "max-signals", "most signals")
        .add(opts_.max_events, "max-events", "most events")
        .add(opts_.max_frame_bytes, "max-frame-bytes",
             "largest request frame (close 1009 beyond)")
        .add(opts_.mirror, "mirror",
             "GPIO lines, numeric values and job status as RTOC signals "
             "and events")
        .add(opts_.mirror_events, "mirror-events",
             "the mirror's newest events kept per job or cluster member, "
             "the oldest removed (0: up to rtoc.max-events)")
        .add(opts_.tls_cert, "tls-cert",
             "PEM certificate (chain): the port speaks TLS (wss://) with "
             "this one rather than net.tls-cert")
        .add(opts_.tls_key, "tls-key", "the certificate's PEM private key")
        .add(opts_.tls, "tls",
             "with net.tls-cert (and no rtoc.tls-cert): the port serves "
             "wss:// only");
  }

  caf::error configure(node_options& node) override {
    if (opts_.record_length == 0)
      return make_error(ec::invalid_argument,
                        "rtoc.record-length must be positive");
    if (opts_.max_frame_bytes < 1024)
      return make_error(ec::invalid_argument,
                        "rtoc.max-frame-bytes must be at least 1024");
    if (opts_.tls_cert.empty() != opts_.tls_key.empty())
      return make_error(ec::invalid_argument,
                        "rtoc.tls-cert and rtoc.tls-key go together");
    for (auto table : {records::devices_table, records::signals_table,
                       records::samples_table, records::events_table})
      node.store.tables.emplace_back(table);
    return caf::none;
  }

  bool enabled() const override { return opts_.enabled; }

  caf::error bind(service_context& ctx) override {
    auto tls = ctx.tls_if(opts_.tls);
    if (!opts_.tls_cert.empty()) {
      // RTOC's own certificate (RTOC's websocket.ssl), reloaded on SIGHUP
      // with the node's.
      std::string error;
      tls = http::tls_server::make(opts_.tls_cert, opts_.tls_key, "", error);
      if (!tls)
        return make_error(ec::invalid_argument, "rtoc.tls-*: " + error);
      ctx.tls_identities.push_back(tls);
    }
    auto l = http::bind_listener(ctx.io, ctx.node.net, "rtoc", opts_.port,
                                 std::move(tls));
    if (!l)
      return l.error();
    listener_ = *l;
    return caf::none;
  }

  caf::error start(service_context& ctx) override {
    auto loaded = load_state(ctx.sys, ctx.store, opts_.record_length);
    if (!loaded)
      return make_error(ec::storage_failure,
                        "rtoc: reading the store: " + text_of(loaded.error()));
    events_ = ctx.sys.spawn(events_behavior, ctx.store, opts_.max_events,
                            std::move(loaded->events));
    directory_settings cfg;
    cfg.store = ctx.store;
    cfg.events = events_;
    cfg.record_length = opts_.record_length;
    cfg.max_signals = opts_.max_signals;
    cfg.start_time = now_seconds();
    cfg.config_json = config_json(opts_, listener_->secure());
    cfg.timeout =
        std::chrono::duration_cast<caf::timespan>(ctx.node.net.request_timeout);
    cfg.boot = loaded->boot;
    directory_ =
        ctx.sys.spawn(directory_behavior, std::move(cfg),
                      std::move(loaded->devices), std::move(loaded->signals));
    if (opts_.mirror)
      mirror_ = spawn_mirror(ctx.sys, directory_, opts_.mirror_events);
    ctx.rest_resources.push_back(signals_resource(directory_, opts_.password));
    return caf::none;
  }

  void serve(service_context& ctx) override {
    auto s = std::make_shared<session_settings>();
    s->sys = &ctx.sys;
    s->directory = directory_;
    if (!opts_.password.empty()) {
      s->password_hash = password_hash(opts_.password);
      s->aes_key = aes_key(s->password_hash);
    }
    s->whitelist = opts_.host_whitelist;
    s->request_timeout =
        std::chrono::duration_cast<caf::timespan>(ctx.node.net.request_timeout);
    auto limits = ctx.node.net;
    limits.max_frame_bytes = opts_.max_frame_bytes;
    // What may wait of one client's requests: one message at its largest.
    s->max_pending_bytes = limits.max_frame_bytes;
    s->max_pending_requests = limits.max_waiting_requests;
    listener_->impl().run(http::http_connections(
        std::make_shared<rtoc_site>(limits, std::move(s)), limits));
  }

  std::vector<std::shared_ptr<listener_handle>> listeners() const override {
    if (!listener_)
      return {};
    return {listener_};
  }

  void stop() override {
    if (listener_)
      listener_->stop();
  }

  std::vector<caf::actor> actors() const override {
    return {mirror_, caf::actor_cast<caf::actor>(directory_),
            caf::actor_cast<caf::actor>(events_)};
  }

private:
  options opts_;
  std::shared_ptr<http::bound_listener> listener_;
  rtoc_events_actor events_;
  rtoc_directory_actor directory_;
  caf::actor mirror_;
};

} // namespace

std::unique_ptr<service> make_service() {
  return std::make_unique<rtoc_service>();
}

} // namespace signalbox::rtoc
