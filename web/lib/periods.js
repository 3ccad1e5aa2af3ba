// periods: the union's reporting periods (docs/reports.md), as the server
// writes them (src/core/period.h). No imports: the tests load it in node.

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
