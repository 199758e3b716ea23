/* Charts (Chart.js, static/vendor/chartjs) on the dashboard, the Couriers page and
   the messaging metrics. No inline script: each <canvas data-chart="kind"> names
   the JSON (Django's json_script) it draws in data-chart-source.

   Kinds and their data:
     bar, line   {labels: [...], values: [...]}             one series
     lines       {labels: [...], series: [{label, values}]} one line per series
     bars        {labels: [...], series: [{label, values}]} grouped bars
     stacked     {labels: [...], series: [{label, values}]} stacked bars
   Options: data-chart-label (the one series' name), data-chart-unit (after each
   value: "%", " min"), data-chart-max (the value axis' top). */
(function () {
  "use strict";

  // The palette of static/css/app.css (the badge dots).
  var COLOURS = ["#4f46e5", "#2e90fa", "#17b26a", "#f79009", "#7a5af8", "#f04438", "#98a2b3"];
  // Stacked punctuality reads as good / fine / bad.
  var STACKED = ["#17b26a", "#2e90fa", "#f04438", "#f79009", "#98a2b3"];

  function data(canvas) {
    var source = document.getElementById(canvas.dataset.chartSource || "");
    if (!source) return null;
    try {
      return JSON.parse(source.textContent);
    } catch (error) {
      return null;
    }
  }

  function datasets(kind, content, canvas) {
    if (kind === "bar" || kind === "line") {
      return [series(kind, canvas.dataset.chartLabel || "", content.values || [], 0)];
    }
    var palette = kind === "stacked" ? STACKED : COLOURS;
    return (content.series || []).map(function (one, n) {
      return series(kind, one.label, one.values, n, palette);
    });
  }

  function series(kind, label, values, n, palette) {
    var colour = (palette || COLOURS)[n % (palette || COLOURS).length];
    var line = kind === "line" || kind === "lines";
    return {
      label: label,
      data: values,
      backgroundColor: line ? colour + "22" : colour,
      borderColor: colour,
      borderWidth: line ? 2 : 0,
      borderRadius: line ? 0 : 4,
      pointRadius: line ? 2 : 0,
      spanGaps: true,
      fill: kind === "line",
      tension: 0.25,
      maxBarThickness: 36,
    };
  }

  function draw(canvas) {
    if (canvas.dataset.chartDrawn) return;
    var kind = canvas.dataset.chart;
    var content = data(canvas);
    if (!content || typeof window.Chart !== "function") return;
    var unit = canvas.dataset.chartUnit || "";
    var stacked = kind === "stacked";
    var valueAxis = {
      beginAtZero: true,
      stacked: stacked,
      ticks: {
        precision: 0,
        callback: function (value) { return value + unit; },
      },
      grid: { color: "#eaecf0" },
    };
    if (canvas.dataset.chartMax) valueAxis.max = Number(canvas.dataset.chartMax);
    var many = datasets(kind, content, canvas);
    var chart = new window.Chart(canvas, {
      type: kind === "line" || kind === "lines" ? "line" : "bar",
      data: { labels: content.labels || [], datasets: many },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: {
            display: kind !== "bar" && kind !== "line",
            position: "bottom",
            labels: { boxWidth: 10, boxHeight: 10 },
          },
          tooltip: {
            callbacks: {
              label: function (item) {
                var name = item.dataset.label ? item.dataset.label + ": " : "";
                return item.raw === null ? name + "—" : name + item.formattedValue + unit;
              },
            },
          },
        },
        scales: {
          x: {
            stacked: stacked,
            grid: { display: false },
            ticks: { maxRotation: 0, autoSkip: true, autoSkipPadding: 8 },
          },
          y: valueAxis,
        },
      },
    });
    canvas.dataset.chartDrawn = "1";
    canvas.chart = chart;
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(); });
  } else {
    drawAll();
  }
  // Charts in content htmx swaps in.
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();
