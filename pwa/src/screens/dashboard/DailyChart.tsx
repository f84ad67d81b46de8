// One figure per business day, drawn with uPlot, and always the same numbers as a table: screen
// readers read the table, and where there is no canvas (happy-dom, an old WebView) it is all there is.
import { useEffect, useRef, useState } from "preact/hooks"
import uPlot from "uplot"
import "uplot/dist/uPlot.min.css"
import { t } from "../../i18n"

export type DailyChartProps = {
  title: string
  testId: string
  days: string[]
  values: number[]
  /** The exact figure, for the table and the chart's legend (money to the fen). */
  format: (value: number) => string
  /** A short axis label (whole yuan for money). */
  axis: (value: number) => string
  kind: "line" | "bars"
}

const HEIGHT = 180
const monthDay = (day: string) => day.slice(5)

const canDraw = () => {
  try {
    return document.createElement("canvas").getContext("2d") !== null
  } catch {
    return false
  }
}

function options(p: DailyChartProps, width: number): uPlot.Options {
  return {
    width,
    height: HEIGHT,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    // Half a day of room either side, so the first and last bars are whole.
    scales: {
      x: { time: false, range: () => [-0.5, p.days.length - 0.5] },
      y: { range: (_u, _min, max) => [0, max > 0 ? max : 1] },
    },
    axes: [
      { values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? monthDay(p.days[i] ?? "") : "")) },
      { values: (_u, splits) => splits.map(p.axis), size: 56 },
    ],
    series: [
      {},
      {
        label: p.title,
        value: (_u, v) => (v === null ? "" : p.format(v)),
        stroke: "#c2410c",
        width: 2,
        ...(p.kind === "bars"
          ? { fill: "#fdba74", points: { show: false }, paths: uPlot.paths.bars?.({ size: [0.6, 40] }) }
          : {}),
      },
    ],
  }
}

function Plot(p: DailyChartProps) {
  const box = useRef<HTMLDivElement>(null)
  // Redraw when the numbers change, not on every render (the arrays are new each time).
  const numbers = `${p.days.join()}|${p.values.join()}`
  useEffect(() => {
    const el = box.current
    if (!el) return
    const plot = new uPlot(options(p, el.clientWidth || 320), [p.days.map((_d, i) => i), p.values], el)
    // The screen turns or the window narrows: the chart follows its box (down to 360 px phones).
    const resize =
      typeof ResizeObserver === "undefined"
        ? null
        : new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: HEIGHT }))
    resize?.observe(el)
    return () => {
      resize?.disconnect()
      plot.destroy()
    }
  }, [numbers])
  return <div ref={box} class="daily-plot" aria-hidden="true" />
}

export function DailyChart(p: DailyChartProps) {
  const [drawn] = useState(canDraw)
  return (
    <figure class="card daily-chart" data-testid={p.testId} data-drawn={drawn}>
      <figcaption>{p.title}</figcaption>
      {drawn && <Plot {...p} />}
      {/* A table is as wide as its text whatever its own width: hide it inside a box that clips. */}
      <div class={drawn ? "visually-hidden" : undefined}>
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t("dashboard.day")}</th>
              <th scope="col">{p.title}</th>
            </tr>
          </thead>
          <tbody>
            {p.days.map((day, i) => (
              <tr key={day} data-testid={`${p.testId}-${day}`}>
                <th scope="row">{day}</th>
                <td>{p.format(p.values[i] ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  )
}
