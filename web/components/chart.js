// chart: a bar or doughnut chart (Chart.js, node_modules/chart.js served at
// /vendor/ through index.html's import map) with its figures as a table
// under it. A canvas is a picture to a screen reader and to anyone who
// needs the exact numbers, so the table is what the chart says, and the
// canvas is hidden from assistive technology. Chart.js is loaded the first
// time a chart is drawn, not with the app. It draws on the canvas and sizes
// it through the element's style object, which the page's CSP (style-src
// 'self', no inline style attributes) allows.
import { useEffect, useRef } from 'preact/hooks';
import { html } from '../lib/html.js';
import { t, formatNumber, getLang } from '../lib/i18n.js';

// The union's colour first, then colours told apart from it and each other.
const COLOURS = ['#a3195b', '#1f6f8b', '#c47f00', '#2f7d3b', '#6a4c93', '#b5465d', '#3d5a80', '#7d1046'];

let loaded = null;
function chartJs() {
  if (!loaded) {
    loaded = import('chart.js').then(({ Chart, registerables }) => {
      Chart.register(...registerables);
      return Chart;
    });
  }
  return loaded;
}

// config: Chart.js's settings for one chart: no animation (a figure, not a
// show), numbers in her language's form, no legend for a single series.
function config(type, labels, values, label) {
  const doughnut = type === 'doughnut';
  return {
    type,
    data: {
      labels,
      datasets: [{ label, data: values, backgroundColor: doughnut ? COLOURS : COLOURS[0], borderWidth: doughnut ? 1 : 0 }],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      locale: getLang() === 'vi' ? 'vi-VN' : 'en-GB',
      plugins: { legend: { display: doughnut, position: 'bottom' } },
      scales: doughnut ? {} : { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  };
}

// Chart: props id, title, type ('bar' | 'doughnut'), rows [[label, value]],
// valueLabel (the table's column of numbers), testid.
export function Chart({ id, title, type, rows, valueLabel, testid }) {
  const canvas = useRef(null);
  const labels = rows.map(([l]) => l);
  const values = rows.map(([, v]) => v);
  const key = JSON.stringify([type, rows, getLang()]);
  useEffect(() => {
    let chart = null;
    let gone = false;
    chartJs().then((C) => {
      if (!gone && canvas.current) chart = new C(canvas.current, config(type, labels, values, valueLabel));
    }, () => {}); // (not loaded: the table below still has every figure)
    return () => { gone = true; if (chart) chart.destroy(); };
  }, [key]);
  return html`
    <figure class="chart" aria-labelledby=${`${id}-title`} data-testid=${testid}>
      <figcaption id=${`${id}-title`} class="chart-title">${title}</figcaption>
      <div class="chart-canvas" aria-hidden="true"><canvas ref=${canvas}></canvas></div>
      <table class="table chart-table" data-testid=${`${testid}-table`}>
        <caption class="sr-only">${t('chart.table', { title })}</caption>
        <thead><tr><th scope="col">${t('chart.category')}</th><th scope="col">${valueLabel}</th></tr></thead>
        <tbody>
          ${rows.map(([l, v]) => html`<tr key=${l}><th scope="row">${l}</th><td class="number">${formatNumber(v)}</td></tr>`)}
        </tbody>
      </table>
    </figure>`;
}
