/* ngx_http_approov_module: the Approov token check inside open-source nginx.
 *
 * A dynamic HTTP module over libapproov's C API (include/approov.h) and nothing else of the
 * library. Tokens are verified with the HS256 secret (approov_secret_file), a keyset of public
 * keys (approov_jwks_file), or both, with optional audience and issuer checks. It checks
 * requests in the access phase: the token header, optional token binding
 * and optional RFC 9421 message signatures; a failure answers the uniform failure response
 * (401 or 403, `Content-Type: application/json`, body `{}`) and writes one error-log line with
 * the reason and a token fingerprint (never the token). Directives, variables and the choice
 * against the sidecar are in docs/gateways/nginx.md.
 *
 * Life cycle: everything that reads files, decodes secrets or parses keys runs while nginx reads
 * its configuration (`nginx -t`, start, `nginx -s reload`), in the master process. The checks built
 * there (approov_check, approov_route) are immutable and shared read-only by the workers, which
 * inherit them through fork(); they are freed with the configuration cycle's pool. A request
 * allocates only from its own pool: a small context and, when the configuration uses
 * `$approov_claim_*` variables, the claims object placed with approov_claims_init.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <string.h>

#include "approov.h"

/* The longest secret file read: a base64 secret is about 88 characters; anything near this
 * size is not a secret file. */
#define NGX_HTTP_APPROOV_MAX_SECRET_FILE 4096
/* The longest JWKS file read: the library's own limit on JWKS text (1 MiB). */
#define NGX_HTTP_APPROOV_MAX_JWKS_FILE (1024 * 1024)

#define NGX_HTTP_APPROOV_SIGNING_OFF 0
#define NGX_HTTP_APPROOV_SIGNING_ON 1
#define NGX_HTTP_APPROOV_SIGNING_REQUIRE 2

typedef struct {
  /* What was configured (NGX_CONF_UNSET* / empty where not set at this level). */
  ngx_flag_t enable;
  ngx_str_t enable_where; /* "file:line" of `approov on`, for the missing-keys error */
  ngx_str_t secret;       /* trimmed text of the secret file (cycle pool; wiped after set-up) */
  ngx_str_t secret_file;  /* its full path, for messages */
  ngx_uint_t secret_encoding;
  ngx_str_t jwks;      /* text of the JWKS file (cycle pool; wiped after set-up: oct keys) */
  ngx_str_t jwks_file; /* its full path, for messages */
  ngx_str_t audience;  /* empty: `aud` not checked */
  ngx_str_t issuer;    /* empty: `iss` not checked */
  ngx_int_t leeway;
  ngx_str_t token_header;
  ngx_str_t token_prefix;
  ngx_array_t* binding; /* of ngx_str_t; an empty array is `approov_token_binding off` */
  ngx_flag_t allow_missing_pay;
  ngx_flag_t report_only;
  ngx_uint_t failure_status;
  ngx_uint_t log_level;
  ngx_uint_t signing;
  ngx_str_t base_url;
  ngx_str_t account_secret;
  ngx_str_t account_secret_file;
  ngx_uint_t account_secret_encoding;
  ngx_str_t account_key_id;

  /* Built when the configuration is read; shared with the parent level when the inputs are
   * the same. NULL where the check is off. */
  approov_check* check;
  approov_route* route;
} ngx_http_approov_loc_conf_t;

typedef struct {
  /* The secrets' (and JWKS files') texts, wiped once every check is built. */
  ngx_array_t secrets; /* of ngx_str_t * */
  /* Non-zero when the configuration reads $approov_claim_* (then claims are kept per request). */
  ngx_flag_t claims_needed;
} ngx_http_approov_main_conf_t;

/* Per request (the main request; found again after an internal redirect through the pool
 * cleanup, which also ends the claims' life). */
typedef struct {
  const approov_check* check; /* what the reason below was computed with */
  const approov_route* route;
  approov_claims* claims; /* NULL unless the configuration needs claims */
  int reason;
  unsigned claims_valid : 1;
} ngx_http_approov_ctx_t;

static ngx_int_t ngx_http_approov_preconfiguration(ngx_conf_t* cf);
static ngx_int_t ngx_http_approov_postconfiguration(ngx_conf_t* cf);
static void* ngx_http_approov_create_main_conf(ngx_conf_t* cf);
static char* ngx_http_approov_init_main_conf(ngx_conf_t* cf, void* conf);
static void* ngx_http_approov_create_loc_conf(ngx_conf_t* cf);
static char* ngx_http_approov_merge_loc_conf(ngx_conf_t* cf, void* parent, void* child);
static char* ngx_http_approov_enable(ngx_conf_t* cf, ngx_command_t* cmd, void* conf);
static char* ngx_http_approov_secret_file(ngx_conf_t* cf, ngx_command_t* cmd, void* conf);
static char* ngx_http_approov_jwks_file(ngx_conf_t* cf, ngx_command_t* cmd, void* conf);
static char* ngx_http_approov_claim_value(ngx_conf_t* cf, ngx_command_t* cmd, void* conf);
static char* ngx_http_approov_account_secret_file(ngx_conf_t* cf, ngx_command_t* cmd, void* conf);
static char* ngx_http_approov_leeway(ngx_conf_t* cf, ngx_command_t* cmd, void* conf);
static char* ngx_http_approov_failure_status(ngx_conf_t* cf, ngx_command_t* cmd, void* conf);
static char* ngx_http_approov_token_binding(ngx_conf_t* cf, ngx_command_t* cmd, void* conf);
static char* ngx_http_approov_token_header(ngx_conf_t* cf, ngx_command_t* cmd, void* conf);
static char* ngx_http_approov_base_url(ngx_conf_t* cf, ngx_command_t* cmd, void* conf);
static char* ngx_http_approov_account_key_id(ngx_conf_t* cf, ngx_command_t* cmd, void* conf);
static char* ngx_http_approov_enum(ngx_conf_t* cf, ngx_command_t* cmd, void* conf);
static ngx_int_t ngx_http_approov_handler(ngx_http_request_t* r);

static ngx_conf_enum_t ngx_http_approov_log_levels[] = {{ngx_string("info"), NGX_LOG_INFO},
                                                        {ngx_string("notice"), NGX_LOG_NOTICE},
                                                        {ngx_string("warn"), NGX_LOG_WARN},
                                                        {ngx_string("error"), NGX_LOG_ERR},
                                                        {ngx_null_string, 0}};

static ngx_conf_enum_t ngx_http_approov_signing_modes[] = {
    {ngx_string("off"), NGX_HTTP_APPROOV_SIGNING_OFF},
    {ngx_string("on"), NGX_HTTP_APPROOV_SIGNING_ON},
    {ngx_string("require"), NGX_HTTP_APPROOV_SIGNING_REQUIRE},
    {ngx_null_string, 0}};

#define NGX_HTTP_APPROOV_CONF (NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | NGX_HTTP_LOC_CONF)

