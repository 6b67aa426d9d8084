#include "protocols/rtoc/directory.hpp"

#include <algorithm>
#include <functional>
#include <memory>

#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "protocols/rtoc/codec.hpp"
#include "protocols/rtoc/events.hpp"
#include "protocols/rtoc/records.hpp"

namespace signalbox::rtoc {

namespace {

using self_pointer = directory_pointer;
using entry = directory_state::signal_entry;
using done_fn = std::function<void(const caf::error&)>;

// -- pushes -------------------------------------------------------------------

void push_to_all(self_pointer self, std::string text) {
  shared_frames frames{make_shared_frame(std::move(text))};
  for (auto& [addr, sink] : self->state.clients)
    self->send(sink, rtoc_push_atom_v, frames);
}

// -- devices and signals ------------------------------------------------------

/// The signal named dname.sname, created (with its device) when missing;
/// `created` collects the new ones. nullptr when rtoc.max-signals is
/// reached.
entry* ensure_signal(self_pointer self, const std::string& dname,
                     const std::string& sname, std::vector<entry*>& created,
                     std::vector<store_record>& new_devices) {
  auto& st = self->state;
  auto name = dname + "." + sname;
  if (auto i = st.signals.find(name); i != st.signals.end())
    return &i->second;
  if (st.signals.size() >= st.cfg.max_signals)
    return nullptr;
  auto dev = st.device_ids.find(dname);
  if (dev == st.device_ids.end()) {
    auto id = lowest_unused_id(st.devices);
    st.devices.emplace(id, dname);
    dev = st.device_ids.emplace(dname, id).first;
    new_devices.push_back({records::id_key(id), dname});
  }
  signal_setup setup;
  setup.id = lowest_unused_id(st.signal_ids);
  setup.device_id = dev->second;
  setup.dname = dname;
  setup.sname = sname;
  setup.record_length = st.cfg.record_length;
  setup.store = st.cfg.store;
  auto actor = self->spawn<caf::linked>(signal_behavior, setup);
  st.signal_ids.emplace(setup.id, name);
  auto& e = st.signals[name];
  e = entry{setup.id, setup.device_id, dname, sname, "", actor};
  created.push_back(&e);
  return &e;
}

/// The creations of `names` are stored and announced: runs what waited.
void announced(self_pointer self, const std::vector<std::string>& names,
               const caf::error& err) {
  auto& st = self->state;
  for (auto& name : names) {
    auto i = st.announcing.find(name);
    if (i == st.announcing.end())
      continue;
    auto waiting = std::move(i->second);
    st.announcing.erase(i);
    if (err)
      // Not stored: the signal goes again, a later request creates it anew.
      if (auto e = st.signals.find(name); e != st.signals.end()) {
        self->send_exit(e->second.actor, caf::exit_reason::user_shutdown);
        st.signal_ids.erase(e->second.id);
        st.signals.erase(e);
      }
    for (auto& fn : waiting)
      fn(err);
  }
}

/// Stores the new devices and signals, then tells every client about each
/// new signal. Until then, what concerns them waits (when_ready).
void announce(self_pointer self, const std::vector<entry*>& created,
              std::vector<store_record> new_devices) {
  auto& st = self->state;
  if (created.empty())
    return;
  std::vector<store_record> sigs;
  std::vector<std::string> pushes;
  std::vector<std::string> names;
  for (auto* e : created) {
    sigs.push_back({records::id_key(e->id),
                    records::encode_signal({e->device_id, e->sname, ""})});
    pushes.push_back(new_signal_push(e->dname, e->sname, e->id));
    names.push_back(e->dname + "." + e->sname);
    st.announcing[names.back()];
  }
  if (!new_devices.empty())
    caf::anon_send(st.cfg.store, put_atom_v,
                   std::string{records::devices_table}, std::move(new_devices));
  self->request(st.cfg.store, st.cfg.timeout, put_atom_v,
                std::string{records::signals_table}, std::move(sigs))
      .then(
          [self, pushes, names](ok_atom) {
            for (auto& p : pushes)
              push_to_all(self, p);
            announced(self, names, {});
          },
          [self, names](caf::error& err) { announced(self, names, err); });
}

/// Calls `done` once none of the signals `names` is being announced.
void when_ready(self_pointer self, const std::vector<std::string>& names,
                done_fn done) {
  auto& st = self->state;
  struct countdown {
    size_t left = 0;
    bool failed = false;
  };
  auto c = std::make_shared<countdown>();
  for (auto& name : names)
    if (auto i = st.announcing.find(name); i != st.announcing.end()) {
      ++c->left;
      i->second.push_back([c, done](const caf::error& err) {
        if (c->failed)
          return;
        if (err) {
          c->failed = true;
          done(err);
        } else if (--c->left == 0) {
          done({});
        }
      });
    }
  if (c->left == 0)
    done({});
}

/// Answers `done` once every request made by `issue(i)` for i < n was
/// answered (or with the first error).
template <class Result, class Issue, class OnAll>
void gather(size_t n, Issue issue, OnAll on_all, done_fn fail) {
  if (n == 0) {
    std::vector<Result> none;
    on_all(none);
    return;
  }
  struct shared {
    std::vector<Result> results;
    size_t left;
    bool failed = false;
  };
  auto sh = std::make_shared<shared>();
  sh->results.resize(n);
  sh->left = n;
  for (size_t i = 0; i < n; ++i)
    issue(i).then(
        [sh, i, on_all](Result& x) mutable {
          sh->results[i] = std::move(x);
          if (--sh->left == 0 && !sh->failed)
            on_all(sh->results);
        },
        [sh, fail](caf::error& err) {
          if (!sh->failed) {
            sh->failed = true;
            fail(err);
          }
        });
}

/// The samples of one request, shared with the request (never copied).
using samples_ptr = std::shared_ptr<const std::vector<sample>>;

/// What a request gives one of its signals: the signal, and its samples'
/// values for the signal actor.
struct signal_work {
  rtoc_signal_actor actor;
  int64_t id = 0;
  std::string name; // "Dev.Sig"
  /// The first sample of this signal: its dname and sname identify it.
  const sample* first = nullptr;
  sample_batch batch;
};

/// The work item of sample `s` in `work` (the last one matched is tried
/// first: requests usually repeat or cycle through few signals); npos when
/// none is.
size_t find_work(const std::vector<signal_work>& work, const sample& s,
                 size_t last) {
  auto same = [&s](const signal_work& w) {
    return w.first->sname == s.sname && w.first->dname == s.dname;
  };
  if (last < work.size() && same(work[last]))
    return last;
  for (size_t i = 0; i < work.size(); ++i)
    if (same(work[i]))
      return i;
  return std::string::npos;
}

/// Each sample to the connections subscribed to its signal (by name or to
/// all), in the order of the request's values, encoded once for all of
/// them. `work_of[i]` is the work item of sample i.
void push_samples(self_pointer self, const std::vector<sample>& samples,
                  const std::vector<signal_work>& work,
                  const std::vector<size_t>& work_of) {
  auto& st = self->state;
  // The subscribers by name of each signal, looked up once per request.
  std::vector<const sink_map*> named(work.size(), nullptr);
  bool any_named = false;
  for (size_t w = 0; w < work.size(); ++w)
    if (auto i = st.by_name.find(work[w].name);
        i != st.by_name.end() && !i->second.empty()) {
      named[w] = &i->second;
      any_named = true;
    }
  if (!any_named && st.all_signals.empty())
    return;
  // Each connection's frames, in request order, go out in one message.
  std::map<caf::actor_addr, std::pair<rtoc_sink_actor, shared_frames>> out;
  auto add = [&out](const caf::actor_addr& addr, const rtoc_sink_actor& sink,
                    const shared_frame& frame) {
    auto& entry = out[addr];
    if (!entry.first)
      entry.first = sink;
    entry.second.push_back(frame);
  };
  for (size_t i = 0; i < samples.size(); ++i) {
    auto w = work_of[i];
    if (named[w] == nullptr && st.all_signals.empty())
      continue;
    auto frame = make_shared_frame(sample_push(samples[i], work[w].id));
    for (auto& [addr, sink] : st.all_signals)
      add(addr, sink, frame);
    if (named[w] != nullptr)
      for (auto& [addr, sink] : *named[w])
        if (st.all_signals.count(addr) == 0)
          add(addr, sink, frame);
  }
  for (auto& [addr, entry] : out)
    self->send(entry.first, rtoc_push_atom_v, std::move(entry.second));
}

/// Whether every signal of `work` is still the one it was when the request
/// began (one being created can be removed by another connection before
/// its creation is stored).
bool still_there(self_pointer self, const std::vector<signal_work>& work) {
  auto& signals = self->state.signals;
  return std::all_of(work.begin(), work.end(), [&](const signal_work& w) {
    auto i = signals.find(w.name);
    return i != signals.end() && i->second.id == w.id;
  });
}

/// Stores the record of each signal whose unit the request changes (RTOC
/// keeps the unit of the latest sample); the store commits it with or
/// before the samples.
void store_units(self_pointer self, const std::vector<signal_work>& work) {
  auto& st = self->state;
  for (auto& w : work) {
    auto& e = st.signals[w.name];
    if (e.unit == w.batch.unit)
      continue;
    e.unit = w.batch.unit;
    caf::anon_send(st.cfg.store, put_atom_v,
                   std::string{records::signals_table}, records::id_key(e.id),
                   records::encode_signal({e.device_id, e.sname, e.unit}));
  }
}

/// All samples of a request as store records, packed in one batch: one
/// store message and no allocation per sample, whatever their signals.
store_batch records_of(self_pointer self, const std::vector<sample>& samples,
                       const std::vector<signal_work>& work,
                       const std::vector<size_t>& work_of) {
  auto out = records::sample_records(samples.size());
  for (size_t i = 0; i < samples.size(); ++i)
    records::append_sample(out, work[work_of[i]].id, samples[i].x.value,
                           samples[i].y.value, self->state.next_seq++);
  return out;
}

/// Stores samples: creates missing signals (announced first), writes all
/// samples in one batch, then hands each signal actor its values for its
/// ring and pushes them; `done` once committed and pushed.
void ingest(self_pointer self, samples_ptr samples, done_fn done) {
  auto work = std::make_shared<std::vector<signal_work>>();
  std::vector<size_t> work_of;
  work_of.reserve(samples->size());
  std::vector<entry*> created;
  std::vector<store_record> new_devices;
  size_t last = 0;
  for (auto& s : *samples) {
    auto w = find_work(*work, s, last);
    if (w == std::string::npos) {
      auto* e = ensure_signal(self, s.dname, s.sname, created, new_devices);
      if (e == nullptr) {
        done(make_error(ec::conflict, "rtoc.max-signals reached"));
        return;
      }
      w = work->size();
      work->push_back({e->actor, e->id, e->dname + "." + e->sname, &s, {}});
    }
    auto& b = (*work)[w].batch;
    b.x.push_back(s.x.value);
    b.y.push_back(s.y.value);
    b.unit = s.unit;
    work_of.push_back(w);
    last = w;
  }
  std::vector<std::string> names;
  for (auto& w : *work)
    names.push_back(w.name);
  announce(self, created, std::move(new_devices));
  auto stored = [self, work, samples, work_of = std::move(work_of),
                 done](const caf::error& err) {
    if (err) {
      done(err);
      return;
    }
    if (!still_there(self, *work)) {
      done(make_error(ec::not_found, "signal removed while being written"));
      return;
    }
    store_units(self, *work);
    auto& st = self->state;
    self->request(st.cfg.store, st.cfg.timeout, put_atom_v,
                  std::string{records::samples_table},
                  records_of(self, *samples, *work, work_of))
        .then(
            [self, work, samples, work_of, done](ok_atom) {
              for (auto& w : *work)
                self->send(w.actor, put_atom_v, std::move(w.batch));
              push_samples(self, *samples, *work, work_of);
              done({});
            },
            [done](caf::error& err) { done(err); });
  };
  when_ready(self, names, std::move(stored));
}

/// Stores an event (its signal created first, like RTOC's addNewEvent) and
/// pushes it to every client.
void add_event(self_pointer self, const event_request& ev, done_fn done) {
  std::vector<entry*> created;
  std::vector<store_record> new_devices;
  auto* e = ensure_signal(self, ev.dname, ev.sname, created, new_devices);
  if (e == nullptr) {
    done(make_error(ec::conflict, "rtoc.max-signals reached"));
    return;
  }
  auto dev = e->device_id;
  auto sig = e->id;
  announce(self, created, std::move(new_devices));
  when_ready(self, {ev.dname + "." + ev.sname},
             [self, ev, dev, sig, done](const caf::error& err) {
               if (err) {
                 done(err);
                 return;
               }
               self->request(self->state.cfg.events, self->state.cfg.timeout,
                             put_atom_v, ev, dev, sig)
                   .then(
                       [self, done](event_view& v) {
                         push_to_all(self, event_push(v));
                         done({});
                       },
                       [done](caf::error& err) { done(err); });
             });
}

/// Ends signals `names` (their samples and events removed); `done` with how
/// many there were.
void remove_signals(self_pointer self, std::vector<std::string> names,
                    std::function<void(uint64_t)> done, done_fn fail) {
  auto& st = self->state;
  std::vector<entry> gone;
  for (auto& name : names)
    if (auto i = st.signals.find(name); i != st.signals.end()) {
      gone.push_back(i->second);
      st.signals.erase(i);
    }
  gather<ok_atom>(
      gone.size(),
      [self, &gone](size_t i) {
        return self->request(gone[i].actor, self->state.cfg.timeout,
                             delete_atom_v);
      },
      [self, gone, done](std::vector<ok_atom>&) {
        for (auto& e : gone) {
          caf::anon_send(self->state.cfg.events, delete_atom_v, e.id);
          self->state.signal_ids.erase(e.id);
        }
        done(gone.size());
      },
      fail);
}

std::vector<std::string> all_signal_names(self_pointer self) {
  std::vector<std::string> out;
  for (auto& [name, e] : self->state.signals)
    out.push_back(name);
  return out;
}

// -- one request --------------------------------------------------------------

struct run {
  request_ptr req;
  rtoc_sink_actor sink;
  caf::typed_response_promise<std::string> rp;
  reply_writer reply;
  size_t step = 0;
  bool done = false;
  // logger items answered so far.
  std::vector<std::pair<std::string, std::string>> logger;
};

using run_ptr = std::shared_ptr<run>;

void advance(self_pointer self, const run_ptr& r);

void fail(const run_ptr& r, const caf::error& err) {
  if (r->done)
    return;
  r->done = true;
  log::debug("rtoc: request failed: " + text_of(err));
  r->rp.deliver(error_reply());
}

/// The continuation of an asynchronous step: continue with the next key,
/// or answer the error.
done_fn next(self_pointer self, const run_ptr& r) {
  return [self, r](const caf::error& err) {
    if (err)
      fail(r, err);
    else
      advance(self, r);
  };
}

// Each step handles one key; false when it continues asynchronously.

bool step_data(self_pointer self, const run_ptr& r) {
  auto& data = r->req->data;
  if (!data)
    return true;
  r->reply.sent();
  if (data->event)
    add_event(self, *data->event, next(self, r));
  else
    // The samples stay in the request, which the run keeps alive.
    ingest(self, samples_ptr{r->req, &data->samples}, next(self, r));
  return false;
}

/// Replaces the samples of signal `name` with those of `p` (plot=true; no
/// push): the old ones are deleted in the transaction before the new ones,
/// then the ring follows.
void replace_samples(self_pointer self, const std::string& name,
                     const plot_request& p, done_fn done) {
  auto& st = self->state;
  auto i = st.signals.find(name);
  if (i == st.signals.end()) {
    done(make_error(ec::not_found, "signal removed while being written"));
    return;
  }
  auto& e = i->second;
  e.unit = p.unit;
  auto recs = records::sample_records(p.x.size());
  for (size_t k = 0; k < p.x.size(); ++k)
    records::append_sample(recs, e.id, p.x[k], p.y[k], st.next_seq++);
  caf::anon_send(st.cfg.store, delete_atom_v,
                 std::string{records::samples_table},
                 records::samples_begin(e.id), records::samples_end(e.id));
  caf::anon_send(st.cfg.store, put_atom_v, std::string{records::signals_table},
                 records::id_key(e.id),
                 records::encode_signal({e.device_id, e.sname, e.unit}));
  self->request(st.cfg.store, st.cfg.timeout, put_atom_v,
                std::string{records::samples_table}, std::move(recs))
      .then(
          // p is in the request, which done keeps alive.
          [self, actor = e.actor, &p, done](ok_atom) {
            self->send(actor, rtoc_plot_atom_v, p.x, p.y, p.unit);
            done({});
          },
          [done](caf::error& err) { done(err); });
}

bool step_plot(self_pointer self, const run_ptr& r) {
  auto& plot = r->req->plot;
  if (!plot)
    return true;
  r->reply.sent();
  std::vector<entry*> created;
  std::vector<store_record> new_devices;
  auto* e = ensure_signal(self, plot->dname, plot->sname, created, new_devices);
  if (e == nullptr) {
    fail(r, make_error(ec::conflict, "rtoc.max-signals reached"));
    return false;
  }
  auto name = e->dname + "." + e->sname;
  announce(self, created, std::move(new_devices));
  when_ready(self, {name}, [self, r, name](const caf::error& err) {
    auto& p = *r->req->plot;
    if (err || !p.stored) {
      // RTOC stores nothing for x and y of different lengths, and still
      // says sent.
      next(self, r)(err);
      return;
    }
    replace_samples(self, name, p, next(self, r));
  });
  return false;
}

bool step_lists(self_pointer self, const run_ptr& r) {
  auto& req = *r->req;
  if (req.get_signal_list) {
    std::vector<std::pair<int64_t, std::pair<std::string, std::string>>> xs;
    for (auto& [name, e] : self->state.signals)
      xs.push_back({e.id, {e.dname, e.sname}});
    std::sort(xs.begin(), xs.end());
    std::vector<std::pair<std::string, std::string>> out;
    for (auto& x : xs)
      out.push_back(x.second);
    r->reply.signal_list(out);
  }
  if (req.get_plugin_list)
    r->reply.plugin_list(); // no plugins on a signalbox node
  return true;
}

bool step_event(self_pointer self, const run_ptr& r) {
  if (!r->req->event)
    return true;
  add_event(self, *r->req->event, next(self, r));
  return false;
}

void subscribe(self_pointer self, const std::string& name,
               const rtoc_sink_actor& sink, bool add) {
  auto& st = self->state;
  if (add)
    st.by_name[name][sink.address()] = sink;
  else if (auto i = st.by_name.find(name); i != st.by_name.end())
    i->second.erase(sink.address());
}

void subscribe_all(self_pointer self, const rtoc_sink_actor& sink, bool add) {
  auto& st = self->state;
  auto addr = sink.address();
  if (add) {
    st.all_signals[addr] = sink;
  } else {
    // RTOC clears the connection's whole subscription list.
    st.all_signals.erase(addr);
    for (auto& [name, subs] : st.by_name)
      subs.erase(addr);
  }
}

bool step_subscriptions(self_pointer self, const run_ptr& r) {
  auto& req = *r->req;
  // Device subscriptions are accepted and, as in RTOC, never match.
  if (req.subscribe && !req.subscribe->device)
    subscribe(self, req.subscribe->name, r->sink, true);
  if (req.unsubscribe && !req.unsubscribe->device)
    subscribe(self, req.unsubscribe->name, r->sink, false);
  if (req.subscribe_all && *req.subscribe_all == "signal")
    subscribe_all(self, r->sink, true);
  if (req.unsubscribe_all && *req.unsubscribe_all == "signal")
    subscribe_all(self, r->sink, false);
  return true;
}

bool step_event_list(self_pointer self, const run_ptr& r) {
  // getEvent's answer takes the same key and wins, as in RTOC.
  if (!r->req->get_event_list || r->req->get_event)
    return true;
  self->request(self->state.cfg.events, self->state.cfg.timeout, list_atom_v)
      .then(
          [self, r](std::vector<event_view>& xs) {
            r->reply.events(xs);
            advance(self, r);
          },
          [r](caf::error& err) { fail(r, err); });
  return false;
}

bool step_get_event(self_pointer self, const run_ptr& r) {
  if (!r->req->get_event)
    return true;
  std::vector<int64_t> ids;
  for (auto& name : *r->req->get_event)
    if (auto i = self->state.signals.find(name); i != self->state.signals.end())
      ids.push_back(i->second.id);
  self->request(self->state.cfg.events, self->state.cfg.timeout, get_atom_v,
                ids)
      .then(
          [self, r](std::vector<event_view>& xs) {
            std::vector<std::pair<std::string, std::vector<event_view>>> out;
            for (auto& name : *r->req->get_event) {
              auto i = self->state.signals.find(name);
              std::vector<event_view> mine;
              if (i != self->state.signals.end())
                for (auto& e : xs)
                  if (e.signal_id == i->second.id)
                    mine.push_back(e);
              out.emplace_back(name, std::move(mine));
            }
            r->reply.events_by_signal(out);
            advance(self, r);
          },
          [r](caf::error& err) { fail(r, err); });
  return false;
}

/// Asks the signals `names` (unknown ones are left out) for `query` and
/// hands the views to `on_all`.
void signal_views(self_pointer self, const run_ptr& r,
                  std::vector<std::string> names, signal_query query,
                  std::function<void(std::vector<signal_view>&)> on_all) {
  std::vector<rtoc_signal_actor> actors;
  for (auto& name : names)
    if (auto i = self->state.signals.find(name); i != self->state.signals.end())
      actors.push_back(i->second.actor);
  gather<signal_view>(
      actors.size(),
      [self, &actors, query](size_t i) {
        return self->request(actors[i], self->state.cfg.timeout, get_atom_v,
                             query);
      },
      on_all, [r](const caf::error& err) { fail(r, err); });
}

bool step_get_signal(self_pointer self, const run_ptr& r) {
  auto& gs = r->req->get_signal;
  if (!gs)
    return true;
  if (gs->incomplete_query) {
    r->reply.signals_false();
    return true;
  }
  auto names = gs->all ? all_signal_names(self) : gs->names;
  signal_query query;
  if (gs->query) {
    names = {gs->query->name};
    query = gs->query->window;
  }
  signal_views(self, r, std::move(names), query,
               [self, r](std::vector<signal_view>& xs) {
                 r->reply.signals(xs);
                 advance(self, r);
               });
  return false;
}

bool step_get_latest(self_pointer self, const run_ptr& r) {
  auto& gl = r->req->get_latest;
  if (!gl)
    return true;
  auto names = gl->all ? all_signal_names(self) : gl->names;
  std::vector<rtoc_signal_actor> actors;
  for (auto& name : names) {
    auto i = self->state.signals.find(name);
    if (i == self->state.signals.end()) {
      // RTOC fails the whole request for an unknown name.
      fail(r, make_error(ec::not_found, "no signal " + name));
      return false;
    }
    actors.push_back(i->second.actor);
  }
  bool all = gl->all;
  gather<latest_view>(
      actors.size(),
      [self, &actors](size_t i) {
        return self->request(actors[i], self->state.cfg.timeout, get_atom_v);
      },
      [self, r, all](std::vector<latest_view>& xs) {
        xs.erase(std::remove_if(xs.begin(), xs.end(),
                                [](auto& x) { return x.empty; }),
                 xs.end());
        if (all)
          r->reply.latest_all(xs);
        else
          r->reply.latest_selected(xs);
        advance(self, r);
      },
      [r](const caf::error& err) { fail(r, err); });
  return false;
}

bool step_session(self_pointer self, const run_ptr& r) {
  if (!r->req->get_session)
    return true;
  signal_views(self, r, all_signal_names(self), signal_query{},
               [self, r](std::vector<signal_view>& sigs) {
                 auto view = std::make_shared<session_view>();
                 view->max_length = self->state.cfg.record_length;
                 for (auto& [id, name] : self->state.devices)
                   view->devices.push_back({id, name});
                 view->signals = std::move(sigs);
                 std::sort(view->signals.begin(), view->signals.end(),
                           [](auto& a, auto& b) { return a.id < b.id; });
                 self->request(self->state.cfg.events, self->state.cfg.timeout,
                               list_atom_v)
                     .then(
                         [self, r, view](std::vector<event_view>& xs) {
                           view->events = std::move(xs);
                           r->reply.session(*view);
                           advance(self, r);
                         },
                         [r](caf::error& err) { fail(r, err); });
               });
  return false;
}

bool step_remove(self_pointer self, const run_ptr& r) {
  auto& rm = r->req->remove;
  if (!rm)
    return true;
  std::vector<std::string> names;
  for (auto& ref : rm->signals) {
    if (auto* name = std::get_if<std::string>(&ref)) {
      names.push_back(*name);
    } else if (auto i = self->state.signal_ids.find(std::get<int64_t>(ref));
               i != self->state.signal_ids.end()) {
      names.push_back(i->second);
    }
  }
  auto events = rm->events;
  remove_signals(
      self, std::move(names),
      [self, r, events](uint64_t n) {
        self->request(self->state.cfg.events, self->state.cfg.timeout,
                      delete_atom_v, events)
            .then(
                [self, r, n](uint64_t m) {
                  r->reply.removed(n, m);
                  advance(self, r);
                },
                [r](caf::error& err) { fail(r, err); });
      },
      [r](const caf::error& err) { fail(r, err); });
  return false;
}

bool step_plugin(self_pointer, const run_ptr& r) {
  if (r->req->plugin_json)
    r->reply.plugin_not_found(*r->req->plugin_json);
  return true;
}

// -- logger
// -----------------------------------------------------------------------

std::string logger_info(self_pointer self, const std::vector<latest_view>& xs) {
  auto& cfg = self->state.cfg;
  uint64_t samples = 0;
  for (auto& x : xs)
    samples += x.count;
  // Two doubles per sample in RAM.
  std::string out = R"({"signals":)" + std::to_string(xs.size()) +
                    R"(,"starttime":)" + float_text(cfg.start_time) +
                    R"(,"signal_memory":)" + std::to_string(samples * 16) +
                    R"(,"signal_memory_limit":)" +
                    std::to_string(xs.size() * cfg.record_length * 16) +
                    R"(,"config":)" + cfg.config_json + R"(,"userActions":[]})";
  return out;
}

void logger_items(self_pointer self, const run_ptr& r, size_t i);

/// Answers logger item `i` and goes on with the next one.
void logger_item(self_pointer self, const run_ptr& r, size_t i) {
  auto& item = r->req->logger->items[i];
  auto answer = [self, r, i](std::string json) {
    r->logger.emplace_back(r->req->logger->items[i].key, std::move(json));
    logger_items(self, r, i + 1);
  };
  auto failed = [r](const caf::error& err) { fail(r, err); };
  if (item.key == "info") {
    auto names = all_signal_names(self);
    std::vector<rtoc_signal_actor> actors;
    for (auto& n : names)
      actors.push_back(self->state.signals[n].actor);
    gather<latest_view>(
        actors.size(),
        [self, actors](size_t k) {
          return self->request(actors[k], self->state.cfg.timeout, get_atom_v);
        },
        [self, answer](std::vector<latest_view>& xs) {
          answer(logger_info(self, xs));
        },
        failed);
    return;
  }
  if (item.key == "resize") {
    char* end = nullptr;
    auto n = std::strtoll(item.value_json.c_str(), &end, 10);
    if (end == item.value_json.c_str() || *end != '\0' || n <= 0) {
      answer("false");
      return;
    }
    self->state.cfg.record_length = static_cast<uint64_t>(n);
    for (auto& [name, e] : self->state.signals)
      self->send(e.actor, rtoc_resize_atom_v, static_cast<uint64_t>(n));
    answer("true");
    return;
  }
  if (item.key == "clear") {
    if (item.value_json == R"("events")") {
      self->request(self->state.cfg.events, self->state.cfg.timeout,
                    delete_atom_v, int64_t{0})
          .then([answer](uint64_t) { answer("true"); }, failed);
      return;
    }
    if (item.value_json == R"("all")") {
      remove_signals(
          self, all_signal_names(self),
          [self, answer, failed](uint64_t) {
            auto& st = self->state;
            for (auto& [id, name] : st.devices)
              caf::anon_send(st.cfg.store, delete_atom_v,
                             std::string{records::devices_table},
                             records::id_key(id));
            st.devices.clear();
            st.device_ids.clear();
            self->request(st.cfg.events, st.cfg.timeout, delete_atom_v,
                          int64_t{0})
                .then([answer](uint64_t) { answer("true"); }, failed);
          },
          failed);
      return;
    }
    // A list of names: null for each removed signal, false for unknown
    // ones, as RTOC's removeSignal answers.
    auto names = parse_string_list(item.value_json);
    if (!names) {
      answer("false");
      return;
    }
    std::string out = "[";
    for (auto& n : *names) {
      if (out.size() > 1)
        out += ",";
      out += self->state.signals.count(n) > 0 ? "null" : "false";
    }
    out += "]";
    remove_signals(
        self, *names, [answer, out](uint64_t) { answer(out); }, failed);
    return;
  }
  // export, reboot, backup, postgresql, tcp, global: not on a signalbox
  // node (docs/rtoc.md).
  answer("false");
}

void logger_items(self_pointer self, const run_ptr& r, size_t i) {
  if (r->done)
    return;
  if (i < r->req->logger->items.size()) {
    logger_item(self, r, i);
    return;
  }
  r->reply.logger(r->logger);
  advance(self, r);
}

bool step_logger(self_pointer self, const run_ptr& r) {
  if (!r->req->logger)
    return true;
  logger_items(self, r, 0);
  return false;
}

bool step_rest(self_pointer, const run_ptr& r) {
  auto& req = *r->req;
  if (req.user_action)
    r->reply.user_action_unknown(*req.user_action);
  if (req.automation_json)
    r->reply.automation_empty();
  return true;
}

using step_fn = bool (*)(self_pointer, const run_ptr&);

// RTOC's order (docs/rtoc.md): data, lists, event, subscriptions, events,
// getEvent, getSignal, getLatest, getSession, remove, plugin, logger,
// userAction, automation.
constexpr step_fn steps[] = {
    step_data,          step_plot,       step_lists,     step_event,
    step_subscriptions, step_event_list, step_get_event, step_get_signal,
    step_get_latest,    step_session,    step_remove,    step_plugin,
    step_logger,        step_rest,
};

void advance(self_pointer self, const run_ptr& r) {
  while (!r->done && r->step < std::size(steps))
    if (!steps[r->step++](self, r))
      return;
  if (r->done)
    return;
  r->done = true;
  r->rp.deliver(r->reply.finish());
}

// -- clients
// ----------------------------------------------------------------------

void connect(self_pointer self, const rtoc_sink_actor& sink) {
  push_to_all(self, newconnected_push());
  self->state.clients[sink.address()] = sink;
  self->monitor(sink);
}

void disconnect(self_pointer self, const caf::actor_addr& addr) {
  auto& st = self->state;
  auto i = st.clients.find(addr);
  if (i == st.clients.end())
    return;
  st.clients.erase(i);
  st.all_signals.erase(addr);
  for (auto& [name, subs] : st.by_name)
    subs.erase(addr);
}

} // namespace

namespace {

/// Asks every signal for its latest sample; answers them in name order once
/// all answered (a signal that fails to answer is left out).
caf::result<std::vector<latest_view>> list_latest(self_pointer self) {
  auto& signals = self->state.signals;
  if (signals.empty())
    return std::vector<latest_view>{};
  struct gathering {
    std::vector<latest_view> views;
    size_t waiting = 0;
    caf::typed_response_promise<std::vector<latest_view>> rp;
  };
  auto g = std::make_shared<gathering>();
  g->waiting = signals.size();
  g->rp = self->make_response_promise<std::vector<latest_view>>();
  auto one_done = [g] {
    if (--g->waiting > 0)
      return;
    std::sort(g->views.begin(), g->views.end(),
              [](auto& a, auto& b) { return a.name < b.name; });
    g->rp.deliver(std::move(g->views));
  };
  for (auto& [name, e] : signals)
    self->request(e.actor, self->state.cfg.timeout, get_atom_v)
        .then(
            [g, one_done, name = name](latest_view& v) {
              v.name = name;
              g->views.push_back(std::move(v));
              one_done();
            },
            [one_done](caf::error&) { one_done(); });
  return g->rp;
}

} // namespace

rtoc_directory_actor::behavior_type
directory_behavior(directory_pointer self, directory_settings cfg,
                   std::vector<device_view> devices,
                   std::vector<signal_setup> signals) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.next_seq = st.cfg.boot << 32;
  for (auto& d : devices) {
    st.devices.emplace(d.id, d.name);
    st.device_ids.emplace(d.name, d.id);
  }
  for (auto& s : signals) {
    auto name = s.dname + "." + s.sname;
    s.record_length = st.cfg.record_length;
    s.store = st.cfg.store;
    auto actor = self->spawn<caf::linked>(signal_behavior, s);
    st.signal_ids.emplace(s.id, name);
    st.signals[name] = {s.id, s.device_id, s.dname, s.sname, s.unit, actor};
  }
  self->set_down_handler(
      [self](caf::down_msg& msg) { disconnect(self, msg.source); });
  return {
      [self](rtoc_connect_atom, const rtoc_sink_actor& sink) {
        connect(self, sink);
      },
      [self](list_atom) -> caf::result<std::vector<latest_view>> {
        return list_latest(self);
      },
      [self](get_atom, const std::string& name,
             const signal_query& query) -> caf::result<signal_view> {
        auto i = self->state.signals.find(name);
        if (i == self->state.signals.end())
          return make_error(ec::not_found, "no signal named '" + name + "'");
        return self->delegate(i->second.actor, get_atom_v, query);
      },
      [self](rtoc_request_atom, const request_ptr& req,
             const rtoc_sink_actor& sink) -> caf::result<std::string> {
        auto r = std::make_shared<run>();
        r->req = req;
        r->sink = sink;
        r->rp = self->make_response_promise<std::string>();
        advance(self, r);
        return r->rp;
      },
      [self](put_atom, std::vector<sample>& xs) -> caf::result<ok_atom> {
        auto rp = self->make_response_promise<ok_atom>();
        auto samples =
            std::make_shared<const std::vector<sample>>(std::move(xs));
        ingest(self, std::move(samples), [rp](const caf::error& err) mutable {
          if (err)
            rp.deliver(err);
          else
            rp.deliver(ok_atom_v);
        });
        return rp;
      },
      [self](rtoc_event_atom, const event_request& ev) -> caf::result<ok_atom> {
        auto rp = self->make_response_promise<ok_atom>();
        add_event(self, ev, [rp](const caf::error& err) mutable {
          if (err)
            rp.deliver(err);
          else
            rp.deliver(ok_atom_v);
        });
        return rp;
      },
  };
}

} // namespace signalbox::rtoc
