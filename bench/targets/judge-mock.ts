import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { flag, ready } from '../lib/child.js';

/**
 * A Judge model for the benchmark: OpenAI-compatible, answers every rubric `pass` with a score for
 * each criterion its schema requires, after `--delay MS` (the Judge's own model time).
 */
const delayMs = Number(flag('delay', '0'));
let calls = 0;
const server = createServer((req, res) => {
  if (req.url === '/count') {
    res.end(String(calls));
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    calls += 1;
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      response_format: { json_schema: { schema: { properties: { scores: { required: string[] } } } } };
    };
    const criteria = body.response_format.json_schema.schema.properties.scores.required;
    const content = JSON.stringify({
      verdict: 'pass',
      scores: Object.fromEntries(criteria.map((c) => [c, 0.01])),
      confidence: 0.9,
      rationale: 'bench',
    });
    const out = JSON.stringify({
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 300, completion_tokens: 40 },
    });
    const send = () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
      res.end(out);
    };
    if (delayMs > 0) setTimeout(send, delayMs);
    else send();
  });
});
server.listen(0, '127.0.0.1', () => ready(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => process.exit(0));
