// The page loads Alpine.js and Chart.js as classic scripts: their globals, typed by their packages.
import type { Alpine as AlpineInstance } from 'alpinejs';
import type { Chart as ChartClass } from 'chart.js';

declare global {
  const Alpine: AlpineInstance;
  const Chart: typeof ChartClass;
}
