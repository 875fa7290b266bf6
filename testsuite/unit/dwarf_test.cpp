// The DWARF reader against Debian's real 6.1.0-56 and 6.12.117 cloud kernels' debuginfo.
// The expected addresses and offsets come from Debian's stap 4.8 (-p3 output, -L) and
// pahole on the same vmlinux. A kernel's tests are skipped when its debuginfo is absent:
// it is looked for under $STAP_TEST_DEBUGINFO_DIR/KVER/usr/lib/debug (default: the build
// tree's debuginfo-cache/, which .ci/fetch-debuginfo.sh fills), then /usr/lib/debug.
#include <gtest/gtest.h>

#include "test_util.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <gelf.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <span>
#include <filesystem>
#include <map>
#include <set>

#include "stap/debuginfo/btf_source.h"
#include "stap/debuginfo/dwarf.h"
#include "stap/debuginfo/image_kallsyms.h"
#include "stap/debuginfo/kernel_info.h"
#include "stap/debuginfo/line_files.h"

namespace di = stap::debuginfo;

namespace {

const char* kRelease = "6.1.0-56-cloud-amd64";
const char* kRelease612 = "6.12.117+deb12-cloud-amd64";

std::string debug_root(const std::string& release) {
  std::vector<std::string> dirs;
  if (const char* d = std::getenv("STAP_TEST_DEBUGINFO_DIR"); d && *d)
    dirs.push_back(std::string(d) + "/" + release + "/usr/lib/debug");
  if (const char* b = std::getenv("STAP_TOP_BUILDDIR"); b && *b)
    dirs.push_back(std::string(b) + "/debuginfo-cache/" + release + "/usr/lib/debug");
  dirs.push_back("/usr/lib/debug");
  std::error_code ec;
  for (const auto& r : dirs)
    if (std::filesystem::exists(r + "/boot/vmlinux-" + release, ec)) return r;
  return "";
}
std::string debug_root() { return debug_root(kRelease); }

// One open kernel per release for the whole suite (opening is the slow part).
struct Shared {
  di::TypeTable types;
  std::unique_ptr<di::DwarfKernel> k;
  std::string error;
  double open_total_ms = 0;
};

Shared* shared(const std::string& release) {
  static std::map<std::string, std::unique_ptr<Shared>> all;
  auto it = all.find(release);
  if (it != all.end()) return it->second.get();
  auto* s = (all[release] = std::make_unique<Shared>()).get();
  std::string root = debug_root(release);
  if (root.empty()) return s;
  auto t0 = std::chrono::steady_clock::now();
  s->k = di::DwarfKernel::open(release, s->types, "", &s->error, {root});
  s->open_total_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return s;
}
Shared* shared() { return shared(kRelease); }

#define NEED_KERNEL_REL(rel)                                                          \
  if (debug_root(rel).empty()) GTEST_SKIP() << "no debuginfo for " << rel;            \
  di::DwarfKernel* k = shared(rel)->k.get();                                          \
  ASSERT_NE(k, nullptr) << shared(rel)->error
#define NEED_KERNEL() NEED_KERNEL_REL(kRelease)

const di::Variable* find_var(const std::vector<di::Variable>& vs, const std::string& name) {
  for (const auto& v : vs)
    if (v.name == name) return &v;
  return nullptr;
}

// The line-header file tables (line_files.h) name every declaration's file exactly as
// libdw's dwarf_decl_file does, over the first 300 units of each kernel with debuginfo.
TEST(LineFilesReal, MatchesDwarfDeclFile) {
  int kernels = 0;
  for (const char* release : {kRelease, kRelease612}) {
    std::string root = debug_root(release);
    if (root.empty()) continue;
    ++kernels;
    std::string path = root + "/boot/vmlinux-" + release;
    int fd = open(path.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0) << path;
    Dwarf* dw = dwarf_begin(fd, DWARF_C_READ);
    ASSERT_NE(dw, nullptr);
    Elf* elf = dwarf_getelf(dw);
    auto section = [&](const char* want) -> std::span<const unsigned char> {
      size_t shstrndx = 0;
      elf_getshdrstrndx(elf, &shstrndx);
      for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(elf, scn)) != nullptr;) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh)) continue;
        const char* name = elf_strptr(elf, shstrndx, sh.sh_name);
        if (!name || strcmp(name, want) != 0) continue;
        Elf_Data* d = elf_getdata(scn, nullptr);
        return {static_cast<const unsigned char*>(d->d_buf), d->d_size};
      }
      return {};
    };
    di::LineSections sec{section(".debug_line"), section(".debug_line_str"), section(".debug_str")};
    size_t compared = 0, units = 0;
    Dwarf_Off off = 0, next = 0;
    size_t hsize = 0;
    while (units < 300 && dwarf_nextcu(dw, off, &next, &hsize, nullptr, nullptr, nullptr) == 0) {
      Dwarf_Die cu;
      if (dwarf_offdie(dw, off + hsize, &cu)) {
        ++units;
        Dwarf_Attribute a;
        Dwarf_Word stmt = 0;
        ASSERT_TRUE(dwarf_attr(&cu, DW_AT_stmt_list, &a) && dwarf_formudata(&a, &stmt) == 0);
        const char* comp = dwarf_formstring(dwarf_attr(&cu, DW_AT_comp_dir, &a));
        std::vector<std::string> files;
        ASSERT_TRUE(di::read_line_files(sec, stmt, comp ? comp : "", comp != nullptr, &files));
        Dwarf_Die child;
        if (dwarf_child(&cu, &child) == 0) {
          do {
            Dwarf_Attribute df;
            Dwarf_Word idx = 0;
            if (!dwarf_attr(&child, DW_AT_decl_file, &df) || dwarf_formudata(&df, &idx) != 0) continue;
            const char* lib = dwarf_decl_file(&child);
            ASSERT_NE(lib, nullptr);
            ASSERT_LT(idx, files.size());
            EXPECT_EQ(files[idx], lib) << release << " unit at " << off;
            ++compared;
          } while (dwarf_siblingof(&child, &child) == 0);
        }
      }
      off = next;
    }
    EXPECT_GT(compared, 10000u) << release;
    dwarf_end(dw);
    close(fd);
  }
  if (kernels == 0) GTEST_SKIP() << "no kernel debuginfo installed";
}

}  // namespace

