// Asking an actor from outside the actor world (an Asio handler) without
// blocking: a short-lived actor sends the request and hands the answer, or
// the error, to a callback. The callbacks run on a CAF worker thread; callers
// post the result onto their own strand.
#pragma once

#include <memory>
#include <tuple>
#include <utility>

#include <caf/actor_system.hpp>
#include <caf/error.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/timespan.hpp>

namespace signalbox {

/// Sends `args...` to `dest` and calls `on_result(Result&)` with the answer,
/// or `on_error(caf::error&)` (including a timeout after `timeout`).
template <class Result, class Handle, class OnResult, class OnError,
          class... Ts>
void ask(caf::actor_system& sys, const Handle& dest, caf::timespan timeout,
         OnResult on_result, OnError on_error, Ts... args) {
  sys.spawn([dest, timeout, on_result = std::move(on_result),
             on_error = std::move(on_error),
             msg = std::make_tuple(std::move(args)...)](
                caf::event_based_actor* self) mutable {
    auto send = [&](auto&... xs) {
      return self->request(dest, timeout, std::move(xs)...);
    };
    std::apply(send, msg).then(
        [self, on_result](Result& result) mutable {
          on_result(result);
          self->quit();
        },
        [self, on_error](caf::error& err) mutable {
          on_error(err);
          self->quit();
        });
  });
}

/// The step every connection takes when a request needs an actor: asks
/// `dest`, then runs `on_result(Target&, Result&)` or `on_error(Target&,
/// caf::error&)` back on the connection's strand (`strand->post(fn)`), and
/// only if the connection (`target`) still exists by then.
template <class Result, class Strand, class Target, class OnResult,
          class OnError, class Handle, class... Ts>
void ask_and_post(caf::actor_system& sys, const Handle& dest,
                  caf::timespan timeout, std::shared_ptr<Strand> strand,
                  std::weak_ptr<Target> target, OnResult on_result,
                  OnError on_error, Ts... args) {
  ask<Result>(
      sys, dest, timeout,
      [strand, target, on_result](Result& result) {
        strand->post([target, on_result, result]() mutable {
          if (auto t = target.lock())
            on_result(*t, result);
        });
      },
      [strand, target, on_error](caf::error& err) {
        strand->post([target, on_error, err]() mutable {
          if (auto t = target.lock())
            on_error(*t, err);
        });
      },
      std::move(args)...);
}

} // namespace signalbox