static ngx_command_t ngx_http_approov_commands[] = {
    {ngx_string("approov"), NGX_HTTP_APPROOV_CONF | NGX_CONF_FLAG, ngx_http_approov_enable,
     NGX_HTTP_LOC_CONF_OFFSET, offsetof(ngx_http_approov_loc_conf_t, enable), NULL},
    {ngx_string("approov_secret_file"), NGX_HTTP_APPROOV_CONF | NGX_CONF_TAKE1,
     ngx_http_approov_secret_file, NGX_HTTP_LOC_CONF_OFFSET, 0, NULL},
    {ngx_string("approov_jwks_file"), NGX_HTTP_APPROOV_CONF | NGX_CONF_TAKE1,
     ngx_http_approov_jwks_file, NGX_HTTP_LOC_CONF_OFFSET, 0, NULL},
    {ngx_string("approov_audience"), NGX_HTTP_APPROOV_CONF | NGX_CONF_TAKE1,
     ngx_http_approov_claim_value, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(ngx_http_approov_loc_conf_t, audience), NULL},
    {ngx_string("approov_issuer"), NGX_HTTP_APPROOV_CONF | NGX_CONF_TAKE1,
     ngx_http_approov_claim_value, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(ngx_http_approov_loc_conf_t, issuer), NULL},
    {ngx_string("approov_leeway"), NGX_HTTP_APPROOV_CONF | NGX_CONF_TAKE1, ngx_http_approov_leeway,
     NGX_HTTP_LOC_CONF_OFFSET, 0, NULL},
    {ngx_string("approov_token_header"), NGX_HTTP_APPROOV_CONF | NGX_CONF_TAKE12,
     ngx_http_approov_token_header, NGX_HTTP_LOC_CONF_OFFSET, 0, NULL},
    {ngx_string("approov_token_binding"), NGX_HTTP_APPROOV_CONF | NGX_CONF_1MORE,
     ngx_http_approov_token_binding, NGX_HTTP_LOC_CONF_OFFSET, 0, NULL},
    {ngx_string("approov_allow_missing_pay"), NGX_HTTP_APPROOV_CONF | NGX_CONF_FLAG,
     ngx_conf_set_flag_slot, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(ngx_http_approov_loc_conf_t, allow_missing_pay), NULL},
    {ngx_string("approov_report_only"), NGX_HTTP_APPROOV_CONF | NGX_CONF_FLAG,
     ngx_conf_set_flag_slot, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(ngx_http_approov_loc_conf_t, report_only), NULL},
    {ngx_string("approov_failure_status"), NGX_HTTP_APPROOV_CONF | NGX_CONF_TAKE1,
     ngx_http_approov_failure_status, NGX_HTTP_LOC_CONF_OFFSET, 0, NULL},
    {ngx_string("approov_log_level"), NGX_HTTP_APPROOV_CONF | NGX_CONF_TAKE1, ngx_http_approov_enum,
     NGX_HTTP_LOC_CONF_OFFSET, offsetof(ngx_http_approov_loc_conf_t, log_level),
     &ngx_http_approov_log_levels},
    {ngx_string("approov_message_signing"), NGX_HTTP_APPROOV_CONF | NGX_CONF_TAKE1,
     ngx_http_approov_enum, NGX_HTTP_LOC_CONF_OFFSET,
     offsetof(ngx_http_approov_loc_conf_t, signing), &ngx_http_approov_signing_modes},
    {ngx_string("approov_signature_base_url"), NGX_HTTP_APPROOV_CONF | NGX_CONF_TAKE1,
     ngx_http_approov_base_url, NGX_HTTP_LOC_CONF_OFFSET, 0, NULL},
    {ngx_string("approov_account_signing_secret_file"), NGX_HTTP_APPROOV_CONF | NGX_CONF_TAKE1,
     ngx_http_approov_account_secret_file, NGX_HTTP_LOC_CONF_OFFSET, 0, NULL},
    {ngx_string("approov_account_signing_key_id"), NGX_HTTP_APPROOV_CONF | NGX_CONF_TAKE1,
     ngx_http_approov_account_key_id, NGX_HTTP_LOC_CONF_OFFSET, 0, NULL},
    ngx_null_command};

static ngx_http_module_t ngx_http_approov_module_ctx = {
    ngx_http_approov_preconfiguration,  /* preconfiguration */
    ngx_http_approov_postconfiguration, /* postconfiguration */
    ngx_http_approov_create_main_conf,  /* create main configuration */
    ngx_http_approov_init_main_conf,    /* init main configuration */
    NULL,                               /* create server configuration */
    NULL,                               /* merge server configuration */
    ngx_http_approov_create_loc_conf,   /* create location configuration */
    ngx_http_approov_merge_loc_conf     /* merge location configuration */
};

ngx_module_t ngx_http_approov_module = {NGX_MODULE_V1,
                                        &ngx_http_approov_module_ctx, /* module context */
                                        ngx_http_approov_commands,    /* module directives */
                                        NGX_HTTP_MODULE,              /* module type */
                                        NULL,                         /* init master */
                                        NULL,                         /* init module */
                                        NULL,                         /* init process */
                                        NULL,                         /* init thread */
                                        NULL,                         /* exit thread */
                                        NULL,                         /* exit process */
                                        NULL,                         /* exit master */
                                        NGX_MODULE_V1_PADDING};

static ngx_str_t ngx_http_approov_reason_name = ngx_string("approov_reason");
static ngx_str_t ngx_http_approov_claim_prefix = ngx_string("approov_claim_");

/* ---- configuration ------------------------------------------------------------------------ */

static void* ngx_http_approov_create_main_conf(ngx_conf_t* cf) {
  ngx_http_approov_main_conf_t* amcf = ngx_pcalloc(cf->pool, sizeof(*amcf));
  if (amcf == NULL) return NULL;
  if (ngx_array_init(&amcf->secrets, cf->pool, 4, sizeof(ngx_str_t*)) != NGX_OK) return NULL;
  return amcf;
}

static void* ngx_http_approov_create_loc_conf(ngx_conf_t* cf) {
  /* ngx_pcalloc leaves every ngx_str_t empty and the checks NULL. */
  ngx_http_approov_loc_conf_t* conf = ngx_pcalloc(cf->pool, sizeof(*conf));
  if (conf == NULL) return NULL;
  conf->enable = NGX_CONF_UNSET;
  conf->secret_encoding = NGX_CONF_UNSET_UINT;
  conf->leeway = NGX_CONF_UNSET;
  conf->binding = NGX_CONF_UNSET_PTR;
  conf->allow_missing_pay = NGX_CONF_UNSET;
  conf->report_only = NGX_CONF_UNSET;
  conf->failure_status = NGX_CONF_UNSET_UINT;
  conf->log_level = NGX_CONF_UNSET_UINT;
  conf->signing = NGX_CONF_UNSET_UINT;
  conf->account_secret_encoding = NGX_CONF_UNSET_UINT;
  return conf;
}

