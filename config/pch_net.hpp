// Precompiled header of the networking object library: CAF plus Beast/Asio.
#pragma once

#include <caf/all.hpp>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <rapidjson/document.h>
#include <rapidjson/writer.h>

#include <map>
#include <memory>
#include <string>
#include <vector>