TEST(DwarfLocation, RegistersFrameBaseAndValues) {
  std::string why;
  di::Location l = di::translate_location({{DW_OP_reg5, 0, 0, {}, {}}}, "", false, 8, &why);
  EXPECT_EQ(l.kind, di::Location::Value);
  EXPECT_EQ(l.c, "STP_REG(5)");

  l = di::translate_location({{DW_OP_fbreg, static_cast<uint64_t>(-24), 0, {}, {}}}, "STP_CFA",
                             false, 8, &why);
  EXPECT_EQ(l.kind, di::Location::Memory);
  EXPECT_EQ(l.c, "(STP_CFA + -0x18L)");

  l = di::translate_location({{DW_OP_breg7, 8, 0, {}, {}}, {DW_OP_deref, 0, 0, {}, {}}}, "", false,
                             8, &why);
  EXPECT_EQ(l.kind, di::Location::Memory);
  EXPECT_EQ(l.c, "STP_DEREF(8, (STP_REG(7) + 0x8L))");

  l = di::translate_location({{DW_OP_breg3, 0, 0, {}, {}}, {DW_OP_lit1, 0, 0, {}, {}},
                              {DW_OP_plus, 0, 0, {}, {}}, {DW_OP_stack_value, 0, 0, {}, {}}},
                             "", false, 8, &why);
  EXPECT_EQ(l.kind, di::Location::Value);
  EXPECT_EQ(l.c, "((STP_REG(3) + 0x0L) + 0x1UL)");

  // entry_value(reg5): the register itself at the entry, unknown elsewhere.
  di::DwarfOp ev{DW_OP_entry_value, 1, 0, {{DW_OP_reg5, 0, 0, {}, {}}}, {}};
  l = di::translate_location({ev, {DW_OP_stack_value, 0, 0, {}, {}}}, "", true, 8, &why);
  EXPECT_EQ(l.kind, di::Location::Value);
  EXPECT_EQ(l.c, "STP_REG(5)");
  l = di::translate_location({ev, {DW_OP_stack_value, 0, 0, {}, {}}}, "", false, 8, &why);
  EXPECT_EQ(l.kind, di::Location::Unavailable);
  EXPECT_NE(why.find("entry"), std::string::npos);

  di::DwarfOp iv{DW_OP_implicit_value, 2, 0, {}, std::string("\x34\x12", 2)};
  l = di::translate_location({iv}, "", false, 2, &why);
  EXPECT_EQ(l.kind, di::Location::Value);
  EXPECT_EQ(l.c, "0x1234UL");

  // Two 4-byte register pieces make one 8-byte value.
  l = di::translate_location({{DW_OP_reg0, 0, 0, {}, {}}, {DW_OP_piece, 4, 0, {}, {}},
                              {DW_OP_reg1, 0, 0, {}, {}}, {DW_OP_piece, 4, 0, {}, {}}},
                             "", false, 8, &why);
  EXPECT_EQ(l.kind, di::Location::Value);
  EXPECT_EQ(l.c, "((STP_REG(0) & 0xffffffffUL) | ((STP_REG(1) & 0xffffffffUL) << 32))");

  why.clear();
  l = di::translate_location({{DW_OP_GNU_push_tls_address, 0, 0, {}, {}}}, "", false, 8, &why);
  EXPECT_EQ(l.kind, di::Location::Unavailable);
  EXPECT_FALSE(why.empty());
  l = di::translate_location({{DW_OP_plus, 0, 0, {}, {}}}, "", false, 8, &why);
  EXPECT_EQ(l.kind, di::Location::Unavailable);
}

TEST(DwarfSearch, BuildIdFromNotes) {
  // A Xen note first, then GNU's build-id, as in /sys/kernel/notes.
  std::string notes;
  auto word = [&](uint32_t v) { notes.append(reinterpret_cast<const char*>(&v), 4); };
  word(4); word(8); word(18); notes.append("Xen\0", 4); notes.append(8, '\x11');
  word(4); word(4); word(3); notes.append("GNU\0", 4); notes.append("\x3b\x43\xfa\xd5", 4);
  EXPECT_EQ(di::build_id_from_notes(notes), "3b43fad5");
  EXPECT_EQ(di::build_id_from_notes(notes.substr(0, 30)), "");  // truncated
  EXPECT_EQ(di::build_id_from_notes(""), "");
  std::string bad = notes;
  bad[0] = '\xff';  // an absurd name size
  EXPECT_EQ(di::build_id_from_notes(bad), "");
  // This machine's kernel has one (40 hex digits) whenever /sys/kernel/notes exists.
  if (std::filesystem::exists("/sys/kernel/notes")) {
    EXPECT_EQ(di::running_kernel_build_id().size(), 40u);
  }
}

TEST(DwarfSearch, MissingDebuginfoNamesPackageAndPaths) {
  setenv("SYSTEMTAP_DEBUGINFO_PATH", "/nonexistent-debug", 1);
  di::DebuginfoSearch s = di::find_vmlinux_debuginfo("0.0.0-none");
  EXPECT_TRUE(s.found.empty());
  ASSERT_FALSE(s.tried.empty());
  EXPECT_EQ(s.tried[0], "/nonexistent-debug/boot/vmlinux-0.0.0-none");
  std::string hint = di::debuginfo_hint("0.0.0-none", s);
  EXPECT_NE(hint.find("linux-image-0.0.0-none-dbg"), std::string::npos) << hint;
  EXPECT_NE(hint.find("/lib/modules/0.0.0-none/build/vmlinux"), std::string::npos) << hint;
  di::TypeTable types;
  std::string err;
  EXPECT_EQ(di::DwarfKernel::open("0.0.0-none", types, "", &err), nullptr);
  EXPECT_NE(err.find("missing x86_64 kernel/module debuginfo"), std::string::npos) << err;
  unsetenv("SYSTEMTAP_DEBUGINFO_PATH");
}

TEST(DwarfKernel6_1, OpensWithBuildId) {
  NEED_KERNEL();
  EXPECT_EQ(k->build_id(), "3b43fad5034874490492495d552c0af6a5fab235");
  EXPECT_NE(k->vmlinux_path().find("vmlinux-6.1.0-56-cloud-amd64"), std::string::npos);
  std::printf("[ timing ] open %.0f ms (elf %.0f ms, index %.0f ms%s)\n", shared()->open_total_ms,
              k->timing().open_ms, k->timing().index_ms,
              k->timing().index_from_cache ? ", cached" : "");
}