/* `approov on | off;` remembering where it was turned on, for the missing-keys message
 * (which can only be found after the whole configuration is read). */
static char* ngx_http_approov_enable(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  ngx_http_approov_loc_conf_t* alcf = conf;
  char* rv = ngx_conf_set_flag_slot(cf, cmd, conf);
  if (rv != NGX_CONF_OK || !alcf->enable) return rv;
  alcf->enable_where.data = ngx_pnalloc(cf->pool, cf->conf_file->file.name.len + NGX_INT_T_LEN + 1);
  if (alcf->enable_where.data == NULL) return NGX_CONF_ERROR;
  alcf->enable_where.len = ngx_sprintf(alcf->enable_where.data, "%V:%ui", &cf->conf_file->file.name,
                                       cf->conf_file->line) -
                           alcf->enable_where.data;
  return NGX_CONF_OK;
}

/* ngx_conf_set_enum_slot, with an error that names the directive and the values it takes. */
static char* ngx_http_approov_enum(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  ngx_uint_t* field = (ngx_uint_t*)((char*)conf + cmd->offset);
  ngx_conf_enum_t* e = cmd->post;
  ngx_str_t* value = cf->args->elts;
  u_char choices[128], *p = choices, *last = choices + sizeof(choices);
  ngx_uint_t i;

  if (*field != NGX_CONF_UNSET_UINT) return "is duplicate";
  for (i = 0; e[i].name.len != 0; i++) {
    if (e[i].name.len == value[1].len && ngx_strcmp(e[i].name.data, value[1].data) == 0) {
      *field = e[i].value;
      return NGX_CONF_OK;
    }
    p = ngx_slprintf(p, last, "%s%V", i == 0 ? "" : ", ", &e[i].name);
  }
  ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "invalid value \"%V\" in \"%V\": must be one of %*s",
                     &value[1], &cmd->name, (size_t)(p - choices), choices);
  return NGX_CONF_ERROR;
}

/* Reads a secret or JWKS file (`what`: "secret file", "JWKS file"; at most `max` bytes): its
 * whole content with leading and trailing ASCII whitespace trimmed, into the configuration
 * pool, registered to be wiped once the checks are built (a JWKS may hold HS256 `oct` keys).
 * Errors name the directive and the file, never the content. */
static char* ngx_http_approov_read_file(ngx_conf_t* cf, ngx_command_t* cmd, ngx_str_t* path,
                                        const char* what, off_t max, ngx_str_t* out) {
  ngx_fd_t fd;
  ngx_file_info_t fi;
  ssize_t n;
  off_t size;
  u_char *buf, *start, *end;
  ngx_http_approov_main_conf_t* amcf;
  ngx_str_t** keep;

  if (ngx_conf_full_name(cf->cycle, path, 1) != NGX_OK) return NGX_CONF_ERROR;
  fd = ngx_open_file(path->data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
  if (fd == NGX_INVALID_FILE) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno, "\"%V\": cannot open \"%V\"", &cmd->name,
                       path);
    return NGX_CONF_ERROR;
  }
  if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno, "\"%V\": cannot stat \"%V\"", &cmd->name,
                       path);
    ngx_close_file(fd);
    return NGX_CONF_ERROR;
  }
  size = ngx_file_size(&fi);
  if (!ngx_is_file(&fi) || size > max) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "\"%V\": \"%V\" is not a %s (a regular file of at most %O bytes)",
                       &cmd->name, path, what, max);
    ngx_close_file(fd);
    return NGX_CONF_ERROR;
  }
  buf = ngx_pnalloc(cf->pool, (size_t)size + 1);
  if (buf == NULL) {
    ngx_close_file(fd);
    return NGX_CONF_ERROR;
  }
  n = ngx_read_fd(fd, buf, (size_t)size);
  ngx_close_file(fd);
  if (n != size) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, n == -1 ? ngx_errno : 0, "\"%V\": cannot read \"%V\"",
                       &cmd->name, path);
    ngx_explicit_memzero(buf, (size_t)size);
    return NGX_CONF_ERROR;
  }
  start = buf;
  end = buf + n;
  while (start < end && (*start == ' ' || (*start >= '\t' && *start <= '\r'))) start++;
  while (end > start && (end[-1] == ' ' || (end[-1] >= '\t' && end[-1] <= '\r'))) end--;
  if (start == end) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"%V\": \"%V\" is empty", &cmd->name, path);
    return NGX_CONF_ERROR;
  }
  out->data = start;
  out->len = (size_t)(end - start);

  /* Wiped in postconfiguration, once every check holds its own decoded copy. */
  amcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_approov_module);
  keep = ngx_array_push(&amcf->secrets);
  if (keep == NULL) return NGX_CONF_ERROR;
  *keep = out;
  return NGX_CONF_OK;
}

/* Decodes a secret file's text as the library's secret files are read (the CLI's, the
 * sidecar's): standard base64 first, else base64url; the two alphabets never decode one text to
 * different bytes. Sets *encoding to the one that worked. On failure, `error` holds the
 * standard-base64 reading's message (never the secret). */
static ngx_int_t ngx_http_approov_decode_secret(const ngx_str_t* text,
                                                approov_secret_encoding* encoding, char* error,
                                                size_t error_size) {
  char url_error[256];
  approov_verifier* verifier = approov_verifier_new((const char*)text->data, text->len,
                                                    APPROOV_SECRET_BASE64, 0, error, error_size);
  *encoding = APPROOV_SECRET_BASE64;
  if (verifier == NULL) {
    verifier = approov_verifier_new((const char*)text->data, text->len, APPROOV_SECRET_BASE64URL, 0,
                                    url_error, sizeof(url_error));
    *encoding = APPROOV_SECRET_BASE64URL;
  }
  if (verifier == NULL) return NGX_ERROR;
  approov_verifier_free(verifier);
  return NGX_OK;
}

static char* ngx_http_approov_secret_file(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  ngx_http_approov_loc_conf_t* alcf = conf;
  ngx_str_t* value = cf->args->elts;
  approov_secret_encoding encoding;
  char error[256];
  char* rv;

  if (alcf->secret.data != NULL) return "is duplicate";
  alcf->secret_file = value[1];
  rv = ngx_http_approov_read_file(cf, cmd, &alcf->secret_file, "secret file",
                                  NGX_HTTP_APPROOV_MAX_SECRET_FILE, &alcf->secret);
  if (rv != NGX_CONF_OK) return rv;
  /* Decoded here to fail `nginx -t` at this line; the check is built after merging (leeway). */
  if (ngx_http_approov_decode_secret(&alcf->secret, &encoding, error, sizeof(error)) != NGX_OK) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"%V\": \"%V\": %s", &cmd->name, &alcf->secret_file,
                       error);
    return NGX_CONF_ERROR;
  }
  alcf->secret_encoding = encoding;
  return NGX_CONF_OK;
}

