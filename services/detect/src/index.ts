// Detection without I/O: the processor feeds it events and buckets, the offline tools feed it files.
export * from './patterns/index.js';
export * from './series/index.js';
