/*
 * The child process of test/kill-checkpoint.test.ts: trains a model of a million parameters
 * a little, writes a checkpoint (5.6 MB), and again, until it is killed or has written `--saves`.
 * The test bundles it with the packages' sources; run as it is, it imports the built packages
 * (dist/) through test/node_modules.
 *
 *   node checkpoint-writer.mjs <checkpoint path> [--saves N] [--first-step S] [--resume] [--stale-temp]
 *
 * Each line it prints on stdout is one fact the parent checks:
 *
 *   fresh | resumed <step> <hash>   where it started (with --resume: the checkpoint it loaded and verified)
 *   begin <step> <hash>             the write of this checkpoint starts
 *   done <step>                     that write returned: the file holds it
 *
 * `<hash>` is SHA-256 over the parameters' bytes in model order, computed here with node:crypto,
 * apart from the checkpoint's own checksum, so the parent can tell which write the file holds.
 * The checkpoint is taken (`toCheckpoint`: hashing, base64) before `begin`, and written with
 * `writeCheckpointFile`, so `begin` to `done` is the file's write alone: where a kill could tear it.
 *
 * `--stale-temp` first leaves a file where the temporary file of this process's first write would
 * go were it named by pid and a counter from 1 alone, as a killed process with the same pid would
 * have (a container's process often gets the same pid at every start).
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { sequential, toCheckpoint } from '@gradstream/graph';
import { loadCheckpoint, writeCheckpointFile } from '@gradstream/graph/node';
import { linear, mse, sigmoid } from '@gradstream/ops';
import { Rng } from '@gradstream/tensor';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    saves: { type: 'string' },
    'first-step': { type: 'string', default: '1' },
    resume: { type: 'boolean', default: false },
    'stale-temp': { type: 'boolean', default: false },
  },
});
const path = positionals[0];
if (path === undefined) throw new Error('usage: checkpoint-writer.mjs <checkpoint path> [--saves N] [--first-step S] [--resume] [--stale-temp]');
const saves = flags.saves === undefined ? Infinity : Number(flags.saves);
const INPUTS = 2048;
const HIDDEN = 512;
const BATCH = 4;
const LR = 0.01;

/** SHA-256 over every parameter's bytes, in the model's parameter order. */
const hashOf = (model) => {
  const h = createHash('sha256');
  for (const p of model.parameters()) h.update(new Uint8Array(p.value.data.buffer, p.value.data.byteOffset, p.value.data.byteLength));
  return h.digest('hex');
};

let model;
let step = Number(flags['first-step']) - 1;
if (flags.resume) {
  const loaded = await loadCheckpoint(path, { backend: 'ts' });
  model = loaded.model;
  step = loaded.step ?? 0;
  process.stdout.write(`resumed ${step} ${hashOf(model)}\n`);
} else {
  // 512·2048 + 512 + 512 + 1 parameters: a 5.6 MB file, long enough to write that kills land inside
  // even when the machine is busy and the parent's timer fires late.
  model = sequential([linear({ inFeatures: INPUTS, outFeatures: HIDDEN }), sigmoid(), linear({ inFeatures: HIDDEN, outFeatures: 1 })], {
    inputShape: [INPUTS],
    loss: mse(),
    seed: step + 1,
    backend: 'ts',
  });
  process.stdout.write('fresh\n');
}
if (flags['stale-temp']) {
  writeFileSync(join(dirname(path), `.${basename(path)}.${process.pid}.1.tmp`), '{"format":"gradstream-checkpoint","params":{');
}

const plan = model.plan(BATCH);
const params = model.parameters().map((p) => p.value);
const grads = model.parameters().map((p) => plan.paramGrads.get(p.id));
const rng = Rng.fromSeed(step + 1);
for (let made = 0; made < saves; made++) {
  // A little training, so each checkpoint holds different parameters.
  for (let j = 0; j < plan.x.size; j++) plan.x.data[j] = rng.next();
  for (let j = 0; j < plan.y.size; j++) plan.y.data[j] = rng.next();
  plan.computeGradients();
  // Plain SGD through the backend's kernel: the trainer package would add to the start-up time.
  for (let k = 0; k < params.length; k++) model.backend.sgdUpdate(params[k].data, grads[k].data, LR);
  step++;
  const checkpoint = toCheckpoint(model, { step, meta: { writer: process.pid } });
  process.stdout.write(`begin ${step} ${hashOf(model)}\n`);
  await writeCheckpointFile(checkpoint, path);
  process.stdout.write(`done ${step}\n`);
}