/* `approov_jwks_file FILE;`: a JWKS ({"keys":[...]}) of public keys (and HS256 `oct` keys),
 * beside or instead of the secret. Checked here by the library (a malformed key, an unsupported
 * kty/crv/alg, duplicate kids: the whole set is refused) so that `nginx -t` fails at this line;
 * the check itself is built after merging. Read again on every configuration read, so `nginx
 * -s reload` picks up a rotated keyset. */
static char* ngx_http_approov_jwks_file(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  ngx_http_approov_loc_conf_t* alcf = conf;
  ngx_str_t* value = cf->args->elts;
  approov_config* config;
  char error[256];
  char* rv;
  int failed;

  if (alcf->jwks.data != NULL) return "is duplicate";
  alcf->jwks_file = value[1];
  rv = ngx_http_approov_read_file(cf, cmd, &alcf->jwks_file, "JWKS file",
                                  NGX_HTTP_APPROOV_MAX_JWKS_FILE, &alcf->jwks);
  if (rv != NGX_CONF_OK) return rv;
  config = approov_config_new();
  if (config == NULL) return NGX_CONF_ERROR;
  failed = approov_config_add_jwks(config, (const char*)alcf->jwks.data, alcf->jwks.len, error,
                                   sizeof(error));
  approov_config_free(config);
  if (failed) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"%V\": \"%V\": %s", &cmd->name, &alcf->jwks_file,
                       error);
    return NGX_CONF_ERROR;
  }
  return NGX_CONF_OK;
}

/* `approov_audience VALUE;`, `approov_issuer VALUE;`: compared byte for byte with the token's
 * `aud` (or an element of it) and `iss`. */
static char* ngx_http_approov_claim_value(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  ngx_str_t* field = (ngx_str_t*)((char*)conf + cmd->offset);
  ngx_str_t* value = cf->args->elts;
  size_t i;

  if (field->data != NULL) return "is duplicate";
  if (value[1].len == 0) return "must not be empty";
  for (i = 0; i < value[1].len; i++) {
    if (value[1].data[i] < 0x20 || value[1].data[i] == 0x7f) {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "invalid value in \"%V\": control character",
                         &cmd->name);
      return NGX_CONF_ERROR;
    }
  }
  *field = value[1];
  return NGX_CONF_OK;
}

/* Message-signing settings are checked by building a throwaway check with them: the library
 * is the one judge of what it accepts. The secret used is a fixed dummy (never a real one). */
static char* ngx_http_approov_validate_signing(ngx_conf_t* cf, ngx_command_t* cmd,
                                               const ngx_str_t* what,
                                               const approov_signing_options* options) {
  static const char dummy[] = "ZHVtbXkgc2VjcmV0IG9mIDMyIGJ5dGVzIG9yIG1vcmUhISE=";
  char error[256];
  approov_check* check;
  approov_verifier* verifier = approov_verifier_new(dummy, sizeof(dummy) - 1, APPROOV_SECRET_BASE64,
                                                    0, error, sizeof(error));
  if (verifier == NULL) return NGX_CONF_ERROR;
  check = approov_check_new(verifier, NULL, 0, NULL, 0, options, error, sizeof(error));
  approov_verifier_free(verifier);
  if (check == NULL) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"%V\": \"%V\": %s", &cmd->name, what, error);
    return NGX_CONF_ERROR;
  }
  approov_check_free(check);
  return NGX_CONF_OK;
}

static char* ngx_http_approov_account_secret_file(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  ngx_http_approov_loc_conf_t* alcf = conf;
  ngx_str_t* value = cf->args->elts;
  approov_signing_options options;
  approov_secret_encoding encoding;
  char error[256];
  char* rv;

  if (alcf->account_secret.data != NULL) return "is duplicate";
  alcf->account_secret_file = value[1];
  rv = ngx_http_approov_read_file(cf, cmd, &alcf->account_secret_file, "secret file",
                                  NGX_HTTP_APPROOV_MAX_SECRET_FILE, &alcf->account_secret);
  if (rv != NGX_CONF_OK) return rv;
  if (ngx_http_approov_decode_secret(&alcf->account_secret, &encoding, error, sizeof(error)) !=
      NGX_OK) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"%V\": \"%V\": %s", &cmd->name,
                       &alcf->account_secret_file, error);
    return NGX_CONF_ERROR;
  }
  alcf->account_secret_encoding = encoding;
  ngx_memzero(&options, sizeof(options));
  options.account_secret = (const char*)alcf->account_secret.data;
  options.account_secret_len = alcf->account_secret.len;
  options.account_secret_encoding = (approov_secret_encoding)alcf->account_secret_encoding;
  return ngx_http_approov_validate_signing(cf, cmd, &alcf->account_secret_file, &options);
}

static char* ngx_http_approov_base_url(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  ngx_http_approov_loc_conf_t* alcf = conf;
  ngx_str_t* value = cf->args->elts;
  approov_signing_options options;

  if (alcf->base_url.data != NULL) return "is duplicate";
  if (value[1].len == 0) return "must not be empty";
  ngx_memzero(&options, sizeof(options));
  options.base_url = (const char*)value[1].data;
  options.base_url_len = value[1].len;
  if (ngx_http_approov_validate_signing(cf, cmd, &value[1], &options) != NGX_CONF_OK) {
    return NGX_CONF_ERROR;
  }
  alcf->base_url = value[1];
  return NGX_CONF_OK;
}

static char* ngx_http_approov_account_key_id(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  ngx_http_approov_loc_conf_t* alcf = conf;
  ngx_str_t* value = cf->args->elts;
  (void)cmd;
  if (alcf->account_key_id.data != NULL) return "is duplicate";
  if (value[1].len == 0) return "must not be empty";
  alcf->account_key_id = value[1];
  return NGX_CONF_OK;
}

static char* ngx_http_approov_leeway(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  ngx_http_approov_loc_conf_t* alcf = conf;
  ngx_str_t* value = cf->args->elts;
  ngx_int_t seconds;
  (void)cmd;
  if (alcf->leeway != NGX_CONF_UNSET) return "is duplicate";
  seconds = ngx_parse_time(&value[1], 1); /* "30", "30s", "1m" */
  if (seconds == NGX_ERROR || seconds > 300) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid value \"%V\" in \"approov_leeway\": must be 0 to 300 seconds",
                       &value[1]);
    return NGX_CONF_ERROR;
  }
  alcf->leeway = seconds;
  return NGX_CONF_OK;
}

static char* ngx_http_approov_failure_status(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  ngx_http_approov_loc_conf_t* alcf = conf;
  ngx_str_t* value = cf->args->elts;
  ngx_int_t status;
  (void)cmd;
  if (alcf->failure_status != NGX_CONF_UNSET_UINT) return "is duplicate";
  status = ngx_atoi(value[1].data, value[1].len);
  if (status != NGX_HTTP_UNAUTHORIZED && status != NGX_HTTP_FORBIDDEN) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid value \"%V\" in \"approov_failure_status\": must be 401 or 403",
                       &value[1]);
    return NGX_CONF_ERROR;
  }
  alcf->failure_status = (ngx_uint_t)status;
  return NGX_CONF_OK;
}