// What a function's entry sees, as stap 4.8 -L lists it: parameters and the function's
// own locals, located past the __fentry__ call (where constants' locations start).
TEST(DwarfKernel6_1, LocalsAtFunctionEntry) {
  NEED_KERNEL();
  auto located = [](const di::FunctionSite& s) {
    std::string r;
    for (const auto& v : s.fn.params)
      if (!v.no_location) r += " $" + v.name;
    return r;
  };
  // 4.8: $tables_loaded:u32 $tables_failed:u32 (both lit0 from entry+5).
  auto acpi = k->functions("acpi_tb_load_namespace", "kernel", false);
  ASSERT_EQ(acpi.size(), 1u);
  EXPECT_EQ(located(acpi[0]), " $tables_loaded $tables_failed");
  // 4.8: $name:struct old_utsname* $tmp:struct old_utsname (on the stack).
  auto uname = k->functions("__do_sys_uname", "kernel", true);
  ASSERT_FALSE(uname.empty());
  EXPECT_EQ(located(uname[0]), " $name $tmp");
  // An inlined copy's locals sit in a lexical block: 4.8 lists only $len $name.
  auto host = k->functions("__do_sys_gethostname", "kernel", true);
  ASSERT_FALSE(host.empty());
  for (const auto& s : host) EXPECT_EQ(located(s), " $len $name");
  // A NAME.part.N clone is not one of NAME's sites (4.8 probes only the inline heads).
  for (const auto& s : k->functions("__migrate_swap_task", "kernel", true))
    EXPECT_TRUE(s.inlined) << s.at.symbol;
  // GCC describes fmt twice: listed once.
  auto tcv = k->functions("test_can_verify_check", "kernel", false);
  ASSERT_EQ(tcv.size(), 1u);
  int fmts = 0;
  for (const auto& v : tcv[0].fn.params) fmts += v.name == "fmt";
  EXPECT_EQ(fmts, 1);
  // Type names as 4.8 prints them.
  auto vp = k->functions("vprintk_default", "kernel", false);
  ASSERT_EQ(vp.size(), 1u);
  ASSERT_EQ(vp[0].fn.params.size(), 2u);
  EXPECT_EQ(di::type_name(vp[0].fn.params[1].type), "va_list");
  auto rp = k->functions("register_platform_power_off", "kernel", false);
  ASSERT_EQ(rp.size(), 1u);
  ASSERT_FALSE(rp[0].fn.params.empty());
  EXPECT_EQ(di::type_name(rp[0].fn.params[0].type), "void (*) (void)");
}

TEST(DwarfKernel6_1, VfsReadParamsAtEntry) {
  NEED_KERNEL();
  auto sites = k->functions("vfs_read", "kernel", true);
  ASSERT_EQ(sites.size(), 1u);
  const auto& s = sites[0];
  EXPECT_EQ(s.fn.name, "vfs_read");
  EXPECT_EQ(s.fn.decl_file, "fs/read_write.c");
  EXPECT_EQ(s.fn.decl_line, 450);
  EXPECT_FALSE(s.inlined);
  EXPECT_EQ(s.at.addr, 0xffffffff8134cc50ULL);  // stap 4.8 probes _stext+0x34cc50
  EXPECT_EQ(s.at.symbol, "vfs_read");
  EXPECT_EQ(s.at.offset, 0u);
  EXPECT_FALSE(s.fn.exported);
  ASSERT_NE(s.fn.ret, nullptr);
  EXPECT_EQ(s.fn.ret->name, "ssize_t");
  // The parameters, then the local ret, which DWARF does not locate at the entry (stap
  // 4.8: "not accessible at this address"), so -L leaves it out.
  ASSERT_EQ(s.fn.params.size(), 5u);
  EXPECT_EQ(s.fn.params[4].name, "ret");
  EXPECT_FALSE(s.fn.params[4].is_param);
  EXPECT_TRUE(s.fn.params[4].no_location);
  const char* names[] = {"file", "buf", "count", "pos"};
  const char* regs[] = {"STP_REG(5)", "STP_REG(4)", "STP_REG(1)", "STP_REG(2)"};  // di si dx cx
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(s.fn.params[i].name, names[i]);
    EXPECT_TRUE(s.fn.params[i].is_param);
    EXPECT_EQ(s.fn.params[i].loc.kind, di::Location::Value) << names[i];
    EXPECT_EQ(s.fn.params[i].loc.c, regs[i]) << names[i];
  }
  const di::Type* ft = s.fn.params[0].type;
  ASSERT_NE(ft, nullptr);
  EXPECT_EQ(ft->kind, di::TypeKind::Pointer);
  ASSERT_NE(ft->ref, nullptr);
  EXPECT_EQ(ft->ref->name, "file");
  EXPECT_EQ(s.fn.params[2].type->name, "size_t");
  EXPECT_EQ(s.fn.params[2].type->kind, di::TypeKind::Typedef);
  EXPECT_EQ(di::resolve(s.fn.params[2].type)->size, 8u);
  EXPECT_FALSE(di::resolve(s.fn.params[2].type)->is_signed);

  bool is_void = true;
  const di::Type* rt = k->return_type(s.object, s.die, &is_void);
  EXPECT_FALSE(is_void);
  ASSERT_NE(rt, nullptr);
  EXPECT_EQ(rt->name, "ssize_t");

  // The line table's end of prologue: past the entry, still in vfs_read.
  auto pe = k->prologue_end(s);
  ASSERT_TRUE(pe.has_value());
  EXPECT_GT(pe->addr, s.at.addr);
  EXPECT_EQ(pe->symbol, "vfs_read");
  EXPECT_EQ(pe->offset, pe->addr - s.at.addr);
  EXPECT_LT(pe->offset, 0x40u);

  // Further in, locals come into view and params move or go.
  auto later = k->variables_at(s.object, s.die, 0xffffffff8134cc63ULL, true);
  EXPECT_NE(find_var(later, "ret"), nullptr);
  const di::Variable* file = find_var(later, "file");
  ASSERT_NE(file, nullptr);
  EXPECT_NE(file->loc.kind, di::Location::Unavailable);
}

TEST(DwarfKernel6_1, ExportedAndGlob) {
  NEED_KERNEL();
  auto sites = k->functions("vfs_fsync", "kernel", false);
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_TRUE(sites[0].fn.exported);
  EXPECT_EQ(sites[0].fn.decl_file, "fs/sync.c");

  auto t0 = std::chrono::steady_clock::now();
  auto all = k->functions("vfs_*", "kernel", false);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::set<std::string> names;
  for (const auto& s : all) {
    EXPECT_EQ(s.fn.name.compare(0, 4, "vfs_"), 0) << s.fn.name;
    names.insert(s.fn.name);
  }
  EXPECT_TRUE(names.count("vfs_read"));
  EXPECT_TRUE(names.count("vfs_write"));
  EXPECT_GT(names.size(), 60u);
  std::printf("[ timing ] functions(\"vfs_*\"): %zu sites, %zu names, %.0f ms\n", all.size(),
              names.size(), ms);
  t0 = std::chrono::steady_clock::now();
  auto with_inl = k->functions("vfs_*", "kernel", true);
  ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ timing ] functions(\"vfs_*\") with inlines: %zu sites, %.0f ms\n", with_inl.size(),
              ms);
}

