// TrackerDcs IV curves (IvChart.razor): uPlot with the set voltage on x and one series of mean current per channel.
// The data comes with the component's render (a run's record is small: points × channels); on a log scale a point
// without current (0 V, noise at or below zero) has no place and is left out.
window.TrackerDcsIv = (() => {
  'use strict';
  const charts = new Map();
  let nextId = 1;
  // The trend charts' palette (Tableau 10), distinguishable in light and dark themes alike.
  const palette = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

  function css(name, fallback) {
    const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return v || fallback;
  }

  function draw(state) {
    const { el, data, log } = state;
    state.plot?.destroy();
    const secondary = css('--mud-palette-text-secondary', '#666');
    const grid = css('--mud-palette-lines-default', 'rgba(128,128,128,.25)');
    const axis = { stroke: secondary, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const currents = data.series.map(s => s.i.map(i => (log && !(i > 0) ? null : i)));
    const opts = {
      width: Math.max(200, el.clientWidth),
      height: 300,
      scales: { x: { time: false }, y: log ? { distr: 3 } : {} },
      axes: [
        { ...axis, label: 'V set (V)', labelSize: 20 },
        { ...axis, label: 'I (µA)', labelSize: 20, size: 70 },
      ],
      series: [
        { label: 'V (V)' },
        ...data.series.map((s, k) => ({
          label: s.label, stroke: palette[k % palette.length], width: 2,
          points: { show: true, size: 5 }, value: (u, v) => (v === null || v === undefined ? '—' : `${Number(v.toPrecision(4))} µA`),
        })),
      ],
      legend: { show: true },
    };
    state.plot = new uPlot(opts, [data.v, ...currents], el);
    el.dataset.points = String(data.v.length);
    el.dataset.series = String(data.series.length);
    el.dataset.scale = log ? 'log' : 'linear';
    el.dataset.state = 'ready';
  }

  function create(el, data, log) {
    const id = nextId++;
    const state = { el, data, log, plot: null };
    state.resize = new ResizeObserver(() => state.plot?.setSize({ width: Math.max(200, el.clientWidth), height: 300 }));
    state.resize.observe(el);
    charts.set(id, state);
    draw(state);
    return id;
  }

  function update(id, data, log) {
    const state = charts.get(id);
    if (!state) return;
    state.data = data;
    state.log = log;
    draw(state);
  }

  function dispose(id) {
    const state = charts.get(id);
    if (!state) return;
    state.resize.disconnect();
    state.plot?.destroy();
    charts.delete(id);
  }

  return { create, update, dispose };
})();
