import { importVariables } from '../lib/recovery/terraform';
import { exampleConfig, synthFleet } from './support/fleet';

test("recover's imports switch a phase-1 stack's preflight off, and pass nothing to a stack without it", () => {
  const { json } = synthFleet(exampleConfig());
  expect(importVariables(json['fleet-scrapers'])).toEqual(['-var=amp_xa_recover_import=true']);
  // Terraform refuses a -var the configuration does not declare.
  expect(importVariables(json['fleet-trust'])).toEqual([]);
  expect(importVariables(undefined)).toEqual([]);
  expect(importVariables({ variable: { other: {} } })).toEqual([]);
});
