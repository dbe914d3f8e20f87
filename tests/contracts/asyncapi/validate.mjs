// Parse an AsyncAPI document with the AsyncAPI parser; print its diagnostics as JSON and exit
// 1 when any is an error (severity 0). Usage: node validate.mjs <file>
import { readFileSync } from 'node:fs';
import { Parser } from '@asyncapi/parser';

const file = process.argv[2];
const parser = new Parser();
const { document, diagnostics } = await parser.parse(readFileSync(file, 'utf8'), { source: file });
const shown = diagnostics.map((d) => ({
  severity: d.severity,
  code: d.code,
  message: d.message,
  path: d.path.join('.'),
}));
console.log(JSON.stringify({ parsed: document !== undefined, diagnostics: shown }));
process.exit(document === undefined || diagnostics.some((d) => d.severity === 0) ? 1 : 0);
