import { sequential } from '@gradstream/graph';
import { linear, mse, sigmoid } from '@gradstream/ops';
import { sgd } from '@gradstream/trainer';
const c = (v) => ({ type: 'constant', value: v });
const m = sequential([linear({inFeatures:1,outFeatures:1,weightInit:c(0.5),biasInit:c(0.1)}), sigmoid(), linear({inFeatures:1,outFeatures:1,weightInit:c(0.8),biasInit:c(0.2)})], {inputShape:[1], loss: mse()});
const plan = m.compile(1); plan.x.data[0]=1; plan.y.data[0]=1;
const refs = m.parameters(); const params = refs.map(p=>p.value); const grads = refs.map(p=>plan.paramGrads.get(p.id));
const opt = sgd({lr:0.1});
function run(n){ for(let i=0;i<n;i++){ plan.forward(); plan.backward(); opt.step(params, grads);} }
run(200000);
for (let r=0;r<5;r++){ const t0=performance.now(); run(1000000); const dt=performance.now()-t0; console.log('plan steps/s', (1e6/dt*1000/1e6).toFixed(2)+'M'); }
let f=0,b=0,o=0; 
for (let r=0;r<3;r++){ let t0=performance.now(); for(let i=0;i<1e6;i++) plan.forward(); f=performance.now()-t0; t0=performance.now(); for(let i=0;i<1e6;i++) plan.backward(); b=performance.now()-t0; t0=performance.now(); for(let i=0;i<1e6;i++) opt.step(params,grads); o=performance.now()-t0; console.log('ns fwd', f.toFixed(0), 'bwd', b.toFixed(0), 'opt', o.toFixed(0)); }