/* An HTTP field name (RFC 9110 token): what the library accepts as a header name. */
static ngx_flag_t ngx_http_approov_is_token(const ngx_str_t* s) {
  static const char extra[] = "!#$%&'*+-.^_`|~";
  size_t i;
  if (s->len == 0) return 0;
  for (i = 0; i < s->len; i++) {
    u_char c = s->data[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) continue;
    if (c == '\0' || strchr(extra, c) == NULL) return 0;
  }
  return 1;
}

static char* ngx_http_approov_token_binding(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  ngx_http_approov_loc_conf_t* alcf = conf;
  ngx_str_t *value = cf->args->elts, *name;
  ngx_uint_t i;
  (void)cmd;

  if (alcf->binding != NGX_CONF_UNSET_PTR) return "is duplicate";
  alcf->binding = ngx_array_create(cf->pool, cf->args->nelts - 1, sizeof(ngx_str_t));
  if (alcf->binding == NULL) return NGX_CONF_ERROR;
  if (cf->args->nelts == 2 && ngx_strcmp(value[1].data, "off") == 0) return NGX_CONF_OK;
  for (i = 1; i < cf->args->nelts; i++) {
    if (!ngx_http_approov_is_token(&value[i]) || ngx_strcmp(value[i].data, "off") == 0) {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                         "invalid header name \"%V\" in \"approov_token_binding\"", &value[i]);
      return NGX_CONF_ERROR;
    }
    name = ngx_array_push(alcf->binding);
    if (name == NULL) return NGX_CONF_ERROR;
    *name = value[i];
  }
  return NGX_CONF_OK;
}

static char* ngx_http_approov_token_header(ngx_conf_t* cf, ngx_command_t* cmd, void* conf) {
  ngx_http_approov_loc_conf_t* alcf = conf;
  ngx_str_t* value = cf->args->elts;
  size_t i;
  (void)cmd;

  if (alcf->token_header.data != NULL) return "is duplicate";
  if (!ngx_http_approov_is_token(&value[1])) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid header name \"%V\" in \"approov_token_header\"", &value[1]);
    return NGX_CONF_ERROR;
  }
  alcf->token_header = value[1];
  if (cf->args->nelts == 3) {
    for (i = 0; i < value[2].len; i++) {
      if (value[2].data[i] < 0x20 || value[2].data[i] == 0x7f) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid prefix in \"approov_token_header\": control character");
        return NGX_CONF_ERROR;
      }
    }
    alcf->token_prefix = value[2];
  }
  return NGX_CONF_OK;
}

static ngx_flag_t ngx_http_approov_same(const ngx_str_t* a, const ngx_str_t* b) {
  return a->len == b->len && (a->len == 0 || ngx_memcmp(a->data, b->data, a->len) == 0);
}

/* Do two levels build the same check (token source, secret, keyset, audience, issuer, leeway,
 * signing options)? */
static ngx_flag_t ngx_http_approov_same_check(const ngx_http_approov_loc_conf_t* a,
                                              const ngx_http_approov_loc_conf_t* b) {
  return ngx_http_approov_same(&a->secret, &b->secret) &&
         ngx_http_approov_same(&a->jwks, &b->jwks) &&
         ngx_http_approov_same(&a->audience, &b->audience) &&
         ngx_http_approov_same(&a->issuer, &b->issuer) && a->leeway == b->leeway &&
         ngx_http_approov_same(&a->token_header, &b->token_header) &&
         ngx_http_approov_same(&a->token_prefix, &b->token_prefix) &&
         ngx_http_approov_same(&a->base_url, &b->base_url) &&
         ngx_http_approov_same(&a->account_secret, &b->account_secret) &&
         ngx_http_approov_same(&a->account_key_id, &b->account_key_id);
}

/* Do two levels build the same route (binding, signatures)? */
static ngx_flag_t ngx_http_approov_same_route(const ngx_http_approov_loc_conf_t* a,
                                              const ngx_http_approov_loc_conf_t* b) {
  ngx_uint_t i;
  const ngx_str_t *x, *y;
  if (a->allow_missing_pay != b->allow_missing_pay || a->signing != b->signing) return 0;
  if (a->binding == b->binding) return 1;
  if (a->binding == NGX_CONF_UNSET_PTR || b->binding == NGX_CONF_UNSET_PTR ||
      a->binding->nelts != b->binding->nelts) {
    return 0;
  }
  x = a->binding->elts;
  y = b->binding->elts;
  for (i = 0; i < a->binding->nelts; i++) {
    if (!ngx_http_approov_same(&x[i], &y[i])) return 0;
  }
  return 1;
}

static void ngx_http_approov_free_check(void* data) {
  approov_check_free(data);
}

static void ngx_http_approov_free_route(void* data) {
  approov_route_free(data);
}

/* The verifier of this level's merged settings: the secret, the keyset or both (a token's
 * `alg` and `kid` then decide, see docs/KEYSETS.md), audience, issuer, leeway. Each error names
 * the directive it comes from. */
static approov_verifier* ngx_http_approov_build_verifier(ngx_conf_t* cf,
                                                         ngx_http_approov_loc_conf_t* conf) {
  char error[256];
  approov_verifier* verifier = NULL;
  approov_config* config = approov_config_new();

  if (config == NULL) return NULL;
  if (conf->secret.data != NULL &&
      approov_config_add_secret(config, (const char*)conf->secret.data, conf->secret.len,
                                (approov_secret_encoding)conf->secret_encoding, NULL, 0, error,
                                sizeof(error)) != 0) {
    ngx_log_error(NGX_LOG_EMERG, cf->log, 0, "\"approov_secret_file\": \"%V\": %s",
                  &conf->secret_file, error);
    goto done;
  }
  if (conf->jwks.data != NULL &&
      approov_config_add_jwks(config, (const char*)conf->jwks.data, conf->jwks.len, error,
                              sizeof(error)) != 0) {
    ngx_log_error(NGX_LOG_EMERG, cf->log, 0, "\"approov_jwks_file\": \"%V\": %s", &conf->jwks_file,
                  error);
    goto done;
  }
  if (conf->audience.len != 0 &&
      approov_config_set_audience(config, (const char*)conf->audience.data, conf->audience.len,
                                  error, sizeof(error)) != 0) {
    ngx_log_error(NGX_LOG_EMERG, cf->log, 0, "\"approov_audience\": %s", error);
    goto done;
  }
  if (conf->issuer.len != 0 &&
      approov_config_set_issuer(config, (const char*)conf->issuer.data, conf->issuer.len, error,
                                sizeof(error)) != 0) {
    ngx_log_error(NGX_LOG_EMERG, cf->log, 0, "\"approov_issuer\": %s", error);
    goto done;
  }
  if (approov_config_set_leeway(config, conf->leeway, error, sizeof(error)) != 0) {
    ngx_log_error(NGX_LOG_EMERG, cf->log, 0, "\"approov_leeway\": %s", error);
    goto done;
  }
  verifier = approov_verifier_new_from_config(config, error, sizeof(error));
  if (verifier == NULL) {
    ngx_log_error(NGX_LOG_EMERG, cf->log, 0, "approov: %s", error);
  }
done:
  approov_config_free(config);
  return verifier;
}

