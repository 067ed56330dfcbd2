/**
 * Phase 2's read-back (`verified`), evaluated by Terraform over stand-in data: a role is read back after its
 * batch's run while a role of the batch is out of sync, and not at all when every live trust is its final document
 * (the no-change plan reads each role once, not twice).
 */
import { all, synthFleet } from './support/fleet';
import { evaluate } from './support/terraform-eval';
import { generateFleet } from '../scripts/generate-fleet';

const stack = synthFleet(generateFleet(3, { sourceAccounts: 1 })).json['fleet-trust'];
const roles = all(stack, 'aws_iam_role', 'data');
const names = (part: string) =>
  Object.keys(roles)
    .filter((k) => k.includes(`_${part}_`))
    .sort();
const pairOf = (name: string) => name.split('_')[0];
const sideOf = (name: string) => name.split('_')[1];
const PAIRS = [...new Set(names('live').map(pairOf))];

/** Terraform JSON text with phase 1's state and IAM's answers stood in for by locals. */
function standIn(text: string): string {
  return text
    .replaceAll('data.terraform_remote_state.scraper-state[0].outputs.scraper_arns', 'local.stand_in_arns')
    .replace(/data\.aws_iam_role\.([\w-]+)\[\*\]\.assume_role_policy/g, 'local.stand_in_live.$1');
}

/** Each read-back's count, by "<pair> <side>", for the ARNs phase 1 recorded and the live roles that drifted. */
function readBacks(arns: Record<string, string>, drifted: readonly string[] = []): Record<string, number> {
  const locals: Record<string, unknown> = JSON.parse(standIn(JSON.stringify(stack.locals)));
  locals.stand_in_arns = arns;
  // A live read has an instance while its pair has an ARN (its count), holding the final document unless drifted.
  locals.stand_in_live = Object.fromEntries(
    names('live').map((live) => {
      const document = Object.keys(stack.locals).find((k) => k.startsWith(`${pairOf(live)}_${sideOf(live)}_document_`));
      const policy = drifted.includes(`${pairOf(live)} ${sideOf(live)}`)
        ? 'jsonencode({ Version = "2012-10-17", Statement = [] })'
        : `jsonencode(local.${document})`;
      const count = standIn(roles[live].count).replace(/^\$\{(.*)\}$/, '$1');
      return [live, `\${slice([${policy}], 0, ${count})}`];
    }),
  );
  const outputs = Object.fromEntries(names('verified').map((v) => [`${pairOf(v)}_${sideOf(v)}`, standIn(roles[v].count).replace(/^\$\{(.*)\}$/, '$1')]));
  return Object.fromEntries(Object.entries(evaluate(locals, outputs)).map(([k, v]) => [k.replace('_', ' '), Number(v)]));
}

const arn = (pair: string) => `arn:aws:aps:eu-west-1:100000000000:scraper/s-${pair}`;
const every = (count: (pair: string, side: string) => number) =>
  Object.fromEntries(PAIRS.flatMap((p) => ['source-trust', 'target-trust'].map((s) => [`${p} ${s}`, count(p, s)])));

test('the fleet has one batch per role kind, with every pair in it', () => {
  expect(PAIRS).toHaveLength(3);
  expect(Object.keys(all(stack, 'terraform_data'))).toHaveLength(2);
});

test('every live trust is its final document: nothing is read back', () => {
  expect(readBacks(Object.fromEntries(PAIRS.map((p) => [p, arn(p)])))).toEqual(every(() => 0));
});

test('one role drifted: every role of its batch is read back after the run, the other batch is not', () => {
  const [, second] = PAIRS;
  expect(readBacks(Object.fromEntries(PAIRS.map((p) => [p, arn(p)])), [`${second} source-trust`])).toEqual(
    every((_, side) => (side === 'source-trust' ? 1 : 0)),
  );
});

test('a pair whose scraper phase 1 has just created (its roles still sealed) is read back with its batch; a pair without an ARN is not', () => {
  const [first, second, third] = PAIRS;
  const counts = readBacks({ [first]: arn(first), [second]: arn(second) }, [`${second} source-trust`, `${second} target-trust`]);
  expect(counts).toEqual(every((pair) => (pair === third ? 0 : 1)));
});

test('phase 1 has no state yet: nothing is read', () => {
  expect(readBacks({})).toEqual(every(() => 0));
});
