-- wrk script: a mix of the read endpoints over keys the demo creates.
-- Usage: wrk -t4 -c50 -d30s --latency -s docs/bench/query-mix.lua http://localhost:8080
local paths = {}
local customers = {"alice", "erin", "frank", "bob", "carol"}
local skus = {"apple", "pear", "plum", "truffle"}
for _, c in ipairs(customers) do
  table.insert(paths, "/accounts/" .. c)
  table.insert(paths, "/customers/" .. c .. "/orders")
end
for _, s in ipairs(skus) do
  table.insert(paths, "/inventory/" .. s)
end
table.insert(paths, "/inventory?limit=10")
table.insert(paths, "/analytics/orders?window=5m")
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
-- Count non-2xx answers so the run says whether there were errors, and show the first one's body. Each wrk thread
-- runs its own copy of this script: done() reads every thread's counts through setup()'s handles.
local threads = {}
setup = function(thread)
  table.insert(threads, thread)
end
non2xx = 0
first_error = nil
response = function(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_error == nil then first_error = status .. " " .. string.sub(body or "", 1, 300) end
  end
end
done = function(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("non2xx")
    local first = thread:get("first_error")
    if first ~= nil then io.write("first non-2xx answer of a thread: " .. first .. "\n") end
  end
  io.write(string.format("non-2xx answers: %d (socket errors: connect %d, read %d, write %d, timeout %d)\n",
    total, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