/* Builds this level's check from its merged settings (once; freed with the cycle's pool). */
static ngx_int_t ngx_http_approov_build_check(ngx_conf_t* cf, ngx_http_approov_loc_conf_t* conf) {
  char error[256];
  approov_verifier* verifier;
  approov_signing_options options;
  ngx_pool_cleanup_t* cln;

  if (conf->check != NULL) return NGX_OK;
  cln = ngx_pool_cleanup_add(cf->pool, 0);
  if (cln == NULL) return NGX_ERROR;
  verifier = ngx_http_approov_build_verifier(cf, conf);
  if (verifier == NULL) return NGX_ERROR;
  ngx_memzero(&options, sizeof(options));
  options.account_secret = (const char*)conf->account_secret.data;
  options.account_secret_len = conf->account_secret.len;
  options.account_secret_encoding = (approov_secret_encoding)conf->account_secret_encoding;
  options.account_key_id = (const char*)conf->account_key_id.data;
  options.account_key_id_len = conf->account_key_id.len;
  options.base_url = (const char*)conf->base_url.data;
  options.base_url_len = conf->base_url.len;
  conf->check = approov_check_new(verifier, (const char*)conf->token_header.data,
                                  conf->token_header.len, (const char*)conf->token_prefix.data,
                                  conf->token_prefix.len, &options, error, sizeof(error));
  approov_verifier_free(verifier);
  if (conf->check == NULL) {
    ngx_log_error(NGX_LOG_EMERG, cf->log, 0, "approov: %s", error);
    return NGX_ERROR;
  }
  cln->handler = ngx_http_approov_free_check;
  cln->data = conf->check;
  return NGX_OK;
}

static ngx_int_t ngx_http_approov_build_route(ngx_conf_t* cf, ngx_http_approov_loc_conf_t* conf) {
  ngx_pool_cleanup_t* cln;
  ngx_str_t* name;
  ngx_uint_t i;

  if (conf->route != NULL) return NGX_OK;
  cln = ngx_pool_cleanup_add(cf->pool, 0);
  if (cln == NULL) return NGX_ERROR;
  conf->route = approov_route_new();
  if (conf->route == NULL) return NGX_ERROR;
  cln->handler = ngx_http_approov_free_route;
  cln->data = conf->route;
  if (conf->binding != NGX_CONF_UNSET_PTR) {
    name = conf->binding->elts;
    for (i = 0; i < conf->binding->nelts; i++) {
      if (approov_route_add_binding_header(conf->route, (const char*)name[i].data, name[i].len) !=
          0) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "invalid header name \"%V\" in \"approov_token_binding\"", &name[i]);
        return NGX_ERROR;
      }
    }
  }
  approov_route_allow_missing_pay(conf->route, (int)conf->allow_missing_pay);
  if (conf->signing != NGX_HTTP_APPROOV_SIGNING_OFF) {
    approov_route_check_signatures(conf->route, conf->signing == NGX_HTTP_APPROOV_SIGNING_REQUIRE);
  }
  return NGX_OK;
}

/* Inherits every setting this level leaves unset (the nginx way: the nearest enclosing level
 * that sets it, else the default). */
static void ngx_http_approov_merge_values(ngx_http_approov_loc_conf_t* prev,
                                          ngx_http_approov_loc_conf_t* conf) {
  ngx_conf_merge_value(conf->enable, prev->enable, 0);
  ngx_conf_merge_str_value(conf->enable_where, prev->enable_where, "");
  if (conf->secret.data == NULL) {
    conf->secret = prev->secret;
    conf->secret_file = prev->secret_file;
    conf->secret_encoding = prev->secret_encoding;
  }
  if (conf->jwks.data == NULL) {
    conf->jwks = prev->jwks;
    conf->jwks_file = prev->jwks_file;
  }
  if (conf->audience.data == NULL) conf->audience = prev->audience;
  if (conf->issuer.data == NULL) conf->issuer = prev->issuer;
  ngx_conf_merge_value(conf->leeway, prev->leeway, 0);
  if (conf->token_header.data == NULL) {
    conf->token_header = prev->token_header;
    conf->token_prefix = prev->token_prefix;
  }
  ngx_conf_merge_ptr_value(conf->binding, prev->binding, NGX_CONF_UNSET_PTR);
  ngx_conf_merge_value(conf->allow_missing_pay, prev->allow_missing_pay, 0);
  ngx_conf_merge_value(conf->report_only, prev->report_only, 0);
  ngx_conf_merge_uint_value(conf->failure_status, prev->failure_status, NGX_HTTP_UNAUTHORIZED);
  ngx_conf_merge_uint_value(conf->log_level, prev->log_level, NGX_LOG_ERR);
  ngx_conf_merge_uint_value(conf->signing, prev->signing, NGX_HTTP_APPROOV_SIGNING_OFF);
  ngx_conf_merge_str_value(conf->base_url, prev->base_url, "");
  if (conf->account_secret.data == NULL) {
    conf->account_secret = prev->account_secret;
    conf->account_secret_file = prev->account_secret_file;
    conf->account_secret_encoding = prev->account_secret_encoding;
  }
  ngx_conf_merge_str_value(conf->account_key_id, prev->account_key_id, "");
}

/* The http{} level is never merged itself (it has no parent): give its unset settings their
 * defaults before the servers merge with it, so that they can share its check. */
static char* ngx_http_approov_init_main_conf(ngx_conf_t* cf, void* conf) {
  ngx_http_approov_loc_conf_t* http =
      ngx_http_conf_get_module_loc_conf(cf, ngx_http_approov_module);
  ngx_http_approov_loc_conf_t* defaults = ngx_http_approov_create_loc_conf(cf);
  (void)conf;
  if (defaults == NULL) return NGX_CONF_ERROR;
  ngx_http_approov_merge_values(defaults, http);
  return NGX_CONF_OK;
}

