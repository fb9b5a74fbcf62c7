// TrackerDcs IV curves (IvChart.razor): uPlot with the set voltage on x and one series of mean current per channel.
// The data comes with the component's render (a run's record is small: points × channels), again whenever a scan that
// goes has measured a point; earlier scans overlaid come dashed. On a log scale a point without current (0 V, noise at
// or below zero) has no place and is left out.
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
    // uPlot draws the axes' titles and values in their stroke: the theme's text colour, read at each draw.
    const text = css('--mud-palette-text-primary', '#333');
    const grid = css('--mud-palette-lines-default', 'rgba(128,128,128,.25)');
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    state.colours = text + grid;
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
          label: s.label, stroke: palette[k % palette.length], width: s.dash ? 1.5 : 2, dash: s.dash ? [6, 4] : undefined,
          points: { show: true, size: 5 }, value: (u, v) => (v === null || v === undefined ? '—' : `${Number(v.toPrecision(4))} µA`),
        })),
      ],
      legend: { show: true },
    };
    state.plot = new uPlot(opts, [data.v, ...currents], el);
    el.dataset.points = String(data.v.length);
    el.dataset.series = String(data.series.length);
    el.dataset.scale = log ? 'log' : 'linear';
    el.dataset.axisColour = text;
    el.dataset.state = 'ready';
  }

  function create(el, data, log) {
    const id = nextId++;
    const state = { el, data, log, plot: null };
    state.resize = new ResizeObserver(() => state.plot?.setSize({ width: Math.max(200, el.clientWidth), height: 300 }));
    state.resize.observe(el);
    // The panel's theme lives in MudBlazor's CSS variables, in a <style> the theme provider renders in the page (not in
    // <head>), set after the first draw when the browser's choice is dark and again at each switch: a change of a style's
    // text draws the chart again in the new colours (it stayed in the light theme's otherwise). Other changes of the page
    // are passed over without reading any style.
    const inStyle = n => n && (n.nodeName === 'STYLE' || n.parentNode?.nodeName === 'STYLE');
    state.themeWatch = new MutationObserver(records => {
      if (!records.some(r => inStyle(r.target) || [...r.addedNodes].some(inStyle))) return;
      if (state.plot && state.colours !== css('--mud-palette-text-primary', '#333') + css('--mud-palette-lines-default', 'rgba(128,128,128,.25)')) draw(state);
    });
    state.themeWatch.observe(document.documentElement, { childList: true, subtree: true, characterData: true });
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
    state.themeWatch.disconnect();
    state.plot?.destroy();
    charts.delete(id);
  }

  return { create, update, dispose };
})();
