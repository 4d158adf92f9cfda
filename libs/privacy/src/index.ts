export * from './contributor';
export * from './privacy-registry';
