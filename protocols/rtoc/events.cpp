#include "protocols/rtoc/events.hpp"

#include <algorithm>

#include <caf/typed_event_based_actor.hpp>

#include "core/errors.hpp"
#include "core/log.hpp"
#include "protocols/rtoc/records.hpp"

namespace signalbox::rtoc {

namespace {

using self_pointer = rtoc_events_actor::stateful_pointer<events_state>;

constexpr auto store_timeout = std::chrono::seconds(30);

/// Removes the oldest events of `signal_id` (by time, then id) until fewer
/// than `keep` are left, from RAM at once and from the store behind it. Its
/// deletes reach the store before the put that follows them.
void make_room(self_pointer self, int64_t signal_id, uint64_t keep) {
  auto& st = self->state;
  std::vector<std::pair<double, int64_t>> own;
  for (auto& [id, e] : st.events)
    if (e.signal_id == signal_id)
      own.emplace_back(e.x, id);
  if (own.size() < keep)
    return;
  auto surplus = own.size() - keep + 1;
  std::partial_sort(own.begin(), own.begin() + surplus, own.end());
  for (size_t i = 0; i < surplus; ++i) {
    auto id = own[i].second;
    st.events.erase(id);
    self->request(st.store, store_timeout, delete_atom_v,
                  std::string{records::events_table}, records::id_key(id))
        .then([](bool) {},
              [id](caf::error& err) {
                // Gone from RAM already; the store keeps it until the next
                // start loads it back (and this limit trims it again).
                log::warning("rtoc: cannot remove old event " +
                             std::to_string(id) + ": " + caf::to_string(err));
              });
  }
}

caf::result<event_view> add(self_pointer self, const event_request& req,
                            int64_t device_id, int64_t signal_id) {
  auto& st = self->state;
  if (req.keep > 0)
    make_room(self, signal_id, req.keep);
  if (st.events.size() >= st.max_events)
    return make_error(ec::conflict, "rtoc.max-events reached");
  event_view e;
  e.event_id = lowest_unused_id(st.events);
  e.device_id = device_id;
  e.signal_id = signal_id;
  e.dname = req.dname;
  e.sname = req.sname;
  e.text = req.text;
  e.x = req.x;
  e.value_json = req.value_json;
  e.priority = req.priority;
  e.id = req.id;
  // Reserved now, so that the next event gets the next id.
  st.events.emplace(e.event_id, e);
  auto rp = self->make_response_promise<event_view>();
  self->request(st.store, store_timeout, put_atom_v,
                std::string{records::events_table}, records::id_key(e.event_id),
                records::encode_event(e))
      .then([rp, e](ok_atom) mutable { rp.deliver(e); },
            [self, rp, id = e.event_id](caf::error& err) mutable {
              self->state.events.erase(id);
              rp.deliver(std::move(err));
            });
  return rp;
}

/// Removes the events `ids` from RAM and the store; answers the count once
/// the store removed them.
caf::result<uint64_t> remove(self_pointer self, std::vector<int64_t> ids) {
  auto& st = self->state;
  std::vector<int64_t> found;
  for (auto id : ids)
    if (st.events.erase(id) > 0)
      found.push_back(id);
  if (found.empty())
    return uint64_t{0};
  auto rp = self->make_response_promise<uint64_t>();
  auto left = std::make_shared<size_t>(found.size());
  auto failed = std::make_shared<bool>(false);
  for (auto id : found) {
    self->request(st.store, store_timeout, delete_atom_v,
                  std::string{records::events_table}, records::id_key(id))
        .then(
            [rp, left, failed, n = found.size()](bool) mutable {
              if (--*left == 0 && !*failed)
                rp.deliver(uint64_t{n});
            },
            [rp, failed](caf::error& err) mutable {
              if (!*failed) {
                *failed = true;
                rp.deliver(std::move(err));
              }
            });
  }
  return rp;
}

} // namespace

rtoc_events_actor::behavior_type
events_behavior(self_pointer self, store_actor store, uint64_t max_events,
                std::vector<event_view> loaded) {
  auto& st = self->state;
  st.store = std::move(store);
  st.max_events = max_events;
  for (auto& e : loaded)
    st.events.emplace(e.event_id, std::move(e));
  return {
      [self](put_atom, const event_request& req, int64_t device_id,
             int64_t signal_id) {
        return add(self, req, device_id, signal_id);
      },
      [self](list_atom) {
        std::vector<event_view> out;
        for (auto& [id, e] : self->state.events)
          out.push_back(e);
        return out;
      },
      [self](get_atom, const std::vector<int64_t>& signal_ids) {
        std::vector<event_view> out;
        for (auto& [id, e] : self->state.events)
          if (std::find(signal_ids.begin(), signal_ids.end(), e.signal_id) !=
              signal_ids.end())
            out.push_back(e);
        return out;
      },
      [self](delete_atom, std::vector<int64_t>& ids) {
        return remove(self, std::move(ids));
      },
      [self](delete_atom, int64_t signal_id) {
        std::vector<int64_t> ids;
        for (auto& [id, e] : self->state.events)
          if (signal_id == 0 || e.signal_id == signal_id)
            ids.push_back(id);
        return remove(self, std::move(ids));
      },
  };
}

} // namespace signalbox::rtoc
