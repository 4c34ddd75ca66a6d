"""The Lua scripts of the read fence on a Redis Cluster (see
:mod:`notify_async.cache._redis_cluster`).

Every script touches the keys of one hash slot only, and declares all of them in ``KEYS``. The
bookkeeping of cached key ``K`` sits in ``K``'s own slot, under ``S = <ns>{<tag>}`` where
``<tag>`` is a short string that hashes to that slot:

* ``S state``: hash with ``seq`` (bumped by every invalidation of a key of the slot) and ``id``
  (random, set when the hash is created); a read's identity is ``<id>:<run_id>`` of the node
  that holds the slot, so a flush, a restart or a failover of that node refuses reads begun
  before it;
* ``S k:K`` / ``S w:K`` / ``S l:K``: the ``seq`` of ``K``'s last invalidation, the writes of
  ``K`` in progress, and the lease of the read fetching ``K`` for every process;
* ``K{<tag>}<ns>r:<owner>``: the *marker* of one read of ``K`` in flight. It starts with ``K``,
  so the ``SCAN`` of a pattern invalidation that covers ``K`` finds it, and a read stores only
  while its marker exists.

Pattern writes in progress are counted in one place, ``<ns>{<ns>}wp`` (a hash: literal prefix
-> count) with ``<ns>{<ns>}wpt`` (a sorted set: prefix -> expiry in ms), read by every read as
it begins.

``KEYS`` of BEGIN_READ, POLL_LEASE and COMPLETE_READ: ``S state``, ``K``, ``S l:K``,
``S k:K``, ``S w:K``, the read's marker.
"""

from __future__ import annotations

#: Lua: the identity of this node's fence state (KEYS[1] is the slot's state hash).
_IDENTITY = """
local function identity()
  local run = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
  return (redis.call('HGET', KEYS[1], 'id') or '') .. ':' .. run
end
"""

#: Lua: take the lease on fetching KEYS[2] unless a read that can still store holds it (one
#: that began on this node's current state, before no invalidation of the key, with no write of
#: it in progress).
_TAKE_LEASE = """
local function take_lease(owner, ident, seq, ms)
  local held = redis.call('GET', KEYS[3])
  if held then
    local hseq, hident = string.match(held, '^%S+ (%d+) (%S+)$')
    if hseq and hident == ident
        and tonumber(redis.call('GET', KEYS[4]) or '0') <= tonumber(hseq)
        and tonumber(redis.call('GET', KEYS[5]) or '0') <= 0 then
      return 'wait'
    end
  end
  redis.call('SET', KEYS[3], owner .. ' ' .. seq .. ' ' .. ident, 'PX', ms)
  return 'lead'
end
"""

#: ARGV: a fresh random id, lease owner ('' for no lease), lease ms, marker ms. Sets the read's
#: marker. Returns the read's identity, the slot's seq, the server time, the key's value if it
#: is there now ('' if not) and 'lead' / 'wait' for the lease ('' if none).
BEGIN_READ = _IDENTITY + _TAKE_LEASE + """
redis.call('HSETNX', KEYS[1], 'id', ARGV[1])
local ident = identity()
local seq, now = redis.call('HGET', KEYS[1], 'seq') or '0', redis.call('TIME')[1]
redis.call('SET', KEYS[6], '1', 'PX', ARGV[4])
local found = redis.call('GET', KEYS[2]) or ''
if found ~= '' or ARGV[2] == '' then return {ident, seq, now, '', ''} end
return {ident, seq, now, '', take_lease(ARGV[2], ident, seq, ARGV[3])}
"""

#: ARGV: owner, seq, lease ms (a read waiting for another's fetch). Returns {'value', bytes}
#: once the key is stored, {'lead'} when this read now holds the lease, else {'wait'}.
POLL_LEASE = _IDENTITY + _TAKE_LEASE + """
local found = redis.call('GET', KEYS[2])
if found then return {'value', found} end
return {take_lease(ARGV[1], identity(), ARGV[2], ARGV[3])}
"""