static char* ngx_http_approov_merge_loc_conf(ngx_conf_t* cf, void* parent, void* child) {
  ngx_http_approov_loc_conf_t* prev = parent;
  ngx_http_approov_loc_conf_t* conf = child;

  ngx_http_approov_merge_values(prev, conf);
  if (!conf->enable) return NGX_CONF_OK;
  if (conf->secret.data == NULL && conf->jwks.data == NULL) {
    ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                  "\"approov on\" (%V) needs \"approov_secret_file\" or \"approov_jwks_file\" "
                  "(or both) in the same or an enclosing block",
                  &conf->enable_where);
    return NGX_CONF_ERROR;
  }
  /* A level that changes nothing of the check or route shares its parent's objects (the
   * parent's are built here if the parent itself is not checked). */
  if ((prev->secret.data != NULL || prev->jwks.data != NULL) &&
      ngx_http_approov_same_check(conf, prev)) {
    if (ngx_http_approov_build_check(cf, prev) != NGX_OK) return NGX_CONF_ERROR;
    conf->check = prev->check;
  } else if (ngx_http_approov_build_check(cf, conf) != NGX_OK) {
    return NGX_CONF_ERROR;
  }
  if (ngx_http_approov_same_route(conf, prev)) {
    if (ngx_http_approov_build_route(cf, prev) != NGX_OK) return NGX_CONF_ERROR;
    conf->route = prev->route;
  } else if (ngx_http_approov_build_route(cf, conf) != NGX_OK) {
    return NGX_CONF_ERROR;
  }
  return NGX_CONF_OK;
}

/* ---- variables ---------------------------------------------------------------------------- */

static void ngx_http_approov_cleanup(void* data) {
  ngx_http_approov_ctx_t* ctx = data;
  if (ctx->claims != NULL) {
    approov_claims_destroy(ctx->claims);
    ctx->claims = NULL;
  }
}

/* The main request's context; after an internal redirect (which clears module contexts) it is
 * found again through its pool cleanup, as ngx_http_realip_module does. */
static ngx_http_approov_ctx_t* ngx_http_approov_get_ctx(ngx_http_request_t* r) {
  ngx_http_request_t* m = r->main;
  ngx_http_approov_ctx_t* ctx = ngx_http_get_module_ctx(m, ngx_http_approov_module);
  ngx_pool_cleanup_t* cln;

  if (ctx != NULL || !(m->internal || m->filter_finalize)) return ctx;
  for (cln = m->pool->cleanup; cln != NULL; cln = cln->next) {
    if (cln->handler == ngx_http_approov_cleanup) {
      ctx = cln->data;
      ngx_http_set_ctx(m, ctx, ngx_http_approov_module);
      return ctx;
    }
  }
  return NULL;
}

static ngx_int_t ngx_http_approov_reason_variable(ngx_http_request_t* r,
                                                  ngx_http_variable_value_t* v, uintptr_t data) {
  ngx_http_approov_ctx_t* ctx = ngx_http_approov_get_ctx(r);
  const char* text;
  (void)data;
  if (ctx == NULL || ctx->check == NULL) {
    v->not_found = 1;
    return NGX_OK;
  }
  text = approov_reason_string(ctx->reason);
  v->data = (u_char*)text;
  v->len = ngx_strlen(text);
  v->valid = 1;
  v->no_cacheable = 1;
  v->not_found = 0;
  return NGX_OK;
}

/* $approov_claim_NAME: a string claim unescaped, any other claim as its JSON text; empty
 * (not found) when the request has no valid token, the claim is absent, or the value holds a
 * control character (it would split a header set from it with proxy_set_header). */
static ngx_int_t ngx_http_approov_claim_variable(ngx_http_request_t* r,
                                                 ngx_http_variable_value_t* v, uintptr_t data) {
  ngx_str_t* var = (ngx_str_t*)data;
  ngx_http_approov_ctx_t* ctx = ngx_http_approov_get_ctx(r);
  const char *name, *json;
  size_t name_len, json_len, len, i;
  u_char* buf;

  v->not_found = 1;
  if (ctx == NULL || !ctx->claims_valid || ctx->claims == NULL ||
      var->len <= ngx_http_approov_claim_prefix.len) {
    return NGX_OK;
  }
  name = (const char*)var->data + ngx_http_approov_claim_prefix.len;
  name_len = var->len - ngx_http_approov_claim_prefix.len;
  if (approov_claims_json(ctx->claims, name, name_len, &json, &json_len) != APPROOV_CLAIM_FOUND) {
    return NGX_OK;
  }
  if (json_len > 0 && json[0] == '"') {
    /* An unescaped string is never longer than its JSON text. */
    buf = ngx_pnalloc(r->pool, json_len);
    if (buf == NULL) return NGX_ERROR;
    if (approov_claims_string(ctx->claims, name, name_len, (char*)buf, json_len, &len) !=
        APPROOV_CLAIM_FOUND) {
      return NGX_OK;
    }
  } else {
    buf = (u_char*)json; /* valid as long as the claims, which live in this request's pool */
    len = json_len;
  }
  for (i = 0; i < len; i++) {
    if (buf[i] < 0x20 || buf[i] == 0x7f) return NGX_OK;
  }
  v->data = buf;
  v->len = len;
  v->valid = 1;
  v->no_cacheable = 1;
  v->not_found = 0;
  return NGX_OK;
}

static ngx_int_t ngx_http_approov_preconfiguration(ngx_conf_t* cf) {
  ngx_http_variable_t* var;

  var = ngx_http_add_variable(cf, &ngx_http_approov_reason_name, NGX_HTTP_VAR_NOCACHEABLE);
  if (var == NULL) return NGX_ERROR;
  var->get_handler = ngx_http_approov_reason_variable;

  var = ngx_http_add_variable(cf, &ngx_http_approov_claim_prefix,
                              NGX_HTTP_VAR_PREFIX | NGX_HTTP_VAR_NOCACHEABLE);
  if (var == NULL) return NGX_ERROR;
  var->get_handler = ngx_http_approov_claim_variable;
  return NGX_OK;
}

static ngx_int_t ngx_http_approov_postconfiguration(ngx_conf_t* cf) {
  ngx_http_core_main_conf_t* cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);
  ngx_http_approov_main_conf_t* amcf =
      ngx_http_conf_get_module_main_conf(cf, ngx_http_approov_module);
  ngx_http_handler_pt* h;
  ngx_http_variable_t* v;
  ngx_str_t** secret;
  ngx_uint_t i;

  /* Every check holds its decoded key now: the text read from the files is no longer needed. */
  secret = amcf->secrets.elts;
  for (i = 0; i < amcf->secrets.nelts; i++) {
    ngx_explicit_memzero(secret[i]->data, secret[i]->len);
  }

  /* Claims are kept per request only when something reads them: a $approov_claim_* variable
   * named in the configuration (log_format, proxy_set_header, map, if, ...), which nginx
   * has indexed by now. */
  v = cmcf->variables.elts;
  for (i = 0; i < cmcf->variables.nelts; i++) {
    if (v[i].name.len > ngx_http_approov_claim_prefix.len &&
        ngx_strncmp(v[i].name.data, ngx_http_approov_claim_prefix.data,
                    ngx_http_approov_claim_prefix.len) == 0) {
      amcf->claims_needed = 1;
      break;
    }
  }

  /* Pushed last, so it runs first in the access phase (nginx runs a phase's handlers in
   * reverse order): a request without a valid token goes no further. */
  h = ngx_array_push(&cmcf->phases[NGX_HTTP_ACCESS_PHASE].handlers);
  if (h == NULL) return NGX_ERROR;
  *h = ngx_http_approov_handler;
  return NGX_OK;
}

