/**
 * Placeholder: this op family is being written.
 */
export {};
