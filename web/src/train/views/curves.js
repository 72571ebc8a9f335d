// curves.js: the loss and accuracy curves (uPlot), train and held-out, against epochs.
// The training points are running means over the examples since the previous point (with
// the shifts of augmentation); the held-out points are exact evaluations of all test images.
import { curvePlot } from '../../lib/plot.js';
import { alignSeries } from '../curve-data.js';
import { whenOnScreen } from '../../lib/throttle.js';

const TRAIN = '#2458c6';
const TEST = '#d9480f';

// The train and test series of `key` on one x axis, nulls for gaps.
const merge = (train, test, key, scale) => alignSeries([{ x: train.x, y: train[key] }, { x: test.x, y: test[key] }], scale);

export class Curves {
  constructor(lossHost, accHost) {
    const series = [{ label: 'train', color: TRAIN }, { label: 'held-out', color: TEST }];
    this.loss = curvePlot(lossHost, series, { title: 'Loss', xLabel: 'epochs', yLabel: 'loss', log: true });
    this.acc = curvePlot(accHost, series, { title: 'Accuracy', xLabel: 'epochs', yLabel: '%', yRange: (u, lo, hi) => [Math.max(0, Math.min(lo ?? 0, 90) - 2), 100] });
    this.key = '';
    this.screen = whenOnScreen(lossHost.closest('section') ?? lossHost);
  }

  // Drawn while on screen; otherwise once scrolled into view (lib/throttle.js).
  update(curves) {
    this.screen.show(() => this.draw(curves));
  }

  draw(curves) {
    // Unchanged when neither the number of points nor the last ones moved (thinning a long
    // series changes its length, so it redraws too).
    const key = `${curves.train.x.length}:${curves.test.x.length}:${curves.train.x.at(-1)}:${curves.test.x.at(-1)}`;
    if (key === this.key) return;
    this.key = key;
    this.loss.setData(merge(curves.train, curves.test, 'loss', 1));
    this.acc.setData(merge(curves.train, curves.test, 'acc', 100));
  }
}
