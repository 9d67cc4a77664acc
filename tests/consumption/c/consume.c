/* A downstream C program built with `pkg-config --static --cflags --libs approov`. */
#include <approov.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int main(int argc, char** argv) {
  char error[256];
  approov_verifier* verifier;
  approov_claims* claims;
  const char* exp = NULL;
  size_t exp_len = 0;
  int reason;
  if (argc != 2) {
    fprintf(stderr, "usage: consume_c TOKEN\n");
    return 2;
  }
  verifier = approov_verifier_new_from_env(0, error, sizeof error);
  if (verifier == NULL) {
    fprintf(stderr, "%s\n", error);
    return 2;
  }
  claims = approov_claims_new();
  reason = approov_verify(verifier, argv[1], strlen(argv[1]), (int64_t)time(NULL), claims);
  if (reason != APPROOV_OK) {
    printf("invalid %s\n", approov_reason_string(reason));
  } else if (approov_claims_json(claims, "exp", 3, &exp, &exp_len) == APPROOV_CLAIM_FOUND) {
    printf("valid exp=%.*s\n", (int)exp_len, exp);
  }
  approov_claims_free(claims);
  approov_verifier_free(verifier);
  return reason == APPROOV_OK ? 0 : 1;
}
