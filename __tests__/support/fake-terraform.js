#!/usr/bin/env node
/**
 * A stand-in for `terraform` in plan-all tests. The scenario file (FAKE_TF_SCENARIO) maps a stack directory
 * name to { init?: exit code, plan: exit code, show?: plan JSON, output?: text, waitFor?: stack }; every call
 * appends "start <stack> <command>" / "end <stack> <command>" to FAKE_TF_EVENTS.
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
  console.log('Terraform has been successfully initialized!');
  finish(0);
}
if (command === 'plan') {
  const out = process.argv.find((a) => a.startsWith('-out=')).slice(5);
  const go = () => {
    if (scenario.output) console.log(scenario.output);
    if (scenario.plan === 1) {
      console.error(`\nError: Unable to find remote state\n\n  with data.terraform_remote_state.phase1,\n  on cdk.tf.json line 10:\n\nNo stored state was found`);
      finish(1);
    }
    fs.writeFileSync(out, JSON.stringify(scenario.show || { resource_changes: [] }));
    console.log(scenario.plan === 2 ? 'Plan: 1 to add, 0 to change, 0 to destroy.' : 'No changes. Your infrastructure matches the configuration.');
    finish(scenario.plan);
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
} else if (command === 'show') {
  process.stdout.write(fs.readFileSync(process.argv[process.argv.length - 1], 'utf8'));
  finish(0);
} else {
  console.error(`fake terraform: unexpected command ${command}`);
  finish(3);
}
