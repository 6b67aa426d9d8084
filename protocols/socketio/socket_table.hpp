// The live Engine.IO sessions of one server, by sid. Thread-safe: HTTP and
// WebSocket connections look sessions up from any io thread.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace signalbox::engineio {

class engine_socket;

class socket_table {
public:
  void add(const std::string& sid, std::shared_ptr<engine_socket> socket) {
    std::lock_guard<std::mutex> guard{mtx_};
    sockets_.emplace(sid, std::move(socket));
  }

  std::shared_ptr<engine_socket> find(const std::string& sid) const {
    std::lock_guard<std::mutex> guard{mtx_};
    auto i = sockets_.find(sid);
    return i == sockets_.end() ? nullptr : i->second;
  }

  void remove(const std::string& sid) {
    std::lock_guard<std::mutex> guard{mtx_};
    sockets_.erase(sid);
  }

  std::vector<std::shared_ptr<engine_socket>> all() const {
    std::lock_guard<std::mutex> guard{mtx_};
    std::vector<std::shared_ptr<engine_socket>> result;
    result.reserve(sockets_.size());
    for (auto& [sid, socket] : sockets_)
      result.push_back(socket);
    return result;
  }

  size_t size() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return sockets_.size();
  }

private:
  mutable std::mutex mtx_;
  std::unordered_map<std::string, std::shared_ptr<engine_socket>> sockets_;
};

} // namespace signalbox::engineio
