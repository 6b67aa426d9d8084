#include "protocols/http/subprotocol_codec.hpp"

namespace signalbox::http {

std::vector<std::string_view> subprotocol_tokens(std::string_view offered) {
  std::vector<std::string_view> tokens;
  size_t pos = 0;
  while (pos <= offered.size()) {
    auto end = offered.find(',', pos);
    if (end == std::string_view::npos)
      end = offered.size();
    auto token = offered.substr(pos, end - pos);
    auto first = token.find_first_not_of(" \t");
    if (first != std::string_view::npos) {
      auto last = token.find_last_not_of(" \t");
      tokens.push_back(token.substr(first, last - first + 1));
    }
    pos = end + 1;
  }
  return tokens;
}

subprotocol_choice
choose_subprotocol(std::string_view offered,
                   std::initializer_list<const char*> spoken) {
  auto tokens = subprotocol_tokens(offered);
  if (tokens.empty())
    return {};
  for (auto token : tokens)
    for (auto name : spoken)
      if (token == name)
        return {subprotocol_choice::selected, std::string{token}};
  return {subprotocol_choice::rejected, {}};
}

} // namespace signalbox::http