#: ARGV: identity, seq, start time, fence seconds, value ('' to store nothing), ttl, lease owner
#: ('' for none), ms the marker outlives a store. Stores only if the node's state is the one
#: the read began on, the read is younger than the fence, its marker is still there (no pattern
#: invalidation covering the key found it), no invalidation of the key came after the read
#: began and no write of it is in progress. A stored read's marker is kept a little longer (a
#: pattern invalidation walking the keyspace meanwhile must still find it), any other's goes;
#: the lease is given up if this read holds it.
COMPLETE_READ = _IDENTITY + """
local stored = 0
if ARGV[5] ~= '' and identity() == ARGV[1]
    and tonumber(redis.call('TIME')[1]) - tonumber(ARGV[3]) < tonumber(ARGV[4])
    and redis.call('EXISTS', KEYS[6]) == 1
    and tonumber(redis.call('GET', KEYS[4]) or '0') <= tonumber(ARGV[2])
    and tonumber(redis.call('GET', KEYS[5]) or '0') <= 0 then
  redis.call('SET', KEYS[2], ARGV[5], 'EX', ARGV[6])
  redis.call('PEXPIRE', KEYS[6], ARGV[8])
  stored = 1
else
  redis.call('DEL', KEYS[6])
end
local owner = ARGV[7]
if owner ~= '' then
  local held = redis.call('GET', KEYS[3])
  if held and string.sub(held, 1, #owner + 1) == owner .. ' ' then redis.call('DEL', KEYS[3]) end
end
return stored
"""

#: KEYS: the slot's state hash, then for each key ``K``, ``S k:K``, ``S w:K``, ``S l:K``.
#: ARGV: fence seconds, phase ('start' / 'end' of a write, or ''). Fences and deletes the keys
#: (and their leases: the reads holding them began before this and cannot store).
INVALIDATE = """
local ttl, phase = tonumber(ARGV[1]), ARGV[2]
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
for i = 2, #KEYS, 4 do
  redis.call('SET', KEYS[i + 1], seq, 'EX', ttl)
  if phase == 'start' then
    redis.call('INCR', KEYS[i + 2])
    redis.call('EXPIRE', KEYS[i + 2], 2 * ttl)
  elseif phase == 'end' then
    if redis.call('DECR', KEYS[i + 2]) <= 0 then redis.call('DEL', KEYS[i + 2]) end
  end
  redis.call('DEL', KEYS[i], KEYS[i + 3])
end
return seq
"""

#: KEYS: ``<ns>{<ns>}wp``, ``<ns>{<ns>}wpt``. ARGV: fence seconds, phase ('start' / 'end'),
#: then the literal prefixes of the patterns a write invalidates. Counts the write in or out;
#: a count whose write never ended expires after twice the fence's lifetime.
PATTERN_WRITES = """
local now = tonumber(redis.call('TIME')[1]) * 1000
for i = 3, #ARGV do
  local prefix = ARGV[i]
  if ARGV[2] == 'start' then
    redis.call('HINCRBY', KEYS[1], prefix, 1)
    redis.call('ZADD', KEYS[2], now + 2000 * tonumber(ARGV[1]), prefix)
  elseif redis.call('HINCRBY', KEYS[1], prefix, -1) <= 0 then
    redis.call('HDEL', KEYS[1], prefix)
    redis.call('ZREM', KEYS[2], prefix)
  end
end
for _, prefix in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)) do
  redis.call('HDEL', KEYS[1], prefix)
  redis.call('ZREM', KEYS[2], prefix)
end
return 1
"""

#: KEYS: ``<ns>{<ns>}wp``, ``<ns>{<ns>}wpt``. ARGV: a key. 1 if a write of a pattern whose
#: literal prefix is a prefix of the key is in progress (a read beginning now may fetch the
#: older answer and must not store it), else 0.
PATTERN_WRITE_IN_PROGRESS = """
if redis.call('HLEN', KEYS[1]) == 0 then return 0 end
local key, prefixes = ARGV[1], {}
for i = 0, #key do prefixes[#prefixes + 1] = string.sub(key, 1, i) end
local now = tonumber(redis.call('TIME')[1]) * 1000
for i, count in ipairs(redis.call('HMGET', KEYS[1], unpack(prefixes))) do
  if count and tonumber(count) > 0 then
    local expiry = redis.call('ZSCORE', KEYS[2], prefixes[i])
    if expiry and tonumber(expiry) > now then return 1 end
  end
end
return 0
"""
