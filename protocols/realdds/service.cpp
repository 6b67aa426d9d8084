#include "protocols/realdds/service.hpp"

#include <cctype>
#include <mutex>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/host_name.hpp>
#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include "config/option_group.hpp"
#include "core/errors.hpp"
#include "protocols/http/bound_listener.hpp"
#include "protocols/realdds/cbor_codec.hpp"
#include "protocols/realdds/dds_link.hpp"
#include "protocols/realdds/mirror.hpp"
#include "protocols/realdds/options.hpp"
#include "protocols/realdds/server.hpp"

namespace signalbox::realdds {

namespace {

/// Where Fast-DDS' callbacks send: the server actor, which is spawned after
/// the DDS entities exist. Before that, a matched reader is seen by the
/// server's first write (dds_link::take_new_readers) and a control is
/// dropped, as DDS drops samples nobody reads yet.
class dds_relay {
public:
  void set(realdds_server_actor server) {
    std::lock_guard<std::mutex> guard{mutex_};
    server_ = std::move(server);
  }

  template <class... Ts>
  void send(Ts&&... xs) {
    realdds_server_actor server;
    {
      std::lock_guard<std::mutex> guard{mutex_};
      server = server_;
    }
    if (server)
      caf::anon_send(server, std::forward<Ts>(xs)...);
  }

private:
  std::mutex mutex_;
  realdds_server_actor server_;
};

/// A topic root as DDS names allow it (letters, digits, `_`, `-`, `/`,
/// `.`), not empty, and without an empty level.
bool valid_topic_root(const std::string& root) {
  if (root.empty() || root.front() == '/' || root.back() == '/' ||
      root.find("//") != std::string::npos)
    return false;
  for (unsigned char c : root)
    if (!std::isalnum(c) && c != '_' && c != '-' && c != '/' && c != '.')
      return false;
  return true;
}

std::string default_topic_root() {
  boost::system::error_code ec;
  auto host = boost::asio::ip::host_name(ec);
  std::string root = "signalbox/";
  for (unsigned char c : ec ? std::string{"node"} : host)
    root +=
        std::isalnum(c) || c == '-' || c == '_' ? static_cast<char>(c) : '_';
  return root;
}

class realdds_service : public service {
public:
  const char* name() const override { return "realdds"; }

  void declare_options(caf::config_option_set& set) override {
    option_group{set, "realdds"}
        .add(opts_.enabled, "enabled",
             "serve realdds notifications (DDS participant and WebSocket "
             "mirror)")
        .add(opts_.domain, "domain", "DDS domain id (0..232)")
        .add(opts_.topic_root, "topic-root",
             "topic root: <root>/notification and <root>/control (default: "
             "signalbox/<hostname>)")
        .add(opts_.format, "format",
             "data_format of DDS messages: json or cbor")
        .add(opts_.log_flush, "log-flush",
             "how long log entries wait to be sent together")
        .add(opts_.port, "port", "realdds WebSocket mirror port (0: ephemeral)")
        .add(opts_.peers, "peers",
             "more addresses to announce the DDS participant to (initial "
             "peers)")
        .add(opts_.tls, "tls",
             "with net.tls-cert: the WebSocket mirror serves wss:// only");
  }

  caf::error configure(node_options& node) override {
    if (opts_.topic_root.empty())
      opts_.topic_root = default_topic_root();
    if (!valid_topic_root(opts_.topic_root))
      return make_error(ec::invalid_argument,
                        "realdds.topic-root '" + opts_.topic_root +
                            "' is no DDS topic name (letters, digits, "
                            "_ - . and / between levels)");
    if (opts_.domain > 232)
      return make_error(ec::invalid_argument,
                        "realdds.domain must be 0..232 (DDS' port mapping)");
    if (opts_.format != "json" && opts_.format != "cbor")
      return make_error(ec::invalid_argument,
                        "realdds.format must be json or cbor, not '" +
                            opts_.format + "'");
    if (opts_.log_flush < std::chrono::milliseconds{1})
      return make_error(ec::invalid_argument,
                        "realdds.log-flush must be at least 1ms");
    loopback_ = node.net.address == "127.0.0.1";
    return caf::none;
  }

  bool enabled() const override { return opts_.enabled; }

  caf::error bind(service_context& ctx) override {
    auto l = http::bind_listener(ctx.io, ctx.node.net, "realdds", opts_.port,
                                 ctx.tls_if(opts_.tls));
    if (!l)
      return l.error();
    listener_ = *l;
    return caf::none;
  }

  caf::error start(service_context& ctx) override {
    dds_settings dds;
    dds.domain = opts_.domain;
    dds.topic_root = opts_.topic_root;
    dds.participant_name = "signalbox " + opts_.topic_root;
    dds.loopback_only = loopback_;
    dds.peers = opts_.peers;
    auto relay = std::make_shared<dds_relay>();
    dds_callbacks callbacks;
    callbacks.reader_matched = [relay] { relay->send(realdds_matched_atom_v); };
    callbacks.control = [relay](data_format format, std::string data,
                                sample_id sample) {
      // A CBOR control is read as the JSON value it holds; what cannot be
      // read is answered as a control that is no object.
      std::string json;
      if (format == data_format::json)
        json = std::move(data);
      else if (format == data_format::cbor)
        json = json_of_cbor(data).value_or("");
      relay->send(realdds_control_atom_v, std::move(json),
                  std::move(sample.writer), sample.sequence, uint64_t{0});
    };
    std::string error;
    auto link = dds_link::open(dds, std::move(callbacks), error);
    if (!link)
      return make_error(ec::unavailable, "realdds: " + error);
    hub_ = std::make_shared<mirror_hub>(ctx.io.get_executor());
    server_settings s;
    s.dds = std::move(link);
    s.format = opts_.format == "cbor" ? data_format::cbor : data_format::json;
    s.mirror = hub_;
    s.log_flush = std::chrono::duration_cast<caf::timespan>(opts_.log_flush);
    s.request_timeout =
        std::chrono::duration_cast<caf::timespan>(ctx.node.net.request_timeout);
    // A control asks the registries at most four times in a row.
    auto control_timeout = 4 * s.request_timeout;
    s.gpio = ctx.gpio;
    s.values = ctx.values;
    server_ = spawn_server(ctx.sys, std::move(s),
                           std::make_shared<server_counters>());
    relay->set(server_);
    hub_->set_server(server_, control_timeout);
    return caf::none;
  }

  void serve(service_context& ctx) override {
    serve_mirror(*listener_, hub_, ctx.node.net);
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
    return {caf::actor_cast<caf::actor>(server_)};
  }

private:
  options opts_;
  bool loopback_ = true;
  std::shared_ptr<http::bound_listener> listener_;
  std::shared_ptr<mirror_hub> hub_;
  realdds_server_actor server_;
};

} // namespace

std::unique_ptr<service> make_service() {
  return std::make_unique<realdds_service>();
}

} // namespace signalbox::realdds
