// Precompiled header of the core object library: CAF and RapidJSON, which
// nearly every translation unit needs. Beast stays out (see pch_net.hpp).
#pragma once

#include <caf/all.hpp>
#include <rapidjson/document.h>
#include <rapidjson/writer.h>

#include <map>
#include <memory>
#include <string>
#include <vector>
