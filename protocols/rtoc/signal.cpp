#include "protocols/rtoc/signal.hpp"

#include <algorithm>

#include <caf/send.hpp>
#include <caf/typed_event_based_actor.hpp>

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

void append(signal_setup& s, sample_batch& b) {
  s.unit = std::move(b.unit);
  for (size_t i = 0; i < b.x.size(); ++i)
    remember(s, b.x[i], b.y[i]);
}

void replace(signal_setup& s, const std::vector<double>& xs,
             const std::vector<double>& ys, std::string unit) {
  s.unit = std::move(unit);
  s.ring.clear();
  s.has_range = false;
  for (size_t i = 0; i < xs.size() && i < ys.size(); ++i)
    remember(s, xs[i], ys[i]);
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
      [self](put_atom, sample_batch& b) { append(self->state.s, b); },
      [self](rtoc_plot_atom, const std::vector<double>& xs,
             const std::vector<double>& ys, std::string& unit) {
        replace(self->state.s, xs, ys, std::move(unit));
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
