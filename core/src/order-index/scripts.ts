/**
 * The index's Lua scripts. Each runs atomically in Redis, so an order's lists,
 * its counters, the log of its partition and the PUBLISH to subscribers change
 * together or not at all, in one round trip for the writer.
 */

/**
 * Applies an order as it stands at `version`, unless the index holds that version or a later one:
 * applying twice, or an older version after a newer one, changes nothing (order-insensitive).
 *
 * KEYS: 1 orders hash, 2-4 status lists, 5-7 the customer's lists (ORDER_STATUSES order), 8 unpublished,
 *       9 the partition's log, 10 log heads, 11 log floors, 12 meta, 13.. one minute key per minute event.
 * ARGV: 1 id, 2 version, 3 status number, 4 list member, 5 channel ('' for none), 6 message,
 *       7 partition ('' when the change has no place in a log), 8 seq, 9 log length kept,
 *       10 '1' to clear the order's unpublished mark,
 *       then per minute event: its field (c, p or f), the version that made it, when its key expires (unix s).
 * Returns { index changed (0/1), appended to the log (0/1), published (0/1) }.
 */
export const APPLY_ORDER = `
local id = ARGV[1]
local version = tonumber(ARGV[2])
local status = tonumber(ARGV[3])
local member = ARGV[4]
local held = redis.call('HGET', KEYS[1], id)
local heldVersion, heldStatus = 0, nil
if held then
  local sep = string.find(held, ':', 1, true)
  heldVersion = tonumber(string.sub(held, 1, sep - 1))
  heldStatus = tonumber(string.sub(held, sep + 1))
end
local changed = 0
if version > heldVersion then
  changed = 1
  if heldStatus ~= status then
    if heldStatus then
      redis.call('ZREM', KEYS[1 + heldStatus], member)
      redis.call('ZREM', KEYS[4 + heldStatus], member)
    end
    redis.call('ZADD', KEYS[1 + status], 0, member)
    redis.call('ZADD', KEYS[4 + status], 0, member)
  end
  redis.call('HSET', KEYS[1], id, version .. ':' .. status)
  for j = 1, (#ARGV - 10) / 3 do
    local at = 8 + 3 * j
    if tonumber(ARGV[at + 1]) > heldVersion then
      redis.call('HINCRBY', KEYS[12 + j], ARGV[at], 1)
      redis.call('EXPIREAT', KEYS[12 + j], ARGV[at + 2])
    end
  end
end
if ARGV[10] == '1' then redis.call('ZREM', KEYS[8], id) end
local appended = 0
local publish = changed
if ARGV[7] ~= '' then
  local partition = ARGV[7]
  local seq = tonumber(ARGV[8])
  local head = redis.call('HGET', KEYS[10], partition)
  publish = 0
  if head == false or seq > tonumber(head) then
    redis.call('XADD', KEYS[9], seq .. '-1', 'm', ARGV[6])
    redis.call('HSET', KEYS[10], partition, seq)
    if head == false and redis.call('HGET', KEYS[11], partition) == false then
      -- A log begun on an index that was there from the first change is complete; otherwise
      -- (Redis flushed, say) nothing before this change is known.
      if redis.call('HGET', KEYS[12], 'genesis') == '1' then
        redis.call('HSET', KEYS[11], partition, -1)
      else
        redis.call('HSET', KEYS[11], partition, seq - 1)
      end
    end
    local keep = tonumber(ARGV[9])
    if redis.call('XLEN', KEYS[9]) > keep + 64 then
      redis.call('XTRIM', KEYS[9], 'MAXLEN', keep)
      local first = redis.call('XRANGE', KEYS[9], '-', '+', 'COUNT', 1)[1][1]
      local floor = tonumber(string.sub(first, 1, string.find(first, '-', 1, true) - 1)) - 1
      redis.call('HSET', KEYS[11], partition, floor)
    end
    appended = 1
    publish = 1
  end
end
local published = 0
if publish == 1 and ARGV[5] ~= '' then
  redis.call('PUBLISH', ARGV[5], ARGV[6])
  published = 1
end
return { changed, appended, published }
`;

/**
 * A page of one list, merged from the lists of its statuses, with what the index holds of each order.
 *
 * KEYS: 1 orders hash, 2.. the lists to merge.
 * ARGV: 1 the end of the range nearer the newest ('+' or '(member'), 2 the other end ('-' or '(member'),
 *       3 how many, 4 '1' to read from the oldest end.
 * Returns member, `version:status`, member, … in the order read.
 */
