#include "actors/node.hpp"

#include <cstdlib>
#include <future>
#include <iostream>
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

#include "actors/errors.hpp"
#include "actors/gpio_registry.hpp"
#include "actors/interfaces.hpp"
#include "actors/jmri_directory.hpp"
#include "actors/jmri_job_messages.hpp"
#include "actors/job_registry.hpp"
#include "actors/sio_directory.hpp"
#include "actors/store.hpp"
#include "actors/value_registry.hpp"
#include "protocols/jmri/server.hpp"
#include "protocols/socketio/server.hpp"
#include "protocols/ttmnotify/server.hpp"

namespace signalbox {

namespace asio = boost::asio;

struct node::impl {
  impl(caf::actor_system& sys, node_options opts)
      : sys(sys), opts(std::move(opts)), work(asio::make_work_guard(io)),
        signals(io, SIGINT, SIGTERM) {
    // nop
  }

  caf::actor_system& sys;
  node_options opts;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  asio::signal_set signals;
  std::promise<int> signalled;
  std::vector<std::thread> io_threads;
  store_actor store;
  value_registry_actor values;
  gpio_registry_actor gpio;
  job_registry_actor jobs;
  std::vector<caf::group> groups; // the ttm groups, created at start
  std::shared_ptr<ttmnotify::server> ttm;
  jmri_directory_actor jmri;
  caf::actor jmri_job_messages;
  std::shared_ptr<jmri::servers> jmri_servers;
  sio_directory_actor sio;
  std::shared_ptr<socketio::server> sio_server;
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

