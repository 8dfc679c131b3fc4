// What `bzelf info` prints, as one tree of named values: JSON for scripts
// (--json), or one "key value" line per value for people, the key being
// the dotted path to it ("hdr.setup_sects", "stage.segment[0]").
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace bzelf {

class InfoNode {
 public:
  enum class Kind { kText, kNumber, kFlag, kObject, kArray };

  static InfoNode Text(std::string text);
  // A number; JSON gives it in decimal, the text form as `hex` says.
  static InfoNode Number(uint64_t value, bool hex);
  static InfoNode Hex(uint64_t value) { return Number(value, true); }
  static InfoNode Dec(uint64_t value) { return Number(value, false); }
  static InfoNode Flag(bool value);
  static InfoNode Object();
  static InfoNode Array();

  // Members of an object, in the order added; a second Add of the same
  // key replaces the value. Returns the member.
  InfoNode& Add(const std::string& key, InfoNode value);
  // The member object `key`, made empty if there is none yet.
  InfoNode& Child(const std::string& key);
  // Elements of an array.
  InfoNode& Append(InfoNode value);

  // Left out of the text form: figures for scripts only.
  InfoNode& ScriptsOnly() {
    scripts_only_ = true;
    return *this;
  }

  // The value at a dotted path ("layout.part5.file_offset", array
  // elements by index: "params.segments.entries.0"), or null.
  const InfoNode* Find(const std::string& path) const;
  Kind kind() const { return kind_; }
  uint64_t number() const { return number_; }
  const std::string& text() const { return text_; }

  void PrintJson(std::FILE* out) const;
  void PrintText(std::FILE* out) const;

 private:
  void Json(std::FILE* out, int indent) const;
  void Text(std::FILE* out, const std::string& path) const;

  Kind kind_ = Kind::kObject;
  std::string text_;
  uint64_t number_ = 0;
  bool hex_ = false;
  bool scripts_only_ = false;
  std::vector<std::pair<std::string, InfoNode>> members_;  // keys empty in arrays
};

}  // namespace bzelf
