/** The processor's public entry, for programs outside this package (the test support): run it in-process. */
export { createProcessor, type Processor, type ProcessorOptions } from './app.ts';
export { loadConfig, type ProcessorConfig } from './config.ts';
export { ProcessorMetrics } from './metrics/processor-metrics.ts';
export { startProcessorHttp, type ProcessorHttp, type ProcessorHttpOptions } from './http/processor-http.ts';
export { runProcessor } from './run.ts';
