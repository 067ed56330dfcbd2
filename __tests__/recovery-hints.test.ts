/** What the deploy wrapper says after a deploy an interruption left stuck: a stale lock, a scraper still deleting. */
import { deletingHint, lockHint, stateLocks } from '../lib/recovery/hints';
import { lockHolder } from '../lib/recovery/holder';

// Terraform's lock error as cdktf prints it (stack-name prefix on a chunk's first line, the error box).
const LOCKED = `fleet-trust  Initializing the backend...
fleet-scrapers  ╷
                │ Error: Error acquiring the state lock
                │
                │ Error message: resource temporarily unavailable
                │ Lock Info:
                │   ID:        0c7e5f6e-2a41-8b7f-1f0e-3b2d9c1a4e55
                │   Path:      ../../state/terraform.fleet-scrapers.tfstate
                │   Operation: OperationTypeApply
                │   Who:       runner@ci-42
                │   Version:   1.11.4
                │   Created:   2026-12-02 15:00:00.123456 +0000 UTC
                │   Info:
                │
                │ Terraform acquires a state lock to protect the state from being written
                ╵
`;

test('a lock error is found with its stack, ID, holder and time', () => {
  expect(stateLocks(LOCKED, ['fleet-scrapers', 'fleet-trust'])).toEqual([
    { stack: 'fleet-scrapers', id: '0c7e5f6e-2a41-8b7f-1f0e-3b2d9c1a4e55', who: 'runner@ci-42', created: '2026-12-02 15:00:00.123456 +0000 UTC' },
  ]);
  expect(stateLocks('Apply complete!', ['fleet-scrapers'])).toEqual([]);
});

test('each holder gets the right advice: wait, unlock with the exact command, or check the other host first', () => {
  const [lock] = stateLocks(LOCKED, ['fleet-scrapers']);
  const unlock = 'terraform -chdir=cdktf.out/stacks/fleet-scrapers force-unlock -force 0c7e5f6e-2a41-8b7f-1f0e-3b2d9c1a4e55';
  expect(lockHint(lock, 'cdktf.out', { kind: 'gone-here' })).toContain(
    `no Terraform process on this machine works in cdktf.out/stacks/fleet-scrapers: the deploy that took it was killed. Release it with: ${unlock}`,
  );
  expect(lockHint(lock, 'cdktf.out', { kind: 'running-here', pids: [4242] })).toMatch(/still running here \(pid 4242\): let it finish.*do not unlock it$/);
  expect(lockHint(lock, 'cdktf.out', { kind: 'elsewhere', host: 'ci-42' })).toContain(
    `on host ci-42: if no deploy of this fleet runs there (its CI job ended or was cancelled), release it with: ${unlock}`,
  );
});

test("the provider's 409 on a scraper being deleted says to wait and deploy again", () => {
  const out = `fleet-scrapers  │ Error: deleting Prometheus Scraper (s-2b7e1c9a-0f3d-4e5a-9b8c-7d6e5f4a3b2c): operation error amp: DeleteScraper, https response error StatusCode: 409, RequestID: 1, ConflictException: Scraper s-2b7e1c9a-0f3d-4e5a-9b8c-7d6e5f4a3b2c is already being deleted`;
  expect(deletingHint(out)).toBe(
    'amp-xa: AMP is still deleting scraper s-2b7e1c9a-0f3d-4e5a-9b8c-7d6e5f4a3b2c (a deploy that was interrupted started it). Wait until npm run status no longer shows it DELETING (a few minutes), then deploy again: the deploy finishes the removal',
  );
  expect(deletingHint('Error: creating Prometheus Scraper: ValidationException')).toBeUndefined();
});

test('the holder: another host cannot be checked from here; on this host, no Terraform in the directory means gone', () => {
  expect(lockHolder({ id: 'x', who: 'runner@ci-42' }, '/nonexistent', 'laptop')).toEqual({ kind: 'elsewhere', host: 'ci-42' });
  expect(lockHolder({ id: 'x', who: 'me@laptop' }, '/nonexistent/stack', 'laptop')).toEqual({ kind: 'gone-here' });
});
