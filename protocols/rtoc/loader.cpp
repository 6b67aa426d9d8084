#include "protocols/rtoc/loader.hpp"

#include <caf/scoped_actor.hpp>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "protocols/rtoc/codec.hpp"
#include "protocols/rtoc/records.hpp"

namespace signalbox::rtoc {

namespace {

constexpr auto timeout = std::chrono::seconds(60);

/// One blocking request to the store.
template <class Result, class... Ts>
caf::expected<Result> ask_store(caf::scoped_actor& self,
                                const store_actor& store, Ts&&... xs) {
  caf::expected<Result> result{Result{}};
  self->request(store, timeout, std::forward<Ts>(xs)...)
      .receive([&](Result& x) { result = std::move(x); },
               [&](caf::error& err) { result = std::move(err); });
  return result;
}

caf::expected<std::vector<store_record>>
scan(caf::scoped_actor& self, const store_actor& store, const char* table,
     std::string from, std::string to, uint64_t limit, bool reverse) {
  return ask_store<std::vector<store_record>>(
      self, store, get_atom_v, std::string{table}, std::move(from),
      std::move(to), limit, reverse);
}

/// The newest samples of `s` into its ring, and the x range of all.
caf::error load_samples(caf::scoped_actor& self, const store_actor& store,
                        signal_setup& s, uint64_t record_length) {
  auto newest =
      scan(self, store, records::samples_table, records::samples_begin(s.id),
           records::samples_end(s.id), record_length, true);
  if (!newest)
    return newest.error();
  for (auto i = newest->rbegin(); i != newest->rend(); ++i) {
    auto x = records::x_of(i->key);
    auto y = records::decode_y(i->value);
    if (x && y)
      s.ring.emplace_back(*x, *y);
  }
  if (s.ring.empty())
    return caf::none;
  auto first =
      scan(self, store, records::samples_table, records::samples_begin(s.id),
           records::samples_end(s.id), 1, false);
  if (!first)
    return first.error();
  s.has_range = true;
  s.xmin = first->empty() ? s.ring.front().first
                          : records::x_of(first->front().key).value_or(0);
  s.xmax = s.ring.back().first;
  return caf::none;
}

caf::error load_signals(caf::scoped_actor& self, const store_actor& store,
                        loaded_state& out, uint64_t record_length) {
  auto recs = ask_store<std::vector<store_record>>(
      self, store, get_atom_v, std::string{records::signals_table});
  if (!recs)
    return recs.error();
  std::map<int64_t, std::string> device_names;
  for (auto& d : out.devices)
    device_names[d.id] = d.name;
  for (auto& r : *recs) {
    auto id = records::id_of(r.key);
    auto rec = records::decode_signal(r.value);
    if (!id || !rec)
      continue; // the start counter, or a record of a later version
    signal_setup s;
    s.id = *id;
    s.device_id = rec->device_id;
    s.dname = device_names[rec->device_id];
    s.sname = rec->name;
    s.unit = rec->unit;
    if (auto err = load_samples(self, store, s, record_length))
      return err;
    out.signals.push_back(std::move(s));
  }
  return caf::none;
}

caf::error load_boot(caf::scoped_actor& self, const store_actor& store,
                     loaded_state& out) {
  auto old = ask_store<std::string>(self, store, get_atom_v,
                                    std::string{records::signals_table},
                                    std::string{records::boot_key});
  if (old)
    out.boot = std::strtoull(old->c_str(), nullptr, 10) + 1;
  else if (code_of(old.error()) == ec::not_found)
    out.boot = 1;
  else
    return old.error();
  auto put = ask_store<ok_atom>(
      self, store, put_atom_v, std::string{records::signals_table},
      std::string{records::boot_key}, std::to_string(out.boot));
  return put ? caf::none : put.error();
}

} // namespace

caf::expected<loaded_state> load_state(caf::actor_system& sys,
                                       const store_actor& store,
                                       uint64_t record_length) {
  caf::scoped_actor self{sys};
  loaded_state out;
  if (auto err = load_boot(self, store, out))
    return err;
  auto devices = ask_store<std::vector<store_record>>(
      self, store, get_atom_v, std::string{records::devices_table});
  if (!devices)
    return devices.error();
  for (auto& r : *devices)
    if (auto id = records::id_of(r.key))
      out.devices.push_back({*id, r.value});
  if (auto err = load_signals(self, store, out, record_length))
    return err;
  auto events = ask_store<std::vector<store_record>>(
      self, store, get_atom_v, std::string{records::events_table});
  if (!events)
    return events.error();
  for (auto& r : *events) {
    auto id = records::id_of(r.key);
    auto e = records::decode_event(r.value);
    if (id && e) {
      e->event_id = *id;
      out.events.push_back(std::move(*e));
    }
  }
  return out;
}

} // namespace signalbox::rtoc
