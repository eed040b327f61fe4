// DuckDB (npm @duckdb/node-api) over the synthetic flows in Parquet: the
// peer of bench/query_peers.sh. Node script, run with
// NODE_PATH=<dir holding node_modules> node bench/duckdb_flows.js ...
//
//   load CSV PARQUET          converts one `gen_flows --numeric-addresses`
//                             CSV (a file or /dev/stdin) to a Parquet file
//   query DIR NAME THREADS    runs query NAME (talkers, apps, cond443, anyip) over
//                             DIR/*.parquet with THREADS threads and prints
//                             the top 10 as
//                               key,...,bytes_rcvd,bytes_sent,packets_rcvd,packets_sent
//                             keys in goquery's text form (addresses as text;
//                             anyip: address,bytes),
//                             then one line "# query_seconds S cpu_seconds C rows R"
//                             (the query alone, inside the process).
//   version                   prints DuckDB's version
//
// Addresses are stored as two UBIGINT halves of their 128-bit IPv6 form
// (IPv4 as ::ffff:a.b.c.d): fixed-width integers are what DuckDB groups
// fastest, so the peer gets its best layout.
'use strict';
const { DuckDBInstance } = require('@duckdb/node-api');

const V4_MAPPED = 0xffff00000000n;

// Text form of an address from its halves (as IpAddress::ToString prints).
function addressText(hi, lo) {
  hi = BigInt(hi);
  lo = BigInt(lo);
  if (hi === 0n && (lo >> 32n) === 0xffffn) {
    const v = Number(lo & 0xffffffffn);
    return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
  }
  const groups = [];
  for (let i = 3; i >= 0; --i) groups.push(Number((hi >> BigInt(16 * i)) & 0xffffn));
  for (let i = 3; i >= 0; --i) groups.push(Number((lo >> BigInt(16 * i)) & 0xffffn));
  // RFC 5952: the longest run (>= 2) of zero groups, first if tied, becomes "::".
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { ++i; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) ++j;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (g) => g.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(groups);
  return hex(groups.slice(0, best)) + '::' + hex(groups.slice(best + bestLen));
}

const COUNTERS = 'sum(bytes_rcvd) AS br, sum(bytes_sent) AS bs, ' +
                 'sum(packets_rcvd) AS pr, sum(packets_sent) AS ps';
const ORDER = 'ORDER BY br + bs DESC LIMIT 10';

function querySql(name, dir) {
  const from = `read_parquet('${dir}/*.parquet')`;
  switch (name) {
    case 'talkers':
      return `SELECT sip_hi, sip_lo, dip_hi, dip_lo, ${COUNTERS} FROM ${from}
              GROUP BY sip_hi, sip_lo, dip_hi, dip_lo ${ORDER}`;
    case 'apps':
      return `SELECT dport, proto, ${COUNTERS} FROM ${from} GROUP BY dport, proto ${ORDER}`;
    case 'cond443':
      // dport = 443 and snet = 10.0.0.0/8
      return `SELECT sip_hi, sip_lo, dip_hi, dip_lo, ${COUNTERS} FROM ${from}
              WHERE dport = 443 AND sip_hi = 0
                AND sip_lo BETWEEN ${V4_MAPPED | 0x0a000000n} AND ${V4_MAPPED | 0x0affffffn}
              GROUP BY sip_hi, sip_lo, dip_hi, dip_lo ${ORDER}`;
    case 'anyip':
      // nfdump -s ip/bytes: every address, as source or destination.
      return `SELECT ip_hi, ip_lo, sum(b) AS bytes FROM (
                SELECT sip_hi AS ip_hi, sip_lo AS ip_lo, bytes_rcvd + bytes_sent AS b FROM ${from}
                UNION ALL
                SELECT dip_hi, dip_lo, bytes_rcvd + bytes_sent FROM ${from})
              GROUP BY ip_hi, ip_lo ORDER BY bytes DESC LIMIT 10`;
    case 'rows':
      return `SELECT count(*) FROM ${from}`;
    default:
      throw new Error(`unknown query "${name}": want talkers, apps, cond443, anyip or rows`);
  }
}

async function main() {
  const [cmd, a, b, c] = process.argv.slice(2);
  if (cmd === 'version') {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    const r = await conn.runAndReadAll('SELECT version()');
    console.log(r.getRows()[0][0]);
    return;
  }
  if (cmd === 'load') {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const conn = await instance.connect();
    await conn.run(`COPY (SELECT * FROM read_csv('${a}', header = true, columns = {
        'tstamp': 'BIGINT', 'sip_hi': 'UBIGINT', 'sip_lo': 'UBIGINT', 'dip_hi': 'UBIGINT',
        'dip_lo': 'UBIGINT', 'dport': 'USMALLINT', 'proto': 'UTINYINT', 'bytes_rcvd': 'UBIGINT',
        'bytes_sent': 'UBIGINT', 'packets_rcvd': 'UBIGINT', 'packets_sent': 'UBIGINT'}))
      TO '${b}' (FORMAT parquet)`);
    return;
  }
  if (cmd === 'query') {
    const threads = Number(c);
    if (!(threads > 0)) throw new Error(`threads: want a positive number, got "${c}"`);
    const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
    const conn = await instance.connect();
    const sql = querySql(b, a);
    const total = await conn.runAndReadAll(querySql('rows', a));
    const rows = total.getRows()[0][0];
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const r = await conn.runAndReadAll(sql);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    for (const row of r.getRows()) {
      if (b === 'anyip') {
        console.log(`${addressText(row[0], row[1])},${row[2]}`);
        continue;
      }
      const keys = b === 'apps' ? [row[0], row[1]]
                                : [addressText(row[0], row[1]), addressText(row[2], row[3])];
      const n = row.length;
      console.log([...keys, row[n - 4], row[n - 3], row[n - 2], row[n - 1]].join(','));
    }
    console.log(`# query_seconds ${seconds.toFixed(3)} cpu_seconds ${
        ((cpu.user + cpu.system) / 1e6).toFixed(3)} rows ${rows}`);
    return;
  }
  throw new Error('usage: duckdb_flows.js load CSV PARQUET | query DIR NAME THREADS | version');
}

main().catch((e) => {
  console.error(`duckdb_flows: ${e.message}`);
  process.exit(1);
});