  void stop_io() {
    work.reset();
    io.stop();
    for (auto& t : io_threads)
      if (t.joinable())
        t.join();
    io_threads.clear();
  }
};

node::node(caf::actor_system& sys, node_options opts)
    : impl_(std::make_unique<impl>(sys, std::move(opts))) {
  // nop
}

node::~node() {
  if (!impl_->stopped)
    stop();
}

caf::error node::start(const listening_callback& on_listening) {
  auto& d = *impl_;
  d.watch_signals();
  d.run_io_threads();
  // Create the ttm groups here, before any actor asks for them: CAF 0.17
  // creates a local group with a blocking wait inside group_manager::get, and
  // actors doing that at once on every worker deadlocked the scheduler (seen:
  // a job registry and a GPIO line actor, both workers blocked, at start-up).
  // Once created, a group is found without blocking; d.groups keeps them.
  for (auto name : {groups::jobs, groups::gpio, groups::values})
    d.groups.push_back(d.sys.groups().get_local(name));
  auto store = spawn_store(d.sys, d.opts.store);
  if (!store)
    return store.error();
  d.store = *store;
  auto values = spawn_value_registry(d.sys, d.store, d.opts.values);
  if (!values)
    return values.error();
  d.values = *values;
  auto gpio = spawn_gpio(d.sys, d.io, d.opts.gpio);
  if (!gpio)
    return gpio.error();
  d.gpio = *gpio;
  // Bind first: jobs get SIGNALBOX_URL with the real port (port 0 picks an
  // ephemeral one).
  auto ttm = ttmnotify::bind_server(d.io, d.opts);
  if (!ttm)
    return ttm.error();
  d.ttm = *ttm;
  auto job_opts = d.opts.jobs;
  job_opts.signalbox_url =
      "http://" + d.ttm->address() + ":" + std::to_string(d.ttm->port());
  if (d.opts.jmri.enabled) {
    auto servers = jmri::bind_servers(d.io, d.opts);
    if (!servers)
      return servers.error();
    d.jmri_servers = *servers;
    d.jmri = spawn_jmri_directory(d.sys);
    if (d.opts.jmri.job_messages)
      d.jmri_job_messages =
          spawn_jmri_job_messages(d.sys, d.jmri, d.opts.jmri.locale);
  }
  if (d.opts.socketio.enabled) {
    auto server = socketio::bind_server(d.io, d.opts);
    if (!server)
      return server.error();
    d.sio_server = *server;
    d.sio = spawn_sio_directory(d.sys);
  }
  d.jobs = spawn_job_registry(d.sys, d.io, d.store, job_opts);
  http::rest_context rest;
  rest.sys = &d.sys;
  rest.jobs = d.jobs;
  rest.gpio = d.gpio;
  rest.values = d.values;
  rest.jmri = d.jmri;
  rest.jmri_locale = d.opts.jmri.locale;
  rest.ttm = d.opts.ttm;
  rest.request_timeout =
      std::chrono::duration_cast<caf::timespan>(d.opts.net.request_timeout);
  rest.gpio_simulated = d.opts.gpio.backend == "simulated";
  d.ttm->serve(d.sys, std::move(rest));
  on_listening(d.ttm->service(), d.ttm->address(), d.ttm->port());
  if (d.jmri_servers) {
    d.jmri_servers->serve(d.sys, d.jmri);
    for (auto& l : d.jmri_servers->listeners())
      on_listening(l->service(), l->address(), l->port());
  }
  if (d.sio_server) {
    d.sio_server->serve(d.sys, d.sio);
    on_listening(d.sio_server->service(), d.sio_server->address(),
                 d.sio_server->port());
  }
  // Jobs start once clients can reach the node they report to.
  caf::anon_send(d.jobs, start_atom_v);
  return caf::none;
}

void node::wait_for_signal() {
  impl_->signalled.get_future().wait();
}

caf::error node::stop() {
  auto& d = *impl_;
  if (d.stopped)
    return caf::none;
  d.stopped = true;
  caf::error result;
  // 1. Stop accepting; close every WebSocket with 1001 (JMRI clients get a
  //    goodbye first).
  if (d.ttm)
    d.ttm->stop();
  if (d.jmri_servers)
    for (auto& l : d.jmri_servers->listeners())
      l->stop();
  if (d.sio_server)
    d.sio_server->stop();
  {
    caf::scoped_actor self{d.sys};
    auto grace = std::chrono::duration_cast<caf::timespan>(
        d.opts.jobs.stop_grace + std::chrono::seconds(10));
    // 2. Stop every job: SIGTERM, SIGKILL after the grace period.
    if (d.jobs) {
      self->request(d.jobs, grace, shutdown_atom_v)
          .receive([](ok_atom) {},
                   [&](caf::error& err) {
                     result = make_error(ec::system_error,
                                         "stopping jobs: " + text_of(err));
                   });
    }
    // 3. Commit whatever the store still holds.
    if (d.store) {
      self->request(d.store, std::chrono::seconds(30), flush_atom_v)
          .receive([](ok_atom) {},
                   [&](caf::error& err) {
                     if (!result)
                       result =
                           make_error(ec::storage_failure,
                                      "committing the store: " + text_of(err));
                   });
    }
    // 4. Retire the actors (registries take their children down: they are
    //    linked).
    for (auto& handle :
         {d.jmri_job_messages, caf::actor_cast<caf::actor>(d.jmri),
          caf::actor_cast<caf::actor>(d.sio),
          caf::actor_cast<caf::actor>(d.jobs),
          caf::actor_cast<caf::actor>(d.gpio),
          caf::actor_cast<caf::actor>(d.values),
          caf::actor_cast<caf::actor>(d.store)})
      if (handle)
        self->send_exit(handle, caf::exit_reason::user_shutdown);
  }
  d.jobs = nullptr;
  d.jmri = nullptr;
  d.sio = nullptr;
  d.jmri_job_messages = nullptr;
  d.gpio = nullptr;
  d.values = nullptr;
  d.store = nullptr;
  // 5. Wait until every actor is gone while the io threads still run:
  //    exiting actors hand work to the io_context (GPIO readers close there,
  //    sessions finish their close handshakes). A shutdown that does not
  //    finish in time is cut short rather than hanging the service manager.
  auto all_done = std::async(std::launch::async,
                             [&sys = d.sys] { sys.await_all_actors_done(); });
  auto limit = d.opts.net.close_timeout + std::chrono::seconds(10);
  if (all_done.wait_for(limit) != std::future_status::ready) {
    std::cerr << "signalbox: shutdown: actors did not finish within "
              << std::chrono::duration_cast<std::chrono::seconds>(limit).count()
              << "s; exiting" << std::endl;
    std::_Exit(1);
  }
  // 6. Let the WebSockets finish their close handshakes. ttmnotify
  //    subscribers are no actors (one fan-out companion stands for all of
  //    them), so the wait above does not cover them; each closes within
  //    net.close-timeout, after which it drops the connection itself.
  auto open_connections = [&d] {
    size_t n = 0;
    if (d.ttm)
      n += d.ttm->connections();
    if (d.jmri_servers)
      for (auto& l : d.jmri_servers->listeners())
        n += l->connections();
    if (d.sio_server)
      n += d.sio_server->connections();
    return n;
  };
  auto closed_by = std::chrono::steady_clock::now() + d.opts.net.close_timeout +
                   std::chrono::milliseconds(500);
  // main() may block; the io threads do the work meanwhile.
  while (open_connections() > 0 && std::chrono::steady_clock::now() < closed_by)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  d.signals.cancel();
  d.stop_io();
  return result;
}

} // namespace signalbox
