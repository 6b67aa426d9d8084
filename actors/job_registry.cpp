#include "actors/job_registry.hpp"

#include <caf/actor_system.hpp>
#include <caf/group.hpp>
#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/job.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "store/job_records.hpp"

// Complete, because CAF checks the types of spawn arguments.
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace signalbox {

// -- validation ---------------------------------------------------------------

caf::error check_job_spec(const job_spec& spec) {
  auto invalid = [](std::string text) {
    return make_error(ec::invalid_argument, std::move(text));
  };
  auto has_nul = [](const std::string& str) {
    return str.find('\0') != std::string::npos;
  };
  if (spec.name.empty())
    return invalid("job name must not be empty");
  if (has_nul(spec.name))
    return invalid("job name must not contain NUL bytes");
  if (spec.command.empty())
    return invalid("job command must not be empty");
  if (spec.command.front().empty())
    return invalid("job command[0] (the program) must not be empty");
  for (auto& arg : spec.command)
    if (has_nul(arg))
      return invalid("job command must not contain NUL bytes");
  for (auto& [name, value] : spec.env) {
    if (name.empty() || name.find('=') != std::string::npos || has_nul(name))
      return invalid("job environment variable name '" + name +
                     "' must be non-empty and contain no '=' or NUL");
    if (has_nul(value))
      return invalid("job environment variable " + name +
                     " must not contain NUL bytes");
  }
  if (has_nul(spec.cwd))
    return invalid("job cwd must not contain NUL bytes");
  return caf::none;
}

// -- the actor ----------------------------------------------------------------

namespace {

struct registry_state;
using registry_pointer = job_registry_actor::stateful_pointer<registry_state>;

void warn(const std::string& text) {
  log::warning("jobs: " + text);
}

bool is_normal_exit(const caf::error& reason) {
  return !reason || reason == caf::exit_reason::normal;
}

struct job_entry {
  job_actor actor;
  job_spec spec;
  job_origin origin = job_origin::config;
  bool deleting = false; // a delete request is stopping it
};

struct registry_state {
  static inline const char* name = "signalbox.job_registry";

  registry_pointer self = nullptr;
  boost::asio::io_context* io = nullptr;
  store_actor store;
  job_options opts;
  metrics::registry_ptr metrics; // null: jobs count for nobody
  caf::group jobs_group;

  std::map<uint64_t, job_entry> jobs;
  uint64_t next_id = 1;
  std::set<std::string> reserved_names; // of creates and edits in flight
  bool autostarted = false;
  bool shutting_down = false; // no new work; jobs are being stopped
  bool shutdown_done = false; // every job actor is gone
  std::vector<caf::typed_response_promise<ok_atom>> shutdown_promises;

  // -- helpers ----------------------------------------------------------------

  void spawn_entry(uint64_t id, job_spec spec, job_origin origin) {
    job_setup setup;
    setup.id = id;
    setup.spec = spec;
    setup.origin = origin;
    setup.options = opts;
    if (metrics)
      setup.counts = job_metrics::registered_in(*metrics, spec.name);
    auto actor = spawn_job(self->system(), *io, std::move(setup));
    // Linked: when the registry goes, its jobs go (and take their processes
    // with them); when a job actor fails, the registry replaces it.
    self->link_to(actor);
    jobs[id] = job_entry{std::move(actor), std::move(spec), origin, false};
  }

  // An exit message: from one of our job actors, or from whoever ends the
  // registry.
  void on_exit_message(const caf::exit_msg& msg) {
    for (auto& [id, e] : jobs) {
      if (e.actor.address() != msg.source)
        continue;
      // A normal exit follows a shutdown request (registry shutdown or
      // delete). Anything else is a failed job actor: replace it, so that
      // the job stays manageable. Its process died with it.
      if (!is_normal_exit(msg.reason) && !shutting_down && !e.deleting) {
        warn("the actor of job " + std::to_string(id) +
             " failed: " + text_of(msg.reason) + "; it starts over as stopped");
        auto spec = e.spec;
        spawn_entry(id, spec, e.origin);
        // Clients last saw the old actor's status; the process is gone.
        caf::anon_send(jobs_group, notify_atom_v,
                       make_notification(job_status_changed{
                           id, spec.name, job_status::stopped, -1, 0}));
      }
      return;
    }
    // Not a job of ours (any more): a normal exit is none of our business,
    // anything else ends the registry like CAF's default would.
    if (!is_normal_exit(msg.reason))
      self->quit(msg.reason);
  }

  /// The registry's own view of a job, for when its actor cannot answer.
  job_info fallback_info(uint64_t id, const job_entry& e) const {
    job_info x;
    x.id = id;
    x.spec = e.spec;
    x.origin = e.origin;
    x.status = shutdown_done ? job_status::stopped : job_status::unknown;
    return x;
  }

  void publish(job_list_changed ev) {
    caf::anon_send(jobs_group, notify_atom_v, make_notification(std::move(ev)));
  }

  /// The live (not being deleted) entry of `id`, or nullptr.
  job_entry* find(uint64_t id) {
    auto i = jobs.find(id);
    return i == jobs.end() || i->second.deleting ? nullptr : &i->second;
  }

  caf::error no_job(uint64_t id) const {
    return make_error(ec::not_found, "no job " + std::to_string(id));
  }

  caf::error unavailable() const {
    return make_error(ec::unavailable, "the node is shutting down");
  }

  /// Why job `id` (0: a new job) cannot be edited, if it cannot.
  caf::error check_editable(uint64_t id) {
    if (!opts.editable)
      return make_error(ec::forbidden, "job editing is disabled");
    if (shutting_down)
      return unavailable();
    if (id == 0)
      return caf::none;
    auto e = find(id);
    if (e == nullptr)
      return no_job(id);
    if (e->origin == job_origin::config)
      return make_error(ec::conflict, "job " + std::to_string(id) +
                                          " is defined in the configuration");
    return caf::none;
  }

  /// ec::invalid_argument when another job (not `except`) uses `name`.
  caf::error check_name(const std::string& name, uint64_t except) const {
    for (auto& [id, e] : jobs)
      if (id != except && e.spec.name == name)
        return make_error(ec::invalid_argument,
                          "job name '" + name + "' is already used by job " +
                              std::to_string(id));
    if (reserved_names.count(name) != 0)
      return make_error(ec::invalid_argument,
                        "job name '" + name +
                            "' is being given to another job");
    return caf::none;
  }

  /// Writes `value` to `table`/`key`; calls `done` with the outcome after
  /// the commit.
  template <class Done>
  void put(const char* table, std::string key, std::string value, Done done) {
    self->request(store, caf::infinite, put_atom_v, std::string{table},
                  std::move(key), std::move(value))
        .then([done](ok_atom) mutable { done(caf::error{}); },
              [done](caf::error& err) mutable { done(std::move(err)); });
  }

  /// Stores job `id` and the next id; calls `done` once both are durable
  /// (or with the first error).
  template <class Done>
  void persist_job(uint64_t id, const job_spec& spec, Done done) {
    struct fan_in {
      int pending = 2;
      caf::error first_error;
    };
    auto state = std::make_shared<fan_in>();
    auto one_done = [state, done](caf::error err) mutable {
      if (err && !state->first_error)
        state->first_error = std::move(err);
      if (--state->pending == 0)
        done(std::move(state->first_error));
    };
    put(job_store::meta_table, job_store::next_job_id_key,
        job_store::encode_next_job_id(next_id), one_done);
    put(job_store::jobs_table, job_store::job_record_key(id),
        job_store::encode_job_record(id, spec), one_done);
  }

  // -- loading ----------------------------------------------------------------

  void load_configured() {
    uint64_t id = 0;
    for (auto& spec : opts.definitions)
      spawn_entry(++id, spec, job_origin::config);
    next_id = id + 1;
    opts.definitions.clear(); // the job actors have their copies
  }

  // Reads the API jobs and the next id. Uses `await`: no request is handled
  // before the registry knows every id it must not hand out again.
  void load_stored() {
    self->request(store, caf::infinite, get_atom_v,
                  std::string{job_store::jobs_table})
        .await(
            [this](std::vector<store_record>& records) {
              auto clashes = add_stored(records);
              load_next_id(std::move(clashes));
            },
            [this](caf::error& err) { self->quit(std::move(err)); });
  }

  // Spawns the stored jobs; answers those whose id a configured job took.
  std::vector<job_store::job_record>
  add_stored(const std::vector<store_record>& records) {
    auto configured = next_id - 1;
    std::vector<job_store::job_record> clashes;
    for (auto& rec : records) {
      auto key_id = job_store::parse_job_record_key(rec.key);
      if (!key_id) {
        warn("ignoring a stored job with the malformed key '" + rec.key + "'");
        continue;
      }
      // Even a record that cannot be read keeps its id from being reused.
      next_id = std::max(next_id, *key_id + 1);
      auto decoded = job_store::decode_job_record(rec.value);
      if (!decoded) {
        warn("ignoring stored job " + std::to_string(*key_id) + ": " +
             text_of(decoded.error()));
        continue;
      }
      decoded->id = *key_id; // the key is what the store is ordered by
      if (*key_id <= configured) {
        clashes.push_back(std::move(*decoded));
        continue;
      }
      if (auto err = check_name(decoded->spec.name, *key_id))
        warn("stored job " + std::to_string(*key_id) + ": " + text_of(err));
      spawn_entry(*key_id, std::move(decoded->spec), job_origin::api);
    }
    return clashes;
  }

  void load_next_id(std::vector<job_store::job_record> clashes) {
    self->request(store, caf::infinite, get_atom_v,
                  std::string{job_store::meta_table},
                  std::string{job_store::next_job_id_key})
        .await(
            [this, clashes](std::string& value) mutable {
              if (auto stored = job_store::decode_next_job_id(value))
                next_id = std::max(next_id, *stored);
              else
                warn(text_of(stored.error()));
              renumber(std::move(clashes));
            },
            [this, clashes](caf::error& err) mutable {
              if (code_of(err) != ec::not_found) {
                self->quit(std::move(err));
                return;
              }
              renumber(std::move(clashes)); // a store that never had API jobs
            });
  }

  // Gives stored jobs whose id the configuration now uses a fresh id.
  void renumber(std::vector<job_store::job_record> clashes) {
    for (auto& rec : clashes) {
      auto id = next_id++;
      warn("stored job " + std::to_string(rec.id) + " ('" + rec.spec.name +
           "') now has id " + std::to_string(id) +
           ": the configuration defines job " + std::to_string(rec.id));
      auto old_key = job_store::job_record_key(rec.id);
      persist_job(id, rec.spec, [this, old_key](caf::error err) {
        if (err) {
          warn("cannot store a renumbered job: " + text_of(err));
          return;
        }
        self->request(store, caf::infinite, delete_atom_v,
                      std::string{job_store::jobs_table}, old_key)
            .then([](bool) {},
                  [](caf::error& err) {
                    warn("cannot remove a renumbered job's old record: " +
                         text_of(err));
                  });
      });
      spawn_entry(id, std::move(rec.spec), job_origin::api);
    }
  }

  // -- requests ---------------------------------------------------------------

  caf::result<std::vector<job_info>> list() {
    auto rp = self->make_response_promise<std::vector<job_info>>();
    struct fan_in {
      std::vector<job_info> result;
      size_t pending = 0;
    };
    auto state = std::make_shared<fan_in>();
    std::vector<std::pair<uint64_t, const job_entry*>> live;
    for (auto& [id, e] : jobs)
      if (!e.deleting)
        live.emplace_back(id, &e);
    if (live.empty()) {
      rp.deliver(std::vector<job_info>{});
      return rp;
    }
    state->result.resize(live.size());
    state->pending = live.size();
    for (size_t i = 0; i < live.size(); ++i) {
      auto fallback = fallback_info(live[i].first, *live[i].second);
      auto done = [state, rp, i](job_info x) mutable {
        state->result[i] = std::move(x);
        if (--state->pending == 0)
          rp.deliver(std::move(state->result));
      };
      self->request(live[i].second->actor, caf::infinite, get_atom_v)
          .then([done](job_info& x) mutable { done(std::move(x)); },
                [done, fallback](caf::error&) mutable { done(fallback); });
    }
    return rp;
  }

  caf::result<job_info> create(job_spec& spec) {
    if (auto err = check_editable(0))
      return err;
    if (auto err = check_job_spec(spec))
      return err;
    if (auto err = check_name(spec.name, 0))
      return err;
    auto id = next_id++;
    reserved_names.insert(spec.name);
    auto rp = self->make_response_promise<job_info>();
    persist_job(id, spec, [this, rp, id, spec](caf::error err) mutable {
      reserved_names.erase(spec.name);
      if (err) {
        rp.deliver(std::move(err));
        return;
      }
      spawn_entry(id, spec, job_origin::api);
      publish(job_list_changed{true, id, spec.name});
      auto actor = jobs[id].actor;
      auto deliver = [rp](job_info& x) mutable { rp.deliver(std::move(x)); };
      auto fail = [rp](caf::error& e) mutable { rp.deliver(std::move(e)); };
      if (spec.autostart && !shutting_down)
        self->request(actor, caf::infinite, start_atom_v).then(deliver, fail);
      else
        self->request(actor, caf::infinite, get_atom_v).then(deliver, fail);
    });
    return rp;
  }

  caf::result<job_info> update(uint64_t id, job_spec& spec) {
    if (auto err = check_editable(id))
      return err;
    if (auto err = check_job_spec(spec))
      return err;
    if (auto err = check_name(spec.name, id))
      return err;
    auto reserved = reserved_names.insert(spec.name).second;
    auto rp = self->make_response_promise<job_info>();
    put(job_store::jobs_table, job_store::job_record_key(id),
        job_store::encode_job_record(id, spec),
        [this, rp, id, spec, reserved](caf::error err) mutable {
          if (reserved)
            reserved_names.erase(spec.name);
          if (err) {
            rp.deliver(std::move(err));
            return;
          }
          auto e = find(id);
          if (e == nullptr) {
            rp.deliver(no_job(id)); // deleted meanwhile
            return;
          }
          e->spec = spec;
          self->request(e->actor, caf::infinite, update_atom_v, spec)
              .then([rp](job_info& x) mutable { rp.deliver(std::move(x)); },
                    [rp](caf::error& x) mutable { rp.deliver(std::move(x)); });
        });
    return rp;
  }

  caf::result<ok_atom> remove(uint64_t id) {
    if (auto err = check_editable(id))
      return err;
    auto& e = jobs[id];
    e.deleting = true;
    auto rp = self->make_response_promise<ok_atom>();
    // First the process goes (its actor quits once it is reaped), then the
    // record, then the world is told.
    auto erase_record = [this, rp, id]() mutable {
      self->request(store, caf::infinite, delete_atom_v,
                    std::string{job_store::jobs_table},
                    job_store::job_record_key(id))
          .then(
              [this, rp, id](bool) mutable {
                auto name = jobs[id].spec.name;
                jobs.erase(id);
                publish(job_list_changed{false, id, name});
                rp.deliver(ok_atom_v);
              },
              [this, rp, id](caf::error& err) mutable {
                // The job stays; it gets a fresh (stopped) actor.
                auto& e = jobs[id];
                auto spec = e.spec;
                spawn_entry(id, std::move(spec), e.origin);
                rp.deliver(std::move(err));
              });
    };
    self->request(e.actor, caf::infinite, shutdown_atom_v)
        .then([erase_record](ok_atom) mutable { erase_record(); },
              [erase_record](caf::error&) mutable { erase_record(); });
    return rp;
  }

  caf::result<ok_atom> shutdown() {
    auto rp = self->make_response_promise<ok_atom>();
    if (shutdown_done) {
      rp.deliver(ok_atom_v);
      return rp;
    }
    shutdown_promises.push_back(rp);
    if (shutting_down)
      return rp;
    shutting_down = true;
    auto pending = std::make_shared<size_t>(jobs.size());
    auto one_done = [this, pending] {
      if (--*pending == 0)
        finish_shutdown();
    };
    if (jobs.empty())
      finish_shutdown();
    for (auto& [id, e] : jobs)
      self->request(e.actor, caf::infinite, shutdown_atom_v)
          .then([one_done](ok_atom) { one_done(); },
                [one_done](caf::error&) { one_done(); });
    return rp;
  }

  void finish_shutdown() {
    shutdown_done = true;
    for (auto& rp : shutdown_promises)
      rp.deliver(ok_atom_v);
    shutdown_promises.clear();
  }

  void start_autostart_jobs() {
    if (autostarted || shutting_down)
      return;
    autostarted = true;
    // anon_send: nobody waits for the answers; the status changes are
    // published anyway.
    for (auto& [id, e] : jobs)
      if (e.spec.autostart && !e.deleting)
        caf::anon_send(e.actor, start_atom_v);
  }

  /// Delegates a request about job `id` to its actor.
  template <class Result, class... Ts>
  caf::result<Result> forward(uint64_t id, Ts... xs) {
    auto e = find(id);
    if (e == nullptr)
      return no_job(id);
    if (shutdown_done)
      return unavailable();
    return self->delegate(e->actor, xs...);
  }
};

job_registry_actor::behavior_type registry_impl(registry_pointer self,
                                                boost::asio::io_context* io,
                                                store_actor store,
                                                job_options opts) {
  auto& st = self->state;
  st.self = self;
  st.io = io;
  st.store = std::move(store);
  st.opts = std::move(opts);
  st.jobs_group = self->system().groups().get_local(groups::jobs);
  self->set_exit_handler(
      [self](caf::exit_msg& msg) { self->state.on_exit_message(msg); });
  st.load_configured();
  st.load_stored();
  return {
      [self](list_atom) { return self->state.list(); },
      [self](get_atom, uint64_t id) -> caf::result<job_info> {
        auto& st = self->state;
        auto e = st.find(id);
        if (e == nullptr)
          return st.no_job(id);
        if (st.shutdown_done)
          return st.fallback_info(id, *e);
        return self->delegate(e->actor, get_atom_v);
      },
      [self](create_atom, job_spec& spec) { return self->state.create(spec); },
      [self](update_atom, uint64_t id, job_spec& spec) {
        return self->state.update(id, spec);
      },
      [self](delete_atom, uint64_t id) { return self->state.remove(id); },
      [self](start_atom, uint64_t id) -> caf::result<job_info> {
        if (self->state.shutting_down)
          return self->state.find(id) ? self->state.unavailable()
                                      : self->state.no_job(id);
        return self->state.forward<job_info>(id, start_atom_v);
      },
      [self](stop_atom, uint64_t id) {
        return self->state.forward<job_info>(id, stop_atom_v);
      },
      [self](restart_atom, uint64_t id) -> caf::result<job_info> {
        if (self->state.shutting_down)
          return self->state.find(id) ? self->state.unavailable()
                                      : self->state.no_job(id);
        return self->state.forward<job_info>(id, restart_atom_v);
      },
      [self](log_atom, uint64_t id, uint32_t n) {
        return self->state.forward<std::vector<log_line>>(id, log_atom_v, n);
      },
      [self](shutdown_atom) { return self->state.shutdown(); },
      [self](start_atom) { self->state.start_autostart_jobs(); },
  };
}

} // namespace

job_registry_actor spawn_job_registry(caf::actor_system& sys,
                                      boost::asio::io_context& io,
                                      store_actor store,
                                      const job_options& opts,
                                      metrics::registry_ptr reg) {
  return sys.spawn([io = &io, store = std::move(store), opts,
                    reg = std::move(reg)](registry_pointer self) mutable {
    self->state.metrics = std::move(reg);
    return registry_impl(self, io, std::move(store), std::move(opts));
  });
}

} // namespace signalbox