// Where the kernel would refuse a kprobe, from vmlinux itself: a noinstr function, a
// NOKPROBE_SYMBOL() one, one that starts with a jump label, and inlined static calls.
TEST(DwarfKernel6_1, KprobeRefused) {
  NEED_KERNEL();
  auto entry_of = [&](const char* name) {
    auto sites = k->functions(name, "kernel", false);
    return sites.empty() ? uint64_t{0} : sites[0].at.addr;
  };
  for (const char* refused : {"exc_page_fault", "notifier_call_chain", "native_sched_clock"}) {
    uint64_t a = entry_of(refused);
    ASSERT_NE(a, 0u) << refused;
    EXPECT_TRUE(k->kprobe_refused(a)) << refused;
  }
  for (const char* fine : {"vfs_read", "do_sys_openat2", "schedule"}) {
    uint64_t a = entry_of(fine);
    ASSERT_NE(a, 0u) << fine;
    EXPECT_FALSE(k->kprobe_refused(a)) << fine;
  }
  // _cond_resched() is a static call inlined at each use.
  auto inl = k->functions("_cond_resched", "kernel", true);
  size_t refused = 0;
  for (const auto& s : inl)
    if (s.inlined && k->kprobe_refused(s.at.addr)) ++refused;
  EXPECT_GT(refused, 100u);
}

// Without DWARF the same refused set comes from the kallsyms tables and sections
// inside /boot/vmlinuz (image_kallsyms.cpp): on 6.1 both must agree on every function
// whose name is one symbol at the DWARF entry address.
TEST(DwarfKernel6_1, KprobeRefusedFromImageMatchesDwarf) {
  NEED_KERNEL();
  const std::string image = std::string("/boot/vmlinuz-") + kRelease;
  if (!std::filesystem::exists(image)) GTEST_SKIP() << image;
  std::string elf, err;
  ASSERT_TRUE(di::vmlinux_from_bzimage(image, &elf, &err)) << err;
  std::vector<di::ImageSymbol> syms;
  ASSERT_TRUE(di::image_kallsyms(elf, &syms, &err)) << err;
  // The decoded addresses are the link-time ones of vmlinux's symbol table.
  std::map<std::string, std::vector<uint64_t>> text;
  for (const auto& y : syms) {
    if (y.name == "snprintf" || y.name == "modules") {
      EXPECT_EQ(y.addr, k->symbol_address(y.name, "kernel")) << y.name;
    }
    if (y.type == 't' || y.type == 'T') text[y.name].push_back(y.addr);
  }
  EXPECT_GT(syms.size(), 80000u);
  di::ImageKprobeInfo info;
  ASSERT_TRUE(di::image_kprobe_info(elf, syms, &info, &err)) << err;
  const std::set<std::string>& image_refused = info.refused;
  size_t compared = 0, refused = 0;
  std::vector<std::string> differ;
  for (const auto& site : k->functions("*", "kernel", false, false)) {
    auto it = text.find(site.fn.name);
    if (site.inlined || it == text.end() || it->second.size() != 1 || it->second[0] != site.at.addr)
      continue;
    ++compared;
    bool dw = k->kprobe_refused(site.at.addr);
    refused += dw;
    if (dw != (image_refused.count(site.fn.name) > 0)) differ.push_back(site.fn.name);
  }
  std::printf("[ compare ] %zu functions, %zu refused by DWARF, %zu from the image, %zu differ\n",
              compared, refused, image_refused.size(), differ.size());
  EXPECT_GT(compared, 30000u);
  EXPECT_GT(refused, 200u);
  EXPECT_TRUE(differ.empty()) << differ.size() << " differ, first " << (differ.empty() ? "" : differ[0]);
  for (const char* n : {"exc_page_fault", "notifier_call_chain", "native_sched_clock"}) {
    EXPECT_TRUE(image_refused.count(n)) << n;
  }
  for (const char* n : {"vfs_read", "do_sys_openat2", "schedule"}) {
    EXPECT_FALSE(image_refused.count(n)) << n;
  }
}

// `stap -r 6.1... ARGS`, the whole front end, with this kernel's DWARF.
StapRun stap_with_dwarf(std::vector<std::string> args) {
  args.insert(args.begin(), {"-r", kRelease});
  setenv("SYSTEMTAP_DEBUGINFO_PATH", debug_root().c_str(), 1);
  StapRun r = run_stap_args(args);
  unsetenv("SYSTEMTAP_DEBUGINFO_PATH");
  return r;
}

