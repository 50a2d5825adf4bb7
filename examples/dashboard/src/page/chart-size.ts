import type uPlot from 'uplot';

/** Keeps a uPlot chart as large as its host element, less the legend under it. */
export function fitChart(plot: uPlot, host: HTMLElement): () => void {
  const resize = (): void => {
    const legend = plot.root.querySelector<HTMLElement>('.u-legend')?.offsetHeight ?? 0;
    const width = Math.max(200, Math.floor(host.clientWidth));
    const height = Math.max(120, Math.floor(host.clientHeight - legend - 4));
    if (width !== plot.width || height !== plot.height) plot.setSize({ width, height });
  };
  const observer = new ResizeObserver(resize);
  observer.observe(host);
  resize();
  return () => observer.disconnect();
}
