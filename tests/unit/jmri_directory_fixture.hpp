// The fixture of the JMRI directory suites: a directory on the deterministic
// scheduler and stand-in connections, plain actors that record every frame
// the directory delivers to them (JMRI's JsonMockConnection).
#pragma once

#include <rapidjson/document.h>

#include "core/errors.hpp"
#include "fixture.hpp"
#include "protocols/jmri/jmri_directory.hpp"

namespace signalbox::test {

struct jmri_connection_state {
  std::vector<jmri_frame> frames;
  static inline const char* name = "jmri_test_connection";
};

using jmri_connection_actor = caf::stateful_actor<jmri_connection_state>;

inline caf::behavior jmri_test_connection(jmri_connection_actor* self) {
  return {
      [=](jmri_frame_atom, const jmri_frame& frame) {
        self->state.frames.push_back(frame);
      },
  };
}

struct jmri_fixture : deterministic_fixture {
  using directory_impl = std::remove_pointer_t<
      jmri_directory_actor::stateful_pointer<jmri_directory_state>>;

  jmri_fixture() {
    directory = spawn_jmri_directory(sys, cluster_router_actor{});
    run();
  }

  ~jmri_fixture() {
    self->send_exit(directory, caf::exit_reason::user_shutdown);
    for (auto& conn : connections)
      self->send_exit(conn, caf::exit_reason::user_shutdown);
    run();
  }

  /// A new stand-in connection.
  caf::actor connect() {
    auto conn = sys.spawn(jmri_test_connection);
    connections.push_back(conn);
    run();
    return conn;
  }

  /// `conn` as the directory sees it.
  static jmri_sink_actor sink(const caf::actor& conn) {
    return caf::actor_cast<jmri_sink_actor>(conn);
  }

  /// The frames `conn` has received, oldest first.
  std::vector<jmri_frame>& frames(const caf::actor& conn) {
    return deref<jmri_connection_actor>(conn).state.frames;
  }

  /// The last frame `conn` received, parsed (JsonMockConnection.getMessage);
  /// a null document when it received none.
  rapidjson::Document last(const caf::actor& conn) {
    rapidjson::Document doc;
    auto& fs = frames(conn);
    if (fs.empty())
      doc.SetNull();
    else
      doc.Parse(fs.back()->data(), fs.back()->size());
    return doc;
  }

  /// data.message of the last frame of `conn`, or "" when it has none.
  std::string last_message(const caf::actor& conn) {
    auto doc = last(conn);
    if (!doc.IsObject())
      return "";
    return doc["data"]["message"].GetString();
  }

  jmri_directory_state& state() {
    return deref<directory_impl>(directory).state;
  }

  /// Sends a request to the directory, runs the system and returns the
  /// reply or the error.
  template <class Result, class... Ts>
  caf::expected<Result> ask(Ts... xs) {
    caf::expected<Result> result = caf::make_error(caf::sec::request_timeout);
    auto hdl = self->request(directory, caf::infinite, xs...);
    run();
    std::move(hdl).receive([&](Result& x) { result = std::move(x); },
                           [&](caf::error& err) { result = err; });
    return result;
  }

  /// subscribe(id, conn); the error, or none.
  caf::error subscribe(std::string id, const caf::actor& conn) {
    auto res = ask<ok_atom>(put_atom_v, std::move(id), sink(conn));
    return res ? caf::error{} : res.error();
  }

  void unsubscribe(std::string id) {
    CAF_REQUIRE(ask<ok_atom>(delete_atom_v, std::move(id)));
  }

  std::vector<std::string> ids_of(const caf::actor& conn) {
    auto res = ask<std::vector<std::string>>(list_atom_v, sink(conn));
    CAF_REQUIRE(res);
    return *res;
  }

  /// send(msg); answers how many copies the directory delivered.
  uint64_t send(jmri_message msg) {
    auto res = ask<uint64_t>(jmri_send_atom_v, std::move(msg));
    CAF_REQUIRE(res);
    return *res;
  }

  static jmri_message message(std::string text, std::string type = "info",
                              std::string client = "",
                              std::string context_json = "") {
    jmri_message msg;
    msg.message = std::move(text);
    msg.type = std::move(type);
    msg.client = std::move(client);
    msg.context_json = std::move(context_json);
    return msg;
  }

  jmri_directory_actor directory;
  std::vector<caf::actor> connections;
};

} // namespace signalbox::test
