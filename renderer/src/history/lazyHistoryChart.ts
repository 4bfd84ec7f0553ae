// The history chart as the panels use it: recharts is a third of the page's code and sits below
// the tables, so it loads after the first data is on screen (panels/shared/Panel holds the
// Suspense boundary, and renders it once the tables are painted: useAfterPaint).
import { lazy } from 'react';

export const HistoryChart = lazy(() => import('./HistoryChart').then((m) => ({ default: m.HistoryChart })));
