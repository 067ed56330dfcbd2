/**
 * Longest files first, so with a few workers the slowest file is never the one started last (a fresh CI clone has
 * no jest timing cache; jest would order by file size). Files not listed run after these, largest first.
 * The order comes from the files' measured durations: scraper deletions (8 minutes each) dominate.
 */
const Sequencer = require('@jest/test-sequencer').default;
const path = require('path');

const LONGEST_FIRST = [
  // The longest (measured 14-18 min with six workers): four wait 8 minutes on a scraper deletion, two-phase runs seven
  // deploys. Started first, they overlap.
  'fleet',
  'two-phase',
  'fleet-removal',
  'try-it-locally',
  'fleet-failure',
  // recovery kills four deploys (12 min with six workers): started last, it was the suite's tail.
  'recovery',
  // The rest by measured length (six workers, GOGC off: readme 11 min, adoption 8); they fill the cores while the
  // first ones wait.
  'readme',
  'adoption',
  'scraper-emulator',
  'isolation',
  'preflight',
  'credential-modes',
  'status',
  'recovery-s3',
  'ci-helpers',
  's3-backend',
  'offline',
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
