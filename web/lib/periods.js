// periods: the union's reporting periods (docs/reports.md), as the server
// writes them (src/core/period.h), and the figures typed into a report.
// No imports: the tests load it in node.

// currentPeriod: the period of this kind that holds day (YYYY-MM-DD) (2026H2,
// 2026Q4, 2026-12, 2026, T2026-2031: terms from 1 July of 2021, 2026, ...).
export function currentPeriod(type, day) {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  switch (type) {
    case 'month': return day.slice(0, 7);
    case 'quarter': return `${y}Q${Math.ceil(m / 3)}`;
    case 'half': return `${y}H${m <= 6 ? 1 : 2}`;
    case 'term': {
      // the last year of 2021, 2026, ... at or before y; before its 1 July, the term before
      let first = y - (((y - 2021) % 5) + 5) % 5;
      if (first === y && m < 7) first -= 5;
      return `T${first}-${first + 5}`;
    }
    default: return String(y);
  }
}

// plainNumber: a figure as typed, as JSON writes numbers: spaces gone, in
// Vietnamese dots that group thousands gone and a comma for decimals a dot
// ("1.204,5" -> "1204.5"); in English commas that group thousands gone.
export function plainNumber(typed, lang) {
  let x = typed.trim().replace(/\s/g, '');
  if (lang === 'en') return x.replace(/^(-?\d{1,3})((,\d{3})+)(\.\d+)?$/, (m, a, b, c2, d) => a + b.replace(/,/g, '') + (d || ''));
  if (/^-?\d{1,3}(\.\d{3})+(,\d+)?$/.test(x)) x = x.replace(/\./g, '');
  return x.replace(',', '.');
}
