#!/usr/bin/env node
/**
 * A stand-in for `terraform` in plan-all tests. The scenario file (FAKE_TF_SCENARIO) maps a stack directory
 * name to { init?: exit code, plan: exit code (or a list, one per plan call), changes?: [[address, type, action]],
 * output?: text, error?: diagnostic summary, human?: true, savedPlan?: show -json output, waitFor?: stack };
 * `plan -json` prints Terraform's machine-readable messages (with `human`, text only, as Terraform Cloud remote runs
 * do), `show` the saved plan as text and `show -json` the scenario's savedPlan. Every call appends "start <stack> <command>" / "end <stack> <command>" to FAKE_TF_EVENTS.
 * A successful init creates .terraform, as Terraform does.
 * `waitFor` makes plan wait until that stack's plan has started: with one stack at a time it never does,
 * and the plan fails saying so (a deterministic check of concurrency, no timing threshold).
 */
'use strict';
const fs = require('fs');
const path = require('path');

const stack = path.basename(process.cwd());
const command = process.argv[2];
const scenario = JSON.parse(fs.readFileSync(process.env.FAKE_TF_SCENARIO, 'utf8'))[stack] || { plan: 0 };
const events = process.env.FAKE_TF_EVENTS;
const event = (what) => fs.appendFileSync(events, `${what} ${stack} ${command}\n`);
const started = (other) => fs.readFileSync(events, 'utf8').split('\n').includes(`start ${other} plan`);

function finish(code) {
  event('end');
  process.exit(code);
}

event('start');
if (command === 'init') {
  if (scenario.init) {
    console.error(`\nError: Failed to query available provider packages\n\nCould not retrieve the list of available versions for provider hashicorp/null`);
    finish(scenario.init);
  }
  fs.mkdirSync('.terraform', { recursive: true });
  console.log('Terraform has been successfully initialized!');
  finish(0);
}
if (command === 'plan') {
  const out = process.argv.find((a) => a.startsWith('-out=')).slice(5);
  const plans = fs
    .readFileSync(events, 'utf8')
    .split('\n')
    .filter((e) => e === `start ${stack} plan`).length;
  const exitCode = Array.isArray(scenario.plan) ? scenario.plan[plans - 1] : scenario.plan;
  const message = (type, text, fields = {}) => console.log(JSON.stringify({ '@level': 'info', '@message': text, type, ...fields }));
  const go = () => {
    if (scenario.human) {
      fs.writeFileSync(out, JSON.stringify(scenario.changes || []));
      console.log('Running plan in HCP Terraform.\n\nPlan: 2 to add, 0 to change, 1 to destroy.');
      finish(exitCode);
    }
    message('version', 'Terraform 1.11.4', { terraform: '1.11.4', ui: '1.2' });
    if (scenario.output) message('log', scenario.output);
    if (exitCode === 1) {
      const diagnostic = {
        severity: 'error',
        summary: scenario.error || 'Unable to find remote state',
        detail: 'No stored state was found',
        address: 'data.terraform_remote_state.phase1',
      };
      console.log(JSON.stringify({ '@level': 'error', '@message': `Error: ${diagnostic.summary}`, type: 'diagnostic', diagnostic }));
      finish(1);
    }
    for (const [addr, type, action] of scenario.changes || []) {
      message('planned_change', `${addr}: Plan to ${action}`, { change: { resource: { addr, resource: addr, resource_type: type }, action } });
    }
    fs.writeFileSync(out, JSON.stringify(scenario.changes || []));
    const tally = (...actions) => (scenario.changes || []).filter(([, , action]) => actions.includes(action)).length;
    const changes = { add: tally('create', 'replace'), change: tally('update'), import: 0, remove: tally('delete', 'replace', 'remove'), operation: 'plan' };
    message('change_summary', `Plan: ${changes.add} to add, ${changes.change} to change, ${changes.remove} to destroy.`, { changes });
    finish(exitCode);
  };
  if (!scenario.waitFor) go();
  else {
    let tries = 0;
    const poll = setInterval(() => {
      if (started(scenario.waitFor)) {
        clearInterval(poll);
        go();
      } else if (++tries > Number(process.env.FAKE_TF_WAIT_TRIES || 300)) {
        clearInterval(poll);
        console.error(`Error: ${scenario.waitFor} was not planned while ${stack} was`);
        finish(1);
      }
    }, 20);
  }
} else if (command === 'show' && process.argv.includes('-json')) {
  console.log(JSON.stringify(scenario.savedPlan || {}));
  finish(0);
} else if (command === 'show') {
  for (const [addr, , action] of JSON.parse(fs.readFileSync(process.argv[process.argv.length - 1], 'utf8'))) console.log(`  # ${addr} will be ${action}d`);
  finish(0);
} else {
  console.error(`fake terraform: unexpected command ${command}`);
  finish(3);
}
