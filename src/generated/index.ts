// Generated from schemas/ by `npm run schemas:generate` — do not edit.

export * from './avro-types';
export * from './avro-schemas';
