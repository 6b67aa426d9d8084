#include "app/node.hpp"

#include <cstdlib>
#include <future>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <caf/actor_system.hpp>
#include <caf/group.hpp>
#include <caf/group_manager.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/gpio_registry.hpp"
#include "actors/interfaces.hpp"
#include "actors/job_registry.hpp"
#include "actors/store.hpp"
#include "actors/value_registry.hpp"
#include "app/node_metrics.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "protocols/http/tls_server.hpp"

namespace signalbox {

namespace asio = boost::asio;

struct node::impl {
  impl(caf::actor_system& sys, node_options opts, service_list services)
      : sys(sys), opts(std::move(opts)), services(std::move(services)),
        work(asio::make_work_guard(io)), signals(io, SIGINT, SIGTERM),
        reload_signal(io, SIGHUP), ctx(sys, io, this->opts) {
    // nop
  }

  caf::actor_system& sys;
  node_options opts;
  service_list services;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  asio::signal_set signals;
  asio::signal_set reload_signal; // SIGHUP: re-read the TLS files
  std::promise<int> signalled;
  std::vector<std::thread> io_threads;
  std::vector<caf::group> groups; // the domain groups, created at start
  service_context ctx;            // the domain actors live here
  std::vector<service*> running;  // enabled services, in list order
  bool stopped = false;

  void run_io_threads() {
    for (size_t i = 0; i < opts.net.threads; ++i)
      io_threads.emplace_back([this] { io.run(); });
  }

  void watch_signals() {
    signals.async_wait([this](boost::system::error_code ec, int signo) {
      if (!ec)
        signalled.set_value(signo);
    });
  }

  void watch_reload_signal() {
    reload_signal.async_wait([this](boost::system::error_code ec, int) {
      if (ec)
        return;
      reload_tls();
      watch_reload_signal();
    });
  }

  /// New connections get the re-read certificates; connections already up
  /// keep theirs. A file that cannot be used leaves the old identity on.
  void reload_tls() {
    if (ctx.tls_identities.empty()) {
      log::info("SIGHUP: no TLS identity to reload");
      return;
    }
    for (auto& identity : ctx.tls_identities) {
      if (auto problem = identity->reload(); !problem.empty())
        log::error("SIGHUP: TLS identity kept as it was: " + problem);
      else
        log::info("SIGHUP: TLS certificate reloaded");
    }
  }

  /// Plain listeners off loopback carry API tokens, passwords and the
  /// device's state readable by anyone on the network: say so once.
  void warn_plain_listeners() const {
    auto& address = opts.net.address;
    if (address.rfind("127.", 0) == 0 || address == "::1" ||
        address == "localhost")
      return;
    for (auto& l : ctx.listeners)
      if (!l->secure())
        log::warning(l->service() + " on " + address +
                     " is plain TCP: set net.tls-cert and net.tls-key to "
                     "encrypt it");
  }

  /// The node's TLS identity (net.tls-*), before the services bind.
  caf::error make_tls_identity() {
    if (!opts.net.tls())
      return caf::none;
    std::string error;
    ctx.tls = http::tls_server::make(opts.net.tls_cert, opts.net.tls_key,
                                     opts.net.tls_client_ca, error);
    if (!ctx.tls)
      return make_error(ec::invalid_argument, "net.tls-*: " + error);
    ctx.tls_identities.push_back(ctx.tls);
    return caf::none;
  }

  void stop_io() {
    work.reset();
    io.stop();
    for (auto& t : io_threads)
      if (t.joinable())
        t.join();
    io_threads.clear();
  }

