// ClickHouse's HTTP interface in front of embedded ClickHouse (chdb), for the tests of
// `--store clickhouse` with the official @clickhouse/client: there is no ClickHouse server with
// Map columns here (Debian ships 18.16), so the client talks HTTP to this loopback server and
// every statement runs on the real engine. Protocol as ClickHouse serves it: the statement in
// the `query` URL parameter and/or the body (an INSERT's rows follow it in the body), query
// parameters as `param_<name>` in ClickHouse's text format (run as `SET param_<name> = '…'`,
// which the engine parses by the declared type exactly as it does for HTTP), errors as a 500
// with `Code: N. DB::Exception: …` and the X-ClickHouse-Exception-Code header. `fail` makes
// every request answer 503 (a server that went away behind a load balancer).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChdbSession } from '../../../src/node/collector/chdb-load.js';

const literal = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Starts the server on a free loopback port. */
export async function startClickHouseHttp(session: ChdbSession) {
  let failing = false;
  let statements = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failing) return void res.writeHead(503).end('Service Unavailable');
      const url = new URL(req.url ?? '/', 'http://clickhouse');
      if (url.pathname === '/ping') return void res.writeHead(200).end('Ok.\n');
      const body = Buffer.concat(chunks).toString('utf8');
      const sql = [url.searchParams.get('query'), body].filter((x) => x).join('\n');
      const sets = [...url.searchParams].filter(([k]) => k.startsWith('param_')).map(([k, v]) => `SET ${k} = ${literal(v)}`);
      try {
        // One synchronous call: the SETs and the statement run together, never interleaved with another request's.
        const out = session.query([...sets, sql].join(';\n'), 'TabSeparated');
        statements++;
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Summary': '{}' }).end(out);
      } catch (e) {
        const message = (e as Error).message;
        const code = /Code: (\d+)/.exec(message)?.[1] ?? '1001';
        res.writeHead(500, { 'X-ClickHouse-Exception-Code': code }).end(/^Code: /.test(message) ? message : `Code: ${code}. DB::Exception: ${message}`);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Statements run so far (the requests really reached the engine). */
    get statements() {
      return statements;
    },
    fail(on: boolean) {
      failing = on;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
