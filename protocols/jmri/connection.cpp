#include "protocols/jmri/connection.hpp"

#include <algorithm>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>

#include "core/errors.hpp"
#include "protocols/toolkit/ask.hpp"

namespace signalbox::jmri {

namespace {

constexpr auto directory_timeout = std::chrono::seconds(10);

} // namespace

connection::connection(caf::actor_system& sys, jmri_directory_actor directory,
                       connection_settings settings,
                       std::shared_ptr<transport> t)
    : sys_(sys), directory_(std::move(directory)),
      settings_(std::move(settings)), transport_(std::move(t)),
      requests_(
          settings_.max_pending_requests, settings_.max_pending_bytes,
          [this](std::string& text) { return handle_text(text); },
          [this](bool paused) {
            paused ? transport_->pause_input() : transport_->resume_input();
          }),
      locale_(settings_.default_locale) {
  // nop
}

// The directory monitors the sink and drops this connection's ids when it
// goes down; companion_bridge's destructor retires it.
connection::~connection() = default;

void connection::on_open() {
  // Messages for this connection's client ids arrive on the sender's
  // thread and go to the strand.
  std::weak_ptr<transport> weak_transport = transport_;
  sink_.open(sys_, [weak_transport](const jmri_frame& frame) {
    if (auto t = weak_transport.lock())
      t->post([weak_transport, frame] {
        if (auto t = weak_transport.lock())
          t->write_frame(frame);
      });
  });
  reply(hello_frame(settings_.hello));
}

void connection::on_text(std::string_view text) {
  requests_.push(std::string{text});
}

void connection::on_closed() {
  if (requests_.stopped())
    return;
  requests_.stop();
  if (sink_)
    caf::anon_send(directory_, delete_atom_v, sink_.sink());
  sink_.retire();
}

bool connection::handle_text(std::string& text) {
  auto parsed = parse_request(text);
  if (!parsed.ok()) {
    error(parsed.error_code, parsed.error_message, parsed.error_id);
    return true;
  }
  return handle(*parsed.req);
}

template <class Result, class OnResult, class... Ts>
bool connection::ask_directory(int64_t id, OnResult on_result, Ts... args) {
  ask_and_post<Result>(
      sys_, directory_, directory_timeout, transport_, weak_from_this(),
      [on_result](connection& c, Result& x) mutable {
        on_result(c, x);
        c.requests_.resume();
      },
      [id](connection& c, caf::error& err) {
        c.fail(err, id);
        c.requests_.resume();
      },
      std::move(args)...);
  return false;
}

void connection::fail(const caf::error& err, int64_t id) {
  if (code_of(err) == ec::conflict)
    error(code::conflict, error_client_conflict(), id);
  else
    error(code::internal_error, text_of(err), id);
}

bool connection::handle(const request& req) {
  auto& type = req.type;
  if (type == "ping") {
    reply(pong_frame());
    return true;
  }
  if (type == "goodbye") {
    reply(goodbye_frame());
    // Ids go with the connection; the peer closes too or we do after the
    // reply is written.
    if (sink_)
      caf::anon_send(directory_, delete_atom_v, sink_.sink());
    requests_.clear();
    transport_->close_after_writes();
    return true;
  }
  if (type == "locale") {
    if (auto locale = req.data_string("locale"); locale && !locale->empty())
      locale_ = *locale;
    return true;
  }
  if (type == "hello")
    return handle_hello(req);
  if (type == "client")
    return handle_client(req);
  error(code::not_found, error_unknown_type(type), req.id);
  return true;
}

bool connection::handle_hello(const request& req) {
  if (req.method == "list") {
    // The util service lists the hello; the message service refuses.
    reply("[" + hello_frame(settings_.hello) + "]");
    error(code::bad_request, error_unlistable_service("hello"), req.id);
    return true;
  }
  if (auto locale = req.data_string("locale"); locale && !locale->empty())
    locale_ = *locale;
  if (auto bad = check_version(req.data_text_or("version", current_version))) {
    error(code::not_found, *bad, req.id);
    return true;
  }
  reply(hello_frame(settings_.hello, req.id));
  auto client = req.data_text("client");
  if (!client)
    return true;
  if (client->empty()) {
    error(code::bad_request, error_empty_attribute("client", "hello"), req.id);
    return true;
  }
  return ask_directory<ok_atom>(
      req.id, [](connection&, ok_atom) {}, put_atom_v, *client, sink_.sink());
}

bool connection::handle_client(const request& req) {
  auto id = req.id;
  if (req.method == "list") {
    return ask_directory<std::vector<std::string>>(
        id,
        [id](connection& c, std::vector<std::string>& ids) {
          if (ids.empty())
            c.error(code::not_found, error_no_client_for_this_connection(), id);
          else
            c.reply(client_list_frame(ids, id));
        },
        list_atom_v, sink_.sink());
  }
  if (req.method == "get")
    return handle_client_get(req);
  auto client = req.data_text("client");
  if (!client) {
    error(code::bad_request, error_missing_attribute("client", "client"), id);
    return true;
  }
  if (client->empty()) {
    error(code::bad_request, error_empty_attribute("client", "client"), id);
    return true;
  }
  // Success is silent: put/post subscribe, delete unsubscribes.
  auto silent = [](connection&, ok_atom) {};
  if (req.method == "delete")
    return ask_directory<ok_atom>(id, silent, delete_atom_v, *client);
  return ask_directory<ok_atom>(id, silent, put_atom_v, *client, sink_.sink());
}

bool connection::handle_client_get(const request& req) {
  auto id = req.id;
  auto client = req.data_text("client");
  if (!client) {
    // No client named: the connection's ids, or a fresh UUID.
    return ask_directory<jmri_client_ids>(
        id,
        [id](connection& c, jmri_client_ids& answer) {
          if (answer.generated && answer.ids.size() == 1)
            c.reply(client_frame(answer.ids.front()));
          else
            c.reply(client_list_frame(answer.ids, id));
        },
        get_atom_v, sink_.sink());
  }
  return ask_directory<std::vector<std::string>>(
      id,
      [id, wanted = *client](connection& c, std::vector<std::string>& ids) {
        if (wanted.empty()) {
          if (ids.empty())
            c.error(code::not_found, error_no_client_for_this_connection(), id);
          else
            c.reply(client_frame(ids.front()));
        } else if (std::find(ids.begin(), ids.end(), wanted) != ids.end()) {
          c.reply(client_frame(wanted));
        } else {
          c.error(code::not_found, error_client_not_for_this_connection(wanted),
                  id);
        }
      },
      list_atom_v, sink_.sink());
}

void connection::reply(std::string frame) {
  transport_->write_frame(
      std::make_shared<const std::string>(std::move(frame)));
}

void connection::error(int code, std::string message, int64_t id) {
  reply(error_frame(code, message, id));
}

} // namespace signalbox::jmri
