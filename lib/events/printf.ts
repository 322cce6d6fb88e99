// C printf's %.Nf and %g of a double, as glibc prints them: from the double's exact binary value, a value
// exactly halfway between two outputs going to the even one (glibc rounds in the current rounding mode,
// round-to-nearest-even). JS's toFixed and toExponential also start from the exact value but take such a tie
// away from zero: 0.25 is "0.3" in JS and "0.2" in C. Ties are common where a count is divided by a power of
// two: proc.fdusage of 64 open fds under a limit of 1024 is exactly 6.25 (sysdig prints 6.2).
// (LuaJIT formats numbers itself and takes ties away from zero: the chisels' numbers are lib/chisels/lua.ts's.)

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/** Whether |x|·10^k lies exactly halfway between two integers (exact arithmetic on x's binary value). */
function exactTie(x: number, k: number): boolean {
  F64[0] = x;
  const hi = U32[1]!;
  const biased = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(U32[0]!);
  let e: number;
  if (biased === 0) e = -1074;
  else {
    m |= 1n << 52n;
    e = biased - 1075;
  }
  // 2·|x|·10^k = m·2^(e+1)·10^k must be an odd integer
  let num = m;
  let den = 1n;
  if (k >= 0) num *= 10n ** BigInt(k);
  else den *= 10n ** BigInt(-k);
  if (e + 1 >= 0) num <<= BigInt(e + 1);
  else den <<= BigInt(-(e + 1));
  return num % den === 0n && ((num / den) & 1n) === 1n;
}

/**
 * When x·10^k (x >= 0) is an exact tie, the even integer next to it (as printf rounds it); otherwise undefined, and
 * JS's own rounding, which is exact, is printf's.
 */
function evenTie(x: number, k: number): bigint | undefined {
  const y = x * 10 ** k;
  // a tie's product is exact (n + 0.5 with n < 2^53 is a double): anything not near .5 is no tie
  if (!(y < 2 ** 53) || Math.abs(y - Math.floor(y) - 0.5) > 1e-6) return undefined;
  if (!exactTie(x, k)) return undefined;
  const n = BigInt(Math.floor(y));
  return (n & 1n) === 0n ? n : n + 1n;
}

/** printf("%.{d}f", x) */
export function printfFixed(x: number, d: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  // (C keeps the sign of -0 and of a negative value that rounds to zero; JS's toFixed drops -0's)
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const ax = Math.abs(x);
  // (toFixed writes 1e21 and more in exponent form; a double that large is an integer)
  if (ax >= 1e21) return `${sign}${BigInt(ax)}${d > 0 ? '.' + '0'.repeat(d) : ''}`;
  const n = evenTie(ax, d);
  if (n === undefined) return sign + ax.toFixed(d);
  const digits = n.toString().padStart(d + 1, '0');
  return d === 0 ? sign + digits : `${sign}${digits.slice(0, -d)}.${digits.slice(-d)}`;
}

/** printf("%.{d}e", x): a mantissa of d decimals and an exponent of at least two digits */
export function printfExp(x: number, d: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const ax = Math.abs(x);
  let [mant, exp] = ax.toExponential(d).split('e') as [string, string];
  let e = Number(exp);
  if (ax !== 0) {
    // the unrounded value's exponent (toExponential's may be one more, after a carry)
    const e0 = Number(ax.toExponential().split('e')[1]);
    const n = evenTie(ax, d - e0);
    if (n !== undefined) {
      let digits = n.toString();
      e = e0;
      if (digits.length > d + 1) {
        digits = digits.slice(0, d + 1);
        e++;
      }
      mant = d === 0 ? digits : `${digits[0]}.${digits.slice(1)}`;
    }
  }
  return `${sign}${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

/** printf("%g", x): six significant digits, fixed or exponent form as C chooses, trailing zeros dropped */
export function printfG(x: number, precision = 6): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const p = precision === 0 ? 1 : precision;
  // C takes the exponent the value has once rounded to p significant digits
  const e = printfExp(x, p - 1);
  const at = e.indexOf('e');
  const exp = Number(e.slice(at + 1));
  if (exp < -4 || exp >= p) {
    let mant = e.slice(0, at);
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    return mant + e.slice(at);
  }
  let s = printfFixed(x, p - 1 - exp);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}
