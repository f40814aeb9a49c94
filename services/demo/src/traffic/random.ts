// Trace ids are drawn for most events: a lookup beats `toString(16).padStart` several times over.
const HEX_PAIRS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * sfc32 ("small fast counter", Chris Doty-Humphrey, PractRand), seeded through
 * splitmix32. Chosen over `Math.random` because traffic must replay bit for bit from a
 * seed, and over a library because the whole generator is 10 lines and sits on the
 * hot path (several draws per event): it passes PractRand up to 2^60 bytes (far more than
 * a simulated week needs) and costs a few integer operations per draw.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | undefined;

  /** A stream fully determined by `seed` (any number; only its low 32 bits count). */
  constructor(seed: number) {
    let s = seed >>> 0;
    const splitmix = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix();
    this.b = splitmix();
    this.c = splitmix();
    this.d = 1;
    // The reference implementation discards the first outputs to mix the state.
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** A uniform integer in [0, 2^32). */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A uniform element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A standard normal draw (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spare !== undefined) {
      const value = this.spare;
      this.spare = undefined;
      return value;
    }
    const u = 1 - this.next(); // (0, 1]: log(0) would be -Infinity
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /**
   * A Poisson draw of mean `lambda`: Knuth's product method for small means (exact, a
   * few draws at the 0.1-10 events per second of simulated services), a rounded normal
   * approximation above 30 where the product method gets slow and the approximation is
   * within a fraction of a percent.
   */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** `chars` lower-case hex digits (a multiple of 8), e.g. for trace ids. */
  hex(chars: number): string {
    let out = '';
    for (let i = 0; i < chars; i += 8) {
      const x = this.uint32();
      out +=
        (HEX_PAIRS[x >>> 24] as string) +
        HEX_PAIRS[(x >>> 16) & 255] +
        HEX_PAIRS[(x >>> 8) & 255] +
        HEX_PAIRS[x & 255];
    }
    return out;
  }
}

/**
 * Mixes a scenario seed with a label (FNV-1a) so that each stream of a scenario (one per
 * service, one per incident) has its own generator: adding an incident or a service does
 * not reshuffle the others' traffic.
 */
export function streamSeed(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
