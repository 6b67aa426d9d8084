#include "protocols/rtoc/signal.hpp"

#include <algorithm>

#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "protocols/rtoc/codec.hpp"
#include "protocols/rtoc/records.hpp"

namespace signalbox::rtoc {

namespace {

using self_pointer = rtoc_signal_actor::stateful_pointer<signal_state>;

constexpr auto store_timeout = std::chrono::seconds(30);

std::string full_name(const signal_setup& s) {
  return s.dname + "." + s.sname;
}

void trim(signal_setup& s) {
  while (s.ring.size() > s.record_length)
    s.ring.pop_front();
}

void remember(signal_setup& s, double x, double y) {
  s.ring.emplace_back(x, y);
  trim(s);
  if (!s.has_range) {
    s.has_range = true;
    s.xmin = s.xmax = x;
  } else {
    s.xmin = std::min(s.xmin, x);
    s.xmax = std::max(s.xmax, x);
  }
}

/// The samples as store records, packed: no allocation per sample.
store_batch records_of(signal_setup& s, const sample_batch& b) {
  store_batch out;
  out.key_size = records::sample_key_size;
  out.value_size = records::y_size;
  out.keys.reserve(b.x.size() * out.key_size);
  out.values.reserve(b.x.size() * out.value_size);
  for (size_t i = 0; i < b.x.size(); ++i) {
    records::append_sample_key(out.keys, s.id, b.x[i], s.next_seq++);
    records::append_y(out.values, b.y[i]);
  }
  return out;
}

signal_view ring_view(const signal_setup& s) {
  signal_view v;
  v.name = full_name(s);
  v.unit = s.unit;
  v.id = s.id;
  v.device_id = s.device_id;
  v.xmin = s.xmin;
  v.xmax = s.xmax;
  v.x.reserve(s.ring.size());
  v.y.reserve(s.ring.size());
  for (auto& [x, y] : s.ring) {
    v.x.push_back(x);
    v.y.push_back(y);
  }
  return v;
}

caf::result<ok_atom> write(self_pointer self, sample_batch b) {
  auto& s = self->state.s;
  auto rp = self->make_response_promise<ok_atom>();
  // The signal's record changes with its unit (RTOC keeps the unit of the
  // latest sample).
  if (b.unit != s.unit) {
    s.unit = b.unit;
    caf::anon_send(s.store, put_atom_v, std::string{records::signals_table},
                   records::id_key(s.id),
                   records::encode_signal({s.device_id, s.sname, s.unit}));
  }
  self->request(s.store, store_timeout, put_atom_v,
                std::string{records::samples_table}, records_of(s, b))
      .then(
          [self, rp, b = std::move(b)](ok_atom) mutable {
            for (size_t i = 0; i < b.x.size(); ++i)
              remember(self->state.s, b.x[i], b.y[i]);
            rp.deliver(ok_atom_v);
          },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

caf::result<ok_atom> plot(self_pointer self, std::vector<double> xs,
                          std::vector<double> ys, std::string unit) {
  auto& s = self->state.s;
  s.unit = std::move(unit);
  std::vector<store_record> recs;
  for (size_t i = 0; i < xs.size(); ++i)
    recs.push_back({records::sample_key(s.id, xs[i], s.next_seq++),
                    records::encode_y(ys[i])});
  auto rp = self->make_response_promise<ok_atom>();
  // Replaces: the old samples go in the transaction before the new ones.
  caf::anon_send(s.store, delete_atom_v, std::string{records::samples_table},
                 records::samples_begin(s.id), records::samples_end(s.id));
  caf::anon_send(s.store, put_atom_v, std::string{records::signals_table},
                 records::id_key(s.id),
                 records::encode_signal({s.device_id, s.sname, s.unit}));
  self->request(s.store, store_timeout, put_atom_v,
                std::string{records::samples_table}, std::move(recs))
      .then(
          [self, rp, xs, ys](ok_atom) mutable {
            auto& s = self->state.s;
            s.ring.clear();
            s.has_range = false;
            for (size_t i = 0; i < xs.size(); ++i)
              remember(s, xs[i], ys[i]);
            rp.deliver(ok_atom_v);
          },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

caf::result<signal_view> query(self_pointer self, const signal_query& q) {
  auto& s = self->state.s;
  if (!q.database) {
    auto v = ring_view(s);
    filter_window(v.x, v.y, q);
    return v;
  }
  // The whole history: everything in RAM is in the store too.
  auto rp = self->make_response_promise<signal_view>();
  auto from = q.has_xmin ? records::samples_from(s.id, q.xmin)
                         : records::samples_begin(s.id);
  self->request(s.store, store_timeout, get_atom_v,
                std::string{records::samples_table}, from,
                records::samples_end(s.id), uint64_t{0}, false)
      .then(
          [self, rp, q](std::vector<store_record>& recs) mutable {
            auto v = ring_view(self->state.s);
            v.x.clear();
            v.y.clear();
            for (auto& r : recs) {
              auto x = records::x_of(r.key);
              auto y = records::decode_y(r.value);
              if (x && y) {
                v.x.push_back(*x);
                v.y.push_back(*y);
              }
            }
            filter_window(v.x, v.y, q);
            rp.deliver(std::move(v));
          },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

latest_view latest(const signal_setup& s) {
  latest_view v;
  v.name = full_name(s);
  v.unit = s.unit;
  v.id = s.id;
  v.count = s.ring.size();
  if (!s.ring.empty()) {
    v.empty = false;
    v.x = s.ring.back().first;
    v.y = s.ring.back().second;
    v.first_x = s.ring.front().first;
    v.last_x = s.ring.back().first;
  }
  return v;
}

caf::result<ok_atom> remove(self_pointer self) {
  auto& s = self->state.s;
  auto rp = self->make_response_promise<ok_atom>();
  caf::anon_send(s.store, delete_atom_v, std::string{records::signals_table},
                 records::id_key(s.id));
  self->request(s.store, store_timeout, delete_atom_v,
                std::string{records::samples_table},
                records::samples_begin(s.id), records::samples_end(s.id))
      .then(
          [self, rp](uint64_t) mutable {
            rp.deliver(ok_atom_v);
            self->quit();
          },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

} // namespace

void filter_window(std::vector<double>& x, std::vector<double>& y,
                   const signal_query& q) {
  if (q.has_xmin || q.has_xmax) {
    size_t out = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      if ((q.has_xmin && !(x[i] > q.xmin)) || (q.has_xmax && x[i] > q.xmax))
        continue;
      x[out] = x[i];
      y[out] = y[i];
      ++out;
    }
    x.resize(out);
    y.resize(out);
  }
  if (q.max_n > 0 && x.size() > q.max_n) {
    auto step = x.size() / q.max_n;
    size_t out = 0;
    for (size_t i = 0; i < x.size(); i += step, ++out) {
      x[out] = x[i];
      y[out] = y[i];
    }
    x.resize(out);
    y.resize(out);
  }
}

rtoc_signal_actor::behavior_type signal_behavior(self_pointer self,
                                                 signal_setup setup) {
  self->state.s = std::move(setup);
  trim(self->state.s);
  return {
      [self](put_atom, sample_batch& b) -> caf::result<ok_atom> {
        if (b.x.size() != b.y.size())
          return make_error(ec::invalid_argument, "x and y differ in length");
        if (b.x.empty())
          return ok_atom_v;
        return write(self, std::move(b));
      },
      [self](rtoc_plot_atom, std::vector<double>& xs, std::vector<double>& ys,
             std::string& unit) -> caf::result<ok_atom> {
        if (xs.size() != ys.size())
          return make_error(ec::invalid_argument, "x and y differ in length");
        return plot(self, std::move(xs), std::move(ys), std::move(unit));
      },
      [self](get_atom, const signal_query& q) { return query(self, q); },
      [self](get_atom) { return latest(self->state.s); },
      [self](rtoc_resize_atom, uint64_t n) {
        self->state.s.record_length = std::max<uint64_t>(n, 1);
        trim(self->state.s);
      },
      [self](delete_atom) { return remove(self); },
  };
}

} // namespace signalbox::rtoc
