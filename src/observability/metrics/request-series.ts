/**
 * The four request metrics Traefik keeps for one label set (requests, duration histogram, request and response
 * bytes) in one object, so that recording a request is one lookup and a few additions.
 */
export class RequestSeries {
  /** Label values in the family's label order (the request labels, then the scope's own). */
  readonly labels: readonly string[];
  count = 0;
  durationSum = 0;
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  readonly buckets: Float64Array;
  requestBytes = 0;
  responseBytes = 0;

  constructor(labels: readonly string[], bucketCount: number) {
    this.labels = labels;
    this.buckets = new Float64Array(bucketCount + 1);
  }
}

/**
 * The series of one scope (one entrypoint, one router, one service), found by (code, method, protocol[, header
 * values]) through nested maps: a lookup allocates nothing once the series exists. The scope's own label values
 * (entrypoint name, router and service names) are resolved once, when the scope is created.
 */
export class ScopeSeries {
  readonly #scopeLabels: readonly string[];
  readonly #bounds: readonly number[];
  readonly #byCode = new Map<number, Map<string, Map<string, RequestSeries | Map<string, RequestSeries>>>>();
  readonly all: RequestSeries[] = [];

  constructor(scopeLabels: readonly string[], bounds: readonly number[]) {
    this.#scopeLabels = scopeLabels;
    this.#bounds = bounds;
  }

  /** Records one finished request. `extra` holds the headerLabels values joined, or undefined without headerLabels. */
  record(code: number, method: string, protocol: string, extra: string | undefined, seconds: number, requestBytes: number, responseBytes: number): void {
    const series = this.#series(code, method, protocol, extra);
    series.count++;
    series.durationSum += seconds;
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && seconds > (bounds[i] as number)) i++;
    series.buckets[i] = (series.buckets[i] as number) + 1;
    series.requestBytes += requestBytes;
    series.responseBytes += responseBytes;
  }

  #series(code: number, method: string, protocol: string, extra: string | undefined): RequestSeries {
    let byMethod = this.#byCode.get(code);
    if (byMethod === undefined) {
      byMethod = new Map();
      this.#byCode.set(code, byMethod);
    }
    let byProtocol = byMethod.get(method);
    if (byProtocol === undefined) {
      byProtocol = new Map();
      byMethod.set(method, byProtocol);
    }
    const found = byProtocol.get(protocol);
    if (extra === undefined) {
      if (found instanceof RequestSeries) return found;
      const created = this.#create([String(code), method, protocol]);
      byProtocol.set(protocol, created);
      return created;
    }
    let byExtra = found as Map<string, RequestSeries> | undefined;
    if (byExtra === undefined) {
      byExtra = new Map();
      byProtocol.set(protocol, byExtra);
    }
    let series = byExtra.get(extra);
    if (series === undefined) {
      series = this.#create([String(code), method, protocol, ...extra.split('\u0000')]);
      byExtra.set(extra, series);
    }
    return series;
  }

  #create(requestLabels: string[]): RequestSeries {
    const series = new RequestSeries([...requestLabels, ...this.#scopeLabels], this.#bounds.length);
    this.all.push(series);
    return series;
  }
}