// A statement line without code: upstream's error names the lines around it, and
// .nearest takes the closer one (the later on a tie), through the whole front end.
TEST(DwarfKernel6_1, StatementNearest) {
  NEED_KERNEL();
  (void)k;
  auto r = stap_with_dwarf({"-p2", "-e",
                            "probe kernel.statement(\"vfs_read@fs/read_write.c:460\") { println(1) }"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("no line records for fs/read_write.c:460 [man error::dwarf] (try :459 or :461)"),
            std::string::npos)
      << r.err;
  r = stap_with_dwarf({"-p2", "-e",
                       "probe kernel.statement(\"vfs_read@fs/read_write.c:452\").nearest { println(1) }"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("kernel.statement(\"vfs_read@fs/read_write.c:451\") /* <- "), std::string::npos)
      << r.out;
}

// What `stap -r 6.1... OPTION POINT` prints (-l or -L).
std::string listing(const char* option, const std::string& point) {
  auto r = stap_with_dwarf({option, point});
  EXPECT_EQ(r.rc, 0) << r.err;
  return r.out;
}

// -L of a statement lists only the variables DWARF locates at its address, as stap 4.8
// does: vfs_read's $ret is not live yet at line 451, and $count is gone by line 479
// (the lines are 4.8's -L output on this kernel).
TEST(DwarfKernel6_1, StatementListingLocatedOnly) {
  NEED_KERNEL();
  (void)k;
  EXPECT_EQ(listing("-L", "kernel.statement(\"vfs_read@fs/read_write.c:451\")"),
            "kernel.statement(\"vfs_read@fs/read_write.c:451\") $file:struct file* $buf:char* "
            "$count:size_t $pos:loff_t*\n");
  EXPECT_EQ(listing("-L", "kernel.statement(\"vfs_read@fs/read_write.c:479\")"),
            "kernel.statement(\"vfs_read@fs/read_write.c:479\") $file:struct file* $buf:char* "
            "$pos:loff_t*\n");
}

// -l and -L of kernel.function as stap 4.8 prints them on this kernel: the cold parts
// by symbol name, @FILE matching from any directory on, a function's own locals.
TEST(DwarfKernel6_1, FunctionListingLikeUpstream) {
  NEED_KERNEL();
  (void)k;
  EXPECT_EQ(listing("-l", "kernel.function(\"dev_alloc_name*\")"),
            "kernel.function(\"dev_alloc_name.cold\")\n"
            "kernel.function(\"dev_alloc_name@net/core/dev.c:1196\")\n"
            "kernel.function(\"dev_alloc_name_ns@net/core/dev.c:1168\")\n");
  EXPECT_EQ(listing("-L", "kernel.function(\"KSTK_ESP@kernel/*.c\")"),
            "kernel.function(\"KSTK_ESP@arch/x86/kernel/process_64.c:860\") "
            "$task:struct task_struct*\n");
  EXPECT_EQ(listing("-L", "kernel.function(\"__dev_alloc_name\")"),
            "kernel.function(\"__dev_alloc_name@net/core/dev.c:1082\") $net:struct net* "
            "$name:char const* $buf:char* $i:int $max_netdevices:int const\n");
  // An assembler alias is named as its first function; no line at all reads as 4.8's.
  EXPECT_EQ(listing("-l", "kernel.function(\"memmove\")"),
            "kernel.function(\"__memmove@/build/reproducible-path/linux-6.1.192/arch/x86/lib/"
            "memmove_64.S:29\")\n");
  EXPECT_EQ(listing("-l", "kernel.function(\"copy_user_generic_unrolled\")"),
            "kernel.function(\"copy_user_generic_unrolled@<unknown source>\")\n");
}

TEST(DwarfKernel6_1, AssemblerFunctionFileFromLineTable) {
  NEED_KERNEL();
  auto sites = k->functions("verify_cpu", "kernel", false);
  ASSERT_EQ(sites.size(), 1u);
  // stap 4.8: kernel.function("verify_cpu@/build/reproducible-path/linux-6.1.192/arch/x86/kernel/verify_cpu.S:35")
  EXPECT_EQ(sites[0].fn.decl_file,
            "/build/reproducible-path/linux-6.1.192/arch/x86/kernel/verify_cpu.S");
  EXPECT_EQ(sites[0].fn.decl_line, 35);
}

// stap 4.8 -l 'kernel.function("vfs_*")' lists 87 points on this kernel: DWARF
// functions by name@file:line (not the __init vfs_caches_init*), and no symbol-table
// extras (vfs_kern_mount.part.0 is DWARF's vfs_kern_mount).
TEST(DwarfKernel6_1, ListingLikeUpstream) {
  NEED_KERNEL();
  std::set<std::string> pps;
  for (const auto& s : k->functions("vfs_*", "kernel", true, false))
    pps.insert(s.fn.name + "@" + s.fn.decl_file + ":" + std::to_string(s.fn.decl_line));
  for (const auto& s : k->symbols("vfs_*", "kernel", true)) pps.insert(s.name);
  EXPECT_EQ(pps.size(), 87u);
  EXPECT_TRUE(pps.count("vfs_kern_mount@fs/namespace.c:1057"));
  EXPECT_FALSE(pps.count("vfs_kern_mount.part.0"));
  EXPECT_FALSE(pps.count("vfs_caches_init@fs/dcache.c:3352"));
  // With a glob DWARF names do not match, the symbol is what is listed.
  auto parts = k->symbols("ZSTD_DCtx_refDDict.part.0", "kernel", true);
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].at.symbol, "ZSTD_DCtx_refDDict.part.0");
  // Paths stay as DWARF spells them, as upstream prints them.
  auto cp = k->functions("ZSTD_copy8", "kernel", true, false);
  ASSERT_FALSE(cp.empty());
  EXPECT_EQ(cp[0].fn.decl_file, "lib/zstd/decompress/../common/zstd_internal.h");
}

TEST(DwarfKernel6_1, DoFsyncIsInlinedOnly) {
  NEED_KERNEL();
  auto sites = k->functions("do_fsync", "kernel", true);
  // stap 4.8 places kernel.function("do_fsync") at these four inline instances.
  std::set<uint64_t> want = {0xffffffff813915c5ULL, 0xffffffff81391625ULL, 0xffffffff81391685ULL,
                             0xffffffff81391715ULL};
  std::set<uint64_t> got;
  for (const auto& s : sites) {
    EXPECT_EQ(s.fn.decl_file, "fs/sync.c");
    EXPECT_EQ(s.fn.decl_line, 206);
    EXPECT_TRUE(s.inlined);
    EXPECT_TRUE(s.inlined_only);
    EXPECT_FALSE(s.caller.empty());
    EXPECT_EQ(s.at.symbol, s.caller.substr(0, s.at.symbol.size()));
    got.insert(s.at.addr);
    const di::Variable* fd = find_var(s.fn.params, "fd");
    ASSERT_NE(fd, nullptr);
    ASSERT_NE(fd->type, nullptr);
    EXPECT_EQ(fd->type->name, "unsigned int");
  }
  EXPECT_EQ(got, want);
}

TEST(DwarfKernel6_1, InlineInstancesOfFdget) {
  NEED_KERNEL();
  auto sites = k->functions("fdget", "kernel", true);
  size_t n = 0;
  bool saw = false;
  for (const auto& s : sites) {
    EXPECT_EQ(s.fn.decl_file, "include/linux/file.h");
    EXPECT_EQ(s.fn.decl_line, 63);
    if (s.inlined) ++n;
    if (s.at.addr == 0xffffffff8134e28aULL) saw = true;
  }
  EXPECT_TRUE(saw);
  EXPECT_GE(n, 100u);  // stap 4.8 finds 134
}

TEST(DwarfKernel6_1, StatementAddresses) {
  NEED_KERNEL();
  auto st = k->statements("vfs_read", "fs/read_write.c", 454, "kernel");
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(st[0].at.addr, 0xffffffff8134cc63ULL);
  EXPECT_EQ(st[0].at.symbol, "vfs_read");
  EXPECT_EQ(st[0].at.offset, 0x13u);
  EXPECT_EQ(st[0].file, "fs/read_write.c");

  // Every line of vfs_read as stap 4.8 lists them for vfs_read@fs/read_write.c:*.
  auto every = k->statements("vfs_read", "fs/read_write.c", 0, "kernel");
  std::map<int, uint64_t> lines;
  for (const auto& s : every) lines[s.line] = s.at.addr;
  EXPECT_EQ(lines[451], 0xffffffff8134cc50ULL);
  EXPECT_EQ(lines[456], 0xffffffff8134cc81ULL);
  EXPECT_EQ(lines[479], 0xffffffff8134cd17ULL);
  std::map<int, uint64_t> want = {
      {451, 0xffffffff8134cc50ULL}, {454, 0xffffffff8134cc63ULL}, {455, 0xffffffff8134cf3fULL},
      {456, 0xffffffff8134cc81ULL}, {457, 0xffffffff8134cf4bULL}, {458, 0xffffffff8134cc8fULL},
      {459, 0xffffffff8134cd10ULL}, {461, 0xffffffff8134ccacULL}, {462, 0xffffffff8134ccc2ULL},
      {464, 0xffffffff8134ccc7ULL}, {467, 0xffffffff8134ccccULL}, {468, 0xffffffff8134cce7ULL},
      {469, 0xffffffff8134cda6ULL}, {470, 0xffffffff8134cdb5ULL}, {472, 0xffffffff8134ceabULL},
      {473, 0xffffffff8134ccf8ULL}, {474, 0xffffffff8134cd41ULL}, {475, 0xffffffff8134cd4aULL},
      {477, 0xffffffff8134ccfdULL}, {478, 0xffffffff8134cd0eULL}, {479, 0xffffffff8134cd17ULL}};
  EXPECT_EQ(lines, want);

  // stap 4.8 -l 'kernel.statement("*@fs/read_write.c:470-475")': line 470 is both
  // vfs_read's and that of new_sync_read inlined there.
  std::set<std::string> pps;
  for (const auto& s : k->statements("*", "fs/read_write.c", 470, 475, "kernel"))
    pps.insert(s.function + ":" + std::to_string(s.line));
  EXPECT_EQ(pps, (std::set<std::string>{"new_sync_read:470", "vfs_read:470", "vfs_read:472",
                                        "vfs_read:473", "vfs_read:474", "vfs_read:475"}));

  auto any = k->statements("*", "read_write.c", 454, "kernel");
  bool found = false;
  for (const auto& s : any)
    if (s.function == "vfs_read" && s.at.addr == 0xffffffff8134cc63ULL) found = true;
  EXPECT_TRUE(found);
}

