// TrackerDcs trend charts: uPlot drawing the decimated series of GET /panel-api/trends (see TrendsSetup.cs).
// The chart fetches its own data (the panel's cookie goes with the request), so a zoom or a preset costs one
// HTTP request and one decimated query, never a round trip through the Blazor circuit; the Blazor component
// (TrendChart.razor) only hears about the new range, for its toolbar and the Trends page's URL.
window.TrackerDcsTrends = (() => {
  'use strict';
  const charts = new Map();
  let nextId = 1;
  // Distinguishable in light and dark themes alike (Tableau 10).
  const palette = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
  const severityColour = { major: '#e53935', minor: '#fb8c00', warning: '#fb8c00', info: '#1e88e5' };

  function css(name, fallback) {
    const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return v || fallback;
  }

  function theme() {
    return {
      text: css('--mud-palette-text-primary', '#333'),
      secondary: css('--mud-palette-text-secondary', '#666'),
      grid: css('--mud-palette-lines-default', 'rgba(128,128,128,.25)'),
      surface: css('--mud-palette-surface', '#fff'),
    };
  }

  const pad2 = n => String(n).padStart(2, '0');
  const pad3 = n => String(n).padStart(3, '0');
  function localTime(ms) {
    const d = new Date(ms);
    return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
  }
  function utcTime(ms) {
    const d = new Date(ms);
    return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${pad3(d.getUTCMilliseconds())} UTC`;
  }
  function formatValue(v) {
    if (v === null || v === undefined) return '—';
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e7)) return v.toExponential(4);
    return String(Number(v.toPrecision(7)));
  }

  // The recorded point nearest to time t in one series (its own times, not the joined ones).
  function nearest(series, t) {
    const ts = series.t;
    let lo = 0, hi = ts.length - 1;
    if (hi < 0) return null;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ts[mid] < t) lo = mid + 1; else hi = mid;
    }
    let best = -1;
    for (const i of [lo - 1, lo]) {
      if (i < 0 || i >= ts.length || series.v[i] === null) continue;
      if (best < 0 || Math.abs(ts[i] - t) < Math.abs(ts[best] - t)) best = i;
    }
    return best < 0 ? null : { t: ts[best], v: series.v[best] };
  }

  // Time axis labels in local time, 24 h: the date where a day starts (and at the first label), seconds when ticks are that close.
  function timeLabels(u, splits, axis, space, incr) {
    return splits.map((ms, i) => {
      const d = new Date(ms);
      const date = `${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
      const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
      if (incr >= 86400000) return date;
      if (incr < 60000) return i === 0 ? `${hm}:${pad2(d.getSeconds())}\n${date}` : `${hm}:${pad2(d.getSeconds())}`;
      return i === 0 || (d.getHours() === 0 && d.getMinutes() === 0) ? `${hm}\n${date}` : hm;
    });
  }

  function axisPlan(series) {
    // The first unit on the left axis, every other on the right one: two value axes at most.
    const units = [...new Set(series.map(s => s.unit))];
    const left = units[0] ?? '';
    const right = units.slice(1);
    return { left, right, scaleOf: s => (s.unit === left ? 'y' : 'y2') };
  }

  function annotationsPlugin(state) {
    return {
      hooks: {
        draw: [u => {
          const marks = state.response?.annotations ?? [];
          if (!marks.length) return;
          const ctx = u.ctx;
          const { top, height, left, width } = u.bbox;
          ctx.save();
          ctx.beginPath();
          ctx.rect(left, top, width, height);
          ctx.clip();
          for (const m of marks) {
            const x0 = u.valToPos(m.startMs, 'x', true);
            if (m.kind === 'alarm') {
              ctx.strokeStyle = severityColour[m.severity] ?? '#e53935';
              ctx.lineWidth = 1.5 * devicePixelRatio;
              ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
              ctx.beginPath();
              ctx.moveTo(x0, top);
              ctx.lineTo(x0, top + height);
              ctx.stroke();
            } else {
              const end = m.endMs ?? state.to;
              const x1 = u.valToPos(end, 'x', true);
              ctx.fillStyle = m.kind === 'run' ? 'rgba(76,175,80,0.12)' : 'rgba(156,39,176,0.12)';
              ctx.fillRect(x0, top, Math.max(x1 - x0, 1), height);
              ctx.fillStyle = m.kind === 'run' ? 'rgba(56,142,60,0.9)' : 'rgba(123,31,162,0.9)';
              ctx.font = `${11 * devicePixelRatio}px Roboto, sans-serif`;
              // A name only where the span has room for it; the read-out names every mark under the cursor.
              const from = Math.max(x0, left) + 4 * devicePixelRatio;
              if (Math.min(x1, left + width) - from > ctx.measureText(m.text).width) ctx.fillText(m.text, from, top + 12 * devicePixelRatio);
            }
          }
          ctx.restore();
        }],
      },
    };
  }

  function build(state) {
    const res = state.response;
    const series = res ? res.series : [];
    const t = theme();
    const plan = axisPlan(series);
    const tables = series.map(s => [s.t, s.v]);
    const data = tables.length ? uPlot.join(tables) : [[]];
    state.data = data;
    const axisCommon = { stroke: t.secondary, grid: { stroke: t.grid, width: 1 }, ticks: { stroke: t.grid, width: 1 } };
    const opts = {
      width: Math.max(state.el.clientWidth, 200),
      height: state.height,
      ms: 1,
      legend: { show: false },
      cursor: {
        drag: { x: true, y: false, setScale: false },
        bind: { dblclick: () => null },
        points: { size: 6 },
      },
      select: { show: true },
      scales: { x: { time: true, min: state.from, max: state.to }, y: { auto: true }, y2: { auto: true } },
      axes: [
        { ...axisCommon, space: 80, size: 52, values: timeLabels },
        { ...axisCommon, scale: 'y', label: plan.left, labelSize: 20, size: 60, values: (u, vals) => vals.map(formatValue) },
      ],
      series: [{}].concat(series.map((s, i) => ({
        label: s.label,
        scale: plan.scaleOf(s),
        stroke: palette[i % palette.length],
        width: 1.5,
        spanGaps: false,
        points: { show: false },
      }))),
      plugins: [annotationsPlugin(state)],
      hooks: {
        setSelect: [u => {
          if (u.select.width < 4) return;
          const from = Math.round(u.posToVal(u.select.left, 'x'));
          const to = Math.round(u.posToVal(u.select.left + u.select.width, 'x'));
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          setRange(state.id, from, to);
        }],
        setCursor: [u => readout(state, u)],
      },
    };
    if (plan.right.length) opts.axes.push({ ...axisCommon, scale: 'y2', side: 1, label: plan.right.join(', '), labelSize: 20, size: 60, grid: { show: false }, values: (u, vals) => vals.map(formatValue) });
    if (state.plot) state.plot.destroy();
    state.plotHost.innerHTML = '';
    state.plot = new uPlot(opts, data, state.plotHost);
    state.structure = series.map(s => s.signal + '|' + s.unit).join(';') + '|' + t.text + t.grid;
    bindPan(state);
    state.plot.over.addEventListener('dblclick', () => reset(state.id));
  }

  function bindPan(state) {
    // Shift + drag pans (plain drag zooms); the range moves by what the pointer moved, then is fetched.
    const over = state.plot.over;
    over.addEventListener('mousedown', e => {
      if (!e.shiftKey) return;
      e.stopPropagation();
      const x0 = e.clientX, from0 = state.from, to0 = state.to;
      const msPerPx = (to0 - from0) / state.plot.bbox.width * devicePixelRatio;
      const move = m => {
        const shift = Math.round((x0 - m.clientX) * msPerPx);
        state.plot.setScale('x', { min: from0 + shift, max: to0 + shift });
      };
      const up = m => {
        window.removeEventListener('mousemove', move);
        window.removeEventListener('mouseup', up);
        const shift = Math.round((x0 - m.clientX) * msPerPx);
        if (shift !== 0) setRange(state.id, from0 + shift, to0 + shift);
      };
      window.addEventListener('mousemove', move);
      window.addEventListener('mouseup', up);
    }, true);
  }

  function readout(state, u) {
    const box = state.readoutHost;
    const left = u.cursor.left;
    if (left == null || left < 0 || !state.response) {
      box.textContent = state.hint;
      return;
    }
    const pointer = Math.round(u.posToVal(left, 'x'));
    // The time of the reading nearest the pointer (of the first series that has one), not the pointer's.
    const t = state.response.series.map(s => nearest(s, pointer)).find(p => p)?.t ?? pointer;
    const rows = [`<span class="trend-time" title="${utcTime(t)}">${localTime(t)} ${window.trackerDcs.timeZoneLabel()}</span> <span class="trend-utc">(${utcTime(t)})</span>`];
    state.response.series.forEach((s, i) => {
      const p = nearest(s, t);
      const value = p ? `${formatValue(p.v)}${s.unit ? ' ' + s.unit : ''}` : '—';
      rows.push(`<span class="trend-item" data-signal="${escapeHtml(s.signal)}"><i style="background:${palette[i % palette.length]}"></i>${escapeHtml(s.label)}: <b class="trend-value">${value}</b></span>`);
    });
    const px = (state.to - state.from) / u.bbox.width * devicePixelRatio;
    for (const m of state.response.annotations) {
      const inside = m.kind === 'alarm' ? Math.abs(m.startMs - t) <= 4 * px : m.startMs <= t && t <= (m.endMs ?? state.to);
      if (inside) rows.push(`<span class="trend-mark trend-${m.kind}">${escapeHtml(m.text)}</span>`);
    }
    box.innerHTML = rows.join(' ');
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  }

  async function load(state) {
    const token = ++state.request;
    const width = Math.max(100, Math.round(state.el.clientWidth || 1000));
    const query = state.signals.map(s => 'signal=' + encodeURIComponent(s)).join('&');
    const url = `/panel-api/trends?${query}&from=${state.from}&to=${state.to}&width=${width}`;
    state.el.dataset.state = 'loading';
    let response;
    try {
      response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    } catch (e) {
      return fail(state, token, `history unavailable: ${e.message}`);
    }
    if (token !== state.request || state.disposed) return;
    if (!response.ok) {
      let detail = response.statusText;
      try { detail = (await response.json()).error ?? detail; } catch { /* not JSON */ }
      return fail(state, token, `history unavailable (${response.status}): ${detail}`);
    }
    const body = await response.json();
    if (token !== state.request || state.disposed) return;
    state.response = body;
    const t = theme();
    const structure = body.series.map(s => s.signal + '|' + s.unit).join(';') + '|' + t.text + t.grid;
    if (!state.plot || structure !== state.structure) build(state);
    else {
      state.data = body.series.length ? uPlot.join(body.series.map(s => [s.t, s.v])) : [[]];
      state.plot.batch(() => {
        state.plot.setData(state.data, false);
        state.plot.setScale('x', { min: state.from, max: state.to });
      });
    }
    const points = body.series.reduce((n, s) => n + s.t.length, 0);
    const errors = body.series.filter(s => s.error).map(s => `${s.label}: ${s.error}`);
    state.status.textContent = errors.length ? errors.join('; ')
      : points === 0 ? 'No history in this range.' : '';
    state.el.dataset.state = 'ready';
    state.el.dataset.from = String(state.from);
    state.el.dataset.to = String(state.to);
    state.el.dataset.points = String(points);
    state.el.dataset.decimated = String(body.series.some(s => s.decimated));
    state.dotnet?.invokeMethodAsync('OnLoaded', state.from, state.to, state.live, points, body.series.some(s => s.decimated), errors.join('; ')).catch(() => { });
  }

  function fail(state, token, message) {
    if (token !== state.request || state.disposed) return;
    state.status.textContent = message;
    state.el.dataset.state = 'error';
    state.dotnet?.invokeMethodAsync('OnLoaded', state.from, state.to, state.live, 0, false, message).catch(() => { });
  }

  function schedule(state) {
    clearTimeout(state.timer);
    if (!state.live || state.disposed) return;
    // Live: the range slides to now about every pixel column, between 2 s and a minute.
    const every = Math.min(60000, Math.max(2000, state.span / Math.max(state.el.clientWidth, 100)));
    state.timer = setTimeout(() => {
      state.to = Date.now();
      state.from = state.to - state.span;
      load(state).finally(() => schedule(state));
    }, every);
  }

  function create(el, dotnet, options) {
    const id = nextId++;
    el.innerHTML = '';
    const plotHost = document.createElement('div');
    plotHost.className = 'trend-plot';
    const readoutHost = document.createElement('div');
    readoutHost.className = 'trend-readout';
    readoutHost.setAttribute('aria-label', 'Cursor read-out');
    readoutHost.setAttribute('aria-live', 'off');
    const status = document.createElement('div');
    status.className = 'trend-status';
    status.setAttribute('aria-label', 'Chart status');
    el.append(plotHost, readoutHost, status);
    const hint = 'Drag to zoom · shift + drag to pan · double-click to reset';
    readoutHost.textContent = hint;
    const state = {
      id, el, dotnet, plotHost, readoutHost, status, hint,
      signals: options.signals, height: options.height || 260,
      live: !!options.live, span: options.span || 3600000,
      from: options.from, to: options.to,
      initial: { live: !!options.live, span: options.span || 3600000, from: options.from, to: options.to },
      request: 0, plot: null, response: null, disposed: false,
    };
    if (state.live || state.from == null) {
      state.to = Date.now();
      state.from = state.to - state.span;
    }
    charts.set(id, state);
    state.resize = new ResizeObserver(() => {
      if (!state.plot) return;
      const w = Math.max(state.el.clientWidth, 200);
      if (Math.abs(w - state.plot.width) < 2) return;
      state.plot.setSize({ width: w, height: state.height });
      clearTimeout(state.resizeTimer);
      state.resizeTimer = setTimeout(() => load(state), 300);
    });
    state.resize.observe(el);
    // The panel's theme lives in MudBlazor's CSS variables: a switch rebuilds the chart in the new colours.
    state.themeWatch = new MutationObserver(() => {
      const t = theme();
      if (state.plot && state.structure && !state.structure.endsWith('|' + t.text + t.grid)) build(state);
    });
    state.themeWatch.observe(document.head, { childList: true, subtree: true, characterData: true });
    load(state).finally(() => schedule(state));
    return id;
  }

  function changed(state) {
    state.dotnet?.invokeMethodAsync('OnRangeChanged', state.from, state.to, state.live, state.span).catch(() => { });
    load(state).finally(() => schedule(state));
  }

  function setRange(id, from, to) {
    const state = charts.get(id);
    if (!state || !(to > from)) return;
    Object.assign(state, { from: Math.round(from), to: Math.round(to), live: false, span: Math.round(to - from) });
    changed(state);
  }

  // The range as the custom inputs show it (datetime-local: the browser's local time), and back.
  function localRange(id) {
    const state = charts.get(id);
    const iso = ms => localTime(ms).replace(' ', 'T');
    return state ? [iso(state.from), iso(state.to)] : [];
  }

  function setLocalRange(id, from, to) {
    setRange(id, new Date(from).getTime(), new Date(to).getTime());
  }

  function setPreset(id, span, live) {
    const state = charts.get(id);
    if (!state) return;
    const to = live ? Date.now() : state.to;
    Object.assign(state, { span, live: !!live, to, from: to - span });
    changed(state);
  }

  function setLive(id, live) {
    const state = charts.get(id);
    if (!state) return;
    state.live = !!live;
    if (live) {
      state.span = state.to - state.from;
      state.to = Date.now();
      state.from = state.to - state.span;
    }
    changed(state);
  }

  function pan(id, fraction) {
    const state = charts.get(id);
    if (!state) return;
    const shift = Math.round((state.to - state.from) * fraction);
    setRange(id, state.from + shift, state.to + shift);
  }

  function reset(id) {
    const state = charts.get(id);
    if (!state) return;
    const i = state.initial;
    if (i.live || i.from == null) setPreset(id, i.span, true);
    else setRange(id, i.from, i.to);
  }

  function setSignals(id, signals) {
    const state = charts.get(id);
    if (!state) return;
    state.signals = signals;
    load(state);
  }

  // What is shown, as CSV: one row per time that any series has a point at, UTC times, one column per series.
  function csv(id) {
    const state = charts.get(id);
    if (!state || !state.response) return '';
    const series = state.response.series;
    const quote = s => /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    const lines = [['time_utc', ...series.map(s => quote(s.unit ? `${s.label} (${s.unit})` : s.label))].join(',')];
    const data = state.data;
    for (let i = 0; i < data[0].length; i++) {
      const cells = series.map((_, k) => { const v = data[k + 1][i]; return v === null || v === undefined ? '' : String(v); });
      if (cells.every(c => c === '')) continue;
      lines.push([new Date(data[0][i]).toISOString(), ...cells].join(','));
    }
    return lines.join('\n') + '\n';
  }

  function downloadCsv(id, name) {
    const text = csv(id);
    const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name || 'trend.csv';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  function dispose(id) {
    const state = charts.get(id);
    if (!state) return;
    state.disposed = true;
    clearTimeout(state.timer);
    clearTimeout(state.resizeTimer);
    state.resize.disconnect();
    state.themeWatch.disconnect();
    state.plot?.destroy();
    charts.delete(id);
  }

  return { create, setRange, localRange, setLocalRange, setPreset, setLive, pan, reset, setSignals, csv, downloadCsv, dispose };
})();
