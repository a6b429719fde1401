//! The ephemeral contract on Redis. Values are stored as `<expires_at>|<value>` so expiry is
//! judged by Lanyard's clock; the Redis TTL (with a minute's slack) only frees memory.

use redis::AsyncCommands;
use redis::aio::ConnectionManager;

use super::{Follow, Followed};
use crate::clock::Clock;
use crate::store::StoreError;

/// Read-modify-write in one atomic script: counts within the window, restarts after it.
const INCR: &str = r"
local v = redis.call('GET', KEYS[1])
local now = tonumber(ARGV[1])
if v then
  local sep = string.find(v, '|', 1, true)
  local exp = tonumber(string.sub(v, 1, sep - 1))
  if exp > now then
    local n = (tonumber(string.sub(v, sep + 1)) or 0) + 1
    redis.call('SET', KEYS[1], exp .. '|' .. n, 'KEEPTTL')
    return n
  end
end
redis.call('SET', KEYS[1], (now + tonumber(ARGV[2])) .. '|1', 'PX', ARGV[3])
return 1
";

/// Compare-and-delete in one script: only the stored `<expires_at>|<value>` with this value goes.
const TAKE_IF: &str = r"
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local sep = string.find(v, '|', 1, true)
if tonumber(string.sub(v, 1, sep - 1)) <= tonumber(ARGV[2]) then return 0 end
if string.sub(v, sep + 1) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
";

/// `get_following` in one round trip: the value, then each key it names (see `Follow`). Keys
/// are computed here, so this assumes one Redis, not a cluster (as the rest of the store does).
/// cjson reads numbers as doubles: `%.14g` prints the integer ids followed here exactly.
const FOLLOW: &str = r"
local now = tonumber(ARGV[1])
local function live(v)
  if not v then return nil end
  local sep = string.find(v, '|', 1, true)
  local exp = sep and tonumber(string.sub(v, 1, sep - 1))
  if not exp or exp <= now then return nil end
  return string.sub(v, sep + 1)
end
local value = live(redis.call('GET', KEYS[1]))
if not value then return {} end
local ok, doc = pcall(cjson.decode, value)
local out = {value}
for i = 3, #ARGV, 2 do
  local field = nil
  if ok and type(doc) == 'table' then
    field = doc
    for part in string.gmatch(ARGV[i + 1], '[^.]+') do
      if type(field) == 'table' then field = field[part] else field = nil end
    end
  end
  local found = false
  if type(field) == 'string' then
    found = live(redis.call('GET', ARGV[2] .. ARGV[i] .. field)) or false
  elseif type(field) == 'number' then
    found = live(redis.call('GET', ARGV[2] .. ARGV[i] .. string.format('%.14g', field))) or false
  end
  table.insert(out, found)
end
return out
";

const GC_SLACK_MS: i64 = 60_000;

#[derive(Clone)]
pub struct RedisEphemeral {
    conn: ConnectionManager,
    prefix: String,
    clock: Clock,
    incr: redis::Script,
    take_if: redis::Script,
    follow: redis::Script,
}

