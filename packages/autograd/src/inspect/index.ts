/** Tools that make the engine's inside visible: graph drawing, backward traces, anomaly mode. */
export {
  toDot,
  toMermaid,
  graphOf,
  type GraphOptions,
  type GraphData,
  type GraphNode,
  type GraphEdge,
} from './export.js';
export { traceBackward, type BackwardTrace, type TraceStep, type GradientSummary } from './trace.js';
export { detectAnomaly, setAnomalyMode, anomalyMode } from './anomaly.js';
export { renderSvg, writeSvg } from './render.js';
