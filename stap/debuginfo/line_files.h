// The file table of a DWARF line-program header (.debug_line, versions 2 to 5), read
// without decoding the line program itself.
//
// libdw (0.188) answers dwarf_decl_file by decoding and sorting every line record of the
// compile unit; the kernel's largest units have over 100,000 of them, and `probe
// syscall.* {}` touches a hundred units only to name each function's source file.  The
// header alone holds the names.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace stap::debuginfo {

// The sections a line header's strings may point into.
struct LineSections {
  std::span<const unsigned char> line;      // .debug_line
  std::span<const unsigned char> line_str;  // .debug_line_str (DW_FORM_line_strp)
  std::span<const unsigned char> str;       // .debug_str (DW_FORM_strp)
};

// The unit's file names, indexed as DW_AT_decl_file indexes them, each joined to its
// directory as libdw joins them (an absolute name is kept; otherwise "DIR/NAME", with
// `comp_dir` as directory 0 before version 5; a missing directory leaves NAME alone).
// Before version 5 index 0 is no file and reads "???", as in libdw.  False when the
// header at `offset` is malformed or uses a form this reader does not know.
bool read_line_files(const LineSections& sec, uint64_t offset, std::string_view comp_dir,
                     bool have_comp_dir, std::vector<std::string>* files);

}  // namespace stap::debuginfo
