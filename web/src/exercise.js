// exercise.js: the numeric exercise checker. The build renders each ```exercise``` block as a
// form carrying data-answer and data-tolerance; this reads the learner's number (decimals,
// exponents or a fraction a/b; parsed by hand, never evaluated) and says whether it is
// within the tolerance. Hints are <details> and need no script. A numeric exercise's worked
// solution is hidden until the first checked attempt, right or wrong: reading the solution
// before trying teaches little, while after an attempt it shows the route (and a correct
// guess can still be compared with it). Without JavaScript the solution simply stays visible.

export function parseAnswer(text) {
  const t = text.trim().replace(/\u2212/g, '-');
  const num = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
  const frac = /^([+-]?\d+(?:\.\d+)?)\s*\/\s*([+-]?\d+(?:\.\d+)?)$/.exec(t);
  if (frac) {
    const den = Number(frac[2]);
    return den === 0 ? NaN : Number(frac[1]) / den;
  }
  return num.test(t) ? Number(t) : NaN;
}

export function initExercises(root) {
  for (const box of root.querySelectorAll('.exercise[data-answer]')) {
    const form = box.querySelector('form');
    const input = box.querySelector('input');
    const feedback = box.querySelector('.exercise-feedback');
    const solution = box.querySelector('.exercise-solution');
    const answer = Number(box.dataset.answer);
    const tolerance = Number(box.dataset.tolerance);
    if (solution) solution.hidden = true;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const value = parseAnswer(input.value);
      box.classList.remove('correct', 'wrong');
      if (Number.isNaN(value)) {
        feedback.textContent = 'Please enter a number, for example 4.375 or 35/8.';
        return;
      }
      const ok = Math.abs(value - answer) <= tolerance;
      box.classList.add(ok ? 'correct' : 'wrong');
      feedback.textContent = ok ? 'Correct.' : 'Not quite; try again (the hint may help).';
      if (solution) solution.hidden = false;
    });
  }
}