  caf::error spawn_domain_before_services();
  caf::error spawn_jobs();
  /// Runs `phase` on every enabled service, stopping at the first error.
  template <class Phase>
  caf::error each_service(Phase phase);
  caf::error request_shutdown(caf::scoped_actor& self);
  void retire_actors(caf::scoped_actor& self);
  size_t open_connections() const;
  void wait_for_close_handshakes();
};

caf::error node::impl::spawn_domain_before_services() {
  // Create the domain groups here, before any actor asks for them: CAF 0.17
  // creates a local group with a blocking wait inside group_manager::get,
  // and actors doing that at once on every worker deadlocked the scheduler
  // (seen: a job registry and a GPIO line actor, both workers blocked, at
  // start-up). Once created, a group is found without blocking.
  for (auto name : {groups::jobs, groups::gpio, groups::values,
                    groups::job_output, groups::cluster})
    groups.push_back(sys.groups().get_local(name));
  auto store =
      spawn_store(sys, opts.store, store_metrics::registered_in(*ctx.metrics));
  if (!store)
    return store.error();
  ctx.store = *store;
  auto values = spawn_value_registry(sys, ctx.store, opts.values);
  if (!values)
    return values.error();
  ctx.values = *values;
  auto gpio = spawn_gpio(sys, io, opts.gpio, ctx.metrics.get());
  if (!gpio)
    return gpio.error();
  ctx.gpio = *gpio;
  return caf::none;
}

caf::error node::impl::spawn_jobs() {
  // After the services bound their ports: the jobs' environment names them
  // (SIGNALBOX_URL with the real port, even when configured as 0).
  auto job_opts = opts.jobs;
  for (auto& [name, value] : ctx.job_environment)
    job_opts.environment[name] = value;
  ctx.jobs = spawn_job_registry(sys, io, ctx.store, job_opts, ctx.metrics);
  return caf::none;
}

template <class Phase>
caf::error node::impl::each_service(Phase phase) {
  for (auto* s : running)
    if (auto err = phase(*s))
      return err;
  return caf::none;
}

node::node(caf::actor_system& sys, node_options opts, service_list services)
    : impl_(std::make_unique<impl>(sys, std::move(opts), std::move(services))) {
  // nop
}

node::~node() {
  if (!impl_->stopped)
    stop();
}

caf::error node::start(const listening_callback& on_listening) {
  auto& d = *impl_;
  d.watch_signals();
  d.watch_reload_signal();
  d.run_io_threads();
  for (auto& s : d.services)
    if (s->enabled())
      d.running.push_back(s.get());
  if (auto err = d.spawn_domain_before_services())
    return err;
  if (auto err = d.make_tls_identity())
    return err;
  if (auto err = d.each_service([&](service& s) { return s.bind(d.ctx); }))
    return err;
  for (auto* s : d.running)
    for (auto& l : s->listeners())
      d.ctx.listeners.push_back(l);
  add_node_collectors(*d.ctx.metrics, d.ctx.listeners);
  d.warn_plain_listeners();
  if (auto err = d.spawn_jobs())
    return err;
  if (auto err = d.each_service([&](service& s) { return s.start(d.ctx); }))
    return err;
  for (auto* s : d.running) {
    s->serve(d.ctx);
    for (auto& l : s->listeners())
      on_listening(l->service(), l->address(), l->port());
  }
  // Jobs start once clients can reach the node they report to.
  caf::anon_send(d.ctx.jobs, start_atom_v);
  return caf::none;
}

void node::wait_for_signal() {
  impl_->signalled.get_future().wait();
}

caf::error node::impl::request_shutdown(caf::scoped_actor& self) {
  caf::error result;
  auto grace = std::chrono::duration_cast<caf::timespan>(
      opts.jobs.stop_grace + std::chrono::seconds(10));
  // Stop every job: SIGTERM, SIGKILL after the grace period.
  if (ctx.jobs) {
    self->request(ctx.jobs, grace, shutdown_atom_v)
        .receive([](ok_atom) {},
                 [&](caf::error& err) {
                   result = make_error(ec::system_error,
                                       "stopping jobs: " + text_of(err));
                 });
  }
  // Commit whatever the store still holds.
  if (ctx.store) {
    self->request(ctx.store, std::chrono::seconds(30), flush_atom_v)
        .receive([](ok_atom) {},
                 [&](caf::error& err) {
                   if (!result)
                     result =
                         make_error(ec::storage_failure,
                                    "committing the store: " + text_of(err));
                 });
  }
  return result;
}

void node::impl::retire_actors(caf::scoped_actor& self) {
  // The services' actors first (they may still talk to the domain), then
  // the domain's; registries take their children down (they are linked).
  std::vector<caf::actor> all;
  for (auto* s : running)
    for (auto& a : s->actors())
      all.push_back(a);
  for (auto& a : {caf::actor_cast<caf::actor>(ctx.jobs),
                  caf::actor_cast<caf::actor>(ctx.gpio),
                  caf::actor_cast<caf::actor>(ctx.values),
                  caf::actor_cast<caf::actor>(ctx.store)})
    all.push_back(a);
  for (auto& handle : all)
    if (handle)
      self->send_exit(handle, caf::exit_reason::user_shutdown);
  ctx.jobs = nullptr;
  ctx.gpio = nullptr;
  ctx.values = nullptr;
  ctx.store = nullptr;
}

size_t node::impl::open_connections() const {
  size_t n = 0;
  for (auto* s : running)
    for (auto& l : s->listeners())
      n += l->connections();
  return n;
}

void node::impl::wait_for_close_handshakes() {
  // Connections that are no actors (the fan-out's subscribers: one
  // companion stands for all of them) are not covered by the wait for
  // actors; each closes within net.close-timeout, after which it drops the
  // connection itself.
  auto closed_by = std::chrono::steady_clock::now() + opts.net.close_timeout +
                   std::chrono::milliseconds(500);
  // main() may block; the io threads do the work meanwhile.
  while (open_connections() > 0 && std::chrono::steady_clock::now() < closed_by)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

caf::error node::stop() {
  auto& d = *impl_;
  if (d.stopped)
    return caf::none;
  d.stopped = true;
  // 1. Stop accepting; close every WebSocket with 1001 (JMRI clients get a
  //    goodbye first).
  for (auto* s : d.running)
    s->stop();
  caf::error result;
  {
    caf::scoped_actor self{d.sys};
    // 2. Stop every job, 3. commit the store.
    result = d.request_shutdown(self);
    // 4. Retire the actors.
    d.retire_actors(self);
  }
  // 5. Wait until every actor is gone while the io threads still run:
  //    exiting actors hand work to the io_context (GPIO readers close there,
  //    sessions finish their close handshakes). A shutdown that does not
  //    finish in time is cut short rather than hanging the service manager.
  auto all_done = std::async(std::launch::async,
                             [&sys = d.sys] { sys.await_all_actors_done(); });
  auto limit = d.opts.net.close_timeout + std::chrono::seconds(10);
  if (all_done.wait_for(limit) != std::future_status::ready) {
    log::error(
        "shutdown: actors did not finish within " +
        std::to_string(
            std::chrono::duration_cast<std::chrono::seconds>(limit).count()) +
        "s; exiting");
    std::_Exit(1);
  }
  // 6. Let the WebSockets finish their close handshakes.
  d.wait_for_close_handshakes();
  d.signals.cancel();
  d.reload_signal.cancel();
  d.stop_io();
  return result;
}

} // namespace signalbox
