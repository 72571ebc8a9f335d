// bench/cases-1d.mjs: 1-D convolution by every method of cl.methods.conv1d and by 'auto',
// for n in {1k, 16k, 256k} and m from 5 to 1023. No peer offers these; the point is the
// crossover between the methods and how close 'auto' stays to the fastest.
import { randomArray } from './layouts.mjs';

export function conv1dCases(cl) {
  const cases = [];
  for (const n of [1024, 16384, 262144]) {
    for (const m of [5, 15, 63, 255, 1023]) {
      const f = randomArray(n, n + m);
      const h = randomArray(m, m);
      const impls = {};
      for (const method of [...cl.methods.conv1d, 'auto']) {
        impls[`convlab ${method}`] = () => ({ run: () => cl.convolve(f, h, { method }) });
      }
      cases.push({
        group: '1-D convolution (full)',
        name: `n=${n} m=${m}`,
        flops: 2 * n * m,
        autoChoice: cl.autoMethod1d(n, m),
        reference: 'convlab direct',
        impls,
      });
    }
  }
  return cases;
}
