#include "info-tree.h"

#include "common.h"

namespace bzelf {
namespace {

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

InfoNode InfoNode::Text(std::string text) {
  InfoNode n;
  n.kind_ = Kind::kText;
  n.text_ = std::move(text);
  return n;
}

InfoNode InfoNode::Number(uint64_t value, bool hex) {
  InfoNode n;
  n.kind_ = Kind::kNumber;
  n.number_ = value;
  n.hex_ = hex;
  return n;
}

InfoNode InfoNode::Flag(bool value) {
  InfoNode n;
  n.kind_ = Kind::kFlag;
  n.number_ = value;
  return n;
}

InfoNode InfoNode::Object() { return InfoNode(); }

InfoNode InfoNode::Array() {
  InfoNode n;
  n.kind_ = Kind::kArray;
  return n;
}

InfoNode& InfoNode::Add(const std::string& key, InfoNode value) {
  for (auto& [k, v] : members_) {
    if (k == key) return v = std::move(value);
  }
  return members_.emplace_back(key, std::move(value)).second;
}

InfoNode& InfoNode::Child(const std::string& key) {
  for (auto& [k, v] : members_) {
    if (k == key) return v;
  }
  return members_.emplace_back(key, Object()).second;
}

InfoNode& InfoNode::Append(InfoNode value) {
  return members_.emplace_back(std::string(), std::move(value)).second;
}

const InfoNode* InfoNode::Find(const std::string& path) const {
  const InfoNode* node = this;
  size_t pos = 0;
  while (node && pos <= path.size()) {
    size_t dot = path.find('.', pos);
    if (dot == std::string::npos) dot = path.size();
    const std::string part = path.substr(pos, dot - pos);
    const InfoNode* next = nullptr;
    for (size_t i = 0; i < node->members_.size(); ++i) {
      const bool match = node->kind_ == Kind::kArray ? part == std::to_string(i)
                                                     : part == node->members_[i].first;
      if (match) next = &node->members_[i].second;
    }
    node = next;
    pos = dot + 1;
  }
  return node;
}

void InfoNode::PrintJson(std::FILE* out) const {
  Json(out, 0);
  std::fputc('\n', out);
}

void InfoNode::Json(std::FILE* out, int indent) const {
  switch (kind_) {
    case Kind::kText:
      std::fputs(JsonString(text_).c_str(), out);
      return;
    case Kind::kNumber:
      std::fprintf(out, "%llu", static_cast<unsigned long long>(number_));
      return;
    case Kind::kFlag:
      std::fputs(number_ ? "true" : "false", out);
      return;
    case Kind::kObject:
    case Kind::kArray:
      break;
  }
  const bool object = kind_ == Kind::kObject;
  if (members_.empty()) {
    std::fputs(object ? "{}" : "[]", out);
    return;
  }
  std::fputs(object ? "{\n" : "[\n", out);
  for (size_t i = 0; i < members_.size(); ++i) {
    std::fprintf(out, "%*s", indent + 2, "");
    if (object) std::fprintf(out, "%s: ", JsonString(members_[i].first).c_str());
    members_[i].second.Json(out, indent + 2);
    std::fputs(i + 1 < members_.size() ? ",\n" : "\n", out);
  }
  std::fprintf(out, "%*s%c", indent, "", object ? '}' : ']');
}

void InfoNode::PrintText(std::FILE* out) const { Text(out, ""); }

void InfoNode::Text(std::FILE* out, const std::string& path) const {
  if (scripts_only_) return;
  switch (kind_) {
    case Kind::kText:
      std::fprintf(out, "%-34s %s\n", path.c_str(), text_.c_str());
      return;
    case Kind::kNumber:
      std::fprintf(out, "%-34s %s\n", path.c_str(),
                   hex_ ? HexString(number_).c_str() : std::to_string(number_).c_str());
      return;
    case Kind::kFlag:
      std::fprintf(out, "%-34s %s\n", path.c_str(), number_ ? "yes" : "no");
      return;
    case Kind::kObject:
      for (const auto& [k, v] : members_) v.Text(out, path.empty() ? k : path + "." + k);
      return;
    case Kind::kArray:
      for (size_t i = 0; i < members_.size(); ++i) {
        members_[i].second.Text(out, path + "[" + std::to_string(i) + "]");
      }
      return;
  }
}

}  // namespace bzelf
