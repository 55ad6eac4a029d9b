// Calls per minute as a uPlot chart (a canvas drawn by the library; the page only hands it the series).
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface MinutePoint {
  minute: string;
  calls: number;
  answered: number;
}

/** `timeZone`: the campaign's, so the axis reads as its calling window does. */
export function CallsChart({ points, timeZone }: { points: MinutePoint[]; timeZone: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const element = box.current!;
    const options: uPlot.Options = {
      width: Math.max(280, element.clientWidth),
      height: 220,
      series: [{}, { label: 'Calls', stroke: '#2563eb', width: 2, fill: 'rgba(37,99,235,0.08)' }, { label: 'Answered', stroke: '#16a34a', width: 2 }],
      axes: [{}, { label: 'per minute' }],
      // Counts start at 0; one busy minute alone must not stretch the axis around itself.
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), timeZone),
      scales: { x: { time: true }, y: { range: (_plot, _min, max) => [0, Math.max(1, max)] } },
    };
    plot.current = new uPlot(options, [[], [], []], element);
    // The chart follows the width of its box (1280 px screens and phones alike).
    const observer = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(280, element.clientWidth), height: 220 }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [timeZone]);

  useEffect(() => {
    const [seconds, calls, answered] = everyMinute(points);
    plot.current?.setData([seconds, calls, answered]);
  }, [points]);

  return <div class="chart" ref={box} role="img" aria-label={`Calls per minute, last ${points.length} minutes with calls`} />;
}

/** Minutes shown: the hour up to the latest minute with calls. */
const WINDOW_MINUTES = 60;

/**
 * The series uPlot draws: one entry per minute of the hour up to the latest minute with calls, 0 where the summary has
 * none (it lists only minutes with calls), so the line falls to zero in quiet minutes and one point is a bar of time.
 */
export function everyMinute(points: readonly MinutePoint[]): [number[], number[], number[]] {
  const last = points[points.length - 1];
  if (!last) return [[], [], []];
  const lastSeconds = Date.parse(last.minute) / 1000;
  const byMinute = new Map(points.map((point) => [Date.parse(point.minute) / 1000, point]));
  const seconds: number[] = [];
  const calls: number[] = [];
  const answered: number[] = [];
  for (let minute = lastSeconds - (WINDOW_MINUTES - 1) * 60; minute <= lastSeconds; minute += 60) {
    const point = byMinute.get(minute);
    seconds.push(minute);
    calls.push(point?.calls ?? 0);
    answered.push(point?.answered ?? 0);
  }
  return [seconds, calls, answered];
}