export const READ_PAGE = `
local upper, lower, count, oldestFirst = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4] == '1'
local found = {}
for k = 2, #KEYS do
  local members
  if oldestFirst then
    members = redis.call('ZRANGE', KEYS[k], lower, upper, 'BYLEX', 'LIMIT', 0, count)
  else
    members = redis.call('ZRANGE', KEYS[k], upper, lower, 'BYLEX', 'REV', 'LIMIT', 0, count)
  end
  for _, member in ipairs(members) do found[#found + 1] = member end
end
if #KEYS > 2 then
  if oldestFirst then table.sort(found) else table.sort(found, function(a, b) return a > b end) end
end
local page = {}
for i = 1, math.min(count, #found) do
  local member = found[i]
  page[#page + 1] = member
  page[#page + 1] = redis.call('HGET', KEYS[1], string.sub(member, 14)) or ''
end
return page
`;

/**
 * The statistics in one reply: the size of each list in KEYS[1..ARGV[1]], then created, processed and
 * failed of each minute key after them (0 where the minute has none).
 */
export const READ_STATISTICS = `
local lists = tonumber(ARGV[1])
local reply = {}
for k = 1, lists do reply[#reply + 1] = redis.call('ZCARD', KEYS[k]) end
for k = lists + 1, #KEYS do
  local counts = redis.call('HMGET', KEYS[k], 'c', 'p', 'f')
  for i = 1, 3 do reply[#reply + 1] = tonumber(counts[i]) or 0 end
end
return reply
`;

/** Deletes the key KEYS[1] if it holds ARGV[1] (a lock released by its holder only). */
export const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** Extends the key KEYS[1] by ARGV[2] ms if it holds ARGV[1]. */
export const RENEW_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/**
 * The primary this index was last found whole on, against the node that answers now: a failover
 * (a replica promoted) or a restart gives the node a new replication id (`master_replid`), and what
 * the old one acknowledged last may be missing here.
 *
 * KEYS: 1 meta. Returns { the node's replication id, the id the index was verified on ('' if never) }.
 */
export const READ_VERIFICATION = `
local info = redis.call('INFO', 'replication')
local replid = string.match(info, 'master_replid:(%w+)') or ''
return { replid, redis.call('HGET', KEYS[1], 'verifiedOn') or '' }
`;

/**
 * Records that the index is whole on this node up to the processors' committed offsets ARGV[2..]
 * (partition, offset pairs), if this node's replication id is still ARGV[1], and marks it verified on
 * it when ARGV[2] says so ('1'). Atomic with reading the id: a checkpoint never lands on a node that
 * took over in between, where it would hide what that node lacks.
 *
 * KEYS: 1 meta, 2 checkpoint hash. Returns 1 if recorded, 0 if the node changed.
 */
export const RECORD_CHECKPOINT = `
local info = redis.call('INFO', 'replication')
if string.match(info, 'master_replid:(%w+)') ~= ARGV[1] then return 0 end
if ARGV[2] == '1' then redis.call('HSET', KEYS[1], 'verifiedOn', ARGV[1]) end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
return 1
`;

/**
 * Puts back into a partition's log the entries a failover lost, in their places: a stream only
 * appends, so the entries after the first one missing are taken out and written again with the
 * missing ones among them (a few seconds of changes), and the head moves to the last. Entries the
 * log holds already, or that lie below its floor (trimmed away), are left alone.
 *
 * KEYS: 1 the partition's log, 2 log heads, 3 log floors, 4 meta.
 * ARGV: 1 partition, then seq, message, seq, message, … in ascending seq.
 * Returns how many entries were put back.
 */
export const RESTORE_LOG = `
local partition = ARGV[1]
local floor = redis.call('HGET', KEYS[3], partition)
local missing = {}
for i = 2, #ARGV, 2 do
  local seq = tonumber(ARGV[i])
  local id = seq .. '-1'
  if (floor == false or seq > tonumber(floor)) and #redis.call('XRANGE', KEYS[1], id, id) == 0 then
    missing[#missing + 1] = { seq, ARGV[i + 1] }
  end
end
if #missing == 0 then return 0 end
if floor == false then
  if redis.call('HGET', KEYS[4], 'genesis') == '1' then floor = -1 else floor = missing[1][1] - 1 end
  redis.call('HSET', KEYS[3], partition, floor)
end
local after = redis.call('XRANGE', KEYS[1], '(' .. missing[1][1] .. '-1', '+')
for _, entry in ipairs(after) do redis.call('XDEL', KEYS[1], entry[1]) end
local top = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
redis.call('XSETID', KEYS[1], top and top[1] or '0-1')
local merged = {}
for _, entry in ipairs(missing) do merged[#merged + 1] = { entry[1], entry[2] } end
for _, entry in ipairs(after) do
  local id = entry[1]
  merged[#merged + 1] = { tonumber(string.sub(id, 1, string.find(id, '-', 1, true) - 1)), entry[2][2] }
end
table.sort(merged, function(a, b) return a[1] < b[1] end)
for _, entry in ipairs(merged) do redis.call('XADD', KEYS[1], entry[1] .. '-1', 'm', entry[2]) end
local head = tonumber(redis.call('HGET', KEYS[2], partition) or '-1')
local last = merged[#merged][1]
if last > head then redis.call('HSET', KEYS[2], partition, last) end
return #missing
`;