TEST(DwarfKernel6_1, StructFileLayout) {
  NEED_KERNEL();
  const di::Type* f = k->find_type("struct file", "kernel");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->kind, di::TypeKind::Struct);
  EXPECT_EQ(f->size, 232u);
  di::Member m;
  ASSERT_TRUE(di::find_member(f, "f_pos", &m));
  EXPECT_EQ(m.bit_offset, 104u * 8);
  ASSERT_TRUE(di::find_member(f, "f_inode", &m));
  EXPECT_EQ(m.bit_offset, 32u * 8);
  ASSERT_TRUE(di::find_member(f, "f_flags", &m));
  EXPECT_EQ(m.bit_offset, 64u * 8);
  ASSERT_TRUE(di::find_member(f, "f_iocb_flags", &m));  // in an anonymous union
  EXPECT_EQ(m.bit_offset, 0u);
  ASSERT_TRUE(di::find_member(f, "f_op", &m));
  EXPECT_EQ(m.bit_offset, 40u * 8);
  ASSERT_EQ(m.type->kind, di::TypeKind::Pointer);
  EXPECT_EQ(m.type->ref->kind, di::TypeKind::Const);

  const di::Type* p = k->find_type("struct file *", "kernel");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->kind, di::TypeKind::Pointer);
  EXPECT_EQ(p->ref, f);

  const di::Type* t = k->find_type("struct tcp_options_received", "kernel");
  ASSERT_NE(t, nullptr);
  ASSERT_TRUE(di::find_member(t, "snd_wscale", &m));
  EXPECT_EQ(m.bit_offset, 16u * 8 + 8);
  EXPECT_EQ(m.bit_size, 4u);
  ASSERT_TRUE(di::find_member(t, "saw_unknown", &m));
  EXPECT_EQ(m.bit_offset, 18u * 8);
  EXPECT_EQ(m.bit_size, 1u);

  const di::Type* pid = k->find_type("pid_t", "kernel");
  ASSERT_NE(pid, nullptr);
  EXPECT_EQ(pid->kind, di::TypeKind::Typedef);
  EXPECT_TRUE(di::resolve(pid)->is_signed);
  const di::Type* ul = k->find_type("unsigned long", "kernel");
  ASSERT_NE(ul, nullptr);
  EXPECT_EQ(ul->name, "long unsigned int");
  EXPECT_EQ(ul->size, 8u);
  EXPECT_FALSE(ul->is_signed);
  const di::Type* cp = k->find_type("char *", "kernel");
  ASSERT_NE(cp, nullptr);
  ASSERT_EQ(cp->kind, di::TypeKind::Pointer);
  EXPECT_TRUE(cp->ref->is_char);
  EXPECT_EQ(k->find_type("struct no_such_struct_here", "kernel"), nullptr);
  EXPECT_NE(k->missing_hint().find("no_such_struct_here"), std::string::npos);
}

TEST(DwarfKernel6_1, GlobalVariables) {
  NEED_KERNEL();
  auto g = k->global_variable("nr_threads", "kernel/fork.c", "kernel");
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->at.addr, 0xffffffff832ee7d8ULL);
  EXPECT_EQ(g->at.symbol, "nr_threads");
  EXPECT_EQ(g->at.offset, 0u);
  ASSERT_NE(g->type, nullptr);
  EXPECT_EQ(g->type->name, "int");
  EXPECT_FALSE(k->global_variable("nr_threads", "fs/no_such.c", "kernel").has_value());
  auto it = k->global_variable("init_task", "", "kernel");
  ASSERT_TRUE(it.has_value());
  EXPECT_EQ(it->at.addr, 0xffffffff82a1aa40ULL);
  EXPECT_EQ(di::resolve(it->type)->name, "task_struct");
}

TEST(DwarfKernel6_1, ModuleVariables) {
  NEED_KERNEL();
  std::string err;
  if (!k->load_module("brd", &err)) GTEST_SKIP() << err;
  // stap 4.8 relocates these as brd's .data+0x40 and +0x38; we name the data symbol,
  // which the runtime finds in the loaded module's own table.
  auto nr = k->global_variable("rd_nr", "drivers/block/brd.c", "brd");
  ASSERT_TRUE(nr.has_value());
  EXPECT_EQ(nr->at.symbol, "rd_nr");
  EXPECT_EQ(nr->at.offset, 0u);
  ASSERT_NE(nr->type, nullptr);
  EXPECT_EQ(nr->type->name, "int");
  auto size = k->global_variable("rd_size", "", "brd");
  ASSERT_TRUE(size.has_value());
  EXPECT_EQ(size->at.symbol, "rd_size");
  EXPECT_FALSE(k->global_variable("rd_nr", "drivers/block/loop.c", "brd").has_value());
  EXPECT_FALSE(k->global_variable("no_such_var", "", "brd").has_value());
  // The module list's head, where the runtime starts looking.
  EXPECT_EQ(k->symbol_address("modules", "kernel"), 0xffffffff82b27160ULL);
  EXPECT_EQ(k->symbol_address("snprintf", "kernel"), 0xffffffff819be8c0ULL);
  EXPECT_EQ(k->symbol_address("no_such_symbol_xyz", "kernel"), 0u);
}

TEST(DwarfKernel6_1, ModuleVariableOfAmbiguousName) {
  NEED_KERNEL();
  std::string err;
  if (!k->load_module("lockd", &err)) GTEST_SKIP() << "load: " << err;
  // Two files of lockd each have a static nlm_blocked (in .data) and nlm_blocked_lock
  // (in .bss): each is named from the nearest uniquely named symbol of its section.
  for (const char* name : {"nlm_blocked", "nlm_blocked_lock"}) {
    auto v = k->global_variable(name, "", "lockd");
    ASSERT_TRUE(v.has_value()) << name;
    EXPECT_FALSE(v->at.symbol.empty()) << name;
    EXPECT_NE(v->at.symbol, name);
    EXPECT_EQ(k->symbol_address(v->at.symbol, "lockd") + v->at.offset, v->at.addr) << name;
  }
}

