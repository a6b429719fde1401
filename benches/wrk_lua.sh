# The wrk scripts benches/side_by_side.sh and benches/growth.sh share (sourced, not run).
post_lua() { # file, body, secret
  printf 'wrk.method = "POST"\nwrk.body = "%s"\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\nwrk.headers["Authorization"] = "Basic %s"\n' \
    "$2" "$(printf 'bench:%s' "$3" | base64 -w0)" > "$1"
}
refresh_lua() { # file, secret, seeds file
  post_lua "$1" "" "$2"
  cat >> "$1" <<LUA
-- Each thread takes its share of the seeds; every answer's new refresh token is presented next,
-- so each token is used exactly once (rotation) and every connection has one to send.
local threads = 0
function setup(thread) thread:set("id", threads); threads = threads + 1 end
local tokens = {}
function init(args)
  local i = 0
  for line in io.lines("$3") do
    if i % 2 == id then table.insert(tokens, line) end
    i = i + 1
  end
end
function request()
  local token = table.remove(tokens) or "exhausted"
  return wrk.format(nil, nil, nil, "grant_type=refresh_token&refresh_token=" .. token)
end
function response(status, headers, body)
  local token = body:match('"refresh_token":"([^"]+)"')
  if token then table.insert(tokens, token) end
end
LUA
}
