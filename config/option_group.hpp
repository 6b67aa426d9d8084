// Declares options straight into the fields of a settings struct: CAF writes
// each value into the field it is bound to while it parses the config file
// and the command line, so every option is declared once, next to its help
// text, and there is no second copy to keep in sync. Durations are
// std::chrono::milliseconds fields written as CAF timespans ("250ms", "2s").
#pragma once

#include <chrono>

#include <caf/config_option_adder.hpp>
#include <caf/config_option_set.hpp>
#include <caf/string_view.hpp>

namespace signalbox {

class option_group {
public:
  /// Options under `category` ("net" gives net.address, ...).
  option_group(caf::config_option_set& set, caf::string_view category)
      : adder_(set, category), set_(set), category_(category) {
    // nop
  }

  /// Binds `field` (any type CAF reads: strings, integers, bool, lists of
  /// strings, caf::timespan).
  template <class T>
  option_group& add(T& field, caf::string_view name,
                    caf::string_view description) {
    adder_.add(field, name, description);
    return *this;
  }

  /// Binds a millisecond field; the option is a CAF timespan.
  option_group& add(std::chrono::milliseconds& field, caf::string_view name,
                    caf::string_view description);

private:
  caf::config_option_adder adder_;
  caf::config_option_set& set_;
  caf::string_view category_;
};

} // namespace signalbox
