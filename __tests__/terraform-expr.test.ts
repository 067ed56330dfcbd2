/** The Terraform literal and expression helpers, read back by real Terraform (built-ins only: no provider needed). */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { hclString, interpolation, literal, tryOr } from '../lib/terraform-expr';
import { evaluate } from './support/terraform-eval';

const HOSTILE = ['${1}', '%{ if true }x%{ endif }', '$${already}', 'a "quoted" \\ back\\slash', 'tab\tnew\nline', '\u0001\u001f\u007f', 'plain $1 % {}'];

/** Each local's value as Terraform computed it. */
const terraformValues = (locals: Record<string, string>): Record<string, unknown> =>
  evaluate(locals, Object.fromEntries(Object.keys(locals).map((k) => [k, `local.${k}`])));

test('literal() and hclString() make any text arrive in Terraform byte for byte', () => {
  const locals: Record<string, string> = {};
  HOSTILE.forEach((text, i) => {
    locals[`literal_${i}`] = literal(text);
    locals[`hcl_${i}`] = interpolation(hclString(text));
    locals[`try_${i}`] = interpolation(tryOr('tomap({})["missing"]', text));
  });
  const values = terraformValues(locals);
  HOSTILE.forEach((text, i) => {
    expect({ i, literal: values[`literal_${i}`], hcl: values[`hcl_${i}`], try: values[`try_${i}`] }).toEqual({ i, literal: text, hcl: text, try: text });
  });
});

test('hclString inside fileexists() finds a path with template-like characters', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'amp-xa-expr-path-'));
  const tricky = path.join(dir, 'state ${x} %{y}');
  mkdirSync(tricky);
  writeFileSync(path.join(tricky, 'f'), '');
  try {
    expect(terraformValues({ exists: interpolation(`fileexists(${hclString(path.join(tricky, 'f'))})`) })).toEqual({ exists: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
