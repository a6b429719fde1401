// The administration half of benches/growth.sh (issue 31): what administrators read from a big
// provider, timed, through the API with an automation client's token. Node's own fetch.
//
//   node admin.mjs reads    BASE TOKEN CODE ROUNDS       → one JSON line: p50/p99 ms per read
//   node admin.mjs export   BASE TOKEN CODE              → one JSON line: rows, seconds, rows/s
//   node admin.mjs workload BASE TOKEN CODE SECONDS      → three administrators paging and
//        searching while a fourth exports the activity, for SECONDS; one JSON line of counts
//
// Deep pages start from a cursor made the way the API makes them (a position, base64url): the
// bench does not walk 1,000 pages to reach page 1,000.
const [, , command, base, token, code, arg] = process.argv;
const api = `${base}/admin/api/v1/providers/${encodeURIComponent(code)}`;
const headers = { authorization: `Bearer ${token}` };
const cursor = (tag, key) => Buffer.from(`${tag}${key}`).toString('base64url');

async function get(path) {
  const response = await fetch(`${api}${path}`, { headers });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${body.slice(0, 300)}`);
  return body;
}

const READS = {
  users_first_page: '/users',
  users_deep_page: `/users?cursor=${cursor('a', 'member0050000')}`,
  users_last_page: `/users?cursor=${cursor('b', '\u{10FFFF}')}`,
  search_common: '/users?q=member00', // nearly every name: a page fills at once
  search_rare: '/users?q=zz9', // nobody: the walk covers the whole provider
  search_rare_deep: `/users?q=1234&cursor=${cursor('a', 'member0050000')}`,
  filter_locked: '/users?status=admin_locked',
  users_200: '/users?limit=200',
  activity_first_page: '/activity',
  activity_deep_page: null, // set from the newest id
  activity_one_kind: '/activity?kind=sign_out',
  invitations: '/invitations',
};

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function reads(rounds) {
  // The deep activity page: from the middle of the provider's ids.
  const first = JSON.parse(await get('/activity?limit=1'));
  const newest = first.entries[0]?.id ?? 1;
  READS.activity_deep_page = `/activity?cursor=${Math.max(1, Math.floor(newest / 2))}`;
  const out = {};
  for (const [name, path] of Object.entries(READS)) {
    await get(path); // warm
    const times = [];
    for (let i = 0; i < rounds; i += 1) {
      const t = performance.now();
      await get(path);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    out[name] = { p50_ms: percentile(times, 50), p99_ms: percentile(times, 99) };
  }
  return out;
}

async function exportAll() {
  const t = performance.now();
  const response = await fetch(`${api}/activity.csv`, { headers });
  if (response.status !== 200) throw new Error(`export: ${response.status}`);
  let rows = -1; // the header line
  // Counted with indexOf: a loop over every byte in JavaScript was slower than the server.
  for await (const chunk of response.body) {
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) rows += 1;
  }
  const seconds = (performance.now() - t) / 1000;
  return { rows, seconds, rows_per_sec: rows / seconds };
}

async function workload(seconds) {
  const until = Date.now() + seconds * 1000;
  const counts = { pages: 0, searches: 0, exports: 0, export_rows: 0 };
  const admin = async (n) => {
    let next = null;
    while (Date.now() < until) {
      const page = JSON.parse(await get(`/users?limit=200${next ? `&cursor=${next}` : ''}`));
      counts.pages += 1;
      next = page.next_cursor ?? null;
      await get(`/users?q=member${(n * 7919 + counts.searches) % 100000}`);
      counts.searches += 1;
    }
  };
  const exporter = async () => {
    while (Date.now() < until) {
      const r = await exportAll();
      counts.exports += 1;
      counts.export_rows += r.rows;
    }
  };
  await Promise.all([admin(1), admin(2), admin(3), exporter()]);
  return counts;
}

const result = command === 'reads' ? await reads(Number(arg || 50))
  : command === 'export' ? await exportAll()
  : command === 'workload' ? await workload(Number(arg || 20))
  : (() => { throw new Error(`unknown command ${command}`); })();
console.log(JSON.stringify(result));
