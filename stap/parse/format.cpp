#include "stap/parse/format.h"

#include <cctype>
#include <cstring>

namespace stap {

// conv ::= "%" [ "-" | "+" | " " | "#" | "0" ] [ NUM | "*" ] [ "." [ NUM | "*" ] ] [ "l" ] CONV
bool parse_format(const std::string& raw, std::vector<FormatComponent>* out, std::string* err) {
  const char* kTrailing = "trailing incomplete print format conversion";
  const char* kInvalid = "invalid or missing conversion specifier";
  FormatComponent lit;
  size_t i = 0, n = raw.size();
  auto flush = [&]() {
    if (!lit.literal.empty()) {
      out->push_back(lit);
      lit = FormatComponent();
    }
  };
  while (i < n) {
    char c = raw[i];
    if (c != '%') {
      lit.literal += c;
      ++i;
      continue;
    }
    ++i;
    if (i >= n) {  // a bare '%' at the end
      *err = kInvalid;
      return false;
    }
    if (raw[i] == '%') {
      lit.literal += "%%";
      ++i;
      continue;
    }
    FormatComponent conv;
    conv.kind = FormatComponent::Conversion;
    if (std::strchr("-+ #0", raw[i])) conv.flags += raw[i++];
    if (i < n && raw[i] == '*') {
      conv.width = -2;
      ++i;
    } else if (i < n && std::isdigit(static_cast<unsigned char>(raw[i]))) {
      if (raw[i] == '0' && conv.flags.find('0') == std::string::npos) conv.flags += '0';
      int w = 0;
      while (i < n && std::isdigit(static_cast<unsigned char>(raw[i]))) {
        if (w < 100000) w = w * 10 + (raw[i] - '0');
        ++i;
      }
      conv.width = w;
    }
    if (i < n && raw[i] == '.') {
      ++i;
      if (i < n && raw[i] == '*') {
        conv.precision = -2;
        ++i;
      } else {
        int p = 0;
        while (i < n && std::isdigit(static_cast<unsigned char>(raw[i]))) {
          if (p < 100000) p = p * 10 + (raw[i] - '0');
          ++i;
        }
        conv.precision = p;
      }
    }
    if (i < n && raw[i] == 'l') ++i;
    if (i >= n) {
      *err = kTrailing;
      return false;
    }
    char cv = raw[i++];
    if (!std::strchr("bcdiopsuxXmM", cv)) {
      *err = kInvalid;
      return false;
    }
    conv.conv = cv;
    flush();
    out->push_back(conv);
  }
  flush();
  return true;
}

int format_arg_count(const std::vector<FormatComponent>& comps) {
  int n = 0;
  for (const auto& c : comps) {
    if (c.kind != FormatComponent::Conversion) continue;
    if (c.width == -2) ++n;
    if (c.precision == -2) ++n;
    ++n;
  }
  return n;
}

}  // namespace stap
