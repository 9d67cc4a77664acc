// hello-server-unprotected: the quickstarts' starting point, a Hello World API without
// Approov. `diff` it with hello-server-token-check.cpp to see what protecting it takes.
#include "serve.hpp"

int main(int argc, char** argv) {
  const char* program = "hello-server-unprotected";
  hello::block_stop_signals();
  const hello::Settings settings = hello::load_settings(argc, argv, program);

  return hello::serve(settings, program, approov::Protection::none, hello::hello_world);
}