TEST(ModuleSymbolLocation, NamesModuleSymbolAndOffset) {
  EXPECT_EQ(di::module_symbol_location("brd", "rd_nr", 0), "STP_MODSYM(\"brd\", \"rd_nr\", 0x0UL)");
  // Module names are kept with '_' by the kernel.
  EXPECT_EQ(di::module_symbol_location("snd-hda-core", "x", 0x18),
            "STP_MODSYM(\"snd_hda_core\", \"x\", 0x18UL)");
}

TEST(DwarfKernel6_1, IndexCacheGivesSameAnswers) {
  if (debug_root().empty()) GTEST_SKIP() << "no extracted 6.1 -dbg package";
  std::string dir = testing::TempDir() + "dwarf-cache-test";
  std::filesystem::remove_all(dir);
  di::TypeTable t1, t2;
  std::string err;
  auto a = di::DwarfKernel::open(kRelease, t1, dir, &err, {debug_root()});
  ASSERT_NE(a, nullptr) << err;
  EXPECT_FALSE(a->timing().index_from_cache);
  auto b = di::DwarfKernel::open(kRelease, t2, dir, &err, {debug_root()});
  ASSERT_NE(b, nullptr) << err;
  EXPECT_TRUE(b->timing().index_from_cache);
  std::printf("[ timing ] open cold index %.0f ms, from cache %.0f ms (+elf %.0f ms)\n",
              a->timing().index_ms, b->timing().index_ms, b->timing().open_ms);
  auto fa = a->functions("vfs_*", "kernel", false);
  auto fb = b->functions("vfs_*", "kernel", false);
  ASSERT_EQ(fa.size(), fb.size());
  for (size_t i = 0; i < fa.size(); ++i) {
    EXPECT_EQ(fa[i].fn.name, fb[i].fn.name);
    EXPECT_EQ(fa[i].fn.decl_file, fb[i].fn.decl_file);
    EXPECT_EQ(fa[i].at.addr, fb[i].at.addr);
  }
  std::filesystem::remove_all(dir);
}

TEST(DwarfKernel6_1, ModuleFunction) {
  NEED_KERNEL();
  std::string err;
  if (!k->load_module("isofs", &err)) GTEST_SKIP() << err;
  auto sites = k->functions("isofs_lookup", "isofs", true);
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_EQ(sites[0].fn.module, "isofs");
  EXPECT_EQ(sites[0].fn.decl_file, "fs/isofs/namei.c");
  EXPECT_EQ(sites[0].fn.decl_line, 153);
  EXPECT_EQ(sites[0].at.symbol, "isofs_lookup");  // stap 4.8: .text+0x0
  EXPECT_EQ(sites[0].at.offset, 0u);
  // The three parameters, then the function's own locals.
  ASSERT_GE(sites[0].fn.params.size(), 3u);
  EXPECT_TRUE(sites[0].fn.params[2].is_param);
  EXPECT_FALSE(sites[0].fn.params[3].is_param);
  EXPECT_EQ(sites[0].fn.params[0].name, "dir");
  EXPECT_EQ(sites[0].fn.params[0].loc.c, "STP_REG(5)");
  EXPECT_EQ(sites[0].fn.params[2].name, "flags");
  EXPECT_EQ(sites[0].fn.params[2].loc.c, "STP_REG(1)");
  // The symbol table also has the split-off cold part, which stap -l lists.
  auto syms = k->symbols("isofs_lookup*", "isofs");
  std::set<std::string> names;
  for (const auto& s : syms) names.insert(s.name);
  EXPECT_TRUE(names.count("isofs_lookup"));
  EXPECT_TRUE(names.count("isofs_lookup.cold"));
  EXPECT_EQ(k->build_id("isofs").size(), 40u);
  EXPECT_EQ(k->build_id("kernel"), k->build_id());

  std::string why;
  EXPECT_FALSE(k->load_module("no_such_module_xyz", &why));
  EXPECT_NE(why.find("no_such_module_xyz"), std::string::npos) << why;
  EXPECT_TRUE(k->functions("x*", "no_such_module_xyz", true).empty());
}

TEST(DwarfKernel6_1, FrameBaseLocals) {
  NEED_KERNEL();
  // stap 4.8 reads do_sys_openat2's $op at the frame base (CFA) - 60.
  auto sites = k->functions("do_sys_openat2", "kernel", false);
  ASSERT_EQ(sites.size(), 1u);
  auto vars = k->variables_at(sites[0].object, sites[0].die, sites[0].at.addr, true);
  const di::Variable* op = find_var(vars, "op");
  ASSERT_NE(op, nullptr);
  EXPECT_FALSE(op->is_param);
  EXPECT_EQ(op->loc.kind, di::Location::Memory);
  // The CFA at the entry, from .debug_frame: the stack pointer before the call's push.
  EXPECT_EQ(op->loc.c, "((STP_REG(7) + 0x8L) + -0x3cL)");
  ASSERT_NE(di::resolve(op->type), nullptr);
  EXPECT_EQ(di::resolve(op->type)->name, "open_flags");
  const di::Variable* fd = find_var(vars, "fd");
  ASSERT_NE(fd, nullptr);
  EXPECT_EQ(fd->loc.kind, di::Location::Unavailable);  // stap 4.8 -L leaves it out too
  EXPECT_NE(fd->loc.c.find("not available at this address"), std::string::npos) << fd->loc.c;
  // Declaration order within the scope, parameters and locals mixed, as stap 4.8 -L:
  // ksys_msgctl's (constprop) $version comes after the local $msqid64.
  auto ms = k->functions("ksys_msgctl", "kernel", false);
  ASSERT_EQ(ms.size(), 1u);
  std::string order;
  for (const auto& v : k->variables_at(ms[0].object, ms[0].die, ms[0].at.addr, true))
    if (v.loc.kind != di::Location::Unavailable) order += " $" + v.name;
  EXPECT_EQ(order, " $msqid $cmd $buf $msqid64 $version");
}

