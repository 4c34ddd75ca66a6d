"""The Lua scripts of the Redis backend's read fence (see :mod:`notify_async.cache.redis`).

Bookkeeping keys, all under the namespace ``ns``:

* ``ns state``: hash with ``seq`` (bumped by every invalidation) and ``id`` (random, set when the
  hash is created, so a flushed Redis gets a new one);
* ``ns k:<key>`` / ``ns p:<literal prefix>``: the ``seq`` of the key's / pattern's last
  invalidation, kept for the fence's lifetime;
* ``ns w:<key>`` / ``ns wp:<literal prefix>``: how many writes of the key / pattern are in
  progress (counted up by the invalidation before a write, down by the one after it; they expire
  after twice the fence's lifetime should the second never come).

A read's identity is ``<state id>:<server run_id>``: a flush gives a new state id and a restart a
new run id (even when Redis reloads a snapshot holding the old state), so a read that began
before either can never prove its answer is still fresh.
"""

from __future__ import annotations

#: ARGV: namespace, a fresh random id. Returns the read's identity, the seq and the server time.
BEGIN_READ = """
local state = ARGV[1] .. 'state'
redis.call('HSETNX', state, 'id', ARGV[2])
local s = redis.call('HMGET', state, 'id', 'seq')
local run = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
return {s[1] .. ':' .. run, s[2] or '0', redis.call('TIME')[1]}
"""

#: KEYS: the keys to delete. ARGV: namespace, fence seconds, phase ('start' of a write, 'end' of
#: a write, or '' for a plain invalidation), then the literal prefixes of the patterns.
INVALIDATE = """
local ns, ttl, phase = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local seq = redis.call('HINCRBY', ns .. 'state', 'seq', 1)
local function mark(name)
  if phase == 'start' then
    redis.call('INCR', name)
    redis.call('EXPIRE', name, 2 * ttl)
  elseif phase == 'end' then
    if redis.call('DECR', name) <= 0 then redis.call('DEL', name) end
  end
end
for _, key in ipairs(KEYS) do
  redis.call('SET', ns .. 'k:' .. key, seq, 'EX', ttl)
  mark(ns .. 'w:' .. key)
end
for i = 4, #ARGV do
  redis.call('SET', ns .. 'p:' .. ARGV[i], seq, 'EX', ttl)
  mark(ns .. 'wp:' .. ARGV[i])
end
if #KEYS > 0 then redis.call('DEL', unpack(KEYS)) end
return seq
"""

#: KEYS: the key. ARGV: namespace, identity, seq, start time, fence seconds, value, ttl.
#: Stores only if Redis is the one the read began on, the read is younger than the fence, no
#: invalidation of the key or of a prefix of it came after the read began, and no write of the
#: key or of such a prefix is in progress.
COMPLETE_READ = """
local ns, key = ARGV[1], KEYS[1]
local run = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
if (redis.call('HGET', ns .. 'state', 'id') or '') .. ':' .. run ~= ARGV[2] then return 0 end
if tonumber(redis.call('TIME')[1]) - tonumber(ARGV[4]) >= tonumber(ARGV[5]) then return 0 end
local seq = tonumber(ARGV[3])
local fences, writes = {ns .. 'k:' .. key}, {ns .. 'w:' .. key}
for i = 0, #key do
  local prefix = string.sub(key, 1, i)
  fences[#fences + 1] = ns .. 'p:' .. prefix
  writes[#writes + 1] = ns .. 'wp:' .. prefix
end
for _, fence in ipairs(redis.call('MGET', unpack(fences))) do
  if fence and tonumber(fence) > seq then return 0 end
end
for _, count in ipairs(redis.call('MGET', unpack(writes))) do
  if count and tonumber(count) > 0 then return 0 end
end
redis.call('SET', key, ARGV[6], 'EX', ARGV[7])
return 1
"""