impl RedisEphemeral {
    pub async fn connect(url: &str, prefix: &str, clock: Clock) -> Result<Self, StoreError> {
        let client = redis::Client::open(url)?;
        // Bounded: with Redis down a request fails within about a second and a half (and is
        // answered 503), instead of retrying for several seconds; the manager reconnects by
        // itself once Redis is back.
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(std::time::Duration::from_millis(750)))
            .set_response_timeout(Some(std::time::Duration::from_millis(750)))
            .set_number_of_retries(1)
            .set_max_delay(std::time::Duration::from_millis(250));
        let conn = ConnectionManager::new_with_config(client, config).await?;
        Ok(RedisEphemeral {
            conn,
            prefix: prefix.to_string(),
            clock,
            incr: redis::Script::new(INCR),
            take_if: redis::Script::new(TAKE_IF),
            follow: redis::Script::new(FOLLOW),
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn gc_ms(ttl: i64) -> u64 {
        u64::try_from(ttl.max(1).saturating_mul(1000).saturating_add(GC_SLACK_MS)).unwrap_or(u64::MAX)
    }

    /// Splits `<expires_at>|<value>`, returning the value only while it is live.
    fn live(&self, raw: Option<String>) -> Option<String> {
        let raw = raw?;
        let (exp, value) = raw.split_once('|')?;
        (exp.parse::<i64>().ok()? > self.clock.now()).then(|| value.to_string())
    }

    pub async fn put(&self, key: &str, value: &str, ttl: i64) -> Result<(), StoreError> {
        let stored = format!("{}|{value}", self.clock.now().saturating_add(ttl));
        let mut conn = self.conn.clone();
        let _: () = redis::cmd("SET")
            .arg(self.key(key))
            .arg(stored)
            .arg("PX")
            .arg(Self::gc_ms(ttl))
            .query_async(&mut conn)
            .await?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        let mut conn = self.conn.clone();
        let raw: Option<String> = conn.get(self.key(key)).await?;
        Ok(self.live(raw))
    }

    pub async fn get_many(&self, keys: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.conn.clone();
        let full: Vec<String> = keys.iter().map(|k| self.key(k)).collect();
        let raw: Vec<Option<String>> = redis::cmd("MGET").arg(full).query_async(&mut conn).await?;
        Ok(raw.into_iter().map(|r| self.live(r)).collect())
    }

    pub async fn get_following(&self, key: &str, follow: &[Follow<'_>]) -> Result<Option<Followed>, StoreError> {
        let mut conn = self.conn.clone();
        let mut call = self.follow.key(self.key(key));
        call.arg(self.clock.now()).arg(&self.prefix);
        for f in follow {
            call.arg(f.prefix).arg(f.field);
        }
        let reply: Vec<redis::Value> = call.invoke_async(&mut conn).await?;
        // A missing key is Lua's `false`: nil in RESP2, a boolean in RESP3.
        let mut found = reply.into_iter().map(|v| match v {
            redis::Value::Nil | redis::Value::Boolean(false) => Ok(None),
            other => redis::from_redis_value::<String>(other).map(Some).map_err(redis::RedisError::from),
        });
        let Some(value) = found.next().transpose()?.flatten() else { return Ok(None) };
        let mut values = found.collect::<Result<Vec<_>, _>>()?;
        values.resize(follow.len(), None);
        Ok(Some(Followed { value, values }))
    }

    /// GETDEL is atomic: of concurrent callers only one receives the value.
    pub async fn take(&self, key: &str) -> Result<Option<String>, StoreError> {
        let mut conn = self.conn.clone();
        let raw: Option<String> = conn.get_del(self.key(key)).await?;
        Ok(self.live(raw))
    }

    pub async fn take_if(&self, key: &str, expected: &str) -> Result<bool, StoreError> {
        let mut conn = self.conn.clone();
        let n: i64 =
            self.take_if.key(self.key(key)).arg(expected).arg(self.clock.now()).invoke_async(&mut conn).await?;
        Ok(n == 1)
    }

    pub async fn incr(&self, key: &str, ttl: i64) -> Result<i64, StoreError> {
        let mut conn = self.conn.clone();
        let n: i64 = self
            .incr
            .key(self.key(key))
            .arg(self.clock.now())
            .arg(ttl)
            .arg(Self::gc_ms(ttl))
            .invoke_async(&mut conn)
            .await?;
        Ok(n)
    }

    pub async fn count(&self, key: &str) -> Result<i64, StoreError> {
        Ok(self.get(key).await?.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        let _: i64 = conn.del(self.key(key)).await?;
        Ok(())
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        let _: String = redis::cmd("PING").query_async(&mut conn).await?;
        Ok(())
    }
}
