// The .debug_line header file-table reader (stap/debuginfo/line_files.h), on headers
// assembled here byte by byte.  dwarf_test.cpp's LineFilesReal compares the real
// kernels' tables with libdw's dwarf_decl_file.
#include "stap/debuginfo/line_files.h"

#include <dwarf.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using stap::debuginfo::LineSections;
using stap::debuginfo::read_line_files;

struct Bytes {
  std::vector<unsigned char> b;
  Bytes& u8(unsigned v) {
    b.push_back(static_cast<unsigned char>(v));
    return *this;
  }
  Bytes& u16(unsigned v) { return u8(v & 0xff).u8(v >> 8); }
  Bytes& u32(uint32_t v) { return u16(v & 0xffff).u16(v >> 16); }
  Bytes& str(const std::string& s) {
    for (char c : s) u8(static_cast<unsigned char>(c));
    return u8(0);
  }
  Bytes& append(const Bytes& o) {
    b.insert(b.end(), o.b.begin(), o.b.end());
    return *this;
  }
};

// Wraps the part after header_length into a whole unit of `version`.
Bytes unit(unsigned version, const Bytes& after_header_length) {
  Bytes head;
  head.u16(version);
  if (version >= 5) head.u8(8).u8(0);
  head.u32(static_cast<uint32_t>(after_header_length.b.size()));
  head.append(after_header_length);
  Bytes all;
  all.u32(static_cast<uint32_t>(head.b.size())).append(head);
  return all;
}

Bytes common_fields(unsigned version) {
  Bytes p;
  p.u8(1);                   // minimum_instruction_length
  if (version >= 4) p.u8(1); // maximum_operations_per_instruction
  p.u8(1).u8(0xfb).u8(14).u8(13);
  for (int i = 1; i < 13; i++) p.u8(0);  // standard_opcode_lengths
  return p;
}

TEST(LineFiles, Version4JoinsDirectoriesAsLibdw) {
  Bytes p = common_fields(4);
  p.str("inc").str("/abs").u8(0);
  p.str("a.c").u8(0).u8(0).u8(0);
  p.str("b.h").u8(1).u8(0).u8(0);
  p.str("c.h").u8(2).u8(0).u8(0);
  p.str("/x/d.h").u8(1).u8(0).u8(0);
  p.u8(0);
  Bytes pad;
  pad.u8(0xaa).u8(0xbb);  // an earlier unit: the header is read at its offset
  Bytes line = pad;
  line.append(unit(4, p));
  LineSections sec{line.b, {}, {}};
  std::vector<std::string> files;
  ASSERT_TRUE(read_line_files(sec, 2, "/comp", true, &files));
  EXPECT_EQ(files, (std::vector<std::string>{"???", "/comp/a.c", "inc/b.h", "/abs/c.h", "/x/d.h"}));
  ASSERT_TRUE(read_line_files(sec, 2, "", false, &files));
  EXPECT_EQ(files[1], "a.c");  // no DW_AT_comp_dir: the name stays relative
}

TEST(LineFiles, Version5EntryFormats) {
  Bytes line_str;
  line_str.str("/comp").str("inc");
  Bytes debug_str;
  debug_str.str("zzz").str("b.h");
  Bytes p = common_fields(5);
  p.u8(1).u8(DW_LNCT_path).u8(DW_FORM_line_strp);
  p.u8(2).u32(0).u32(6);
  // path as a .debug_str offset, then a directory index, then an MD5 to skip
  p.u8(3).u8(DW_LNCT_path).u8(DW_FORM_strp).u8(DW_LNCT_directory_index).u8(DW_FORM_udata);
  p.u8(DW_LNCT_MD5).u8(DW_FORM_data16);
  p.u8(2);
  p.u32(4).u8(1);
  for (int i = 0; i < 16; i++) p.u8(i);
  p.u32(0).u8(0);
  for (int i = 0; i < 16; i++) p.u8(i);
  Bytes line = unit(5, p);
  LineSections sec{line.b, line_str.b, debug_str.b};
  std::vector<std::string> files;
  ASSERT_TRUE(read_line_files(sec, 0, "ignored", true, &files));
  EXPECT_EQ(files, (std::vector<std::string>{"inc/b.h", "/comp/zzz"}));
}

TEST(LineFiles, MalformedHeadersAreRefused) {
  Bytes p = common_fields(4);
  p.str("inc").u8(0);
  p.str("a.c").u8(5).u8(0).u8(0);  // directory 5 does not exist
  p.u8(0);
  Bytes line = unit(4, p);
  std::vector<std::string> files;
  EXPECT_FALSE(read_line_files(LineSections{line.b, {}, {}}, 0, "/c", true, &files));

  Bytes good = common_fields(4);
  good.u8(0).str("a.c").u8(0).u8(0).u8(0).u8(0);
  Bytes whole = unit(4, good);
  for (size_t cut = 0; cut < whole.b.size(); ++cut) {
    std::vector<unsigned char> part(whole.b.begin(), whole.b.begin() + static_cast<long>(cut));
    EXPECT_FALSE(read_line_files(LineSections{part, {}, {}}, 0, "/c", true, &files)) << cut;
  }
  EXPECT_TRUE(read_line_files(LineSections{whole.b, {}, {}}, 0, "/c", true, &files));
  EXPECT_FALSE(read_line_files(LineSections{whole.b, {}, {}}, whole.b.size() + 3, "/c", true, &files));

  Bytes v5 = common_fields(5);
  v5.u8(1).u8(DW_LNCT_path).u8(DW_FORM_line_strp).u8(1).u32(99);  // past .debug_line_str
  Bytes u5 = unit(5, v5);
  EXPECT_FALSE(read_line_files(LineSections{u5.b, {}, {}}, 0, "/c", true, &files));
}

}  // namespace
