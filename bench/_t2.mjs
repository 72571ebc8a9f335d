import * as tf from '@tensorflow/tfjs';
import { setThreadsCount, getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
setThreadsCount(2);
try {
  await tf.setBackend('wasm'); await tf.ready();
  console.log('backend', tf.getBackend(), getThreadsCount());
  const x = tf.randomNormal([8, 32, 32, 64]); const w = tf.randomNormal([3, 3, 64, 64]);
  for (let i = 0; i < 5; i++) { const t0 = performance.now(); const y = tf.conv2d(x, w, 1, 'same'); y.dataSync(); console.log((performance.now() - t0).toFixed(1)); y.dispose(); }
} catch (e) { console.log('ERR', e); }
process.exit(0);
