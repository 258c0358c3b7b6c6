// A correct backend whose optional createManager export is not a function: a setup error.
export { default } from './good.mjs';
export const createManager = { create() {} };
