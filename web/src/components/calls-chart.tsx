// Calls per minute as a uPlot chart (a canvas drawn by the library; the page only hands it the series).
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface MinutePoint {
  minute: string;
  calls: number;
  answered: number;
}

export function CallsChart({ points }: { points: MinutePoint[] }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const element = box.current!;
    const options: uPlot.Options = {
      width: Math.max(280, element.clientWidth),
      height: 220,
      series: [{}, { label: 'Calls', stroke: '#2563eb', width: 2, fill: 'rgba(37,99,235,0.08)' }, { label: 'Answered', stroke: '#16a34a', width: 2 }],
      axes: [{}, { label: 'per minute' }],
      scales: { x: { time: true } },
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
  }, []);

  useEffect(() => {
    const seconds = points.map((point) => Date.parse(point.minute) / 1000);
    plot.current?.setData([seconds, points.map((point) => point.calls), points.map((point) => point.answered)]);
  }, [points]);

  return <div class="chart" ref={box} role="img" aria-label={`Calls per minute, last ${points.length} minutes with calls`} />;
}
