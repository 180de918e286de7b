/**
 * The schema kit: one schema per input that is also its type (ARCHITECTURE.md, convention 4). It reproduces
 * Traefik's decoding rules, which a general-purpose validator does not: keys match case-insensitively,
 * flat sources (labels, env, flags) carry every value as a string, `section=true` creates a section with its
 * defaults, and every issue names where it came from.
 */
export * from './types.js';
export * from './scalars.js';
export * from './composites.js';
export * from './flat.js';
// yaml-source.ts is imported directly by the file and static loaders: the yaml library stays out of workers.
