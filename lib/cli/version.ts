// tdig's version, as package.json has it (test/bin.test.ts checks that the two agree).
export const VERSION = '0.1.0';
