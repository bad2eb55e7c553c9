import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { niceScale, timeTicks, valueTicks } from '../chart-scale.ts';

/**
 * Charts over time as SVG drawn by Preact: a few elements per bucket, coloured by the
 * stylesheet (so the dark scheme applies), sized by attributes (the page's CSP refuses inline
 * style). Each chart is one image to assistive technology, named and described by the caller;
 * the exact numbers belong in a table beside it.
 */

/** Consecutive buckets of time: their starts (ms since the epoch) and their common length. */
export interface TimeSlots {
  starts: readonly number[];
  step: number;
}

export interface Series {
  label: string;
  /** Its colour (and dash) in the stylesheet: `series-success`, `series-p95`, ... */
  className: string;
  /** One value per slot; null where there is none. */
  values: readonly (number | null)[];
}

interface ChartProps {
  slots: TimeSlots;
  series: readonly Series[];
  /** The chart's name (its SVG title, with this id), and the id of what describes it. */
  title: string;
  titleId: string;
  describedBy: string;
  formatValue: (value: number) => string;
  /** What hovering a slot shows. */
  slotTitle: (index: number) => string;
  testId?: string;
}

const HEIGHT = 168;
const MARGIN = { top: 10, right: 8, bottom: 24, left: 56 };

interface PlotArea {
  x(time: number): number;
  y(value: number): number;
  /** The width of one slot. */
  slot: number;
  top: number;
  bottom: number;
}

/** Successes and failures per slot, stacked in the order of `series`. */
export function StackedBars(props: ChartProps) {
  const totals = props.slots.starts.map((_, i) =>
    props.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0),
  );
  const scale = niceScale(Math.max(0, ...totals), { whole: true });
  return (
    <TimeChart {...props} scale={scale}>
      {(area) => {
        const width = Math.max(1, area.slot * 0.8);
        return props.slots.starts.map((start, i) => {
          let base = 0;
          return (
            <g key={start}>
              {props.series.map((s) => {
                const value = s.values[i] ?? 0;
                if (value <= 0) return null;
                const [low, high] = [area.y(base), area.y(base + value)];
                base += value;
                return (
                  <rect
                    key={s.className}
                    class={s.className}
                    x={area.x(start) + (area.slot - width) / 2}
                    y={high}
                    width={width}
                    height={low - high}
                  />
                );
              })}
            </g>
          );
        });
      }}
    </TimeChart>
  );
}

/** One line per series through the middle of each slot, broken where a slot has no value. */
export function Lines(props: ChartProps) {
  const values = props.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const scale = niceScale(Math.max(0, ...values), { whole: true });
  return (
    <TimeChart {...props} scale={scale}>
      {(area) =>
        props.series.map((s) => {
          const points = props.slots.starts.map((start, i) => {
            const value = s.values[i];
            return value == null ? null : [area.x(start) + area.slot / 2, area.y(value)];
          });
          let path = '';
          const lone: number[][] = [];
          points.forEach((point, i) => {
            if (!point) return;
            const joined = i > 0 && points[i - 1];
            path += `${joined ? 'L' : 'M'}${point[0]!.toFixed(1)} ${point[1]!.toFixed(1)}`;
            if (!joined && !points[i + 1]) lone.push(point);
          });
          return (
            <g key={s.className} class={s.className}>
              <path class="line" d={path} />
              {lone.map(([x, y]) => (
                <circle key={x} class="dot" cx={x} cy={y} r={2.5} />
              ))}
            </g>
          );
        })
      }
    </TimeChart>
  );
}

/** The series' names and colours, above a chart. */
export function Legend({ series }: { series: readonly Pick<Series, 'label' | 'className'>[] }) {
  return (
    <ul class="chart-legend" aria-hidden="true">
      {series.map((s) => (
        <li key={s.className} class={s.className}>
          <span class="swatch" />
          {s.label}
        </li>
      ))}
    </ul>
  );
}

const hourMinute = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const weekdayDay = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric' });

/** The frame every chart shares: its size, the value grid, the time axis, a title per slot. */
function TimeChart({
  slots,
  title,
  titleId,
  describedBy,
  formatValue,
  slotTitle,
  testId,
  scale,
  children,
}: ChartProps & {
  scale: { max: number; step: number };
  children: (area: PlotArea) => ComponentChildren;
}) {
  const frame = useRef<HTMLDivElement>(null);
  const width = useWidth(frame);
  const from = slots.starts[0] ?? 0;
  const to = (slots.starts.at(-1) ?? 0) + slots.step;
  const [left, right] = [MARGIN.left, width - MARGIN.right];
  const [top, bottom] = [MARGIN.top, HEIGHT - MARGIN.bottom];
  const area: PlotArea = {
    x: (time) => left + ((time - from) / (to - from)) * (right - left),
    y: (value) => bottom - (value / scale.max) * (bottom - top),
    slot: (right - left) / Math.max(1, slots.starts.length),
    top,
    bottom,
  };
  const { ticks, daily } = timeTicks(from, to, Math.floor((right - left) / 90));
  return (
    <div class="chart-frame" ref={frame}>
      {width > 0 && (
        <svg
          class="chart"
          width={width}
          height={HEIGHT}
          viewBox={`0 0 ${width} ${HEIGHT}`}
          role="img"
          aria-labelledby={titleId}
          aria-describedby={describedBy}
          data-testid={testId}
        >
          <title id={titleId}>{title}</title>
          <g class="chart-grid">
            {valueTicks(scale).map((value) => (
              <g key={value}>
                <line x1={left} x2={right} y1={area.y(value)} y2={area.y(value)} />
                <text class="value-label" x={left - 6} y={area.y(value)}>
                  {formatValue(value)}
                </text>
              </g>
            ))}
          </g>
          <g class="chart-axis">
            {ticks.map((time) => (
              <g key={time}>
                <line x1={area.x(time)} x2={area.x(time)} y1={bottom} y2={bottom + 4} />
                <text class="time-label" x={area.x(time)} y={bottom + 16}>
                  {(daily ? weekdayDay : hourMinute).format(time)}
                </text>
              </g>
            ))}
          </g>
          {children(area)}
          <g class="chart-slots">
            {slots.starts.map((start, i) => (
              <rect key={start} x={area.x(start)} y={top} width={area.slot} height={bottom - top}>
                <title>{slotTitle(i)}</title>
              </rect>
            ))}
          </g>
        </svg>
      )}
    </div>
  );
}

/** The width an element is laid out at, followed as it changes; 0 until it is known. */
function useWidth(element: { current: HTMLElement | null }): number {
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const target = element.current;
    if (!target) return;
    const observer = new ResizeObserver(([entry]) =>
      setWidth(Math.floor(entry?.contentRect.width ?? 0)),
    );
    observer.observe(target);
    return () => observer.disconnect();
  }, [element]);
  return width;
}
