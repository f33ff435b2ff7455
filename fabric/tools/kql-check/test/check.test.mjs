// The checker reports errors: a deliberately broken script fails with file:line messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const check = join(here, '..', 'check.mjs');
const fabric = join(here, '..', '..', '..');

test('a broken script is rejected with each error located', () => {
    const run = spawnSync(process.execPath, [check, '--root', fabric, '--only', join(here, 'broken.kql')], { encoding: 'utf8' });
    assert.equal(run.status, 1, run.stdout + run.stderr);
    const err = run.stderr;
    assert.match(err, /broken\.kql:4:\d+: KS142 .*no_such_column/);
    assert.match(err, /broken\.kql:9:\d+: KS006 /);
    assert.match(err, /broken\.kql:12: mapping bad_mapping: column store_id is long, mapped as string/);
    assert.match(err, /broken\.kql:12: mapping bad_mapping: column nope is not in table receipt_created/);
    assert.match(err, /broken\.kql:14: update policy of store_opened: query yields \(event_type:string\)/);
    assert.match(err, /broken\.kql:17:\d+: KS204 .*receipt_created_nodedup/);
});

test('the committed fabric assets have no error', () => {
    const run = spawnSync(process.execPath, [check, '--root', fabric], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /0 errors/);
});
