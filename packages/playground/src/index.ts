/** The playground's logic (no DOM): configuration and its URL form, data sets, the trainer. */
export * from './config.js';
export * from './data.js';
export * from './trainer.js';
export * from './digits.js';
