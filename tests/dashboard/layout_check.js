() => {
  const problems = [];
  document.querySelectorAll('[data-testid="stVegaLiteChart"]').forEach((el, i) => {
    const svg = el.querySelector('svg.marks');
    if (!svg) return;
    const box = el.getBoundingClientRect();
    svg.querySelectorAll('.role-title text, .role-axis-title text, .role-legend text, .role-title-text, .role-subtitle-text').forEach(t => {
      const r = t.getBoundingClientRect();
      if (r.width > 0 && t.textContent.endsWith('\u2026'))  // Vega cut the text to its limit
        problems.push(`chart ${i + 1}: text cut short: "${t.textContent.slice(0, 60)}"`);
      else if (r.width > 0 && (r.left < box.left - 4 || r.right > box.right + 4))
        problems.push(`chart ${i + 1}: text clipped: "${t.textContent.slice(0, 60)}" (${Math.round(r.left - box.left)}..${Math.round(r.right - box.left)} of ${Math.round(box.width)} px)`);
    });
    if (svg.getBoundingClientRect().width > box.width + 1)
      problems.push(`chart ${i + 1}: wider than its box (${Math.round(svg.getBoundingClientRect().width)} > ${Math.round(box.width)} px)`);
  });
  document.querySelectorAll('[data-testid="stDataFrame"]').forEach((el, i) => {
    const s = el.querySelector('.dvn-scroller');
    if (s && s.scrollWidth > s.clientWidth + 2) {
      const head = Array.from(el.querySelectorAll('th, [role="columnheader"]')).map(h => h.textContent).join(' | ');
      problems.push(`table ${i + 1}: cut (${s.scrollWidth} px wide in ${s.clientWidth} px): ${head.slice(0, 120)}`);
    }
  });
  return problems;
}
