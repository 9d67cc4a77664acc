/* Must NOT compile with -Werror=unused-result: approov.h marks approov_verify (and the other
 * functions whose result is the verdict) so that ignoring a verification is a build error
 * waiting to be switched on. tests/capi/CMakeLists.txt runs this as a WILL_FAIL test. */
#include <approov.h>

void ignores_the_verdict(const approov_verifier* verifier, approov_claims* claims) {
  approov_verify(verifier, "t", 1, 0, claims);
}
