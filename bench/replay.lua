-- wrk script: sends the requests of a file written by approov-signed-requests (complete HTTP
-- requests separated by NUL bytes), each once, in order, so that every request carries a
-- signature the server has not seen. Past the end it starts again: those answers are
-- replays (non-2xx), which bench/http-replay.sh treats as "the file was too short".
--   wrk -t1 -c32 -d5s -s bench/replay.lua http://127.0.0.1:8013/ -- requests.bin
local requests = {}
local i = 0

function init(args)
  local f = assert(io.open(args[1], "rb"))
  local data = f:read("*a")
  f:close()
  for r in data:gmatch("([^%z]+)%z") do
    requests[#requests + 1] = r
  end
  assert(#requests > 0, "no requests in " .. args[1])
end

function request()
  i = i + 1
  if i > #requests then
    i = 1
  end
  return requests[i]
end
