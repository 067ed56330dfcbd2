/**
 * Longest files first, so with a few workers the slowest file is never the one started last (a fresh CI clone has
 * no jest timing cache; jest would order by file size). Files not listed run after these, largest first.
 * The order comes from the files' measured durations: scraper deletions (8 minutes each) dominate.
 */
const Sequencer = require('@jest/test-sequencer').default;
const path = require('path');

const LONGEST_FIRST = [
  'fleet',
  'fleet-removal',
  'fleet-failure',
  'try-it-locally',
  'two-phase',
  'preflight',
  'credential-modes',
  'readme',
  'recovery',
  'recovery-s3',
  'scraper-emulator',
  'status',
  'ci-helpers',
  's3-backend',
  'offline',
  'adoption',
  'sandbox',
];

class LongestFirst extends Sequencer {
  sort(tests) {
    const rank = (test) => {
      const i = LONGEST_FIRST.indexOf(path.basename(test.path).replace(/\.e2e\.test\.ts$/, ''));
      return i === -1 ? LONGEST_FIRST.length : i;
    };
    return [...tests].sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
  }
}

module.exports = LongestFirst;
