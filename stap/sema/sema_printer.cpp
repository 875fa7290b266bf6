#include "stap/sema/sema_printer.h"

#include <ostream>

#include "stap/parse/ast_printer.h"

namespace stap {

namespace {

std::string decl_str(const VarDecl& v, bool verbose = false) {
  std::string s = v.name;
  if (v.wrap) s += "%";
  if (v.maxsize > 0) s += "[" + std::to_string(v.maxsize) + "]";
  s += ":";
  s += type_name(v.type);
  if (v.arity > 0) {
    s += " [";
    for (size_t i = 0; i < v.index_types.size(); ++i) {
      if (i) s += ", ";
      s += type_name(v.index_types[i]);
    }
    s += "]";
  }
  if (verbose && v.init) s += " = " + literal_str(*v.init);
  return s;
}

}  // namespace

void print_program(std::ostream& out, const Program& p, bool verbose) {
  PrintOptions po;
  po.mangle_globals = verbose;
  if (!p.globals.empty()) {
    out << "# globals\n";
    for (VarDecl* g : p.globals) out << decl_str(*g, verbose) << "\n";
  }
  if (!p.functions.empty()) {
    out << "# functions\n";
    for (FunctionDecl* f : p.functions) {
      out << f->name << ":" << type_name(f->type) << " (";
      for (size_t i = 0; i < f->formals.size(); ++i) {
        if (i) out << ", ";
        out << f->formals[i]->name << ":" << type_name(f->formals[i]->type);
      }
      out << ")\n";
      if (verbose) {
        bool locals = false;
        for (VarDecl* l : f->locals) {
          bool formal = false;
          for (VarDecl* fm : f->formals) formal = formal || fm == l;
          if (formal) continue;
          if (!locals) out << "  # locals\n";
          locals = true;
          out << "  " << decl_str(*l) << "\n";
        }
        out << "{ " << stmt_str(f->body, po) << " }\n";
      }
    }
  }
  if (!p.probes.empty()) {
    out << "# probes\n";
    for (DerivedProbe* d : p.probes) {
      out << d->name;
      if (d->condition) {
        PrintOptions cpo = po;
        cpo.mangle_all_symbols = true;
        out << " if (" << expr_str(d->condition, cpo) << ")";
      }
      out << " /* <- " << d->chain << " */\n";
      if (!d->locals.empty()) {
        out << "  # locals\n";
        for (VarDecl* l : d->locals) out << "  " << decl_str(*l) << "\n";
      }
      if (verbose) out << "{ " << stmt_str(d->body, po) << " }\n";
    }
  }
}

std::string program_summary(const Program& p) {
  auto plural = [](size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
  };
  return plural(p.probes.size(), "probe", "probes") + ", " +
         plural(p.functions.size(), "function", "functions") + ", " +
         plural(p.embeds.size(), "embed", "embeds") + ", " +
         plural(p.globals.size(), "global", "globals");
}

}  // namespace stap
