// junit.xml for CI test views: a testsuite per backend, a testcase per property and per
// wall-clock scenario (its severity in a failure's message, a scenario's figures too), per budget
// limit and per regression row; gates with nothing itemised (availability, a suite that could
// not run) get one testcase of their own so that no failure is invisible there.
import type { PropertyResult } from '../properties/engine/result.js';
import type { ScenarioResult } from '../properties/scenarios/result.js';
import { budgetCheckText, regressionRowText } from './gates.js';
import type { BackendReport, Gate, GateStatus, Report } from './report.js';
import { scenarioText } from './scenario-text.js';
import { escapeAttribute, escapeText } from './xml.js';

interface Case {
  classname: string;
  name: string;
  timeMs: number;
  outcome?: { kind: 'failure' | 'error' | 'skipped'; message: string; body?: string };
}

function caseXml(c: Case): string {
  const head = `    <testcase classname="${escapeAttribute(c.classname)}" name="${escapeAttribute(c.name)}" time="${(c.timeMs / 1000).toFixed(3)}"`;
  if (c.outcome === undefined) return `${head}/>`;
  const { kind, message, body } = c.outcome;
  const inner =
    body === undefined
      ? `<${kind} message="${escapeAttribute(message)}"/>`
      : `<${kind} message="${escapeAttribute(message)}">${escapeText(body)}</${kind}>`;
  return `${head}>\n      ${inner}\n    </testcase>`;
}

function propertyCase(backend: BackendReport, p: PropertyResult): Case {
  const c: Case = { classname: `sessionbench.${backend.name}.properties`, name: p.id, timeMs: p.durationMs };
  if (p.status === 'not-applicable') c.outcome = { kind: 'skipped', message: p.message };
  // The severity leads the message, so a CI view shows how loud a failure is without opening it.
  if (p.status === 'failed') {
    const body = [
      p.statement,
      `Severity: ${p.severity}`,
      `Counterexample: ${p.counterexample}`,
      `Seed: ${p.seed} Path: ${p.path}`,
      `Replay: ${p.replay}`,
    ];
    c.outcome = { kind: 'failure', message: `[${p.severity}] ${p.message}`, body: body.join('\n') };
  }
  if (p.status === 'errored') {
    const body = [p.statement, `Severity: ${p.severity}`, ...(p.seed === undefined ? [] : [`Seed: ${p.seed}`])];
    c.outcome = { kind: 'error', message: `[${p.severity}] ${p.message}`, body: body.join('\n') };
  }
  return c;
}

function scenarioCase(backend: BackendReport, s: ScenarioResult): Case {
  const c: Case = { classname: `sessionbench.${backend.name}.scenarios`, name: s.id, timeMs: s.durationMs };
  const text = scenarioText(s);
  const body = [s.statement, `Severity: ${s.severity}`, text].join('\n');
  if (s.status === 'not-applicable') c.outcome = { kind: 'skipped', message: s.reason };
  if (s.status === 'failed') c.outcome = { kind: 'failure', message: `[${s.severity}] ${text}`, body };
  if (s.status === 'errored') c.outcome = { kind: 'error', message: `[${s.severity}] ${s.error}`, body };
  return c;
}

function statusOutcome(status: GateStatus, message: string): Case['outcome'] {
  if (status === 'failed') return { kind: 'failure', message, body: message };
  if (status === 'skipped') return { kind: 'skipped', message };
  return undefined;
}

function backendCases(backend: BackendReport, report: Report): Case[] {
  const cls = (what: string): string => `sessionbench.${backend.name}.${what}`;
  const cases = [
    ...backend.properties.map((p) => propertyCase(backend, p)),
    ...(backend.scenarios ?? []).map((s) => scenarioCase(backend, s)),
  ];
  for (const check of backend.budgets) {
    const text = budgetCheckText(check);
    cases.push({ classname: cls('budgets'), name: text, timeMs: 0, outcome: statusOutcome(check.status, text) });
  }
  for (const row of report.regression?.rows.filter((r) => r.backend === backend.name) ?? []) {
    const text = regressionRowText(row);
    cases.push({
      classname: cls('regression'),
      name: text,
      timeMs: 0,
      outcome: statusOutcome(row.status, row.note ?? text),
    });
  }
  const itemised = new Set(cases.map((c) => c.classname));
  const gateCase = (g: Gate): Case => ({
    classname: cls('gates'),
    name: g.name,
    timeMs: 0,
    outcome: statusOutcome(g.status, g.detail),
  });
  return [...cases, ...backend.gates.filter((g) => !itemised.has(cls(g.name))).map(gateCase)];
}

function counts(cases: Case[]): string {
  const n = (kind: string): number => cases.filter((c) => c.outcome?.kind === kind).length;
  return `tests="${cases.length}" failures="${n('failure')}" errors="${n('error')}" skipped="${n('skipped')}"`;
}

export function renderJunit(report: Report): string {
  const suites = report.backends.map((backend) => ({ backend, cases: backendCases(backend, report) }));
  const all = suites.flatMap((s) => s.cases);
  const total = (ms: number): string => (ms / 1000).toFixed(3);
  const body = suites.map(({ backend, cases }) => {
    const time = cases.reduce((sum, c) => sum + c.timeMs, 0);
    return [
      `  <testsuite name="${escapeAttribute(`sessionbench.${backend.name}`)}" ${counts(cases)} time="${total(time)}" timestamp="${report.generatedAt}">`,
      `    <properties><property name="kind" value="${backend.kind}"/><property name="backend" value="${escapeAttribute(backend.spec)}"/></properties>`,
      ...cases.map(caseXml),
      '  </testsuite>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="sessionbench" ${counts(all)} time="${total(report.durationMs)}">`,
    ...body,
    '</testsuites>',
    '',
  ].join('\n');
}