/* ---- the check ---------------------------------------------------------------------------- */

/* The request's field lines for the library: every line of that name, in order, as nginx
 * parsed them (values already without surrounding whitespace). */
static size_t ngx_http_approov_fields(void* context, const char* name, size_t name_len,
                                      approov_field_line_fn line, void* sink) {
  ngx_http_request_t* r = context;
  ngx_list_part_t* part = &r->headers_in.headers.part;
  ngx_table_elt_t* h = part->elts;
  ngx_uint_t i;
  size_t n = 0;

  for (i = 0; /* void */; i++) {
    if (i >= part->nelts) {
      if (part->next == NULL) break;
      part = part->next;
      h = part->elts;
      i = 0;
      if (part->nelts == 0) continue;
    }
    if (h[i].key.len == name_len && ngx_strncasecmp(h[i].key.data, (u_char*)name, name_len) == 0) {
      line(sink, (const char*)h[i].value.data, h[i].value.len);
      n++;
    }
  }
  return n;
}

static void ngx_http_approov_request(ngx_http_request_t* r, approov_request* req) {
  ngx_memzero(req, sizeof(*req));
  req->method = (const char*)r->method_name.data;
  req->method_len = r->method_name.len;
#if (NGX_HTTP_SSL)
  if (r->connection->ssl) {
    req->scheme = "https";
    req->scheme_len = 5;
  } else
#endif
  {
    req->scheme = "http";
    req->scheme_len = 4;
  }
  if (r->headers_in.host != NULL) {
    req->authority = (const char*)r->headers_in.host->value.data;
    req->authority_len = r->headers_in.host->value.len;
  }
  req->target = (const char*)r->unparsed_uri.data;
  req->target_len = r->unparsed_uri.len;
  req->fields = ngx_http_approov_fields;
  req->context = r;
  /* The body is not read in the access phase: a signature still covers Content-Digest, but
   * the digest is not compared with the body here. */
  req->body_available = 0;
}

/* The uniform failure response: the configured status, application/json, `{}`, and the
 * connection closed, whatever the reason (nginx closes after the requests it refuses itself,
 * so a denial that kept the connection would tell those apart). */
static ngx_int_t ngx_http_approov_deny(ngx_http_request_t* r, ngx_http_approov_loc_conf_t* alcf) {
  static u_char body[] = "{}";
  ngx_int_t rc;
  ngx_buf_t* b;
  ngx_chain_t out;

  if (ngx_http_discard_request_body(r) != NGX_OK) r->keepalive = 0;
  r->keepalive = 0;
  r->headers_out.status = alcf->failure_status;
  ngx_str_set(&r->headers_out.content_type, "application/json");
  r->headers_out.content_type_len = r->headers_out.content_type.len;
  r->headers_out.content_type_lowcase = NULL;
  r->headers_out.content_length_n = 2;
  if (r->headers_out.content_length) {
    r->headers_out.content_length->hash = 0;
    r->headers_out.content_length = NULL;
  }
  rc = ngx_http_send_header(r);
  if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
    ngx_http_finalize_request(r, rc);
    return NGX_DONE;
  }
  b = ngx_calloc_buf(r->pool);
  if (b == NULL) {
    ngx_http_finalize_request(r, NGX_ERROR);
    return NGX_DONE;
  }
  b->pos = body;
  b->last = body + 2;
  b->memory = 1;
  b->last_buf = 1;
  b->last_in_chain = 1;
  out.buf = b;
  out.next = NULL;
  ngx_http_finalize_request(r, ngx_http_output_filter(r, &out));
  return NGX_DONE;
}

static void ngx_http_approov_log(ngx_http_request_t* r, ngx_http_approov_loc_conf_t* alcf,
                                 const approov_request* req, int reason) {
  char fingerprint[17] = "-";
  const char* token;
  size_t token_len;

  if (r->connection->log->log_level < alcf->log_level) return;
  if (approov_check_token(alcf->check, req, &token, &token_len) == APPROOV_OK) {
    approov_token_fingerprint(token, token_len, fingerprint);
  }
  ngx_log_error(alcf->log_level, r->connection->log, 0, "approov: %s reason=%s token=%s",
                alcf->report_only ? "report-only, would reject" : "rejected",
                approov_reason_string(reason), fingerprint);
}

static ngx_int_t ngx_http_approov_handler(ngx_http_request_t* r) {
  ngx_http_approov_loc_conf_t* alcf = ngx_http_get_module_loc_conf(r, ngx_http_approov_module);
  ngx_http_approov_main_conf_t* amcf;
  ngx_http_approov_ctx_t* ctx;
  ngx_pool_cleanup_t* cln;
  approov_request req;
  void* memory;
  size_t align;

  if (!alcf->enable) return NGX_DECLINED;

  ngx_http_approov_request(r, &req);
  ctx = ngx_http_approov_get_ctx(r);
  if (ctx == NULL) {
    cln = ngx_pool_cleanup_add(r->pool, sizeof(ngx_http_approov_ctx_t));
    if (cln == NULL) return NGX_HTTP_INTERNAL_SERVER_ERROR;
    ctx = cln->data;
    ngx_memzero(ctx, sizeof(*ctx));
    amcf = ngx_http_get_module_main_conf(r, ngx_http_approov_module);
    if (amcf->claims_needed) {
      align = approov_claims_align();
      memory = ngx_palloc(r->pool, approov_claims_size() + align - 1);
      if (memory == NULL) return NGX_HTTP_INTERNAL_SERVER_ERROR;
      ctx->claims = approov_claims_init(ngx_align_ptr(memory, align));
    }
    cln->handler = ngx_http_approov_cleanup;
    ngx_http_set_ctx(r, ctx, ngx_http_approov_module);
  }

  /* After an internal redirect to a location with the same check, the verdict stands. */
  if (ctx->check != alcf->check || ctx->route != alcf->route) {
    ctx->reason =
        approov_check_request(alcf->check, &req, (int64_t)ngx_time(), alcf->route, ctx->claims);
    ctx->check = alcf->check;
    ctx->route = alcf->route;
    ctx->claims_valid = ctx->reason == APPROOV_OK && ctx->claims != NULL;
    if (ctx->reason != APPROOV_OK) ngx_http_approov_log(r, alcf, &req, ctx->reason);
  }

  /* A valid request does not by itself satisfy `satisfy any`: the check is a gate that
   * every request of the location passes, whatever the other access modules say. */
  if (ctx->reason == APPROOV_OK || alcf->report_only) return NGX_DECLINED;
  return ngx_http_approov_deny(r, alcf);
}
