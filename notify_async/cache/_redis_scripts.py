"""The Lua scripts of the Redis backend's read fence on one Redis (a single server, or the
primary a Sentinel names); see :mod:`notify_async.cache.redis`. A Redis Cluster uses
:mod:`notify_async.cache._redis_cluster_scripts`.

Bookkeeping keys, all under the namespace ``ns``:

* ``ns state``: hash with ``seq`` (bumped by every invalidation) and ``id`` (random, set when the
  hash is created, so a flushed Redis gets a new one);
* ``ns k:<key>`` / ``ns p:<literal prefix>``: the ``seq`` of the key's / pattern's last
  invalidation, kept for the fence's lifetime;
* ``ns w:<key>`` / ``ns wp:<literal prefix>``: how many writes of the key / pattern are in
  progress (counted up by the invalidation before a write, down by the one after it; they expire
  after twice the fence's lifetime should the second never come);
* ``ns l:<key>``: the lease of the read fetching the key for every process (cross-process
  single-flight): ``"<owner> <seq> <identity>"`` of that read, expiring after the lease time.

A read's identity is ``<state id>:<server run_id>``: a flush gives a new state id and a restart,
or a failover to a replica, a new run id (even when Redis reloads a snapshot holding the old
state), so a read that began before any of these can never prove its answer is still fresh.
"""

from __future__ import annotations

#: Lua: whether a read of ``key`` that began with ``(ident, seq)`` may no longer store: Redis is
#: not the one it began on, an invalidation of the key or of a prefix of it came after it began,
#: or a write of the key or of such a prefix is in progress.
_FENCED = """
local function fenced(ns, key, ident, seq)
  local run = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
  if (redis.call('HGET', ns .. 'state', 'id') or '') .. ':' .. run ~= ident then return true end
  local fences, writes = {ns .. 'k:' .. key}, {ns .. 'w:' .. key}
  for i = 0, #key do
    local prefix = string.sub(key, 1, i)
    fences[#fences + 1] = ns .. 'p:' .. prefix
    writes[#writes + 1] = ns .. 'wp:' .. prefix
  end
  for _, fence in ipairs(redis.call('MGET', unpack(fences))) do
    if fence and tonumber(fence) > seq then return true end
  end
  for _, count in ipairs(redis.call('MGET', unpack(writes))) do
    if count and tonumber(count) > 0 then return true end
  end
  return false
end
"""

#: Lua: take the lease on fetching ``key`` unless a read that can still store holds it.
_TAKE_LEASE = """
local function take_lease(ns, key, owner, ident, seq, ms)
  local name = ns .. 'l:' .. key
  local held = redis.call('GET', name)
  if held then
    local hseq, hident = string.match(held, '^%S+ (%d+) (%S+)$')
    if hseq and not fenced(ns, key, hident, tonumber(hseq)) then return 'wait' end
  end
  redis.call('SET', name, owner .. ' ' .. seq .. ' ' .. ident, 'PX', ms)
  return 'lead'
end
"""

#: ARGV: namespace, a fresh random id, the key, the lease owner ('' for no lease), lease ms.
#: Returns the read's identity, the seq, the server time, the key's value if it is there now
#: ('' if not) and 'lead' / 'wait' for the lease ('' when none was asked for or the value is
#: there).
BEGIN_READ = _FENCED + _TAKE_LEASE + """
local ns, key, owner = ARGV[1], ARGV[3], ARGV[4]
local state = ns .. 'state'
redis.call('HSETNX', state, 'id', ARGV[2])
local s = redis.call('HMGET', state, 'id', 'seq')
local run = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
local ident, seq, now = s[1] .. ':' .. run, s[2] or '0', redis.call('TIME')[1]
local found = redis.call('GET', key) or ''
if found ~= '' or owner == '' then return {ident, seq, now, found, ''} end
return {ident, seq, now, '', take_lease(ns, key, owner, ident, tonumber(seq), ARGV[5])}
"""

#: ARGV: namespace, key, owner, identity, seq, lease ms (a read waiting for another's fetch).
#: Returns {'value', bytes} once the key is stored, {'lead'} when the lease was free or held by
#: a read that can no longer store (this read now fetches), else {'wait'}.
POLL_LEASE = _FENCED + _TAKE_LEASE + """
local found = redis.call('GET', ARGV[2])
if found then return {'value', found} end
return {take_lease(ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6])}
"""

#: KEYS: the keys to delete. ARGV: namespace, fence seconds, phase ('start' of a write, 'end' of
#: a write, or '' for a plain invalidation), then the literal prefixes of the patterns. The keys'
#: leases go too: the reads holding them began before this invalidation and cannot store.
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
  redis.call('DEL', ns .. 'l:' .. key)
end
for i = 4, #ARGV do
  redis.call('SET', ns .. 'p:' .. ARGV[i], seq, 'EX', ttl)
  mark(ns .. 'wp:' .. ARGV[i])
end
if #KEYS > 0 then redis.call('DEL', unpack(KEYS)) end
return seq
"""

#: KEYS: the key. ARGV: namespace, identity, seq, start time, fence seconds, value ('' to store
#: nothing), ttl, lease owner ('' for none). Stores only if Redis is the one the read began on,
#: the read is younger than the fence, no invalidation of the key or of a prefix of it came
#: after the read began, and no write of the key or of such a prefix is in progress; then gives
#: up the lease if this read holds it.
COMPLETE_READ = _FENCED + """
local ns, key, owner = ARGV[1], KEYS[1], ARGV[8] or ''
local stored = 0
if ARGV[6] ~= ''
    and tonumber(redis.call('TIME')[1]) - tonumber(ARGV[4]) < tonumber(ARGV[5])
    and not fenced(ns, key, ARGV[2], tonumber(ARGV[3])) then
  redis.call('SET', key, ARGV[6], 'EX', ARGV[7])
  stored = 1
end
if owner ~= '' then
  local lease = ns .. 'l:' .. key
  local held = redis.call('GET', lease)
  if held and string.sub(held, 1, #owner + 1) == owner .. ' ' then redis.call('DEL', lease) end
end
return stored
"""
