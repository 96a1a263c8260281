/**
 * Images on disk and the figures of the `vision` module: reading and writing PNG/JPEG files, labelled
 * contact sheets, and the plot of the signal demonstrations.
 */
export * from './files.js';
export * from './contact-sheet.js';
export * from './signal-plot.js';
