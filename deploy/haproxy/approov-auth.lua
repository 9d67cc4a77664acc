-- approov-auth.lua: HAProxy asks approov-authd about each request (auth-request pattern).
-- Uses only HAProxy's built-in Lua HTTP client (core.httpclient, HAProxy >= 2.5), so it runs
-- with Debian's haproxy package; no haproxy-lua-http library is needed.
--
--   global
--       lua-load /etc/haproxy/approov-auth.lua
--   frontend api
--       http-request lua.approov_auth 127.0.0.1:8080     # the sidecar's HOST:PORT
--       http-request return status 401 content-type application/json string "{}" unless { var(txn.approov_allow) -m bool }
--       # delete client-sent Approov-Claim-* before this action, set the sidecar's after
--       # (see haproxy.cfg)
--
-- Any failure to reach the sidecar leaves txn.approov_allow unset, so the request is denied
-- (fail closed).

local claim_headers = {
  "approov-claim-did", "approov-claim-ip", "approov-claim-arc",
  "approov-claim-ipk", "approov-claim-mskid", "approov-claim-exp",
}

-- Hop-by-hop and body headers are not forwarded to the sidecar; Approov-Claim-* never are.
local skip = {
  ["connection"] = true, ["content-length"] = true, ["transfer-encoding"] = true,
  ["keep-alive"] = true, ["upgrade"] = true, ["te"] = true, ["expect"] = true,
  ["host"] = true, ["x-original-uri"] = true, ["x-original-method"] = true,
  ["x-forwarded-proto"] = true, ["x-forwarded-host"] = true,
  ["x-original-content-length"] = true, ["x-original-transfer-encoding"] = true,
}

-- Every value of a header (HAProxy indexes them from 0), as a list.
local function all_values(values)
  local list = {}
  local i = 0
  while values and values[i] ~= nil do
    list[#list + 1] = values[i]
    i = i + 1
  end
  return list
end

core.register_action("approov_auth", { "http-req" }, function(txn, authd)
  local out = {}
  local headers = txn.http:req_get_headers()
  for name, values in pairs(headers) do
    if not skip[name] and name:sub(1, 14) ~= "approov-claim-" then
      -- Keep every value so duplicates are seen.
      out[name] = all_values(values)
    end
  end
  out["x-original-uri"] = { txn.f:url() }
  out["x-original-method"] = { txn.f:method() }
  -- For message signatures: the client's scheme (from HAProxy's own connection), Host and
  -- body length or coding (every value, so that two are denied); client-sent ones are
  -- skipped above.
  local tls = txn.f:ssl_fc()
  out["x-forwarded-proto"] = { (tls == true or tls == 1) and "https" or "http" }
  if headers["host"] then out["x-forwarded-host"] = all_values(headers["host"]) end
  if headers["content-length"] then
    out["x-original-content-length"] = all_values(headers["content-length"])
  end
  -- A chunked body has no length: its Transfer-Encoding tells the sidecar there is a body
  -- (so that a signature without content-digest does not pass with one).
  if headers["transfer-encoding"] then
    out["x-original-transfer-encoding"] = all_values(headers["transfer-encoding"])
  end

  local client = core.httpclient()
  local ok, res = pcall(client.get, client, {
    url = "http://" .. authd .. "/",
    headers = out,
    timeout = 2000,
  })
  if not ok or res == nil or res.status == nil then
    core.Warning("approov-auth: sidecar " .. authd .. " unreachable")
    return
  end
  if res.status >= 200 and res.status < 300 then
    txn:set_var("txn.approov_allow", true)
    for _, name in ipairs(claim_headers) do
      local v = res.headers and res.headers[name]
      local value = (v and (v[0] or v[1])) or ""
      txn:set_var("txn." .. name:gsub("-", "_"), value)
    end
  end
end, 1)
