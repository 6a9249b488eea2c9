import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../../src/core/atomicWrite';

describe('writeFileAtomic', () => {
  let dir: string;
  const target = () => path.join(dir, 'model.bin');
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'transfer-lab-atomic-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces the target with what the writer wrote and leaves no temporary file', async () => {
    writeFileSync(target(), 'old');
    let seenTemp = '';
    await writeFileAtomic(target(), async (tempPath) => {
      seenTemp = tempPath;
      assert.equal(path.dirname(tempPath), dir, 'the temporary file is beside the target');
      await fs.writeFile(tempPath, 'new content');
      assert.equal(readFileSync(target(), 'utf8'), 'old', 'the target is untouched until the rename');
    });
    assert.match(path.basename(seenTemp), new RegExp(`^model\\.bin\\.tmp-${process.pid}-[0-9a-f]+$`));
    assert.equal(readFileSync(target(), 'utf8'), 'new content');
    assert.deepEqual(readdirSync(dir), ['model.bin']);
  });

  it('keeps the old target and removes the partial temporary file when the writer throws', async () => {
    writeFileSync(target(), 'precious');
    await assert.rejects(
      writeFileAtomic(target(), async (tempPath) => {
        await fs.writeFile(tempPath, 'half of a mod');
        throw new Error('disk on fire');
      }),
      /disk on fire/,
    );
    assert.equal(readFileSync(target(), 'utf8'), 'precious');
    assert.deepEqual(readdirSync(dir), ['model.bin']);
  });

  it('creates no target when there was none and the writer fails before writing anything', async () => {
    const fresh = path.join(dir, 'fresh.txt');
    await assert.rejects(writeFileAtomic(fresh, async () => {
      throw new Error('nothing written');
    }), /nothing written/);
    assert.deepEqual(readdirSync(dir), ['model.bin']);
  });
});
