// Reading what the report writers wrote, as other tools would: report.json against the shipped
// schema (ajv, strict), junit.xml's test cases (fast-xml-parser).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { XMLParser } from 'fast-xml-parser';
import { ROOT } from '../run-cli.js';

const schema = JSON.parse(readFileSync(join(ROOT, 'reports', 'report.schema.json'), 'utf8'));
const ajv = new Ajv2020.default({ allErrors: true, strict: true });
// ajv-formats isn't a dependency; the one format the schema uses is checked here.
ajv.addFormat(
  'date-time',
  (text: string) =>
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(text) && !Number.isNaN(Date.parse(text)),
);
export const validateReport = ajv.compile(schema);

/** Every testcase of every testsuite, attributes prefixed with "@_". */
export function junitCases(xml: string): Record<string, unknown>[] {
  const parsed = new XMLParser({
    ignoreAttributes: false,
    htmlEntities: true,
    isArray: (name) => name === 'testcase' || name === 'testsuite',
  }).parse(xml);
  return parsed.testsuites.testsuite.flatMap((s: { testcase?: Record<string, unknown>[] }) => s.testcase ?? []);
}
