// trailctl verify: checks the trail's hash chain and its digest of signed checkpoints, and
// says either OK with what was covered or the first thing that does not verify.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>

#include "common/secret_file.hpp"
#include "ctl/commands.hpp"
#include "ctl/input.hpp"
#include "integrity/digest.hpp"
#include "integrity/verifier.hpp"
#include "reporters/trail_scan.hpp"
#include "reporters/tenant_directory.hpp"

namespace traild::ctl {
namespace {

void verify_usage(std::ostream& out) {
  out << "usage: trailctl verify [DIR] [--key FILE] [--public-key FILE] [--from SEQ] [--prefix P]\n"
         "       trailctl verify --documents FILE [--digest FILE] [--key FILE] [--public-key FILE]\n\n"
         "Checks the trail under DIR (default /var/log/traild): every line's hash, the chain that\n"
         "links each line to the one before it across files, and the digest (PREFIX.digest) of\n"
         "checkpoints and retention deletions; then each tenant's trail in DIR's subdirectories\n"
         "(output.route_by), reported as \"tenant NAME: ...\" (not with --from).\n\n"
         "  --key FILE          integrity.key_file: the chain is an HMAC with this key\n"
         "  --public-key FILE   Ed25519 public key: every digest record must carry a valid signature\n"
         "  --from SEQ          start at this sequence, trusting what comes before\n"
         "  --prefix P          file prefix (output.prefix; default audit)\n"
         "  --allow-unsigned-tail  events after the last checkpoint are reported, not a failure\n"
         "  --documents FILE    verify events as they come back from Elasticsearch: one JSON document\n"
         "                      per line, keys and lines in any order (with --digest PREFIX.digest)\n\n"
         "Exit status: 0 everything verifies, 1 something does not or cannot be read, 2 bad usage.\n";
}

// `label`: "" for the trail named on the command line, "tenant NAME: " for a tenant's.
void print_report(const VerifyReport& r, const std::string& label = "") {
  for (const auto& note : r.notes) std::cout << label << "note: " << note << "\n";
  if (!r.ok()) {
    const VerifyFailure& f = *r.failure;
    std::cout << label << "FAILED: " << f.kind << ": " << f.file;
    if (f.line > 0) std::cout << " line " << f.line;
    if (f.sequence > 0) std::cout << " (sequence " << f.sequence << ")";
    std::cout << ": " << f.detail << "\n";
    return;
  }
  std::cout << label << "OK: " << r.events << " events";
  if (r.events > 0) std::cout << ", sequences " << r.first_sequence << "-" << r.last_sequence;
  std::cout << ", " << r.files << " file(s), " << r.checkpoints_matched << " checkpoint(s) matched of "
            << r.digest_records << " digest record(s), signatures "
            << (r.signatures_checked ? "verified" : "not checked (no --public-key)") << "\n";
}

// A tenant's trail: a digest or at least one trail file (other directories an operator keeps
// in the output directory are not trails).
bool holds_trail(const std::string& dir, const std::string& prefix) {
  std::error_code ec;
  return std::filesystem::exists(digest_path(dir, prefix), ec) || !list_trail_files(dir, prefix).empty();
}

}  // namespace

int cmd_verify(const std::vector<std::string>& args) {
  std::string dir = "/var/log/traild", prefix = "audit", key_file, public_key_file, documents, digest;
  std::optional<uint64_t> from;
  bool allow_unsigned_tail = false, have_dir = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    std::optional<std::string> v;
    if (a == "--help" || a == "-h") {
      verify_usage(std::cout);
      return 0;
    } else if (a == "--allow-unsigned-tail") {
      allow_unsigned_tail = true;
    } else if (a == "--key" || a == "--public-key" || a == "--from" || a == "--prefix" || a == "--documents" ||
               a == "--digest") {
      if (!(v = value())) {
        std::cerr << "trailctl verify: " << a << " needs a value\n";
        return 2;
      }
      if (a == "--key") key_file = *v;
      else if (a == "--public-key") public_key_file = *v;
      else if (a == "--prefix") prefix = *v;
      else if (a == "--documents") documents = *v;
      else if (a == "--digest") digest = *v;
      else {
        try {
          size_t used = 0;
          from = std::stoull(*v, &used);
          if (used != v->size()) throw std::invalid_argument(*v);
        } catch (const std::exception&) {
          std::cerr << "trailctl verify: --from: expected a sequence number, got \"" << *v << "\"\n";
          return 2;
        }
      }
    } else if (!a.empty() && a[0] == '-') {
      std::cerr << "trailctl verify: unknown option " << a << "\n";
      verify_usage(std::cerr);
      return 2;
    } else if (!have_dir) {
      dir = a;
      have_dir = true;
    } else {
      std::cerr << "trailctl verify: one directory only (got " << dir << " and " << a << ")\n";
      return 2;
    }
  }
  VerifyOptions options;
  options.from_sequence = from;
  options.allow_unsigned_tail = allow_unsigned_tail;
  if (!key_file.empty()) {
    std::string error;
    options.hmac_key = read_secret_key_file(key_file, error);
    if (!error.empty()) {
      std::cerr << "trailctl verify: --key: " << error << "\n";
      return 2;
    }
  }
  std::unique_ptr<SignatureVerifier> public_key;
  if (!public_key_file.empty()) {
    std::string text, error;
    if (!read_file(public_key_file, text)) {
      std::cerr << "trailctl verify: --public-key: cannot read " << public_key_file << ": " << std::strerror(errno) << "\n";
      return 2;
    }
    public_key = SignatureVerifier::from_pem(text, error);
    if (!public_key) {
      std::cerr << "trailctl verify: --public-key: " << public_key_file << ": " << error << "\n";
      return 2;
    }
    options.public_key = public_key.get();
  }
  if (!documents.empty()) {
    const VerifyReport report = verify_documents(documents, digest, options);
    print_report(report);
    return report.ok() ? 0 : 1;
  }
  if (const auto why = unlistable_directory(dir)) {
    std::cerr << "trailctl verify: " << *why << "\n";
    return 1;
  }
  const VerifyReport report = verify_directory(dir, prefix, options);
  print_report(report);
  bool ok = report.ok();
  // Each tenant's trail (output.route_by) is a chain of its own beside the host's; --from
  // names a sequence of one trail, so it verifies DIR's alone.
  if (!from) {
    std::vector<TenantDirectory> tenants = tenant_directories(dir);
    std::sort(tenants.begin(), tenants.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    for (const TenantDirectory& t : tenants) {
      if (!holds_trail(dir + "/" + t.name, prefix)) continue;
      const VerifyReport tenant = verify_directory(dir + "/" + t.name, prefix, options);
      print_report(tenant, "tenant " + t.name + ": ");
      ok = ok && tenant.ok();
    }
  }
  return ok ? 0 : 1;
}

}  // namespace traild::ctl