TEST(DwarfKernel6_12, FunctionsAndParams) {
  NEED_KERNEL_REL(kRelease612);
  auto sites = k->functions("vfs_read", "kernel", true);
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_EQ(sites[0].fn.decl_file, "fs/read_write.c");
  EXPECT_EQ(sites[0].fn.decl_line, 549);
  EXPECT_EQ(sites[0].at.addr, 0xffffffff81445480ULL);  // stap 4.8: _stext+0x445480
  EXPECT_EQ(sites[0].at.symbol, "vfs_read");
  ASSERT_EQ(sites[0].fn.params.size(), 5u);  // and the local ret
  EXPECT_EQ(sites[0].fn.params[2].name, "count");
  EXPECT_EQ(sites[0].fn.params[2].loc.c, "STP_REG(1)");
  // In 6.12 do_fsync is out of line (stap 4.8: do_fsync@fs/sync.c:205 $fd $datasync).
  auto fs = k->functions("do_fsync", "kernel", true);
  ASSERT_FALSE(fs.empty());
  EXPECT_FALSE(fs[0].inlined);
  EXPECT_EQ(fs[0].fn.decl_line, 205);
  ASSERT_EQ(fs[0].fn.params.size(), 3u);  // and the local f, not located at the entry
  EXPECT_TRUE(fs[0].fn.params[2].no_location);
  EXPECT_EQ(fs[0].fn.params[0].name, "fd");
  EXPECT_EQ(fs[0].fn.params[0].loc.c, "STP_REG(5)");
  const di::Type* f = k->find_type("struct file", "kernel");
  ASSERT_NE(f, nullptr);
  di::Member m;
  ASSERT_TRUE(di::find_member(f, "f_pos", &m));
  EXPECT_EQ(m.bit_offset, 112u * 8);  // pahole
  EXPECT_EQ(f->size, 184u);
}

// kernel.function("F").label("L"): stap 4.8 on 6.1 lists filemap_read's put_folios as
// filemap_read@mm/filemap.c:2830 and probes it at _stext+0x275823 (-p3), with these
// variables (-L leaves out those DWARF gives no location at the label).
TEST(DwarfKernel6_1, Labels) {
  NEED_KERNEL();
  auto ls = k->labels("filemap_read", "*", "kernel");
  ASSERT_EQ(ls.size(), 1u);
  EXPECT_EQ(ls[0].function, "filemap_read");
  EXPECT_EQ(ls[0].label, "put_folios");
  EXPECT_EQ(ls[0].file, "mm/filemap.c");
  EXPECT_EQ(ls[0].line, 2830);
  EXPECT_FALSE(ls[0].inlined);
  EXPECT_EQ(ls[0].at.addr, 0xffffffff81275823ULL);
  EXPECT_EQ(ls[0].at.symbol, "filemap_read");
  EXPECT_EQ(ls[0].at.offset, 0x323u);
  std::string listed;
  for (const auto& v : k->variables_at(ls[0].object, ls[0].die, ls[0].at.addr, true))
    if (!v.no_location) listed += " $" + v.name;
  EXPECT_EQ(listed,
            " $iocb $iter $already_read $filp $ra $mapping $inode $fbatch $i $error $isize");

  // Globs on both names; lines as 4.8's -l shows them.
  std::map<std::string, int> lines;
  for (const auto& l : k->labels("do_execve*_common", "out_*", "kernel"))
    lines[l.function + ":" + l.label] = l.line;
  EXPECT_EQ(lines, (std::map<std::string, int>{{"do_execveat_common:out_free", 1993},
                                               {"do_execveat_common:out_ret", 1996}}));
  EXPECT_TRUE(k->labels("do_execveat_common", "no_such_label", "kernel").empty());
  EXPECT_TRUE(k->labels("vfs_read", "*", "kernel").empty());  // a function without labels

  // A label of an always-inlined function is the inline function's own (4.8 lists
  // LZ4_decompress_generic@lib/lz4/lz4_decompress.c:296 .label("_copy_match")).
  auto lz = k->labels("LZ4_decompress_generic", "_copy_match", "kernel");
  ASSERT_FALSE(lz.empty());
  EXPECT_TRUE(lz[0].inlined);
  EXPECT_EQ(lz[0].line, 296);
  EXPECT_EQ(lz[0].file, "lib/lz4/lz4_decompress.c");
}

// kernel.function("F").callees(N): stap 4.8 -L on 6.1 lists exactly these for
// ksys_read with depth 2 (fdget_pos's $fd, file_ppos's $file, __to_fd's $v), and for
// vfs_read with depth 1 __access_ok, add_rchar and inc_syscr (plus get_current,
// which 4.8's own blocklist leaves out): the inline instances in one piece, not those
// split into ranges (fsnotify_access, new_sync_read).
TEST(DwarfKernel6_1, Callees) {
  NEED_KERNEL();
  std::vector<std::string> got;
  for (const auto& c : k->callees("ksys_read", "*", 2, "kernel"))
    got.push_back(c.caller.fn.name + "@" + c.caller.fn.decl_file + ":" +
                  std::to_string(c.caller.fn.decl_line) + " -> " + c.callee.fn.name + "@" +
                  c.callee.fn.decl_file + ":" + std::to_string(c.callee.fn.decl_line));
  EXPECT_EQ(got, (std::vector<std::string>{
                     "fdget_pos@include/linux/file.h:73 -> __to_fd@include/linux/file.h:58",
                     "ksys_read@fs/read_write.c:602 -> fdget_pos@include/linux/file.h:73",
                     "ksys_read@fs/read_write.c:602 -> file_ppos@fs/read_write.c:597"}));
  std::set<std::string> names;
  for (const auto& c : k->callees("vfs_read", "*", 1, "kernel")) {
    EXPECT_TRUE(c.callee.inlined);
    EXPECT_EQ(c.caller.fn.name, "vfs_read");
    names.insert(c.callee.fn.name);
  }
  EXPECT_EQ(names, (std::set<std::string>{"__access_ok", "add_rchar", "get_current",
                                          "inc_syscr"}));
  // A callee pattern, and depth 1 does not reach the callees' callees.
  auto one = k->callees("ksys_read", "fdget_pos", 1, "kernel");
  ASSERT_EQ(one.size(), 1u);
  ASSERT_EQ(one[0].callee.fn.params.size(), 1u);
  EXPECT_EQ(one[0].callee.fn.params[0].name, "fd");
  EXPECT_TRUE(k->callees("ksys_read", "__to_fd", 1, "kernel").empty());
}

TEST(DwarfKernel6_12, Labels) {
  NEED_KERNEL_REL(kRelease612);
  // stap 4.8 -L on 6.12: filemap_read@mm/filemap.c:2711 .label("put_folios"),
  // do_execveat_common@fs/exec.c:2008 .label("out_free") and :2011 .label("out_ret").
  auto ls = k->labels("filemap_read", "put_folios", "kernel");
  ASSERT_EQ(ls.size(), 1u);
  EXPECT_EQ(ls[0].line, 2711);
  std::map<std::string, int> lines;
  for (const auto& l : k->labels("do_execveat_common", "*", "kernel"))
    lines[l.label] = l.line;
  EXPECT_EQ(lines, (std::map<std::string, int>{{"out_free", 2008}, {"out_ret", 2011}}));
}
