// `approov-token keygen`: an installation key pair like the one Approov's SDK makes on a device
// (ECDSA P-256). The private half signs requests with `sign --key`; the public half, as the
// `ipk` claim (base64 of the DER SubjectPublicKeyInfo), goes into tokens with `gen --ipk`.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>

#include "approov/base64.hpp"
#include "commands.hpp"
#include "pkey/signing_key.hpp"
#include "signing_commands.hpp"

namespace approov_cli {

namespace {

// Writes `text` to a new file readable by its owner only; refuses to replace an existing file
// (a private key is not something to overwrite by accident). Empty string, or the problem.
std::string write_private_file(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return errno == EEXIST ? "--out " + path + ": the file exists (not overwritten)"
                           : "--out " + path + ": " + std::strerror(errno);
  }
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string problem = std::strerror(errno);
      ::close(fd);
      ::unlink(path.c_str());
      return "--out " + path + ": " + problem;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) return "--out " + path + ": " + std::strerror(errno);
  return {};
}

}  // namespace

std::string ipk_of(const approov::detail::SigningKey& key) {
  const std::vector<std::uint8_t> der = key.public_spki_der();
  return approov::base64::encode(der.data(), der.size(), approov::base64::Alphabet::standard, true);
}

Subcommand add_keygen_command(CLI::App& app) {
  auto out = std::make_shared<std::string>();
  CLI::App* k = app.add_subcommand(
      "keygen", "make an installation key pair (ECDSA P-256) for message-signing tests");
  k->add_option("--out", *out, "write the private key (PKCS#8 PEM) to FILE, mode 0600")
      ->type_name("FILE");
  k->footer(
      "\nWith --out, prints the ipk value alone on stdout: base64 of the public key's DER\n"
      "SubjectPublicKeyInfo, what `gen --ipk` puts in a token (or use `gen --ipk-key FILE`).\n"
      "Without --out, prints the private key PEM on stdout and `ipk: VALUE` on stderr.\n"
      "Exit status: 0 done, 2 usage error or the file cannot be written (an existing file is\n"
      "never overwritten).");
  return {k, [out]() {
            const approov::detail::SigningKey key =
                approov::detail::SigningKey::generate_ec(approov::detail::Curve::p256);
            const std::string ipk = ipk_of(key);
            if (out->empty()) {
              std::cout << key.private_pem();
              std::cerr << "ipk: " << ipk << '\n';
              return kExitOk;
            }
            if (const std::string problem = write_private_file(*out, key.private_pem());
                !problem.empty()) {
              std::cerr << "approov-token keygen: " << problem << '\n';
              return kExitUsage;
            }
            std::cout << ipk << '\n';
            return kExitOk;
          }};
}

}  // namespace approov_cli
